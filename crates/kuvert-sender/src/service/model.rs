//! The sender service's JSON shapes (the stable REST format, `/api/v1/openapi.json`): what a
//! sender system posts and what it reads back. Converted by hand to and from the typed values
//! at the edge (`intake`, `api`); none of these is a domain type.

use kuvert_store::sender::{LetterRecord, StoredEvent, TimelineEvent};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// One letter to one recipient.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LetterRequest {
    /// The sender's organisation number (avsändare), one the caller may send for.
    #[schema(example = "2120000142")]
    pub(crate) sender: String,
    /// The recipient: personnummer, samordningsnummer or organisationsnummer, in any
    /// written form.
    #[schema(example = "19121212-1212")]
    pub(crate) recipient: String,
    /// The subject, not blank, at most 255 characters.
    pub(crate) subject: String,
    /// The body.
    pub(crate) body: BodyJson,
    /// PDF attachments.
    #[serde(default)]
    pub(crate) attachments: Vec<AttachmentJson>,
    /// The sender's own reference, shown with the letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<String>,
    /// Where the recipient gets help; default "Frågor om brevet besvarar <sender name>.".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) support_text: Option<String>,
    /// The postal address printed in the window of the paper letter when the recipient
    /// cannot receive it digitally: 2 to 6 lines separated by line breaks, as the `address`
    /// of `kuvert mailing`'s manifest. Without it the paper letter says "ADRESS SAKNAS".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Tolvan Tolvansson\nStorgatan 1\n123 45 Exempelstad")]
    pub(crate) address: Option<String>,
}

/// A letter as `multipart/form-data` (the OpenAPI document's shape of the form; the service
/// reads the parts into a [`LetterRequest`]).
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "only the OpenAPI document's description of the form"
)]
pub(crate) struct LetterForm {
    /// JSON: the members of the JSON letter; `body` and `attachments` may be left out here
    /// and sent as the parts below.
    letter: LetterRequest,
    /// The body as a file, UTF-8: `text/html` by its Content-Type or a `.html`/`.htm` file
    /// name, else `text/plain`. At most one.
    #[schema(value_type = Option<String>, format = Binary)]
    body: Option<Vec<u8>>,
    /// A PDF attachment, one part each (repeat the name); its file name is shown to the
    /// recipient.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    attachment: Option<Vec<Vec<u8>>>,
}

/// A mass mailing as `multipart/form-data` (the OpenAPI document's shape of the form).
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "only the OpenAPI document's description of the form"
)]
pub(crate) struct MailingForm {
    /// The sender's organisation number, one the caller may send for.
    sender: String,
    /// Where recipients get help; default "Frågor om brevet besvarar <sender name>.".
    support_text: Option<String>,
    /// The manifest `kuvert mailing` takes: a JSON array of rows (a `.json` file name or
    /// `application/json`) or CSV with a header row (`recipient`, `subject`, `body` or
    /// `body_file`, `attachments`, `reference`, `address`); at most 1 000 rows.
    #[schema(value_type = String, format = Binary)]
    manifest: Vec<u8>,
    /// A file the manifest names (`body_file`, `attachments`), by its plain file name; one
    /// part each (repeat the name).
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    file: Option<Vec<Vec<u8>>>,
}

/// A letter's body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyJson {
    /// `text/plain` or `text/html`.
    #[schema(example = "text/plain")]
    pub(crate) content_type: String,
    /// The text or HTML.
    pub(crate) content: String,
}

/// A PDF attachment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentJson {
    /// The file name shown to the recipient.
    pub(crate) filename: String,
    /// The PDF, base64 (RFC 4648 §4, with padding).
    pub(crate) content_base64: String,
}

/// Many letters, accepted together or not at all.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchRequest {
    /// The letters, at most 1 000.
    pub(crate) letters: Vec<LetterRequest>,
}

