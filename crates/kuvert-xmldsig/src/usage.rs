//! What a certificate may be used for (PROTOCOL.md §8): the `keyUsage` and
//! `extendedKeyUsage` rules for the three uses Kuvert checks — an XML signature (the sender's
//! `SignedDelivery`, the intermediary's seal), a TLS client certificate at mutual TLS, and a
//! TLS server certificate.
//!
//! The profile's organisation certificates carry keyUsage digitalSignature + keyEncipherment
//! and extendedKeyUsage serverAuth + clientAuth, so one certificate serves all three. The
//! rules:
//! - **signing**: keyUsage, when present, includes digitalSignature (RFC 5280 §4.2.1.3: an
//!   absent extension restricts nothing; the real Kivra test vector has none). The
//!   extendedKeyUsage is not read: organisation certificates sign with TLS purposes listed.
//! - **TLS client**: extendedKeyUsage is present and includes clientAuth (or
//!   anyExtendedKeyUsage), and keyUsage, when present, includes digitalSignature (checked in
//!   that order, so a serverAuth-only certificate is named for its missing clientAuth).
//! - **TLS server**: the same with serverAuth.

use std::fmt;

use crate::certificate::Certificate;

/// keyUsage bit 0 (RFC 5280 §4.2.1.3).
const DIGITAL_SIGNATURE: u16 = 1;

/// A use Kuvert puts a certificate to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// An XML signature: a `SignedDelivery` or a seal.
    Signing,
    /// A TLS client certificate (mutual TLS).
    TlsClient,
    /// A TLS server certificate.
    TlsServer,
}

/// Why a certificate may not be used as asked; the message names the missing usage.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// A CA certificate (basicConstraints cA=true) that chains to an anchor used to sign a
    /// letter: a CA's key signs certificates and CRLs, never letters (PROTOCOL.md §8). Checked
    /// in signature verification; a pinned self-signed anchor (such as the real Kivra
    /// sample's) is not refused, and webpki refuses a CA as a TLS end entity by itself.
    #[error("is a CA certificate (cA=true), not an end-entity certificate")]
    CaCertificate,
    /// keyUsage is present and lacks digitalSignature.
    #[error("key usage lacks digitalSignature")]
    NoDigitalSignature,
    /// extendedKeyUsage is absent, where the profile requires it.
    #[error("has no extended key usage, {required} required")]
    NoExtendedKeyUsage {
        /// The purpose required (`clientAuth`, `serverAuth`).
        required: &'static str,
    },
    /// extendedKeyUsage lacks the purpose required.
    #[error("extended key usage lacks {required}")]
    MissingExtendedKeyUsage {
        /// The purpose required (`clientAuth`, `serverAuth`).
        required: &'static str,
    },
}

impl Certificate {
    /// Checks that this certificate may be used for `usage` (the rules of [`crate::usage`]).
    pub fn check_usage(&self, usage: Usage) -> Result<(), UsageError> {
        let eku = self.extended_key_usage();
        let (required, is_granted) = match usage {
            Usage::Signing => return self.check_digital_signature(),
            Usage::TlsClient => ("clientAuth", eku.map(|eku| eku.is_client_auth)),
            Usage::TlsServer => ("serverAuth", eku.map(|eku| eku.is_server_auth)),
        };
        match is_granted {
            None => Err(UsageError::NoExtendedKeyUsage { required }),
            Some(false) => Err(UsageError::MissingExtendedKeyUsage { required }),
            Some(true) => self.check_digital_signature(),
        }
    }

    /// keyUsage, when present, must include digitalSignature.
    fn check_digital_signature(&self) -> Result<(), UsageError> {
        match self.key_usage() {
            Some(bits) if bits & DIGITAL_SIGNATURE == 0 => Err(UsageError::NoDigitalSignature),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Usage::Signing => "signing",
            Usage::TlsClient => "TLS client",
            Usage::TlsServer => "TLS server",
        })
    }
}
