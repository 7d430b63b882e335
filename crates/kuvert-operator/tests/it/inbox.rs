//! The web inbox over real HTTP: a real operator (`kuvert_operator::build`) whose web
//! listener is on 127.0.0.1:0, logging people in against `kuvert-eid`'s test e-ID provider
//! (also on 127.0.0.1:0), with letters stored through `OperatorStore::store_delivery`. A
//! small cookie-keeping browser drives the pages and forms as a person would.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    AttachmentContentType, DeliveryKey, Filename, MessageId, SenderName, Subject, TransId,
};
use kuvert_eid::provider::{
    PersonCredential, RegisteredClient, TestEidConfig, TestEidProvider, TestPerson,
};
use kuvert_operator::Config;
use kuvert_pki::{PersonSpec, PkiSpec, TestPki};
use kuvert_store::operator::{
    AttachmentInfo, AuditAction, DeliveryId, NewDelivery, OperatorStore, StoreOutcome,
};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

use crate::{ELSEWHERE, HERE, Letter, OPERATOR, pki, registry_stub, write_identity};

const CLIENT_ID: &str = "demobrevladan";
const CLIENT_SECRET: &str = "inbox test secret";
/// Not registered anywhere: gets "Skaffa digital brevlåda".
const NEWCOMER: &str = "199008252398";
/// Test persons in the provider's order: `HERE`, `ELSEWHERE`, `NEWCOMER`.
const PERSONS: [(&str, &str, &str); 3] = [
    (HERE, "Hanna", "Här"),
    (ELSEWHERE, "Elsa", "Annanstans"),
    (NEWCOMER, "Nils", "Ny"),
];

/// Person certificates for the test e-ID's signing service (e-ID CA of this PKI).
fn person_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let persons = PERSONS
            .iter()
            .enumerate()
            .map(|(idx, (number, given_name, surname))| PersonSpec {
                key: format!("person-{idx}"),
                given_name: (*given_name).to_owned(),
                surname: (*surname).to_owned(),
                number: PersonalIdentityNumber::parse(number).unwrap(),
            })
            .collect();
        TestPki::generate(&PkiSpec {
            organisations: Vec::new(),
            persons,
        })
        .unwrap()
    })
}

/// A running operator web inbox, its store and the test e-ID.
struct Inbox {
    base: Url,
    store: Arc<dyn OperatorStore>,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

async fn start() -> Inbox {
    let shutdown = Shutdown::new();
    let registry_url = registry_stub::start(pki(), shutdown.clone()).await;
    start_with(registry_url, shutdown).await
}

/// The inbox talking to the registry at `registry_url`.
async fn start_with(registry_url: String, shutdown: Shutdown) -> Inbox {
    let pki = pki();
    let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let web_listener = Listener::bind(localhost, ListenerTls::Plain).await.unwrap();
    let base = Url::parse(&format!("http://{}/", web_listener.local_addr().unwrap())).unwrap();
    let issuer = start_eid(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let blob_dir = dir.path().join("blobs");
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("operator.db").display()
    );
    let config: Config = serde_json::from_value(serde_json::json!({
        "organisation_number": OPERATOR,
        "name": "Demobrevlådan",
        "domain": "demobrevladan.example",
        "tls": write_identity(dir.path(), pki, "operator"),
        "registry_url": registry_url,
        "database_url": database_url,
        "blob_dir": blob_dir,
        "notification": {
            "email_from": "avisering@demobrevladan.example",
            "mail_dir": dir.path().join("mail"),
        },
        "web": {
            "public_url": base.as_str(),
            "oidc_issuer": issuer.as_str(),
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "signing_service_url": issuer.join("sign").unwrap().as_str(),
        },
    }))
    .unwrap();
    let service = kuvert_operator::build(config).await.unwrap();
    tokio::spawn(kuvert_web::serve(
        web_listener,
        service.web_router(),
        shutdown.clone(),
    ));
    let blobs = kuvert_store::blob::LocalBlobStore::open(&blob_dir).unwrap();
    let database = kuvert_store::Database::connect(&database_url)
        .await
        .unwrap();
    let store = database.operator(Arc::new(blobs));
    Inbox {
        base,
        store,
        shutdown,
        _dir: dir,
    }
}

/// The test e-ID on its own port, with the inbox's two return addresses registered.
async fn start_eid(inbox: &Url) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let persons = PERSONS
        .iter()
        .enumerate()
        .map(|(idx, (number, given_name, surname))| {
            let credential = person_pki().person(&format!("person-{idx}")).unwrap();
            let signing =
                PersonCredential::from_pem(credential.key_pem(), credential.certificate_pem())
                    .unwrap();
            TestPerson {
                personal_identity_number: PersonalIdentityNumber::parse(number).unwrap(),
                given_name: (*given_name).to_owned(),
                surname: (*surname).to_owned(),
                signing: Some(signing),
            }
        })
        .collect();
    let config = TestEidConfig {
        issuer: issuer.clone(),
        clients: vec![RegisteredClient {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            redirect_uris: vec![
                inbox.join("inloggad").unwrap(),
                inbox.join("skaffa/signerad").unwrap(),
            ],
        }],
        persons,
        claims_only_at_userinfo: false,
    };
    let id_token_key = pki().organisation("registry").unwrap().key_pem().clone();
    let provider = TestEidProvider::new(config, &id_token_key).unwrap();
    tokio::spawn(async move { axum::serve(listener, provider.router()).await });
    issuer
}

