//! `deliverSecure` end to end over mutual TLS: the accepted path with its durable effects, the
//! retry, and each refusal with its MM fault code.

use kuvert_core::id::RecipientId;
use kuvert_core::message::EmailAddress;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, Folder, MailboxQuery, NotificationAddress,
    NotificationChannel,
};
use kuvert_wire::fault::{Fault, FaultCode};
use tower::ServiceExt as _;

use crate::{
    Answer, DESELECTED, ELSEWHERE, ENVELOPE_BYTES_MAX, HERE, Harness, Letter, Mail, UNKNOWN_SENDER,
    client, foreign_pki, person, pki, read_answer, start,
};

#[track_caller]
pub(crate) fn fault(answer: Answer, code: FaultCode) -> Fault {
    match answer {
        Answer::Fault(fault) => {
            assert_eq!(fault.code, code, "{}", fault.description);
            assert!(fault.call_id.as_str().len() >= 20);
            *fault
        }
        Answer::Receipt(_, text) => panic!("expected fault {code}, got a receipt: {text}"),
    }
}

/// Gives `recipient` a confirmed e-mail address, so a delivery queues one notification.
pub(crate) async fn confirm_email(harness: &Harness, recipient: &RecipientId, address: &str) {
    let store = harness.service.store();
    let code = ConfirmationCode::parse("4711").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let address = NotificationAddress::Email(EmailAddress::parse(address).unwrap());
    store
        .issue_confirmation_code(recipient, &address, &code, now)
        .await
        .and_then(CodeIssue::into_issued)
        .unwrap();
    store
        .check_confirmation_code(recipient, NotificationChannel::Email, &code, now)
        .await
        .and_then(CodeCheck::into_confirmed)
        .unwrap();
}

pub(crate) async fn letters_of(harness: &Harness, recipient: &RecipientId) -> u64 {
    let query = MailboxQuery {
        recipient: recipient.clone(),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page: 0,
        page_size: 10,
    };
    harness.service.store().letters(&query).await.unwrap().total
}

