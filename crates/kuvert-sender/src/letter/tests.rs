//! Composing a letter: the message id, the size bound and HTML bodies.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{Body, MessageId, SenderName, Subject, SupportInfo, SupportText};

use super::{Letter, compose, pdf_attachment};
use crate::error::SendError;

fn letter(body: Body) -> Letter {
    Letter {
        sender: OrganisationNumber::parse("2120000159").unwrap(),
        recipient: RecipientId::parse("191212121212").unwrap(),
        subject: Subject::parse("Kallelse").unwrap(),
        body,
        attachments: Vec::new(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss").unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        message_id: None,
        reference: None,
    }
}

fn name() -> SenderName {
    SenderName::parse("Exempelkommun").unwrap()
}

#[test]
fn compose_uses_the_given_message_id_or_a_fresh_uuid() {
    let mut given = letter(Body::plain_text("Hej".to_owned()));
    given.message_id = Some(MessageId::parse("ärende-17").unwrap());
    let delivery = compose(&given, &name()).unwrap();
    assert_eq!(delivery.message.header().id.as_str(), "ärende-17");
    assert_eq!(delivery.header.sender.name, name());

    let fresh = compose(&letter(Body::plain_text("Hej".to_owned())), &name()).unwrap();
    assert!(uuid::Uuid::parse_str(fresh.message.header().id.as_str()).is_ok());
}

#[test]
fn compose_refuses_html_with_a_script_naming_the_body() {
    let html = "<!DOCTYPE html><html><body><SCRIPT>alert(1)</SCRIPT></body></html>";
    let error = compose(&letter(Body::html(html.to_owned())), &name()).unwrap_err();
    assert!(
        matches!(error, SendError::InvalidInput { field: "body", .. }),
        "{error}"
    );
    let clean = "<!DOCTYPE html><html><body><p>Hej</p></body></html>";
    assert!(compose(&letter(Body::html(clean.to_owned())), &name()).is_ok());
}

#[test]
fn compose_refuses_a_letter_over_two_megabytes() {
    let mut big = letter(Body::plain_text("Hej".to_owned()));
    let mut content = b"%PDF-1.4\n".to_vec();
    content.resize(1_600_000, b' ');
    big.attachments = vec![pdf_attachment("a.pdf", content).unwrap()];
    let error = compose(&big, &name()).unwrap_err();
    assert!(matches!(error, SendError::InvalidLetter(ref inner) if inner.is_too_large()));
}

#[test]
fn pdf_attachment_keeps_only_the_file_name() {
    let attachment = pdf_attachment("/tmp/beslut/beslut.pdf", b"%PDF-1.7".to_vec()).unwrap();
    assert_eq!(attachment.filename().as_str(), "beslut.pdf");
}
