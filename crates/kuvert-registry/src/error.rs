//! [`Error`]: everything a registry request can fail with, and its one mapping to every
//! outside form: the MM fault (code, text, CallId; PROTOCOL.md §10) and REST problem JSON
//! (RFC 9457). Handlers return `Result<_, Error>` and never choose codes themselves.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kuvert_store::StoreError;
use kuvert_store::registry::USED_SIGNATURE;
use kuvert_web::fault::{FaultKind, fault_for, soap_fault_response};
use kuvert_wire::error::WireError;
use kuvert_wire::fault::{Fault, FaultCode};

use crate::domain::access::AccessError;
use crate::domain::binding::SignatureRefusal;
use crate::domain::reception::ReceptionError;
use crate::domain::signing::SigningError;

/// What a request's e-ID signatures were for; it picks the fault code of a signature
/// problem: a registration has its own (5010), every other change answers 5012.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedFor {
    /// `registerAccount` (and the REST registration).
    Registration,
    /// Any other signed change: reception rules, operator change, deregistering, a company.
    OtherChange,
}

/// Why the registry refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller may not do this (unknown sender, intermediary not approved, not an
    /// operator, another operator's profile, a person acting for someone else).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The connection has no verified client certificate naming an organisation.
    #[error("no verified client certificate naming an organisation: {0}")]
    NoCaller(String),
    /// The request is not a valid envelope or operation.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// A value in the request is invalid (the reason says which, never the value).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The request body is larger than the configured bound.
    #[error("request of more than {max} bytes refused")]
    TooLarge {
        /// The bound (`Config::envelope_bytes_max`).
        max: usize,
    },
    /// More ids than one call may carry.
    #[error("{count} ids in one call, at most {max} allowed")]
    TooMany {
        /// Ids sent.
        count: usize,
        /// The bound from `kuvert_core::limits`.
        max: usize,
    },
    /// An e-ID signature is malformed, untrusted or does not match (`signed_for` picks the
    /// register-specific code 5010 over 5012).
    #[error("signature error: {reason}")]
    Signature {
        /// What is wrong with it.
        reason: String,
        /// What the request's signatures were for.
        signed_for: SignedFor,
    },
    /// A valid signature that may not authorise this change: used before, too old, or
    /// signed for another change, mailbox or operator (`signed_for` as for `Signature`).
    #[error("signature refused: {refusal}")]
    SignatureRefused {
        /// Why.
        refusal: SignatureRefusal,
        /// What the request's signatures were for.
        signed_for: SignedFor,
    },
    /// Valid signatures that do not authorise the change (wrong signer, company form).
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// An `AcceptedSenders` list that cannot be stored.
    #[error(transparent)]
    Reception(#[from] ReceptionError),
    /// The named thing does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The named thing already exists.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// Storage failed; the caller sees only the CallId.
    #[error("internal error")]
    Internal(#[source] StoreError),
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what } => Self::NotFound(what),
            // Two requests raced with one signature and the other one's change won.
            StoreError::Conflict { what } if what == USED_SIGNATURE => Self::SignatureRefused {
                refusal: SignatureRefusal::Replayed,
                signed_for: SignedFor::OtherChange,
            },
            StoreError::Conflict { what } => Self::AlreadyExists(what),
            StoreError::TooMany { count, max } => Self::TooMany { count, max },
            StoreError::OutOfBounds { what } => Self::InvalidInput(format!("{what} out of bounds")),
            internal @ StoreError::Internal { .. } => Self::Internal(internal),
        }
    }
}

impl SignedFor {
    /// The fault code of a signature problem of a request signed for this.
    fn fault_code(self) -> FaultCode {
        match self {
            Self::Registration => FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR,
            Self::OtherChange => FaultCode::SIGNATURE_ERROR,
        }
    }
}

impl Error {
    /// The MM fault code and HTTP status for this error.
    #[must_use]
    pub fn classify(&self) -> (FaultCode, StatusCode) {
        use StatusCode as S;
        match self {
            Self::Access(AccessError::UnknownSender(_)) => {
                (FaultCode::UNKNOWN_SENDER, S::FORBIDDEN)
            }
            Self::Access(AccessError::IntermediaryNotApproved { .. }) => {
                (FaultCode::DISPATCHER_NOT_APPROVED, S::FORBIDDEN)
            }
            Self::Access(_) | Self::NoCaller(_) => (FaultCode::ACCESS_DENIED, S::FORBIDDEN),
            Self::Wire(WireError::TooMany { .. }) | Self::TooMany { .. } => {
                (FaultCode::MAX_EXCEEDED, S::PAYLOAD_TOO_LARGE)
            }
            Self::TooLarge { .. } => (FaultCode::MAX_EXCEEDED, S::PAYLOAD_TOO_LARGE),
            Self::Wire(_) | Self::InvalidInput(_) => (FaultCode::INVALID_INPUT, S::BAD_REQUEST),
            Self::Signature { signed_for, .. } => (signed_for.fault_code(), S::FORBIDDEN),
            Self::SignatureRefused {
                refusal,
                signed_for,
            } => {
                let code = signed_for.fault_code();
                let status = match refusal {
                    SignatureRefusal::Replayed => S::CONFLICT,
                    _ => S::FORBIDDEN,
                };
                (code, status)
            }
            Self::Signing(SigningError::CompanyFormUnsupported { .. }) => (
                FaultCode::COMPANY_FORM_NOT_SUPPORTED,
                S::UNPROCESSABLE_ENTITY,
            ),
            Self::Signing(_) => (FaultCode::SIGNATURE_ERROR, S::FORBIDDEN),
            Self::Reception(ReceptionError::UnknownSender(_)) => {
                (FaultCode::UNKNOWN_SENDER, S::UNPROCESSABLE_ENTITY)
            }
            Self::Reception(_) => (FaultCode::INVALID_INPUT, S::BAD_REQUEST),
            Self::NotFound(_) => (FaultCode::OBJECT_NOT_FOUND, S::NOT_FOUND),
            Self::AlreadyExists(_) => (FaultCode::OBJECT_ALREADY_EXISTS, S::CONFLICT),
            Self::Internal(_) => (FaultCode::UNKNOWN, S::INTERNAL_SERVER_ERROR),
        }
    }

    /// The fault to send, with a fresh CallId. An internal error is logged here, once, with
    /// its source chain and the CallId; the caller sees neither SQL nor paths.
    #[must_use]
    pub fn to_fault(&self) -> Fault {
        let (code, _) = self.classify();
        let kind = match self {
            Self::Internal(_) => FaultKind::Internal { role: "registry" },
            _ => FaultKind::Refused,
        };
        fault_for(code, self, kind)
    }

    /// A SOAP fault response (Recipient v3 form, or Authority's per-operation detail).
    #[must_use]
    pub fn to_soap_response(&self, authority_detail: Option<&'static str>) -> Response {
        let fault = self.to_fault();
        let envelope = match authority_detail {
            Some(detail) => fault.to_authority_envelope(detail),
            None => fault.to_envelope(),
        };
        // The classified status is for REST only.
        soap_fault_response(envelope)
    }

    /// The REST problem JSON (RFC 9457) with the MM code and CallId as extensions.
    #[must_use]
    pub fn to_problem(&self) -> Response {
        let (code, status) = self.classify();
        let fault = self.to_fault();
        let body = serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
            "detail": fault.description,
            "code": code.number(),
            "call_id": fault.call_id.as_str(),
        });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}
