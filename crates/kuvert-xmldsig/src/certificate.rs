//! X.509 certificates as Kuvert reads them: the DER bytes plus the few facts the protocol
//! needs (PROTOCOL.md §8): the subject `serialNumber` that carries an organisation number
//! (`16` + 10 digits) or a personnummer, the common name, validity, and the public key used to
//! check XML signatures and certificate chains.
//!
//! Parsing happens once, in [`Certificate::from_der`]; the type keeps owned copies of what it
//! read so it can be cloned and shared without lifetimes.

use std::fmt;

use aws_lc_rs::signature::{self, VerificationAlgorithm};
use kuvert_core::id::{IdentityNumberError, OrganisationNumber, PersonalIdentityNumber};
use time::OffsetDateTime;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_X509_COMMON_NAME, OID_X509_SERIALNUMBER,
};
use x509_parser::prelude::{FromDer, X509Certificate};

/// A parsed X.509 certificate (RSA or ECDSA P-256/P-384 key).
///
/// Holding one proves the DER parsed and the key type is supported; it says nothing about
/// trust; for that see [`crate::trust::TrustAnchors::verify`].
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    issuer_name: String,
    subject_name: String,
    subject_serial_number: Option<String>,
    common_name: Option<String>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    is_ca: bool,
    serial: Vec<u8>,
    key_usage: Option<u16>,
    extended_key_usage: Option<ExtendedKeyUsage>,
    public_key: PublicKey,
    signature_algorithm_oid: String,
    signature: Vec<u8>,
}

/// The TLS purposes an `extendedKeyUsage` extension grants (RFC 5280 §4.2.1.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ExtendedKeyUsage {
    pub(crate) is_server_auth: bool,
    pub(crate) is_client_auth: bool,
}