/// Stores the intake harness's letter (plain text body, `beslut.pdf`) in `HERE`'s mailbox.
async fn store_letter(inbox: &Inbox) -> DeliveryId {
    let letter = Letter::to(HERE);
    let envelope = letter.envelope();
    let delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(letter.sender),
            message_id: MessageId::parse(&letter.message_id).unwrap(),
        },
        recipient: crate::person(HERE),
        trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
        received_at: time::OffsetDateTime::now_utc(),
        sealed_delivery: bytes::Bytes::from(envelope),
        receipt_xml: "<receipt/>".to_owned(),
        subject: Subject::parse(letter.subject).unwrap(),
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        attachments: vec![AttachmentInfo {
            filename: Filename::parse("beslut.pdf").unwrap(),
            content_type: AttachmentContentType::Pdf,
            size_bytes: 13,
        }],
    };
    match inbox.store.store_delivery(delivery).await.unwrap() {
        StoreOutcome::Stored(receipt) => receipt.delivery_id,
        StoreOutcome::AlreadyStored(_) => panic!("a fresh message id is stored anew"),
    }
}

/// A browser without JavaScript: keeps cookies, never follows redirects by itself.
struct Browser {
    client: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        let client = kuvert_web::http_client(&kuvert_web::ClientConfig {
            ca_pem: pki().organisation_ca_pem().to_owned(),
            identity: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        })
        .unwrap();
        Self {
            client,
            cookies: HashMap::new(),
        }
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.client.get(url);
        self.send(request).await
    }

    async fn post(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let request = self.client.post(url).form(form);
        self.send(request).await
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    /// Logs in as `PERSONS[person_idx]` (or cancels); returns the callback's response.
    async fn log_in(
        &mut self,
        inbox: &Inbox,
        person_idx: usize,
        action: &str,
    ) -> reqwest::Response {
        let start = self
            .get(inbox.base.join("logga-in").unwrap().as_str())
            .await;
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let set_cookie = start.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        let authorize = location(&start);
        assert!(
            !authorize.contains("code_verifier"),
            "the PKCE verifier stays server-side"
        );
        let page = self.get(&authorize).await.text().await.unwrap();
        let mut fields = hidden_fields(&page);
        fields.push(("person".to_owned(), person_idx.to_string()));
        fields.push(("action".to_owned(), action.to_owned()));
        let choice = self.post(&form_action(&page), &fields).await;
        assert_eq!(choice.status(), StatusCode::SEE_OTHER);
        let callback = location(&choice);
        assert!(callback.starts_with(inbox.base.join("inloggad").unwrap().as_str()));
        self.get(&callback).await
    }

    /// The page's CSRF token (the logout form carries it on every logged-in page).
    async fn csrf_token(&mut self, inbox: &Inbox) -> String {
        let page = self
            .get(inbox.base.join("installningar").unwrap().as_str())
            .await;
        let html = page.text().await.unwrap();
        hidden_fields(&html)
            .into_iter()
            .find(|(name, _)| name == "csrf_token")
            .map(|(_, value)| value)
            .unwrap()
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The `name`/`value` pairs of the hidden inputs in `html`.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(marker) {
        rest = &rest[start + marker.len()..];
        let (name, after_name) = rest.split_once("\" value=\"").unwrap();
        let (value, after_value) = after_name.split_once('"').unwrap();
        fields.push((unescape(name), unescape(value)));
        rest = after_value;
    }
    fields
}

/// The `action` of the first form whose method is POST in `html`.
fn form_action(html: &str) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = html.find(marker).unwrap() + marker.len();
    unescape(html[start..].split_once('"').unwrap().0)
}

