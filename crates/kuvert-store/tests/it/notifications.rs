//! Notification settings with confirmation, and the outbox: queued with the delivery, claimed
//! in bounded batches under a lease, retried with back-off, failed after the last attempt,
//! postponed without an attempt. Codes: hashed, expiring, bounded tries and sends per day.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{
    CONFIRMATION_CODE_MINUTES_MAX, CONFIRMATION_CODE_TRIES_MAX, CONFIRMATION_CODES_PER_DAY_MAX,
    NOTIFICATION_ATTEMPTS_MAX,
};
use kuvert_core::message::EmailAddress;
use kuvert_store::StoreError;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel,
    NotificationStatus, OperatorStore,
};
use sqlx::Connection;
use time::Duration;

use crate::support::{TestDatabase, delivery, now, organisation, person};

fn email() -> NotificationAddress {
    NotificationAddress::Email(EmailAddress::parse("anna@example.se").unwrap())
}

fn sms() -> NotificationAddress {
    NotificationAddress::Sms(MobileNumber::parse("+46701234567").unwrap())
}

fn code(text: &str) -> ConfirmationCode {
    ConfirmationCode::parse(text).unwrap()
}

#[tokio::test]
async fn notification_addresses_need_the_right_code_to_be_confirmed() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(40);
        let setting = operator
            .issue_confirmation_code(&recipient, &email(), &code("1234"), now())
            .await
            .and_then(CodeIssue::into_issued)
            .unwrap();
        assert!(!setting.is_confirmed);
        let channel = NotificationChannel::Email;
        let wrong_code = code("9999");
        let wrong = operator
            .check_confirmation_code(&recipient, channel, &wrong_code, now())
            .await
            .and_then(CodeCheck::into_confirmed);
        assert!(
            matches!(wrong, Err(StoreError::Conflict { .. })),
            "{wrong:?}"
        );
        let confirmed = operator
            .check_confirmation_code(&recipient, channel, &code("1234"), now())
            .await
            .and_then(CodeCheck::into_confirmed)
            .unwrap();
        assert!(confirmed.is_confirmed);
        assert_eq!(confirmed.address, email());
        operator
            .issue_confirmation_code(&recipient, &sms(), &code("5678"), now())
            .await
            .and_then(CodeIssue::into_issued)
            .unwrap();
        let settings = operator.notification_settings(&recipient).await.unwrap();
        let channels: Vec<_> = settings.iter().map(|s| s.address.channel()).collect();
        assert_eq!(
            channels,
            [NotificationChannel::Email, NotificationChannel::Sms]
        );
        operator
            .remove_notification_address(&recipient, NotificationChannel::Sms)
            .await
            .unwrap();
        assert_eq!(
            operator
                .notification_settings(&recipient)
                .await
                .unwrap()
                .len(),
            1
        );
        let missing = operator
            .check_confirmation_code(&recipient, NotificationChannel::Sms, &code("5678"), now())
            .await
            .and_then(CodeCheck::into_confirmed);
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn deliveries_queue_notifications_only_for_confirmed_addresses() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(41);
        operator
            .issue_confirmation_code(&recipient, &email(), &code("1234"), now())
            .await
            .and_then(CodeIssue::into_issued)
            .unwrap();
        operator
            .check_confirmation_code(&recipient, NotificationChannel::Email, &code("1234"), now())
            .await
            .and_then(CodeCheck::into_confirmed)
            .unwrap();
        operator
            .issue_confirmation_code(&recipient, &sms(), &code("5678"), now())
            .await
            .and_then(CodeIssue::into_issued)
            .unwrap();
        let new = delivery(&organisation(100), "n-1", &recipient, "Beslut", now());
        let receipt = operator
            .store_delivery(new)
            .await
            .unwrap()
            .receipt()
            .unwrap()
            .clone();
        let queued = operator.notifications(&recipient, 10).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].address, email());
        assert_eq!(queued[0].delivery, receipt.delivery_id);
        assert_eq!(queued[0].status, NotificationStatus::Pending);
        assert_eq!(queued[0].sender_name.as_str(), "Skatteverket");
        test.finish().await;
    }
}

