//! [`WireError`]: why a SOAP envelope could not be read as the operation it claims to be.
//!
//! Every variant carries the element path (`isReachableResponse/return[2]/AccountStatus`) so
//! the caller can answer with an `INVALID_INPUT` fault that says exactly what was wrong.

use crate::fault::Fault;

/// Why an envelope or one of its elements was rejected.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The text is not well-formed XML or exceeds the parser's limits.
    #[error("envelope is not acceptable xml: {reason}")]
    Xml {
        /// What the parser reported.
        reason: String,
    },
    /// The document is not a SOAP 1.1 envelope with exactly one Body child.
    #[error("not a soap 1.1 envelope: {reason}")]
    NotAnEnvelope {
        /// What is missing or unexpected.
        reason: String,
    },
    /// The Body child names no operation this service knows.
    #[error("unknown operation {{{namespace}}}{name}")]
    UnknownOperation {
        /// Namespace of the Body child (empty when unqualified).
        namespace: String,
        /// Local name of the Body child.
        name: String,
    },
    /// A required element is absent.
    #[error("missing element {path}")]
    MissingElement {
        /// Path of the element that should be there.
        path: String,
    },
    /// An element is present where the schema allows none (or out of order).
    #[error("unexpected element {{{namespace}}}{name} at {path}")]
    UnexpectedElement {
        /// Path of the parent element.
        path: String,
        /// Namespace of the unexpected element.
        namespace: String,
        /// Local name of the unexpected element.
        name: String,
    },
    /// An attribute the schema does not allow on this element (only `Id` on `SealedDelivery`
    /// and `SignedDelivery`, PROTOCOL.md §6.1).
    #[error("unexpected attribute {{{namespace}}}{name} at {path}")]
    UnexpectedAttribute {
        /// Path of the element carrying it.
        path: String,
        /// Namespace of the attribute (empty when unqualified).
        namespace: String,
        /// Local name of the attribute.
        name: String,
    },
    /// Delivery content (`SealedDelivery`, `SignedDelivery`, `Seal`, `deliverSecure`, or any
    /// element of a Mina meddelanden namespace in `soap:Header`) outside the one position
    /// the profile gives it: a signature-wrapping attempt.
    #[error("{name} found outside its one position in the sealed delivery, at {path}")]
    MisplacedDelivery {
        /// Path of the parent of the misplaced element.
        path: String,
        /// Local name of the misplaced element.
        name: String,
    },
    /// An attribute value or namespace name longer than `limits::XML_ATTRIBUTE_BYTES_MAX`.
    #[error("attribute {name} at {path} has {bytes} bytes, at most {max} allowed")]
    AttributeTooLarge {
        /// Path of the element carrying it.
        path: String,
        /// The attribute's local name (`xmlns` for a namespace declaration).
        name: String,
        /// Its size in bytes.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// An element's text is not a valid value of its type.
    #[error("invalid value at {path}: {reason}")]
    InvalidValue {
        /// Path of the element or attribute.
        path: String,
        /// Why the value is rejected (never the value itself: it may be personal data).
        reason: String,
    },
    /// An element repeats more often than the schema or a Kuvert limit allows.
    #[error("{path} occurs {count} times, at most {max} allowed")]
    TooMany {
        /// Path of the repeated element.
        path: String,
        /// How many were found.
        count: usize,
        /// The bound (`kuvert_core::limits` or the XSD).
        max: usize,
    },
    /// A body or attachment content type outside the allow-list (PROTOCOL.md §6.3), which
    /// servers answer with `UNSUPPORTED_MIME_TYPE` (5019).
    #[error("unsupported content type at {path}: {reason}")]
    UnsupportedContentType {
        /// Path of the element whose content type is refused.
        path: String,
        /// Which type and why (the file name, never content).
        reason: String,
    },
    /// An attachment's `Checksum` is not the MD5 of its body (PROTOCOL.md §6.3).
    #[error("attachment checksum mismatch at {path}")]
    ChecksumMismatch {
        /// Path of the `Checksum` element.
        path: String,
    },
    /// The peer answered with a SOAP fault carrying an MM error (PROTOCOL.md §10).
    #[error("peer answered with fault {}: {}", .0.code, .0.description)]
    Fault(Box<Fault>),
    /// The peer answered with a SOAP fault without an MM detail.
    #[error("peer answered with soap fault {faultcode}: {faultstring}")]
    SoapFault {
        /// The `faultcode` text (a QName such as `soap:Server`).
        faultcode: String,
        /// The `faultstring` text.
        faultstring: String,
    },
}
