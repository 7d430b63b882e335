//! The mailbox operator's Service v3 port (PROTOCOL.md §5.3): `deliverSecure`, `notify` and
//! `deliverForward`. The response of `deliverSecure` and `deliverForward` is the receipt
//! (`svc:DeliveryResult`, *kvittens*).
//!
//! `deliverSecure` carries a signed and sealed letter, so the server side returns the node of
//! the inner `svc3:deliverSecure` (the `SealedDelivery` stand-in) for verification on the same
//! tree; only then is the letter read with [`crate::delivery::read_secure_delivery`].

use kuvert_core::id::RecipientId;
use kuvert_core::message::{Body, MessageId, Receipt, Subject, TransId};
use roxmltree::{Document, Node};

use crate::delivery::parts::{read_body, write_body};
use crate::delivery::{MultiRecipientHeader, rewrap_children};
use crate::envelope::{BodyElement, body_child, expanded_name, wrap_body};
use crate::error::WireError;
use crate::notification::{NotificationDelivery, NotificationStatus};
use crate::ns::{MESSAGE as M, SERVICE as S, SERVICE3 as S3};
use crate::reader::{Children, read_complex};
use crate::types::bool_text;
use crate::writer::Writer;

/// The `deliverSecure` request envelope around a signed, sealed, prefix-free
/// `SealedDelivery`: its children move under `svc3:deliverSecure/svc3:deliverSecure`
/// (PROTOCOL.md §9.3 EMBED), each declaring its own namespace.
///
/// # Errors
/// [`WireError::Xml`] or [`WireError::InvalidValue`] when the input is not one prefix-free
/// element (a programming error upstream).
pub fn deliver_secure_request(sealed_delivery_xml: &str) -> Result<String, WireError> {
    let mut writer = Writer::new();
    writer.start(S3, "deliverSecure");
    rewrap_children(sealed_delivery_xml, &mut writer, (S3, "deliverSecure"))?;
    writer.end();
    Ok(wrap_body(&writer.finish()))
}

/// Every request the Service v3 port accepts. Borrowed from the parsed document, because the
/// signed parts must be verified on that same tree.
#[derive(Debug, Clone)]
pub enum ServiceRequest<'a, 'input> {
    /// `deliverSecure`: the inner `svc3:deliverSecure` element (children `SignedDelivery`,
    /// `Seal`, `Signature`), to verify as a `SealedDelivery`.
    DeliverSecure(Node<'a, 'input>),
    /// `notify`.
    Notify(Box<NotificationDelivery>),
    /// `deliverForward`.
    DeliverForward(Box<DeliverForward<'a, 'input>>),
}

/// Reads an incoming Service envelope into the request it carries.
///
/// # Errors
/// [`WireError::UnknownOperation`] for another Body child, else that operation's error.
pub fn parse_request<'a, 'input>(
    document: &'a Document<'input>,
) -> Result<ServiceRequest<'a, 'input>, WireError> {
    let node = body_child(document)?;
    match expanded_name(node) {
        (S3, "deliverSecure") => {
            let sealed = read_complex(node, "deliverSecure", |children| {
                children.one(S3, "deliverSecure")
            })?;
            Ok(ServiceRequest::DeliverSecure(sealed))
        }
        (S3, "notify") => {
            let delivery = read_complex(node, "notify", |children| {
                children.nested(S3, "notify", NotificationDelivery::read)
            })?;
            Ok(ServiceRequest::Notify(Box::new(delivery)))
        }
        (S3, "deliverForward") => {
            let forward = read_complex(node, "deliverForward", |children| {
                let node = children.one(S3, "forwardMessage")?;
                DeliverForward::read(node, &children.child_path("forwardMessage"))
            })?;
            Ok(ServiceRequest::DeliverForward(Box::new(forward)))
        }
        (namespace, name) => Err(WireError::UnknownOperation {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }),
    }
}

/// Declares a response whose `return` is a `svc:DeliveryResult` for one recipient.
macro_rules! receipt_response {
    ($(#[$meta:meta])* $name:ident, $element:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            /// The receipt: `TransId` and the one recipient's `Delivered`.
            pub receipt: Receipt,
        }

        impl BodyElement for $name {
            const NAMESPACE: &'static str = S3;
            const NAME: &'static str = $element;

            fn write_children(&self, writer: &mut Writer) {
                write_receipt(writer, &self.receipt);
            }

            fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
                Ok(Self { receipt: children.nested(S3, "return", read_receipt)? })
            }
        }
    };
}

receipt_response!(
    /// `svc3:deliverSecureResponse`.
    DeliverSecureResponse,
    "deliverSecureResponse"
);
receipt_response!(
    /// `svc3:deliverForwardResponse`.
    DeliverForwardResponse,
    "deliverForwardResponse"
);

fn write_receipt(writer: &mut Writer, receipt: &Receipt) {
    writer.start(S3, "return");
    writer.leaf(S, "TransId", receipt.trans_id.as_str());
    writer.start(S, "Status");
    writer.leaf(S, "RecipientId", &receipt.recipient.to_wire());
    writer.leaf(S, "Delivered", bool_text(receipt.is_delivered));
    writer.end();
    writer.end();
}

