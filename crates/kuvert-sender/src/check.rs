//! Checking letters before anything is sent (`kuvert check`, and later the sender service): a
//! mailing manifest ([`check_manifest`]) or one letter file ([`check_letter_file`]), every
//! [`Problem`] named with its row, its file and the [`Rule`] it breaks — all of them, not only
//! the first, so a sender fixes a list in one round.
//!
//! The rules are the ones sending applies, reused and not restated: a manifest row's fields go
//! through the mailing's own row check (`mailing::row`, the core parsers for recipients with
//! their check digit, subjects and references), an HTML body through
//! `kuvert_web::letter_html::check` (what the operator's inbox keeps and the script rule the
//! toolkit refuses before signing), the size through `kuvert_core::message`'s estimate against
//! `ENVELOPE_BYTES_DEFAULT_MAX`. Attachments are also read as PDF documents (lopdf, streams
//! bounded by `PDF_STREAM_INFLATED_BYTES_MAX`): broken, encrypted, without pages or with
//! JavaScript. Reads files, sends nothing.

mod pdf;

use std::fmt;
use std::path::{Path, PathBuf};

use kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX;
use kuvert_core::message::{Attachment, Body, BodyContentType, estimated_letter_bytes};
use time::Date;

use crate::mailing::{BodySource, ManifestFormat, RowError, RowPlace};
use crate::mailing::{check_row, read_fields, read_text};

/// What was checked and what is wrong with it.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The manifest or letter file checked.
    pub path: PathBuf,
    /// Rows in the manifest (`None` for one letter file, or a manifest unreadable as a whole).
    pub rows: Option<usize>,
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The manifest row, when the problem is in one.
    pub place: Option<RowPlace>,
    /// The file at fault, when it is not the manifest itself.
    pub file: Option<PathBuf>,
    /// The rule broken.
    pub rule: Rule,
    /// What is wrong, in words.
    pub detail: String,
}

/// The rules a letter is checked against, each named in the report by [`Rule::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The manifest as a whole: readable, UTF-8, CSV with a known header or a JSON array.
    Manifest,
    /// A row as a whole: its fields' count, exactly one of `body` and `body_file`.
    Row,
    /// A personnummer, samordningsnummer or organisationsnummer with its check digit.
    Recipient,
    /// A subject: not blank, at most `SUBJECT_CHARS_MAX` characters.
    Subject,
    /// The body or body file: given, found, within the bounds.
    Body,
    /// The attachment files: found, within the bounds, PDF.
    Attachments,
    /// The sender's reference.
    Reference,
    /// The postal address for a paper letter.
    Address,
    /// A body's content type: text (UTF-8) or HTML, not a PDF.
    ContentType,
    /// A body's HTML: only what a letter may hold.
    Html,
    /// A PDF attachment: well-formed, readable without a password, with pages, no JavaScript.
    Pdf,
    /// The whole letter within `ENVELOPE_BYTES_DEFAULT_MAX`.
    Size,
}

impl Rule {
    /// The rule's name in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manifest => "manifest",
            Self::Row => "row",
            Self::Recipient => "recipient",
            Self::Subject => "subject",
            Self::Body => "body",
            Self::Attachments => "attachments",
            Self::Reference => "reference",
            Self::Address => "address",
            Self::ContentType => "content-type",
            Self::Html => "html",
            Self::Pdf => "pdf",
            Self::Size => "size",
        }
    }

    /// The rule of a manifest column's problem.
    fn of_column(column: Option<&str>) -> Self {
        match column {
            Some("recipient") => Self::Recipient,
            Some("subject") => Self::Subject,
            Some("body" | "body_file") => Self::Body,
            Some("attachments") => Self::Attachments,
            Some("reference") => Self::Reference,
            Some("address") => Self::Address,
            _ => Self::Row,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(place) = self.place {
            write!(formatter, "{place}: ")?;
        }
        if let Some(file) = &self.file {
            write!(formatter, "{}: ", file.display())?;
        }
        write!(formatter, "{} [{}]", self.detail, self.rule.as_str())
    }
}

/// Checks `path`: a manifest when it ends in `.csv` or `.json`, else one letter file.
#[must_use]
pub fn check_path(path: &Path, today: Date) -> CheckReport {
    let is_manifest = path.extension().is_some_and(|extension| {
        extension.eq_ignore_ascii_case("csv") || extension.eq_ignore_ascii_case("json")
    });
    if is_manifest {
        check_manifest(path, today)
    } else {
        check_letter_file(path)
    }
}

