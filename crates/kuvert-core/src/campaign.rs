//! Campaign codes: the short token in a deep link (`/skaffa?kampanj=VAR-2026`) that ties a
//! visit, an operator choice and a completed registration to one campaign.
//!
//! A code is compared without regard to case, because people type codes from paper letters
//! and posters; it is therefore kept in upper case, so `var-2026` and `VAR-2026` are the same
//! value everywhere (store keys, the registry's source field, the portal's funnel).

use std::fmt;
use std::str::FromStr;

use crate::limits::CAMPAIGN_CODE_CHARS_MAX;

/// Why a text is not a campaign code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignCodeError {
    /// Empty, or longer than [`CAMPAIGN_CODE_CHARS_MAX`] characters.
    #[error("campaign code has {length} characters but must have 1 to {max}")]
    WrongLength {
        /// Length of the text in bytes (every accepted character is one byte).
        length: usize,
        /// The bound.
        max: usize,
    },
    /// A character other than an ASCII letter, digit, `_` or `-`.
    #[error("campaign code has a character other than a letter, digit, '_' or '-' at {position}")]
    BadCharacter {
        /// Zero-based character position of the first offending character.
        position: usize,
    },
}

/// A campaign code: 1–32 of `[A-Za-z0-9_-]`, case-insensitive, held in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct CampaignCode(String);

impl CampaignCode {
    /// Parses a code as typed or linked; the result is in upper case.
    pub fn parse(text: &str) -> Result<Self, CampaignCodeError> {
        if let Some(position) = text
            .chars()
            .position(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(CampaignCodeError::BadCharacter { position });
        }
        if !(1..=CAMPAIGN_CODE_CHARS_MAX).contains(&text.len()) {
            return Err(CampaignCodeError::WrongLength {
                length: text.len(),
                max: CAMPAIGN_CODE_CHARS_MAX,
            });
        }
        Ok(Self(text.to_ascii_uppercase()))
    }

    /// The code in upper case, as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CampaignCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl FromStr for CampaignCode {
    type Err = CampaignCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for CampaignCode {
    type Error = CampaignCodeError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl serde::Serialize for CampaignCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
