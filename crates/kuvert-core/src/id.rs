//! Identity numbers: personnummer, samordningsnummer and organisationsnummer (PROTOCOL.md §4,
//! §11.9).
//!
//! Every id that crosses a Kuvert boundary is parsed here once, so holding a
//! [`PersonalIdentityNumber`] or an [`OrganisationNumber`] proves the digits are well formed,
//! the date is a real calendar date and the Luhn check digit matches. The XSD checks only the
//! shape; the Luhn rule is ours, as every real client applies it.
//!
//! Errors never repeat the input: a personnummer in a log line is personal data.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::plural::CHARACTERS;

/// Why a text is not a valid identity number; each variant names the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityNumberError {
    /// The text has a length no accepted form has.
    #[error("identity number has {}, which matches no accepted form", CHARACTERS.count(*length))]
    WrongLength {
        /// Length of the text in characters.
        length: usize,
    },
    /// A character where a digit belongs is not an ASCII digit.
    #[error("identity number has a non-digit at position {position}")]
    NotDigits {
        /// Zero-based character position of the first offending character.
        position: usize,
    },
    /// The character between date and serial number is not an accepted separator.
    #[error("identity number has separator {found:?} where '-' or '+' is accepted")]
    BadSeparator {
        /// The character found in the separator position.
        found: char,
    },
    /// The century of a personnummer is not 18, 19 or 20 (the XSD pattern).
    #[error("identity number century {century} is not 18, 19 or 20")]
    BadCentury {
        /// The century digits found (or computed from a 10-digit form).
        century: u16,
    },
    /// The date part is not a real calendar date (for a samordningsnummer: after subtracting
    /// 60 from the day). The date itself is left out because it is personal data.
    #[error("identity number date part is not a valid calendar date")]
    InvalidDate,
    /// The last digit does not match the Luhn check digit of the 10-digit form.
    #[error("check digit is {found} but the Luhn rule gives {expected}")]
    BadCheckDigit {
        /// The check digit computed from the first nine digits.
        expected: u8,
        /// The check digit in the text.
        found: u8,
    },
    /// The third digit of an organisationsnummer is below 2 (PROTOCOL.md §4, v1 XSD
    /// `16[2-9]\d{9}`), so the number would be read as a personnummer.
    #[error("organisation number third digit is {digit} but must be 2 or more")]
    ThirdDigitTooLow {
        /// The third digit found.
        digit: u8,
    },
    /// A 12-digit organisationsnummer must start with `16`.
    #[error("12-digit organisation number must start with 16")]
    MissingPrefix,
}

/// The written forms an entry accepts; every [`IdentityTextError`] names them, so a person
/// who typed an id that was refused learns how to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedForms {
    /// A personnummer or samordningsnummer ([`AcceptedForms::PERSON`]).
    Person,
    /// An organisationsnummer ([`AcceptedForms::ORGANISATION`]).
    Organisation,
    /// A recipient: either of the above.
    Recipient,
}

impl AcceptedForms {
    /// How a personnummer or samordningsnummer may be written (Skatteverket: `+` before the
    /// serial number of a person who has turned 100).
    pub const PERSON: &'static str = "YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDDNNNN \
        or YYMMDD+NNNN (100 years or older)";
    /// How an organisationsnummer may be written (`16` + 10 digits is the wire form).
    pub const ORGANISATION: &'static str = "NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN";
}

impl fmt::Display for AcceptedForms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (person, organisation) = (Self::PERSON, Self::ORGANISATION);
        match self {
            Self::Person => write!(f, "write a personnummer or samordningsnummer as {person}"),
            Self::Organisation => write!(f, "write an organisationsnummer as {organisation}"),
            Self::Recipient => write!(
                f,
                "write a personnummer or samordningsnummer as {person}, \
                 an organisationsnummer as {organisation}"
            ),
        }
    }
}

/// Why an id as a person wrote it (a command-line flag, a manifest cell) is refused: the rule
/// that failed and the forms that are accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule}; {forms}")]
pub struct IdentityTextError {
    /// The rule the text broke.
    pub rule: IdentityNumberError,
    /// The forms the entry accepts.
    pub forms: AcceptedForms,
}

