//! When a notification may go out: pure functions of the time, tested around 07:00, 21:00
//! and both daylight saving changes (`schedule/tests.rs`).
//!
//! People get notifications only between 07:00 and 21:00 Swedish time (Europe/Stockholm, from
//! jiff's bundled tz database, so the rule holds on a machine without one), and at most one
//! per channel per hour: letters that arrive within the hour after a notification wait for its
//! end and then go out together as one summary.

use jiff::{Timestamp, civil};
use kuvert_core::calendar::STOCKHOLM;
use time::OffsetDateTime;

/// First hour of the day a notification may be sent, Swedish time.
pub const SENDING_FROM_HOUR: i8 = 7;
/// The hour from which notifications wait for the next morning, Swedish time.
pub const SENDING_UNTIL_HOUR: i8 = 21;
/// Shortest time between two notifications on one channel; what arrives in between is
/// gathered into one summary.
pub const SUMMARY_WINDOW: time::Duration = time::Duration::hours(1);

/// The earliest time a notification on a channel may be sent, given the time now and when
/// the last one on that channel was sent: not within [`SUMMARY_WINDOW`] of the last one, and
/// inside the sending hours.
#[must_use]
pub fn next_send_time(now: OffsetDateTime, last_sent_at: Option<OffsetDateTime>) -> OffsetDateTime {
    let earliest = match last_sent_at {
        Some(last) if last + SUMMARY_WINDOW > now => last + SUMMARY_WINDOW,
        _ => now,
    };
    within_sending_hours(earliest)
}

/// `at` itself when it falls between 07:00 and 21:00 Swedish time; otherwise the next 07:00.
#[must_use]
pub fn within_sending_hours(at: OffsetDateTime) -> OffsetDateTime {
    let Some(zoned) = to_timestamp(at).map(|stamp| stamp.to_zoned_datetime(STOCKHOLM.clone()))
    else {
        return at;
    };
    let hour = zoned.hour();
    let morning_date = if hour < SENDING_FROM_HOUR {
        zoned.date()
    } else if hour < SENDING_UNTIL_HOUR {
        return at;
    } else {
        match zoned.date().tomorrow() {
            Ok(date) => date,
            Err(_) => return at,
        }
    };
    // 07:00 is never inside a daylight saving gap or fold in Sweden (they are at 02:00-03:00),
    // so the local time maps to exactly one instant.
    let morning = morning_date.to_datetime(civil::Time::constant(SENDING_FROM_HOUR, 0, 0, 0));
    STOCKHOLM
        .to_timestamp(morning)
        .ok()
        .and_then(from_timestamp)
        .unwrap_or(at)
}

/// `at` as Swedish local time, `YYYY-MM-DD HH:MM`, for the settings page.
#[must_use]
pub fn swedish_time(at: OffsetDateTime) -> String {
    match to_timestamp(at) {
        Some(stamp) => stamp
            .to_zoned_datetime(STOCKHOLM.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        None => at.to_string(),
    }
}

fn to_timestamp(at: OffsetDateTime) -> Option<Timestamp> {
    Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()
}

fn from_timestamp(stamp: Timestamp) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(stamp.as_nanosecond()).ok()
}

#[cfg(test)]
mod tests;
