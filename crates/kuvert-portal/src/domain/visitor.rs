//! Counting visitors without tracking them: a visitor is
//! `SHA-256(daily salt ‖ client address ‖ user agent)`, where the salt is 32 random bytes
//! that live only in this process's memory and are replaced when the day changes in
//! Stockholm. Yesterday's hashes cannot be recomputed by anyone afterwards, so they say
//! nothing about a person; only the counts they produced are kept.
//!
//! [`stockholm_date`] gives the day: Swedish time is CET (UTC+1) and CEST (UTC+2) from 01:00
//! UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October (EU directive
//! 2000/84/EC), so no time-zone database is needed.

use std::sync::{Mutex, PoisonError};

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};

/// The salts of the current Stockholm day. One per process; never written anywhere.
pub(crate) struct VisitorSalts {
    random: SystemRandom,
    current: Mutex<Option<(Date, [u8; 32])>>,
}

/// A visitor's hash for one day, and whether computing it started a new day (the caller then
/// deletes the previous days' hashes from the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DailyVisitor {
    pub(crate) day: Date,
    pub(crate) hash: [u8; 32],
    pub(crate) is_new_day: bool,
}

impl std::fmt::Debug for VisitorSalts {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The salt itself is never printed: with it, today's hashes could be reversed by
        // trying addresses.
        formatter.debug_struct("VisitorSalts").finish_non_exhaustive()
    }
}

impl VisitorSalts {
    pub(crate) fn new() -> Self {
        Self {
            random: SystemRandom::new(),
            current: Mutex::new(None),
        }
    }

    /// The hash of `address` and `user_agent` on `day`; a day other than the current salt's
    /// replaces the salt first (the old one is dropped and cannot be recovered).
    pub(crate) fn visitor(&self, day: Date, address: &str, user_agent: &str) -> DailyVisitor {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let (salt, is_new_day) = match *current {
            Some((salt_day, salt)) if salt_day == day => (salt, false),
            _ => {
                let salt = self.fresh_salt();
                *current = Some((day, salt));
                (salt, true)
            }
        };
        drop(current);
        DailyVisitor {
            day,
            hash: visitor_hash(&salt, address, user_agent),
            is_new_day,
        }
    }

    fn fresh_salt(&self) -> [u8; 32] {
        let mut salt = [0_u8; 32];
        // The system generator failing means the kernel has no entropy source: nothing in
        // the portal can be trusted then, so this is a true invariant.
        self.random
            .fill(&mut salt)
            .expect("the operating system's random generator works");
        salt
    }
}

/// `SHA-256(salt ‖ address ‖ 0x00 ‖ user_agent)`; the zero byte keeps `("1.2.3.4", "5x")`
/// and `("1.2.3.45", "x")` apart.
pub(crate) fn visitor_hash(salt: &[u8; 32], address: &str, user_agent: &str) -> [u8; 32] {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(salt);
    context.update(address.as_bytes());
    context.update(&[0]);
    context.update(user_agent.as_bytes());
    let mut hash = [0_u8; 32];
    hash.copy_from_slice(context.finish().as_ref());
    hash
}

/// The date in Stockholm at `at`.
pub(crate) fn stockholm_date(at: OffsetDateTime) -> Date {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer_starts = last_sunday_at_one_utc(year, Month::March);
    let summer_ends = last_sunday_at_one_utc(year, Month::October);
    let hours = if (summer_starts..summer_ends).contains(&utc) { 2 } else { 1 };
    utc.saturating_add(time::Duration::hours(hours)).date()
}

/// 01:00 UTC on the last Sunday of `month` (March or October, both 31 days long).
fn last_sunday_at_one_utc(year: i32, month: Month) -> OffsetDateTime {
    let last_day = Date::from_calendar_date(year, month, 31)
        .or_else(|_| Date::from_calendar_date(year, month, 30))
        .unwrap_or(Date::MIN);
    let back = i64::from(last_day.weekday().number_days_from_sunday());
    let sunday = last_day.saturating_sub(time::Duration::days(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sunday);
    sunday.with_time(Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc()
}

#[cfg(test)]
mod tests;
