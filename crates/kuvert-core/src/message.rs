//! The message model: a letter (*försändelse*) as the sender builds it and the operator
//! stores it, independent of its SOAP shape (PROTOCOL.md §6).
//!
//! Composite types here derive neither `Serialize` nor `Deserialize` (STYLE.md §5):
//! `kuvert-wire` converts them to and from XML by hand. Every text is a newtype checked at
//! construction, so a built [`SecureDelivery`] fits the XSD apart from its total size, which
//! [`SecureDelivery::check_size`] bounds.

mod content;
mod error;
mod official_matter;
mod seal;
mod text;

pub use content::{
    Attachment, AttachmentContentType, Body, BodyContentType, Filename, Md5Checksum,
    ReceivedAttachment,
};
pub use error::MessageError;
pub use official_matter::{MatterStatus, OfficialMatter, OfficialMatterIdentity};
pub use seal::{Receipt, Seal, SealDate};
pub use text::{
    Attention, CorrelationId, EmailAddress, EventId, EventType, Language, MatterSubject, MessageId,
    MetadataTag, MetadataValue, OfficialMatterId, PhoneNumber, PrecedingEventId, Reference,
    SenderName, Subject, SupportText, SupportUrl, TransId,
};

use crate::id::{OrganisationNumber, RecipientId};
use crate::limits;

/// `msg3:SecureDelivery`: one letter to one recipient.
///
/// The XSD allows several `Message` elements, but every implementation sends one and a
/// receipt covers the delivery as a whole, so Kuvert's model holds exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureDelivery {
    /// `msg3:Header`: who sends to whom.
    pub header: DeliveryHeader,
    /// `msg3:Message`: the letter itself.
    pub message: SecureMessage,
}

/// `msg2:SecureDeliveryHeader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryHeader {
    /// `msg2:Sender`: the authority the letter is from.
    pub sender: Sender,
    /// `msg2:Recipient`: exactly one person or organisation.
    pub recipient: RecipientId,
    /// `msg2:Reference`: the sender's reference.
    pub reference: Option<Reference>,
    /// `msg2:CorrelationId`.
    pub correlation_id: Option<CorrelationId>,
    /// `msg2:Attention`: whom at the recipient the letter is for.
    pub attention: Option<Attention>,
}

/// `sndr:Sender`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// `sndr:Id`: the sender's organisationsnummer (`16` + 10 digits on the wire).
    pub id: OrganisationNumber,
    /// `sndr:Name`: shown to the recipient.
    pub name: SenderName,
    /// `sndr:Attention`: the unit or person at the sender.
    pub attention: Option<Attention>,
}

/// `msg3:SecureMessage`: header, body and attachments.
///
/// Fields are private so the number of attachments and metadata entries stays within
/// `limits`; read them through the getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureMessage {
    header: MessageHeader,
    body: Body,
    attachments: Vec<Attachment>,
}

/// `msg3:MessageHeader`. The informational `Reply` and `ReceiptRequest` options are not
/// modelled: no v3 operation carries a reply or a read receipt (PROTOCOL.md §5.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeader {
    /// `msg3:Id`: the sender's id of the message.
    pub id: MessageId,
    /// `msg3:Subject`.
    pub subject: Subject,
    /// `msg3:Supportinfo`: where the recipient gets help.
    pub support_info: SupportInfo,
    /// `msg3:OfficialMatter` (*kundärende*).
    pub official_matter: Option<OfficialMatter>,
    /// `msg3:Metadata`, at most `limits::METADATA_ENTRIES_MAX` (checked by
    /// [`SecureMessage::new`]).
    pub metadata: Vec<Metadata>,
    /// `msg3:Language`.
    pub language: Language,
}

/// `msg3:SupportInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportInfo {
    /// `Text`: required.
    pub text: SupportText,
    /// `URL`.
    pub url: Option<SupportUrl>,
    /// `PhoneNumber`.
    pub phone: Option<PhoneNumber>,
    /// `EmailAdress`.
    pub email: Option<EmailAddress>,
}

/// `msg:MetaData`: a tag and a value the sender attaches for the recipient's systems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `msg:Tag`.
    pub tag: MetadataTag,
    /// `msg:Value`.
    pub value: MetadataValue,
}

