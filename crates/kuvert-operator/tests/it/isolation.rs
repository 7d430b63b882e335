//! Isolation of the web inbox, route by route (issue 4: "a person can never see another
//! person's letter or attachment, by guessing ids or by replaying another session's URLs").
//! Every route that names a letter is tried by a second person with their own valid session
//! and CSRF token, with the first person's exact URLs, without any session, and without or
//! with a wrong CSRF token; plus acting for a company one does not represent, the security
//! headers of every page and the session and language cookies' flags over TLS.

use kuvert_core::id::PersonalIdentityNumber;
use kuvert_store::operator::{DeliveryId, Folder, MailboxQuery};
use reqwest::StatusCode;

use crate::inbox::browser::{Browser, InboxSteps, hidden_fields, location, new_browser};
use crate::inbox::harness::{Inbox, start, start_with_web, store_letter};
use crate::{HERE, INTERMEDIARY};

/// How a route is called.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    Get,
    /// A form post; the extra fields besides `csrf_token`.
    Post(&'static [(&'static str, &'static str)]),
}

/// Every route that takes a letter's id, as `(method, path)` for the letter `id`.
fn letter_routes(id: DeliveryId) -> Vec<(Method, String)> {
    vec![
        (Method::Get, format!("brev/{id}")),
        (Method::Get, format!("brev/{id}/bilaga/0")),
        (Method::Post(&[]), format!("brev/{id}/olast")),
        (
            Method::Post(&[("arkivera", "1")]),
            format!("brev/{id}/arkivera"),
        ),
        (
            Method::Post(&[("arkivera", "0")]),
            format!("brev/{id}/arkivera"),
        ),
    ]
}

/// Every route of a logged-in person that takes no letter id: the inbox, settings, account,
/// access log and export pages and their forms.
fn holder_routes() -> Vec<(Method, String)> {
    let get = |path: &str| (Method::Get, path.to_owned());
    let post = |fields, path: &str| (Method::Post(fields), path.to_owned());
    vec![
        get("brevlada"),
        get("brevlada?mapp=arkiv"),
        post(&[("mailbox", INTERMEDIARY)], "brevlada/valj"),
        get("installningar"),
        post(
            &[("channel", "email"), ("address", "a@kuvert.example")],
            "installningar/adress",
        ),
        post(&[("channel", "email")], "installningar/ta-bort"),
        post(
            &[("channel", "email"), ("code", "123456")],
            "installningar/bekrafta",
        ),
        post(&[("channel", "email")], "installningar/ny-kod"),
        get("installningar/avsandare"),
        post(&[], "installningar/avsandare"),
        get("installningar/byt-brevlada"),
        post(&[], "installningar/byt-brevlada"),
        get("installningar/avregistrera"),
        post(&[], "installningar/avregistrera"),
        get("installningar/logg"),
        get("installningar/export"),
        post(&[], "installningar/export"),
        get("foretag"),
        post(&[], "skaffa"),
        post(&[], "logga-ut"),
    ]
}

fn url(inbox: &Inbox, path: &str) -> String {
    inbox.base.join(path).unwrap().as_str().to_owned()
}

/// Calls `route` with `csrf_token` (none for `None`) added to a form post.
async fn call(
    browser: &Browser,
    inbox: &Inbox,
    route: &(Method, String),
    csrf_token: Option<&str>,
) -> reqwest::Response {
    let (method, path) = route;
    match method {
        Method::Get => browser.get(&url(inbox, path)).await,
        Method::Post(fields) => {
            let mut form: Vec<(String, String)> = fields
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect();
            if let Some(token) = csrf_token {
                form.push(("csrf_token".to_owned(), token.to_owned()));
            }
            browser.post_form(&url(inbox, path), &form).await
        }
    }
}

/// `HERE`'s letter is still unread and in the inbox, and nobody opened it.
async fn assert_untouched(inbox: &Inbox, id: DeliveryId) {
    let mailbox = crate::person(HERE);
    let query = MailboxQuery {
        recipient: mailbox.clone(),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page: 0,
        page_size: 50,
    };
    let page = inbox.store.letters(&query).await.unwrap();
    let letter = page.letters.iter().find(|letter| letter.id == id);
    let letter = letter.expect("the letter is still in the inbox");
    assert!(!letter.is_read, "nobody marked it read");
    let events = inbox.store.audit_events(&mailbox, 10).await.unwrap();
    assert!(events.is_empty(), "nobody opened it: {events:?}");
}

