//! The JSON form of the manifest: one array of row objects with the CSV's column names as
//! members (`attachments` an array of file names), read into the same [`Fields`] the CSV
//! reader gives, so both go through one check.
//!
//! Only malformed JSON (or no top-level array) refuses the file, with serde_json's line and
//! column; a row that is not an object, names an unknown member or gives a member of the
//! wrong type is a bad row named by its index. Rows past `MAILING_MANIFEST_ROWS_MAX` are
//! counted but not kept. A member given twice keeps its last value (serde_json's objects).

use std::fmt;

use kuvert_core::limits::MAILING_MANIFEST_ROWS_MAX;
use serde::de::{Deserializer as _, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;

use super::manifest::{Fields, ParseError, RowError, RowPlace};

/// Reads `text` as a JSON array of rows: each row's fields or why the row is bad.
pub(crate) fn rows(text: &str) -> Result<Vec<Result<Fields, RowError>>, ParseError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read = deserializer
        .deserialize_seq(RowsVisitor)
        .and_then(|read| deserializer.end().map(|()| read))
        .map_err(syntax)?;
    if read.count > MAILING_MANIFEST_ROWS_MAX {
        return Err(ParseError::TooManyRows(read.count));
    }
    Ok(read
        .values
        .into_iter()
        .enumerate()
        .map(|(index, value)| fields(index, value))
        .collect())
}

/// The elements of the array, kept up to the row bound, and how many there were.
struct Read {
    values: Vec<Value>,
    count: usize,
}

struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = Read;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of manifest rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        let mut read = Read {
            values: Vec::new(),
            count: 0,
        };
        while read.count < MAILING_MANIFEST_ROWS_MAX {
            match seq.next_element::<Value>()? {
                Some(value) => read.values.push(value),
                None => return Ok(read),
            }
            read.count += 1;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            read.count += 1;
        }
        Ok(read)
    }
}

fn syntax(error: serde_json::Error) -> ParseError {
    let (line, column) = (error.line(), error.column());
    let text = error.to_string();
    let suffix = format!(" at line {line} column {column}");
    let reason = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    ParseError::Json {
        line,
        column,
        reason,
    }
}

/// One row object's members as [`Fields`]; a missing or `null` member is empty.
fn fields(index: usize, value: Value) -> Result<Fields, RowError> {
    let place = RowPlace::Index(index);
    let error = |column, reason: String| RowError {
        place,
        column,
        reason,
    };
    let Value::Object(members) = value else {
        return Err(error(
            None,
            format!("{} instead of an object", kind(&value)),
        ));
    };
    let mut fields = Fields::empty(place);
    for (name, value) in members {
        let Some(column) = Fields::COLUMNS.iter().find(|column| **column == name) else {
            let known = Fields::COLUMNS.join(", ");
            return Err(error(
                None,
                format!("unknown member {name:?} (known: {known})"),
            ));
        };
        let found = kind(&value);
        let wrong = |expected: &str| error(Some(column), format!("{found} instead of {expected}"));
        match (*column, value) {
            (_, Value::Null) => {}
            ("attachments", Value::Array(names)) => {
                for name in names {
                    match name {
                        Value::String(name) => fields.attachments.push(name),
                        other => {
                            return Err(error(
                                Some(column),
                                format!("{} instead of a file name", kind(&other)),
                            ));
                        }
                    }
                }
            }
            ("attachments", _) => return Err(wrong("an array of file names")),
            (_, Value::String(text)) => match fields.text_mut(column) {
                Some(field) => *field = text,
                None => return Err(wrong("a string")),
            },
            _ => return Err(wrong("a string")),
        }
    }
    Ok(fields)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