/// Personnummer or samordningsnummer: 12 digits `YYYYMMDDNNNN`, Luhn-checked (PROTOCOL.md §4).
///
/// A samordningsnummer has 60 added to the day of birth (days 61..91).
/// `Debug` masks the serial number and check digit; `Display` gives the 12 digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct PersonalIdentityNumber {
    digits: String,
    birth_date: Date,
}

/// Organisationsnummer: 10 digits, third digit 2 or more, Luhn-checked (PROTOCOL.md §11.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct OrganisationNumber(String);

/// The recipient of a letter: a person or an organisation, told apart by the wire form
/// (`16` + organisationsnummer, or a 12-digit personnummer; PROTOCOL.md §4 `rcpt:RecipientId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum RecipientId {
    /// A person, by personnummer or samordningsnummer.
    Person(PersonalIdentityNumber),
    /// An organisation, by organisationsnummer.
    Organisation(OrganisationNumber),
}

impl PersonalIdentityNumber {
    /// Parses the 12-digit form `YYYYMMDDNNNN` or `YYYYMMDD-NNNN`.
    pub fn parse(text: &str) -> Result<Self, IdentityNumberError> {
        require_ascii(text)?;
        let digits = match text.len() {
            12 => text.to_owned(),
            13 => {
                let separator = char::from(text.as_bytes()[8]);
                if separator != '-' {
                    return Err(IdentityNumberError::BadSeparator { found: separator });
                }
                let (date, serial) = (&text[..8], &text[9..]);
                require_digits(date, 0)?;
                require_digits(serial, 9)?;
                format!("{date}{serial}")
            }
            length => return Err(IdentityNumberError::WrongLength { length }),
        };
        require_digits(&digits, 0)?;
        let century = u16::from(digit_at(&digits, 0)) * 10 + u16::from(digit_at(&digits, 1));
        if !(18..=20).contains(&century) {
            return Err(IdentityNumberError::BadCentury { century });
        }
        let year = i32::from(number_at(&digits, 0, 4));
        let month = number_at(&digits, 4, 2);
        let birth_date = birth_date(year, month, number_at(&digits, 6, 2))?;
        check_luhn(&digits[2..])?;
        Ok(Self { digits, birth_date })
    }

    /// Parses the 10-digit forms `YYMMDD-NNNN`, `YYMMDD+NNNN` and `YYMMDDNNNN` as of `today`.
    ///
    /// With `-` or no separator the century is the latest one that does not put the birth
    /// date after `today`; `+` marks a person who is 100 years old or more (Skatteverket's
    /// rule for the 10-digit form).
    pub fn parse_short(text: &str, today: Date) -> Result<Self, IdentityNumberError> {
        require_ascii(text)?;
        let (short, years_back) = match text.len() {
            10 => (text.to_owned(), 0),
            11 => {
                let separator = char::from(text.as_bytes()[6]);
                let years_back = match separator {
                    '-' => 0,
                    '+' => 100,
                    found => return Err(IdentityNumberError::BadSeparator { found }),
                };
                let (date, serial) = (&text[..6], &text[7..]);
                require_digits(date, 0)?;
                require_digits(serial, 7)?;
                (format!("{date}{serial}"), years_back)
            }
            length => return Err(IdentityNumberError::WrongLength { length }),
        };
        require_digits(&short, 0)?;
        let two_digit_year = i32::from(number_at(&short, 0, 2));
        let month = number_at(&short, 2, 2);
        let day = number_at(&short, 4, 2);
        let real_day = if day > 60 { day - 60 } else { day };
        // The latest year ending in these two digits whose birthday is not after today, moved
        // back by the years the separator demands. Tuples compare like dates and, unlike
        // `Date`, also exist for 29 February in a common year.
        let today_tuple = (
            today.year(),
            u16::from(u8::from(today.month())),
            u16::from(today.day()),
        );
        let mut year = today.year() - (today.year() - two_digit_year).rem_euclid(100);
        if (year, month, real_day) > today_tuple {
            year -= 100;
        }
        year -= years_back;
        let century = u16::try_from(year.div_euclid(100)).unwrap_or(0);
        if !(18..=20).contains(&century) {
            return Err(IdentityNumberError::BadCentury { century });
        }
        Self::parse(&format!("{century}{short}"))
    }

