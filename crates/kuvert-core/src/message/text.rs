//! Constrained strings of the message model: one newtype per element, each built only by
//! `parse`, which checks the XSD bound (or ours from `kuvert_core::limits` where the XSD gives
//! none) and that every character can travel in XML 1.0.
//!
//! Lengths count characters (Unicode scalar values), as XSD `maxLength` does.

use std::fmt;

use super::error::MessageError;
use crate::limits;

/// Declares text newtypes from a table of `Name: "XSD element", min, max, line[, rule];`,
/// each with `parse`, `as_str`, `Display`, `FromStr`, `TryFrom<String>` and serde as its
/// string, all through `parse`. `parse` checks the bounds and characters ([`check_text`]),
/// then the type's own rule (default [`any_text`]): one way in for every text of the message
/// model, whether bounded only or also patterned.
macro_rules! bounded_text {
    (@one $(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr, $line:expr, []) => {
        bounded_text!(@one $(#[$doc])* $name, $field, $min, $max, $line, [any_text]);
    };
    (
        @one $(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr, $line:expr,
        [$rule:path]
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// The XSD element this text fills, as named in errors.
            pub const FIELD: &'static str = $field;

            /// Checks the bounds, characters and rule, naming the element in any error.
            pub fn parse(text: &str) -> Result<Self, MessageError> {
                check_text($field, text, $min, $max, $line)?;
                $rule($field, text)?;
                Ok(Self(text.to_owned()))
            }

            /// The text as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = MessageError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = MessageError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
    ($(
        $(#[$doc:meta])*
        $name:ident: $field:literal, $min:expr, $max:expr, $line:expr $(, $rule:path)?;
    )*) => {
        $(bounded_text!(@one $(#[$doc])* $name, $field, $min, $max, $line, [$($rule)?]);)*
    };
}

/// Whether a text may span lines; single-line texts also refuse tab, CR and LF.
pub(super) const SINGLE_LINE: bool = true;
/// See [`SINGLE_LINE`].
const MULTI_LINE: bool = false;

bounded_text! {
    /// `msg3:Header/Id`: the sender's id of a message; with the sender it is the
    /// idempotency key of a delivery ([`super::DeliveryKey`]).
    MessageId: "Message/Header/Id", 1, limits::MESSAGE_ID_CHARS_MAX, SINGLE_LINE;
    /// `msg3:Subject` (maxLength 255). Never empty or only white space: the XSD allows it,
    /// but the recipient's inbox lists letters by subject, so every letter needs one (issue
    /// 11). This one rule holds for `kuvert send`, a mailing's rows and the operator's
    /// intake alike, because each of them builds its subject here.
    Subject: "Subject", 0, limits::SUBJECT_CHARS_MAX, MULTI_LINE, not_blank;
    /// `sndr:Name`: the sender's name as the recipient sees it (2..256).
    SenderName: "Sender/Name", limits::SENDER_NAME_CHARS_MIN,
        limits::SENDER_NAME_CHARS_MAX, MULTI_LINE;
    /// `msg3:Supportinfo/Text`: whom to ask about the letter (maxLength 1024).
    SupportText: "Supportinfo/Text", 0, limits::SUPPORT_TEXT_CHARS_MAX, MULTI_LINE;
    /// `msg3:Supportinfo/URL` (`anyURI`, maxLength 255).
    SupportUrl: "Supportinfo/URL", 1, limits::SUPPORT_URL_CHARS_MAX, SINGLE_LINE;
    /// `msg3:Supportinfo/PhoneNumber` (maxLength 255).
    PhoneNumber: "Supportinfo/PhoneNumber", 1, limits::SUPPORT_URL_CHARS_MAX, SINGLE_LINE;
    /// `msg2:Reference`: the sender's reference for the delivery.
    Reference: "Header/Reference", 0, limits::HEADER_TEXT_CHARS_MAX, MULTI_LINE;
    /// `msg2:CorrelationId`: the sender's id tying deliveries together.
    CorrelationId: "Header/CorrelationId", 0, limits::HEADER_TEXT_CHARS_MAX, MULTI_LINE;
    /// `msg2:Attention` or `sndr:Attention`: a person or unit the letter is for or from.
    Attention: "Attention", 0, limits::HEADER_TEXT_CHARS_MAX, MULTI_LINE;
    /// `msg:MetaData/Tag`.
    MetadataTag: "Metadata/Tag", 0, limits::METADATA_TEXT_CHARS_MAX, MULTI_LINE;
    /// `msg:MetaData/Value`.
    MetadataValue: "Metadata/Value", 0, limits::METADATA_TEXT_CHARS_MAX, MULTI_LINE;
    /// `svc:DeliveryResult/TransId`: the operator's id of an accepted delivery.
    TransId: "TransId", 1, limits::TRANS_ID_CHARS_MAX, SINGLE_LINE;
    /// `ofm3:Identity/EventId` ("HändelseID", a GUID).
    EventId: "Identity/EventId", 0, limits::OFFICIAL_MATTER_ID_CHARS_MAX, SINGLE_LINE;
    /// `ofm3:Identity/OfficialMatterId` ("KundärendeID").
    OfficialMatterId: "Identity/OfficialMatterId", 0,
        limits::OFFICIAL_MATTER_ID_CHARS_MAX, SINGLE_LINE;
    /// `ofm3:Identity/PrecedingEventId` ("KorrespondensID").
    PrecedingEventId: "Identity/PrecedingEventId", 0,
        limits::OFFICIAL_MATTER_ID_CHARS_MAX, SINGLE_LINE;
    /// `ofm3:MatterSubject` ("Kundämne", maxLength 2000).
    MatterSubject: "MatterSubject", 0, limits::OFFICIAL_MATTER_TEXT_CHARS_MAX, MULTI_LINE;
    /// `ofm3:EventType` ("Händelsetyp", maxLength 2000).
    EventType: "EventType", 0, limits::OFFICIAL_MATTER_TEXT_CHARS_MAX, MULTI_LINE;
    /// `rcpt:EMailAdress`: 5..256 characters matching `.+@.+\..+` (PROTOCOL.md §4).
    EmailAddress: "EmailAdress", limits::EMAIL_ADDRESS_CHARS_MIN,
        limits::EMAIL_ADDRESS_CHARS_MAX, SINGLE_LINE, email_pattern;
    /// `msg3:Language` (`xs:language`, e.g. `sv`, `sv-SE`; every sample sends `svSE`), matching
    /// `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
    Language: "Language", 1, limits::LANGUAGE_CHARS_MAX, SINGLE_LINE, language_pattern;
}

impl Language {
    /// Swedish as every real sample writes it (`svSE`, PROTOCOL.md §6.3).
    pub fn swedish() -> Self {
        Self("svSE".to_owned())
    }
}

impl Subject {
    /// A subject read back from a store that may hold letters accepted before the subject
    /// rule (issue 11), whose subject can be empty: bounds and characters are checked, the
    /// blank rule is not, so such a letter can still be listed and opened. New letters go
    /// through [`Subject::parse`].
    pub fn parse_stored(text: &str) -> Result<Self, MessageError> {
        check_text(Self::FIELD, text, 0, limits::SUBJECT_CHARS_MAX, MULTI_LINE)?;
        Ok(Self(text.to_owned()))
    }
}

impl MessageId {
    /// A message id from a UUID, the form reference senders use (PROTOCOL.md §6.3).
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        Self(uuid.hyphenated().to_string())
    }
}

impl TransId {
    /// A transaction id from a UUID, the form operators send (PROTOCOL.md §5.3).
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        Self(uuid.hyphenated().to_string())
    }
}

/// Checks the character count against `min..=max` and that every character may appear in
/// XML 1.0 (and, for single-line texts, is not tab, CR or LF).
pub(super) fn check_text(
    field: &'static str,
    text: &str,
    min: usize,
    max: usize,
    is_single_line: bool,
) -> Result<(), MessageError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(MessageError::TooLong { field, chars, max });
    }
    if chars < min {
        return Err(MessageError::TooShort { field, chars, min });
    }
    let forbidden = |c: char| !is_xml_char(c) || (is_single_line && c.is_control());
    match text.chars().position(forbidden) {
        Some(position) => Err(MessageError::ForbiddenCharacter { field, position }),
        None => Ok(()),
    }
}

/// The rule of a text that is bounded only: any text [`check_text`] let through.
fn any_text(_field: &'static str, _text: &str) -> Result<(), MessageError> {
    Ok(())
}

/// The rule of a text that must say something: not empty and not only white space.
fn not_blank(field: &'static str, text: &str) -> Result<(), MessageError> {
    if text.trim().is_empty() {
        return Err(MessageError::Blank { field });
    }
    Ok(())
}

/// The rule of [`EmailAddress`]: the XSD pattern `.+@.+\..+`.
fn email_pattern(field: &'static str, text: &str) -> Result<(), MessageError> {
    let expected = "an e-mail address of the form name@domain.tld";
    if !matches_email_pattern(text) {
        return Err(MessageError::Malformed { field, expected });
    }
    Ok(())
}

/// The rule of [`Language`]: the `xs:language` pattern.
fn language_pattern(field: &'static str, text: &str) -> Result<(), MessageError> {
    let expected = "a language tag such as sv or sv-SE";
    if !matches_language_pattern(text) {
        return Err(MessageError::Malformed { field, expected });
    }
    Ok(())
}

/// Whether XML 1.0 (§2.2 `Char`) can carry `c`; Rust's `char` already excludes surrogates.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FFFD}' | '\u{10000}'..)
}

/// `.+@.+\..+` over the whole text, where `.` is any character but CR and LF.
fn matches_email_pattern(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    if chars.iter().any(|&c| c == '\n' || c == '\r') {
        return false;
    }
    // The first `@` after position 0 leaves the most room after it, so it is enough to test.
    let Some(at) = chars
        .iter()
        .skip(1)
        .position(|&c| c == '@')
        .map(|index| index + 1)
    else {
        return false;
    };
    let dot_range = (at + 2)..chars.len().saturating_sub(1);
    chars
        .get(dot_range)
        .is_some_and(|middle| middle.contains(&'.'))
}

/// `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*` over the whole text.
fn matches_language_pattern(text: &str) -> bool {
    let mut subtags = text.split('-');
    let primary = subtags.next().unwrap_or_default();
    let is_primary_ok =
        (1..=8).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    is_primary_ok
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.chars().all(|c| c.is_ascii_alphanumeric())
        })
}
