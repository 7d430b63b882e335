//! Reading the configured files into signing identities and the HTTPS client. Every error
//! names the file, and key material lives only in `Signer`s and a `SecretString`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{PKI_PEM_FILE_BYTES_MAX, SENDERS_PER_INTERMEDIARY_MAX};
use kuvert_core::message::SenderName;
use kuvert_web::ClientConfig;
use kuvert_xmldsig::revocation::CrlSet;
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Signer, Verifier, VerifyPolicy};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::{IdentityConfig, SenderConfig};
use crate::error::SendError;

/// A sender the toolkit signs for.
pub(crate) struct SenderIdentity {
    pub(crate) name: SenderName,
    pub(crate) signer: Signer,
}

/// The intermediary's sealing key and the senders' signing keys, by organisation number.
pub(crate) struct Identities {
    pub(crate) intermediary: OrganisationNumber,
    pub(crate) sealer: Signer,
    pub(crate) senders: BTreeMap<OrganisationNumber, SenderIdentity>,
    /// Checks the senders' signatures against the configured CA (and CRLs, when given)
    /// before sealing.
    pub(crate) verifier: Verifier,
    /// The same CRLs as `verifier`'s, to refuse a revoked sender when its letter is handed
    /// over, before anything is signed.
    pub(crate) crls: Option<CrlSet>,
}

/// Reads every certificate and key and builds the mutual-TLS client; the senders' fresh
/// signatures are checked against `crls` too when given.
pub(crate) fn read(
    config: &SenderConfig,
    crls: Option<CrlSet>,
) -> Result<(Identities, reqwest::Client), SendError> {
    if config.senders.len() > SENDERS_PER_INTERMEDIARY_MAX {
        return Err(SendError::Config {
            key: "senders",
            reason: format!("more than {SENDERS_PER_INTERMEDIARY_MAX} senders"),
        });
    }
    let (sealer, chain_pem, key_pem) = read_identity(&config.intermediary)?;
    let mut senders = BTreeMap::new();
    for sender in &config.senders {
        let identity = IdentityConfig {
            organisation_number: sender.organisation_number.clone(),
            certificate_path: sender.certificate_path.clone(),
            key_path: sender.key_path.clone(),
        };
        let (signer, _, _) = read_identity(&identity)?;
        let name = SenderName::parse(&sender.name).map_err(|error| SendError::Config {
            key: "senders.name",
            reason: error.to_string(),
        })?;
        senders.insert(
            sender.organisation_number.clone(),
            SenderIdentity { name, signer },
        );
    }
    let ca_pem = read_text(&config.ca_path)?;
    let anchors = TrustAnchors::from_pem(&ca_pem).map_err(|error| SendError::Credential {
        path: config.ca_path.clone(),
        reason: error.to_string(),
    })?;
    // Kuvert signs with SHA-256 only, so its own signatures never need the SHA-1 allowance.
    let policy = VerifyPolicy {
        is_sha1_allowed: false,
        now: time::OffsetDateTime::now_utc(),
    };
    let client = kuvert_web::http_client(&ClientConfig {
        ca_pem,
        identity: Some((chain_pem, key_pem)),
        connect_timeout: Duration::from_millis(config.connect_timeout_ms),
        request_timeout: Duration::from_millis(config.request_timeout_ms),
    })
    .map_err(|source| SendError::Client {
        ca_path: config.ca_path.clone(),
        source,
    })?;
    let verifier = match &crls {
        Some(crls) => Verifier::new(anchors, policy).with_crls(crls.clone()),
        None => Verifier::new(anchors, policy),
    };
    let identities = Identities {
        intermediary: config.intermediary.organisation_number.clone(),
        sealer,
        senders,
        verifier,
        crls,
    };
    Ok((identities, client))
}

/// A signer whose certificate carries the configured organisation number, plus the PEM
/// chain and key for TLS.
fn read_identity(config: &IdentityConfig) -> Result<(Signer, String, SecretString), SendError> {
    let chain_pem = read_text(&config.certificate_path)?;
    let key_pem = SecretString::from(read_text(&config.key_path)?);
    let signer = Signer::from_pkcs8_pem(key_pem.expose_secret(), &chain_pem).map_err(|error| {
        SendError::Credential {
            path: config.key_path.clone(),
            reason: error.to_string(),
        }
    })?;
    let found = signer
        .certificate()
        .organisation_number()
        .map_err(|error| SendError::Credential {
            path: config.certificate_path.clone(),
            reason: error.to_string(),
        })?;
    if found != config.organisation_number {
        return Err(SendError::Credential {
            path: config.certificate_path.clone(),
            reason: format!(
                "certificate is for {found}, configured as {}",
                config.organisation_number
            ),
        });
    }
    Ok((signer, chain_pem, key_pem))
}

/// A PEM file's text, at most `PKI_PEM_FILE_BYTES_MAX` bytes.
fn read_text(path: &Path) -> Result<String, SendError> {
    let read_error = |source| SendError::ReadFile {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    file.take(PKI_PEM_FILE_BYTES_MAX + 1)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() as u64 > PKI_PEM_FILE_BYTES_MAX {
        return Err(SendError::Credential {
            path: path.to_owned(),
            reason: format!("longer than {PKI_PEM_FILE_BYTES_MAX} bytes"),
        });
    }
    Ok(text)
}
