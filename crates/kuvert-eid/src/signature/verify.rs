//! Verifying a person's `SignatureData` against the e-ID CAs (PROTOCOL.md §8).
//!
//! The order of the checks is the order of trust: first that the certificate was valid at the
//! time, then that it chains to a configured e-ID CA, then that its key made the signature over
//! exactly the text (and nonce) shown to the person, and only then is the personnummer read
//! from the certificate's subject `serialNumber`.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_xmldsig::certificate::{Certificate, CertificateError};
use kuvert_xmldsig::trust::{TrustAnchors, TrustError};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{SignatureData, SignatureDataError, check_text, signed_bytes};

/// The person who made a valid e-ID signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EidSigner {
    /// From the certificate subject's `serialNumber`.
    pub personal_identity_number: PersonalIdentityNumber,
    /// The certificate subject's common name (`CN`), or empty.
    pub name: String,
}

/// Why an e-ID signature is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum EidSignatureError {
    /// The signed text is empty or too long.
    #[error("signed text is not acceptable")]
    Text(#[source] SignatureDataError),
    /// The certificate is not a readable X.509 certificate.
    #[error("the e-ID certificate in SignatureData cannot be read")]
    Certificate,
    /// The certificate was not valid at the time of the check.
    #[error("the e-ID certificate is valid from {not_before} to {not_after}, not at {at}")]
    NotValidAt {
        /// Start of validity.
        not_before: OffsetDateTime,
        /// End of validity.
        not_after: OffsetDateTime,
        /// The time of the check.
        at: OffsetDateTime,
    },
    /// The certificate does not chain to a trusted e-ID CA.
    #[error("the e-ID certificate is not issued by a trusted e-ID CA")]
    Untrusted(#[source] TrustError),
    /// The signature does not verify with the certificate's key over the text and nonce.
    #[error("the e-ID signature does not match the signed text and certificate")]
    BadSignature,
    /// The certificate names no personnummer in its subject `serialNumber`.
    #[error("the e-ID certificate names no valid personal identity number")]
    NoPersonalIdentityNumber(#[source] CertificateError),
}

/// Verifies `data` as a signature of `signed_text` by a person whose e-ID certificate chains
/// to `anchors`, at time `at`, and says who signed.
pub fn verify_signature_data(
    data: &SignatureData,
    signed_text: &str,
    anchors: &TrustAnchors,
    at: OffsetDateTime,
) -> Result<EidSigner, EidSignatureError> {
    check_text(signed_text).map_err(EidSignatureError::Text)?;
    let certificate = Certificate::from_der(data.certificate_der())
        .map_err(|_| EidSignatureError::Certificate)?;
    if !certificate.is_valid_at(at) {
        let (not_before, not_after) = (certificate.not_before(), certificate.not_after());
        return Err(EidSignatureError::NotValidAt {
            not_before,
            not_after,
            at,
        });
    }
    anchors
        .verify(&certificate, &[], at)
        .map_err(EidSignatureError::Untrusted)?;
    // The xmldsig certificate type keeps its key private; x509-parser reads the same DER,
    // which `Certificate::from_der` has just accepted.
    let (_, parsed) = X509Certificate::from_der(data.certificate_der())
        .map_err(|_| EidSignatureError::Certificate)?;
    let public_key = parsed.public_key().subject_public_key.data.as_ref();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key)
        .verify(&signed_bytes(signed_text, data.nonce()), data.signature())
        .map_err(|_| EidSignatureError::BadSignature)?;
    let personal_identity_number = certificate
        .personal_identity_number()
        .map_err(EidSignatureError::NoPersonalIdentityNumber)?;
    let name = certificate.common_name().unwrap_or_default();
    Ok(EidSigner {
        personal_identity_number,
        name,
    })
}