pub(crate) fn blob_count(harness: &Harness) -> usize {
    match std::fs::read_dir(harness.blob_dir.join("deliveries")) {
        Ok(entries) => entries.filter(|entry| entry.is_ok()).count(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn deliver_secure_stores_letter_and_queues_notification_before_receipt() {
    let harness = start(Mail::Directory).await;
    let recipient = person(HERE);
    confirm_email(&harness, &recipient, "mottagare@example.org").await;
    let answer = harness
        .deliver("intermediary", Letter::to(HERE).envelope())
        .await;
    let Answer::Receipt(response, _) = answer else {
        panic!("expected a receipt: {answer:?}")
    };
    assert!(response.receipt.is_delivered);
    assert_eq!(response.receipt.recipient, recipient);
    assert!(uuid::Uuid::parse_str(response.receipt.trans_id.as_str()).is_ok());
    assert_eq!(letters_of(&harness, &recipient).await, 1);
    assert_eq!(blob_count(&harness), 1);
    let outbox = harness
        .service
        .store()
        .notifications(&recipient, 10)
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].sender_name.as_str(), "Exempelkommun");
}

#[tokio::test]
async fn deliver_secure_returns_original_receipt_when_retried() {
    let harness = start(Mail::Directory).await;
    let recipient = person(HERE);
    confirm_email(&harness, &recipient, "mottagare@example.org").await;
    let envelope = Letter::to(HERE).envelope();
    let Answer::Receipt(_, first) = harness.deliver("intermediary", envelope.clone()).await else {
        panic!("first delivery refused");
    };
    let Answer::Receipt(_, second) = harness.deliver("intermediary", envelope).await else {
        panic!("retry refused");
    };
    assert_eq!(first, second);
    assert_eq!(letters_of(&harness, &recipient).await, 1);
    assert_eq!(blob_count(&harness), 1);
    assert_eq!(
        harness
            .service
            .store()
            .notifications(&recipient, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn deliver_secure_rejects_unknown_sender() {
    let harness = start(Mail::Directory).await;
    let letter = Letter {
        sender: UNKNOWN_SENDER,
        signer: "unknown-sender",
        ..Letter::to(HERE)
    };
    let answer = harness.deliver("intermediary", letter.envelope()).await;
    fault(answer, FaultCode::UNKNOWN_SENDER);
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn deliver_secure_rejects_intermediary_not_approved_for_sender() {
    let harness = start(Mail::Directory).await;
    let letter = Letter {
        sealer: "rogue",
        ..Letter::to(HERE)
    };
    fault(
        harness.deliver("rogue", letter.envelope()).await,
        FaultCode::DISPATCHER_NOT_APPROVED,
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn deliver_secure_rejects_seal_made_by_another_than_the_caller() {
    let harness = start(Mail::Directory).await;
    let answer = harness.deliver("rogue", Letter::to(HERE).envelope()).await;
    let refused = fault(answer, FaultCode::ACCESS_DENIED);
    assert!(
        refused.description.contains("seal"),
        "{}",
        refused.description
    );
}

#[tokio::test]
async fn deliver_secure_rejects_recipient_at_another_operator() {
    let harness = start(Mail::Directory).await;
    let answer = harness
        .deliver("intermediary", Letter::to(ELSEWHERE).envelope())
        .await;
    let refused = fault(answer, FaultCode::OBJECT_NOT_FOUND);
    assert!(
        refused.description.contains("no active mailbox"),
        "{}",
        refused.description
    );
}

#[tokio::test]
async fn deliver_secure_rejects_sender_the_recipient_deselected() {
    let harness = start(Mail::Directory).await;
    let answer = harness
        .deliver("intermediary", Letter::to(DESELECTED).envelope())
        .await;
    let refused = fault(answer, FaultCode::ACCESS_DENIED);
    assert!(
        refused.description.contains("does not accept"),
        "{}",
        refused.description
    );
    assert_eq!(letters_of(&harness, &person(DESELECTED)).await, 0);
}

#[tokio::test]
async fn deliver_secure_rejects_letter_changed_after_signing() {
    let harness = start(Mail::Directory).await;
    let envelope = Letter::to(HERE).envelope().replace("BN-4711", "BN-4712");
    fault(
        harness.deliver("intermediary", envelope).await,
        FaultCode::SIGNATURE_ERROR,
    );
    assert_eq!(blob_count(&harness), 0);
}

#[tokio::test]
async fn deliver_secure_rejects_unsupported_attachment_type() {
    let harness = start(Mail::Directory).await;
    let letter = Letter {
        attachment_type: Some("image/png"),
        ..Letter::to(HERE)
    };
    fault(
        harness.deliver("intermediary", letter.envelope()).await,
        FaultCode::UNSUPPORTED_MIME_TYPE,
    );
}

// Issue 11: one subject rule for every letter; the operator refuses a blank one at intake.
#[tokio::test]
async fn deliver_secure_rejects_a_blank_subject_and_stores_nothing() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let envelope = letter.envelope_edited(|unsigned| {
        let subject = format!(">{}</", letter.subject);
        assert!(unsigned.contains(&subject));
        unsigned.replace(&subject, ">  </")
    });
    let refused = fault(
        harness.deliver("intermediary", envelope).await,
        FaultCode::INVALID_INPUT,
    );
    assert!(
        refused
            .description
            .contains("Subject is empty; every letter needs one"),
        "{}",
        refused.description
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
    assert_eq!(blob_count(&harness), 0);
}

#[tokio::test]
async fn deliver_secure_rejects_envelope_over_the_bound_and_stores_nothing() {
    let harness = start(Mail::Directory).await;
    let size = usize::try_from(ENVELOPE_BYTES_MAX).unwrap() + 1;
    let envelope = format!("<x>{}</x>", "a".repeat(size));
    fault(
        harness.deliver("intermediary", envelope).await,
        FaultCode::MAX_EXCEEDED,
    );
    assert_eq!(blob_count(&harness), 0);
}

#[tokio::test]
async fn deliver_secure_rejects_malformed_xml() {
    let harness = start(Mail::Directory).await;
    let envelope = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">";
    fault(
        harness.deliver("intermediary", envelope.to_owned()).await,
        FaultCode::INVALID_INPUT,
    );
}

#[tokio::test]
async fn deliver_secure_rejects_doctype() {
    let harness = start(Mail::Directory).await;
    let envelope = Letter::to(HERE).envelope();
    let with_doctype = format!("<!DOCTYPE x [<!ENTITY e \"boom\">]>{envelope}");
    fault(
        harness.deliver("intermediary", with_doctype).await,
        FaultCode::INVALID_INPUT,
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn service_listener_refuses_client_certificate_from_foreign_ca() {
    let harness = start(Mail::Directory).await;
    let url = format!("https://{}/service/v3", harness.service_addr);
    let sent = client(foreign_pki(), Some("intermediary"))
        .post(url)
        .body(Letter::to(HERE).envelope())
        .send()
        .await;
    assert!(
        sent.is_err(),
        "a foreign client certificate got through: {sent:?}"
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn service_listener_refuses_connection_without_client_certificate() {
    let harness = start(Mail::Directory).await;
    let url = format!("https://{}/service/v3", harness.service_addr);
    let sent = client(pki(), None)
        .post(url)
        .body(Letter::to(HERE).envelope())
        .send()
        .await;
    assert!(
        sent.is_err(),
        "a connection without client certificate got through: {sent:?}"
    );
}

#[tokio::test]
async fn router_answers_access_denied_without_peer_certificate() {
    let harness = start(Mail::Directory).await;
    let request = axum::http::Request::post("/service/v3")
        .header("content-type", "text/xml; charset=utf-8")
        .body(axum::body::Body::from(Letter::to(HERE).envelope()))
        .unwrap();
    let response = harness.service.router().oneshot(request).await.unwrap();
    assert_eq!(
        response.status(),
        axum::http::StatusCode::INTERNAL_SERVER_ERROR
    );
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let answer = read_answer(std::str::from_utf8(&body).unwrap());
    fault(answer, FaultCode::ACCESS_DENIED);
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn notify_is_answered_with_not_supported_fault() {
    use kuvert_wire::delivery::MultiRecipientHeader;
    use kuvert_wire::envelope::BodyElement as _;
    use kuvert_wire::notification::NotificationDelivery;
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE).secure_delivery();
    let notify = kuvert_wire::service::Notify {
        delivery: NotificationDelivery {
            header: MultiRecipientHeader {
                sender: letter.header.sender.clone(),
                recipients: vec![person(HERE)],
                reference: None,
                correlation_id: None,
                attention: None,
            },
            message_header: letter.message.header().clone(),
            body: letter.message.body().clone(),
            email: None,
            sms: None,
        },
    };
    let answer = harness.deliver("intermediary", notify.to_envelope()).await;
    let refused = fault(answer, FaultCode::ILLEGAL_STATE);
    assert!(
        refused
            .description
            .contains("not supported by this operator"),
        "{}",
        refused.description
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
}

#[tokio::test]
async fn deliver_secure_answers_unknown_error_and_stores_nothing_when_registry_is_down() {
    // Port 1 on the loopback is never served in the test environment: the connection fails.
    let registry_url = "https://127.0.0.1:1".to_owned();
    let shutdown = kuvert_web::Shutdown::new();
    let harness = crate::start_against(registry_url, Mail::Directory, None, shutdown).await;
    let answer = harness
        .deliver("intermediary", Letter::to(HERE).envelope())
        .await;
    let refused = fault(answer, FaultCode::UNKNOWN);
    assert!(
        refused.description.contains("registry"),
        "{}",
        refused.description
    );
    assert_eq!(letters_of(&harness, &person(HERE)).await, 0);
    assert_eq!(blob_count(&harness), 0);
}
