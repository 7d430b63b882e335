//! The whole path of a letter to an in-test operator: what arrives verifies and reads back,
//! retries resend the same sealed delivery, faults are typed and never retried.

use kuvert_core::id::OrganisationNumber;
use kuvert_sender::{Outcome, Peer, SendError, Toolkit};
use kuvert_wire::fault::FaultCode;
use kuvert_wire::service::{self, ServiceRequest};
use kuvert_wire::{delivery, envelope};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Verifier, VerifyPolicy};

use crate::support::{self, Behaviour, INTERMEDIARY, REACHABLE, SENDER, TestServer};

/// A registry pointing at an operator with `behaviour`, and a toolkit using both.
pub(crate) async fn federation(
    behaviour: Behaviour,
) -> (
    Toolkit,
    support::SharedOperatorLog,
    [TestServer; 2],
    tempfile::TempDir,
) {
    let (operator, log) = support::start_operator(behaviour).await;
    let (registry, _) = support::start_registry(&operator.url).await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();
    (toolkit, log, [operator, registry], archive)
}

pub(crate) fn verifier() -> Verifier {
    let anchors = TrustAnchors::from_pem(support::pki().pki.organisation_ca_pem()).unwrap();
    Verifier::new(anchors, VerifyPolicy::default())
}

#[tokio::test]
async fn delivered_letter_verifies_and_reads_back_at_the_operator() {
    let (toolkit, log, _servers, _archive) = federation(Behaviour::Accept).await;
    let letter = support::letter(REACHABLE);

    let outcome = toolkit.send(&letter).await.unwrap();

    let Outcome::Delivered {
        receipt,
        operator,
        message_id,
    } = outcome
    else {
        panic!("delivered");
    };
    assert_eq!(operator, "Demobrevlådan");
    assert!(receipt.is_delivered);
    assert_eq!(receipt.recipient, letter.recipient);
    let log = log.lock().unwrap();
    assert_eq!(log.bodies.len(), 1);
    let document = envelope::parse(&log.bodies[0]).unwrap();
    let ServiceRequest::DeliverSecure(wrapper) = service::parse_request(&document).unwrap() else {
        panic!("a deliverSecure request");
    };
    let verified = verifier().verify_sealed_delivery(wrapper).unwrap();
    let intermediary = OrganisationNumber::parse(INTERMEDIARY).unwrap();
    let sender = OrganisationNumber::parse(SENDER).unwrap();
    assert_eq!(verified.sealer.organisation_number().unwrap(), intermediary);
    assert_eq!(verified.sender.organisation_number().unwrap(), sender);
    let read = delivery::read_secure_delivery(verified.signed_delivery()).unwrap();
    assert_eq!(read.message.header().subject, letter.subject);
    assert_eq!(read.message.header().id, message_id);
    assert_eq!(
        read.message.attachments()[0].content(),
        support::pdf_bytes().as_slice()
    );
    assert_eq!(read.message.body(), &letter.body);
    let seal = delivery::read_seal(wrapper).unwrap();
    assert_eq!(
        seal.received_date.date(),
        time::OffsetDateTime::now_utc().date()
    );
    assert!(seal.signatures_ok);
}

/// Sends one letter and checks that the operator saw identical requests and gave one
/// receipt, which the toolkit returned.
async fn check_retry_yields_one_receipt(behaviour: Behaviour) {
    let (toolkit, log, _servers, _archive) = federation(behaviour).await;
    let toolkit = std::sync::Arc::new(toolkit);

    // Spawned, as a mass mailing does: the toolkit and its futures are Send.
    let task = tokio::spawn(async move { toolkit.send(&support::letter(REACHABLE)).await });
    let outcome = task.await.unwrap().unwrap();

    let Outcome::Delivered {
        receipt,
        message_id,
        ..
    } = outcome
    else {
        panic!("delivered");
    };
    let log = log.lock().unwrap();
    assert_eq!(log.bodies.len(), 2, "one failed attempt and one retry");
    assert_eq!(
        log.bodies[0], log.bodies[1],
        "the retry resends the same sealed delivery"
    );
    assert_eq!(log.receipts.len(), 1);
    assert_eq!(log.receipts[0].0, message_id.as_str());
    assert_eq!(log.receipts[0].1, receipt.trans_id);
}

#[tokio::test]
async fn deliver_retries_after_503_with_the_same_delivery() {
    check_retry_yields_one_receipt(Behaviour::Unavailable503First).await;
}

#[tokio::test]
async fn deliver_retries_after_a_dropped_connection_and_gets_the_original_receipt() {
    check_retry_yields_one_receipt(Behaviour::DropFirst).await;
}

