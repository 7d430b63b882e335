//! [`Error`]: everything a `deliverSecure` (or other Service v3 request) can fail with, and its
//! one mapping to the MM fault (code, text, CallId; PROTOCOL.md §10). Handlers return
//! `Result<_, Error>` and never choose codes themselves.

use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::StoreError;
use kuvert_web::fault::{FaultKind, fault_for, soap_fault_response};
use kuvert_wire::delivery::LetterError;
use kuvert_wire::error::WireError;
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_xmldsig::{ParseError, VerifyError};

use kuvert_web::registry_client::RegistryError;

/// Why the operator refused or failed a Service request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection has no verified client certificate naming an organisation.
    #[error("no verified client certificate naming an organisation: {0}")]
    NoCaller(String),
    /// The request body is larger than the configured bound.
    #[error("envelope of more than {max} bytes refused")]
    TooLarge {
        /// The bound (`Config::envelope_bytes_max`).
        max: usize,
    },
    /// The body is not UTF-8 text.
    #[error("envelope is not utf-8")]
    NotUtf8,
    /// The body is not acceptable XML (malformed, a DOCTYPE, too deep or too many nodes).
    #[error("envelope is not acceptable xml: {0}")]
    Xml(#[from] ParseError),
    /// The envelope is not a valid Service v3 request.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// A signature or its certificate does not verify.
    #[error("signature refused: {0}")]
    Signature(#[from] VerifyError),
    /// A verified signing certificate names no organisation.
    #[error("signing certificate names no organisation number")]
    SignerWithoutNumber,
    /// The seal was made by another organisation than the one calling over TLS.
    #[error("the seal is signed by {sealer}, but the caller is {caller}")]
    SealerNotCaller {
        /// Organisation of the seal signature.
        sealer: OrganisationNumber,
        /// Organisation of the client certificate.
        caller: OrganisationNumber,
    },
    /// `Header/Sender/Id` is not a sender connected to the registry.
    #[error("sender {0} is not registered as an authorised sender")]
    UnknownSender(OrganisationNumber),
    /// The sealer is not an intermediary the registry lists for the sender.
    #[error("intermediary {intermediary} is not approved to deliver for sender {sender}")]
    IntermediaryNotAuthorised {
        /// The sealing organisation.
        intermediary: OrganisationNumber,
        /// `Header/Sender/Id`.
        sender: OrganisationNumber,
    },
    /// The inner signature is neither the sender's nor its approved intermediary's.
    #[error("the signed delivery is signed by {signer}, not by sender {sender}")]
    SignerNotSender {
        /// Organisation of the `SignedDelivery` signature.
        signer: OrganisationNumber,
        /// `Header/Sender/Id`.
        sender: OrganisationNumber,
    },
    /// The recipient has no active mailbox at this operator.
    #[error("the recipient has no active mailbox at this operator")]
    RecipientNotHere,
    /// The recipient's reception rules do not accept the sender.
    #[error("the recipient does not accept digital mail from sender {0}")]
    SenderDeselected(OrganisationNumber),
    /// The sender and message Id were delivered before with other content (issue 10: the
    /// message says nothing about the first letter).
    #[error("a delivery with this sender and message id already exists with other content")]
    KeyConflict,
    /// The operation exists in the contract but this operator does not offer it.
    #[error("{0} is not supported by this operator")]
    Unsupported(&'static str),
    /// The registry could not be asked; the delivery may be retried later.
    #[error("the registry could not be reached; retry later")]
    Registry(#[source] RegistryError),
    /// Storage failed; the caller sees only the CallId.
    #[error("internal error")]
    Internal(#[source] StoreError),
    /// The checks of the delivery did not finish on their thread (a panic); the caller sees
    /// only the CallId.
    #[error("internal error")]
    Worker(#[source] kuvert_web::cpu_pool::CpuPoolError),
}

impl Error {
    /// The MM fault code for this error.
    #[must_use]
    pub fn code(&self) -> FaultCode {
        match self {
            Self::NoCaller(_) | Self::SealerNotCaller { .. } | Self::SignerNotSender { .. } => {
                FaultCode::ACCESS_DENIED
            }
            Self::SenderDeselected(_) => FaultCode::ACCESS_DENIED,
            Self::TooLarge { .. } => FaultCode::MAX_EXCEEDED,
            Self::Xml(ParseError::TooLarge { .. } | ParseError::TooManyNodes { .. })
            | Self::Xml(ParseError::TooDeep { .. }) => FaultCode::MAX_EXCEEDED,
            Self::Wire(WireError::TooMany { .. } | WireError::AttributeTooLarge { .. }) => {
                FaultCode::MAX_EXCEEDED
            }
            Self::Wire(WireError::UnsupportedContentType { .. }) => {
                FaultCode::UNSUPPORTED_MIME_TYPE
            }
            Self::NotUtf8 | Self::Xml(_) | Self::Wire(_) => FaultCode::INVALID_INPUT,
            Self::Signature(
                VerifyError::Untrusted(_)
                | VerifyError::Certificate(_)
                | VerifyError::CertificateRefused { .. },
            )
            | Self::SignerWithoutNumber => FaultCode::ACCESS_DENIED,
            Self::Signature(_) => FaultCode::SIGNATURE_ERROR,
            Self::UnknownSender(_) => FaultCode::UNKNOWN_SENDER,
            Self::IntermediaryNotAuthorised { .. } => FaultCode::DISPATCHER_NOT_APPROVED,
            Self::RecipientNotHere => FaultCode::OBJECT_NOT_FOUND,
            Self::KeyConflict => FaultCode::OBJECT_ALREADY_EXISTS,
            Self::Unsupported(_) => FaultCode::ILLEGAL_STATE,
            Self::Registry(_) | Self::Internal(_) | Self::Worker(_) => FaultCode::UNKNOWN,
        }
    }

    /// A short fixed label for the `reason` of the rejection metric.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NoCaller(_) => "no_caller",
            Self::TooLarge { .. } => "too_large",
            Self::NotUtf8 | Self::Xml(_) | Self::Wire(_) => "invalid_input",
            Self::Signature(VerifyError::CertificateRefused { .. }) => "certificate_refused",
            Self::Signature(_) | Self::SignerWithoutNumber => "signature",
            Self::SealerNotCaller { .. } => "sealer_not_caller",
            Self::UnknownSender(_) => "unknown_sender",
            Self::IntermediaryNotAuthorised { .. } => "intermediary_not_authorised",
            Self::SignerNotSender { .. } => "signer_not_sender",
            Self::RecipientNotHere => "recipient_not_here",
            Self::SenderDeselected(_) => "sender_deselected",
            Self::KeyConflict => "key_conflict",
            Self::Unsupported(_) => "unsupported",
            Self::Registry(_) => "registry_unavailable",
            Self::Internal(_) | Self::Worker(_) => "internal",
        }
    }

    /// The fault to send, with a fresh CallId. The error is logged here, once, with the
    /// CallId (an internal one with its source chain); the caller never sees SQL or paths.
    #[must_use]
    pub fn to_fault(&self) -> Fault {
        let kind = match self {
            Self::Internal(_) | Self::Worker(_) => FaultKind::Internal { role: "operator" },
            Self::Registry(_) => FaultKind::Upstream,
            _ => FaultKind::Refused,
        };
        fault_for(self.code(), self, kind)
    }

    /// The SOAP fault response (status 500, WS-I R1126).
    #[must_use]
    pub fn to_soap_response(&self) -> Response {
        soap_fault_response(self.to_fault().to_envelope())
    }
}

/// The one reader's refusals, each as the intake answers it.
impl From<LetterError> for Error {
    fn from(error: LetterError) -> Self {
        match error {
            LetterError::NotText => Self::NotUtf8,
            LetterError::Xml(source) => Self::Xml(source),
            LetterError::Shape(source) | LetterError::Letter(source) => Self::Wire(source),
            LetterError::SenderSignature(source) | LetterError::Seal(source) => {
                Self::Signature(source)
            }
            LetterError::Certificate { .. } => Self::SignerWithoutNumber,
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        Self::Internal(error)
    }
}
