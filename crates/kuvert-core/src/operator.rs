//! How a mailbox operator is named: [`ServiceDomain`], its internet domain on the wire and in
//! signed texts (`ServiceSupplier`, PROTOCOL.md §5.1), and [`OperatorSlug`], its short name in
//! the portal's addresses. Both are parsed once at the edge (config, wire, database rows), so
//! every role compares and stores the same validated text.

use std::fmt;
use std::str::FromStr;

use crate::limits::{OPERATOR_SLUG_CHARS_MAX, SERVICE_DOMAIN_CHARS_MAX};

/// An operator's internet domain, e.g. `kivra.se`: the value of `ServiceSupplier` in
/// `register` and `changeServiceSupplier` (PROTOCOL.md §5.1 op 1, op 11): lowercase labels of
/// `a-z`, `0-9` and `-`, at least two of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct ServiceDomain(String);

/// Why a text is not a [`ServiceDomain`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "service domain is not a lowercase internet domain of at most {SERVICE_DOMAIN_CHARS_MAX} \
     characters"
)]
pub struct ServiceDomainError;

/// An operator's short name in portal addresses (`/skaffa/{slug}`): 1–
/// [`OPERATOR_SLUG_CHARS_MAX`] characters of `a-z`, `0-9` and `-`, so it needs no escaping
/// in a path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct OperatorSlug(String);

/// Why a text is not an [`OperatorSlug`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("operator slug must be 1-{OPERATOR_SLUG_CHARS_MAX} characters of a-z, 0-9 and -")]
pub struct OperatorSlugError;

impl ServiceDomain {
    /// Parses a lowercase internet domain such as `mail.example.se`.
    ///
    /// # Errors
    /// [`ServiceDomainError`] for anything else (uppercase, one label, a URL, too long).
    pub fn parse(text: &str) -> Result<Self, ServiceDomainError> {
        let is_label = |label: &str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if text.len() > SERVICE_DOMAIN_CHARS_MAX || text.split('.').count() < 2 {
            return Err(ServiceDomainError);
        }
        if !text.split('.').all(is_label) {
            return Err(ServiceDomainError);
        }
        Ok(Self(text.to_owned()))
    }

    /// The domain text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl OperatorSlug {
    /// Parses a slug.
    ///
    /// # Errors
    /// [`OperatorSlugError`] for an empty, too long or non-slug text.
    pub fn parse(text: &str) -> Result<Self, OperatorSlugError> {
        let is_valid = (1..=OPERATOR_SLUG_CHARS_MAX).contains(&text.len())
            && text
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if is_valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(OperatorSlugError)
        }
    }

    /// The slug text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OperatorSlug {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Implements `Display`, `FromStr`, `TryFrom<String>` and `Serialize` (as the text) through
/// the type's `parse`, so serde, clap and sqlx all share one validation.
macro_rules! text_conversions {
    ($type:ty, $error:ty) => {
        impl fmt::Display for $type {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl FromStr for $type {
            type Err = $error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<String> for $type {
            type Error = $error;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

text_conversions!(ServiceDomain, ServiceDomainError);
text_conversions!(OperatorSlug, OperatorSlugError);

#[cfg(test)]
mod tests;
