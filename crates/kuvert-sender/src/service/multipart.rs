//! A letter posted as `multipart/form-data` (`POST /api/v1/letters`): a `letter` part (JSON,
//! the members of the JSON letter; `body` and `attachments` may be left out there and sent as
//! parts instead), at most one `body` part (the text or HTML as a file: `text/html` by its
//! `Content-Type` or a `.html`/`.htm` file name, else `text/plain`; UTF-8) and one
//! `attachment` part per PDF (its file name is the one shown to the recipient).
//!
//! The parts are read into the same [`LetterRequest`] the JSON path takes, so `intake` checks
//! both alike and the worker cannot tell them apart. Here only the form itself is checked:
//! every part is named, known and within `SENDER_SERVICE_PART_BYTES_MAX` (read chunk by chunk,
//! never more), at most `SENDER_SERVICE_MULTIPART_PARTS_MAX` parts, the JSON is JSON, the body
//! UTF-8; each refusal names the part and the rule ([`ServiceError::BadPart`]).

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use base64::Engine as _;
use kuvert_core::limits::{SENDER_SERVICE_MULTIPART_PARTS_MAX, SENDER_SERVICE_PART_BYTES_MAX};
use serde_json::{Map, Value};

use super::error::ServiceError;
use super::model::{AttachmentJson, BodyJson, LetterRequest};

/// The part names a letter's form may hold.
const PART_NAMES: [&str; 3] = ["letter", "body", "attachment"];

/// Reads the form's parts into one letter.
pub(crate) async fn read_letter_form(
    mut multipart: Multipart,
) -> Result<LetterRequest, ServiceError> {
    let mut members: Option<Map<String, Value>> = None;
    let mut body: Option<BodyJson> = None;
    let mut attachments = Vec::new();
    let mut parts = 0;
    while let Some(field) = next_part(
        &mut multipart,
        &mut parts,
        SENDER_SERVICE_MULTIPART_PARTS_MAX,
    )
    .await?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "letter" if members.is_none() => members = Some(letter_members(field).await?),
            "body" if body.is_none() => body = Some(body_part(field).await?),
            "attachment" => attachments.push(attachment_part(field).await?),
            "letter" | "body" => return Err(bad_part(&name, "part", "given twice".to_owned())),
            _ => {
                let known = PART_NAMES.join(", ");
                let detail = format!("unknown part (known: {known})");
                return Err(bad_part(&name, "part", detail));
            }
        }
    }
    let mut members =
        members.ok_or_else(|| bad_part("letter", "part", "the letter part is missing".into()))?;
    if let Some(body) = body {
        if members.contains_key("body") {
            let detail = "the body is given both in the letter part and as a part".to_owned();
            return Err(bad_part("body", "part", detail));
        }
        members.insert("body".to_owned(), to_value(&body)?);
    }
    if !attachments.is_empty() {
        let listed = members
            .entry("attachments")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(listed) = listed else {
            return Err(bad_part(
                "letter",
                "json",
                "attachments is not an array".into(),
            ));
        };
        for attachment in &attachments {
            listed.push(to_value(attachment)?);
        }
    }
    serde_json::from_value(Value::Object(members))
        .map_err(|error| bad_part("letter", "json", error.to_string()))
}

/// The `letter` part: a JSON object.
async fn letter_members(field: Field<'_>) -> Result<Map<String, Value>, ServiceError> {
    let bytes = read_part(field, "letter").await?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(bad_part("letter", "json", "not a JSON object".to_owned())),
        Err(error) => Err(bad_part("letter", "json", error.to_string())),
    }
}

/// The `body` part: UTF-8 text, HTML by its content type or file name.
async fn body_part(field: Field<'_>) -> Result<BodyJson, ServiceError> {
    let declared = field.content_type().map(str::to_ascii_lowercase);
    let is_html_name = field.file_name().is_some_and(|name| {
        let name = name.to_ascii_lowercase();
        name.ends_with(".html") || name.ends_with(".htm")
    });
    let bytes = read_part(field, "body").await?;
    let content_type = match declared.as_deref().map(media_type) {
        // The letter's check names a type a body may not have.
        Some(media) if media != "application/octet-stream" => media.to_owned(),
        _ if is_html_name => "text/html".to_owned(),
        _ => "text/plain".to_owned(),
    };
    if let Some(charset) = declared.as_deref().and_then(charset)
        && charset != "utf-8"
    {
        let detail = format!("charset {charset}: the body must be UTF-8");
        return Err(bad_part("body", "utf-8", detail));
    }
    let content = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        bad_part("body", "utf-8", format!("not UTF-8 at byte {at}"))
    })?;
    Ok(BodyJson {
        content_type,
        content,
    })
}

/// One `attachment` part: its file name and bytes.
async fn attachment_part(field: Field<'_>) -> Result<AttachmentJson, ServiceError> {
    let filename = field.file_name().map(str::to_owned).ok_or_else(|| {
        bad_part(
            "attachment",
            "filename",
            "an attachment part needs a file name".into(),
        )
    })?;
    let bytes = read_part(field, "attachment").await?;
    Ok(AttachmentJson {
        filename,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// A part's bytes, at most `SENDER_SERVICE_PART_BYTES_MAX`, read chunk by chunk.
pub(super) async fn read_part(mut field: Field<'_>, name: &str) -> Result<Vec<u8>, ServiceError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|error| bad_part(name, "multipart", error.body_text()))?
    {
        if (bytes.len() + chunk.len()) as u64 > SENDER_SERVICE_PART_BYTES_MAX {
            let detail = format!("more than {SENDER_SERVICE_PART_BYTES_MAX} bytes");
            return Err(bad_part(name, "size", detail));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// `text/html` of `text/html; charset=utf-8`.
fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// The `charset` parameter of a content type, lowercase, quotes removed.
fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        (key.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    })
}

fn to_value(value: &impl serde::Serialize) -> Result<Value, ServiceError> {
    serde_json::to_value(value).map_err(ServiceError::internal)
}

/// The form's next part, `None` at its end; `*count` counts the parts read, and more than
/// `parts_max` of them is a bad form.
pub(super) async fn next_part<'form>(
    multipart: &'form mut Multipart,
    count: &mut usize,
    parts_max: usize,
) -> Result<Option<Field<'form>>, ServiceError> {
    let next = multipart
        .next_field()
        .await
        .map_err(|error| bad_part("(form)", "multipart", error.body_text()))?;
    if next.is_some() {
        *count += 1;
        if *count > parts_max {
            let detail = format!("more than {parts_max} parts");
            return Err(bad_part("(form)", "parts", detail));
        }
    }
    Ok(next)
}

pub(super) fn bad_part(part: &str, rule: &'static str, detail: String) -> ServiceError {
    ServiceError::BadPart {
        part: part.to_owned(),
        rule,
        detail,
    }
}

#[cfg(test)]
mod tests;
