//! Issue 10 over mutual TLS: intake refuses every shape the schemas and the profile do not
//! allow, each with its fault and nothing stored, even when the intermediary's real key seals
//! it; and a sender and message Id are one letter, recognised by content.

use kuvert_core::message::{SealDate, SupportInfo};
use kuvert_wire::fault::FaultCode;

use crate::intake::{blob_count, fault, letters_of};
use crate::{Answer, ELSEWHERE, HERE, Harness, Letter, Mail, person, start};

const MESSAGE2: &str = "http://minameddelanden.gov.se/schema/Message/v2";

fn today() -> SealDate {
    SealDate::new(time::OffsetDateTime::now_utc().date(), None)
}

/// A forged, unsigned `SignedDelivery` with another subject, as an attacker slips it in.
fn forged_signed_delivery() -> String {
    let forged = Letter {
        subject: "Betala 9999 kr",
        ..Letter::to(HERE)
    };
    forged.unsigned()
}

/// Sends `envelope` as the intermediary and expects `code` with nothing stored.
async fn refused(harness: &Harness, envelope: String, code: FaultCode) -> String {
    let refusal = fault(harness.deliver("intermediary", envelope).await, code);
    assert_eq!(letters_of(harness, &person(HERE)).await, 0);
    assert_eq!(blob_count(harness), 0);
    refusal.description
}

#[tokio::test]
async fn deliver_secure_refuses_a_signed_delivery_in_the_soap_header() {
    let harness = start(Mail::Directory).await;
    let envelope = Letter::to(HERE).envelope().replacen(
        "<soap:Body>",
        &format!(
            "<soap:Header>{}</soap:Header><soap:Body>",
            forged_signed_delivery()
        ),
        1,
    );
    let description = refused(&harness, envelope, FaultCode::INVALID_INPUT).await;
    assert!(description.contains("SignedDelivery"), "{description}");
}

#[tokio::test]
async fn deliver_secure_refuses_a_signed_delivery_inside_the_seal() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let unsealed = letter
        .unsealed(&letter.sign(&letter.unsigned()), today())
        .replacen("<Seal>", &format!("<Seal>{}", forged_signed_delivery()), 1);
    refused(&harness, letter.seal(&unsealed), FaultCode::INVALID_INPUT).await;
}

#[tokio::test]
async fn deliver_secure_refuses_an_element_before_the_signed_delivery() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let unsealed = letter.unsealed(&letter.sign(&letter.unsigned()), today());
    let open_end = unsealed.find('>').unwrap() + 1;
    let hostile = format!(
        "{}<Note xmlns=\"{MESSAGE2}\">x</Note>{}",
        &unsealed[..open_end],
        &unsealed[open_end..]
    );
    refused(&harness, letter.seal(&hostile), FaultCode::INVALID_INPUT).await;
}

#[tokio::test]
async fn deliver_secure_refuses_a_seal_that_names_another_recipient() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let unsealed = letter
        .unsealed(&letter.sign(&letter.unsigned()), today())
        .replacen(
            "</Seal>",
            &format!("<Recipient xmlns=\"{MESSAGE2}\">{ELSEWHERE}</Recipient></Seal>"),
            1,
        );
    let description = refused(&harness, letter.seal(&unsealed), FaultCode::INVALID_INPUT).await;
    assert!(description.contains("Recipient"), "{description}");
}

#[tokio::test]
async fn deliver_secure_refuses_an_unknown_attribute_on_a_signed_element() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let unsigned = letter
        .unsigned()
        .replacen("<Delivery>", "<Delivery note=\"x\">", 1);
    let envelope = letter.seal(&letter.unsealed(&letter.sign(&unsigned), today()));
    refused(&harness, envelope, FaultCode::INVALID_INPUT).await;
}

#[tokio::test]
async fn deliver_secure_refuses_an_attribute_past_its_bound() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let id = "x".repeat(kuvert_core::limits::XML_ATTRIBUTE_BYTES_MAX + 1);
    let unsigned = letter.unsigned().replacen(
        "<SignedDelivery ",
        &format!("<SignedDelivery Id=\"{id}\" "),
        1,
    );
    let envelope = letter.seal(&letter.unsealed(&letter.sign(&unsigned), today()));
    refused(&harness, envelope, FaultCode::MAX_EXCEEDED).await;
}

#[tokio::test]
async fn deliver_secure_returns_the_original_receipt_for_a_resealed_resend() {
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let signed = letter.sign(&letter.unsigned());
    let first = letter.seal(&letter.unsealed(&signed, today()));
    let yesterday = SealDate::new(today().date().previous_day().unwrap(), None);
    let resealed = letter.seal(&letter.unsealed(&signed, yesterday));
    assert_ne!(first, resealed);
    let Answer::Receipt(_, original) = harness.deliver("intermediary", first).await else {
        panic!("first delivery refused");
    };
    let Answer::Receipt(_, again) = harness.deliver("intermediary", resealed).await else {
        panic!("a re-sealed resend of the same letter is refused");
    };
    assert_eq!(original, again);
    assert_eq!(letters_of(&harness, &person(HERE)).await, 1);
    assert_eq!(blob_count(&harness), 1);
}

#[tokio::test]
async fn deliver_secure_refuses_other_content_under_a_stored_message_id() {
    // Issue 10 item 2: this once returned the first letter's receipt, naming its recipient.
    let harness = start(Mail::Directory).await;
    let letter = Letter::to(HERE);
    let Answer::Receipt(first, _) = harness.deliver("intermediary", letter.envelope()).await else {
        panic!("first delivery refused");
    };
    let trans_id = first.receipt.trans_id.as_str().to_owned();
    let other_subject = Letter {
        subject: "Betala 9999 kr",
        ..letter.clone()
    };
    let other_support = Letter {
        support_info: Some(SupportInfo {
            text: kuvert_core::message::SupportText::parse("Ring någon annan").unwrap(),
            url: None,
            phone: None,
            email: None,
        }),
        ..letter.clone()
    };
    for other in [other_subject, other_support] {
        let answer = harness.deliver("intermediary", other.envelope()).await;
        let refusal = fault(answer, FaultCode::OBJECT_ALREADY_EXISTS);
        for secret in [HERE, trans_id.as_str(), letter.subject] {
            assert!(
                !refusal.description.contains(secret),
                "{}",
                refusal.description
            );
        }
    }
    assert_eq!(letters_of(&harness, &person(HERE)).await, 1);
    assert_eq!(blob_count(&harness), 1);
}