/// Reads a `DeliveryResult`; a secure delivery has one recipient, so exactly one `Status`.
fn read_receipt(children: &mut Children<'_, '_>) -> Result<Receipt, WireError> {
    let trans_id = children.value(S, "TransId", TransId::parse)?;
    let mut statuses = children.many_nested(S, "Status", (1, 1), |status| {
        Ok((
            status.value(S, "RecipientId", RecipientId::parse)?,
            status.boolean(S, "Delivered")?,
        ))
    })?;
    let (recipient, is_delivered) = statuses.remove(0);
    Ok(Receipt {
        trans_id,
        recipient,
        is_delivered,
    })
}

/// `svc3:notify`: an unsigned notification delivery to an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// The inner `svc3:notify`.
    pub delivery: NotificationDelivery,
}

impl BodyElement for Notify {
    const NAMESPACE: &'static str = S3;
    const NAME: &'static str = "notify";

    fn write_children(&self, writer: &mut Writer) {
        self.delivery.write(writer, S3, "notify");
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            delivery: children.nested(S3, "notify", NotificationDelivery::read)?,
        })
    }
}

/// `svc3:notifyResponse` (`ntf3:NotifyResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyResponse {
    /// `return/TransId`.
    pub trans_id: TransId,
    /// `return/Status` (1..n).
    pub statuses: Vec<NotificationStatus>,
}

impl BodyElement for NotifyResponse {
    const NAMESPACE: &'static str = S3;
    const NAME: &'static str = "notifyResponse";

    fn write_children(&self, writer: &mut Writer) {
        use crate::ns::NOTIFICATION3 as N3;
        writer.start(S3, "return");
        writer.leaf(N3, "TransId", self.trans_id.as_str());
        for status in &self.statuses {
            status.write(writer, N3, "Status");
        }
        writer.end();
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        use crate::ns::NOTIFICATION3 as N3;
        children.nested(S3, "return", |result| {
            let bounds = (1, kuvert_core::limits::NOTIFY_RECIPIENTS_MAX);
            Ok(Self {
                trans_id: result.value(N3, "TransId", TransId::parse)?,
                statuses: result.many_nested(N3, "Status", bounds, NotificationStatus::read)?,
            })
        })
    }
}

/// The cover note of a forward (`svc3:ForwardDelivery` without the original).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardNote {
    /// `Header`: who forwards to whom.
    pub header: MultiRecipientHeader,
    /// `Message/Subject`.
    pub subject: Subject,
    /// `Message/Body`.
    pub body: Body,
    /// `MessageIdToForward`.
    pub message_id_to_forward: Option<MessageId>,
}

/// A received `deliverForward`: the note, and the original sealed delivery's node
/// (`OrginalDelivery`) to verify on this tree.
#[derive(Debug, Clone)]
pub struct DeliverForward<'a, 'input> {
    /// The cover note.
    pub note: ForwardNote,
    /// `OrginalDelivery` (sic), a `SealedDelivery` stand-in.
    pub original: Node<'a, 'input>,
}

impl<'a, 'input> DeliverForward<'a, 'input> {
    fn read(node: Node<'a, 'input>, path: &str) -> Result<Self, WireError> {
        let mut children = Children::new(node, path)?;
        let header = children.nested(S3, "Header", MultiRecipientHeader::read)?;
        let (subject, body) = children.nested(S3, "Message", |message| {
            Ok((
                message.value(M, "Subject", Subject::parse)?,
                message.nested(M, "Body", read_body)?,
            ))
        })?;
        let original = children.one(S3, "OrginalDelivery")?;
        let message_id_to_forward =
            children.opt_value(S3, "MessageIdToForward", MessageId::parse)?;
        children.finish()?;
        let note = ForwardNote {
            header,
            subject,
            body,
            message_id_to_forward,
        };
        Ok(Self { note, original })
    }
}

/// The `deliverForward` request envelope: the note and a signed, sealed, prefix-free
/// `SealedDelivery` moved under `OrginalDelivery`.
///
/// # Errors
/// As [`deliver_secure_request`].
pub fn deliver_forward_request(
    note: &ForwardNote,
    sealed_delivery_xml: &str,
) -> Result<String, WireError> {
    let mut writer = Writer::new();
    writer.start(S3, "deliverForward");
    writer.start(S3, "forwardMessage");
    note.header.write(&mut writer, S3);
    writer.start(S3, "Message");
    writer.leaf(M, "Subject", note.subject.as_str());
    writer.start(M, "Body");
    write_body(&mut writer, &note.body);
    writer.end();
    writer.end();
    rewrap_children(sealed_delivery_xml, &mut writer, (S3, "OrginalDelivery"))?;
    let message_id = note.message_id_to_forward.as_ref();
    writer.opt_leaf(S3, "MessageIdToForward", message_id);
    writer.end();
    writer.end();
    Ok(wrap_body(&writer.finish()))
}
