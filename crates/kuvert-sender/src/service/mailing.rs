//! A mass mailing over REST (`POST /api/v1/mailings`): the manifest `kuvert mailing` takes,
//! posted as `multipart/form-data` — a `sender` part (the organisation number), optionally a
//! `support_text` part, the `manifest` part (a `.json` file name or `application/json`: the
//! JSON array; otherwise CSV with a header row) and one `file` part per file the manifest
//! names (`body_file`, `attachments`), each by its plain file name.
//!
//! The manifest is read by `kuvert mailing`'s own reader and row check
//! (`mailing::read_fields`, `mailing::check_row`) against a private folder holding the posted
//! files, so a row means here what it means there; each good row becomes the JSON letter the
//! other posts take, which `intake` then checks as any letter. Every bad row is named by its
//! index (and its CSV line), and nothing is queued when any row is bad. At most
//! `SENDER_SERVICE_BATCH_LETTERS_MAX` rows: a mailing is queued as one batch.

use std::path::Path;

use axum::extract::Multipart;
use base64::Engine as _;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::limits::{
    MAILING_MANIFEST_BYTES_MAX, SENDER_SERVICE_BATCH_LETTERS_MAX,
    SENDER_SERVICE_MULTIPART_PARTS_MAX,
};

use super::error::ServiceError;
use super::model::{AttachmentJson, BodyJson, LetterProblemJson, LetterRequest};
use super::multipart::{bad_part, next_part, read_part};
use crate::mailing::{
    BodySource, ManifestFormat, ManifestRow, RowCheck, RowError, check_row, read_fields,
};

/// A mailing's form as posted.
pub(crate) struct MailingUpload {
    sender: String,
    support_text: Option<String>,
    manifest_name: String,
    manifest: String,
    files: Vec<(String, Vec<u8>)>,
}

/// Reads the form's parts, each bounded (the manifest by `MAILING_MANIFEST_BYTES_MAX` too).
pub(crate) async fn read_mailing_form(
    mut multipart: Multipart,
) -> Result<MailingUpload, ServiceError> {
    let (mut sender, mut support_text, mut manifest) = (None, None, None);
    let mut files = Vec::new();
    let mut parts = 0;
    let parts_max = SENDER_SERVICE_MULTIPART_PARTS_MAX + SENDER_SERVICE_BATCH_LETTERS_MAX;
    while let Some(field) = next_part(&mut multipart, &mut parts, parts_max).await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "sender" if sender.is_none() => sender = Some(text_part(field, "sender").await?),
            "support_text" if support_text.is_none() => {
                support_text = Some(text_part(field, "support_text").await?);
            }
            "manifest" if manifest.is_none() => manifest = Some(manifest_part(field).await?),
            "file" => {
                let (file_name, bytes) = file_part(field).await?;
                if files.iter().any(|(known, _)| *known == file_name) {
                    return Err(bad_part("file", "part", format!("{file_name} given twice")));
                }
                files.push((file_name, bytes));
            }
            "sender" | "support_text" | "manifest" => {
                return Err(bad_part(&name, "part", "given twice".to_owned()));
            }
            _ => {
                let detail = "unknown part (known: sender, support_text, manifest, file)";
                return Err(bad_part(&name, "part", detail.to_owned()));
            }
        }
    }
    let missing = |part: &str| bad_part(part, "part", format!("the {part} part is missing"));
    let (manifest_name, manifest) = manifest.ok_or_else(|| missing("manifest"))?;
    Ok(MailingUpload {
        sender: sender.ok_or_else(|| missing("sender"))?,
        support_text,
        manifest_name,
        manifest,
        files,
    })
}

/// The manifest's rows as letters (blocking: writes the posted files to a private folder and
/// reads them back), or every bad row.
pub(crate) fn letters_of(form: &MailingUpload) -> Result<Vec<LetterRequest>, ServiceError> {
    let folder = tempfile::tempdir().map_err(ServiceError::internal)?;
    for (name, bytes) in &form.files {
        std::fs::write(folder.path().join(name), bytes).map_err(ServiceError::internal)?;
    }
    let format = ManifestFormat::of(Path::new(&form.manifest_name));
    let read = read_fields(&form.manifest, format).map_err(|error| {
        let refused = error.at(Path::new(&form.manifest_name), format);
        bad_part("manifest", "manifest", refused.to_string())
    })?;
    if read.len() > SENDER_SERVICE_BATCH_LETTERS_MAX {
        let detail = format!(
            "{} rows, at most {SENDER_SERVICE_BATCH_LETTERS_MAX} per request",
            read.len()
        );
        return Err(bad_part("manifest", "size", detail));
    }
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let mut letters = Vec::with_capacity(read.len());
    let mut problems = Vec::new();
    for (index, fields) in read.into_iter().enumerate() {
        let row = fields.map(|fields| check_row(fields, folder.path(), today));
        match row_letter(form, folder.path(), row) {
            Ok(letter) => letters.push(letter),
            Err(found) => {
                problems.extend(found.into_iter().map(|(column, detail)| LetterProblemJson {
                    letter: index,
                    rule: column.unwrap_or("row").to_owned(),
                    detail,
                }))
            }
        }
    }
    if problems.is_empty() {
        Ok(letters)
    } else {
        Err(ServiceError::InvalidLetters(problems))
    }
}

