//! The Message v3 service (PROTOCOL.md §5.4), sender → intermediary: `distributeSecure` (a
//! signed delivery under the lowercase `signedDelivery`) and `checkDistributionStatus`.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::UNBOUNDED_LIST_ITEMS_MAX;
use roxmltree::{Document, Node};

use crate::delivery::rewrap_children;
use crate::envelope::{BodyElement, body_child, expanded_name, wrap_body};
use crate::error::WireError;
use crate::ns::{MESSAGE as M, MESSAGE3 as M3};
use crate::reader::{Children, read_complex};
use crate::values::{DistributionId, wire_enum};
use crate::writer::Writer;

wire_enum! {
    /// `msg:DistributionTypes`: how a letter reached its recipient.
    DistributionType {
        /// Digitally, to a mailbox.
        Digital = "Digital",
        /// On paper.
        Paper = "Paper",
        /// Not at all.
        Not = "Not",
    }
}

wire_enum! {
    /// `msg:DeliveryStatus` (the simple type).
    DistributionState {
        /// Delivered.
        Delivered = "Delivered",
        /// Still pending.
        Pending = "Pending",
        /// Delivery failed.
        DeliveryFailed = "DeliveryFailed",
    }
}

/// `msg:DistributionStatus`: one recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionStatus {
    /// `RecipientId`.
    pub recipient: RecipientId,
    /// `Type`.
    pub kind: DistributionType,
    /// `DeliveryStatus`.
    pub state: Option<DistributionState>,
}

/// The `distributeSecure` request envelope around a signed, prefix-free `SignedDelivery`,
/// whose children move under `msg3:distributeSecure/msg3:signedDelivery`.
///
/// # Errors
/// [`WireError::Xml`] or [`WireError::InvalidValue`] when the input is not one prefix-free
/// element.
pub fn distribute_secure_request(signed_delivery_xml: &str) -> Result<String, WireError> {
    let mut writer = Writer::new();
    writer.start(M3, "distributeSecure");
    rewrap_children(signed_delivery_xml, &mut writer, (M3, "signedDelivery"))?;
    writer.end();
    Ok(wrap_body(&writer.finish()))
}

/// Every request the Message service accepts, borrowed from the parsed document so the
/// signed delivery is verified on that same tree.
#[derive(Debug, Clone)]
pub enum MessageRequest<'a, 'input> {
    /// `distributeSecure`: the `signedDelivery` node, to verify as a `SignedDelivery`.
    DistributeSecure(Node<'a, 'input>),
    /// `checkDistributionStatus`.
    CheckDistributionStatus(CheckDistributionStatus),
}

/// Reads an incoming Message envelope into the request it carries.
///
/// # Errors
/// [`WireError::UnknownOperation`] for another Body child, else that operation's error.
pub fn parse_request<'a, 'input>(
    document: &'a Document<'input>,
) -> Result<MessageRequest<'a, 'input>, WireError> {
    let node = body_child(document)?;
    match expanded_name(node) {
        (M3, "distributeSecure") => {
            let signed = read_complex(node, "distributeSecure", |children| {
                children.one(M3, "signedDelivery")
            })?;
            Ok(MessageRequest::DistributeSecure(signed))
        }
        (M3, "checkDistributionStatus") => Ok(MessageRequest::CheckDistributionStatus(
            CheckDistributionStatus::from_element(node)?,
        )),
        (namespace, name) => Err(WireError::UnknownOperation {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }),
    }
}

/// `msg3:distributeSecureResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributeSecureResponse {
    /// `return`: the distribution id.
    pub distribution_id: DistributionId,
}

impl BodyElement for DistributeSecureResponse {
    const NAMESPACE: &'static str = M3;
    const NAME: &'static str = "distributeSecureResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(M3, "return", self.distribution_id.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            distribution_id: children.value(M3, "return", DistributionId::parse)?,
        })
    }
}

/// `msg3:checkDistributionStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDistributionStatus {
    /// `senderId`.
    pub sender: RecipientId,
    /// `distributionId`.
    pub distribution_id: DistributionId,
}

impl BodyElement for CheckDistributionStatus {
    const NAMESPACE: &'static str = M3;
    const NAME: &'static str = "checkDistributionStatus";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(M3, "senderId", &self.sender.to_wire());
        writer.leaf(M3, "distributionId", self.distribution_id.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            sender: children.value(M3, "senderId", RecipientId::parse)?,
            distribution_id: children.value(M3, "distributionId", DistributionId::parse)?,
        })
    }
}

/// `msg3:checkDistributionStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDistributionStatusResponse {
    /// `return` (0..n).
    pub statuses: Vec<DistributionStatus>,
}

impl BodyElement for CheckDistributionStatusResponse {
    const NAMESPACE: &'static str = M3;
    const NAME: &'static str = "checkDistributionStatusResponse";

    fn write_children(&self, writer: &mut Writer) {
        for status in &self.statuses {
            writer.start(M3, "return");
            writer.leaf(M, "RecipientId", &status.recipient.to_wire());
            writer.leaf(M, "Type", status.kind.as_wire());
            writer.opt_leaf(
                M,
                "DeliveryStatus",
                status.state.map(DistributionState::as_wire),
            );
            writer.end();
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let bounds = (0, UNBOUNDED_LIST_ITEMS_MAX);
        let statuses = children.many_nested(M3, "return", bounds, |status| {
            Ok(DistributionStatus {
                recipient: status.value(M, "RecipientId", RecipientId::parse)?,
                kind: status.value(M, "Type", DistributionType::parse)?,
                state: status.opt_value(M, "DeliveryStatus", DistributionState::parse)?,
            })
        })?;
        Ok(Self { statuses })
    }
}
