//! The on-disk form of a [`TestPki`], so `kuvert pki init DIR` and a restarted demo agree.
//!
//! One directory holds:
//! - `org-ca.pem`, `org-ca.key.pem`: the organisation CA certificate and key;
//! - `eid-ca.pem`, `eid-ca.key.pem`: the e-ID CA certificate and key;
//! - `<key>.cert.pem`, `<key>.key.pem`: each organisation and person credential, named by its
//!   spec key. Which CA issued a certificate tells organisations from persons on load.
//!
//! Certificates are PEM `CERTIFICATE`, keys PEM PKCS#8 `PRIVATE KEY` written with mode 0600.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use kuvert_core::limits::{PKI_CREDENTIALS_MAX, PKI_PEM_FILE_BYTES_MAX};
use rcgen::{KeyPair, PublicKeyData};
use secrecy::{ExposeSecret, SecretString};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::{Credential, PkiError, TestPki};

/// File stem of the organisation CA: `org-ca.pem` and `org-ca.key.pem`.
pub const ORGANISATION_CA_STEM: &str = "org-ca";
/// File stem of the e-ID CA: `eid-ca.pem` and `eid-ca.key.pem`.
pub const EID_CA_STEM: &str = "eid-ca";
/// Suffix of a CA certificate file.
pub const CA_CERTIFICATE_SUFFIX: &str = ".pem";
/// Suffix of a leaf certificate file.
pub const CERTIFICATE_SUFFIX: &str = ".cert.pem";
/// Suffix of every private key file.
pub const KEY_SUFFIX: &str = ".key.pem";

impl TestPki {
    /// Writes every certificate and key into `dir`, creating it if needed and replacing files
    /// of the same names.
    pub fn write_to(&self, dir: &Path) -> Result<(), PkiError> {
        fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
        let cas = [
            (ORGANISATION_CA_STEM, &self.organisation_ca),
            (EID_CA_STEM, &self.eid_ca),
        ];
        for (stem, credential) in cas {
            write_credential(dir, stem, CA_CERTIFICATE_SUFFIX, credential)?;
        }
        for (key, credential) in self.organisations().chain(self.persons()) {
            write_credential(dir, key, CERTIFICATE_SUFFIX, credential)?;
        }
        Ok(())
    }

    /// Reads a PKI written by [`TestPki::write_to`]. Every key must match its certificate and
    /// every leaf must be issued by one of the two CAs.
    pub fn load(dir: &Path) -> Result<Self, PkiError> {
        let organisation_ca = read_credential(dir, ORGANISATION_CA_STEM, CA_CERTIFICATE_SUFFIX)?;
        let eid_ca = read_credential(dir, EID_CA_STEM, CA_CERTIFICATE_SUFFIX)?;
        let mut organisations = BTreeMap::new();
        let mut persons = BTreeMap::new();
        for key in leaf_keys(dir)? {
            let leaf = read_credential(dir, &key, CERTIFICATE_SUFFIX)?;
            if leaf.is_signed_by(&organisation_ca) {
                organisations.insert(key, leaf.credential);
            } else if leaf.is_signed_by(&eid_ca) {
                persons.insert(key, leaf.credential);
            } else {
                return Err(PkiError::InvalidFile {
                    path: dir.join(format!("{key}{CERTIFICATE_SUFFIX}")),
                    reason: "certificate is issued by neither CA of this directory".to_owned(),
                });
            }
        }
        Ok(Self {
            organisation_ca: organisation_ca.credential,
            eid_ca: eid_ca.credential,
            organisations,
            persons,
        })
    }
}

/// A credential read from disk with what places it in the hierarchy.
struct ReadCredential {
    credential: Credential,
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    /// The `RSAPublicKey` of the subject.
    public_key: Vec<u8>,
    tbs_der: Vec<u8>,
    signature: Vec<u8>,
}

impl ReadCredential {
    /// Whether `issuer` issued this certificate: names match and its key verifies the
    /// signature, so a look-alike CA from another directory does not pass.
    fn is_signed_by(&self, issuer: &ReadCredential) -> bool {
        let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &issuer.public_key);
        self.issuer_der == issuer.subject_der && key.verify(&self.tbs_der, &self.signature).is_ok()
    }
}

/// The spec keys of all leaf certificate files in `dir`, bounded by the credential limit.
fn leaf_keys(dir: &Path) -> Result<Vec<String>, PkiError> {
    let entries = fs::read_dir(dir).map_err(|source| io_error(dir, source))?;
    let mut keys = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| io_error(dir, source))?;
        let file_name = entry.file_name();
        let Some(key) = file_name
            .to_str()
            .and_then(|name| name.strip_suffix(CERTIFICATE_SUFFIX))
        else {
            continue;
        };
        if !crate::is_valid_key(key) {
            return Err(PkiError::InvalidKey {
                key: key.to_owned(),
            });
        }
        keys.push(key.to_owned());
        if keys.len() > PKI_CREDENTIALS_MAX {
            return Err(PkiError::TooManyCredentials {
                count: keys.len(),
                max: PKI_CREDENTIALS_MAX,
            });
        }
    }
    Ok(keys)
}

