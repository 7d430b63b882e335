//! The client-certificate verifier of mutual-TLS listeners: rustls' webpki verifier for the
//! chain, wrapped with the profile's usage rule (extendedKeyUsage clientAuth, keyUsage
//! digitalSignature; `kuvert_xmldsig::usage`) and revocation by the same
//! [`CrlSet`] signature verification uses. The set is refreshed in place, so a new CRL
//! applies to the next handshake without rebuilding the TLS configuration.
//!
//! Each refusal is logged here with the check that failed ("TLS client certificate is
//! revoked (serial …)") and sent to the client as its own TLS alert: `unsupported_certificate`
//! for usage, `certificate_revoked`, and `unknown_ca` for an unknown revocation status.

use std::sync::Arc;

use kuvert_xmldsig::certificate::Certificate;
use kuvert_xmldsig::revocation::{CrlSet, RevocationError};
use kuvert_xmldsig::usage::{Usage, UsageError};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;

/// Why a client certificate that chains to the client CA is still refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientCertificateRefusal {
    /// The end-entity certificate may not be used as a TLS client certificate.
    #[error("TLS client certificate {0}")]
    Usage(#[source] UsageError),
    /// A certificate of the presented chain is revoked, or its status is unknown and the
    /// CRL policy refuses that.
    #[error("TLS client {which} {reason}")]
    Revocation {
        /// `certificate` for the end entity, `intermediate certificate` otherwise.
        which: &'static str,
        /// The check that failed.
        #[source]
        reason: RevocationError,
    },
}

/// rustls' verifier plus the usage and revocation checks.
#[derive(Debug)]
pub(crate) struct CheckedClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    crls: Option<CrlSet>,
}

impl CheckedClientVerifier {
    pub(crate) fn new(inner: Arc<dyn ClientCertVerifier>, crls: Option<CrlSet>) -> Self {
        Self { inner, crls }
    }

    /// Revocation of the end entity and the intermediates, after rustls verified the chain.
    fn check_revocation(
        &self,
        leaf: Certificate,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let Some(crls) = &self.crls else {
            return Ok(());
        };
        let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let at = OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|_| rustls::Error::FailedToGetCurrentTime)?;
        let chain = std::iter::once(Ok(leaf)).chain(intermediates.iter().map(parse));
        for (depth, certificate) in chain.enumerate() {
            let which = if depth == 0 {
                "certificate"
            } else {
                "intermediate certificate"
            };
            match crls.check(&certificate?, at) {
                Ok(None) => {}
                Ok(Some(warning)) => {
                    tracing::warn!(
                        warning = %warning,
                        "TLS client {which} accepted without a revocation status (stale_crl)"
                    );
                }
                Err(reason) => {
                    return Err(refuse(&ClientCertificateRefusal::Revocation {
                        which,
                        reason,
                    }));
                }
            }
        }
        Ok(())
    }
}

impl ClientCertVerifier for CheckedClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Usage first: webpki refuses a certificate without clientAuth too, but only with a
        // generic error; this check names the missing usage.
        let leaf = parse(end_entity)?;
        if let Err(error) = leaf.check_usage(Usage::TlsClient) {
            return Err(refuse(&ClientCertificateRefusal::Usage(error)));
        }
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        self.check_revocation(leaf, intermediates, now)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn parse(der: &CertificateDer<'_>) -> Result<Certificate, rustls::Error> {
    Certificate::from_der(der.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))
}

/// Logs the refusal with its check and turns it into the rustls error whose alert fits.
fn refuse(refusal: &ClientCertificateRefusal) -> rustls::Error {
    tracing::info!(refusal = %refusal, "TLS client certificate refused");
    let error = match refusal {
        ClientCertificateRefusal::Usage(_) => CertificateError::InvalidPurpose,
        ClientCertificateRefusal::Revocation { reason, .. } => match reason {
            RevocationError::Revoked { .. } => CertificateError::Revoked,
            RevocationError::Stale { .. } => CertificateError::ExpiredRevocationList,
            RevocationError::NoCrl { .. } => CertificateError::UnknownRevocationStatus,
        },
    };
    rustls::Error::InvalidCertificate(error)
}