/// Checks every row of the manifest at `path` and every file it names. `today` (the Swedish
/// date) gives the century of a recipient written `YYMMDD-NNNN`, as in `Manifest::read`.
#[must_use]
pub fn check_manifest(path: &Path, today: Date) -> CheckReport {
    let whole = |detail: String| CheckReport {
        path: path.to_owned(),
        rows: None,
        problems: vec![Problem {
            place: None,
            file: None,
            rule: Rule::Manifest,
            detail,
        }],
    };
    let text = match read_text(path) {
        Ok(text) => text,
        Err(error) => return whole(error.to_string()),
    };
    let format = ManifestFormat::of(path);
    let read = match read_fields(&text, format) {
        Ok(read) => read,
        Err(error) => return whole(error.at(path, format).to_string()),
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    for fields in &read {
        match fields {
            Ok(fields) => problems.extend(check_fields(fields.clone(), folder, today)),
            Err(error) => problems.push(row_problem(error)),
        }
    }
    CheckReport {
        path: path.to_owned(),
        rows: Some(read.len()),
        problems,
    }
}

/// Checks one letter's content held in memory (a letter posted to the sender service): an
/// HTML body by `kuvert_web::letter_html::check`, each attachment as a PDF, every problem
/// naming the attachment's file name. Size and script are the toolkit's `compose` rules.
#[must_use]
pub fn check_content(body: &Body, attachments: &[Attachment]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if body.content_type() == BodyContentType::TextHtml {
        let findings = kuvert_web::letter_html::check(&String::from_utf8_lossy(body.content()));
        problems.extend(findings.into_iter().map(|finding| Problem {
            place: None,
            file: None,
            rule: Rule::Html,
            detail: finding.to_string(),
        }));
    }
    for attachment in attachments {
        let name = PathBuf::from(attachment.filename().as_str());
        problems.extend(pdf_problems(&name, attachment.content()));
    }
    problems
}

/// Checks one letter file: a PDF attachment (`.pdf`), an HTML body (`.html`, `.htm`) or a
/// text body (anything else).
#[must_use]
pub fn check_letter_file(path: &Path) -> CheckReport {
    let problems = match read_letter_file(path) {
        Err(problem) => vec![problem],
        Ok(bytes) if is_pdf_name(path) => pdf_problems(path, &bytes),
        Ok(bytes) => body_problems(path, &bytes),
    };
    CheckReport {
        path: path.to_owned(),
        rows: None,
        problems,
    }
}

/// One row's problems: its fields (every bad one), then its body, attachments and size.
fn check_fields(fields: crate::mailing::Fields, folder: &Path, today: Date) -> Vec<Problem> {
    let checked = check_row(fields, folder, today);
    let mut problems: Vec<Problem> = checked.errors.iter().map(row_problem).collect();
    let mut sizes = Vec::new();
    let place = Some(checked.place);
    let body_bytes = match &checked.body {
        Some(BodySource::Inline(text)) => text.len(),
        Some(BodySource::File { path, .. }) => match read_letter_file(path) {
            Ok(bytes) => {
                problems.extend(body_problems(path, &bytes));
                bytes.len()
            }
            Err(problem) => {
                problems.push(problem);
                0
            }
        },
        None => 0,
    };
    for attachment in &checked.attachments {
        match read_letter_file(attachment) {
            Ok(bytes) => {
                problems.extend(pdf_problems(attachment, &bytes));
                sizes.push(bytes.len());
            }
            Err(problem) => problems.push(problem),
        }
    }
    let letter_bytes = estimated_letter_bytes(body_bytes, sizes);
    if letter_bytes > ENVELOPE_BYTES_DEFAULT_MAX {
        problems.push(Problem {
            place,
            file: None,
            rule: Rule::Size,
            detail: format!(
                "the letter is {letter_bytes} bytes once encoded (body and attachments), \
                 at most {ENVELOPE_BYTES_DEFAULT_MAX}"
            ),
        });
    }
    for problem in &mut problems {
        problem.place = place;
    }
    problems
}

fn row_problem(error: &RowError) -> Problem {
    Problem {
        place: Some(error.place),
        file: None,
        rule: Rule::of_column(error.column),
        detail: match error.column {
            Some(column) => format!("{column}: {}", error.reason),
            None => error.reason.clone(),
        },
    }
}

/// The file's bytes, when it exists and fits in a letter.
fn read_letter_file(path: &Path) -> Result<Vec<u8>, Problem> {
    let problem = |rule, detail| Problem {
        place: None,
        file: Some(path.to_owned()),
        rule,
        detail,
    };
    let rule = if is_pdf_name(path) {
        Rule::Attachments
    } else {
        Rule::Body
    };
    let bytes = std::fs::metadata(path)
        .map_err(|error| problem(rule, format!("cannot be read: {error}")))?
        .len();
    if bytes > ENVELOPE_BYTES_DEFAULT_MAX {
        let detail = format!("{bytes} bytes, a letter at most {ENVELOPE_BYTES_DEFAULT_MAX}");
        return Err(problem(Rule::Size, detail));
    }
    std::fs::read(path).map_err(|error| problem(rule, format!("cannot be read: {error}")))
}

fn is_pdf_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("pdf"))
}

fn is_html_name(path: &Path) -> bool {
    path.extension().is_some_and(|extension| {
        extension.eq_ignore_ascii_case("html") || extension.eq_ignore_ascii_case("htm")
    })
}

/// A body file's problems: its content type (a text body must be UTF-8, as
/// `kuvert_core::message::Body` requires; HTML declares its own charset) and its HTML.
fn body_problems(path: &Path, bytes: &[u8]) -> Vec<Problem> {
    let problem = |rule, detail| Problem {
        place: None,
        file: Some(path.to_owned()),
        rule,
        detail,
    };
    if bytes.starts_with(b"%PDF-") {
        let detail = "is a PDF; a body is text or HTML, a PDF goes in attachments".to_owned();
        return vec![problem(Rule::ContentType, detail)];
    }
    if is_html_name(path) {
        return kuvert_web::letter_html::check(&String::from_utf8_lossy(bytes))
            .into_iter()
            .map(|finding| problem(Rule::Html, finding.to_string()))
            .collect();
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => Vec::new(),
        Err(error) => {
            let line = 1 + bytes[..error.valid_up_to()]
                .iter()
                .filter(|&&byte| byte == b'\n')
                .count();
            let detail =
                format!("is not UTF-8 at line {line}; a text body is UTF-8 (save it as UTF-8)");
            vec![problem(Rule::ContentType, detail)]
        }
    }
}

/// A PDF attachment's problems (`pdf::problems`), each naming the file.
fn pdf_problems(path: &Path, bytes: &[u8]) -> Vec<Problem> {
    pdf::problems(bytes)
        .into_iter()
        .map(|detail| Problem {
            place: None,
            file: Some(path.to_owned()),
            rule: Rule::Pdf,
            detail,
        })
        .collect()
}

#[cfg(test)]
mod tests;
