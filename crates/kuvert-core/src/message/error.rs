//! [`MessageError`]: why a part of a letter is not valid, with the field and the bound.
//!
//! One enum for the whole message model, because callers map it in few ways: a size breach is
//! `MAX_EXCEEDED` (5005), an unsupported content type `UNSUPPORTED_MIME_TYPE` (5019), and
//! everything else `INVALID_INPUT` (5001; PROTOCOL.md §10). [`MessageError::is_too_large`] and
//! [`MessageError::is_unsupported_type`] tell them apart without matching every variant.

use super::content::{Filename, Md5Checksum};
use crate::plural::CHARACTERS;

/// Why a value of the message model (PROTOCOL.md §6) is not valid.
///
/// `field` names the element as the XSD does (`Subject`, `Supportinfo/Text`, ...), so the
/// message a sender sees points at the element to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// A text has more characters than its bound.
    #[error("{field} has {}, more than the {max} allowed", CHARACTERS.count(*chars))]
    TooLong {
        /// The element, as the XSD names it.
        field: &'static str,
        /// Characters (Unicode scalar values) in the text.
        chars: usize,
        /// The bound from `kuvert_core::limits`.
        max: usize,
    },
    /// A text has fewer characters than its bound.
    #[error("{field} has {}, fewer than the {min} required", CHARACTERS.count(*chars))]
    TooShort {
        /// The element, as the XSD names it.
        field: &'static str,
        /// Characters (Unicode scalar values) in the text.
        chars: usize,
        /// The bound from `kuvert_core::limits`.
        min: usize,
    },
    /// A text that must say something is empty or only white space (the subject).
    #[error("{field} is empty; every letter needs one")]
    Blank {
        /// The element, as the XSD names it.
        field: &'static str,
    },
    /// A text holds a character that XML 1.0 cannot carry, or (for file names and
    /// single-line values) a control character.
    #[error("{field} has a forbidden character at position {position}")]
    ForbiddenCharacter {
        /// The element, as the XSD names it.
        field: &'static str,
        /// Zero-based character position of the first forbidden character.
        position: usize,
    },
    /// A text does not have the form its element requires.
    #[error("{field} is not {expected}")]
    Malformed {
        /// The element, as the XSD names it.
        field: &'static str,
        /// What the element requires, in words.
        expected: &'static str,
    },
    /// A `text/plain` body is not UTF-8.
    #[error("text/plain body is not utf-8 after byte {valid_up_to}")]
    BodyNotUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The body content type is neither `text/plain` nor `text/html` (PROTOCOL.md §6.3).
    #[error("body content type {content_type:?} is not supported; use text/plain or text/html")]
    UnsupportedBodyType {
        /// The content type given, cut to 64 characters.
        content_type: String,
    },
    /// An attachment has a content type outside the allow-list (PROTOCOL.md §6.3; fault 5019).
    #[error("attachment {filename} has content type {content_type:?}, which is not supported")]
    UnsupportedAttachmentType {
        /// The attachment's file name.
        filename: Filename,
        /// The content type given, cut to 64 characters.
        content_type: String,
    },
    /// An attachment's `Checksum` is not the MD5 of its content (PROTOCOL.md §6.3).
    #[error("attachment {filename} has checksum {found:?} but its content has md5 {computed}")]
    ChecksumMismatch {
        /// The attachment's file name.
        filename: Filename,
        /// The checksum text received, cut to 64 characters.
        found: String,
        /// The MD5 of the content received.
        computed: Md5Checksum,
    },
    /// More entries of a repeated element than the bound allows.
    #[error("{field} occurs {count} times, more than the {max} allowed")]
    TooMany {
        /// The element, as the XSD names it.
        field: &'static str,
        /// How many were given.
        count: usize,
        /// The bound from `kuvert_core::limits`.
        max: usize,
    },
    /// The letter's estimated encoded size is over the bound (PROTOCOL.md §6.3: 2 MB).
    #[error("the letter needs about {bytes} bytes encoded, more than the {max} allowed")]
    TooLarge {
        /// Estimated bytes of the base64-encoded body and attachments.
        bytes: u64,
        /// The bound, by default `limits::ENVELOPE_BYTES_DEFAULT_MAX`.
        max: u64,
    },
}

impl MessageError {
    /// Whether this is a size breach, reported as `MAX_EXCEEDED` (5005).
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. } | Self::TooMany { .. })
    }

    /// Whether this is an unsupported content type, reported as `UNSUPPORTED_MIME_TYPE` (5019).
    pub fn is_unsupported_type(&self) -> bool {
        matches!(
            self,
            Self::UnsupportedBodyType { .. } | Self::UnsupportedAttachmentType { .. }
        )
    }
}

/// Cuts untrusted text kept in an error to 64 characters, so an error stays small.
pub(super) fn excerpt(text: &str) -> String {
    text.chars().take(64).collect()
}
