//! The certificate checks after the chain: may the signing certificate sign (key usage,
//! `crate::usage`), and is any certificate of its path revoked (`crate::revocation`)? A
//! refusal names the signature it concerns — the sender's, the seal's — and the check.

use std::fmt;

use time::OffsetDateTime;

use crate::certificate::Certificate;
use crate::revocation::{CrlSet, RevocationError};
use crate::usage::{Usage, UsageError};

/// Whose signature a certificate made, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerRole {
    /// The sender's `SignedDelivery` signature.
    Sender,
    /// The intermediary's seal over the `SealedDelivery`.
    Seal,
    /// An enveloped signature verified on its own ([`crate::Verifier::verify_enveloped`]).
    Signature,
}

/// Why a trusted signing certificate is still refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefusal {
    /// Its key usage does not allow signing.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// It, or a certificate above it, is revoked, or the revocation status is unknown.
    #[error(transparent)]
    Revocation(#[from] RevocationError),
}

/// Checks the signing certificate's usage, then the revocation status of `path` when `crls`
/// are configured; returns the warning of an accepted unknown status.
pub(super) fn check_signer(
    leaf: &Certificate,
    path: &[&Certificate],
    crls: Option<&CrlSet>,
    at: OffsetDateTime,
) -> Result<Option<RevocationError>, CertificateRefusal> {
    leaf.check_usage(Usage::Signing)?;
    // `path` is empty when the leaf is itself a pinned anchor.
    if leaf.is_ca() && !path.is_empty() {
        return Err(CertificateRefusal::Usage(UsageError::CaCertificate));
    }
    match crls {
        None => Ok(None),
        Some(crls) => Ok(crls.check_path(path.iter().copied(), at)?),
    }
}

impl fmt::Display for SignerRole {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SignerRole::Sender => "sender",
            SignerRole::Seal => "seal",
            SignerRole::Signature => "signing",
        })
    }
}
