//! Counting visitors without tracking them: a visitor is
//! `SHA-256(daily salt ‖ client address ‖ user agent)`, where the salt is 32 random bytes
//! of the Stockholm day (`kuvert_core::calendar::stockholm_day`), kept in the portal's
//! database so that every node hashes a visitor alike, and deleted when the day is over.
//! Yesterday's hashes cannot be recomputed by anyone afterwards, so they say nothing about a
//! person; only the counts they produced are kept. [`VisitorSalts`] is one node's cache of
//! the day's salt.

use std::sync::{Mutex, PoisonError};

use aws_lc_rs::digest;
use time::Date;

/// This node's copy of the current Stockholm day's salt; never written anywhere.
pub(crate) struct VisitorSalts {
    current: Mutex<Option<(Date, [u8; 32])>>,
}

/// A visitor's hash for one day, and whether computing it started a new day on this node
/// (the caller then deletes the previous days' hashes from the store).
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

    /// The hash of `address` and `user_agent` on `day` with the salt held, or `None` when
    /// this node holds no salt of `day` (then ask the store for it and use
    /// [`VisitorSalts::visitor_with`]).
    pub(crate) fn visitor(
        &self,
        day: Date,
        address: &str,
        user_agent: &str,
    ) -> Option<DailyVisitor> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let (salt_day, salt) = (*current)?;
        drop(current);
        (salt_day == day).then(|| DailyVisitor {
            day,
            hash: visitor_hash(&salt, address, user_agent),
            is_new_day: false,
        })
    }

    /// Holds `salt` as `day`'s from now on (replacing another day's, which is dropped) and
    /// gives the hash of `address` and `user_agent` with it.
    pub(crate) fn visitor_with(
        &self,
        day: Date,
        salt: [u8; 32],
        address: &str,
        user_agent: &str,
    ) -> DailyVisitor {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let is_new_day = !matches!(*current, Some((salt_day, _)) if salt_day == day);
        *current = Some((day, salt));
        drop(current);
        DailyVisitor {
            day,
            hash: visitor_hash(&salt, address, user_agent),
            is_new_day,
        }
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
