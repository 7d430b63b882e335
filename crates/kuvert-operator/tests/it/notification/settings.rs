//! `/installningar` over real HTTP: an address gets a code by its own channel (e-mail through
//! the real SMTP server when `KUVERT_TEST_SMTP` is set, else `.eml` files; SMS through a
//! recording gateway), at most a few a day, and is used only after the right code; wrong codes
//! are told beside the field; a failing SMTP server leads to retries with back-off, shown on
//! the page with the reason and the next try.

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::limits::CONFIRMATION_CODES_PER_DAY_MAX;
use kuvert_core::message::EmailAddress;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, NotificationAddress, NotificationChannel,
    NotificationStatus,
};
use reqwest::StatusCode;

use super::{emails_to, noon, real_smtp};
use crate::HERE;
use crate::inbox::browser::{Browser, InboxSteps, location, new_browser};
use crate::inbox::harness::{Inbox, start_with_notification, store_letter};

fn url(inbox: &Inbox, path: &str) -> String {
    inbox.base.join(path).unwrap().as_str().to_owned()
}

fn holder() -> RecipientId {
    RecipientId::Person(PersonalIdentityNumber::parse(HERE).unwrap())
}

fn form(token: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = vec![("csrf_token".to_owned(), token.to_owned())];
    form.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    form
}

/// The six digits after "Din kod är " in an e-mail.
fn code_in(email: &str) -> String {
    let start = email.find("Din kod är ").unwrap() + "Din kod är ".len();
    email[start..start + 6].to_owned()
}

/// An inbox whose e-mail goes to the real SMTP server when configured, else to `.eml` files;
/// with the folder the e-mails arrive in and the temp dir to keep.
async fn inbox_with_mail(purpose: &str) -> (Inbox, std::path::PathBuf, tempfile::TempDir) {
    let files = tempfile::tempdir().unwrap();
    let from = "avisering@demobrevladan.example";
    let (notification, mail_dir) = match real_smtp(purpose) {
        Some((address, maildir)) => (
            serde_json::json!({ "email_from": from, "smtp_address": address }),
            maildir,
        ),
        None => (
            serde_json::json!({ "email_from": from, "mail_dir": files.path() }),
            files.path().to_owned(),
        ),
    };
    (start_with_notification(notification).await, mail_dir, files)
}

/// Enters `address` on the settings page and returns the code that arrived there.
async fn request_code(
    browser: &Browser,
    inbox: &Inbox,
    mail_dir: &std::path::Path,
    address: &str,
) -> String {
    let token = browser.csrf_token(inbox).await;
    let entered = [("channel", "email"), ("address", address)];
    let sent = browser
        .post_form(&url(inbox, "installningar/adress"), &form(&token, &entered))
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&sent), "/installningar?skickad=1");
    let emails = emails_to(mail_dir, address);
    assert_eq!(emails.len(), 1, "one code e-mail to {address}");
    let code = code_in(&emails[0]);
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
    code
}

#[tokio::test]
async fn code_arrives_by_email_and_confirms_the_address() {
    let (inbox, mail_dir, _files) = inbox_with_mail("the confirmation code sent over SMTP").await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let address = format!("kod-{}@example.org", uuid::Uuid::new_v4().simple());
    let code = request_code(&browser, &inbox, &mail_dir, &address).await;
    let settings = inbox.store.notification_settings(&holder()).await.unwrap();
    assert!(!settings[0].is_confirmed, "not used before the code");
    store_letter(&inbox).await;
    assert!(
        inbox
            .store
            .notifications(&holder(), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let token = browser.csrf_token(&inbox).await;
    let confirm_url = url(&inbox, "installningar/bekrafta");
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = [("channel", "email"), ("code", wrong_code)];
    let answer = browser.post_form(&confirm_url, &form(&token, &wrong)).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let page = answer.text().await.unwrap();
    assert!(page.contains("Koden stämmer inte."), "{page}");
    assert!(
        page.contains("aria-describedby=\"kodtips-email kodfel-email\""),
        "{page}"
    );
    assert!(
        page.contains("<p class=\"problem\" id=\"kodfel-email\">"),
        "{page}"
    );
    let not_digits = [("channel", "email"), ("code", "12ab")];
    let answer = browser
        .post_form(&confirm_url, &form(&token, &not_digits))
        .await;
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("Koden ska vara sex siffror.")
    );

    let right = [("channel", "email"), ("code", code.as_str())];
    let answer = browser.post_form(&confirm_url, &form(&token, &right)).await;
    assert_eq!(location(&answer), "/installningar?bekraftad=1");
    let page = browser.get(&url(&inbox, "installningar?bekraftad=1")).await;
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!("{address} – Bekräftad")), "{page}");
    assert!(
        page.contains("Du får aviseringar dit från och med nu."),
        "{page}"
    );
    store_letter(&inbox).await;
    let queued = inbox.store.notifications(&holder(), 10).await.unwrap();
    assert_eq!(queued.len(), 1, "the confirmed address gets notifications");
}

