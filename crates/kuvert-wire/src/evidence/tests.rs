//! Evidence checks against a letter signed by a sender and sealed by an intermediary, both
//! with certificates of a generated test PKI (kuvert-pki).

use kuvert_core::id::RecipientId;
use kuvert_core::message::{Receipt, Seal, SealDate, TransId};
use kuvert_xmldsig::SignatureAlgorithm;
use kuvert_xmldsig::trust::TrustAnchors;

use super::{ChainCheck, EvidenceError, verify_evidence};
use crate::delivery::LetterError;
use crate::delivery::{unsigned_sealed_delivery, unsigned_signed_delivery};
use crate::envelope::BodyElement;
use crate::service::{DeliverSecureResponse, deliver_secure_request};
use crate::testing::{INTERMEDIARY, RECIPIENT, SENDER, anchors, letter, pki, signer, today};

/// The `deliverSecure` request as the operator stores it, and a receipt for `recipient`.
fn evidence(recipient: &str, is_delivered: bool) -> (String, String) {
    let signed = signer("sender")
        .sign(
            &unsigned_signed_delivery(&letter()),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let seal = Seal {
        received_date: today(),
        signatures_ok: true,
    };
    let sealed = signer("intermediary")
        .sign(
            &unsigned_sealed_delivery(&signed, &seal),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let envelope = deliver_secure_request(&sealed).unwrap();
    let receipt = DeliverSecureResponse {
        receipt: Receipt {
            trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
            recipient: RecipientId::parse(recipient).unwrap(),
            is_delivered,
        },
    }
    .to_envelope();
    (envelope, receipt)
}

#[test]
fn evidence_reports_signer_sealer_and_letter_when_chained_to_the_ca() {
    let (envelope, receipt) = evidence(RECIPIENT, true);
    let report =
        verify_evidence(envelope.as_bytes(), receipt.as_bytes(), Some(&anchors())).unwrap();
    assert_eq!(report.signer.organisation_number.as_str(), SENDER);
    assert_eq!(report.signer.name.as_deref(), Some("Kommun A"));
    assert!(
        report.signer.subject.contains("Kommun A"),
        "{}",
        report.signer.subject
    );
    assert_eq!(report.sealer.organisation_number.as_str(), INTERMEDIARY);
    assert_eq!(report.sealer.name.as_deref(), Some("Förmedlare AB"));
    assert_eq!(report.sender.as_str(), SENDER);
    assert_eq!(report.subject.as_str(), "Beslut om bygglov");
    assert_eq!(report.message_id.as_str(), "evidence-1");
    assert_eq!(report.received_on, today());
    assert_eq!(report.receipt.recipient.to_wire(), RECIPIENT);
    assert_eq!(report.chains, ChainCheck::Checked);
}

#[test]
fn evidence_without_anchors_says_chains_were_not_checked() {
    let (envelope, receipt) = evidence(RECIPIENT, true);
    let report = verify_evidence(envelope.as_bytes(), receipt.as_bytes(), None).unwrap();
    assert_eq!(report.chains, ChainCheck::NotChecked);
    assert_eq!(report.signer.organisation_number.as_str(), SENDER);
}

#[test]
fn evidence_accepts_a_bare_sealed_delivery_document() {
    let (_, receipt) = evidence(RECIPIENT, true);
    // The same letter written as the sender toolkit's archive keeps it: the root is the
    // SealedDelivery itself.
    let signed = signer("sender")
        .sign(
            &unsigned_signed_delivery(&letter()),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let seal = Seal {
        received_date: SealDate::new(today().date(), None),
        signatures_ok: true,
    };
    let sealed = signer("intermediary")
        .sign(
            &unsigned_sealed_delivery(&signed, &seal),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let report = verify_evidence(sealed.as_bytes(), receipt.as_bytes(), Some(&anchors())).unwrap();
    assert_eq!(report.sealer.organisation_number.as_str(), INTERMEDIARY);
}

#[test]
fn evidence_fails_on_the_senders_signature_when_the_letter_changed() {
    let (envelope, receipt) = evidence(RECIPIENT, true);
    let changed = envelope.replace("Beslut om bygglov", "Beslut om bygglow");
    assert_ne!(changed, envelope);
    for anchors in [Some(anchors()), None] {
        let error =
            verify_evidence(changed.as_bytes(), receipt.as_bytes(), anchors.as_ref()).unwrap_err();
        assert!(
            matches!(
                error,
                EvidenceError::Delivery(LetterError::SenderSignature(_))
            ),
            "{error:?}"
        );
    }
}

#[test]
fn evidence_fails_on_the_seal_when_the_seal_date_changed() {
    let (envelope, receipt) = evidence(RECIPIENT, true);
    let tomorrow = SealDate::new(today().date().next_day().unwrap(), today().offset());
    let changed = envelope.replace(&today().to_string(), &tomorrow.to_string());
    assert_ne!(changed, envelope);
    let error = verify_evidence(changed.as_bytes(), receipt.as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, EvidenceError::Delivery(LetterError::Seal(_))),
        "{error:?}"
    );
    // The reader's reasons keep their own messages (issue 12: the list lives once).
    assert_eq!(error.to_string(), "the seal does not verify");
}

#[test]
fn evidence_fails_when_certificates_do_not_chain_to_the_anchors() {
    let (envelope, receipt) = evidence(RECIPIENT, true);
    let other = TrustAnchors::from_pem(pki().eid_ca_pem()).unwrap();
    let error = verify_evidence(envelope.as_bytes(), receipt.as_bytes(), Some(&other)).unwrap_err();
    assert!(
        matches!(
            error,
            EvidenceError::Delivery(LetterError::SenderSignature(_))
        ),
        "{error:?}"
    );
}

#[test]
fn evidence_fails_when_the_receipt_is_about_another_recipient() {
    let (envelope, receipt) = evidence("194107086995", true);
    let error = verify_evidence(envelope.as_bytes(), receipt.as_bytes(), None).unwrap_err();
    let EvidenceError::ReceiptMismatch { receipt, delivery } = error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (receipt.as_str(), delivery.as_str()),
        ("194107086995", RECIPIENT)
    );
}

#[test]
fn evidence_fails_when_the_receipt_says_not_delivered() {
    let (envelope, receipt) = evidence(RECIPIENT, false);
    let error = verify_evidence(envelope.as_bytes(), receipt.as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, EvidenceError::ReceiptNotDelivered),
        "{error:?}"
    );
}

#[test]
fn evidence_fails_on_a_receipt_that_is_not_one() {
    let (envelope, _) = evidence(RECIPIENT, true);
    let error = verify_evidence(envelope.as_bytes(), envelope.as_bytes(), None).unwrap_err();
    assert!(matches!(error, EvidenceError::Receipt(_)), "{error:?}");
    let error = verify_evidence(envelope.as_bytes(), b"\xff", None).unwrap_err();
    assert!(matches!(error, EvidenceError::ReceiptNotText), "{error:?}");
}

#[test]
fn evidence_fails_on_a_file_without_a_sealed_delivery() {
    let (_, receipt) = evidence(RECIPIENT, true);
    let error = verify_evidence(receipt.as_bytes(), receipt.as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, EvidenceError::NotSealedDelivery(_)),
        "{error:?}"
    );
    let error = verify_evidence(b"<a><b>", receipt.as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, EvidenceError::Delivery(LetterError::Xml(_))),
        "{error:?}"
    );
}
