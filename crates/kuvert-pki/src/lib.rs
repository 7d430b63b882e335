//! Test PKI: organisation and e-ID certificates for the demo and tests.
//!
//! [`TestPki::generate`] makes two certificate authorities and the leaf certificates a
//! [`PkiSpec`] asks for:
//! - the **organisation CA** ("Kuvert Test Organisation CA") issues organisation certificates
//!   in the profile of PROTOCOL.md §8: RSA-2048, subject `serialNumber=16<orgnr>`, `O`, `CN`,
//!   `C=SE`, key usage digitalSignature + keyEncipherment, extended key usage serverAuth +
//!   clientAuth, and subject alternative names for the host names plus `localhost`,
//!   `127.0.0.1` and `::1`, so one certificate serves TLS, mutual TLS and XML signatures;
//! - the **e-ID CA** ("Kuvert Test e-ID CA") issues person certificates: RSA-2048, subject
//!   `serialNumber=<12-digit personnummer>`, `GN`, `SN`, `CN=<full name>`, `C=SE`, key usage
//!   digitalSignature + nonRepudiation.
//!
//! [`TestPki::write_to`] stores everything as PEM files (names in [`files`]) and
//! [`TestPki::load`] reads them back, so a restarted demo keeps its identities.
//!
//! **Invariant:** private keys live only in [`secrecy::SecretString`]; no `Debug` output of
//! this crate contains one, and key files are written with mode 0600.
//! [`TestPki::organisation_crl_pem`] revokes organisation certificates by CRL, and
//! [`TestPki::issue_organisation`] issues a deliberately flawed one ([`LeafUsage`]) for the
//! tests of key usage and revocation.
//!
//! **Boundary:** this is a test PKI. It has no policy OIDs, no OCSP and no protection of the
//! CA keys beyond file modes; never use it for real mail.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use secrecy::SecretString;

pub mod files;
mod issue;
mod revoke;

pub use revoke::{CrlValidity, LeafOptions, LeafUsage, ORGANISATION_CRL_FILE, read_crl_serials};

#[cfg(test)]
mod tests;

/// What to issue: the organisations (senders, intermediaries, operators, the registry) and
/// the persons (e-ID holders) of a test federation.
#[derive(Debug, Clone, Default)]
pub struct PkiSpec {
    /// Organisation certificates, issued by the organisation CA.
    pub organisations: Vec<OrganisationSpec>,
    /// Person certificates, issued by the e-ID CA.
    pub persons: Vec<PersonSpec>,
}

/// One organisation certificate to issue.
#[derive(Debug, Clone)]
pub struct OrganisationSpec {
    /// File stem of the certificate and key files: 1..=64 characters `a-z`, `0-9`, `-`.
    pub key: String,
    /// The organisation's name (`O`).
    pub name: String,
    /// The organisation number; the subject carries it as `serialNumber=16<orgnr>`.
    pub number: OrganisationNumber,
    /// DNS names the organisation serves TLS on. The first one is the `CN`; without any,
    /// the `CN` is the name.
    pub host_names: Vec<String>,
}

/// One person (e-ID) certificate to issue.
#[derive(Debug, Clone)]
pub struct PersonSpec {
    /// File stem of the certificate and key files: 1..=64 characters `a-z`, `0-9`, `-`.
    pub key: String,
    /// Given name (`GN`).
    pub given_name: String,
    /// Surname (`SN`).
    pub surname: String,
    /// Personnummer or samordningsnummer, the subject `serialNumber`.
    pub number: PersonalIdentityNumber,
}

/// A certificate and its private key, both PEM.
#[derive(Clone)]
pub struct Credential {
    certificate_pem: String,
    certificate_der: Vec<u8>,
    key_pem: SecretString,
}

/// The generated or loaded PKI: two CAs and the leaf credentials by key.
#[derive(Clone)]
pub struct TestPki {
    organisation_ca: Credential,
    eid_ca: Credential,
    organisations: BTreeMap<String, Credential>,
    persons: BTreeMap<String, Credential>,
}

