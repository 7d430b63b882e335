//! A posted letter read into the toolkit's typed [`Letter`], every problem gathered (not only
//! the first) and named by the letter's index and the rule — the same rules `kuvert check` and
//! sending apply: the core parsers, `check::check_content` (HTML, PDF) and `Toolkit::compose`
//! (script, size). The stored form is the request as posted, re-serialised, so the worker
//! reads it back through this same path.

use base64::Engine as _;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{
    Body, BodyContentType, MessageId, Reference, Subject, SupportInfo, SupportText,
};

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
    let mut problems = Vec::new();
    let mut problem = |rule: &str, detail: String| {
        problems.push(LetterProblemJson {
            letter: index,
            rule: rule.to_owned(),
            detail,
        });
    };
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let sender = OrganisationNumber::parse_written(&request.sender)
        .map_err(|error| problem("sender", error.to_string()))
        .ok();
    let recipient = RecipientId::parse_written(&request.recipient, today)
        .map_err(|error| problem("recipient", error.to_string()))
        .ok();
    let subject = Subject::parse(&request.subject)
        .map_err(|error| problem("subject", error.to_string()))
        .ok();
    let body = BodyContentType::parse(&request.body.content_type)
        .and_then(|content_type| Body::new(content_type, request.body.content.clone().into()))
        .map_err(|error| problem("body", error.to_string()))
        .ok();
    let reference = request
        .reference
        .as_deref()
        .map(Reference::parse)
        .transpose()
        .map_err(|error| problem("reference", error.to_string()))
        .ok()
        .flatten();
    let mut attachments = Vec::with_capacity(request.attachments.len());
    for attachment in &request.attachments {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&attachment.content_base64)
            .map_err(|error| format!("{}: not base64: {error}", attachment.filename));
        match bytes.and_then(|bytes| {
            pdf_attachment(&attachment.filename, bytes).map_err(|error| error.to_string())
        }) {
            Ok(attachment) => attachments.push(attachment),
            Err(detail) => problem("attachments", detail),
        }
    }
    let support_text = support_text(toolkit, request, sender.as_ref())
        .map_err(|detail| problem("support_text", detail))
        .ok();
    let (Some(sender), Some(recipient), Some(subject), Some(body), Some(text)) =
        (sender, recipient, subject, body, support_text)
    else {
        return Err(problems);
    };
    for found in crate::check::check_content(&body, &attachments) {
        let rule = found.rule.as_str();
        let detail = match &found.file {
            Some(file) => format!("{}: {}", file.display(), found.detail),
            None => found.detail.clone(),
        };
        problem(rule, detail);
    }
    let letter = Letter {
        sender,
        recipient,
        subject,
        body,
        attachments,
        support_info: SupportInfo {
            text,
            url: None,
            phone: None,
            email: None,
        },
        message_id: Some(message_id),
        reference,
    };
    match toolkit.compose(&letter) {
        Ok(_) => {}
        Err(SendError::UnknownSender(sender)) => {
            problem("sender", format!("no signing identity for {sender}"));
        }
        Err(SendError::InvalidInput { field, reason }) => problem(field, reason),
        Err(SendError::InvalidLetter(error)) => problem("letter", error.to_string()),
        Err(error) => problem("letter", kuvert_core::report::error_chain(&error)),
    }
    if problems.is_empty() {
        Ok(letter)
    } else {
        Err(problems)
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
