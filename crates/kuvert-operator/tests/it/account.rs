//! The account pages of the web inbox at the operator's level: what needs a login, a CSRF
//! token, the pages' accessible structure in both languages, and the plain words when the
//! registry does not know a company. The signed changes themselves run against the real
//! registry in the federation tests (`crates/kuvert/tests/it/account.rs`), since role crates
//! never depend on each other.

use reqwest::StatusCode;

use crate::inbox::browser::{Browser, InboxSteps, location, new_browser};
use crate::inbox::harness::{Inbox, start};

/// A company number the in-test registry knows no signatory rule for.
const COMPANY: &str = "5566000005";

fn url(inbox: &Inbox, path: &str) -> String {
    inbox.base.join(path).unwrap().as_str().to_owned()
}

/// `HERE` (the harness's first person), logged in.
async fn logged_in(inbox: &Inbox) -> Browser {
    let browser = new_browser();
    let callback = browser.log_in(inbox, 0, "login").await;
    assert_eq!(location(&callback), "/brevlada");
    browser
}

#[tokio::test]
async fn account_pages_send_a_visitor_without_a_login_to_the_start_page() {
    let inbox = start().await;
    let browser = new_browser();
    for path in [
        "installningar/avsandare",
        "installningar/byt-brevlada",
        "installningar/avregistrera",
        "foretag",
        "foretag/5566000005",
    ] {
        let response = browser.get(&url(&inbox, path)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/", "{path}");
    }
}

#[tokio::test]
async fn account_forms_refuse_a_post_without_the_csrf_token() {
    let inbox = start().await;
    let browser = logged_in(&inbox).await;
    let forged = [
        ("csrf_token".to_owned(), "forged".to_owned()),
        ("avsandare".to_owned(), crate::SENDER.to_owned()),
        ("operator".to_owned(), crate::OTHER_OPERATOR.to_owned()),
    ];
    for path in [
        "installningar/avsandare",
        "installningar/byt-brevlada",
        "installningar/avregistrera",
        "foretag/5566000005",
        "skaffa",
    ] {
        let response = browser.post_form(&url(&inbox, path), &forged).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn reception_rules_list_each_sender_as_a_labelled_checkbox_in_both_languages() {
    let inbox = start().await;
    let browser = logged_in(&inbox).await;
    let page = browser.get(&url(&inbox, "installningar/avsandare")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Mottagningsregler</h1>"), "{html}");
    assert!(html.contains("<fieldset>\n<legend>"), "{html}");
    let id = format!("avsandare-{}", crate::SENDER);
    assert!(html.contains(&format!("id=\"{id}\"")), "{html}");
    assert!(html.contains(&format!("<label for=\"{id}\">")), "{html}");
    assert!(
        html.contains(" checked>"),
        "the accepted sender is ticked: {html}"
    );
    assert!(html.contains("pappersutskick"), "{html}");

    let english = browser
        .get(&url(&inbox, "installningar/avsandare?lang=en"))
        .await;
    let html = english.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("<h1>Reception rules</h1>"), "{html}");
    assert!(html.contains("paper mail"), "{html}");
}

#[tokio::test]
async fn deregister_page_explains_that_mail_comes_on_paper_and_letters_stay() {
    let inbox = start().await;
    let browser = logged_in(&inbox).await;
    let html = browser
        .get(&url(&inbox, "installningar/avregistrera"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("All post från avsändare kommer då som pappersutskick."),
        "{html}"
    );
    assert!(html.contains("Dina gamla brev finns kvar här."), "{html}");
    assert!(
        html.contains("action=\"/installningar/avregistrera\""),
        "{html}"
    );
}

#[tokio::test]
async fn company_page_says_why_when_the_number_is_invalid_or_the_registry_knows_no_rule() {
    let inbox = start().await;
    let browser = logged_in(&inbox).await;
    let invalid = browser
        .get(&url(&inbox, "foretag?organisationsnummer=5566000004"))
        .await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    let html = invalid.text().await.unwrap();
    assert!(
        html.contains("Organisationsnumret är inte giltigt."),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{html}");

    let valid = browser
        .get(&url(
            &inbox,
            &format!("foretag?organisationsnummer={COMPANY}"),
        ))
        .await;
    assert_eq!(location(&valid), format!("/foretag/{COMPANY}"));
    let unknown = browser
        .get(&url(&inbox, &format!("foretag/{COMPANY}")))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let html = unknown.text().await.unwrap();
    assert!(
        html.contains("känner inte till företagets firmatecknare"),
        "{html}"
    );
}
