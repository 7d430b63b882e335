//! One manifest row's check: every field of [`Fields`] parsed into the typed values of a
//! [`ManifestRow`] by the same core parsers `kuvert send` uses, and the files it names looked
//! at (they exist, fit a letter, attachments start as a PDF). `Manifest::read` stops at a
//! row's first bad field; `kuvert check` ([`crate::check`]) gathers them all.

use std::fmt;
use std::path::{Path, PathBuf};

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{
    ATTACHMENTS_PER_MESSAGE_MAX, ENVELOPE_BYTES_DEFAULT_MAX, MAILING_FIELD_BYTES_MAX,
};
use kuvert_core::message::{BodyContentType, Reference, Subject};
use kuvert_core::postal::PostalAddress;
use time::Date;

use super::manifest::{BodySource, Fields, ManifestRow, RowError, RowPlace};

/// Checks one row's fields into a typed row: the one check for every manifest format, which
/// stops at the row's first bad field.
pub(super) fn check(fields: Fields, folder: &Path, today: Date) -> Result<ManifestRow, RowError> {
    let checked = check_row(fields, folder, today);
    match (checked.row, checked.errors.into_iter().next()) {
        (Some(row), None) => Ok(row),
        (_, Some(error)) => Err(error),
        (None, None) => Err(RowError {
            place: checked.place,
            column: None,
            reason: "the row could not be checked".to_owned(),
        }),
    }
}

/// What checking one row found: every bad field (not only the first, for `kuvert check`), and
/// the row when none is bad; the body and the attachments that passed, for deeper checks.
#[derive(Debug)]
pub(crate) struct RowCheck {
    pub(crate) place: RowPlace,
    pub(crate) errors: Vec<RowError>,
    pub(crate) body: Option<BodySource>,
    pub(crate) attachments: Vec<PathBuf>,
    pub(crate) row: Option<ManifestRow>,
}

/// Checks every field of one row, in column order, gathering each bad one.
pub(crate) fn check_row(fields: Fields, folder: &Path, today: Date) -> RowCheck {
    let place = fields.place;
    let mut found = Found {
        place,
        errors: Vec::new(),
        folder,
    };
    let recipient = found.field("recipient", &fields.recipient);
    let subject = found.field("subject", &fields.subject);
    let body = found.field("body", &fields.body);
    let body_file = found.field("body_file", &fields.body_file);
    let reference = found.field("reference", &fields.reference);
    let address = found.field("address", &fields.address);
    let recipient = recipient
        .and_then(|text| found.typed("recipient", RecipientId::parse_written(&text, today)));
    // The subject's rule is `Subject::parse`'s, the same for every letter (issue 11).
    let subject = subject.and_then(|text| found.typed("subject", Subject::parse(&text)));
    let body = match (body, body_file) {
        (Some(body), Some(file)) => found.body(body, file),
        _ => None,
    };
    let attachments = found.attachments(&fields.attachments);
    let reference = match reference.as_deref() {
        Some("") => Some(None),
        Some(text) => found.typed("reference", Reference::parse(text)).map(Some),
        None => None,
    };
    let address = match address.as_deref() {
        Some("") => Some(None),
        Some(text) => found.typed("address", PostalAddress::parse(text)).map(Some),
        None => None,
    };
    let row = match (recipient, subject, body.clone(), reference, address) {
        (Some(recipient), Some(subject), Some(body), Some(reference), Some(address))
            if found.errors.is_empty() =>
        {
            Some(ManifestRow {
                line: place.key(),
                recipient,
                subject,
                body,
                attachments: attachments.clone(),
                reference,
                address,
            })
        }
        _ => None,
    };
    RowCheck {
        place,
        errors: found.errors,
        body,
        attachments,
        row,
    }
}

/// The bad fields of one row so far.
struct Found<'a> {
    place: RowPlace,
    errors: Vec<RowError>,
    folder: &'a Path,
}

impl Found<'_> {
    /// The field's text, trimmed, unless it is over `MAILING_FIELD_BYTES_MAX` (an error).
    fn field(&mut self, column: &'static str, text: &str) -> Option<String> {
        if text.len() > MAILING_FIELD_BYTES_MAX {
            let reason = format!("{} bytes, at most {MAILING_FIELD_BYTES_MAX}", text.len());
            self.push(Some(column), reason);
            return None;
        }
        Some(text.trim().to_owned())
    }

    fn push(&mut self, column: Option<&'static str>, reason: String) {
        self.errors.push(RowError {
            place: self.place,
            column,
            reason,
        });
    }

    fn typed<T, E: fmt::Display>(
        &mut self,
        column: &'static str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed
            .map_err(|error| self.push(Some(column), error.to_string()))
            .ok()
    }

    fn body(&mut self, text: String, file: String) -> Option<BodySource> {
        match (text.is_empty(), file.is_empty()) {
            (false, true) => Some(BodySource::Inline(text)),
            (true, false) => body_file(self.folder, &file)
                .map_err(|reason| self.push(Some("body_file"), reason))
                .ok(),
            _ => {
                self.push(None, "give exactly one of body and body_file".to_owned());
                None
            }
        }
    }

    /// The attachments that exist and pass; a bad one is an error, the others are kept.
    fn attachments(&mut self, names: &[String]) -> Vec<PathBuf> {
        let names: Vec<&str> = names
            .iter()
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .collect();
        if names.len() > ATTACHMENTS_PER_MESSAGE_MAX {
            let reason = format!(
                "{} files, at most {ATTACHMENTS_PER_MESSAGE_MAX}",
                names.len()
            );
            self.push(Some("attachments"), reason);
            return Vec::new();
        }
        let mut paths = Vec::new();
        for name in names {
            let checked = within(self.folder, name)
                .and_then(|path| check_file(&path, Some(b"%PDF-")).map(|()| path));
            match checked {
                Ok(path) => paths.push(path),
                Err(reason) => self.push(Some("attachments"), reason),
            }
        }
        paths
    }
}

fn body_file(folder: &Path, name: &str) -> Result<BodySource, String> {
    let path = within(folder, name)?;
    check_file(&path, None)?;
    let is_html = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"));
    let content_type = if is_html {
        BodyContentType::TextHtml
    } else {
        BodyContentType::TextPlain
    };
    Ok(BodySource::File { path, content_type })
}

/// `name` in `folder`: a manifest names its files relative to its own folder, so a name that
/// is absolute or climbs out with `..` is refused. The sender service takes manifests from its
/// callers, who must not get the gateway's own files (its keys) read into a letter.
fn within(folder: &Path, name: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    let relative = Path::new(name);
    let inside = relative
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    if inside {
        Ok(folder.join(relative))
    } else {
        Err(format!(
            "{name}: name a file in the manifest's folder (no absolute path, no ..)"
        ))
    }
}

/// The file exists, fits in a letter and starts with `magic`.
fn check_file(path: &Path, magic: Option<&[u8]>) -> Result<(), String> {
    use std::io::Read as _;
    let shown = path.display();
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("{shown}: {e}"))?
        .len();
    if bytes > ENVELOPE_BYTES_DEFAULT_MAX {
        return Err(format!(
            "{shown} has {bytes} bytes, a letter at most {ENVELOPE_BYTES_DEFAULT_MAX}"
        ));
    }
    if let Some(magic) = magic {
        let mut start = vec![0; magic.len()];
        let read = std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut start));
        if read.is_err() || start != magic {
            return Err(format!("{shown} is not a PDF file"));
        }
    }
    Ok(())
}