fn write_credential(
    dir: &Path,
    stem: &str,
    certificate_suffix: &str,
    credential: &Credential,
) -> Result<(), PkiError> {
    let certificate_path = dir.join(format!("{stem}{certificate_suffix}"));
    fs::write(&certificate_path, credential.certificate_pem())
        .map_err(|source| io_error(&certificate_path, source))?;
    let key_path = dir.join(format!("{stem}{KEY_SUFFIX}"));
    write_private(&key_path, credential.key_pem().expose_secret())
}

/// Writes a file only its owner may read (mode 0600 on Unix), also when it existed with wider
/// permissions: keys here, and any other secret a deployment tool writes (the demo's portal
/// configuration).
///
/// # Errors
/// [`PkiError`] naming the path when it cannot be written.
pub fn write_private(path: &Path, contents: &str) -> Result<(), PkiError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options
            .open(path)
            .map_err(|source| io_error(path, source))?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|source| io_error(path, source))?;
        file.write_all(contents.as_bytes())
            .map_err(|source| io_error(path, source))
    }
    #[cfg(not(unix))]
    {
        let mut file = options
            .open(path)
            .map_err(|source| io_error(path, source))?;
        file.write_all(contents.as_bytes())
            .map_err(|source| io_error(path, source))
    }
}

/// Reads `<stem><certificate_suffix>` and `<stem>.key.pem` and checks that they belong
/// together.
fn read_credential(
    dir: &Path,
    stem: &str,
    certificate_suffix: &str,
) -> Result<ReadCredential, PkiError> {
    let certificate_path = dir.join(format!("{stem}{certificate_suffix}"));
    let certificate_pem = read_bounded(&certificate_path)?;
    let invalid = |path: &Path, reason: String| PkiError::InvalidFile {
        path: path.into(),
        reason,
    };
    let block = pem::parse(&certificate_pem)
        .map_err(|error| invalid(&certificate_path, format!("PEM does not parse: {error}")))?;
    if block.tag() != "CERTIFICATE" {
        let reason = format!("PEM block is {} instead of CERTIFICATE", block.tag());
        return Err(invalid(&certificate_path, reason));
    }
    let certificate_der = block.into_contents();
    let (_, certificate) = X509Certificate::from_der(&certificate_der)
        .map_err(|error| invalid(&certificate_path, format!("X.509 does not parse: {error}")))?;

    let key_path = dir.join(format!("{stem}{KEY_SUFFIX}"));
    let key_pem = SecretString::from(read_bounded(&key_path)?);
    let key_pair = KeyPair::from_pem(key_pem.expose_secret())
        .map_err(|error| invalid(&key_path, format!("private key does not parse: {error}")))?;
    if key_pair.subject_public_key_info() != certificate.tbs_certificate.subject_pki.raw {
        let reason = format!("key does not belong to {}", certificate_path.display());
        return Err(invalid(&key_path, reason));
    }
    Ok(ReadCredential {
        subject_der: certificate.subject().as_raw().to_vec(),
        issuer_der: certificate.issuer().as_raw().to_vec(),
        public_key: certificate.public_key().subject_public_key.data.to_vec(),
        tbs_der: certificate.tbs_certificate.as_ref().to_vec(),
        signature: certificate.signature_value.data.to_vec(),
        credential: Credential {
            certificate_pem,
            certificate_der: certificate_der.clone(),
            key_pem,
        },
    })
}

/// Reads a UTF-8 file of at most `PKI_PEM_FILE_BYTES_MAX` bytes.
fn read_bounded(path: &Path) -> Result<String, PkiError> {
    let file = fs::File::open(path).map_err(|source| io_error(path, source))?;
    let mut bytes = Vec::new();
    file.take(PKI_PEM_FILE_BYTES_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    if bytes.len() as u64 > PKI_PEM_FILE_BYTES_MAX {
        return Err(PkiError::FileTooLarge {
            path: path.into(),
            max: PKI_PEM_FILE_BYTES_MAX,
        });
    }
    String::from_utf8(bytes).map_err(|_| PkiError::InvalidFile {
        path: path.into(),
        reason: "file is not UTF-8 text".to_owned(),
    })
}

fn io_error(path: &Path, source: std::io::Error) -> PkiError {
    PkiError::Io {
        path: path.into(),
        source,
    }
}
