//! The parts of a letter shared by secure deliveries and notifications: the message header
//! (`msg3:MessageHeader`), body (`msg:MessageBody`), attachments, `OfficialMatter`, and the
//! sender (`sndr:Sender`), each written prefix-free and read by expanded names.

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{ATTACHMENTS_PER_MESSAGE_MAX, METADATA_ENTRIES_MAX};
use kuvert_core::message::{
    Attachment, Attention, Body, BodyContentType, EmailAddress, EventId, EventType, Language,
    MatterStatus, MatterSubject, MessageError, MessageHeader, MessageId, Metadata, MetadataTag,
    MetadataValue, OfficialMatter, OfficialMatterId, OfficialMatterIdentity, PhoneNumber,
    PrecedingEventId, ReceivedAttachment, SealDate, Sender, SenderName, Subject, SupportInfo,
    SupportText, SupportUrl,
};

use crate::error::WireError;
use crate::ns::{MESSAGE as M, MESSAGE3 as M3, OFFICIAL_MATTER3 as O3, SENDER as S};
use crate::reader::{Children, invalid};
use crate::writer::Writer;

/// Converts a core validation error into a wire error at `path`; an unsupported content type
/// keeps its own variant so servers can answer 5019 (PROTOCOL.md §6.3).
pub(crate) fn core(path: String) -> impl Fn(MessageError) -> WireError {
    move |error| {
        if error.is_unsupported_type() {
            WireError::UnsupportedContentType {
                path: path.clone(),
                reason: error.to_string(),
            }
        } else {
            invalid(&path, error)
        }
    }
}

pub(crate) fn write_sender(writer: &mut Writer, sender: &Sender, ns: &'static str) {
    writer.start(ns, "Sender");
    writer.leaf(S, "Id", &sender.id.to_wire());
    writer.leaf(S, "Name", sender.name.as_str());
    writer.opt_leaf(S, "Attention", sender.attention.as_ref());
    writer.end();
}

pub(crate) fn read_sender(children: &mut Children<'_, '_>) -> Result<Sender, WireError> {
    Ok(Sender {
        id: children.value(S, "Id", OrganisationNumber::parse)?,
        name: children.value(S, "Name", SenderName::parse)?,
        attention: children.opt_value(S, "Attention", Attention::parse)?,
    })
}

/// Writes `msg3:MessageHeader` children under an element the caller opened.
pub(crate) fn write_message_header(writer: &mut Writer, header: &MessageHeader) {
    writer.leaf(M3, "Id", header.id.as_str());
    writer.leaf(M3, "Subject", header.subject.as_str());
    let support = &header.support_info;
    writer.start(M3, "Supportinfo");
    writer.leaf(M3, "Text", support.text.as_str());
    writer.opt_leaf(M3, "URL", support.url.as_ref());
    writer.opt_leaf(M3, "PhoneNumber", support.phone.as_ref());
    writer.opt_leaf(M3, "EmailAdress", support.email.as_ref());
    writer.end();
    if let Some(matter) = &header.official_matter {
        write_official_matter(writer, matter);
    }
    for entry in &header.metadata {
        writer.start(M3, "Metadata");
        writer.leaf(M, "Tag", entry.tag.as_str());
        writer.leaf(M, "Value", entry.value.as_str());
        writer.end();
    }
    writer.leaf(M3, "Language", header.language.as_str());
}

fn write_official_matter(writer: &mut Writer, matter: &OfficialMatter) {
    writer.start(M3, "OfficialMatter");
    writer.start(M3, "OfficialMatterExtension");
    writer.leaf(O3, "Timestamp", &matter.timestamp.to_string());
    if let Some(identity) = &matter.identity {
        writer.start(O3, "Identity");
        writer.opt_leaf(O3, "EventId", identity.event_id.as_ref());
        writer.opt_leaf(O3, "OfficialMatterId", identity.official_matter_id.as_ref());
        writer.opt_leaf(O3, "PrecedingEventId", identity.preceding_event_id.as_ref());
        writer.end();
    }
    writer.opt_leaf(O3, "MatterSubject", matter.matter_subject.as_ref());
    writer.opt_leaf(O3, "EventType", matter.event_type.as_ref());
    writer.opt_leaf(
        O3,
        "MatterStatus",
        matter.matter_status.map(MatterStatus::as_str),
    );
    writer.end();
    writer.end();
}