/// Decodes the entities askama writes.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let (entity, after) = rest[start + 1..].split_once(';').unwrap();
        let decoded = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ if entity.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&entity[2..], 16).unwrap()).unwrap()
            }
            _ => char::from_u32(entity[1..].parse().unwrap()).unwrap(),
        };
        out.push(decoded);
        rest = after;
    }
    out.push_str(rest);
    out
}

fn url(inbox: &Inbox, path: &str) -> String {
    inbox.base.join(path).unwrap().as_str().to_owned()
}

#[tokio::test]
async fn holder_logs_in_reads_a_letter_and_downloads_its_attachment_with_audit() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let mut browser = Browser::new();
    let callback = browser.log_in(&inbox, 0, "login").await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&callback),
        "/brevlada",
        "a profile here leads to the inbox"
    );

    let list = browser.get(&url(&inbox, "brevlada")).await;
    assert_eq!(list.status(), StatusCode::OK);
    let html = list.text().await.unwrap();
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    assert!(html.contains("Exempelkommun"), "{html}");
    assert!(html.contains("Beslut om bygglov BN-4711"), "{html}");
    assert!(html.contains("1 olästa meddelanden"), "{html}");
    assert!(html.contains(&format!("href=\"/brev/{id}\"")), "{html}");

    let read = browser.get(&url(&inbox, &format!("brev/{id}"))).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.headers()["cache-control"], "no-store");
    let html = read.text().await.unwrap();
    assert!(html.contains("Hej! Här är beslutet."), "{html}");
    assert!(html.contains("beslut.pdf"), "{html}");
    assert!(html.contains("Markera som oläst"), "{html}");

    let download = browser
        .get(&url(&inbox, &format!("brev/{id}/bilaga/0")))
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename*=UTF-8''beslut.pdf"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");

    let mailbox = crate::person(HERE);
    let events = inbox.store.audit_events(&mailbox, 10).await.unwrap();
    let actions: Vec<AuditAction> = events.iter().map(|event| event.action).collect();
    assert!(actions.contains(&AuditAction::OpenedLetter), "{actions:?}");
    assert!(
        actions.contains(&AuditAction::OpenedAttachment { position: 0 }),
        "{actions:?}"
    );
    assert!(
        events
            .iter()
            .all(|event| event.delivery == id && event.actor.as_str() == HERE)
    );

    let html = browser
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("0 olästa meddelanden"),
        "opening marks read: {html}"
    );
}

#[tokio::test]
async fn mark_unread_needs_the_csrf_token_and_marks_the_letter_unread() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let mut browser = Browser::new();
    browser.log_in(&inbox, 0, "login").await;
    browser.get(&url(&inbox, &format!("brev/{id}"))).await;
    let unread_url = url(&inbox, &format!("brev/{id}/olast"));

    let forged = browser
        .post(&unread_url, &[("csrf_token".to_owned(), "00".repeat(32))])
        .await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    let html = browser
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("0 olästa meddelanden"), "{html}");

    let token = browser.csrf_token(&inbox).await;
    let marked = browser
        .post(&unread_url, &[("csrf_token".to_owned(), token)])
        .await;
    assert_eq!(marked.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 olästa meddelanden"), "{html}");
}

