//! `kuvert pki init DIR`: make the test PKI of the demo federation and write it as PEM files;
//! `kuvert pki revoke DIR KEY`: revoke one of its organisation certificates by adding it to
//! the organisation CA's CRL (`org-ca.crl.pem`), which the demo's roles reload within
//! [`DEMO_CRL_REFRESH_SECS`].

use std::path::Path;

use anyhow::Context;
use kuvert_pki::{CrlValidity, ORGANISATION_CRL_FILE, TestPki};

use crate::seed;

/// What `init` does with a PKI already in its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingPki {
    /// Refuse to overwrite it (the default), since that would orphan letters signed with it.
    Refuse,
    /// Replace it (`--force`).
    Replace,
}

/// Generates the seeded organisations' and persons' certificates under two test CAs and
/// writes them to `dir` (file names in `kuvert_pki::files`); an existing PKI there is refused
/// or replaced as `existing` says.
pub fn init(dir: &Path, existing: ExistingPki) -> anyhow::Result<TestPki> {
    let ca_file = dir.join(format!(
        "{}{}",
        kuvert_pki::files::ORGANISATION_CA_STEM,
        kuvert_pki::files::CA_CERTIFICATE_SUFFIX
    ));
    if ca_file.exists() && existing == ExistingPki::Refuse {
        anyhow::bail!(
            "{} already holds a PKI (found {}); pass --force to replace it",
            dir.display(),
            ca_file.display()
        );
    }
    let pki = TestPki::generate(&seed::pki_spec()).context("generating the test PKI")?;
    pki.write_to(dir)
        .with_context(|| format!("writing the test PKI to {}", dir.display()))?;
    Ok(pki)
}

/// Loads the PKI in `dir`, or makes one there when the directory holds none yet.
pub fn load_or_init(dir: &Path) -> anyhow::Result<TestPki> {
    match TestPki::load(dir) {
        Ok(pki) => Ok(pki),
        Err(_) if !dir.join("org-ca.pem").exists() => init(dir, ExistingPki::Refuse),
        Err(error) => Err(error).with_context(|| format!("loading the PKI in {}", dir.display())),
    }
}

/// How often the demo's roles reload `org-ca.crl.pem` (their `crl.refresh_secs`), so a
/// `kuvert pki revoke` applies to the next handshake and delivery within seconds.
pub const DEMO_CRL_REFRESH_SECS: u64 = 5;

/// How long a CRL the demo writes stays fresh (`nextUpdate`); the demo writes a new one at
/// every start.
const DEMO_CRL_FRESH_DAYS: i64 = 30;

/// Writes a fresh organisation CRL into `dir`, listing what the CRL there already lists plus
/// `also_revoked` (a certificate serial).
pub fn write_crl(dir: &Path, pki: &TestPki, also_revoked: Option<Vec<u8>>) -> anyhow::Result<()> {
    let path = dir.join(ORGANISATION_CRL_FILE);
    let mut serials = kuvert_pki::read_crl_serials(&path)
        .with_context(|| format!("reading the CRL {}", path.display()))?;
    if let Some(serial) = also_revoked
        && !serials.contains(&serial)
    {
        serials.push(serial);
    }
    let validity = CrlValidity::from_now(time::Duration::days(DEMO_CRL_FRESH_DAYS));
    pki.write_organisation_crl(dir, &serials, validity)
        .with_context(|| format!("writing the CRL {}", path.display()))
}

/// Revokes the organisation certificate `key` of the PKI in `dir`.
pub fn revoke(dir: &Path, key: &str) -> anyhow::Result<()> {
    let pki =
        TestPki::load(dir).with_context(|| format!("loading the PKI in {}", dir.display()))?;
    let credential = pki
        .organisation(key)
        .with_context(|| format!("{} holds no organisation certificate {key}", dir.display()))?;
    write_crl(dir, &pki, Some(credential.serial()))
}
