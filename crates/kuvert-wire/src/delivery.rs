//! The letter on the wire (PROTOCOL.md §6.1, §9.3): building the unsigned `SignedDelivery` and
//! `SealedDelivery` in the prefix-free form that is signed, and reading a `SecureDelivery`
//! back from the SAME parsed tree its signature was verified on.
//!
//! [`read_verified`] and [`SealedDocument`] (module `verified`) are the one reader of a
//! sealed delivery: the one path to it, the profile's shape checks, both signatures, and the
//! letter read from the nodes that verified. [`read_secure_delivery`] reads the letter from a
//! node a caller already verified (`distributeSecure`, tests).

use kuvert_core::id::RecipientId;
use kuvert_core::message::{
    Attention, CorrelationId, DeliveryHeader, Reference, Seal, SealDate, SecureDelivery,
    SecureMessage,
};
use roxmltree::Node;

use crate::envelope::expanded_name;
use crate::error::WireError;
use crate::ns::{MESSAGE as M, MESSAGE2 as M2, MESSAGE3 as M3, XMLDSIG};
use crate::reader::{Children, invalid, read_complex};
use crate::types::bool_text;
use crate::writer::Writer;

pub(crate) mod parts;
mod signed;
mod strict;
mod verified;

pub use signed::{SignedDocument, VerifiedSignedLetter};
pub use verified::{
    LetterError, Party, SealedDocument, VerifiedLetter, judged_at, parse_stored, read_verified,
};

use parts::{
    core, read_attachments, read_body, read_message_header, read_sender, write_attachment,
    write_body, write_message_header, write_sender,
};

/// The unsigned `msg3:SignedDelivery` of a letter: prefix-free, compact, in XSD order, with
/// body and attachments base64-encoded once and each attachment's `Checksum` the uppercase
/// MD5 of its bytes. The sender signs this element (enveloped signature appended last).
#[must_use]
pub fn unsigned_signed_delivery(delivery: &SecureDelivery) -> String {
    let mut writer = Writer::new();
    writer.start(M3, "SignedDelivery");
    writer.start(M3, "Delivery");
    write_delivery_header(&mut writer, &delivery.header);
    let message = &delivery.message;
    writer.start(M3, "Message");
    writer.start(M3, "Header");
    write_message_header(&mut writer, message.header());
    writer.end();
    writer.start(M3, "Body");
    write_body(&mut writer, message.body());
    writer.end();
    for attachment in message.attachments() {
        write_attachment(&mut writer, attachment);
    }
    writer.end();
    writer.end();
    writer.end();
    writer.finish()
}

/// The unsigned `msg3:SealedDelivery`: the signed delivery byte for byte, then the `Seal`.
/// The intermediary signs this element.
#[must_use]
pub fn unsigned_sealed_delivery(signed_delivery_xml: &str, seal: &Seal) -> String {
    let mut writer = Writer::new();
    writer.start(M3, "SealedDelivery");
    writer.raw(signed_delivery_xml);
    writer.start(M3, "Seal");
    writer.leaf(M, "ReceivedTime", &seal.received_date.to_string());
    writer.leaf(M, "SignaturesOK", bool_text(seal.signatures_ok));
    writer.end();
    writer.end();
    writer.finish()
}

/// Reads the letter from a `SignedDelivery` element (any element whose children are
/// `msg3:Delivery` and the sender's `ds:Signature`, such as `distributeSecure/signedDelivery`).
///
/// # Errors
/// A [`WireError`] naming the first element that does not fit: more than one `Message`
/// ([`WireError::TooMany`]), an attachment whose `Checksum` is not its MD5
/// ([`WireError::ChecksumMismatch`]), or any value the message model rejects.
pub fn read_secure_delivery(signed_delivery: Node<'_, '_>) -> Result<SecureDelivery, WireError> {
    let (_, root_name) = expanded_name(signed_delivery);
    read_complex(signed_delivery, root_name, |children| {
        let delivery = children.nested(M3, "Delivery", read_delivery)?;
        children.opt(XMLDSIG, "Signature");
        Ok(delivery)
    })
}

/// Reads the `Seal` from a `SealedDelivery` element or its `deliverSecure` stand-in.
///
/// # Errors
/// [`WireError::MissingElement`] or [`WireError::InvalidValue`] for a malformed seal.
pub fn read_seal(sealed_delivery: Node<'_, '_>) -> Result<Seal, WireError> {
    let (_, root_name) = expanded_name(sealed_delivery);
    let mut children = Children::new(sealed_delivery, root_name)?;
    children.one(M3, "SignedDelivery")?;
    let seal = read_seal_element(children.one(M3, "Seal")?)?;
    children.opt(XMLDSIG, "Signature");
    children.finish()?;
    Ok(seal)
}

/// Reads a `Seal` element: `ReceivedTime`, `SignaturesOK`, nothing else.
pub(crate) fn read_seal_element(seal: Node<'_, '_>) -> Result<Seal, WireError> {
    read_complex(seal, "Seal", |seal| {
        let received_date = seal.value(M, "ReceivedTime", SealDate::parse)?;
        let signatures_ok = seal.boolean(M, "SignaturesOK")?;
        Ok(Seal {
            received_date,
            signatures_ok,
        })
    })
}

/// The `msg3:SignedDelivery` child of a `SealedDelivery` element or its stand-in.
///
/// # Errors
/// [`WireError::MissingElement`] when the first child is not a `SignedDelivery`.
pub fn signed_delivery_of<'a, 'input>(
    sealed_delivery: Node<'a, 'input>,
) -> Result<Node<'a, 'input>, WireError> {
    let (_, root_name) = expanded_name(sealed_delivery);
    Children::new(sealed_delivery, root_name)?.one(M3, "SignedDelivery")
}

