//! [`PostalAddress`]: where a paper letter goes (a mailing manifest's `address`), checked so
//! that a print house can print it in an envelope's window.

use std::fmt;

use crate::limits::{
    POSTAL_ADDRESS_LINE_CHARS_MAX, POSTAL_ADDRESS_LINES_MAX, POSTAL_ADDRESS_LINES_MIN,
};

/// A postal address: `POSTAL_ADDRESS_LINES_MIN..=POSTAL_ADDRESS_LINES_MAX` lines of at most
/// `POSTAL_ADDRESS_LINE_CHARS_MAX` characters, each character printable in Latin-1 (what the
/// paper letter's font has: every Swedish and most European letters). `Debug` masks it: an
/// address is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct PostalAddress(Vec<String>);

/// Why a text is no postal address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalAddressError {
    /// Too few or too many lines.
    #[error(
        "{lines} address lines, give {POSTAL_ADDRESS_LINES_MIN} to {POSTAL_ADDRESS_LINES_MAX} \
         (name, street, postcode and town), one per line"
    )]
    Lines {
        /// The non-blank lines given.
        lines: usize,
    },
    /// A line is too long for the envelope's window.
    #[error("address line {line} has {chars} characters, at most {POSTAL_ADDRESS_LINE_CHARS_MAX}")]
    LineTooLong {
        /// The line (from 1).
        line: usize,
        /// Its characters.
        chars: usize,
    },
    /// A character the printer's font does not have, or a control character.
    #[error("address line {line} has {character:?}, which cannot be printed (Latin-1 only)")]
    Character {
        /// The line (from 1).
        line: usize,
        /// The character.
        character: char,
    },
}

impl PostalAddress {
    /// Parses an address written one line per line (`\n` or `\r\n`); blank lines and the
    /// blanks around each line are dropped.
    ///
    /// # Errors
    /// [`PostalAddressError`] naming the line and the rule.
    pub fn parse(text: &str) -> Result<Self, PostalAddressError> {
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        if !(POSTAL_ADDRESS_LINES_MIN..=POSTAL_ADDRESS_LINES_MAX).contains(&lines.len()) {
            return Err(PostalAddressError::Lines { lines: lines.len() });
        }
        for (index, line) in lines.iter().enumerate() {
            let chars = line.chars().count();
            if chars > POSTAL_ADDRESS_LINE_CHARS_MAX {
                return Err(PostalAddressError::LineTooLong {
                    line: index + 1,
                    chars,
                });
            }
            if let Some(character) = line.chars().find(|c| !is_printable_latin1(*c)) {
                return Err(PostalAddressError::Character {
                    line: index + 1,
                    character,
                });
            }
        }
        Ok(Self(lines))
    }

    /// The lines, top to bottom.
    pub fn lines(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Debug for PostalAddress {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "PostalAddress({} lines)", self.0.len())
    }
}

/// A character of ISO 8859-1 that prints: no control characters (C0, DEL, C1).
fn is_printable_latin1(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_keeps_its_lines_and_refuses_what_cannot_be_printed() {
        let address =
            PostalAddress::parse("  Åsa Öberg\r\n\nStorgatan 1\n123 45 Småstad\n").unwrap();
        assert_eq!(
            address.lines(),
            ["Åsa Öberg", "Storgatan 1", "123 45 Småstad"]
        );
        assert_eq!(format!("{address:?}"), "PostalAddress(3 lines)");
        assert_eq!(
            PostalAddress::parse("Bara ett namn"),
            Err(PostalAddressError::Lines { lines: 1 })
        );
        assert_eq!(
            PostalAddress::parse(&format!("Namn\n{}", "x".repeat(41))),
            Err(PostalAddressError::LineTooLong { line: 2, chars: 41 })
        );
        assert_eq!(
            PostalAddress::parse("Namn\n12345 Ort \u{2603}"),
            Err(PostalAddressError::Character {
                line: 2,
                character: '\u{2603}'
            })
        );
        assert_eq!(
            PostalAddress::parse("a\nb\nc\nd\ne\nf\ng"),
            Err(PostalAddressError::Lines { lines: 7 })
        );
    }
}
