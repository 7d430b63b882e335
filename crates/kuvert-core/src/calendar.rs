//! Calendar values of the statistics: the Swedish calendar day an event is counted on and the
//! month (`YYYY-MM`) letters are counted per.
//!
//! Statistics are read by Swedish communicators, so a registration at 00:30 on 1 January
//! Swedish time belongs to the new year even though it is still 31 December in UTC.
//! [`stockholm_day`] uses jiff's bundled tz database (Europe/Stockholm), so the answer does
//! not depend on the machine's zone files.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::tz::TimeZone;
use time::{Date, Month, OffsetDateTime};

/// Swedish time (Europe/Stockholm), the one zone every Swedish calendar day and sending hour
/// is reckoned in. The bundled database always holds it (checked by a unit test).
pub static STOCKHOLM: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Europe/Stockholm").expect("jiff's bundled tz database has Europe/Stockholm")
});

/// The calendar day `at` falls on in Sweden (Europe/Stockholm).
#[must_use]
pub fn stockholm_day(at: OffsetDateTime) -> Date {
    let utc_date = at.to_offset(time::UtcOffset::UTC).date();
    let Ok(stamp) = jiff::Timestamp::from_second(at.unix_timestamp()) else {
        return utc_date;
    };
    let local = stamp.to_zoned_datetime(STOCKHOLM.clone()).date();
    Month::try_from(u8::try_from(local.month()).unwrap_or(0))
        .ok()
        .and_then(|month| {
            Date::from_calendar_date(
                i32::from(local.year()),
                month,
                u8::try_from(local.day()).unwrap_or(0),
            )
            .ok()
        })
        .unwrap_or(utc_date)
}

/// Why a text is not a `YYYY-MM` month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("month is not of the form YYYY-MM with a year 1000-9999 and a month 01-12")]
pub struct YearMonthError;

/// A calendar month, written `YYYY-MM`: the unit letters are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct YearMonth {
    year: i32,
    month: Month,
}

impl YearMonth {
    /// The month of `year` (1000–9999) and `month`.
    pub fn new(year: i32, month: Month) -> Result<Self, YearMonthError> {
        if !(1000..=9999).contains(&year) {
            return Err(YearMonthError);
        }
        Ok(Self { year, month })
    }

    /// The month `day` falls in.
    #[must_use]
    pub fn of(day: Date) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Self, YearMonthError> {
        let (year, month) = text.split_once('-').ok_or(YearMonthError)?;
        let is_shape = year.len() == 4 && month.len() == 2;
        let is_digits = year
            .bytes()
            .chain(month.bytes())
            .all(|b| b.is_ascii_digit());
        if !is_shape || !is_digits {
            return Err(YearMonthError);
        }
        let year: i32 = year.parse().map_err(|_| YearMonthError)?;
        let month: u8 = month.parse().map_err(|_| YearMonthError)?;
        Self::new(year, Month::try_from(month).map_err(|_| YearMonthError)?)
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year.
    #[must_use]
    pub fn month(self) -> Month {
        self.month
    }

    /// The first day of the month.
    #[must_use]
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1)
            .expect("day 1 exists in every month of years 1000-9999")
    }

    /// The last day of the month.
    #[must_use]
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, self.month.length(self.year))
            .expect("a month's length is a valid day of it")
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = YearMonthError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests;
