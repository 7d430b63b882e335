//! Words that change with a count: "1 oläst meddelande" but "2 olästa meddelanden", "1 letter"
//! but "0 letters".
//!
//! Swedish and English, the two languages of the interface (TERMS.md), share one plural rule:
//! the singular for exactly one, the plural for every other count, zero included. So a
//! [`Plural`] is a pair of phrases and needs no language of its own. It lives in the core
//! because counts are shown by every layer: the sender's errors, the CLI and the pages.

use std::fmt;

/// A phrase in its singular and plural form, e.g. `Plural::new("bilaga", "bilagor")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plural {
    one: &'static str,
    other: &'static str,
}

/// "1 character", "2 characters": the unit of the core's length errors.
pub const CHARACTERS: Plural = Plural::new("character", "characters");

/// A count with its phrase, displayed as `"{count} {phrase}"` ([`Plural::count`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    count: u64,
    phrase: &'static str,
}

impl Plural {
    /// The phrase `one` for a count of one and `other` for every other count.
    #[must_use]
    pub const fn new(one: &'static str, other: &'static str) -> Self {
        Self { one, other }
    }

    /// The form of the phrase for `count`, without the number.
    #[must_use]
    pub fn form(self, count: u64) -> &'static str {
        if count == 1 { self.one } else { self.other }
    }

    /// The count and the phrase in the form it needs: `2 bilagor`.
    #[must_use]
    pub fn count(self, count: impl TryInto<u64>) -> Counted {
        // A count that does not fit in u64 cannot occur in memory; show the plural then.
        let count = count.try_into().unwrap_or(u64::MAX);
        Counted {
            count,
            phrase: self.form(count),
        }
    }
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.count, self.phrase)
    }
}

#[cfg(test)]
mod tests;