    /// Parses any written form ([`AcceptedForms::PERSON`], surrounding blanks ignored), the
    /// short forms as of `today` (see [`PersonalIdentityNumber::parse_short`]).
    pub fn parse_written(text: &str, today: Date) -> Result<Self, IdentityTextError> {
        let text = text.trim();
        let parsed = match text.len() {
            10 | 11 => Self::parse_short(text, today),
            _ => Self::parse(text),
        };
        parsed.map_err(|rule| IdentityTextError {
            rule,
            forms: AcceptedForms::Person,
        })
    }

    /// The 12 digits, `YYYYMMDDNNNN`.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// Whether this is a samordningsnummer (day of birth + 60).
    pub fn is_coordination_number(&self) -> bool {
        number_at(&self.digits, 6, 2) > 60
    }

    /// The date of birth (for a samordningsnummer: with 60 taken off the day).
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }
}

impl OrganisationNumber {
    /// Parses `NNNNNNNNNN`, `NNNNNN-NNNN` or the wire form `16NNNNNNNNNN`.
    pub fn parse(text: &str) -> Result<Self, IdentityNumberError> {
        require_ascii(text)?;
        let digits = match text.len() {
            10 => text.to_owned(),
            11 => {
                let separator = char::from(text.as_bytes()[6]);
                if separator != '-' {
                    return Err(IdentityNumberError::BadSeparator { found: separator });
                }
                let (first, last) = (&text[..6], &text[7..]);
                require_digits(first, 0)?;
                require_digits(last, 7)?;
                format!("{first}{last}")
            }
            12 => {
                require_digits(text, 0)?;
                match text.strip_prefix("16") {
                    Some(rest) => rest.to_owned(),
                    None => return Err(IdentityNumberError::MissingPrefix),
                }
            }
            length => return Err(IdentityNumberError::WrongLength { length }),
        };
        require_digits(&digits, 0)?;
        let third = digit_at(&digits, 2);
        if third < 2 {
            return Err(IdentityNumberError::ThirdDigitTooLow { digit: third });
        }
        check_luhn(&digits)?;
        Ok(Self(digits))
    }

    /// Parses any written form ([`AcceptedForms::ORGANISATION`], surrounding blanks ignored).
    pub fn parse_written(text: &str) -> Result<Self, IdentityTextError> {
        Self::parse(text.trim()).map_err(|rule| IdentityTextError {
            rule,
            forms: AcceptedForms::Organisation,
        })
    }

    /// The 10 digits, without prefix or hyphen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 12-character wire form, `16` + 10 digits (PROTOCOL.md §4 `sndr:OrganizationNumber`).
    pub fn to_wire(&self) -> String {
        format!("16{}", self.0)
    }
}

impl RecipientId {
    /// Parses the 12-character wire form: `16…` is an organisation, anything else a person.
    pub fn parse(text: &str) -> Result<Self, IdentityNumberError> {
        require_ascii(text)?;
        let length = text.len();
        if length != 12 {
            return Err(IdentityNumberError::WrongLength { length });
        }
        if text.starts_with("16") {
            OrganisationNumber::parse(text).map(Self::Organisation)
        } else {
            PersonalIdentityNumber::parse(text).map(Self::Person)
        }
    }

    /// Parses a recipient in any written form of a personnummer, samordningsnummer or
    /// organisationsnummer ([`AcceptedForms::Recipient`]), the short personal forms as of
    /// `today`. The forms never overlap: an organisationsnummer's third digit is 2 or more
    /// where a personnummer has the tens of its month, and `16` is no century of a person.
    pub fn parse_written(text: &str, today: Date) -> Result<Self, IdentityTextError> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let is_organisation = match bytes.len() {
            12 => text.starts_with("16"),
            10 | 11 => bytes[2].is_ascii_digit() && bytes[2] >= b'2' && bytes[6] != b'+',
            _ => false,
        };
        let parsed = if is_organisation {
            OrganisationNumber::parse(text).map(Self::Organisation)
        } else {
            match bytes.len() {
                10 | 11 => PersonalIdentityNumber::parse_short(text, today).map(Self::Person),
                _ => PersonalIdentityNumber::parse(text).map(Self::Person),
            }
        };
        parsed.map_err(|rule| IdentityTextError {
            rule,
            forms: AcceptedForms::Recipient,
        })
    }

    /// The 12-character wire form.
    pub fn to_wire(&self) -> String {
        match self {
            Self::Person(person) => person.as_str().to_owned(),
            Self::Organisation(organisation) => organisation.to_wire(),
        }
    }
}

