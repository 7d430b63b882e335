//! `kuvert pki init DIR`: make the test PKI of the demo federation and write it as PEM files.

use std::path::Path;

use anyhow::Context;
use kuvert_pki::TestPki;

use crate::seed;

/// Generates the seeded organisations' and persons' certificates under two test CAs and
/// writes them to `dir` (file names in `kuvert_pki::files`). Refuses to overwrite an
/// existing PKI unless `is_forced`, since that would orphan letters signed with it.
pub fn init(dir: &Path, is_forced: bool) -> anyhow::Result<TestPki> {
    let ca_file = dir.join(format!(
        "{}{}",
        kuvert_pki::files::ORGANISATION_CA_STEM,
        kuvert_pki::files::CA_CERTIFICATE_SUFFIX
    ));
    if ca_file.exists() && !is_forced {
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
        Err(_) if !dir.join("org-ca.pem").exists() => init(dir, false),
        Err(error) => Err(error).with_context(|| format!("loading the PKI in {}", dir.display())),
    }
}
