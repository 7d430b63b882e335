//! The outbox worker: a stored letter's notification goes out by e-mail (file transport, or a
//! real SMTP server when `KUVERT_TEST_SMTP` is set) in TERMS.md words, never with the letter's
//! subject; failures are recorded; a recipient without addresses gets nothing. Several letters
//! within an hour make one summary; a letter in the evening waits for 07:00 Swedish time.
//! Rounds run at chosen times ([`noon`], [`swedish_time`]) so the tests do not depend on the
//! hour they run at. The settings page's codes and failures are in `notification/settings.rs`.

use kuvert_core::limits::SMS_TEXT_CHARS_MAX;
use kuvert_operator::notification::FailureReason;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel,
    NotificationStatus,
};

use time::OffsetDateTime;

use crate::intake::confirm_email;
use crate::{Answer, HERE, Harness, Letter, Mail, person, start, start_with};

mod settings;

const SUBJECT_MARK: &str = "BN-4711";

/// `hour:minute` Swedish time, `days` days from today (Europe/Stockholm).
pub(crate) fn swedish_time(days: u32, hour: i8, minute: i8) -> OffsetDateTime {
    let zone = &*kuvert_core::calendar::STOCKHOLM;
    let mut date = jiff::Timestamp::now()
        .to_zoned_datetime(zone.clone())
        .date();
    for _ in 0..days {
        date = date.tomorrow().unwrap();
    }
    let stamp = zone.to_timestamp(date.at(hour, minute, 0, 0)).unwrap();
    OffsetDateTime::from_unix_timestamp_nanos(stamp.as_nanosecond()).unwrap()
}

/// Tomorrow at noon, Swedish time: within the sending hours and after every letter a test
/// stores now.
pub(crate) fn noon() -> OffsetDateTime {
    swedish_time(1, 12, 0)
}

/// The e-mails that arrived for `address`: `.eml` files in `directory`, or the real SMTP
/// server's Maildir.
pub(crate) fn emails_to(directory: &std::path::Path, address: &str) -> Vec<String> {
    ["", "new", "cur"]
        .iter()
        .flat_map(|folder| files_in(&directory.join(folder)))
        .filter(|text| text.contains(address))
        .collect()
}

/// Real SMTP and its Maildir when `KUVERT_TEST_SMTP` and `KUVERT_TEST_SMTP_MAILDIR` are set.
pub(crate) fn real_smtp(purpose: &str) -> Option<(String, std::path::PathBuf)> {
    let smtp = kuvert_testenv::external("SMTP", purpose)?;
    let maildir = kuvert_testenv::external_path("SMTP_MAILDIR", purpose)?;
    Some((smtp, maildir))
}

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
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| std::fs::read_to_string(path).unwrap())
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
    let round = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
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
    let again = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
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
    let round = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
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
        .issue_confirmation_code(&recipient, &number, &code, now)
        .await
        .and_then(CodeIssue::into_issued)
        .unwrap();
    store
        .check_confirmation_code(&recipient, NotificationChannel::Sms, &code, now)
        .await
        .and_then(CodeCheck::into_confirmed)
        .unwrap();
    deliver_one(&harness).await;
    let round = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
    assert_eq!((round.claimed, round.sent, round.failed), (1, 0, 1));
    let outbox = store.notifications(&recipient, 10).await.unwrap();
    assert_eq!(outbox[0].attempts, 1);
    assert_eq!(outbox[0].status, NotificationStatus::Pending);
    let error = outbox[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("no sms gateway"), "{error}");
    assert_eq!(
        FailureReason::of_stored(&error),
        FailureReason::NoSmsGateway
    );
}

