//! The mailing manifest: one letter per row, parsed whole into typed [`ManifestRow`]s before
//! anything is sent. A `.json` file is a JSON array of row objects (the `json` module), any
//! other a CSV file with a header row; both readers only gather each row's [`Fields`], and
//! one check turns them into rows.
//!
//! Columns (JSON members; any order, names exact, unknown names refused): `recipient`
//! (personnummer, samordningsnummer or organisationsnummer), `subject`, exactly one of
//! `body` (the text itself) or `body_file` (a file; `.html`/`.htm` is sent as HTML, anything
//! else as UTF-8 text), optionally `attachments` (PDF files separated by `;`, in JSON an
//! array), `reference` (the sender's own reference) and `address` (the postal address for a
//! paper letter, one line per line: a quoted CSV field may span lines). Files are named
//! relative to the manifest's folder.
//!
//! A bad row refuses the whole run: a mailing that sends part of a list and leaves the
//! operator to find out which rows went is harder to fix than a list corrected and run
//! again. [`ManifestError::Rows`] names every bad row by line or JSON index (up to
//! `MAILING_ROW_ERRORS_SHOWN_MAX`, then the count).

use std::fmt;
use std::path::{Path, PathBuf};

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{
    MAILING_MANIFEST_BYTES_MAX, MAILING_MANIFEST_ROWS_MAX, MAILING_ROW_ERRORS_SHOWN_MAX,
};
use kuvert_core::message::{BodyContentType, Reference, Subject};
use kuvert_core::plural::Plural;
use kuvert_core::postal::PostalAddress;
use time::Date;

use super::csv::{self, CsvError};
use super::json;
use super::row::check;

/// A manifest read and checked: every row is a letter that can be composed.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// CSV or JSON, by the file's extension.
    pub format: ManifestFormat,
    /// The rows in file order.
    pub rows: Vec<ManifestRow>,
}

/// How a manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFormat {
    /// A header row, then one row per letter (RFC 4180).
    Csv,
    /// An array of row objects.
    Json,
}

impl ManifestFormat {
    /// JSON for a `.json` file (any case), CSV for every other name.
    #[must_use]
    pub fn of(path: &Path) -> Self {
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        if is_json { Self::Json } else { Self::Csv }
    }

    /// Where the row keyed `line` ([`ManifestRow::line`]) is, as the operator finds it.
    #[must_use]
    pub fn place(self, line: usize) -> RowPlace {
        match self {
            Self::Csv => RowPlace::Line(line),
            Self::Json => RowPlace::Index(line),
        }
    }
}

/// Where a row is in its manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPlace {
    /// The CSV line the row starts on (the header is line 1).
    Line(usize),
    /// The row's index in the JSON array (from 0).
    Index(usize),
}

impl RowPlace {
    /// The row's key in the journal ([`ManifestRow::line`]).
    #[must_use]
    pub fn key(self) -> usize {
        match self {
            Self::Line(key) | Self::Index(key) => key,
        }
    }
}

impl fmt::Display for RowPlace {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(formatter, "line {line}"),
            Self::Index(index) => write!(formatter, "index {index}"),
        }
    }
}

/// One letter of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// The row's key in the journal, which fixes its message id: the line it starts on in a
    /// CSV manifest (the header is line 1), its index in a JSON manifest's array.
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
    /// Where the letter goes on paper, when the manifest gives it (`address`).
    pub address: Option<PostalAddress>,
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
    /// Where the row is.
    pub place: RowPlace,
    /// The column at fault, or `None` for the row as a whole.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(formatter, "{}, {column}: {}", self.place, self.reason),
            None => write!(formatter, "{}: {}", self.place, self.reason),
        }
    }
}

/// Why a manifest was refused; nothing has been sent.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read the manifest {}", path.display())]
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
    /// Not UTF-8 (a spreadsheet's "CSV" is often Windows-1252 or Latin-1).
    #[error(
        "the manifest {} is not UTF-8 at line {line}; save it as UTF-8 (in Excel: \
         \"CSV UTF-8\") and try again",
        path.display()
    )]
    NotUtf8 {
        /// The manifest.
        path: PathBuf,
        /// The line of the first byte that is not UTF-8 (from 1).
        line: usize,
    },
    /// Not CSV.
    #[error("the manifest {} is not CSV: {reason}", path.display())]
    NotCsv {
        /// The manifest.
        path: PathBuf,
        /// Where and why.
        reason: String,
    },
    /// Not UTF-8 or not JSON, or not an array.
    #[error(
        "the manifest {} is not a JSON array of rows: {reason} at line {line}, column {column}",
        path.display()
    )]
    NotJson {
        /// The manifest.
        path: PathBuf,
        /// serde_json's line.
        line: usize,
        /// serde_json's column.
        column: usize,
        /// What is wrong.
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
    /// A header (CSV) or an empty array (JSON) and no row: nothing to send.
    #[error("the manifest {} has no letters: {what}", path.display())]
    NoLetters {
        /// The manifest.
        path: PathBuf,
        /// What the file holds instead.
        what: &'static str,
    },
    /// Some rows are bad; each is named.
    #[error("{}, nothing was sent:\n{}", BAD_ROWS.count(*count), list(shown))]
    Rows {
        /// How many rows are bad.
        count: usize,
        /// The first `MAILING_ROW_ERRORS_SHOWN_MAX` of them.
        shown: Vec<RowError>,
    },
}