/// Why a PKI could not be generated, written or loaded.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A spec key is not a usable file stem, or names a CA file.
    #[error("credential key {key:?} is not 1..=64 characters a-z, 0-9, '-' or is reserved")]
    InvalidKey {
        /// The offending key.
        key: String,
    },
    /// Two credentials in a spec share a key.
    #[error("credential key {key:?} is used twice")]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// A spec or directory holds more credentials than the bound allows.
    #[error("{count} credentials exceed the bound of {max}")]
    TooManyCredentials {
        /// How many were asked for or found.
        count: usize,
        /// `kuvert_core::limits::PKI_CREDENTIALS_MAX`.
        max: usize,
    },
    /// Key generation or certificate signing failed (for example a host name that is not a
    /// DNS name).
    #[error("cannot issue the certificate {key:?}")]
    Issue {
        /// The credential being issued (`org-ca`, `eid-ca` or a spec key).
        key: String,
        /// What rcgen reported.
        #[source]
        source: rcgen::Error,
    },
    /// A file or directory could not be read or written.
    #[error("cannot access {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system error.
        #[source]
        source: std::io::Error,
    },
    /// A PEM file is larger than any certificate or key of this PKI.
    #[error("{} has more than {max} bytes", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// `kuvert_core::limits::PKI_PEM_FILE_BYTES_MAX`.
        max: u64,
    },
    /// A file does not hold what its name promises.
    #[error("{} is not usable: {reason}", path.display())]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl Credential {
    /// The certificate, one PEM `CERTIFICATE` block.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The private key, PEM PKCS#8 (`PRIVATE KEY`).
    pub fn key_pem(&self) -> &SecretString {
        &self.key_pem
    }

    /// The certificate's DER bytes.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Credential")
            .field("certificate_pem_bytes", &self.certificate_pem.len())
            .field("key_pem", &"[redacted]")
            .finish()
    }
}

impl TestPki {
    /// Generates both CAs and every credential of `spec`. RSA keys are generated on all
    /// available cores, since each takes about a tenth of a second.
    pub fn generate(spec: &PkiSpec) -> Result<Self, PkiError> {
        issue::generate(spec)
    }

    /// The organisation CA certificate (PEM), the trust anchor for TLS and XML signatures.
    pub fn organisation_ca_pem(&self) -> &str {
        self.organisation_ca.certificate_pem()
    }

    /// The e-ID CA certificate (PEM), the trust anchor for person signatures.
    pub fn eid_ca_pem(&self) -> &str {
        self.eid_ca.certificate_pem()
    }

    /// The organisation CA with its key, for issuing further certificates.
    pub fn organisation_ca(&self) -> &Credential {
        &self.organisation_ca
    }

    /// The e-ID CA with its key, for issuing further certificates.
    pub fn eid_ca(&self) -> &Credential {
        &self.eid_ca
    }

    /// The organisation credential with this spec key.
    pub fn organisation(&self, key: &str) -> Option<&Credential> {
        self.organisations.get(key)
    }

    /// The person credential with this spec key.
    pub fn person(&self, key: &str) -> Option<&Credential> {
        self.persons.get(key)
    }

    /// All organisation credentials, ordered by key.
    pub fn organisations(&self) -> impl Iterator<Item = (&str, &Credential)> {
        self.organisations
            .iter()
            .map(|(key, credential)| (key.as_str(), credential))
    }

    /// All person credentials, ordered by key.
    pub fn persons(&self) -> impl Iterator<Item = (&str, &Credential)> {
        self.persons
            .iter()
            .map(|(key, credential)| (key.as_str(), credential))
    }
}

impl fmt::Debug for TestPki {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TestPki")
            .field(
                "organisations",
                &self.organisations.keys().collect::<Vec<_>>(),
            )
            .field("persons", &self.persons.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Whether `key` is a safe, non-reserved file stem.
fn is_valid_key(key: &str) -> bool {
    let is_reserved = key == files::ORGANISATION_CA_STEM || key == files::EID_CA_STEM;
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !is_reserved
}
