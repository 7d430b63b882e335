//! Days and months as the statistics tables store them: TEXT `YYYY-MM-DD` and `YYYY-MM`,
//! which sort in time order as text on SQLite and PostgreSQL alike; range bounds checked
//! once for every statistics query; and the '' that statistics keys store for "none".

use kuvert_core::calendar::YearMonth;
use kuvert_core::limits::STATISTICS_RANGE_DAYS_MAX;
use sqlx::any::AnyRow;
use time::Date;

use crate::database::{get_parsed, get_text};
use crate::error::{CorruptColumn, StoreError};

/// A day as stored.
pub(crate) fn day_text(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Parses a stored day.
fn parse_day(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// Reads a day column.
pub(crate) fn get_day(row: &AnyRow, column: &'static str) -> Result<Date, StoreError> {
    get_parsed(row, column, |text| parse_day(text).ok_or(()))
}

/// Reads a month column.
pub(crate) fn get_month(row: &AnyRow, column: &'static str) -> Result<YearMonth, StoreError> {
    get_parsed(row, column, YearMonth::parse)
}

/// Checks that `from..=to` is a forward range of at most
/// [`STATISTICS_RANGE_DAYS_MAX`] days.
pub(crate) fn check_range(from: Date, to: Date) -> Result<(), StoreError> {
    let days = (to - from).whole_days();
    if !(0..STATISTICS_RANGE_DAYS_MAX).contains(&days) {
        return Err(StoreError::OutOfBounds {
            what: "statistics date range",
        });
    }
    Ok(())
}

/// An empty text for "none", as the statistics keys store it (a NULL would make every
/// absent source its own key row).
pub(crate) fn key_text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

/// Reads a key column where '' means "none" and anything else parses into its typed value.
pub(crate) fn get_key<T, E>(
    row: &AnyRow,
    column: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let text = get_text(row, column)?;
    if text.is_empty() {
        return Ok(None);
    }
    parse(&text)
        .map(Some)
        .map_err(|_| StoreError::internal("decode row", CorruptColumn { column }))
}

#[cfg(test)]
mod tests;