#[tokio::test]
async fn settings_page_links_every_account_page_in_both_languages() {
    let files = tempfile::tempdir().unwrap();
    let inbox = start_with_notification(serde_json::json!({
        "email_from": "avisering@demobrevladan.example", "mail_dir": files.path()
    }))
    .await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let swedish = browser
        .get(&url(&inbox, "installningar"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        swedish.contains("<h2 id=\"ditt-konto\">Ditt konto</h2>"),
        "{swedish}"
    );
    for (path, words) in [
        ("avsandare", "Avsändare du tar emot från"),
        ("byt-brevlada", "Byt brevlåda"),
        ("avregistrera", "Avregistrera brevlådan"),
        ("logg", "Vem har öppnat dina brev"),
        ("export", "Ladda ner alla dina brev"),
    ] {
        let link = format!("<a href=\"/installningar/{path}\">{words}</a>");
        assert!(swedish.contains(&link), "{link}");
    }
    assert!(swedish.contains("mellan 07.00 och 21.00"));
    let english = browser
        .get(&url(&inbox, "installningar?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("Your account"), "{english}");
    assert!(english.contains("Download all your letters"), "{english}");
    assert!(
        english.contains("between 07:00 and 21:00 Swedish time"),
        "{english}"
    );
}

/// A port on 127.0.0.1 where nothing listens.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Confirms `address` through the store, as the settings page would after the right code.
async fn confirmed_directly(inbox: &Inbox, address: &str) {
    let address = NotificationAddress::Email(EmailAddress::parse(address).unwrap());
    let code = ConfirmationCode::parse("424242").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let holder = holder();
    let issued = inbox
        .store
        .issue_confirmation_code(&holder, &address, &code, now);
    assert!(matches!(issued.await.unwrap(), CodeIssue::Issued(_)));
    let channel = NotificationChannel::Email;
    let checked = inbox
        .store
        .check_confirmation_code(&holder, channel, &code, now);
    assert!(matches!(checked.await.unwrap(), CodeCheck::Confirmed(_)));
}

#[tokio::test]
async fn failing_smtp_server_leads_to_retries_and_a_visible_failure() {
    let smtp_address = format!("127.0.0.1:{}", closed_port().await);
    let inbox = start_with_notification(serde_json::json!({
        "email_from": "avisering@demobrevladan.example", "smtp_address": smtp_address
    }))
    .await;
    confirmed_directly(&inbox, "anna@example.org").await;
    store_letter(&inbox).await;
    let worker = inbox.service.notifications();
    let first = worker.run_once_at(noon()).await.unwrap();
    assert_eq!((first.claimed, first.failed), (1, 1));
    let outbox = inbox.store.notifications(&holder(), 10).await.unwrap();
    assert_eq!(
        (outbox[0].attempts, outbox[0].status),
        (1, NotificationStatus::Pending)
    );
    assert_eq!(
        outbox[0].next_attempt_at,
        noon() + time::Duration::minutes(1)
    );
    let too_early = worker
        .run_once_at(noon() + time::Duration::seconds(59))
        .await
        .unwrap();
    assert_eq!(too_early.claimed, 0, "back-off");
    let second = worker
        .run_once_at(noon() + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(second.failed, 1);
    let outbox = inbox.store.notifications(&holder(), 10).await.unwrap();
    assert_eq!(outbox[0].attempts, 2);
    assert_eq!(
        outbox[0].next_attempt_at,
        noon() + time::Duration::minutes(3),
        "doubled"
    );

    check_failure_shown(&inbox).await;
}

/// The settings page shows the failed notification, and a code that cannot be sent.
async fn check_failure_shown(inbox: &Inbox) {
    let browser = new_browser();
    browser.log_in(inbox, 0, "login").await;
    let page = browser
        .get(&url(inbox, "installningar"))
        .await
        .text()
        .await
        .unwrap()
        .replace('\n', " ");
    assert!(page.contains("Aviseringar som inte kom fram"), "{page}");
    assert!(
        page.contains("E-post (anna@example.org), om brev från Exempelkommun."),
        "{page}"
    );
    assert!(
        page.contains("Vi kom inte fram till e-postservern."),
        "{page}"
    );
    assert!(page.contains("Vi försöker igen"), "{page}");
    assert!(
        !page.contains("Alla aviseringar har kommit fram."),
        "{page}"
    );

    let token = browser.csrf_token(inbox).await;
    let entered = [("channel", "email"), ("address", "bo@example.org")];
    let answer = browser
        .post_form(&url(inbox, "installningar/adress"), &form(&token, &entered))
        .await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = answer.text().await.unwrap();
    assert!(
        page.contains("Vi kunde inte skicka koden just nu."),
        "{page}"
    );
    assert!(page.contains("aria-describedby=\"fel-email\""), "{page}");
    assert!(
        page.contains("value=\"bo@example.org\""),
        "the entry is kept: {page}"
    );
}

/// The code in an SMS: the six digits after ": ".
fn code_in_sms(text: &str) -> String {
    let start = text.find(": ").unwrap() + 2;
    text[start..start + 6].to_owned()
}

#[tokio::test]
async fn code_goes_by_sms_a_new_one_replaces_it_and_sends_are_bounded_per_day() {
    let (gateway_url, received) = super::sms_gateway().await;
    let files = tempfile::tempdir().unwrap();
    let inbox = start_with_notification(serde_json::json!({
        "email_from": "avisering@demobrevladan.example",
        "mail_dir": files.path(),
        "sms_gateway_url": gateway_url,
    }))
    .await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let token = browser.csrf_token(&inbox).await;
    let entered = [("channel", "sms"), ("address", "+46701234567")];
    let address_url = url(&inbox, "installningar/adress");
    let sent = browser
        .post_form(&address_url, &form(&token, &entered))
        .await;
    assert_eq!(location(&sent), "/installningar?skickad=1");
    let resend_url = url(&inbox, "installningar/ny-kod");
    let again = browser
        .post_form(&resend_url, &form(&token, &[("channel", "sms")]))
        .await;
    assert_eq!(location(&again), "/installningar?skickad=1");
    let texts: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|body| body["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(texts[0].starts_with("Din kod för avisering från Demobrevlådan: "));
    let (first, second) = (code_in_sms(&texts[0]), code_in_sms(&texts[1]));
    let confirm_url = url(&inbox, "installningar/bekrafta");
    if first != second {
        let old = [("channel", "sms"), ("code", first.as_str())];
        let answer = browser.post_form(&confirm_url, &form(&token, &old)).await;
        assert_eq!(
            answer.status(),
            StatusCode::BAD_REQUEST,
            "a new code replaces the old"
        );
    }
    let new = [("channel", "sms"), ("code", second.as_str())];
    let answer = browser.post_form(&confirm_url, &form(&token, &new)).await;
    assert_eq!(location(&answer), "/installningar?bekraftad=1");

    let unchanged = browser
        .post_form(&address_url, &form(&token, &entered))
        .await;
    assert_eq!(
        location(&unchanged),
        "/installningar?sparat=1",
        "in use: no new code"
    );
    let other = [("channel", "sms"), ("address", "+46701234568")];
    for _ in 2..CONFIRMATION_CODES_PER_DAY_MAX {
        let sent = browser.post_form(&address_url, &form(&token, &other)).await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    }
    let refused = browser.post_form(&address_url, &form(&token, &other)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Vi har skickat så många koder i dag som vi får."),
        "{page}"
    );
    assert!(
        page.contains("aria-describedby=\"tips-sms fel-sms\""),
        "{page}"
    );
    let sent_total = received.lock().unwrap().len();
    assert_eq!(sent_total, CONFIRMATION_CODES_PER_DAY_MAX as usize);
}

#[tokio::test]
async fn operator_configured_without_sending_hours_notifies_at_once_in_the_evening() {
    let files = tempfile::tempdir().unwrap();
    let inbox = start_with_notification(serde_json::json!({
        "email_from": "avisering@demobrevladan.example",
        "mail_dir": files.path(),
        "keeps_sending_hours": false,
    }))
    .await;
    confirmed_directly(&inbox, "demo@example.org").await;
    store_letter(&inbox).await;
    store_letter(&inbox).await;
    let evening = super::swedish_time(1, 22, 30);
    let round = inbox
        .service
        .notifications()
        .run_once_at(evening)
        .await
        .unwrap();
    assert_eq!(
        (round.sent, round.messages, round.postponed),
        (2, 1, 0),
        "{round:?}"
    );
    assert_eq!(emails_to(files.path(), "demo@example.org").len(), 1);
}