/// Reads `msg3:MessageHeader` children. `Reply` and `ReceiptRequest` are informational
/// (PROTOCOL.md §5.6) and skipped.
pub(crate) fn read_message_header(
    children: &mut Children<'_, '_>,
) -> Result<MessageHeader, WireError> {
    let id = children.value(M3, "Id", MessageId::parse)?;
    let subject = children.value(M3, "Subject", Subject::parse)?;
    let support_info = children.nested(M3, "Supportinfo", |support| {
        Ok(SupportInfo {
            text: support.value(M3, "Text", SupportText::parse)?,
            url: support.opt_value(M3, "URL", SupportUrl::parse)?,
            phone: support.opt_value(M3, "PhoneNumber", PhoneNumber::parse)?,
            email: support.opt_value(M3, "EmailAdress", EmailAddress::parse)?,
        })
    })?;
    let official_matter = children
        .opt_nested(M3, "OfficialMatter", read_official_matter)?
        .flatten();
    let metadata = children.many_nested(M3, "Metadata", (0, METADATA_ENTRIES_MAX), |entry| {
        Ok(Metadata {
            tag: entry.value(M, "Tag", MetadataTag::parse)?,
            value: entry.value(M, "Value", MetadataValue::parse)?,
        })
    })?;
    let language = children.value(M3, "Language", Language::parse)?;
    children.opt(M3, "Reply");
    children.opt(M3, "ReceiptRequest");
    Ok(MessageHeader {
        id,
        subject,
        support_info,
        official_matter,
        metadata,
        language,
    })
}

fn read_official_matter(
    children: &mut Children<'_, '_>,
) -> Result<Option<OfficialMatter>, WireError> {
    // Foreign `xs:any` content (the other branch of the choice) carries nothing Kuvert acts on.
    let Some(extension) = children.opt(M3, "OfficialMatterExtension") else {
        while children.opt_any().is_some() {}
        return Ok(None);
    };
    let path = children.child_path("OfficialMatterExtension");
    let mut matter = Children::new(extension, &path)?;
    let timestamp = matter.value(O3, "Timestamp", SealDate::parse_timestamp)?;
    matter.skip_foreign(O3);
    let identity = matter.opt_nested(O3, "Identity", |identity| {
        Ok(OfficialMatterIdentity {
            event_id: identity.opt_value(O3, "EventId", EventId::parse)?,
            official_matter_id: identity.opt_value(
                O3,
                "OfficialMatterId",
                OfficialMatterId::parse,
            )?,
            preceding_event_id: identity.opt_value(
                O3,
                "PrecedingEventId",
                PrecedingEventId::parse,
            )?,
        })
    })?;
    let matter_subject = matter.opt_value(O3, "MatterSubject", MatterSubject::parse)?;
    let event_type = matter.opt_value(O3, "EventType", EventType::parse)?;
    let matter_status = matter.opt_value(O3, "MatterStatus", MatterStatus::parse)?;
    matter.finish()?;
    Ok(Some(OfficialMatter {
        timestamp,
        identity,
        matter_subject,
        event_type,
        matter_status,
    }))
}

/// Writes `msg:MessageBody` children: the content base64-encoded exactly once.
pub(crate) fn write_body(writer: &mut Writer, body: &Body) {
    writer.leaf(M, "ContentType", body.content_type().as_str());
    writer.leaf(M, "Body", &crate::base64_encode(body.content()));
}

pub(crate) fn read_body(children: &mut Children<'_, '_>) -> Result<Body, WireError> {
    let content_type = children.value(M, "ContentType", BodyContentType::parse)?;
    let content = children.value(M, "Body", crate::base64_decode)?;
    Body::new(content_type, content).map_err(core(children.child_path("Body")))
}

pub(crate) fn write_attachment(writer: &mut Writer, attachment: &Attachment) {
    writer.start(M3, "Attachment");
    writer.leaf(M, "ContentType", attachment.content_type().as_str());
    writer.leaf(M, "Body", &crate::base64_encode(attachment.content()));
    writer.leaf(M, "Checksum", attachment.checksum().as_str());
    writer.leaf(M, "Filename", attachment.filename().as_str());
    writer.end();
}

/// Reads every `Attachment`, checking each `Checksum` is the MD5 of the decoded body.
pub(crate) fn read_attachments(
    children: &mut Children<'_, '_>,
) -> Result<Vec<Attachment>, WireError> {
    let bounds = (0, ATTACHMENTS_PER_MESSAGE_MAX);
    children.many_nested(M3, "Attachment", bounds, |attachment| {
        let content_type = attachment.text(M, "ContentType")?;
        let content = attachment.value(M, "Body", crate::base64_decode)?;
        let checksum = attachment.text(M, "Checksum")?;
        let filename = attachment.text(M, "Filename")?;
        let computed = kuvert_core::message::Md5Checksum::of(&content);
        if !checksum.trim().eq_ignore_ascii_case(computed.as_str()) {
            return Err(WireError::ChecksumMismatch {
                path: attachment.child_path("Checksum"),
            });
        }
        let received = ReceivedAttachment {
            filename: &filename,
            content_type: &content_type,
            content: &content,
            checksum: &checksum,
        };
        Attachment::from_wire(received).map_err(core(attachment.path().to_owned()))
    })
}