/// Why bytes or text are not a usable certificate, or lack the identity asked for.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The DER encoding does not parse as an X.509 certificate.
    #[error("certificate DER does not parse: {reason}")]
    Der {
        /// The parser's description of the problem.
        reason: String,
    },
    /// Bytes follow the certificate's DER structure.
    #[error("certificate DER has {trailing_bytes} bytes after the certificate")]
    TrailingData {
        /// How many bytes follow.
        trailing_bytes: usize,
    },
    /// The PEM text does not parse.
    #[error("certificate PEM does not parse")]
    Pem(#[source] pem::PemError),
    /// The PEM text holds no `CERTIFICATE` block.
    #[error("PEM text holds no CERTIFICATE block")]
    NoCertificateInPem,
    /// The PEM text holds several `CERTIFICATE` blocks where exactly one was expected.
    #[error("PEM text holds {count} CERTIFICATE blocks where one was expected")]
    SeveralCertificatesInPem {
        /// How many blocks were found.
        count: usize,
    },
    /// The certificate's key is neither RSA nor ECDSA on P-256/P-384.
    #[error("certificate public key type {algorithm} is not supported")]
    UnsupportedKey {
        /// The key algorithm (OID, plus curve for EC keys).
        algorithm: String,
    },
    /// The subject has no `serialNumber` (OID 2.5.4.5) attribute.
    #[error("certificate subject has no serialNumber attribute")]
    MissingSerialNumber,
    /// The subject `serialNumber` is not `16` followed by a valid organisation number.
    #[error("certificate subject serialNumber is not 16 + an organisation number")]
    NotOrganisationNumber(#[source] Option<IdentityNumberError>),
    /// The subject `serialNumber` is not a valid personnummer or samordningsnummer.
    #[error("certificate subject serialNumber is not a personal identity number")]
    NotPersonalIdentityNumber(#[source] IdentityNumberError),
}

/// The public key of a certificate, in the form aws-lc-rs verifies with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// PKCS#1 `RSAPublicKey` DER.
    Rsa(Vec<u8>),
    /// Uncompressed P-256 point.
    EcP256(Vec<u8>),
    /// Uncompressed P-384 point.
    EcP384(Vec<u8>),
}

impl Certificate {
    /// Parses one DER-encoded certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (rest, parsed) =
            X509Certificate::from_der(der).map_err(|error| CertificateError::Der {
                reason: error.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(CertificateError::TrailingData {
                trailing_bytes: rest.len(),
            });
        }
        let public_key = read_public_key(&parsed)?;
        let is_ca = parsed
            .basic_constraints()
            .map_err(|error| CertificateError::Der {
                reason: error.to_string(),
            })?
            .is_some_and(|extension| extension.value.ca);
        let (key_usage, extended_key_usage) = read_usages(&parsed)?;
        let subject = parsed.subject();
        Ok(Certificate {
            der: der.to_vec(),
            tbs: parsed.tbs_certificate.as_ref().to_vec(),
            subject_raw: subject.as_raw().to_vec(),
            issuer_raw: parsed.issuer().as_raw().to_vec(),
            issuer_name: parsed.issuer().to_string(),
            subject_name: subject.to_string(),
            subject_serial_number: first_attribute(subject, &OID_X509_SERIALNUMBER),
            common_name: first_attribute(subject, &OID_X509_COMMON_NAME),
            not_before: parsed.validity().not_before.to_datetime(),
            not_after: parsed.validity().not_after.to_datetime(),
            is_ca,
            serial: crate::revocation::normalised_serial(parsed.raw_serial()),
            key_usage,
            extended_key_usage,
            public_key,
            signature_algorithm_oid: parsed.signature_algorithm.algorithm.to_id_string(),
            signature: parsed.signature_value.data.to_vec(),
        })
    }

    /// Parses text holding exactly one PEM `CERTIFICATE` block (other block types, such as a
    /// private key in the same file, are skipped).
    pub fn from_pem(text: &str) -> Result<Self, CertificateError> {
        let mut certificates = Self::all_from_pem(text)?;
        match certificates.len() {
            0 => Err(CertificateError::NoCertificateInPem),
            1 => Ok(certificates.remove(0)),
            count => Err(CertificateError::SeveralCertificatesInPem { count }),
        }
    }

    /// Parses every PEM `CERTIFICATE` block in `text`, in order (a chain file, a CA bundle).
    pub fn all_from_pem(text: &str) -> Result<Vec<Self>, CertificateError> {
        let blocks = pem::parse_many(text).map_err(CertificateError::Pem)?;
        blocks
            .iter()
            .filter(|block| block.tag() == "CERTIFICATE")
            .map(|block| Self::from_der(block.contents()))
            .collect()
    }

    /// The certificate exactly as it was parsed (DER).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's `serialNumber` attribute (OID 2.5.4.5): `16` + organisation number in
    /// organisation certificates, a personnummer in e-ID certificates.
    pub fn subject_serial_number(&self) -> Option<String> {
        self.subject_serial_number.clone()
    }

    /// The organisation this certificate names: its subject `serialNumber` must be `16`
    /// followed by a valid organisation number (PROTOCOL.md §8).
    pub fn organisation_number(&self) -> Result<OrganisationNumber, CertificateError> {
        let serial = self.subject_serial_number.as_deref();
        let serial = serial.ok_or(CertificateError::MissingSerialNumber)?;
        if serial.len() != 12 || !serial.starts_with("16") {
            return Err(CertificateError::NotOrganisationNumber(None));
        }
        OrganisationNumber::parse(serial)
            .map_err(|error| CertificateError::NotOrganisationNumber(Some(error)))
    }

    /// The person an e-ID certificate names: its subject `serialNumber` must be a 12-digit
    /// personnummer or samordningsnummer (PROTOCOL.md §8, e-ID signatures).
    pub fn personal_identity_number(&self) -> Result<PersonalIdentityNumber, CertificateError> {
        let serial = self.subject_serial_number.as_deref();
        let serial = serial.ok_or(CertificateError::MissingSerialNumber)?;
        PersonalIdentityNumber::parse(serial).map_err(CertificateError::NotPersonalIdentityNumber)
    }

    /// The subject's first common name (`CN`), if any.
    pub fn common_name(&self) -> Option<String> {
        self.common_name.clone()
    }

    /// The issuer's distinguished name in RFC 4514-like text (a CA name, for error messages).
    pub fn issuer_name(&self) -> &str {
        &self.issuer_name
    }

    /// The subject's distinguished name in RFC 4514-like text, as written into
    /// `X509SubjectName`. It may hold personal data for e-ID certificates: do not log it.
    pub fn subject_name(&self) -> &str {
        &self.subject_name
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Whether `at` lies inside the validity period (both ends inclusive, RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// Whether the certificate carries `basicConstraints` with `cA` true.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// SHA-256 of the DER, for pinning and for logs that must not carry subject data.
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.der);
        let mut fingerprint = [0_u8; 32];
        fingerprint.copy_from_slice(digest.as_ref());
        fingerprint
    }

    /// The serial number as lowercase hex without leading zero bytes (what CRLs list).
    pub fn serial_hex(&self) -> String {
        hex_string(&self.serial)
    }

    /// The serial number's big-endian bytes without leading zero bytes.
    pub(crate) fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The `keyUsage` bits (bit 0 is digitalSignature), `None` without the extension.
    pub(crate) fn key_usage(&self) -> Option<u16> {
        self.key_usage
    }

    /// The TLS purposes of `extendedKeyUsage`, `None` without the extension.
    pub(crate) fn extended_key_usage(&self) -> Option<ExtendedKeyUsage> {
        self.extended_key_usage
    }

    pub(crate) fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    pub(crate) fn subject_raw(&self) -> &[u8] {
        &self.subject_raw
    }

    pub(crate) fn issuer_raw(&self) -> &[u8] {
        &self.issuer_raw
    }

    /// Checks that `issuer`'s key signed this certificate. `None` when the signature
    /// algorithm does not fit the issuer's key or is not supported.
    pub(crate) fn is_signed_by(&self, issuer: &Certificate) -> Option<bool> {
        let algorithm =
            certificate_signature_algorithm(&self.signature_algorithm_oid, issuer.public_key())?;
        Some(
            issuer
                .public_key()
                .verify(algorithm, &self.tbs, &self.signature),
        )
    }

    pub(crate) fn signature_algorithm_oid(&self) -> &str {
        &self.signature_algorithm_oid
    }
}

impl PublicKey {
    /// Verifies `signature` over `message`; false for any failure, including a key that does
    /// not fit the algorithm.
    pub(crate) fn verify(
        &self,
        algorithm: &'static dyn VerificationAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let key_bytes = match self {
            PublicKey::Rsa(bytes) | PublicKey::EcP256(bytes) | PublicKey::EcP384(bytes) => bytes,
        };
        signature::UnparsedPublicKey::new(algorithm, key_bytes)
            .verify(message, signature)
            .is_ok()
    }
}

