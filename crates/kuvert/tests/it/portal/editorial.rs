//! The editor workflow at the portal (issue 13 §3) with the whole federation and e-ID login:
//! a communicator submits news in Markdown, the editor returns it with a comment, the
//! communicator fixes it, the editor publishes it, and it is on `/nyheter` and in the Atom
//! feed, sanitised; every version is kept with who and when. A text with a word TERMS.md
//! replaces cannot be published, and the page names the word and its replacement — news and
//! pages alike, through the same check.

use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_store::portal::editorial::{Kind, Status, Step};
use kuvert_testenv::browser::location;
use kuvert_testenv::html_form::hidden_fields;
use reqwest::StatusCode;

use crate::account::at;

pub(super) const OWN_SENDER: seed::SeedOrganisation = seed::SENDERS[0];
pub(super) const EDITOR_SENDER: seed::SeedOrganisation = seed::SENDERS[1];

pub(super) fn person(key: &str) -> &'static SeedPerson {
    seed::person(key).unwrap()
}

/// Logs in `person` with the communicator role for `sender` (and the editor role when
/// `is_editor`); returns the browser and the CSRF token of the news page.
pub(super) async fn logged_in(
    federation: &Federation,
    person: &SeedPerson,
    sender: seed::SeedOrganisation,
    is_editor: bool,
) -> (Browser, String) {
    let number = person.personal_identity_number();
    federation
        .grant_communicator(&number, &[sender.organisation_number()], false)
        .await;
    let editorial = federation.demo().portal.editorial_store();
    editorial.set_editor(&number, is_editor).await.unwrap();
    let browser = federation.login_communicator(person).await;
    let page = browser
        .get(&at(&federation.portal_url(), "kommunikator/nyheter"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(html.contains("Du är huvudredaktör"), is_editor, "{html}");
    let csrf = hidden_fields(&html)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap()
        .1;
    (browser, csrf)
}

/// A client without a cookie store: one visitor of the public pages.
#[allow(clippy::disallowed_methods)] // a bare client is the point: no cookie store
pub(super) fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

pub(super) fn form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_is_returned_fixed_published_and_shown_with_its_feed() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let list = at(&portal_url, "kommunikator/nyheter");

    // A form without this session's token is refused; a genuine one is stored.
    let first_text = "Nu kan du få **kvitto** när du läser.\n\n<script>alert(1)</script>";
    let fields = |csrf: &str| {
        form(&[
            ("csrf_token", csrf),
            ("avsandare", OWN_SENDER.number),
            ("titel", "Nytt i våren"),
            ("text", first_text),
        ])
    };
    let forged = writer.post_form(&list, &fields("00")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let submitted = writer.post_form(&list, &fields(&writer_csrf)).await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let page = at(&portal_url, location(&submitted).trim_start_matches('/'));
    let id = page.rsplit('/').next().unwrap().to_owned();

    // The editor sees it, with the word to replace named; publishing is refused.
    let html = editor.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("Nytt i våren") && html.contains("”kvitto…”"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "sanitised preview: {html}");
    let step = |csrf: &str, step: &str, text: &str, comment: &str| {
        form(&[
            ("csrf_token", csrf),
            ("titel", "Nytt i våren"),
            ("text", text),
            ("kommentar", comment),
            ("steg", step),
        ])
    };
    let refused = editor
        .post_form(&page, &step(&editor_csrf, "publicera", first_text, ""))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Ord att byta ut innan publicering"), "{html}");
    assert!(html.contains("skriv i stället ”kvittens”"), "{html}");

    // The writer cannot publish; the editor returns it with a comment.
    let not_theirs = writer
        .post_form(&page, &step(&writer_csrf, "publicera", first_text, ""))
        .await;
    assert_eq!(not_theirs.status(), StatusCode::NOT_FOUND);
    let comment = "Skriv kvittens, som i ordlistan.";
    let returned = editor
        .post_form(&page, &step(&editor_csrf, "tillbaka", first_text, comment))
        .await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);
    let html = writer.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("Tillbaka hos kommunikatören") && html.contains(comment),
        "{html}"
    );

    // The writer fixes it; the editor publishes.
    let fixed = "Nu kan du få **kvittens** när du läser.\n\n<script>alert(1)</script>";
    let revised = writer
        .post_form(&page, &step(&writer_csrf, "andra", fixed, ""))
        .await;
    assert_eq!(revised.status(), StatusCode::SEE_OTHER);
    let published = editor
        .post_form(&page, &step(&editor_csrf, "publicera", fixed, ""))
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);

    // Every version is kept with who and when.
    let store = federation.demo().portal.editorial_store();
    let stored = store.submission(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Published);
    let steps: Vec<Step> = stored.versions.iter().map(|version| version.step).collect();
    assert_eq!(
        steps,
        [
            Step::Submitted,
            Step::Returned,
            Step::Revised,
            Step::Published
        ]
    );
    let tolvan = person("tolvan").personal_identity_number();
    let anna = person("anna").personal_identity_number();
    let authors: Vec<_> = stored
        .versions
        .iter()
        .map(|version| &version.author)
        .collect();
    assert_eq!(authors, [&tolvan, &anna, &tolvan, &anna]);
    assert_eq!(stored.versions[1].comment, comment);
    assert_eq!(store.published(Kind::News, 10).await.unwrap().len(), 1);

    // It is on the public page and in the feed, sanitised, without a cookie.
    let client = bare_client();
    let news = client.get(at(&portal_url, "nyheter")).send().await.unwrap();
    assert_eq!(news.status(), StatusCode::OK);
    assert!(news.headers().get("set-cookie").is_none());
    let html = news.text().await.unwrap();
    assert!(html.contains("<strong>kvittens</strong>"), "{html}");
    assert!(html.contains(&format!("id=\"nyhet-{id}\"")) && !html.contains("<script>alert"));
    let feed = client
        .get(at(&portal_url, "nyheter.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = feed.text().await.unwrap();
    assert_eq!(xml.matches("<entry>").count(), 1, "{xml}");
    assert!(xml.contains("<title>Nytt i våren</title>"), "{xml}");
    assert!(
        xml.contains("&lt;strong&gt;kvittens&lt;/strong&gt;"),
        "{xml}"
    );
    assert!(
        !xml.contains("script") && xml.contains(&format!("urn:uuid:{id}")),
        "{xml}"
    );

    // Nothing follows publication.
    let again = editor
        .post_form(&page, &step(&editor_csrf, "andra", fixed, ""))
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Issue 13 acceptance: the TERMS.md check runs on a submitted page as on news. A page with a
/// word to replace is not published — the page names the word and its replacement, and it is
/// not on `/sidor/{id}` — until the communicator fixes it; then the editor publishes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_with_a_word_to_replace_is_refused_until_fixed_then_published() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let title = "Så läser du dina brev";
    let wrong_text = "Breven finns i din **postlåda** hos oss.";
    let submitted = writer
        .post_form(
            &at(&portal_url, "kommunikator/nyheter"),
            &form(&[
                ("csrf_token", &writer_csrf),
                ("avsandare", OWN_SENDER.number),
                ("slag", "sida"),
                ("titel", title),
                ("text", wrong_text),
            ]),
        )
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let page = at(&portal_url, location(&submitted).trim_start_matches('/'));
    let id = page.rsplit('/').next().unwrap().to_owned();
    let public = at(&portal_url, &format!("sidor/{id}"));
    let step = |csrf: &str, step: &str, text: &str| {
        form(&[
            ("csrf_token", csrf),
            ("titel", title),
            ("text", text),
            ("kommentar", ""),
            ("steg", step),
        ])
    };
    let named = "”postlåd…”: skriv i stället ”brevlåda (digital brevlåda)”";

    // Both see the word named; publishing is refused, naming it again; the page is not out.
    for browser in [&writer, &editor] {
        let html = browser.get(&page).await.text().await.unwrap();
        assert!(html.contains("Ord att byta ut innan publicering"), "{html}");
        assert!(html.contains(named), "{html}");
    }
    let refused = editor
        .post_form(&page, &step(&editor_csrf, "publicera", wrong_text))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains(named), "{html}");
    let visitor = bare_client();
    let hidden = visitor.get(&public).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let store = federation.demo().portal.editorial_store();
    let stored = store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        (stored.kind, stored.status),
        (Kind::Page, Status::Submitted)
    );
    assert_eq!(stored.versions.len(), 1);

    // The communicator fixes the word; nothing is named any more; the editor publishes.
    let fixed_text = "Breven finns i din **digitala brevlåda** hos oss.";
    let revised = writer
        .post_form(&page, &step(&writer_csrf, "andra", fixed_text))
        .await;
    assert_eq!(revised.status(), StatusCode::SEE_OTHER);
    let html = editor.get(&page).await.text().await.unwrap();
    assert!(
        !html.contains("Ord att byta ut innan publicering"),
        "{html}"
    );
    let published = editor
        .post_form(&page, &step(&editor_csrf, "publicera", fixed_text))
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let stored = store.submission(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Published);
    let steps: Vec<Step> = stored.versions.iter().map(|version| version.step).collect();
    assert_eq!(steps, [Step::Submitted, Step::Revised, Step::Published]);
    let shown = visitor.get(&public).send().await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    assert!(html.contains(title), "{html}");
    assert!(
        html.contains("<strong>digitala brevlåda</strong>"),
        "{html}"
    );
    assert!(!html.contains("postlåda"), "{html}");
}