/// A recipient with a confirmed e-mail address and `count` letters, so `count` queued
/// notifications.
async fn queued(operator: &dyn OperatorStore, recipient: &RecipientId, count: u32) {
    operator
        .issue_confirmation_code(recipient, &email(), &code("1234"), now())
        .await
        .and_then(CodeIssue::into_issued)
        .unwrap();
    let channel = NotificationChannel::Email;
    operator
        .check_confirmation_code(recipient, channel, &code("1234"), now())
        .await
        .and_then(CodeCheck::into_confirmed)
        .unwrap();
    for n in 0..count {
        let message_id = format!("o-{}-{n}", recipient.to_wire());
        let new = delivery(&organisation(100), &message_id, recipient, "Brev", now());
        operator.store_delivery(new).await.unwrap();
    }
}

#[tokio::test]
async fn outbox_claims_bounded_batches_under_a_lease() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(42);
        queued(operator.as_ref(), &recipient, 3).await;
        let start = now() + Duration::seconds(1);
        let lease = Duration::minutes(5);
        let batch = operator.claim_notifications(start, 2, lease).await.unwrap();
        assert_eq!(batch.len(), 2);
        let rest = operator.claim_notifications(start, 2, lease).await.unwrap();
        assert_eq!(rest.len(), 1, "claimed notifications are leased");
        assert!(
            operator
                .claim_notifications(start, 10, lease)
                .await
                .unwrap()
                .is_empty()
        );
        let too_many = operator.claim_notifications(start, 101, lease).await;
        assert!(
            matches!(too_many, Err(StoreError::TooMany { .. })),
            "{too_many:?}"
        );

        operator
            .mark_notification_sent(batch[0].id, start)
            .await
            .unwrap();
        let after_lease = start + Duration::minutes(6);
        let again = operator
            .claim_notifications(after_lease, 10, lease)
            .await
            .unwrap();
        let ids: Vec<_> = again.iter().map(|n| n.id).collect();
        assert_eq!(ids.len(), 2);
        assert!(
            !ids.contains(&batch[0].id),
            "a sent notification is not claimed again"
        );
        let listed = operator.notifications(&recipient, 10).await.unwrap();
        let sent = listed.iter().find(|n| n.id == batch[0].id).unwrap();
        assert_eq!(
            (sent.status, sent.sent_at),
            (NotificationStatus::Sent, Some(start))
        );
        let resent = operator.mark_notification_sent(batch[0].id, start).await;
        assert!(
            matches!(resent, Err(StoreError::NotFound { .. })),
            "{resent:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn outbox_retries_with_doubling_back_off_then_gives_up() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(43);
        queued(operator.as_ref(), &recipient, 1).await;
        let start = now() + Duration::seconds(1);
        let lease = Duration::minutes(5);
        let id = operator.claim_notifications(start, 1, lease).await.unwrap()[0].id;
        let failed = operator
            .mark_notification_failed(id, "smtp 451", start)
            .await
            .unwrap();
        assert_eq!(
            (failed.attempts, failed.status),
            (1, NotificationStatus::Pending)
        );
        assert_eq!(failed.next_attempt_at, start + Duration::minutes(1));
        assert_eq!(failed.last_error.as_deref(), Some("smtp 451"));
        let second = operator
            .mark_notification_failed(id, "smtp 451", start)
            .await
            .unwrap();
        assert_eq!(second.next_attempt_at, start + Duration::minutes(2));
        assert!(
            operator
                .claim_notifications(start, 10, lease)
                .await
                .unwrap()
                .is_empty()
        );
        let due = start + Duration::minutes(2);
        assert_eq!(
            operator
                .claim_notifications(due, 10, lease)
                .await
                .unwrap()
                .len(),
            1
        );

        let mut last = second;
        for _ in 2..NOTIFICATION_ATTEMPTS_MAX {
            last = operator
                .mark_notification_failed(id, "smtp 550", start)
                .await
                .unwrap();
        }
        assert_eq!(last.attempts, NOTIFICATION_ATTEMPTS_MAX);
        assert_eq!(last.status, NotificationStatus::Failed);
        let far = start + Duration::days(30);
        assert!(
            operator
                .claim_notifications(far, 10, lease)
                .await
                .unwrap()
                .is_empty()
        );
        let late = operator.mark_notification_failed(id, "late", start).await;
        assert!(matches!(late, Err(StoreError::Conflict { .. })), "{late:?}");
        test.finish().await;
    }
}

