//! What the intermediary and the operator add around a letter: the [`Seal`] (PROTOCOL.md
//! §6.1) with its `xs:date` [`SealDate`], and the operator's [`Receipt`] (*kvittens*, §5.3).

use std::fmt;

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, UtcOffset};

use super::error::MessageError;
use super::text::TransId;
use crate::id::RecipientId;

/// `msg:Seal`: added and signed by the intermediary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// `msg:ReceivedTime`: the day the intermediary received the letter.
    pub received_date: SealDate,
    /// `msg:SignaturesOK`: the intermediary checked the sender's signature (always `true` in
    /// every implementation seen).
    pub signatures_ok: bool,
}

/// An `xs:date`: a calendar date with the optional time-zone offset the XSD allows, e.g.
/// `2023-10-11+02:00`, `2020-05-28Z` or `2020-05-28` (used by `Seal/ReceivedTime` and
/// `OfficialMatter/Timestamp`). The offset is kept so the date is written back as received
/// (UTC as `Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealDate {
    date: Date,
    offset: Option<UtcOffset>,
}

/// `svc:DeliveryResult`: the operator's receipt (*kvittens*) for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The operator's id of the accepted delivery.
    pub trans_id: TransId,
    /// The recipient the status is about (`svc:DeliveryStatus/RecipientId`).
    pub recipient: RecipientId,
    /// `svc:DeliveryStatus/Delivered`.
    pub is_delivered: bool,
}

/// `YYYY-MM-DD`, the date part of `xs:date` for years 0000..9999.
const DATE_FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
/// `+HH:MM` or `-HH:MM`, the offset part of `xs:date`.
const OFFSET_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[offset_hour sign:mandatory]:[offset_minute]");

impl SealDate {
    /// The XSD element this text fills, as named in errors.
    pub const FIELD: &'static str = "ReceivedTime";

    /// A date with an optional offset.
    pub fn new(date: Date, offset: Option<UtcOffset>) -> Self {
        Self { date, offset }
    }

    /// Parses `Seal/ReceivedTime`: `YYYY-MM-DD` followed by nothing, `Z` or `±HH:MM`.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        Self::parse_field(Self::FIELD, text)
    }

    /// Parses `OfficialMatter/Timestamp`, which has the same form as [`SealDate::parse`].
    pub fn parse_timestamp(text: &str) -> Result<Self, MessageError> {
        Self::parse_field("OfficialMatter/Timestamp", text)
    }

    /// Parses an `xs:date`, naming `field` in the error.
    fn parse_field(field: &'static str, text: &str) -> Result<Self, MessageError> {
        let malformed = MessageError::Malformed {
            field,
            expected: "a date such as 2023-10-11 or 2023-10-11+02:00",
        };
        let (date_text, offset_text) = match text.get(..10) {
            Some(date_text) => (date_text, &text[10..]),
            None => return Err(malformed),
        };
        let date = Date::parse(date_text, DATE_FORMAT).map_err(|_| malformed.clone())?;
        let offset = match offset_text {
            "" => None,
            "Z" => Some(UtcOffset::UTC),
            _ => Some(UtcOffset::parse(offset_text, OFFSET_FORMAT).map_err(|_| malformed)?),
        };
        Ok(Self { date, offset })
    }

    /// The calendar date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The offset, when the text had one.
    pub fn offset(&self) -> Option<UtcOffset> {
        self.offset
    }
}

impl fmt::Display for SealDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.date.format(DATE_FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&date)?;
        match self.offset {
            None => Ok(()),
            Some(offset) if offset.is_utc() => f.write_str("Z"),
            Some(offset) => {
                let offset = offset.format(OFFSET_FORMAT).map_err(|_| fmt::Error)?;
                f.write_str(&offset)
            }
        }
    }
}
