//! The mailing manifest: a CSV file with a header row, one letter per row, parsed whole into
//! typed [`ManifestRow`]s before anything is sent.
//!
//! Columns (any order, names exact, unknown names refused): `recipient` (personnummer,
//! samordningsnummer or organisationsnummer), `subject`, exactly one of `body` (the text
//! itself) or `body_file` (a file; `.html`/`.htm` is sent as HTML, anything else as UTF-8
//! text), optionally `attachments` (PDF files separated by `;`) and `reference` (the
//! sender's own reference). Files are named relative to the manifest's folder.
//!
//! A bad row refuses the whole run: a mailing that sends part of a list and leaves the
//! operator to find out which rows went is harder to fix than a list corrected and run
//! again. [`ManifestError::Rows`] names every bad row by line (up to
//! `MAILING_ROW_ERRORS_SHOWN_MAX`, then the count).

use std::fmt;
use std::path::{Path, PathBuf};

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::limits::{
    ATTACHMENTS_PER_MESSAGE_MAX, ENVELOPE_BYTES_DEFAULT_MAX, MAILING_MANIFEST_BYTES_MAX,
    MAILING_MANIFEST_ROWS_MAX, MAILING_ROW_ERRORS_SHOWN_MAX,
};
use kuvert_core::message::{BodyContentType, Reference, Subject};

use super::csv::{self, CsvError};

/// A manifest read and checked: every row is a letter that can be composed.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// The rows in file order.
    pub rows: Vec<ManifestRow>,
}

/// One letter of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// The line the row starts on (the header is line 1): its key in the journal.
    pub line: usize,
    /// The recipient.
    pub recipient: RecipientId,
    /// The subject.
    pub subject: Subject,
    /// The body.
    pub body: BodySource,
    /// PDF files to attach, resolved against the manifest's folder.
    pub attachments: Vec<PathBuf>,
    /// The sender's own reference.
    pub reference: Option<Reference>,
}

/// Where a row's body comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodySource {
    /// The text in the manifest (plain text).
    Inline(String),
    /// A file, read when the letter is sent.
    File {
        /// The file, resolved against the manifest's folder.
        path: PathBuf,
        /// `text/html` for `.html`/`.htm`, else `text/plain`.
        content_type: BodyContentType,
    },
}

/// One bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line the row starts on.
    pub line: usize,
    /// The column at fault, or `None` for the row as a whole.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(formatter, "line {}, {column}: {}", self.line, self.reason),
            None => write!(formatter, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Why a manifest was refused; nothing has been sent.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read the manifest {}: {source}", path.display())]
    Read {
        /// The manifest.
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// Over `MAILING_MANIFEST_BYTES_MAX` bytes or `MAILING_MANIFEST_ROWS_MAX` rows.
    #[error("the manifest {} is too large: {what}", path.display())]
    TooLarge {
        /// The manifest.
        path: PathBuf,
        /// Which bound and the size found.
        what: String,
    },
    /// Not UTF-8 or not CSV.
    #[error("the manifest {} is not UTF-8 CSV: {reason}", path.display())]
    NotCsv {
        /// The manifest.
        path: PathBuf,
        /// Where and why.
        reason: String,
    },
    /// The header row is missing a column or names an unknown one.
    #[error("the manifest {} has a bad header: {reason}", path.display())]
    Header {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Some rows are bad; each is named.
    #[error(
        "{} of the manifest's rows are bad, nothing was sent:\n{}",
        count,
        list(shown)
    )]
    Rows {
        /// How many rows are bad.
        count: usize,
        /// The first `MAILING_ROW_ERRORS_SHOWN_MAX` of them.
        shown: Vec<RowError>,
    },
}

fn list(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|error| format!("  {error}"))
        .collect::<Vec<_>>()
        .join("\n")
}

const COLUMNS: [&str; 6] = [
    "recipient",
    "subject",
    "body",
    "body_file",
    "attachments",
    "reference",
];

/// Where each known column is in the header.
struct Columns([Option<usize>; COLUMNS.len()]);

impl Columns {
    fn get<'a>(&self, fields: &'a [String], name: &str) -> &'a str {
        COLUMNS
            .iter()
            .position(|column| *column == name)
            .and_then(|index| self.0[index])
            .and_then(|at| fields.get(at))
            .map_or("", |field| field.trim())
    }
}

