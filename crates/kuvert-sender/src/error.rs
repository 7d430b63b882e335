//! [`SendError`]: why a sender toolkit operation failed, with the facts a caller needs to act
//! (the file to fix, the field of the letter, the MM fault code and `CallId` to quote to the
//! peer's support desk).

use std::path::PathBuf;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::{MessageError, TransId};
use kuvert_wire::fault::{CallId, FaultCode};

/// Which peer answered: faults and unreadable answers are reported per peer, because a
/// registry fault means "check the lookup" and an operator fault "check the letter".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The registry (FaR), `isReachable`.
    Registry,
    /// A mailbox operator, `deliverSecure`.
    Operator,
}

/// Why setting up the toolkit, looking up recipients or sending a letter failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// A configured file could not be read.
    #[error("cannot read {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// A configured certificate or key file does not hold what it must.
    #[error("{} is not usable: {reason}", path.display())]
    Credential {
        /// The certificate or key file.
        path: PathBuf,
        /// What is wrong with it (never key material).
        reason: String,
    },
    /// A configuration value other than a file is invalid.
    #[error("configuration {key} is invalid: {reason}")]
    Config {
        /// The configuration key.
        key: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// The HTTPS client could not be built from the CA and the intermediary's identity.
    #[error(
        "cannot build the https client from {} and the intermediary identity",
        ca_path.display()
    )]
    Client {
        /// The CA file.
        ca_path: PathBuf,
        /// What kuvert-web reported.
        #[source]
        source: kuvert_web::WebError,
    },
    /// The letter names a sender this intermediary has no signing identity for.
    #[error("no signing identity is configured for sender {0}")]
    UnknownSender(OrganisationNumber),
    /// A field of the letter is invalid; `field` names it.
    #[error("letter field {field} is invalid: {reason}")]
    InvalidInput {
        /// The field of [`crate::Letter`].
        field: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// The letter does not fit the message model (the error names the XSD element and bound).
    #[error("the letter is invalid")]
    InvalidLetter(#[source] MessageError),
    /// The registry could not be reached (connection, TLS or timeout).
    #[error("the registry at {url} is unreachable")]
    RegistryUnreachable {
        /// The registry endpoint.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The operator could not be reached after every attempt.
    #[error("the operator at {url} is unreachable after {attempts} attempts: {reason}")]
    OperatorUnreachable {
        /// The service address.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last transport error or HTTP status.
        reason: String,
    },
    /// The peer answered with an MM application fault (PROTOCOL.md §10).
    #[error("{peer:?} answered with fault {code} (CallId {call_id}): {description}")]
    Fault {
        /// Who answered.
        peer: Peer,
        /// The MM error code.
        code: FaultCode,
        /// The peer's description.
        description: String,
        /// The peer's correlation id, for its support desk.
        call_id: CallId,
    },
    /// The peer's answer is not the response the operation defines.
    #[error("{peer:?} answered with something unreadable: {reason}")]
    BadResponse {
        /// Who answered.
        peer: Peer,
        /// What was wrong (HTTP status, XML error or missing element).
        reason: String,
    },
    /// The operator's receipt says the letter was not delivered.
    #[error("the operator refused the letter (TransId {})", trans_id.as_str())]
    NotDelivered {
        /// The operator's transaction id.
        trans_id: TransId,
    },
    /// Signing or sealing failed.
    #[error("signing failed for {organisation}")]
    Sign {
        /// Whose key signed.
        organisation: OrganisationNumber,
        /// What kuvert-xmldsig reported.
        #[source]
        source: kuvert_xmldsig::SignError,
    },
    /// The sender's fresh signature does not verify against the configured CA, so the seal
    /// could not truthfully say `SignaturesOK` (PROTOCOL.md §11.6 step 3a).
    #[error("the signature of sender {organisation} does not verify")]
    SenderSignature {
        /// The sender.
        organisation: OrganisationNumber,
        /// What kuvert-xmldsig reported.
        #[source]
        source: kuvert_xmldsig::VerifyError,
    },
    /// The sender's signing certificate is revoked by the configured CRLs, or its status is
    /// unknown and the CRL policy refuses that.
    #[error("the signing certificate of sender {organisation} is refused")]
    Revoked {
        /// The sender.
        organisation: OrganisationNumber,
        /// What the CRLs say.
        #[source]
        source: kuvert_xmldsig::revocation::RevocationError,
    },
    /// Writing to the evidence archive or the paper-mail list failed.
    #[error("cannot write {}", path.display())]
    Archive {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// An internal step failed that input cannot cause (a programming error upstream).
    #[error("internal error: {0}")]
    Internal(String),
}
