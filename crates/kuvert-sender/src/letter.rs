//! [`Letter`]: what a sender system hands the toolkit, and [`compose`]: turning it into the
//! core [`SecureDelivery`] (PROTOCOL.md §6.1, §11.6 step 1) with the size bound checked.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX;
use kuvert_core::message::{
    Attachment, AttachmentContentType, Body, BodyContentType, DeliveryHeader, Filename, Language,
    MessageHeader, MessageId, Reference, SecureDelivery, SecureMessage, Sender, SenderName,
    Subject, SupportInfo,
};

use crate::error::SendError;

/// One letter to one recipient, in typed values (parse at the edge: the CLI or the sender
/// system's adapter builds these).
#[derive(Debug, Clone)]
pub struct Letter {
    /// The sender (avsändare); the toolkit must hold its signing identity.
    pub sender: OrganisationNumber,
    /// The one recipient.
    pub recipient: RecipientId,
    /// `Subject`.
    pub subject: Subject,
    /// The body, `text/plain` or `text/html`.
    pub body: Body,
    /// PDF attachments, built with [`pdf_attachment`].
    pub attachments: Vec<Attachment>,
    /// Where the recipient gets help.
    pub support_info: SupportInfo,
    /// `Message/Header/Id`; a fresh UUID when `None`. Give one to make a resent letter the
    /// same delivery (the operator then returns the original receipt).
    pub message_id: Option<MessageId>,
    /// The sender's reference (`msg2:Reference`).
    pub reference: Option<Reference>,
}

/// A PDF attachment from a file name and its bytes. The name is reduced to its last path
/// component; the bytes must start with the PDF signature `%PDF-`, because operators accept
/// only `application/pdf` (PROTOCOL.md §6.3) and a mislabelled file would be refused later.
///
/// # Errors
/// [`SendError::InvalidInput`] naming `attachments` when the bytes are not a PDF or the name
/// is empty.
pub fn pdf_attachment(name: &str, content: Vec<u8>) -> Result<Attachment, SendError> {
    if !content.starts_with(b"%PDF-") {
        return Err(SendError::InvalidInput {
            field: "attachments",
            reason: format!("{} is not a PDF file", Filename::sanitise(name)),
        });
    }
    let filename = Filename::parse(&Filename::sanitise(name).to_string()).map_err(|error| {
        SendError::InvalidInput {
            field: "attachments",
            reason: error.to_string(),
        }
    })?;
    Ok(Attachment::new(
        filename,
        AttachmentContentType::Pdf,
        content,
    ))
}

/// The `SecureDelivery` for `letter` from the sender named `sender_name`: one message in
/// Swedish, the message id given or a fresh UUID, and the estimated size within
/// `ENVELOPE_BYTES_DEFAULT_MAX`.
///
/// An HTML body must not contain `<script`: operators refuse such bodies (PROTOCOL.md §6.3),
/// and it is better to learn that before signing than from a fault.
///
/// # Errors
/// [`SendError::InvalidInput`] naming `body` for a script, [`SendError::InvalidLetter`] when
/// the attachments are too many or the letter too large.
pub fn compose(letter: &Letter, sender_name: &SenderName) -> Result<SecureDelivery, SendError> {
    check_body(&letter.body)?;
    let header = DeliveryHeader {
        sender: Sender {
            id: letter.sender.clone(),
            name: sender_name.clone(),
            attention: None,
        },
        recipient: letter.recipient.clone(),
        reference: letter.reference.clone(),
        correlation_id: None,
        attention: None,
    };
    let message_header = MessageHeader {
        id: letter
            .message_id
            .clone()
            .unwrap_or_else(|| MessageId::from_uuid(uuid::Uuid::new_v4())),
        subject: letter.subject.clone(),
        support_info: letter.support_info.clone(),
        official_matter: None,
        metadata: Vec::new(),
        language: Language::swedish(),
    };
    let message = SecureMessage::new(
        message_header,
        letter.body.clone(),
        letter.attachments.clone(),
    )
    .map_err(SendError::InvalidLetter)?;
    let delivery = SecureDelivery { header, message };
    delivery
        .check_size(ENVELOPE_BYTES_DEFAULT_MAX)
        .map_err(SendError::InvalidLetter)?;
    Ok(delivery)
}

/// Refuses an HTML body with a `script` element (`kuvert_web::letter_html::has_script`).
fn check_body(body: &Body) -> Result<(), SendError> {
    if body.content_type() != BodyContentType::TextHtml {
        return Ok(());
    }
    if kuvert_web::letter_html::has_script(body.content()) {
        return Err(SendError::InvalidInput {
            field: "body",
            reason: "an HTML body must not contain a script element".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