/// "1 of the manifest's rows is bad", "2 of the manifest's rows are bad".
const BAD_ROWS: Plural = Plural::new(
    "of the manifest's rows is bad",
    "of the manifest's rows are bad",
);

fn list(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|error| format!("  {error}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One row's fields as its manifest gives them, before any check: what the CSV and JSON
/// readers make, and all that [`check`] sees. An empty string is an absent field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fields {
    pub(crate) place: RowPlace,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) body_file: String,
    pub(crate) attachments: Vec<String>,
    pub(crate) reference: String,
    pub(crate) address: String,
}

impl Fields {
    /// The column (JSON member) names.
    pub(crate) const COLUMNS: [&'static str; 7] = [
        "recipient",
        "subject",
        "body",
        "body_file",
        "attachments",
        "reference",
        "address",
    ];

    pub(crate) fn empty(place: RowPlace) -> Self {
        Self {
            place,
            recipient: String::new(),
            subject: String::new(),
            body: String::new(),
            body_file: String::new(),
            attachments: Vec::new(),
            reference: String::new(),
            address: String::new(),
        }
    }

    /// The text field named `column`; `None` for `attachments` (a list) and unknown names.
    pub(crate) fn text_mut(&mut self, column: &str) -> Option<&mut String> {
        match column {
            "recipient" => Some(&mut self.recipient),
            "subject" => Some(&mut self.subject),
            "body" => Some(&mut self.body),
            "body_file" => Some(&mut self.body_file),
            "reference" => Some(&mut self.reference),
            "address" => Some(&mut self.address),
            _ => None,
        }
    }
}

impl Manifest {
    /// Reads and checks the manifest at `path` (files named in it must exist and be within
    /// bounds; attachments must start with `%PDF-`). `today` (the Swedish date) gives the
    /// century of a recipient written `YYMMDD-NNNN`.
    ///
    /// # Errors
    /// A [`ManifestError`]; `Rows` lists the bad rows by line.
    pub fn read(path: &Path, today: Date) -> Result<Self, ManifestError> {
        let text = read_text(path)?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let format = ManifestFormat::of(path);
        let rows = parse(&text, format, folder, today).map_err(|error| error.at(path, format))?;
        Ok(Self {
            path: path.to_owned(),
            format,
            rows,
        })
    }
}

/// The manifest's text: within `MAILING_MANIFEST_BYTES_MAX` and UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, ManifestError> {
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
    let bytes = std::fs::read(path).map_err(read_error)?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        ManifestError::NotUtf8 {
            path: path.to_owned(),
            line: 1 + valid.iter().filter(|&&byte| byte == b'\n').count(),
        }
    })
}

/// A refusal before the manifest's path is known (parsing text, as the tests do).
#[derive(Debug)]
pub(crate) enum ParseError {
    TooManyRows(usize),
    Csv(CsvError),
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    Header(String),
    NoRows,
    Rows(Vec<RowError>),
}

impl ParseError {
    pub(crate) fn at(self, path: &Path, format: ManifestFormat) -> ManifestError {
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
            Self::Json {
                line,
                column,
                reason,
            } => ManifestError::NotJson {
                path,
                line,
                column,
                reason,
            },
            Self::Header(reason) => ManifestError::Header { path, reason },
            Self::NoRows => ManifestError::NoLetters {
                path,
                what: match format {
                    ManifestFormat::Csv => "only a header row",
                    ManifestFormat::Json => "an empty array",
                },
            },
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

/// Each row's fields of manifest text in `format` (a byte order mark skipped), or why the
/// manifest as a whole is refused: too many rows, or none.
pub(crate) fn read_fields(
    text: &str,
    format: ManifestFormat,
) -> Result<Vec<Result<Fields, RowError>>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let read = match format {
        ManifestFormat::Csv => csv::rows(text)?,
        ManifestFormat::Json => json::rows(text)?,
    };
    if read.len() > MAILING_MANIFEST_ROWS_MAX {
        return Err(ParseError::TooManyRows(read.len()));
    }
    if read.is_empty() {
        return Err(ParseError::NoRows);
    }
    Ok(read)
}

/// Parses manifest text in `format`; files are resolved against `folder`, short personnummer
/// as of `today`. A manifest without rows is refused: a run that sends nothing is a mistake.
pub(crate) fn parse(
    text: &str,
    format: ManifestFormat,
    folder: &Path,
    today: Date,
) -> Result<Vec<ManifestRow>, ParseError> {
    let read = read_fields(text, format)?;
    let mut rows = Vec::with_capacity(read.len());
    let mut errors = Vec::new();
    for fields in read {
        match fields.and_then(|fields| check(fields, folder, today)) {
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
