//! A bounded RFC 4180 reader for the manifest: comma-separated fields, `"` quoting with `""`
//! for a quote, a quoted field may span lines; LF or CR LF line ends. Each record carries the
//! line it starts on, so a bad row is reported where the operator's editor shows it.
//! [`rows`] maps the header's columns and gives each row's [`Fields`] for the common check.

use kuvert_core::limits::MAILING_FIELD_BYTES_MAX;

use super::manifest::{Fields, ParseError, RowError, RowPlace};

/// Reads `text` as CSV with a header row: each row's fields or why the row is bad.
pub(crate) fn rows(text: &str) -> Result<Vec<Result<Fields, RowError>>, ParseError> {
    let mut records = records(text).map_err(ParseError::Csv)?.into_iter();
    let header = records
        .next()
        .ok_or_else(|| ParseError::Header("the file is empty".to_owned()))?;
    let columns = columns(&header.fields).map_err(ParseError::Header)?;
    Ok(records
        .map(|record| {
            let place = RowPlace::Line(record.line);
            if record.fields.len() != header.fields.len() {
                return Err(RowError {
                    place,
                    column: None,
                    reason: format!(
                        "{} fields, the header has {}",
                        record.fields.len(),
                        header.fields.len()
                    ),
                });
            }
            Ok(fields(&columns, place, record.fields))
        })
        .collect())
}

/// One record: the 1-based line it starts on and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) line: usize,
    pub(crate) fields: Vec<String>,
}

/// Why the text is not CSV, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CsvError {
    #[error("line {line}: a quote inside an unquoted field")]
    StrayQuote { line: usize },
    #[error("line {line}: text after a closing quote")]
    AfterQuote { line: usize },
    #[error("line {line}: a quoted field is not closed")]
    Unclosed { line: usize },
    #[error("line {line}: a field longer than {max} bytes")]
    FieldTooLong { line: usize, max: usize },
}

/// Splits `text` into records; blank lines are skipped.
pub(crate) fn records(text: &str) -> Result<Vec<Record>, CsvError> {
    let mut reader = Reader {
        records: Vec::new(),
        fields: Vec::new(),
        field: String::new(),
        line: 1,
        record_line: 1,
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if reader.field.is_empty() => reader.quoted(&mut chars)?,
            '"' => return Err(CsvError::StrayQuote { line: reader.line }),
            ',' => reader.end_field(),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                reader.end_record();
                reader.line += 1;
                reader.record_line = reader.line;
            }
            other => reader.push(other)?,
        }
    }
    reader.end_record();
    Ok(reader.records)
}

struct Reader {
    records: Vec<Record>,
    fields: Vec<String>,
    field: String,
    line: usize,
    record_line: usize,
}

impl Reader {
    fn push(&mut self, c: char) -> Result<(), CsvError> {
        if self.field.len() + c.len_utf8() > MAILING_FIELD_BYTES_MAX {
            return Err(CsvError::FieldTooLong {
                line: self.line,
                max: MAILING_FIELD_BYTES_MAX,
            });
        }
        self.field.push(c);
        Ok(())
    }

    /// Reads a quoted field up to its closing quote, which must end the field.
    fn quoted(
        &mut self,
        chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    ) -> Result<(), CsvError> {
        let start = self.line;
        loop {
            match chars.next() {
                None => return Err(CsvError::Unclosed { line: start }),
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    self.push('"')?;
                }
                Some('"') => break,
                Some(c) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    self.push(c)?;
                }
            }
        }
        match chars.peek() {
            None | Some(',' | '\n' | '\r') => Ok(()),
            Some(_) => Err(CsvError::AfterQuote { line: self.line }),
        }
    }

    fn end_field(&mut self) {
        self.fields.push(std::mem::take(&mut self.field));
    }

    fn end_record(&mut self) {
        self.end_field();
        let fields = std::mem::take(&mut self.fields);
        let is_blank = fields.len() == 1 && fields[0].trim().is_empty();
        if !is_blank {
            self.records.push(Record {
                line: self.record_line,
                fields,
            });
        }
    }
}

/// Where each known column is in the header, in the order of `Fields::COLUMNS`.
type Columns = [Option<usize>; Fields::COLUMNS.len()];

fn columns(header: &[String]) -> Result<Columns, String> {
    let mut found = [None; Fields::COLUMNS.len()];
    for (at, name) in header.iter().enumerate() {
        let name = name.trim();
        let index = Fields::COLUMNS
            .iter()
            .position(|column| *column == name)
            .ok_or_else(|| unknown_column(name))?;
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
    Ok(found)
}

/// Why `name` is no column, with a hint when the header looks separated by `;` (what a
/// Swedish spreadsheet writes as "CSV").
fn unknown_column(name: &str) -> String {
    let known = Fields::COLUMNS.join(", ");
    let hint = if name.contains(';') {
        "; the columns look separated by ';', but a manifest separates them with ',' \
         (in Excel save as \"CSV UTF-8\", or use a .json manifest)"
    } else {
        ""
    };
    format!("unknown column {name:?} (known: {known}){hint}")
}

/// A record's fields by column; `attachments` are split on `;`.
fn fields(columns: &Columns, place: RowPlace, mut record: Vec<String>) -> Fields {
    let mut fields = Fields::empty(place);
    for (column, at) in Fields::COLUMNS.iter().zip(columns) {
        let Some(value) = at.and_then(|at| record.get_mut(at)).map(std::mem::take) else {
            continue;
        };
        match fields.text_mut(column) {
            Some(field) => *field = value,
            None => fields.attachments = value.split(';').map(str::to_owned).collect(),
        }
    }
    fields
}