#[tokio::test]
async fn another_person_gets_not_found_on_every_route_that_names_a_letter() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let stranger = new_browser();
    stranger.log_in(&inbox, 1, "login").await;
    let token = stranger.csrf_token(&inbox).await;

    for route in letter_routes(id) {
        let response = call(&stranger, &inbox, &route, Some(&token)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{route:?}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("Beslut om bygglov"), "{route:?}: {body}");
        assert!(!body.contains("Hej! Här är beslutet."), "{route:?}: {body}");
    }
    let guessed = DeliveryId::new();
    for route in letter_routes(guessed) {
        let response = call(&stranger, &inbox, &route, Some(&token)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{route:?}");
    }
    assert_untouched(&inbox, id).await;
}

#[tokio::test]
async fn replaying_another_sessions_urls_with_ones_own_session_is_not_found() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let holder = new_browser();
    holder.log_in(&inbox, 0, "login").await;
    let list = holder
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    let letter_href = format!("/brev/{id}");
    assert!(list.contains(&format!("href=\"{letter_href}\"")), "{list}");
    let read = holder.get(&url(&inbox, &letter_href)).await;
    assert_eq!(read.status(), StatusCode::OK);
    let page = read.text().await.unwrap();
    // The exact URLs the holder's pages gave: the letter, its attachment, its forms.
    let mut urls: Vec<(Method, String)> = vec![(Method::Get, letter_href.clone())];
    urls.push((Method::Get, format!("{letter_href}/bilaga/0")));
    assert!(
        page.contains(&format!("href=\"{letter_href}/bilaga/0\"")),
        "{page}"
    );
    for action in ["olast", "arkivera"] {
        let path = format!("{letter_href}/{action}");
        assert!(page.contains(&format!("action=\"{path}\"")), "{page}");
        urls.push((Method::Post(&[("arkivera", "1")]), path));
    }
    let holder_token = hidden_fields(&page)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, value)| value)
        .unwrap();
    let events_before = inbox
        .store
        .audit_events(&crate::person(HERE), 10)
        .await
        .unwrap();

    let stranger = new_browser();
    stranger.log_in(&inbox, 1, "login").await;
    let stranger_token = stranger.csrf_token(&inbox).await;
    for route in &urls {
        let path = route.1.trim_start_matches('/').to_owned();
        let route = (route.0, path);
        let own_token = call(&stranger, &inbox, &route, Some(&stranger_token)).await;
        assert_eq!(own_token.status(), StatusCode::NOT_FOUND, "{route:?}");
        if matches!(route.0, Method::Post(_)) {
            let replayed_token = call(&stranger, &inbox, &route, Some(&holder_token)).await;
            assert_eq!(replayed_token.status(), StatusCode::FORBIDDEN, "{route:?}");
        }
    }
    let events_after = inbox
        .store
        .audit_events(&crate::person(HERE), 10)
        .await
        .unwrap();
    assert_eq!(
        events_before.len(),
        events_after.len(),
        "the stranger opened nothing"
    );
}

#[tokio::test]
async fn every_route_without_a_session_goes_to_the_start_page() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let mut routes = letter_routes(id);
    routes.extend(holder_routes());
    for cookie in [None, Some("0".repeat(64)), Some("not-a-session".to_owned())] {
        let nobody = new_browser();
        if let Some(value) = &cookie {
            nobody.set_cookies([("kuvert_session".to_owned(), value.clone())].into());
        }
        for route in &routes {
            let response = call(&nobody, &inbox, route, Some(&"00".repeat(32))).await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "{route:?} {cookie:?}"
            );
            assert_eq!(location(&response), "/", "{route:?} {cookie:?}");
        }
    }
    assert_untouched(&inbox, id).await;
}

