//! Notification settings with confirmation, and the outbox: queued with the delivery, claimed
//! in bounded batches under a lease, retried with back-off, failed after the last attempt.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::NOTIFICATION_ATTEMPTS_MAX;
use kuvert_core::message::EmailAddress;
use kuvert_store::StoreError;
use kuvert_store::operator::{
    ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel, NotificationStatus,
    OperatorStore,
};
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
        let set = operator.set_notification_address(&recipient, email(), code("1234"), now());
        let setting = set.await.unwrap();
        assert!(!setting.is_confirmed);
        let channel = NotificationChannel::Email;
        let wrong_code = code("9999");
        let wrong = operator
            .confirm_notification_address(&recipient, channel, &wrong_code, now())
            .await;
        assert!(
            matches!(wrong, Err(StoreError::Conflict { .. })),
            "{wrong:?}"
        );
        let confirmed = operator
            .confirm_notification_address(&recipient, channel, &code("1234"), now())
            .await
            .unwrap();
        assert!(confirmed.is_confirmed);
        assert_eq!(confirmed.address, email());
        operator
            .set_notification_address(&recipient, sms(), code("5678"), now())
            .await
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
            .confirm_notification_address(
                &recipient,
                NotificationChannel::Sms,
                &code("5678"),
                now(),
            )
            .await;
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
            .set_notification_address(&recipient, email(), code("1234"), now())
            .await
            .unwrap();
        operator
            .confirm_notification_address(
                &recipient,
                NotificationChannel::Email,
                &code("1234"),
                now(),
            )
            .await
            .unwrap();
        operator
            .set_notification_address(&recipient, sms(), code("5678"), now())
            .await
            .unwrap();
        let new = delivery(&organisation(100), "n-1", &recipient, "Beslut", now());
        let receipt = operator
            .store_delivery(new)
            .await
            .unwrap()
            .receipt()
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
        .set_notification_address(recipient, email(), code("1234"), now())
        .await
        .unwrap();
    let channel = NotificationChannel::Email;
    operator
        .confirm_notification_address(recipient, channel, &code("1234"), now())
        .await
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