#[tokio::test]
async fn another_person_gets_not_found_on_every_letter_route() {
    let inbox = start().await;
    let id = store_letter(&inbox).await;
    let mut stranger = Browser::new();
    let callback = stranger.log_in(&inbox, 1, "login").await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    let token = stranger.csrf_token(&inbox).await;

    let read = stranger.get(&url(&inbox, &format!("brev/{id}"))).await;
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    assert!(!read.text().await.unwrap().contains("Hej! Här är beslutet."));
    let download = stranger
        .get(&url(&inbox, &format!("brev/{id}/bilaga/0")))
        .await;
    assert_eq!(download.status(), StatusCode::NOT_FOUND);
    let unread_url = url(&inbox, &format!("brev/{id}/olast"));
    let unread = stranger
        .post(&unread_url, &[("csrf_token".to_owned(), token)])
        .await;
    assert_eq!(unread.status(), StatusCode::NOT_FOUND);
    let list = stranger
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains("Beslut om bygglov"), "{list}");

    let events = inbox
        .store
        .audit_events(&crate::person(HERE), 10)
        .await
        .unwrap();
    assert!(
        events.is_empty(),
        "a refused access reads nothing: {events:?}"
    );
    let unknown = stranger
        .get(&url(&inbox, &format!("brev/{}", DeliveryId::new())))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn logout_ends_the_session_and_the_old_cookie_opens_nothing() {
    let inbox = start().await;
    let mut browser = Browser::new();
    browser.log_in(&inbox, 0, "login").await;
    let old_cookies = browser.cookies.clone();
    let token = browser.csrf_token(&inbox).await;

    let logout = browser
        .post(
            &url(&inbox, "logga-ut"),
            &[("csrf_token".to_owned(), token)],
        )
        .await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert!(
        !browser.cookies.contains_key("kuvert_session"),
        "the cookie is cleared"
    );
    let after = browser.get(&url(&inbox, "brevlada")).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&after), "/");

    browser.cookies = old_cookies;
    let replayed = browser.get(&url(&inbox, "brevlada")).await;
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the session is gone server-side"
    );
}

#[tokio::test]
async fn pages_need_a_login_and_a_cancelled_login_says_what_happened() {
    let inbox = start().await;
    let mut browser = Browser::new();
    let list = browser.get(&url(&inbox, "brevlada")).await;
    assert_eq!(list.status(), StatusCode::SEE_OTHER);

    let cancelled = browser.log_in(&inbox, 0, "cancel").await;
    assert_eq!(cancelled.status(), StatusCode::UNAUTHORIZED);
    let html = cancelled.text().await.unwrap();
    assert!(html.contains("Inloggningen avbröts"), "{html}");
    let list = browser.get(&url(&inbox, "brevlada")).await;
    assert_eq!(list.status(), StatusCode::SEE_OTHER, "still not logged in");

    let stale = browser.get(&url(&inbox, "inloggad?code=x&state=y")).await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    assert!(stale.text().await.unwrap().contains("tog för lång tid"));
}

#[tokio::test]
async fn start_page_is_accessible_swedish_first_and_english_with_lang() {
    let inbox = start().await;
    let mut browser = Browser::new();
    let swedish = browser.get(&url(&inbox, "")).await;
    assert_eq!(swedish.status(), StatusCode::OK);
    let csp = swedish.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = swedish.text().await.unwrap();
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    assert!(html.contains("href=\"#innehall\""), "skip link: {html}");
    assert!(
        html.contains("Säkert – ingen annan kommer åt din post."),
        "{html}"
    );
    assert!(html.contains("Logga in med e-legitimation"), "{html}");
    assert!(!html.contains("<script") && !html.contains("<style") && !html.contains("style="));

    let english = browser
        .get(&url(&inbox, "?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\">"), "{english}");
    assert!(english.contains("Log in with e-ID"), "{english}");
    let remembered = browser.get(&url(&inbox, "")).await.text().await.unwrap();
    assert!(
        remembered.contains("<html lang=\"en\">"),
        "the choice is kept in a cookie"
    );

    let css = browser.get(&url(&inbox, "static/kuvert.css")).await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains(":focus-visible"));
}