#[tokio::test]
async fn run_once_sends_nothing_to_recipient_without_addresses() {
    let harness = start(Mail::Directory).await;
    deliver_one(&harness).await;
    let round = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
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
        .issue_confirmation_code(&recipient, &number, &code, now)
        .await
        .and_then(CodeIssue::into_issued)
        .unwrap();
    let channel = NotificationChannel::Sms;
    store
        .check_confirmation_code(&recipient, channel, &code, now)
        .await
        .and_then(CodeCheck::into_confirmed)
        .unwrap();
    deliver_one(&harness).await;
    let round = harness
        .service
        .notifications()
        .run_once_at(noon())
        .await
        .unwrap();
    assert_eq!((round.claimed, round.sent, round.failed), (1, 1, 0));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["to"], "+46701234567");
    let text = received[0]["text"].as_str().unwrap();
    assert!(text.contains("Nytt brev från Exempelkommun"), "{text}");
    assert!(text.contains("https://demobrevladan.example/"), "{text}");
    assert!(!text.contains(SUBJECT_MARK), "{text}");
    assert!(text.chars().count() <= SMS_TEXT_CHARS_MAX);
}

#[tokio::test]
async fn summary_for_three_letters_within_an_hour_is_one_email() {
    let smtp = real_smtp("a summary e-mail sent over SMTP");
    let harness = match &smtp {
        Some((address, _)) => start(Mail::Smtp(address.clone())).await,
        None => start(Mail::Directory).await,
    };
    let mail_dir = smtp.map_or_else(|| harness.mail_dir.clone(), |(_, maildir)| maildir);
    let address = format!(
        "sammanfattning-{}@example.org",
        uuid::Uuid::new_v4().simple()
    );
    confirm_email(&harness, &person(HERE), &address).await;
    for _ in 0..3 {
        deliver_one(&harness).await;
    }
    let worker = harness.service.notifications();
    let round = worker.run_once_at(noon()).await.unwrap();
    assert_eq!(
        (round.claimed, round.sent, round.messages),
        (3, 3, 1),
        "{round:?}"
    );
    let emails = emails_to(&mail_dir, &address);
    assert_eq!(emails.len(), 1, "one e-mail for three letters");
    let email = &emails[0];
    assert!(
        email.contains("Du har fått 3 nya brev från Exempelkommun."),
        "{email}"
    );
    assert!(
        email.contains("You have 3 new letters from Exempelkommun."),
        "{email}"
    );
    assert!(!email.contains(SUBJECT_MARK), "names a subject: {email}");

    deliver_one(&harness).await;
    let within_the_hour = noon() + time::Duration::minutes(10);
    let round = worker.run_once_at(within_the_hour).await.unwrap();
    assert_eq!(
        (round.claimed, round.postponed, round.sent),
        (1, 1, 0),
        "{round:?}"
    );
    let after_the_hour = noon() + time::Duration::hours(1);
    let round = worker.run_once_at(after_the_hour).await.unwrap();
    assert_eq!((round.sent, round.messages), (1, 1), "{round:?}");
    let emails = emails_to(&mail_dir, &address);
    assert_eq!(emails.len(), 2);
    assert!(
        emails
            .iter()
            .any(|email| email.contains("ett nytt brev från Exempelkommun"))
    );
}

#[tokio::test]
async fn letter_arriving_at_22_30_is_sent_at_07_00() {
    let harness = start(Mail::Directory).await;
    let address = format!("kvall-{}@example.org", uuid::Uuid::new_v4().simple());
    confirm_email(&harness, &person(HERE), &address).await;
    deliver_one(&harness).await;
    let worker = harness.service.notifications();
    let evening = worker.run_once_at(swedish_time(1, 22, 30)).await.unwrap();
    assert_eq!(
        (evening.claimed, evening.postponed, evening.sent),
        (1, 1, 0)
    );
    let outbox = harness
        .service
        .store()
        .notifications(&person(HERE), 10)
        .await
        .unwrap();
    assert_eq!(outbox[0].next_attempt_at, swedish_time(2, 7, 0));
    assert_eq!(outbox[0].attempts, 0, "waiting is not an attempt");
    let early = worker.run_once_at(swedish_time(2, 6, 59)).await.unwrap();
    assert_eq!(early.claimed, 0);
    assert!(emails_to(&harness.mail_dir, &address).is_empty());
    let morning = worker.run_once_at(swedish_time(2, 7, 0)).await.unwrap();
    assert_eq!((morning.claimed, morning.sent), (1, 1));
    assert_eq!(emails_to(&harness.mail_dir, &address).len(), 1);
}