impl fmt::Debug for Certificate {
    /// Shows no subject data: e-ID subjects carry personal identity numbers (STYLE.md §5).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fingerprint = self.sha256_fingerprint();
        let short: String = fingerprint[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        formatter
            .debug_struct("Certificate")
            .field("sha256_prefix", &short)
            .field("issuer", &self.issuer_name)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

/// Maps an X.509 signature algorithm OID to the aws-lc-rs verifier fitting the issuer's key.
/// RSA keys must have at least 2048 bits except with SHA-1, which only legacy (2013-era,
/// 1024-bit) certificates use.
pub(crate) fn certificate_signature_algorithm(
    oid: &str,
    issuer_key: &PublicKey,
) -> Option<&'static dyn VerificationAlgorithm> {
    let algorithm: &'static dyn VerificationAlgorithm = match (oid, issuer_key) {
        ("1.2.840.113549.1.1.11", PublicKey::Rsa(_)) => &signature::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.12", PublicKey::Rsa(_)) => &signature::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.13", PublicKey::Rsa(_)) => &signature::RSA_PKCS1_2048_8192_SHA512,
        ("1.2.840.113549.1.1.5", PublicKey::Rsa(_)) => {
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        ("1.2.840.10045.4.3.2", PublicKey::EcP256(_)) => &signature::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", PublicKey::EcP384(_)) => &signature::ECDSA_P384_SHA384_ASN1,
        _ => return None,
    };
    Some(algorithm)
}

fn read_public_key(parsed: &X509Certificate<'_>) -> Result<PublicKey, CertificateError> {
    let info = parsed.public_key();
    let key_bytes = info.subject_public_key.data.to_vec();
    let algorithm = &info.algorithm.algorithm;
    if *algorithm == OID_PKCS1_RSAENCRYPTION {
        return Ok(PublicKey::Rsa(key_bytes));
    }
    if *algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters
            .as_ref()
            .and_then(|any| any.as_oid().ok());
        match curve {
            Some(curve) if curve == OID_EC_P256 => return Ok(PublicKey::EcP256(key_bytes)),
            Some(curve) if curve == OID_NIST_EC_P384 => return Ok(PublicKey::EcP384(key_bytes)),
            Some(curve) => {
                return Err(CertificateError::UnsupportedKey {
                    algorithm: format!("{algorithm} curve {curve}"),
                });
            }
            None => {}
        }
    }
    Err(CertificateError::UnsupportedKey {
        algorithm: algorithm.to_id_string(),
    })
}

/// Reads `keyUsage` and `extendedKeyUsage`; a duplicated or malformed extension is a DER
/// error rather than "absent".
fn read_usages(
    parsed: &X509Certificate<'_>,
) -> Result<(Option<u16>, Option<ExtendedKeyUsage>), CertificateError> {
    let der_error = |error: x509_parser::error::X509Error| CertificateError::Der {
        reason: error.to_string(),
    };
    let key_usage = parsed
        .key_usage()
        .map_err(der_error)?
        .map(|extension| extension.value.flags);
    let extended_key_usage = parsed
        .extended_key_usage()
        .map_err(der_error)?
        .map(|extension| ExtendedKeyUsage {
            is_server_auth: extension.value.server_auth || extension.value.any,
            is_client_auth: extension.value.client_auth || extension.value.any,
        });
    Ok((key_usage, extended_key_usage))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn first_attribute(
    name: &x509_parser::x509::X509Name<'_>,
    oid: &x509_parser::der_parser::oid::Oid<'_>,
) -> Option<String> {
    name.iter_by_oid(oid)
        .next()
        .and_then(|attribute| attribute.as_str().ok())
        .map(str::to_owned)
}