fn read_delivery(children: &mut Children<'_, '_>) -> Result<SecureDelivery, WireError> {
    let header = children.nested(M3, "Header", read_delivery_header)?;
    let messages = children.many(M3, "Message", usize::MAX)?;
    let path = children.child_path("Message");
    let node = match messages.as_slice() {
        [] => return Err(WireError::MissingElement { path }),
        [node] => *node,
        more => {
            return Err(WireError::TooMany {
                path,
                count: more.len(),
                max: 1,
            });
        }
    };
    let message = read_complex(node, &path, |message| {
        let header = message.nested(M3, "Header", read_message_header)?;
        let body = message.nested(M3, "Body", read_body)?;
        let attachments = read_attachments(message)?;
        SecureMessage::new(header, body, attachments).map_err(core(message.path().to_owned()))
    })?;
    Ok(SecureDelivery { header, message })
}

fn write_delivery_header(writer: &mut Writer, header: &DeliveryHeader) {
    writer.start(M3, "Header");
    write_sender(writer, &header.sender, M2);
    writer.leaf(M2, "Recipient", &header.recipient.to_wire());
    writer.opt_leaf(M2, "Reference", header.reference.as_ref());
    let correlation = header.correlation_id.as_ref();
    writer.opt_leaf(M2, "CorrelationId", correlation);
    writer.opt_leaf(M2, "Attention", header.attention.as_ref());
    writer.end();
}

fn read_delivery_header(children: &mut Children<'_, '_>) -> Result<DeliveryHeader, WireError> {
    Ok(DeliveryHeader {
        sender: children.nested(M2, "Sender", read_sender)?,
        recipient: children.value(M2, "Recipient", RecipientId::parse)?,
        reference: children.opt_value(M2, "Reference", Reference::parse)?,
        correlation_id: children.opt_value(M2, "CorrelationId", CorrelationId::parse)?,
        attention: children.opt_value(M2, "Attention", Attention::parse)?,
    })
}

/// Moves the children of a prefix-free element (a signed `SealedDelivery`) under a new
/// wrapper, declaring each moved child's namespace on it so nothing changes meaning.
///
/// # Errors
/// [`WireError::Xml`] when `element_xml` is not one well-formed element.
pub(crate) fn rewrap_children(
    element_xml: &str,
    writer: &mut Writer,
    wrapper: (&'static str, &'static str),
) -> Result<(), WireError> {
    let document = crate::envelope::parse(element_xml)?;
    let root = document.root_element();
    let id = root.attribute("Id");
    writer.start_with_id(wrapper.0, wrapper.1, id);
    for child in root.children() {
        if !child.is_element() {
            let is_blank = child.text().is_none_or(|text| text.trim().is_empty());
            if !is_blank {
                return Err(invalid(wrapper.1, "text between sealed delivery children"));
            }
            continue;
        }
        let source = &element_xml[child.range()];
        let start_tag_end = source.find('>').unwrap_or(source.len());
        let local_name = child.tag_name().name();
        let is_prefix_free = source.get(1..).is_some_and(|rest| {
            rest.starts_with(local_name) && rest[local_name.len()..].starts_with([' ', '>', '/'])
        });
        if !is_prefix_free {
            return Err(invalid(
                wrapper.1,
                "sealed delivery is not in the prefix-free form",
            ));
        }
        let declares_default = source[..start_tag_end].contains(" xmlns=\"");
        if declares_default {
            writer.raw(source);
        } else {
            let name_end = 1 + local_name.len();
            let namespace = child.tag_name().namespace().unwrap_or("");
            let mut declared = String::with_capacity(source.len() + namespace.len() + 10);
            declared.push_str(&source[..name_end]);
            declared.push_str(" xmlns=\"");
            declared.push_str(namespace);
            declared.push('"');
            declared.push_str(&source[name_end..]);
            writer.raw(&declared);
        }
    }
    writer.end();
    Ok(())
}

/// `msg:DeliveryHeader`: the header of a notification or forward, for 1..=1000 recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiRecipientHeader {
    /// `Sender`.
    pub sender: kuvert_core::message::Sender,
    /// `Recipient` (1..=1000).
    pub recipients: Vec<RecipientId>,
    /// `Reference`.
    pub reference: Option<Reference>,
    /// `CorrelationId`.
    pub correlation_id: Option<CorrelationId>,
    /// `Attention`.
    pub attention: Option<Attention>,
}

impl MultiRecipientHeader {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str) {
        writer.start(namespace, "Header");
        write_sender(writer, &self.sender, M);
        for recipient in &self.recipients {
            writer.leaf(M, "Recipient", &recipient.to_wire());
        }
        writer.opt_leaf(M, "Reference", self.reference.as_ref());
        let correlation = self.correlation_id.as_ref();
        writer.opt_leaf(M, "CorrelationId", correlation);
        writer.opt_leaf(M, "Attention", self.attention.as_ref());
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let max = kuvert_core::limits::NOTIFY_RECIPIENTS_MAX;
        let sender = children.nested(M, "Sender", read_sender)?;
        let recipients = children.values(M, "Recipient", max, RecipientId::parse)?;
        if recipients.is_empty() {
            return Err(WireError::MissingElement {
                path: children.child_path("Recipient"),
            });
        }
        Ok(Self {
            sender,
            recipients,
            reference: children.opt_value(M, "Reference", Reference::parse)?,
            correlation_id: children.opt_value(M, "CorrelationId", CorrelationId::parse)?,
            attention: children.opt_value(M, "Attention", Attention::parse)?,
        })
    }
}