async fn issue(
    operator: &dyn OperatorStore,
    recipient: &RecipientId,
    address: &NotificationAddress,
    code_text: &str,
    at: time::OffsetDateTime,
) -> CodeIssue {
    let code = code(code_text);
    operator
        .issue_confirmation_code(recipient, address, &code, at)
        .await
        .unwrap()
}

async fn check(
    operator: &dyn OperatorStore,
    recipient: &RecipientId,
    channel: NotificationChannel,
    code_text: &str,
    at: time::OffsetDateTime,
) -> CodeCheck {
    let code = code(code_text);
    operator
        .check_confirmation_code(recipient, channel, &code, at)
        .await
        .unwrap()
}

#[tokio::test]
async fn confirmation_code_is_kept_only_as_a_salted_hash() {
    let test = TestDatabase::all().await.remove(0);
    let operator = test.operator();
    for n in [50, 51] {
        let issued = issue(operator.as_ref(), &person(n), &email(), "123456", now()).await;
        assert!(matches!(issued, CodeIssue::Issued(_)));
    }
    let url = format!("sqlite://{}/kuvert.db", test.dir.path().display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT confirmation_code, code_hash FROM notification_settings ORDER BY recipient",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    for (plain, hash) in &rows {
        assert_eq!(plain, "");
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("123456"));
    }
    assert_ne!(
        rows[0].1, rows[1].1,
        "the same code hashes differently per mailbox"
    );
    test.finish().await;
}

#[tokio::test]
async fn confirmation_code_expires_after_thirty_minutes() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let operator = operator.as_ref();
        let channel = NotificationChannel::Email;
        let (late, in_time) = (person(52), person(53));
        issue(operator, &late, &email(), "123456", now()).await;
        issue(operator, &in_time, &email(), "123456", now()).await;
        let at_expiry = now() + Duration::minutes(CONFIRMATION_CODE_MINUTES_MAX);
        let checked = check(operator, &late, channel, "123456", at_expiry).await;
        assert_eq!(checked, CodeCheck::Expired);
        let before = at_expiry - Duration::seconds(1);
        let checked = check(operator, &in_time, channel, "123456", before).await;
        let CodeCheck::Confirmed(setting) = checked else {
            panic!("a code within its 30 minutes confirms, not {checked:?}");
        };
        assert!(setting.is_confirmed);
        assert_eq!(setting.pending_code, None);
        let settings = operator.notification_settings(&late).await.unwrap();
        assert!(
            !settings[0].is_confirmed,
            "an expired code confirms nothing"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn confirmation_code_stops_working_after_five_wrong_tries() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let operator = operator.as_ref();
        let recipient = person(54);
        let channel = NotificationChannel::Sms;
        issue(operator, &recipient, &sms(), "111111", now()).await;
        for tries_left in (0..CONFIRMATION_CODE_TRIES_MAX).rev() {
            let wrong = check(operator, &recipient, channel, "999999", now()).await;
            assert_eq!(wrong, CodeCheck::Wrong { tries_left });
        }
        let right = check(operator, &recipient, channel, "111111", now()).await;
        assert_eq!(right, CodeCheck::TriesUsedUp);
        let settings = operator.notification_settings(&recipient).await.unwrap();
        let pending = settings[0].pending_code.unwrap();
        assert_eq!(pending.wrong_tries, CONFIRMATION_CODE_TRIES_MAX);
        assert!(!settings[0].is_confirmed);

        issue(operator, &recipient, &sms(), "222222", now()).await;
        let fresh = check(operator, &recipient, channel, "222222", now()).await;
        assert!(matches!(fresh, CodeCheck::Confirmed(_)), "{fresh:?}");
        let again = check(operator, &recipient, channel, "222222", now()).await;
        assert_eq!(again, CodeCheck::NoCode, "a code works once");
        test.finish().await;
    }
}