#[tokio::test]
async fn form_posts_without_or_with_a_wrong_csrf_token_change_nothing() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let holder = new_browser();
    holder.log_in(&inbox, 0, "login").await;
    let other = new_browser();
    other.log_in(&inbox, 1, "login").await;
    let others_token = other.csrf_token(&inbox).await;
    let mut routes: Vec<(Method, String)> = letter_routes(id)
        .into_iter()
        .filter(|(method, _)| *method != Method::Get)
        .collect();
    routes.extend(
        holder_routes()
            .into_iter()
            .filter(|(method, _)| *method != Method::Get),
    );
    let wrong_tokens = [
        None,
        Some(String::new()),
        Some("00".repeat(32)),
        Some(others_token),
    ];
    for route in &routes {
        for token in &wrong_tokens {
            let response = call(&holder, &inbox, route, token.as_deref()).await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{route:?} with {token:?}"
            );
            let page = response.text().await.unwrap();
            let why = "Formuläret kunde inte tas emot. Ladda om sidan och försök igen.";
            assert!(page.contains(why), "{route:?} with {token:?}: {page}");
        }
    }
    assert_untouched(&inbox, id).await;
    let still = holder.get(&url(&inbox, "brevlada")).await;
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "logga-ut without a token logs nobody out"
    );
}