#[tokio::test]
async fn operator_fault_is_typed_with_code_and_call_id_and_not_retried() {
    let (toolkit, log, _servers, _archive) = federation(Behaviour::Fault).await;

    let error = toolkit.send(&support::letter(REACHABLE)).await.unwrap_err();

    let log = log.lock().unwrap();
    let sent = log.fault.clone().unwrap();
    let SendError::Fault {
        peer,
        code,
        call_id,
        ..
    } = error
    else {
        panic!("a fault, not {error}");
    };
    assert_eq!(peer, Peer::Operator);
    assert_eq!(code, FaultCode::SIGNATURE_ERROR);
    assert_eq!(call_id, sent.call_id);
    assert_eq!(log.bodies.len(), 1);
}

#[tokio::test]
async fn operator_that_stays_unreachable_fails_after_the_configured_attempts() {
    let (registry, _) = support::start_registry("https://127.0.0.1:1/service/v3").await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();

    let error = toolkit.send(&support::letter(REACHABLE)).await.unwrap_err();

    assert!(
        matches!(error, SendError::OperatorUnreachable { attempts: 3, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn letter_from_an_unknown_sender_is_refused_before_any_call() {
    let (toolkit, log, _servers, _archive) = federation(Behaviour::Accept).await;
    let mut letter = support::letter(REACHABLE);
    letter.sender = OrganisationNumber::parse("2021999996").unwrap();

    let error = toolkit.send(&letter).await.unwrap_err();

    assert!(matches!(error, SendError::UnknownSender(_)), "{error}");
    assert!(log.lock().unwrap().bodies.is_empty());
}

#[tokio::test]
async fn oversized_letter_is_refused_as_invalid() {
    let (toolkit, log, _servers, _archive) = federation(Behaviour::Accept).await;
    let mut letter = support::letter(REACHABLE);
    let mut big = support::pdf_bytes();
    big.resize(2 * 1024 * 1024, b' ');
    letter.attachments = vec![kuvert_sender::pdf_attachment("stor.pdf", big).unwrap()];

    let error = toolkit.send(&letter).await.unwrap_err();

    assert!(
        matches!(error, SendError::InvalidLetter(ref inner) if inner.is_too_large()),
        "{error}"
    );
    assert!(log.lock().unwrap().bodies.is_empty());
}

#[test]
fn pdf_attachment_refuses_other_files_naming_the_field() {
    let error = kuvert_sender::pdf_attachment("brev.docx", b"PK\x03\x04".to_vec()).unwrap_err();
    assert!(
        matches!(
            error,
            SendError::InvalidInput {
                field: "attachments",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn sender_certificate_from_another_ca_is_refused_before_sealing() {
    let foreign = kuvert_pki::TestPki::generate(&kuvert_pki::PkiSpec {
        organisations: vec![kuvert_pki::OrganisationSpec {
            key: "sender".to_owned(),
            name: "Exempelkommun".to_owned(),
            number: OrganisationNumber::parse(SENDER).unwrap(),
            host_names: Vec::new(),
        }],
        persons: Vec::new(),
    })
    .unwrap();
    let foreign_dir = tempfile::tempdir().unwrap();
    foreign.write_to(foreign_dir.path()).unwrap();
    let (operator, log) = support::start_operator(Behaviour::Accept).await;
    let (registry, _) = support::start_registry(&operator.url).await;
    let archive = tempfile::tempdir().unwrap();
    let mut config = support::config(&registry.url, archive.path());
    config.senders[0].certificate_path = foreign_dir.path().join("sender.cert.pem");
    config.senders[0].key_path = foreign_dir.path().join("sender.key.pem");
    let toolkit = Toolkit::build(&config).unwrap();

    let error = toolkit.send(&support::letter(REACHABLE)).await.unwrap_err();

    assert!(
        matches!(error, SendError::SenderSignature { .. }),
        "{error}"
    );
    assert!(log.lock().unwrap().bodies.is_empty());
}

#[tokio::test]
async fn send_to_with_a_given_message_id_gets_the_original_receipt_when_sent_again() {
    let (toolkit, log, servers, _archive) = federation(Behaviour::Accept).await;
    let mut letter = support::letter(REACHABLE);
    let message_id = kuvert_core::message::MessageId::parse("beslut-2026-0042").unwrap();
    letter.message_id = Some(message_id.clone());
    let destination = kuvert_sender::Destination {
        operator_id: OrganisationNumber::parse(support::OPERATOR).unwrap(),
        operator_name: "Demobrevlådan".to_owned(),
        service_address: servers[0].url.parse().unwrap(),
    };

    let first = toolkit.send_to(&letter, &destination).await.unwrap();
    let second = toolkit.send_to(&letter, &destination).await.unwrap();

    let (
        Outcome::Delivered {
            receipt: first,
            message_id: first_id,
            ..
        },
        Outcome::Delivered {
            receipt: second, ..
        },
    ) = (first, second)
    else {
        panic!("both delivered");
    };
    assert_eq!(first_id, message_id);
    assert_eq!(first.trans_id, second.trans_id);
    assert_eq!(log.lock().unwrap().receipts.len(), 1);
}
