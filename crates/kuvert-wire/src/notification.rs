//! The Notification v3 service (PROTOCOL.md §5.5, §6.4): `distribute` and
//! `checkDistributionStatus`, and the [`NotificationDelivery`] that the operator's `notify`
//! also carries. Note the lowercase `header`/`body` of `NotificationMessage`.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{
    EMAIL_SUBJECT_CHARS_MAX, SMS_FROM_CHARS_MAX, SMS_TEXT_CHARS_MAX, UNBOUNDED_LIST_ITEMS_MAX,
};
use kuvert_core::message::{Body, EmailAddress, MessageHeader};
use roxmltree::Document;

use crate::delivery::MultiRecipientHeader;
use crate::delivery::parts::{read_body, read_message_header, write_body, write_message_header};
use crate::envelope::{BodyElement, body_child, expanded_name};
use crate::error::WireError;
use crate::ns::{NOTIFICATION2 as N2, NOTIFICATION3 as N3};
use crate::reader::Children;
use crate::types::bool_text;
use crate::values::{DistributionId, wire_enum};
use crate::writer::Writer;

wire_enum! {
    /// `ntf3:NotificationTypes`: the channel a recipient was notified through.
    NotificationChannel {
        /// SMS.
        Sms = "SMS",
        /// E-mail.
        Email = "EMail",
    }
}

/// The e-mail notice of a notification delivery (`ntf2:EmailMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailNotice {
    /// `header/From`.
    pub from: EmailAddress,
    /// `header/Subject` (at most 254 characters).
    pub subject: String,
    /// `text`.
    pub text: String,
}

/// The SMS notice of a notification delivery (`ntf2:SmsMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsNotice {
    /// `header/From` (at most 11 characters).
    pub from: String,
    /// `text` (at most 160 characters).
    pub text: String,
}

/// `ntf3:NotificationDelivery`: an unsigned, unsealed letter to 1..=1000 recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationDelivery {
    /// `Header`.
    pub header: MultiRecipientHeader,
    /// `Message/header`.
    pub message_header: MessageHeader,
    /// `Message/body`.
    pub body: Body,
    /// `EmailMessage`.
    pub email: Option<EmailNotice>,
    /// `SmsMessage`.
    pub sms: Option<SmsNotice>,
}

/// `ntf3:NotificationStatus`: whether one recipient got the letter and how they were told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationStatus {
    /// `RecipientId`.
    pub recipient: RecipientId,
    /// `DeliveryStatus/DeliveredFlag`.
    pub is_delivered: bool,
    /// `DeliveryStatus/NotifiedByChannel` (0..=2; only when delivered).
    pub channels: Vec<NotificationChannel>,
}

impl NotificationDelivery {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        self.header.write(writer, N3);
        writer.start(N3, "Message");
        writer.start(N3, "header");
        write_message_header(writer, &self.message_header);
        writer.end();
        writer.start(N3, "body");
        write_body(writer, &self.body);
        writer.end();
        writer.end();
        if let Some(email) = &self.email {
            writer.start(N3, "EmailMessage");
            writer.start(N2, "header");
            writer.leaf(N2, "From", email.from.as_str());
            writer.leaf(N2, "Subject", &email.subject);
            writer.end();
            writer.leaf(N2, "text", &email.text);
            writer.end();
        }
        if let Some(sms) = &self.sms {
            writer.start(N3, "SmsMessage");
            writer.start(N2, "header");
            writer.leaf(N2, "From", &sms.from);
            writer.end();
            writer.leaf(N2, "text", &sms.text);
            writer.end();
        }
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let header = children.nested(N3, "Header", MultiRecipientHeader::read)?;
        let (message_header, body) = children.nested(N3, "Message", |message| {
            Ok((
                message.nested(N3, "header", read_message_header)?,
                message.nested(N3, "body", read_body)?,
            ))
        })?;
        let email = children.opt_nested(N3, "EmailMessage", |email| {
            let (from, subject) = email.nested(N2, "header", |header| {
                Ok((
                    header.value(N2, "From", EmailAddress::parse)?,
                    header.value(N2, "Subject", |text| bounded(text, EMAIL_SUBJECT_CHARS_MAX))?,
                ))
            })?;
            Ok(EmailNotice {
                from,
                subject,
                text: email.text(N2, "text")?,
            })
        })?;
        let sms = children.opt_nested(N3, "SmsMessage", |sms| {
            let from = sms.nested(N2, "header", |header| {
                header.value(N2, "From", |text| bounded(text, SMS_FROM_CHARS_MAX))
            })?;
            let text = sms.value(N2, "text", |text| bounded(text, SMS_TEXT_CHARS_MAX))?;
            Ok(SmsNotice { from, text })
        })?;
        Ok(Self {
            header,
            message_header,
            body,
            email,
            sms,
        })
    }
}

