//! MM application faults (PROTOCOL.md §10): the error codes, the `CallId`, and the SOAP 1.1
//! `soap:Fault` that carries them as `detail/{common3}applicationFault`.
//!
//! Clients also read the older Authority form, where the detail child is a per-operation
//! element (`getSendersFault`, …) of type `{…/schema/Common}ExceptionInformation`.

use std::fmt;

use kuvert_core::limits::{CALL_ID_CHARS_MAX, CALL_ID_CHARS_MIN};
use roxmltree::Node;

use crate::envelope::expanded_name;
use crate::error::WireError;
use crate::ns;
use crate::reader::Children;
use crate::writer::Writer;

/// An MM application error code: `ErrorCode` of `ExceptionInformation`, 1..=9998.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultCode(u16);

impl FaultCode {
    /// 5000 (`MIN` in the reference library): unknown error.
    pub const UNKNOWN: Self = Self(5000);
    /// 5001: invalid input.
    pub const INVALID_INPUT: Self = Self(5001);
    /// 5002: access denied (also an invalid XML signature).
    pub const ACCESS_DENIED: Self = Self(5002);
    /// 5003: object not found.
    pub const OBJECT_NOT_FOUND: Self = Self(5003);
    /// 5004: job not complete.
    pub const JOB_NOT_COMPLETE: Self = Self(5004);
    /// 5005: max exceeded (a size or count bound).
    pub const MAX_EXCEEDED: Self = Self(5005);
    /// 5006: account is referenced.
    pub const ACCOUNT_IS_REFERENCED: Self = Self(5006);
    /// 5007: object already exists.
    pub const OBJECT_ALREADY_EXISTS: Self = Self(5007);
    /// 5008: cannot remove the last contact.
    pub const CANNOT_REMOVE_LAST_CONTACT: Self = Self(5008);
    /// 5009: error when registering an account.
    pub const REGISTER_ACCOUNT_ERROR: Self = Self(5009);
    /// 5010: signature error when registering an account.
    pub const REGISTER_ACCOUNT_SIGNATURE_ERROR: Self = Self(5010);
    /// 5011: illegal state.
    pub const ILLEGAL_STATE: Self = Self(5011);
    /// 5012: signature error.
    pub const SIGNATURE_ERROR: Self = Self(5012);
    /// 5013: error sending an e-mail notification (the same number as SMS).
    pub const ERROR_SENDING_EMAIL: Self = Self(5013);
    /// 5013: error sending an SMS notification (the same number as e-mail).
    pub const ERROR_SENDING_SMS: Self = Self(5013);
    /// 5014: sender is not registered as an authorised sender.
    pub const UNKNOWN_SENDER: Self = Self(5014);
    /// 5015: filter error.
    pub const FILTER_ERROR: Self = Self(5015);
    /// 5016: unhandled null value.
    pub const NULL_VALUE: Self = Self(5016);
    /// 5017: error getting information from SPAR (population register).
    pub const SPAR_ERROR: Self = Self(5017);
    /// 5018: error getting information from Bolagsverket.
    pub const BOLAGSVERKET_ERROR: Self = Self(5018);
    /// 5019: content has a MIME type that is not supported.
    pub const UNSUPPORTED_MIME_TYPE: Self = Self(5019);
    /// 6004: the company form is not supported.
    pub const COMPANY_FORM_NOT_SUPPORTED: Self = Self(6004);
    /// 6005: the intermediary (WSDL "dispatcher") is not approved.
    pub const DISPATCHER_NOT_APPROVED: Self = Self(6005);
    /// 6006: the person has a protected identity.
    pub const PROTECTED_IDENTITY: Self = Self(6006);
    /// 6007: the person does not exist.
    pub const NOT_EXIST_IDENTITY: Self = Self(6007);
    /// 6008: error when sending an SMS through the SMS gateway.
    pub const TDC_ERROR: Self = Self(6008);
    /// 8000: search error.
    pub const SEARCH_ERROR: Self = Self(8000);
    /// 8001: insufficient search query.
    pub const INSUFFICIENT_SEARCH_QUERY: Self = Self(8001);
    /// 8002: the account does not exist.
    pub const SYSTEM_ACCOUNT_DOES_NOT_EXIST: Self = Self(8002);
    /// 8003: the user is not authorised.
    pub const SYSTEM_USER_NOT_AUTHORIZED: Self = Self(8003);
    /// 8004: the service provider does not exist.
    pub const SYSTEM_SERVICE_PROVIDER_DOES_NOT_EXIST: Self = Self(8004);

