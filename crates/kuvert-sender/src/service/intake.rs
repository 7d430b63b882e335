//! A posted letter read into the toolkit's typed [`Letter`], every problem gathered (not only
//! the first) and named by the letter's index and the rule — the same rules `kuvert check` and
//! sending apply: the core parsers, `check::check_content` (HTML, PDF) and `Toolkit::compose`
//! (script, size), and the postal address's (`PostalAddress::parse`, as `kuvert mailing`);
//! and the sender's signing certificate against the CRLs (`Toolkit::check_revocation`), so a
//! revoked sender's letter is refused at once instead of failing in the worker.
//! The stored form is the request as posted, re-serialised, so the worker
//! reads it back through this same path.

use base64::Engine as _;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{
    Body, BodyContentType, MessageId, Reference, Subject, SupportInfo, SupportText,
};
use kuvert_core::postal::PostalAddress;

use super::model::{LetterProblemJson, LetterRequest};
use crate::error::SendError;
use crate::letter::{Letter, pdf_attachment};
use crate::toolkit::Toolkit;

/// The letter posted at `index`, or everything wrong with it.
pub(crate) fn read_letter(
    toolkit: &Toolkit,
    request: &LetterRequest,
    index: usize,
    message_id: MessageId,
) -> Result<Letter, Vec<LetterProblemJson>> {
    let mut problems = Problems {
        index,
        found: Vec::new(),
    };
    let fields = read_fields(toolkit, request, &mut problems);
    let Some(fields) = fields else {
        return Err(problems.found);
    };
    for found in crate::check::check_content(&fields.body, &fields.attachments) {
        let detail = match &found.file {
            Some(file) => format!("{}: {}", file.display(), found.detail),
            None => found.detail.clone(),
        };
        problems.add(found.rule.as_str(), detail);
    }
    let letter = Letter {
        sender: fields.sender,
        recipient: fields.recipient,
        subject: fields.subject,
        body: fields.body,
        attachments: fields.attachments,
        support_info: SupportInfo {
            text: fields.support_text,
            url: None,
            phone: None,
            email: None,
        },
        message_id: Some(message_id),
        reference: fields.reference,
    };
    match toolkit
        .compose(&letter)
        .and_then(|_| toolkit.check_revocation(&letter.sender))
    {
        Ok(()) => {}
        Err(SendError::UnknownSender(sender)) => {
            problems.add("sender", format!("no signing identity for {sender}"));
        }
        Err(SendError::InvalidInput { field, reason }) => problems.add(field, reason),
        Err(SendError::InvalidLetter(error)) => problems.add("letter", error.to_string()),
        Err(error @ SendError::Revoked { .. }) => {
            problems.add("sender", kuvert_core::report::error_chain(&error));
        }
        Err(error) => problems.add("letter", kuvert_core::report::error_chain(&error)),
    }
    if problems.found.is_empty() {
        Ok(letter)
    } else {
        Err(problems.found)
    }
}

/// The problems of one letter so far.
struct Problems {
    index: usize,
    found: Vec<LetterProblemJson>,
}

impl Problems {
    /// The value, or `None` with its problem added.
    fn check<T>(&mut self, rule: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|detail| self.add(rule, detail)).ok()
    }

    fn add(&mut self, rule: &str, detail: String) {
        self.found.push(LetterProblemJson {
            letter: self.index,
            rule: rule.to_owned(),
            detail,
        });
    }
}

/// The letter's fields, each parsed.
struct Fields {
    sender: OrganisationNumber,
    recipient: RecipientId,
    subject: Subject,
    body: Body,
    attachments: Vec<kuvert_core::message::Attachment>,
    reference: Option<Reference>,
    support_text: SupportText,
}

/// Parses every field, adding a problem for each bad one; `None` when any is bad.
fn read_fields(
    toolkit: &Toolkit,
    request: &LetterRequest,
    problems: &mut Problems,
) -> Option<Fields> {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let sender = problems.check(
        "sender",
        OrganisationNumber::parse_written(&request.sender).map_err(|error| error.to_string()),
    );
    let recipient = problems.check(
        "recipient",
        RecipientId::parse_written(&request.recipient, today).map_err(|error| error.to_string()),
    );
    let subject = problems.check(
        "subject",
        Subject::parse(&request.subject).map_err(|error| error.to_string()),
    );
    let body = BodyContentType::parse(&request.body.content_type)
        .and_then(|content_type| Body::new(content_type, request.body.content.clone().into()));
    let body = problems.check("body", body.map_err(|error| error.to_string()));
    let reference = request
        .reference
        .as_deref()
        .map(Reference::parse)
        .transpose();
    let reference = problems.check("reference", reference.map_err(|error| error.to_string()));
    let support_text = problems.check(
        "support_text",
        support_text(toolkit, request, sender.as_ref()),
    );
    if let Err(detail) = read_address(request) {
        problems.add("address", detail);
    }
    let mut attachments = Vec::with_capacity(request.attachments.len());
    for attachment in &request.attachments {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&attachment.content_base64)
            .map_err(|error| format!("{}: not base64: {error}", attachment.filename));
        let read = bytes.and_then(|bytes| {
            pdf_attachment(&attachment.filename, bytes).map_err(|error| error.to_string())
        });
        attachments.extend(problems.check("attachments", read));
    }
    Some(Fields {
        sender: sender?,
        recipient: recipient?,
        subject: subject?,
        body: body?,
        attachments,
        reference: reference?,
        support_text: support_text?,
    })
}

/// The letter's postal address for its paper letter, if it gives one: the one check of
/// `kuvert mailing`'s `address` (`PostalAddress::parse`).
pub(crate) fn read_address(request: &LetterRequest) -> Result<Option<PostalAddress>, String> {
    match request.address.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => PostalAddress::parse(text)
            .map(Some)
            .map_err(|error| error.to_string()),
    }
}

/// The support text given, or the default naming the sender.
fn support_text(
    toolkit: &Toolkit,
    request: &LetterRequest,
    sender: Option<&OrganisationNumber>,
) -> Result<SupportText, String> {
    let text = match (&request.support_text, sender) {
        (Some(text), _) => text.clone(),
        (None, Some(sender)) => match toolkit.sender_name(sender) {
            Ok(name) => format!("Frågor om brevet besvarar {}.", name.as_str()),
            Err(error) => return Err(error.to_string()),
        },
        (None, None) => return Err("needs a valid sender".to_owned()),
    };
    SupportText::parse(&text).map_err(|error| error.to_string())
}