impl NotificationStatus {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(N3, "RecipientId", &self.recipient.to_wire());
        writer.start(N3, "DeliveryStatus");
        writer.leaf(N3, "DeliveredFlag", bool_text(self.is_delivered));
        for channel in &self.channels {
            writer.leaf(N3, "NotifiedByChannel", channel.as_wire());
        }
        writer.end();
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let recipient = children.value(N3, "RecipientId", RecipientId::parse)?;
        let (is_delivered, channels) = children.nested(N3, "DeliveryStatus", |status| {
            Ok((
                status.boolean(N3, "DeliveredFlag")?,
                status.values(N3, "NotifiedByChannel", 2, NotificationChannel::parse)?,
            ))
        })?;
        Ok(Self {
            recipient,
            is_delivered,
            channels,
        })
    }
}

fn bounded(text: &str, max: usize) -> Result<String, String> {
    let count = text.chars().count();
    if count <= max {
        Ok(text.to_owned())
    } else {
        Err(format!("{count} characters, at most {max} allowed"))
    }
}

/// Every request the Notification service accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum NotificationRequest {
    Distribute(Box<Distribute>),
    CheckDistributionStatus(CheckDistributionStatus),
}

/// Reads an incoming Notification envelope into the request it carries.
///
/// # Errors
/// [`WireError::UnknownOperation`] for another Body child, else that operation's error.
pub fn parse_request(document: &Document<'_>) -> Result<NotificationRequest, WireError> {
    let node = body_child(document)?;
    match expanded_name(node) {
        (N3, "distribute") => Ok(NotificationRequest::Distribute(Box::new(
            Distribute::from_element(node)?,
        ))),
        (N3, "checkDistributionStatus") => Ok(NotificationRequest::CheckDistributionStatus(
            CheckDistributionStatus::from_element(node)?,
        )),
        (namespace, name) => Err(WireError::UnknownOperation {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }),
    }
}

/// `ntf3:distribute`: hand a notification delivery to an intermediary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribute {
    /// `notificationDelivery`.
    pub delivery: NotificationDelivery,
}

impl BodyElement for Distribute {
    const NAMESPACE: &'static str = N3;
    const NAME: &'static str = "distribute";

    fn write_children(&self, writer: &mut Writer) {
        self.delivery.write(writer, N3, "notificationDelivery");
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let delivery = children.nested(N3, "notificationDelivery", NotificationDelivery::read)?;
        Ok(Self { delivery })
    }
}

/// `ntf3:distributeResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributeResponse {
    /// `return`: the id to ask `checkDistributionStatus` about.
    pub distribution_id: DistributionId,
}

impl BodyElement for DistributeResponse {
    const NAMESPACE: &'static str = N3;
    const NAME: &'static str = "distributeResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(N3, "return", self.distribution_id.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            distribution_id: children.value(N3, "return", DistributionId::parse)?,
        })
    }
}

/// `ntf3:checkDistributionStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDistributionStatus {
    /// `sender`.
    pub sender: OrganisationNumber,
    /// `distributionId`.
    pub distribution_id: DistributionId,
}

impl BodyElement for CheckDistributionStatus {
    const NAMESPACE: &'static str = N3;
    const NAME: &'static str = "checkDistributionStatus";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(N3, "sender", &self.sender.to_wire());
        writer.leaf(N3, "distributionId", self.distribution_id.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            sender: children.value(N3, "sender", OrganisationNumber::parse)?,
            distribution_id: children.value(N3, "distributionId", DistributionId::parse)?,
        })
    }
}

/// `ntf3:checkDistributionStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDistributionStatusResponse {
    /// `return` (0..n).
    pub statuses: Vec<NotificationStatus>,
}

impl BodyElement for CheckDistributionStatusResponse {
    const NAMESPACE: &'static str = N3;
    const NAME: &'static str = "checkDistributionStatusResponse";

    fn write_children(&self, writer: &mut Writer) {
        for status in &self.statuses {
            status.write(writer, N3, "return");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let bounds = (0, UNBOUNDED_LIST_ITEMS_MAX);
        let statuses = children.many_nested(N3, "return", bounds, NotificationStatus::read)?;
        Ok(Self { statuses })
    }
}