/// A letter as accepted: its id and where it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct LetterAccepted {
    /// The letter's id.
    pub(crate) id: String,
    /// `accepted`, `sealed`, `delivered`, `paper` or `failed`.
    pub(crate) state: String,
    /// The message id the letter is delivered under.
    pub(crate) message_id: String,
}

/// The letters of a batch, in the order posted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct BatchAccepted {
    /// One per letter posted.
    pub(crate) letters: Vec<LetterAccepted>,
}

/// A letter and its timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct LetterStatus {
    /// The letter's id.
    pub(crate) id: String,
    /// `accepted`, `sealed`, `delivered`, `paper` or `failed`.
    pub(crate) state: String,
    /// The sender.
    pub(crate) sender: String,
    /// The message id the letter is delivered under.
    pub(crate) message_id: String,
    /// Its events, oldest first.
    pub(crate) timeline: Vec<EventJson>,
}

/// One event of a letter's timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct EventJson {
    /// Its place in the feed: events are numbered by one sequence across all letters.
    pub(crate) sequence: u64,
    /// The letter.
    pub(crate) letter_id: String,
    /// `accepted`, `sealed`, `delivered`, `paper` or `failed`.
    pub(crate) kind: String,
    /// When, RFC 3339 in UTC.
    pub(crate) at: String,
    /// `delivered`: the operator's receipt (TransId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) trans_id: Option<String>,
    /// `delivered`: the operator's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) operator: Option<String>,
    /// `paper`: why not digital (`no-mailbox`, `pending`, `sender-deselected`,
    /// `no-service-address`); `failed`: what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

/// A page of the feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct EventPage {
    /// The caller's events after the cursor, by sequence.
    pub(crate) events: Vec<EventJson>,
    /// The cursor for the next page (`after=`): the last sequence here, or the one asked.
    pub(crate) next_after: u64,
}

/// An OAuth 2 access token (RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct TokenResponse {
    /// The bearer token.
    pub(crate) access_token: String,
    /// Always `Bearer`.
    pub(crate) token_type: String,
    /// Seconds it is valid.
    pub(crate) expires_in: u64,
}

/// An error (RFC 9457 problem details).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct ProblemJson {
    /// What kind of problem, e.g. `invalid-letter`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// A short title.
    pub(crate) title: String,
    /// The HTTP status.
    pub(crate) status: u16,
    /// What went wrong.
    pub(crate) detail: String,
    /// Each thing wrong with the letters posted, when that is the problem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) problems: Vec<LetterProblemJson>,
}

/// One thing wrong with a letter posted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct LetterProblemJson {
    /// The letter's index in a batch (0 for a single letter).
    pub(crate) letter: usize,
    /// The rule or field: `recipient`, `subject`, `body`, `html`, `pdf`, `size`, …
    pub(crate) rule: String,
    /// What is wrong.
    pub(crate) detail: String,
}

impl LetterAccepted {
    pub(crate) fn of(record: &LetterRecord) -> Self {
        Self {
            id: record.id.to_string(),
            state: record.state.as_str().to_owned(),
            message_id: record.message_id.as_str().to_owned(),
        }
    }
}

impl EventJson {
    pub(crate) fn of(event: &StoredEvent) -> Self {
        let mut json = Self {
            sequence: event.sequence,
            letter_id: event.letter_id.to_string(),
            kind: event.event.state().as_str().to_owned(),
            at: event.at.format(&Rfc3339).unwrap_or_default(),
            trans_id: None,
            operator: None,
            reason: None,
        };
        match &event.event {
            TimelineEvent::Accepted | TimelineEvent::Sealed => {}
            TimelineEvent::Delivered { trans_id, operator } => {
                json.trans_id = Some(trans_id.clone());
                json.operator = Some(operator.clone());
            }
            TimelineEvent::Paper { reason } | TimelineEvent::Failed { reason } => {
                json.reason = Some(reason.clone());
            }
        }
        json
    }
}
