//! Counting visitors without tracking them: a visitor is
//! `SHA-256(daily salt ‖ client address ‖ user agent)`, where the salt is 32 random bytes
//! that live only in this process's memory and are replaced when the day changes in
//! Stockholm (`kuvert_core::calendar::stockholm_day`). Yesterday's hashes cannot be
//! recomputed by anyone afterwards, so they say nothing about a person; only the counts they
//! produced are kept.

use std::sync::{Mutex, PoisonError};

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use time::Date;

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
        formatter
            .debug_struct("VisitorSalts")
            .finish_non_exhaustive()
    }
}

impl VisitorSalts {
    pub(crate) fn new() -> Self {
        Self {
            random: SystemRandom::new(),
            current: Mutex::new(None),
        }
    }

    /// Drops the salt when `day` is not its day, so yesterday's salt does not outlive the day
    /// change even when nobody visits (the portal's day-change task calls this each minute).
    /// Returns whether a salt was dropped.
    pub(crate) fn forget_unless(&self, day: Date) -> bool {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        match *current {
            Some((salt_day, _)) if salt_day != day => {
                *current = None;
                true
            }
            _ => false,
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

#[cfg(test)]
mod tests;