impl Manifest {
    /// Reads and checks the manifest at `path` (files named in it must exist and be within
    /// bounds; attachments must start with `%PDF-`).
    ///
    /// # Errors
    /// A [`ManifestError`]; `Rows` lists the bad rows by line.
    pub fn read(path: &Path) -> Result<Self, ManifestError> {
        let read_error = |source| ManifestError::Read {
            path: path.to_owned(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(read_error)?.len();
        if bytes > MAILING_MANIFEST_BYTES_MAX {
            return Err(ManifestError::TooLarge {
                path: path.to_owned(),
                what: format!("{bytes} bytes, at most {MAILING_MANIFEST_BYTES_MAX}"),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let rows = parse(&text, folder).map_err(|error| error.at(path))?;
        Ok(Self {
            path: path.to_owned(),
            rows,
        })
    }
}

/// A refusal before the manifest's path is known (parsing text, as the tests do).
#[derive(Debug)]
pub(crate) enum ParseError {
    TooManyRows(usize),
    Csv(CsvError),
    Header(String),
    Rows(Vec<RowError>),
}

impl ParseError {
    fn at(self, path: &Path) -> ManifestError {
        let path = path.to_owned();
        match self {
            Self::TooManyRows(rows) => ManifestError::TooLarge {
                path,
                what: format!("{rows} rows, at most {MAILING_MANIFEST_ROWS_MAX}"),
            },
            Self::Csv(error) => ManifestError::NotCsv {
                path,
                reason: error.to_string(),
            },
            Self::Header(reason) => ManifestError::Header { path, reason },
            Self::Rows(mut errors) => {
                let count = errors.len();
                errors.truncate(MAILING_ROW_ERRORS_SHOWN_MAX);
                ManifestError::Rows {
                    count,
                    shown: errors,
                }
            }
        }
    }
}

/// Parses manifest text; files are resolved against `folder`.
pub(crate) fn parse(text: &str, folder: &Path) -> Result<Vec<ManifestRow>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = csv::records(text).map_err(ParseError::Csv)?.into_iter();
    let header = records
        .next()
        .ok_or_else(|| ParseError::Header("the file is empty".to_owned()))?;
    let columns = columns(&header.fields).map_err(ParseError::Header)?;
    let records: Vec<_> = records.collect();
    if records.len() > MAILING_MANIFEST_ROWS_MAX {
        return Err(ParseError::TooManyRows(records.len()));
    }
    let mut rows = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for record in records {
        if record.fields.len() != header.fields.len() {
            errors.push(RowError {
                line: record.line,
                column: None,
                reason: format!(
                    "{} fields, the header has {}",
                    record.fields.len(),
                    header.fields.len()
                ),
            });
            continue;
        }
        match row(&columns, &record, folder) {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(ParseError::Rows(errors))
    }
}

fn columns(header: &[String]) -> Result<Columns, String> {
    let mut found = [None; COLUMNS.len()];
    for (at, name) in header.iter().enumerate() {
        let name = name.trim();
        let index = COLUMNS
            .iter()
            .position(|column| *column == name)
            .ok_or_else(|| format!("unknown column {name:?} (known: {})", COLUMNS.join(", ")))?;
        if found[index].replace(at).is_some() {
            return Err(format!("column {name:?} appears twice"));
        }
    }
    for required in ["recipient", "subject"] {
        if !header.iter().any(|name| name.trim() == required) {
            return Err(format!("no column {required:?}"));
        }
    }
    if !header
        .iter()
        .any(|name| matches!(name.trim(), "body" | "body_file"))
    {
        return Err("no column \"body\" or \"body_file\"".to_owned());
    }
    Ok(Columns(found))
}

fn row(columns: &Columns, record: &csv::Record, folder: &Path) -> Result<ManifestRow, RowError> {
    let line = record.line;
    let field = |name| columns.get(&record.fields, name);
    let error = |column, reason: String| RowError {
        line,
        column: Some(column),
        reason,
    };
    let recipient = recipient(field("recipient")).map_err(|reason| error("recipient", reason))?;
    let subject = match field("subject") {
        "" => Err(error("subject", "empty".to_owned())),
        text => Subject::parse(text).map_err(|e| error("subject", e.to_string())),
    }?;
    let body = match (field("body"), field("body_file")) {
        (text, "") if !text.is_empty() => BodySource::Inline(text.to_owned()),
        ("", file) if !file.is_empty() => {
            body_file(folder, file).map_err(|reason| error("body_file", reason))?
        }
        _ => {
            return Err(RowError {
                line,
                column: None,
                reason: "give exactly one of body and body_file".to_owned(),
            });
        }
    };
    let attachments =
        attachments(folder, field("attachments")).map_err(|reason| error("attachments", reason))?;
    let reference = match field("reference") {
        "" => None,
        text => Some(Reference::parse(text).map_err(|e| error("reference", e.to_string()))?),
    };
    Ok(ManifestRow {
        line,
        recipient,
        subject,
        body,
        attachments,
        reference,
    })
}

/// A 12-digit personnummer (with or without `-`) or an organisationsnummer.
fn recipient(text: &str) -> Result<RecipientId, String> {
    RecipientId::parse(text)
        .or_else(|_| PersonalIdentityNumber::parse(text).map(RecipientId::Person))
        .map_err(|error| format!("{text:?} is not a personnummer or organisationsnummer: {error}"))
}

fn body_file(folder: &Path, name: &str) -> Result<BodySource, String> {
    let path = folder.join(name);
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

fn attachments(folder: &Path, field: &str) -> Result<Vec<PathBuf>, String> {
    let names: Vec<&str> = field
        .split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.len() > ATTACHMENTS_PER_MESSAGE_MAX {
        return Err(format!(
            "{} files, at most {ATTACHMENTS_PER_MESSAGE_MAX}",
            names.len()
        ));
    }
    names
        .into_iter()
        .map(|name| {
            let path = folder.join(name);
            check_file(&path, Some(b"%PDF-"))?;
            Ok(path)
        })
        .collect()
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
