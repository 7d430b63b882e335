//! The outbox worker: a stored letter's notification goes out by e-mail (file transport, or a
//! real SMTP server when `KUVERT_TEST_SMTP` is set) in TERMS.md words, never with the letter's
//! subject; failures are recorded; a recipient without addresses gets nothing.

use kuvert_store::operator::{
    ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel, NotificationStatus,
};

use crate::intake::confirm_email;
use crate::{Answer, HERE, Harness, Letter, Mail, person, start, start_with};

const SUBJECT_MARK: &str = "BN-4711";

async fn deliver_one(harness: &Harness) {
    let answer = harness
        .deliver("intermediary", Letter::to(HERE).envelope())
        .await;
    assert!(
        matches!(answer, Answer::Receipt(..)),
        "delivery refused: {answer:?}"
    );
}

fn files_in(directory: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    entries
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect()
}

#[track_caller]
fn check_email(text: &str, address: &str) {
    assert!(text.contains(address), "not addressed to {address}");
    assert!(
        text.contains("Du har fått ett nytt brev från Exempelkommun."),
        "{text}"
    );
    assert!(
        text.contains("digitala brevlåda hos Demobrevlådan"),
        "{text}"
    );
    assert!(
        text.contains("You have a new letter from Exempelkommun."),
        "{text}"
    );
    assert!(
        text.contains("e-legitimation på https://demobrevladan.example/"),
        "{text}"
    );
    assert!(
        !text.contains(SUBJECT_MARK),
        "the e-mail names the letter's subject: {text}"
    );
    assert!(
        !text.contains("Här är beslutet"),
        "the e-mail holds the letter's body: {text}"
    );
}

#[tokio::test]
async fn run_once_writes_notification_email_without_the_letter() {
    let harness = start(Mail::Directory).await;
    let address = format!("mottagare-{}@example.org", uuid::Uuid::new_v4().simple());
    confirm_email(&harness, &person(HERE), &address).await;
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once().await.unwrap();
    let outbox = harness
        .service
        .store()
        .notifications(&person(HERE), 10)
        .await
        .unwrap();
    let error = outbox[0].last_error.clone();
    assert_eq!(
        (round.claimed, round.sent, round.failed),
        (1, 1, 0),
        "{error:?}"
    );
    let emails = files_in(&harness.mail_dir);
    assert_eq!(emails.len(), 1);
    check_email(&emails[0], &address);
    let outbox = harness
        .service
        .store()
        .notifications(&person(HERE), 10)
        .await
        .unwrap();
    assert_eq!(outbox[0].status, NotificationStatus::Sent);
    let again = harness.service.notifications().run_once().await.unwrap();
    assert_eq!(again.claimed, 0);
}

#[tokio::test]
async fn run_once_sends_notification_through_real_smtp_server() {
    let Some(smtp) = kuvert_testenv::external("SMTP", "a notification e-mail sent over SMTP")
    else {
        return;
    };
    let Some(maildir) = kuvert_testenv::external_path("SMTP_MAILDIR", "the e-mail that arrived")
    else {
        return;
    };
    let harness = start(Mail::Smtp(smtp)).await;
    let address = format!("mottagare-{}@example.org", uuid::Uuid::new_v4().simple());
    confirm_email(&harness, &person(HERE), &address).await;
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once().await.unwrap();
    let outbox = harness
        .service
        .store()
        .notifications(&person(HERE), 10)
        .await
        .unwrap();
    let error = outbox[0].last_error.clone();
    assert_eq!((round.sent, round.failed), (1, 0), "{error:?}");
    let arrived: Vec<String> = ["new", "cur"]
        .iter()
        .flat_map(|folder| files_in(&maildir.join(folder)))
        .filter(|text| text.contains(&address))
        .collect();
    assert_eq!(
        arrived.len(),
        1,
        "exactly one e-mail to {address} in {}",
        maildir.display()
    );
    check_email(&arrived[0], &address);
}

#[tokio::test]
async fn run_once_records_failure_when_no_sms_gateway_is_configured() {
    let harness = start(Mail::Directory).await;
    let store = harness.service.store();
    let recipient = person(HERE);
    let code = ConfirmationCode::parse("4711").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let number = NotificationAddress::Sms(MobileNumber::parse("+46701234567").unwrap());
    store
        .set_notification_address(&recipient, number, code.clone(), now)
        .await
        .unwrap();
    store
        .confirm_notification_address(&recipient, NotificationChannel::Sms, &code, now)
        .await
        .unwrap();
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once().await.unwrap();
    assert_eq!((round.claimed, round.sent, round.failed), (1, 0, 1));
    let outbox = store.notifications(&recipient, 10).await.unwrap();
    assert_eq!(outbox[0].attempts, 1);
    assert_eq!(outbox[0].status, NotificationStatus::Pending);
    let error = outbox[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("no sms gateway"), "{error}");
}

#[tokio::test]
async fn run_once_sends_nothing_to_recipient_without_addresses() {
    let harness = start(Mail::Directory).await;
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once().await.unwrap();
    assert_eq!((round.claimed, round.sent, round.failed), (0, 0, 0));
    assert!(files_in(&harness.mail_dir).is_empty());
}

/// An SMS gateway on 127.0.0.1:0 that keeps every JSON body it is sent.
async fn sms_gateway() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use axum::routing::post;
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = std::sync::Arc::clone(&received);
    let router = axum::Router::new().route(
        "/sms",
        post(
            move |axum::Json(body): axum::Json<serde_json::Value>| async move {
                kept.lock().unwrap().push(body);
                "queued"
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received)
}

#[tokio::test]
async fn run_once_sends_sms_through_the_gateway_without_the_letter() {
    let (url, received) = sms_gateway().await;
    let harness = start_with(Mail::Directory, Some(url)).await;
    let store = harness.service.store();
    let recipient = person(HERE);
    let code = ConfirmationCode::parse("4711").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let number = NotificationAddress::Sms(MobileNumber::parse("+46701234567").unwrap());
    store
        .set_notification_address(&recipient, number, code.clone(), now)
        .await
        .unwrap();
    let channel = NotificationChannel::Sms;
    store
        .confirm_notification_address(&recipient, channel, &code, now)
        .await
        .unwrap();
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once().await.unwrap();
    assert_eq!((round.claimed, round.sent, round.failed), (1, 1, 0));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["to"], "+46701234567");
    let text = received[0]["text"].as_str().unwrap();
    assert!(text.contains("nytt brev från Exempelkommun"), "{text}");
    assert!(text.contains("https://demobrevladan.example/"), "{text}");
    assert!(!text.contains(SUBJECT_MARK), "{text}");
    assert!(text.chars().count() <= kuvert_core::limits::SMS_TEXT_CHARS_MAX);
}