#[tokio::test]
async fn settings_save_a_notification_address_and_refuse_a_bad_one() {
    let inbox = start().await;
    let mut browser = Browser::new();
    browser.log_in(&inbox, 0, "login").await;
    let token = browser.csrf_token(&inbox).await;
    let form = |channel: &str, address: &str| {
        vec![
            ("csrf_token".to_owned(), token.clone()),
            ("channel".to_owned(), channel.to_owned()),
            ("address".to_owned(), address.to_owned()),
        ]
    };
    let address_url = url(&inbox, "installningar/adress");
    let saved = browser
        .post(&address_url, &form("email", "hanna@example.se"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let bad = browser.post(&address_url, &form("sms", "0701234567")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Mobilnumret ska börja med +")
    );

    let mailbox = RecipientId::Person(PersonalIdentityNumber::parse(HERE).unwrap());
    let settings = inbox.store.notification_settings(&mailbox).await.unwrap();
    assert_eq!(settings.len(), 1);
    assert_eq!(settings[0].address.as_str(), "hanna@example.se");
    assert!(settings[0].is_confirmed);
    let page = browser
        .get(&url(&inbox, "installningar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("hanna@example.se – Bekräftad"), "{page}");
    assert!(page.contains("Alla aviseringar har kommit fram."), "{page}");
}

/// Drives "Skaffa digital brevlåda" for `NEWCOMER` up to the signing service's post back,
/// which is sent from another site (no session cookie). Returns the post-back's answer.
async fn sign_up(inbox: &Inbox) -> reqwest::Response {
    let mut browser = Browser::new();
    let callback = browser.log_in(inbox, 2, "login").await;
    assert_eq!(
        location(&callback),
        "/skaffa",
        "no profile: get a digital mailbox"
    );
    let page = browser
        .get(&url(inbox, "skaffa"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signera med e-legitimation"), "{page}");
    let token = hidden_fields(&page)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap()
        .1;
    let form = [("csrf_token".to_owned(), token)];
    let start_signing = browser.post(&url(inbox, "skaffa"), &form).await;
    assert_eq!(start_signing.status(), StatusCode::SEE_OTHER);
    let sign_page = browser
        .get(&location(&start_signing))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sign_page.contains("Jag vill ha en digital brevlåda"),
        "{sign_page}"
    );
    let mut fields = hidden_fields(&sign_page);
    fields.push(("person".to_owned(), "2".to_owned()));
    fields.push(("action".to_owned(), "sign".to_owned()));
    let returned = browser.post(&form_action(&sign_page), &fields).await;
    let returned = returned.text().await.unwrap();
    let signed_fields = hidden_fields(&returned);
    assert!(
        signed_fields.iter().any(|(name, _)| name == "Signature"),
        "{returned}"
    );
    let mut other_site = Browser::new();
    let answer = other_site
        .post(&form_action(&returned), &signed_fields)
        .await;
    let replay = other_site
        .post(&form_action(&returned), &signed_fields)
        .await;
    assert_eq!(
        replay.status(),
        StatusCode::BAD_REQUEST,
        "a signing state is used once"
    );
    answer
}

#[tokio::test]
async fn newcomer_signs_the_agreement_and_is_registered_with_a_verifiable_signature() {
    let shutdown = Shutdown::new();
    let (registry_url, registered) = signup_registry::start(shutdown.clone()).await;
    let inbox = start_with(registry_url, shutdown).await;
    let answer = sign_up(&inbox).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/brevlada");
    let registered = registered.lock().unwrap().clone();
    assert_eq!(
        registered,
        vec![(NEWCOMER.to_owned(), "demobrevladan.example".to_owned())],
        "the registry got a register call whose e-ID signature verifies for the newcomer"
    );
}

#[tokio::test]
async fn newcomer_is_told_when_the_registry_refuses_the_registration() {
    let inbox = start().await;
    // The intake tests' registry answers `register` with a fault.
    let answer = sign_up(&inbox).await;
    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    let html = answer.text().await.unwrap();
    assert!(
        html.contains("Förmedlingsadressregistret kunde inte registrera"),
        "{html}"
    );
}

/// A registry that knows nobody (`isRegistered` says `Not`) and accepts `register` when the
/// e-ID signature verifies against the person PKI's e-ID CA for the person registered,
/// recording (personnummer, `ServiceSupplier`).
mod signup_registry {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::routing::post;
    use base64::Engine as _;
    use kuvert_eid::SignatureData;
    use kuvert_eid::signature::SignatureDataFields;
    use kuvert_web::{Listener, ListenerTls, Shutdown};
    use kuvert_wire::envelope::{self, BodyElement};
    use kuvert_wire::fault::{Fault, FaultCode};
    use kuvert_wire::recipient::{self, IsRegisteredResponse, RecipientRequest, RegisterResponse};
    use kuvert_wire::types::{AccountStatus, SignatureAuthorizationResult};
    use kuvert_wire::values::{AccountType, AuthorizationStatus};
    use kuvert_xmldsig::trust::TrustAnchors;

    type Registered = Arc<Mutex<Vec<(String, String)>>>;

    pub(super) async fn start(shutdown: Shutdown) -> (String, Registered) {
        let pki = crate::pki();
        let credential = pki.organisation("registry").unwrap();
        let tls = ListenerTls::MutualTls {
            cert_chain_pem: credential.certificate_pem().to_owned(),
            key_pem: credential.key_pem().clone(),
            client_ca_pem: pki.organisation_ca_pem().to_owned(),
        };
        let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let listener = Listener::bind(localhost, tls).await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let registered = Registered::default();
        let router = Router::new()
            .route("/ec/Recipient/v3", post(answer))
            .with_state(Arc::clone(&registered));
        tokio::spawn(kuvert_web::serve(listener, router, shutdown));
        (url, registered)
    }

    async fn answer(State(registered): State<Registered>, body: String) -> String {
        let document = envelope::parse(&body).unwrap();
        match recipient::parse_request(&document).unwrap() {
            RecipientRequest::IsRegistered(request) => IsRegisteredResponse {
                statuses: request
                    .recipients
                    .iter()
                    .map(|recipient| AccountStatus {
                        recipient: recipient.clone(),
                        account_type: AccountType::Not,
                        is_pending: false,
                        operator: None,
                        last_registration: None,
                    })
                    .collect(),
            }
            .to_envelope(),
            RecipientRequest::Register(request) => {
                let wire = &request.signatures[0];
                let fields = SignatureDataFields {
                    signature: base64::engine::general_purpose::STANDARD.encode(&wire.signature),
                    certificate: wire.certificate.clone(),
                    nonce: wire.nonce.clone(),
                    encoding_of_signed_text: wire.encoding_of_signed_text.clone(),
                };
                let data = SignatureData::from_fields(&fields).unwrap();
                let anchors = TrustAnchors::from_pem(super::person_pki().eid_ca_pem()).unwrap();
                let text = &request.request.agreement_text;
                let now = time::OffsetDateTime::now_utc();
                let signer = kuvert_eid::verify_signature_data(&data, text, &anchors, now);
                let signer = signer.unwrap().personal_identity_number;
                assert_eq!(request.request.recipient.to_wire(), signer.as_str());
                let entry = (
                    signer.as_str().to_owned(),
                    request.request.operator_domain.clone(),
                );
                registered.lock().unwrap().push(entry);
                let result = SignatureAuthorizationResult {
                    status: Some(AuthorizationStatus::Complete),
                    ..SignatureAuthorizationResult::default()
                };
                RegisterResponse { result }.to_envelope()
            }
            _ => Fault::new(FaultCode::ILLEGAL_STATE, "not in this test registry").to_envelope(),
        }
    }
}

/// Stores a letter to `HERE` whose body is `markup` (text/html). The stored form is an
/// unsigned sealed delivery: the read view only parses what intake verified before.
async fn store_html_letter(inbox: &Inbox, markup: &str) -> DeliveryId {
    use kuvert_core::message::{
        Body, DeliveryHeader, Language, MessageHeader, Seal, SealDate, SecureDelivery,
        SecureMessage, Sender, SupportInfo, SupportText,
    };
    let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
    let header = MessageHeader {
        id: message_id.clone(),
        subject: Subject::parse("Kallelse").unwrap(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss").unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        official_matter: None,
        metadata: Vec::new(),
        language: Language::swedish(),
    };
    let delivery = SecureDelivery {
        header: DeliveryHeader {
            sender: Sender {
                id: crate::org(crate::SENDER),
                name: SenderName::parse("Exempelkommun").unwrap(),
                attention: None,
            },
            recipient: crate::person(HERE),
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message: SecureMessage::new(header, Body::html(markup.to_owned()), Vec::new()).unwrap(),
    };
    let signed = kuvert_wire::delivery::unsigned_signed_delivery(&delivery);
    let today = time::OffsetDateTime::now_utc().date();
    let seal = Seal {
        received_date: SealDate::new(today, None),
        signatures_ok: true,
    };
    let sealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal);
    let new_delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(crate::SENDER),
            message_id,
        },
        recipient: crate::person(HERE),
        trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
        received_at: time::OffsetDateTime::now_utc(),
        sealed_delivery: bytes::Bytes::from(sealed),
        receipt_xml: "<receipt/>".to_owned(),
        subject: Subject::parse("Kallelse").unwrap(),
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        attachments: Vec::new(),
    };
    inbox
        .store
        .store_delivery(new_delivery)
        .await
        .unwrap()
        .receipt()
        .delivery_id
}

#[tokio::test]
async fn html_letter_is_shown_without_anything_that_runs_or_loads_from_elsewhere() {
    let inbox = start().await;
    let markup = concat!(
        r#"<p>Välkommen <b>på besök</b>.</p><script>alert("s")</script>"#,
        r#"<img src="x" onerror="alert('e')"><a href="javascript:alert('j')">länk</a>"#,
        r#"<img src="http://tracker.example/p.gif">"#,
        r#"<link rel="stylesheet" href="http://evil.example/s.css">"#,
        r#"<p style="background:url(http://evil.example/bg.png)">Mvh</p>"#,
    );
    let id = store_html_letter(&inbox, markup).await;
    let mut browser = Browser::new();
    browser.log_in(&inbox, 0, "login").await;
    let read = browser.get(&url(&inbox, &format!("brev/{id}"))).await;
    assert_eq!(read.status(), StatusCode::OK);
    let html = read.text().await.unwrap();
    assert!(html.contains("Välkommen <b>på besök</b>."), "{html}");
    assert!(html.contains("Mvh"), "{html}");
    for gone in [
        "<script",
        "onerror",
        "javascript:",
        "tracker.example",
        "evil.example",
        "style=",
    ] {
        assert!(!html.contains(gone), "{gone} survived: {html}");
    }
}

#[tokio::test]
async fn inbox_pages_twenty_letters_at_a_time_newest_first() {
    let inbox = start().await;
    let mut ids = Vec::new();
    for _ in 0..21 {
        ids.push(store_letter(&inbox).await);
    }
    let mut browser = Browser::new();
    browser.log_in(&inbox, 0, "login").await;
    let first = browser
        .get(&url(&inbox, "brevlada"))
        .await
        .text()
        .await
        .unwrap();
    assert!(first.contains("21 olästa meddelanden"), "{first}");
    assert!(first.contains("href=\"/brevlada?sida=2\""), "{first}");
    assert!(
        first.contains(&format!("/brev/{}", ids[20])),
        "newest on page 1"
    );
    assert!(
        !first.contains(&format!("/brev/{}", ids[0])),
        "oldest not on page 1"
    );
    let second = browser
        .get(&url(&inbox, "brevlada?sida=2"))
        .await
        .text()
        .await
        .unwrap();
    assert!(second.contains(&format!("/brev/{}", ids[0])), "{second}");
    assert!(second.contains("href=\"/brevlada?sida=1\""), "{second}");
}
