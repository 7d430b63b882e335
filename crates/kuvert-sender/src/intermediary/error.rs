//! [`Error`]: everything a Message v3 or Notification v3 request to the intermediary can fail
//! with, and its one mapping to the MM fault (code, text, CallId; PROTOCOL.md §10). Handlers
//! return `Result<_, Error>` and never choose codes themselves.

use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_web::fault::{FaultKind, fault_for, soap_fault_response};
use kuvert_wire::delivery::LetterError;
use kuvert_wire::error::WireError;
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_xmldsig::{ParseError, VerifyError};

use crate::error::SendError;

/// Why the intermediary refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection has no verified client certificate naming an organisation.
    #[error("no verified client certificate naming an organisation: {0}")]
    NoCaller(String),
    /// The client certificate's organisation may hand over letters for no sender here.
    #[error("client {0} may not hand over letters to this intermediary")]
    ClientNotAuthorised(OrganisationNumber),
    /// This intermediary does not distribute for the sender.
    #[error("this intermediary does not distribute for sender {0}")]
    SenderNotServed(OrganisationNumber),
    /// The client may act for other senders, not this one.
    #[error("client {client} may not act for sender {sender}")]
    ClientNotForSender {
        /// The client certificate's organisation.
        client: OrganisationNumber,
        /// The sender named in the request.
        sender: OrganisationNumber,
    },
    /// The letter is signed by another organisation than its sender.
    #[error("the signed delivery is signed by {signer}, not by sender {sender}")]
    SignerNotSender {
        /// The organisation of the signature's certificate.
        signer: OrganisationNumber,
        /// `Header/Sender/Id`.
        sender: OrganisationNumber,
    },
    /// `checkDistributionStatus/senderId` is a person, not a sender.
    #[error("senderId must be an organisation")]
    SenderIsPerson,
    /// The request body is larger than the configured bound.
    #[error("envelope of more than {max} bytes refused")]
    TooLarge {
        /// The bound (`IntermediaryConfig::envelope_bytes_max`).
        max: usize,
    },
    /// The body is not UTF-8 text.
    #[error("envelope is not utf-8")]
    NotUtf8,
    /// The body is not acceptable XML (malformed, a DOCTYPE, too deep or too many nodes).
    #[error("envelope is not acceptable xml: {0}")]
    Xml(#[from] ParseError),
    /// The envelope is not a valid request of the service.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The sender's signature or its certificate does not verify.
    #[error("signature refused: {0}")]
    Signature(#[from] VerifyError),
    /// The verified signing certificate names no organisation.
    #[error("signing certificate names no organisation number")]
    SignerWithoutNumber,
    /// The sender and message id were handed over before with other content.
    #[error("a delivery with this sender and message id already exists with other content")]
    KeyConflict,
    /// No distribution of this sender has the id.
    #[error("no distribution with this id for the sender")]
    UnknownDistribution,
    /// The operation exists in the contract but this intermediary does not offer it.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The registry refused the reachability question with an MM fault (for example this
    /// intermediary is not approved for the sender, 6005); passed on with its code.
    #[error("the registry refused: {description}")]
    RegistryRefused {
        /// The registry's fault code.
        code: FaultCode,
        /// The registry's description.
        description: String,
    },
    /// The registry could not be asked; the request may be retried later.
    #[error("the registry could not be asked; retry later")]
    Registry(#[source] SendError),
    /// Storage, sealing or a worker thread failed; the caller sees only the CallId.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The MM fault code for this error.
    #[must_use]
    pub fn code(&self) -> FaultCode {
        match self {
            Self::NoCaller(_)
            | Self::ClientNotAuthorised(_)
            | Self::ClientNotForSender { .. }
            | Self::SignerNotSender { .. }
            | Self::SignerWithoutNumber => FaultCode::ACCESS_DENIED,
            Self::SenderNotServed(_) => FaultCode::UNKNOWN_SENDER,
            Self::TooLarge { .. }
            | Self::Xml(
                ParseError::TooLarge { .. }
                | ParseError::TooManyNodes { .. }
                | ParseError::TooDeep { .. },
            )
            | Self::Wire(WireError::TooMany { .. } | WireError::AttributeTooLarge { .. }) => {
                FaultCode::MAX_EXCEEDED
            }
            Self::Wire(WireError::UnsupportedContentType { .. }) => {
                FaultCode::UNSUPPORTED_MIME_TYPE
            }
            Self::SenderIsPerson | Self::NotUtf8 | Self::Xml(_) | Self::Wire(_) => {
                FaultCode::INVALID_INPUT
            }
            Self::Signature(
                VerifyError::Untrusted(_)
                | VerifyError::Certificate(_)
                | VerifyError::CertificateRefused { .. },
            ) => FaultCode::ACCESS_DENIED,
            Self::Signature(_) => FaultCode::SIGNATURE_ERROR,
            Self::KeyConflict => FaultCode::OBJECT_ALREADY_EXISTS,
            Self::UnknownDistribution => FaultCode::OBJECT_NOT_FOUND,
            Self::Unsupported(_) => FaultCode::ILLEGAL_STATE,
            Self::RegistryRefused { code, .. } => *code,
            Self::Registry(_) | Self::Internal(_) => FaultCode::UNKNOWN,
        }
    }

    /// The fault to send, with a fresh CallId. The error is logged here, once, with the
    /// CallId (an internal one with its source chain); the caller never sees SQL or paths.
    #[must_use]
    pub fn to_fault(&self) -> Fault {
        let kind = match self {
            Self::Internal(_) => FaultKind::Internal {
                role: "intermediary",
            },
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

    /// A failed reachability question: the registry's own fault is passed on, anything else
    /// (unreachable, an unreadable answer) is [`Error::Registry`].
    pub(crate) fn registry(error: SendError) -> Self {
        match error {
            SendError::Fault {
                code, description, ..
            } => Self::RegistryRefused { code, description },
            other => Self::Registry(other),
        }
    }

    /// Wraps a failure the caller cannot fix.
    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}

/// The one reader's refusals, each as the intermediary answers it.
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

impl From<kuvert_store::StoreError> for Error {
    fn from(error: kuvert_store::StoreError) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests;