#[tokio::test]
async fn a_person_who_represents_no_company_cannot_act_for_one() {
    let inbox = start().await;
    let company = crate::org(INTERMEDIARY);
    let here = PersonalIdentityNumber::parse(HERE).unwrap();
    let now = time::OffsetDateTime::now_utc();
    inbox
        .store
        .grant_representation(&company, &here, now)
        .await
        .unwrap();
    let stranger = new_browser();
    stranger.log_in(&inbox, 1, "login").await;
    let token = stranger.csrf_token(&inbox).await;
    let page = stranger
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(company.as_str()),
        "no company offered: {page}"
    );

    for mailbox in [company.as_str(), "5561234567", "191212121212", "x"] {
        let form = vec![
            ("csrf_token".to_owned(), token.clone()),
            ("mailbox".to_owned(), mailbox.to_owned()),
        ];
        let refused = stranger
            .post_form(&url(&inbox, "brevlada/valj"), &form)
            .await;
        assert!(
            matches!(
                refused.status(),
                StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{mailbox}: {}",
            refused.status()
        );
        let list = stranger
            .get(&url(&inbox, "brevlada"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!list.contains(company.as_str()), "{mailbox}: {list}");
    }
}

#[tokio::test]
async fn inbox_pages_carry_the_security_headers_and_no_inline_script_or_style() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let holder = new_browser();
    let start_page = holder.get(&url(&inbox, "")).await;
    check_headers("/", &start_page);
    holder.log_in(&inbox, 0, "login").await;
    for path in [
        "brevlada".to_owned(),
        "brevlada?mapp=arkiv".to_owned(),
        format!("brev/{id}"),
        "installningar".to_owned(),
        "installningar/avsandare".to_owned(),
        "installningar/byt-brevlada".to_owned(),
        "installningar/avregistrera".to_owned(),
        "installningar/logg".to_owned(),
        "installningar/export".to_owned(),
        "foretag".to_owned(),
        "static/kuvert.css".to_owned(),
    ] {
        let response = holder.get(&url(&inbox, &path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        check_headers(&path, &response);
        let html = response.text().await.unwrap();
        assert!(!html.contains("<script"), "{path}");
        assert!(
            !html.contains("<style") && !html.contains(" style="),
            "{path}"
        );
    }
    let letter = holder.get(&url(&inbox, &format!("brev/{id}"))).await;
    assert_eq!(letter.headers()["cache-control"], "no-store");
    let download = holder
        .get(&url(&inbox, &format!("brev/{id}/bilaga/0")))
        .await;
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
}

#[track_caller]
fn check_headers(path: &str, response: &reqwest::Response) {
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
    assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
}

#[tokio::test]
async fn login_cookies_are_http_only_lax_and_secure_when_the_inbox_is_served_over_tls() {
    let plain = start().await;
    let browser = new_browser();
    let login = browser.get(&url(&plain, "logga-in")).await;
    let cookies: Vec<_> = login.headers().get_all("set-cookie").iter().collect();
    assert_eq!(
        cookies.len(),
        1,
        "only the sealed login cookie: {cookies:?}"
    );
    let cookie = cookies[0].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("kuvert_login="),
        "no session before login: {cookie}"
    );
    assert!(
        cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot keep a Secure cookie: {cookie}"
    );
    let callback = browser.log_in(&plain, 0, "login").await;
    let set: Vec<String> = callback
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    let session = set
        .iter()
        .find(|cookie| cookie.starts_with("kuvert_session="))
        .expect("a finished login makes the session");
    assert!(
        session.contains("; HttpOnly") && session.contains("; SameSite=Lax"),
        "{session}"
    );
    assert!(
        set.iter()
            .any(|cookie| cookie.starts_with("kuvert_login=;") && cookie.contains("Max-Age=0")),
        "the login cookie is cleared: {set:?}"
    );

    let tls =
        start_with_web(serde_json::json!({ "public_url": "https://brevlada.example/" })).await;
    let browser = new_browser();
    let login = browser.get(&url(&tls, "logga-in")).await;
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn language_cookie_is_lax_and_secure_when_the_inbox_is_served_over_tls() {
    let plain = start().await;
    let chosen = new_browser().get(&url(&plain, "?lang=en")).await;
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("lang=en; Path=/; SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");

    let tls =
        start_with_web(serde_json::json!({ "public_url": "https://brevlada.example/" })).await;
    let chosen = new_browser().get(&url(&tls, "?lang=en")).await;
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("lang=en; Path=/; SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn logged_out_sessions_cookie_opens_no_route_again() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let holder = new_browser();
    holder.log_in(&inbox, 0, "login").await;
    let token = holder.csrf_token(&inbox).await;
    let old_cookies = holder.cookies();
    let logout = call(
        &holder,
        &inbox,
        &(Method::Post(&[]), "logga-ut".to_owned()),
        Some(&token),
    )
    .await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let cleared = logout.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    holder.set_cookies(old_cookies);
    let mut routes = letter_routes(id);
    routes.extend(holder_routes());
    for route in &routes {
        let response = call(&holder, &inbox, route, Some(&token)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{route:?}");
        assert_eq!(location(&response), "/", "{route:?}");
    }
    assert_untouched(&inbox, id).await;
}

#[tokio::test]
async fn session_ends_after_the_idle_timeout() {
    let inbox = start_with_web(serde_json::json!({ "session_idle_secs": 1 })).await;
    let holder = new_browser();
    holder.log_in(&inbox, 0, "login").await;
    let fresh = holder.get(&url(&inbox, "brevlada")).await;
    assert_eq!(fresh.status(), StatusCode::OK);
    // Waits for the clock to pass the one-second idle timeout, not for a server.
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let idle = holder.get(&url(&inbox, "brevlada")).await;
    assert_eq!(idle.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&idle), "/");
}

#[tokio::test]
async fn a_failed_or_cancelled_login_says_what_happened_and_logs_nobody_in() {
    let inbox = start().await;
    let cases = [
        (
            "access_denied",
            StatusCode::UNAUTHORIZED,
            "Inloggningen avbröts",
        ),
        ("server_error", StatusCode::UNAUTHORIZED, "misslyckades"),
    ];
    for (error, status, text) in cases {
        let browser = new_browser();
        let login = browser.get(&url(&inbox, "logga-in")).await;
        let authorize = url::Url::parse(&location(&login)).unwrap();
        let state = authorize
            .query_pairs()
            .find(|(name, _)| name == "state")
            .map(|(_, value)| value.into_owned())
            .unwrap();
        let callback = format!("inloggad?error={error}&state={state}");
        let answer = browser.get(&url(&inbox, &callback)).await;
        assert_eq!(answer.status(), status, "{error}");
        let html = answer.text().await.unwrap();
        assert!(html.contains(text), "{error}: {html}");
        assert!(
            html.contains("href=\"/logga-in\""),
            "a way to try again: {html}"
        );
        let list = browser.get(&url(&inbox, "brevlada")).await;
        assert_eq!(
            list.status(),
            StatusCode::SEE_OTHER,
            "{error}: not logged in"
        );
    }
}

/// Regression (found by the Chromium walk): `POST /skaffa` is answered with a 303 to the
/// signing service, and browsers apply `form-action` to that redirect, so the CSP must name
/// the signing service's origin besides `'self'`.
#[tokio::test]
async fn csp_lets_the_sign_buttons_reach_the_signing_service_and_nothing_else() {
    let inbox = start().await;
    let browser = new_browser();
    let login = browser.get(&url(&inbox, "logga-in")).await;
    let eid = url::Url::parse(&location(&login)).unwrap().origin();
    let csp = login.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let form_action = csp
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("form-action"))
        .unwrap();
    assert_eq!(
        form_action,
        format!("form-action 'self' {}", eid.ascii_serialization())
    );
}