/// SHA-256 of a letter's canonical sender-signed content: the `SignedDelivery` in the exact
/// canonical form its signature covers (prefix-free exclusive C14N without the signature,
/// PROTOCOL.md §9.2). Kept with the [`DeliveryKey`], so a retry is recognised by content: a
/// resend that the intermediary re-sealed still has the same digest, another letter under the
/// same key has another one. `kuvert-wire` computes it from the verified tree.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentDigest([u8; 32]);

impl ContentDigest {
    /// The digest from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 lowercase or uppercase hex digits.
    pub fn parse_hex(text: &str) -> Result<Self, MessageError> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| MessageError::Malformed {
            field: "ContentDigest",
            expected: "64 hex digits",
        })?;
        Ok(Self(bytes))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for ContentDigest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "ContentDigest({})", self.to_hex())
    }
}

/// The idempotency key of a delivery: the same sender sending the same message id is the
/// same delivery, so a retried `deliverSecure` gets the original receipt.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryKey {
    /// The sender's organisationsnummer.
    pub sender: OrganisationNumber,
    /// `msg3:Header/Id`.
    pub message_id: MessageId,
}

impl SecureDelivery {
    /// The idempotency key: sender and message id.
    pub fn key(&self) -> DeliveryKey {
        DeliveryKey {
            sender: self.header.sender.id.clone(),
            message_id: self.message.header.id.clone(),
        }
    }

    /// Bytes the body and attachments take once base64-encoded (4 per 3, padded). The whole
    /// envelope is larger, so a letter over a bound here is over it on the wire too.
    pub fn estimated_bytes(&self) -> u64 {
        estimated_letter_bytes(
            self.message.body.content().len(),
            self.message
                .attachments
                .iter()
                .map(|attachment| attachment.content().len()),
        )
    }

    /// Fails with [`MessageError::TooLarge`] when [`SecureDelivery::estimated_bytes`] is
    /// over `max_bytes` (usually `limits::ENVELOPE_BYTES_DEFAULT_MAX`).
    pub fn check_size(&self, max_bytes: u64) -> Result<(), MessageError> {
        let bytes = self.estimated_bytes();
        if bytes > max_bytes {
            return Err(MessageError::TooLarge {
                bytes,
                max: max_bytes,
            });
        }
        Ok(())
    }
}

impl SecureMessage {
    /// A message; fails when attachments or metadata entries exceed their bounds
    /// (`limits::ATTACHMENTS_PER_MESSAGE_MAX`, `limits::METADATA_ENTRIES_MAX`).
    pub fn new(
        header: MessageHeader,
        body: Body,
        attachments: Vec<Attachment>,
    ) -> Result<Self, MessageError> {
        check_count(
            "Attachment",
            attachments.len(),
            limits::ATTACHMENTS_PER_MESSAGE_MAX,
        )?;
        check_count(
            "Metadata",
            header.metadata.len(),
            limits::METADATA_ENTRIES_MAX,
        )?;
        Ok(Self {
            header,
            body,
            attachments,
        })
    }

    /// The message header.
    pub fn header(&self) -> &MessageHeader {
        &self.header
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The attachments, in the order sent.
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }
}

/// Fails with [`MessageError::TooMany`] when `count` is over `max`.
fn check_count(field: &'static str, count: usize, max: usize) -> Result<(), MessageError> {
    if count > max {
        return Err(MessageError::TooMany { field, count, max });
    }
    Ok(())
}

/// [`SecureDelivery::estimated_bytes`] of a letter whose body has `body_bytes` bytes and whose
/// attachments have `attachment_bytes`, before it is composed (`kuvert check` on files).
pub fn estimated_letter_bytes(
    body_bytes: usize,
    attachment_bytes: impl IntoIterator<Item = usize>,
) -> u64 {
    attachment_bytes
        .into_iter()
        .map(base64_len)
        .fold(base64_len(body_bytes), u64::saturating_add)
}

/// Length of the padded base64 encoding of `bytes` bytes.
fn base64_len(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(3).saturating_mul(4)
}

#[cfg(test)]
mod tests;