#[tokio::test]
async fn confirmation_codes_per_channel_are_bounded_per_day() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let operator = operator.as_ref();
        let recipient = person(55);
        let start = now();
        for n in 0..CONFIRMATION_CODES_PER_DAY_MAX {
            let at = start + Duration::minutes(i64::from(n));
            let issued = issue(operator, &recipient, &email(), "123456", at).await;
            let CodeIssue::Issued(setting) = issued else {
                panic!("code {n} is within the day's bound");
            };
            assert_eq!(setting.pending_code.unwrap().codes_sent, n + 1);
        }
        let later = start + Duration::minutes(20);
        let refused = issue(operator, &recipient, &email(), "654321", later).await;
        let retry_after = start + Duration::days(1);
        assert_eq!(refused, CodeIssue::DailyLimitReached { retry_after });
        let channel = NotificationChannel::Email;
        let old = check(operator, &recipient, channel, "123456", later).await;
        assert!(
            matches!(old, CodeCheck::Confirmed(_)),
            "a refused send leaves the last code in force: {old:?}"
        );
        let sms_code = issue(operator, &recipient, &sms(), "1234", later).await;
        assert!(
            matches!(sms_code, CodeIssue::Issued(_)),
            "counted per channel"
        );
        let next_day = start + Duration::days(1);
        let issued = issue(operator, &recipient, &email(), "1234", next_day).await;
        assert!(
            matches!(issued, CodeIssue::Issued(_)),
            "a new day, new codes"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn new_address_is_unconfirmed_until_its_code_and_gets_no_notifications() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(56);
        queued(operator.as_ref(), &recipient, 0).await;
        let resent = issue(operator.as_ref(), &recipient, &email(), "4321", now()).await;
        let CodeIssue::Issued(setting) = resent else {
            panic!("within the bound");
        };
        assert!(
            setting.is_confirmed,
            "a new code to the confirmed address keeps it"
        );
        let other = NotificationAddress::Email(EmailAddress::parse("bo@example.se").unwrap());
        let changed = issue(operator.as_ref(), &recipient, &other, "4321", now()).await;
        let CodeIssue::Issued(setting) = changed else {
            panic!("within the bound");
        };
        assert!(!setting.is_confirmed);
        let new = delivery(&organisation(100), "u-1", &recipient, "Beslut", now());
        operator.store_delivery(new).await.unwrap();
        let queued = operator.notifications(&recipient, 10).await.unwrap();
        assert!(queued.is_empty(), "{queued:?}");
        test.finish().await;
    }
}

#[tokio::test]
async fn postponed_notifications_wait_without_an_attempt_and_last_sent_is_kept() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(57);
        let channel = NotificationChannel::Email;
        queued(operator.as_ref(), &recipient, 2).await;
        let never = operator.last_notification_sent_at(&recipient, channel);
        assert_eq!(never.await.unwrap(), None);
        let start = now() + Duration::seconds(1);
        let lease = Duration::minutes(5);
        let claimed = operator
            .claim_notifications(start, 10, lease)
            .await
            .unwrap();
        let ids: Vec<_> = claimed.iter().map(|n| n.id).collect();
        let morning = start + Duration::hours(8);
        operator
            .postpone_notifications(&ids, morning)
            .await
            .unwrap();
        let early = morning - Duration::seconds(1);
        let before = operator
            .claim_notifications(early, 10, lease)
            .await
            .unwrap();
        assert!(before.is_empty(), "postponed, and the lease is gone");
        let due = operator
            .claim_notifications(morning, 10, lease)
            .await
            .unwrap();
        assert_eq!(due.len(), 2);
        assert!(
            due.iter()
                .all(|n| n.attempts == 0 && n.last_attempt_at.is_none())
        );
        operator
            .mark_notification_sent(due[0].id, morning)
            .await
            .unwrap();
        let failed = operator.mark_notification_failed(due[1].id, "smtp", morning);
        assert_eq!(failed.await.unwrap().last_attempt_at, Some(morning));
        let last = operator.last_notification_sent_at(&recipient, channel);
        assert_eq!(last.await.unwrap(), Some(morning));
        let sms_last = operator.last_notification_sent_at(&recipient, NotificationChannel::Sms);
        assert_eq!(sms_last.await.unwrap(), None);
        test.finish().await;
    }
}
