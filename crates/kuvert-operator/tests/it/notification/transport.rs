//! How notifications leave the operator in production (issue 16): SMTP by URL with STARTTLS
//! against a real server that requires it (`KUVERT_TEST_SMTP_TLS`, its CA in
//! `KUVERT_TEST_SMTP_TLS_CA`; skipped without them), the start-up checks of the SMTP keys, and
//! the SMS gateway's bearer token from a file.

use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel,
};

use super::{check_email, deliver_one, files_in, noon, sms_gateway};
use crate::intake::confirm_email;
use crate::{HERE, Harness, Mail, person, start};

const FROM: &str = "avisering@demobrevladan.example";

/// An operator whose e-mail goes to `smtp_url`, trusting `ca_path` when given.
async fn over_smtp(smtp_url: &str, ca_path: Option<&str>) -> Harness {
    start(Mail::Settings(serde_json::json!({
        "email_from": FROM,
        "smtp_url": smtp_url,
        "smtp_ca_path": ca_path,
    })))
    .await
}

/// One letter's notification to a fresh address through `harness`; the round's (sent, failed)
/// and the address.
async fn notify(harness: &Harness) -> ((usize, usize), String) {
    let address = format!("tls-{}@example.org", uuid::Uuid::new_v4().simple());
    confirm_email(harness, &person(HERE), &address).await;
    deliver_one(harness).await;
    let notifications = harness.service.notifications();
    let round = notifications.run_once_at(noon()).await.unwrap();
    ((round.sent, round.failed), address)
}

#[tokio::test]
async fn smtp_url_with_starttls_sends_to_a_server_that_requires_it_and_checks_its_certificate() {
    let purpose = "notification e-mail over STARTTLS";
    let Some(server) = kuvert_testenv::external("SMTP_TLS", purpose) else {
        return;
    };
    let Some(ca) = kuvert_testenv::external("SMTP_TLS_CA", purpose) else {
        return;
    };
    let Some(maildir) = kuvert_testenv::external_path("SMTP_MAILDIR", purpose) else {
        return;
    };
    let starttls = format!("smtp://{server}?tls=required");
    let harness = over_smtp(&starttls, Some(&ca)).await;
    let (round, address) = notify(&harness).await;
    assert_eq!(round, (1, 0), "sent over STARTTLS");
    let arrived: Vec<String> = ["new", "cur"]
        .iter()
        .flat_map(|folder| files_in(&maildir.join(folder)))
        .filter(|text| text.contains(&address))
        .collect();
    assert_eq!(arrived.len(), 1, "one e-mail to {address}");
    check_email(&arrived[0], &address);

    let unknown_ca = over_smtp(&starttls, None).await;
    let (round, _) = notify(&unknown_ca).await;
    assert_eq!(round, (0, 1), "a certificate from an unknown CA is refused");
    let plain = over_smtp(&format!("smtp://{server}"), None).await;
    let (round, _) = notify(&plain).await;
    assert_eq!(round, (0, 1), "the server takes no mail without STARTTLS");
}

/// The start-up error of an operator with this `notification` section.
async fn start_error(notification: serde_json::Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config_with_notification(dir.path(), notification);
    match kuvert_operator::build(config).await {
        Ok(_) => panic!("the operator started"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn smtp_settings_are_checked_at_start_naming_the_key() {
    let secrets = tempfile::tempdir().unwrap();
    let password = secrets.path().join("smtp-password");
    std::fs::write(&password, "hemligt\n").unwrap();
    let cases = [
        (
            serde_json::json!({ "smtp_url": "smtp://relay.example:587?tls=required",
                "smtp_password_file": password }),
            "invalid configuration notification.smtp_url: names no user",
        ),
        (
            serde_json::json!({ "smtp_url": "smtp://relay.example:25",
                "smtp_ca_path": password }),
            "invalid configuration notification.smtp_url: uses no TLS",
        ),
        (
            serde_json::json!({ "smtp_url": "smtp://relay.example:587?tls=required",
                "smtp_ca_path": password }),
            "invalid configuration notification.smtp_url: CA is not PEM",
        ),
        (
            serde_json::json!({ "smtp_url": "http://relay.example/" }),
            "invalid configuration notification.smtp_url: is not an SMTP URL",
        ),
        (
            serde_json::json!({ "smtp_url": "smtp://relay.example:25",
                "smtp_address": "relay.example:25" }),
            "set exactly one of smtp_address, smtp_url and mail_dir",
        ),
        (
            serde_json::json!({ "smtp_url": "smtps://kuvert@relay.example",
                "smtp_password_file": secrets.path().join("missing") }),
            "invalid configuration notification.smtp_password_file",
        ),
    ];
    for (mut section, expected) in cases {
        section["email_from"] = serde_json::json!(FROM);
        let error = start_error(section).await;
        assert!(error.contains(expected), "{error} should say {expected}");
        assert!(!error.contains("hemligt"), "{error}");
    }
    let fine = serde_json::json!({ "email_from": FROM,
        "smtp_url": "smtps://kuvert%2Bavisering@relay.example:465",
        "smtp_password_file": password });
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config_with_notification(dir.path(), fine);
    assert!(kuvert_operator::build(config).await.is_ok());
}

#[tokio::test]
async fn sms_gateway_gets_the_configured_token_as_a_bearer() {
    let (gateway_url, received) = sms_gateway().await;
    let files = tempfile::tempdir().unwrap();
    let token = files.path().join("sms-token");
    std::fs::write(&token, "  gw-token-4711\n").unwrap();
    let harness = start(Mail::Settings(serde_json::json!({
        "email_from": FROM,
        "mail_dir": files.path(),
        "sms_gateway_url": gateway_url,
        "sms_gateway_token_file": token,
    })))
    .await;
    let store = harness.service.store();
    let (recipient, now) = (person(HERE), time::OffsetDateTime::now_utc());
    let code = ConfirmationCode::parse("4711").unwrap();
    let number = NotificationAddress::Sms(MobileNumber::parse("+46701234567").unwrap());
    let issued = store.issue_confirmation_code(&recipient, &number, &code, now);
    issued.await.and_then(CodeIssue::into_issued).unwrap();
    let channel = NotificationChannel::Sms;
    let checked = store.check_confirmation_code(&recipient, channel, &code, now);
    checked.await.and_then(CodeCheck::into_confirmed).unwrap();
    deliver_one(&harness).await;
    let round = harness.service.notifications().run_once_at(noon()).await;
    assert_eq!(round.unwrap().sent, 1);
    let received = received.lock().unwrap().clone();
    assert_eq!(received[0]["authorization"], "Bearer gw-token-4711");
}
