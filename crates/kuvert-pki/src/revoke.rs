//! Revocation and deliberately flawed certificates, for tests of the checks in
//! `kuvert_xmldsig::{usage, revocation}`.
//!
//! [`TestPki::organisation_crl_pem`] signs a CRL of the organisation CA listing the given
//! serial numbers; [`TestPki::write_organisation_crl`] writes it as
//! [`ORGANISATION_CRL_FILE`] and [`read_crl_serials`] reads the serials of such a file back,
//! so `kuvert pki revoke` adds one serial to what is already revoked.
//! [`TestPki::issue_organisation`] issues one more organisation certificate, in the profile or
//! not ([`LeafUsage`], a chosen validity), without adding it to the PKI.

use std::fs;
use std::path::Path;

use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::files::ORGANISATION_CA_STEM;
use crate::{Credential, OrganisationSpec, PkiError, TestPki, issue};

/// File name of the organisation CA's CRL (PEM `X509 CRL`) in a PKI directory.
pub const ORGANISATION_CRL_FILE: &str = "org-ca.crl.pem";

/// How a certificate from [`TestPki::issue_organisation`] departs from the §8 profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LeafUsage {
    /// The profile: digitalSignature + keyEncipherment, serverAuth + clientAuth.
    #[default]
    Profile,
    /// keyEncipherment only and serverAuth only: may neither sign nor be a TLS client.
    WithoutDigitalSignature,
    /// The profile's key usage, but serverAuth only: may sign, not be a TLS client.
    ServerAuthOnly,
}

/// Options of [`TestPki::issue_organisation`].
#[derive(Clone, Copy, Debug, Default)]
pub struct LeafOptions {
    /// Key usages.
    pub usage: LeafUsage,
    /// `notBefore` and `notAfter`; default from yesterday for two years.
    pub validity: Option<(OffsetDateTime, OffsetDateTime)>,
}

/// The window a CRL covers: `thisUpdate` and `nextUpdate`.
#[derive(Clone, Copy, Debug)]
pub struct CrlValidity {
    /// When the CRL was issued.
    pub this_update: OffsetDateTime,
    /// When the next one is due; past it the CRL is stale.
    pub next_update: OffsetDateTime,
}

impl CrlValidity {
    /// From a minute ago (clocks lag) until `fresh_for` from now.
    pub fn from_now(fresh_for: Duration) -> Self {
        let now = OffsetDateTime::now_utc();
        CrlValidity {
            this_update: now - Duration::minutes(1),
            next_update: now + fresh_for,
        }
    }
}

impl Credential {
    /// The certificate's serial number, big-endian bytes as encoded.
    pub fn serial(&self) -> Vec<u8> {
        X509Certificate::from_der(&self.certificate_der)
            .map(|(_, certificate)| certificate.raw_serial().to_vec())
            .expect("a credential holds a certificate that parsed when it was made")
    }
}

impl TestPki {
    /// Issues one more organisation certificate from the organisation CA (not added to this
    /// PKI). Takes a fresh RSA key, about a tenth of a second.
    pub fn issue_organisation(
        &self,
        spec: &OrganisationSpec,
        options: &LeafOptions,
    ) -> Result<Credential, PkiError> {
        issue::issue_organisation(self, spec, options)
    }

    /// A CRL of the organisation CA (PEM) listing `serials` as revoked a minute before
    /// `validity.this_update`.
    pub fn organisation_crl_pem(
        &self,
        serials: &[Vec<u8>],
        validity: CrlValidity,
    ) -> Result<String, PkiError> {
        let issue_error = |source| PkiError::Issue {
            key: ORGANISATION_CA_STEM.to_owned(),
            source,
        };
        let revoked_certs = serials
            .iter()
            .map(|serial| RevokedCertParams {
                serial_number: SerialNumber::from_slice(serial),
                revocation_time: validity.this_update - Duration::minutes(1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect();
        let crl_number = u64::try_from(validity.this_update.unix_timestamp()).unwrap_or(0);
        let params = CertificateRevocationListParams {
            this_update: validity.this_update,
            next_update: validity.next_update,
            crl_number: SerialNumber::from(crl_number),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let issuer = issue::organisation_issuer(&self.organisation_ca)?;
        let crl = params.signed_by(&issuer).map_err(issue_error)?;
        crl.pem().map_err(issue_error)
    }

    /// Writes [`TestPki::organisation_crl_pem`] to `dir`/[`ORGANISATION_CRL_FILE`]
    /// (replacing it atomically, so a reader never sees half a file).
    pub fn write_organisation_crl(
        &self,
        dir: &Path,
        serials: &[Vec<u8>],
        validity: CrlValidity,
    ) -> Result<(), PkiError> {
        let pem = self.organisation_crl_pem(serials, validity)?;
        let path = dir.join(ORGANISATION_CRL_FILE);
        let partial = dir.join(format!("{ORGANISATION_CRL_FILE}.partial"));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| PkiError::Io { path, source }
        };
        fs::write(&partial, pem).map_err(io(&partial))?;
        fs::rename(&partial, &path).map_err(io(&path))
    }
}

/// The serial numbers a CRL file lists; none when the file does not exist.
pub fn read_crl_serials(path: &Path) -> Result<Vec<Vec<u8>>, PkiError> {
    let invalid = |reason: String| PkiError::InvalidFile {
        path: path.to_path_buf(),
        reason,
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(PkiError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let block = pem::parse(&text).map_err(|error| invalid(format!("PEM: {error}")))?;
    let (_, crl) = CertificateRevocationList::from_der(block.contents())
        .map_err(|error| invalid(format!("CRL does not parse: {error}")))?;
    Ok(crl
        .iter_revoked_certificates()
        .map(|entry| entry.raw_serial().to_vec())
        .collect())
}