    /// A code read from the wire: `ErrorCode` allows 1..=9998 (v3 `minExclusive 0`,
    /// `maxExclusive 9999`), so codes this table does not name are kept, not rejected.
    ///
    /// # Errors
    /// A reason when the number is outside 1..=9998.
    pub fn new(number: u16) -> Result<Self, &'static str> {
        if (1..=9998).contains(&number) {
            Ok(Self(number))
        } else {
            Err("error code must be 1..=9998")
        }
    }

    /// The number on the wire.
    #[must_use]
    pub fn number(self) -> u16 {
        self.0
    }

    /// Whether the caller's request caused the fault (`soap:Client`), as opposed to the
    /// server (`soap:Server`): only unknown, internal and upstream errors are the server's.
    #[must_use]
    pub fn is_client_error(self) -> bool {
        !matches!(self.0, 5000 | 5011 | 5013 | 5016 | 5017 | 5018 | 6008)
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

/// A support correlation id: `CallId`, 20..=50 characters (PROTOCOL.md §10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallId(String);

impl CallId {
    /// A fresh id: a random UUID as 32 hex digits.
    #[must_use]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// An id read from the wire.
    ///
    /// # Errors
    /// A reason when the length is outside 20..=50 characters.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let length = text.chars().count();
        if (CALL_ID_CHARS_MIN..=CALL_ID_CHARS_MAX).contains(&length) {
            Ok(Self(text.to_owned()))
        } else {
            Err("call id must be 20..=50 characters")
        }
    }

    /// The id text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An MM application fault: what went wrong, in words a support desk can act on, and the
/// `CallId` to find the log record by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The MM error code.
    pub code: FaultCode,
    /// Human-readable description (never SQL, paths or backtraces).
    pub description: String,
    /// Correlation id shared by the response and the server's log record.
    pub call_id: CallId,
}

impl Fault {
    /// A fault with a fresh [`CallId`].
    #[must_use]
    pub fn new(code: FaultCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            call_id: CallId::new(),
        }
    }

    /// The v3 SOAP fault envelope: `detail/{common3}applicationFault`.
    #[must_use]
    pub fn to_envelope(&self) -> String {
        self.envelope_with_detail(ns::COMMON3, "applicationFault")
    }

    /// The Authority form: `detail/{Authority}<operation>Fault` of the v1
    /// `ExceptionInformation` type (PROTOCOL.md §2.3). `detail_name` is e.g. `getSendersFault`.
    #[must_use]
    pub fn to_authority_envelope(&self, detail_name: &'static str) -> String {
        self.envelope_with_detail(ns::AUTHORITY, detail_name)
    }

    fn envelope_with_detail(&self, namespace: &'static str, name: &'static str) -> String {
        let faultcode = if self.code.is_client_error() {
            "soap:Client"
        } else {
            "soap:Server"
        };
        let children_ns = if namespace == ns::COMMON3 {
            ns::COMMON3
        } else {
            ns::COMMON
        };
        // The description may quote what a client sent (a parser's "expected '>' not …"):
        // a character XML 1.0 cannot carry, even as a reference, would make the fault
        // itself unreadable, so it becomes U+FFFD.
        let description = xml_chars_only(&self.description);
        let mut writer = Writer::new();
        writer.leaf(ns::NONE, "faultcode", faultcode);
        writer.leaf(ns::NONE, "faultstring", &description);
        writer.start(ns::NONE, "detail");
        writer.start(namespace, name);
        writer.leaf(children_ns, "ErrorCode", &self.code.to_string());
        writer.leaf(children_ns, "Description", &description);
        writer.leaf(children_ns, "CallId", self.call_id.as_str());
        writer.end();
        writer.end();
        format!(
            "<soap:Envelope xmlns:soap=\"{soap}\"><soap:Body><soap:Fault>{}</soap:Fault>\
             </soap:Body></soap:Envelope>",
            writer.finish(),
            soap = ns::SOAP,
        )
    }
}

/// `text` with every character outside XML 1.0's `Char` production (C0 controls but tab,
/// line feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
fn xml_chars_only(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '\t' | '\n' | '\r' => character,
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => char::REPLACEMENT_CHARACTER,
            other => other,
        })
        .collect()
}

/// Reads a received `soap:Fault` element into the error a client returns.
///
/// An MM detail (v3 `applicationFault`, or any element of the v1 `ExceptionInformation`
/// type) becomes [`WireError::Fault`]; a fault without one becomes [`WireError::SoapFault`];
/// a malformed detail becomes the error describing it.
#[must_use]
pub fn read_fault(fault: Node<'_, '_>) -> WireError {
    match read_fault_parts(fault) {
        Ok(error) | Err(error) => error,
    }
}

fn read_fault_parts(fault: Node<'_, '_>) -> Result<WireError, WireError> {
    let mut children = Children::new(fault, "Fault")?;
    let faultcode = children.text(ns::NONE, "faultcode")?;
    let faultstring = children.text(ns::NONE, "faultstring")?;
    children.opt(ns::NONE, "faultactor");
    let detail_child = children
        .opt(ns::NONE, "detail")
        .and_then(|detail| detail.children().find(Node::is_element));
    let Some(detail_child) = detail_child else {
        return Ok(WireError::SoapFault {
            faultcode,
            faultstring,
        });
    };
    let (namespace, name) = expanded_name(detail_child);
    let children_ns = if namespace == ns::COMMON3 {
        ns::COMMON3
    } else {
        ns::COMMON
    };
    let path = format!("Fault/detail/{name}");
    let mut info = Children::new(detail_child, &path)?;
    let code = info.value(children_ns, "ErrorCode", |text| {
        text.parse::<u16>()
            .map_err(|_| "not an error code number")
            .and_then(FaultCode::new)
    })?;
    let description = info.text(children_ns, "Description")?;
    let call_id = info.value(children_ns, "CallId", CallId::parse)?;
    info.finish()?;
    Ok(WireError::Fault(Box::new(Fault {
        code,
        description,
        call_id,
    })))
}