/// One row's letter, or each of its problems (column, detail), the private folder's path
/// left out of the details.
fn row_letter(
    form: &MailingUpload,
    folder: &Path,
    row: Result<RowCheck, RowError>,
) -> Result<LetterRequest, Vec<(Option<&'static str>, String)>> {
    let shown = |error: &RowError| {
        let local = format!("{}/", folder.display());
        (error.column, error.to_string().replace(&local, ""))
    };
    let checked = row.map_err(|error| vec![shown(&error)])?;
    if !checked.errors.is_empty() {
        return Err(checked.errors.iter().map(shown).collect());
    }
    let row = checked
        .row
        .ok_or_else(|| vec![(None, "the row could not be checked".to_owned())])?;
    letter_of(form, row).map_err(|(column, detail)| vec![(Some(column), detail)])
}

/// One checked row as the JSON letter the other posts take.
fn letter_of(
    form: &MailingUpload,
    row: ManifestRow,
) -> Result<LetterRequest, (&'static str, String)> {
    let body = match row.body {
        BodySource::Inline(content) => BodyJson {
            content_type: "text/plain".to_owned(),
            content,
        },
        BodySource::File { path, content_type } => BodyJson {
            content_type: content_type.as_str().to_owned(),
            content: std::fs::read_to_string(&path)
                .map_err(|error| ("body_file", format!("{}: {error}", file_name(&path))))?,
        },
    };
    let mut attachments = Vec::with_capacity(row.attachments.len());
    for path in &row.attachments {
        let bytes = std::fs::read(path)
            .map_err(|error| ("attachments", format!("{}: {error}", file_name(path))))?;
        attachments.push(AttachmentJson {
            filename: file_name(path),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        });
    }
    Ok(LetterRequest {
        sender: form.sender.clone(),
        recipient: row.recipient.to_wire(),
        subject: row.subject.as_str().to_owned(),
        body,
        attachments,
        reference: row.reference.map(|reference| reference.as_str().to_owned()),
        support_text: form.support_text.clone(),
        address: row.address.map(|address| address.lines().join("\n")),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A short text part (`sender`, `support_text`), UTF-8 and trimmed.
async fn text_part(
    field: axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, ServiceError> {
    let bytes = read_part(field, name).await?;
    String::from_utf8(bytes)
        .map(|text| text.trim().to_owned())
        .map_err(|_| bad_part(name, "utf-8", "not UTF-8".to_owned()))
}

/// The `manifest` part: its file name (`.json`, or `manifest.json` for `application/json`,
/// else `manifest.csv`) and its UTF-8 text.
async fn manifest_part(
    field: axum::extract::multipart::Field<'_>,
) -> Result<(String, String), ServiceError> {
    let is_json_type = field
        .content_type()
        .is_some_and(|media| media.to_ascii_lowercase().starts_with("application/json"));
    let name = match field.file_name().and_then(plain_name) {
        Some(name) => name,
        None if is_json_type => "manifest.json".to_owned(),
        None => "manifest.csv".to_owned(),
    };
    let bytes = read_part(field, "manifest").await?;
    if bytes.len() as u64 > MAILING_MANIFEST_BYTES_MAX {
        let detail = format!("more than {MAILING_MANIFEST_BYTES_MAX} bytes");
        return Err(bad_part("manifest", "size", detail));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&byte| byte == b'\n').count();
        bad_part("manifest", "utf-8", format!("not UTF-8 at line {line}"))
    })?;
    Ok((name, text))
}

/// A `file` part: a plain file name (no folder) and its bytes.
async fn file_part(
    field: axum::extract::multipart::Field<'_>,
) -> Result<(String, Vec<u8>), ServiceError> {
    let name = field.file_name().and_then(plain_name).ok_or_else(|| {
        let detail = "a file part needs a plain file name (no folder)".to_owned();
        bad_part("file", "filename", detail)
    })?;
    Ok((name, read_part(field, "file").await?))
}

/// `name` when it names a file without any folder.
fn plain_name(name: &str) -> Option<String> {
    let is_plain =
        !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0']);
    is_plain.then(|| name.to_owned())
}
