//! The content of a letter: the body, attachments, their file names and MD5 checksums
//! (PROTOCOL.md §6.3).
//!
//! Content is personal data, so `Debug` shows types and lengths, never bytes.

use std::fmt;

use md5::{Digest, Md5};

use super::error::{MessageError, excerpt};
use super::text::{SINGLE_LINE, check_text};
use crate::limits;

/// `msg3:Body`: the letter text, `text/plain` (UTF-8) or `text/html`.
#[derive(Clone, PartialEq, Eq)]
pub struct Body {
    content_type: BodyContentType,
    content: Vec<u8>,
}

/// The body content types Mina meddelanden allows (PROTOCOL.md §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyContentType {
    /// `text/plain`: unformatted text, UTF-8.
    TextPlain,
    /// `text/html`: HTML that validates against its doctype.
    TextHtml,
}

/// `msg3:Attachment`: a file with its name, type and the MD5 checksum of its bytes.
///
/// The checksum always matches the content: [`Attachment::new`] computes it and
/// [`Attachment::from_wire`] refuses a received one that differs.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    filename: Filename,
    content_type: AttachmentContentType,
    content: Vec<u8>,
    checksum: Md5Checksum,
}

/// The attachment content types Kuvert accepts. Every implementation seen sends only
/// `application/pdf` and no official list exists (PROTOCOL.md §6.3); anything else is refused
/// with `UNSUPPORTED_MIME_TYPE` (5019).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentContentType {
    /// `application/pdf`.
    Pdf,
}

/// An attachment's parts as text, the way they arrive on the wire.
#[derive(Clone, Copy)]
pub struct ReceivedAttachment<'a> {
    /// `msg:Filename`.
    pub filename: &'a str,
    /// `msg:ContentType`.
    pub content_type: &'a str,
    /// `msg:Body`, already base64-decoded.
    pub content: &'a [u8],
    /// `msg:Checksum`: MD5 in hex.
    pub checksum: &'a str,
}

/// `msg:Filename`: one file name, without directories or control characters, 1..255
/// characters, so it is safe to show and to offer as a download name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Filename(String);

/// `msg:Checksum`: MD5 of the attachment bytes, 32 uppercase hex digits (PROTOCOL.md §6.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Md5Checksum(String);

impl Body {
    /// A body of `content_type`; a `text/plain` body must be UTF-8.
    pub fn new(content_type: BodyContentType, content: Vec<u8>) -> Result<Self, MessageError> {
        if content_type == BodyContentType::TextPlain
            && let Err(error) = std::str::from_utf8(&content)
        {
            return Err(MessageError::BodyNotUtf8 {
                valid_up_to: error.valid_up_to(),
            });
        }
        Ok(Self {
            content_type,
            content,
        })
    }

    /// A `text/plain` body from text, which is UTF-8 by construction.
    pub fn plain_text(text: String) -> Self {
        Self {
            content_type: BodyContentType::TextPlain,
            content: text.into_bytes(),
        }
    }

    /// A `text/html` body from markup.
    pub fn html(markup: String) -> Self {
        Self {
            content_type: BodyContentType::TextHtml,
            content: markup.into_bytes(),
        }
    }

    /// The content type.
    pub fn content_type(&self) -> BodyContentType {
        self.content_type
    }

    /// The raw bytes (not base64).
    pub fn content(&self) -> &[u8] {
        &self.content
    }
}

impl BodyContentType {
    /// Parses `text/plain` or `text/html`, ignoring case and surrounding blanks.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("text/plain") {
            Ok(Self::TextPlain)
        } else if trimmed.eq_ignore_ascii_case("text/html") {
            Ok(Self::TextHtml)
        } else {
            Err(MessageError::UnsupportedBodyType {
                content_type: excerpt(text),
            })
        }
    }

    /// The MIME type as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TextPlain => "text/plain",
            Self::TextHtml => "text/html",
        }
    }
}

impl Attachment {
    /// An attachment with its MD5 checksum computed from `content`.
    pub fn new(filename: Filename, content_type: AttachmentContentType, content: Vec<u8>) -> Self {
        let checksum = Md5Checksum::of(&content);
        Self {
            filename,
            content_type,
            content,
            checksum,
        }
    }

    /// An attachment as received: every part is parsed and the checksum must be the MD5 of
    /// the content (compared without regard to hex case). Errors name the file.
    pub fn from_wire(received: ReceivedAttachment<'_>) -> Result<Self, MessageError> {
        let filename = Filename::parse(received.filename)?;
        let content_type = match AttachmentContentType::parse(received.content_type) {
            Some(content_type) => content_type,
            None => {
                let content_type = excerpt(received.content_type);
                return Err(MessageError::UnsupportedAttachmentType {
                    filename,
                    content_type,
                });
            }
        };
        let attachment = Self::new(filename, content_type, received.content.to_vec());
        if !received
            .checksum
            .trim()
            .eq_ignore_ascii_case(attachment.checksum.as_str())
        {
            return Err(MessageError::ChecksumMismatch {
                found: excerpt(received.checksum),
                computed: attachment.checksum,
                filename: attachment.filename,
            });
        }
        Ok(attachment)
    }

    /// The file name.
    pub fn filename(&self) -> &Filename {
        &self.filename
    }

    /// The content type.
    pub fn content_type(&self) -> AttachmentContentType {
        self.content_type
    }

    /// The raw bytes (not base64).
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The MD5 checksum of [`Attachment::content`].
    pub fn checksum(&self) -> &Md5Checksum {
        &self.checksum
    }
}

impl AttachmentContentType {
    /// The allow-listed type for a MIME type (case-insensitive), or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        text.trim()
            .eq_ignore_ascii_case("application/pdf")
            .then_some(Self::Pdf)
    }

    /// The MIME type as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
        }
    }
}

impl Filename {
    /// The XSD element this text fills, as named in errors.
    pub const FIELD: &'static str = "Attachment/Filename";

    /// Accepts a name of 1..255 characters without `/`, `\`, control characters, and other
    /// than `.` or `..`; refuses anything else rather than guessing what was meant.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        check_text(
            Self::FIELD,
            text,
            1,
            limits::FILENAME_CHARS_MAX,
            SINGLE_LINE,
        )?;
        if let Some(position) = text.chars().position(|c| c == '/' || c == '\\') {
            return Err(MessageError::ForbiddenCharacter {
                field: Self::FIELD,
                position,
            });
        }
        if text == "." || text == ".." {
            let expected = "a file name other than . or ..";
            return Err(MessageError::Malformed {
                field: Self::FIELD,
                expected,
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// A safe name made from any text, such as a local path a sender attaches: keeps the last
    /// path component, replaces forbidden characters with `_`, and cuts to 255 characters.
    pub fn sanitise(text: &str) -> Self {
        let last = text.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
                    '_'
                } else {
                    c
                }
            })
            .take(limits::FILENAME_CHARS_MAX)
            .collect();
        match cleaned.as_str() {
            "" | "." | ".." => Self("attachment".to_owned()),
            _ => Self(cleaned),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Md5Checksum {
    /// The MD5 of `content`, as uppercase hex.
    pub fn of(content: &[u8]) -> Self {
        Self(hex::encode_upper(Md5::digest(content)))
    }

    /// The 32 uppercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("content_type", &self.content_type)
            .field("content_bytes", &self.content.len())
            .finish()
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("content_bytes", &self.content.len())
            .field("checksum", &self.checksum)
            .finish()
    }
}

impl fmt::Display for Filename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Md5Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