/// Fails on the first non-ASCII character, so that lengths and slices below can count bytes.
fn require_ascii(text: &str) -> Result<(), IdentityNumberError> {
    match text.chars().position(|c| !c.is_ascii()) {
        Some(position) => Err(IdentityNumberError::NotDigits { position }),
        None => Ok(()),
    }
}

/// Fails unless every character of `text` is an ASCII digit; `offset` is where `text` starts
/// in the caller's input, so the reported position refers to the original text.
fn require_digits(text: &str, offset: usize) -> Result<(), IdentityNumberError> {
    match text.chars().position(|c| !c.is_ascii_digit()) {
        Some(position) => Err(IdentityNumberError::NotDigits {
            position: offset + position,
        }),
        None => Ok(()),
    }
}

/// The digit at byte `index` of an all-digit string.
fn digit_at(digits: &str, index: usize) -> u8 {
    digits.as_bytes()[index] - b'0'
}

/// The decimal number in `len` digits from byte `start` of an all-digit string (len ≤ 4).
fn number_at(digits: &str, start: usize, len: usize) -> u16 {
    (start..start + len).fold(0, |number, index| {
        number * 10 + u16::from(digit_at(digits, index))
    })
}

/// The birth date for a year, month and day as written (a day above 60 is a samordningsnummer).
fn birth_date(year: i32, month: u16, day: u16) -> Result<Date, IdentityNumberError> {
    let day = if day > 60 { day - 60 } else { day };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    let day = u8::try_from(day).ok();
    match (month, day) {
        (Some(month), Some(day)) => {
            Date::from_calendar_date(year, month, day).map_err(|_| IdentityNumberError::InvalidDate)
        }
        _ => Err(IdentityNumberError::InvalidDate),
    }
}

/// The Luhn check digit for the first nine digits of `ten_digits`.
fn luhn_check_digit(ten_digits: &str) -> u8 {
    let sum: u32 = (0..9)
        .map(|index| {
            let weighted = u32::from(digit_at(ten_digits, index)) * (2 - index as u32 % 2);
            weighted / 10 + weighted % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Fails unless the last of `ten_digits` is the Luhn check digit of the other nine.
fn check_luhn(ten_digits: &str) -> Result<(), IdentityNumberError> {
    let expected = luhn_check_digit(ten_digits);
    let found = digit_at(ten_digits, 9);
    if expected == found {
        Ok(())
    } else {
        Err(IdentityNumberError::BadCheckDigit { expected, found })
    }
}

impl fmt::Debug for PersonalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The serial number and check digit identify the person; the date alone does not.
        f.debug_tuple("PersonalIdentityNumber")
            .field(&format_args!("{}-****", &self.digits[..8]))
            .finish()
    }
}

impl fmt::Display for PersonalIdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl fmt::Display for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RecipientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

/// Implements `FromStr`, `TryFrom<String>` and `Serialize` (as the canonical string) through
/// the type's `parse`, so serde, clap and sqlx all share one validation.
macro_rules! text_conversions {
    ($type:ty, $canonical:expr) => {
        impl FromStr for $type {
            type Err = IdentityNumberError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<String> for $type {
            type Error = IdentityNumberError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let canonical: fn(&$type) -> String = $canonical;
                serializer.serialize_str(&canonical(self))
            }
        }
    };
}

text_conversions!(PersonalIdentityNumber, |id| id.as_str().to_owned());
text_conversions!(OrganisationNumber, |id| id.as_str().to_owned());
text_conversions!(RecipientId, RecipientId::to_wire);

#[cfg(test)]
mod tests;
