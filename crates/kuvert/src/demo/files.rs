//! The role configuration files the demo runs with, written to the data directory as the
//! TOML a deployment would have: `registry.toml`, `operator-KEY.toml` per operator,
//! `portal.toml`, `sender.toml` (the toolkit, with the sender service's `[service]` table) and
//! `intermediary.toml`. Each role is built from the very value written (through serde), so
//! `kuvert registry serve --config DIR/registry.toml`, `kuvert operator serve --config
//! DIR/operator-demobrevladan.toml`, `kuvert send --config DIR/sender.toml`, `kuvert sender
//! serve --config DIR/sender.toml` and the admin commands start from what the demo itself
//! used. Every file is written readable by its owner only (0600): the operators' and the
//! portal's hold OIDC client secrets, and a database URL may hold a password.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::DemoOptions;
use super::roles::{self, Plan};
use crate::seed;

/// The registry's configuration file in the data directory.
pub const REGISTRY_CONFIG_FILE: &str = "registry.toml";

/// The sender toolkit's configuration file in the data directory (`kuvert send --config`;
/// `kuvert send --demo DIR` reads it too).
pub const SENDER_CONFIG_FILE: &str = "sender.toml";

/// The file the demo writes the portal's configuration to, in the data directory, so the
/// admin command works on the demo's portal:
/// `kuvert portal communicator --config DIR/portal.toml add PNR --sender ORGNR`.
pub const PORTAL_CONFIG_FILE: &str = "portal.toml";

/// An operator's configuration file in the data directory: `operator-KEY.toml`.
#[must_use]
pub fn operator_config_file(key: &str) -> String {
    format!("operator-{key}.toml")
}

/// Writes `value` as TOML to `path`, readable by its owner only.
///
/// # Errors
/// When the value has no TOML form (a null) or the file cannot be written.
pub(super) fn write_config(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    let toml = toml::to_string(value)
        .with_context(|| format!("the configuration {} as TOML", path.display()))?;
    kuvert_pki::files::write_private(path, &toml)?;
    Ok(())
}

/// The secret key file `DIR/keys/NAME.key` (32 random bytes as 64 hex digits, owner-only),
/// made at the first start and kept: a role's web nodes given the same file accept each
/// other's cookies and form tokens (`kuvert cluster` runs two), and sessions outlive a restart.
///
/// # Errors
/// The folder or the file cannot be written, or the system has no randomness.
pub(super) fn web_key_file(data_dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let folder = data_dir.join("keys");
    let path = folder.join(format!("{name}.key"));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let mut key = [0_u8; 32];
    aws_lc_rs::rand::fill(&mut key).map_err(|_| anyhow::anyhow!("no randomness for {name}"))?;
    kuvert_pki::files::write_private(&path, &hex::encode(key))?;
    Ok(path)
}

/// The registry's configuration: its database, the e-ID CA, and the TLS files its listener
/// uses (the demo binds that listener itself from the PKI in memory; `kuvert registry serve`
/// reads these paths).
pub(super) fn registry_config(options: &DemoOptions, plan: &Plan) -> anyhow::Result<Config> {
    let pki = &plan.pki_dir;
    let key = seed::REGISTRY.key;
    let value = serde_json::json!({
        "database_url": roles::database_url(options, 0, "registry")?,
        "eid_ca_path": roles::ca_path(pki, kuvert_pki::files::EID_CA_STEM),
        "tls_certificate_path": roles::certificate_path(pki, key),
        "tls_key_path": roles::key_path(pki, key),
        "client_ca_path": roles::ca_path(pki, kuvert_pki::files::ORGANISATION_CA_STEM),
        "public_url": plan.registry_url.as_str().trim_end_matches('/'),
        "admin": plan.registry_admin.to_string(),
        "crl": roles::crl_config(pki),
    });
    Ok(Config {
        path: options.data_dir.join(REGISTRY_CONFIG_FILE),
        value,
    })
}

/// The sender toolkit's configuration: the intermediary seals for both senders, evidence in
/// `DIR/sender-archive`, the paper-mail list beside it, and the portal's address, so each
/// paper-mail row carries the text and QR code link to print on that letter.
pub(super) fn sender_config(options: &DemoOptions, plan: &Plan) -> Config {
    let pki = &plan.pki_dir;
    let identity = |organisation: seed::SeedOrganisation| {
        serde_json::json!({
            "organisation_number": organisation.number,
            "certificate_path": roles::certificate_path(pki, organisation.key),
            "key_path": roles::key_path(pki, organisation.key),
        })
    };
    let senders: Vec<serde_json::Value> = seed::SENDERS
        .into_iter()
        .map(|sender| {
            let mut value = identity(sender);
            value["name"] = sender.name.into();
            value
        })
        .collect();
    let archive_dir = options.data_dir.join("sender-archive");
    let registry = plan.registry_url.as_str().trim_end_matches('/');
    let value = serde_json::json!({
        "registry_url": format!("{registry}/ec/Recipient/v3"),
        "ca_path": roles::ca_path(pki, kuvert_pki::files::ORGANISATION_CA_STEM),
        "intermediary": identity(seed::INTERMEDIARY),
        "senders": senders,
        "paper_mail_path": archive_dir.join("paper-mail.csv"),
        "archive_dir": archive_dir,
        "portal_url": plan.portal_url.as_str(),
    });
    Config {
        path: options.data_dir.join(SENDER_CONFIG_FILE),
        value,
    }
}

/// A role's configuration and the file it goes to.
#[derive(Debug)]
pub(super) struct Config {
    pub(super) path: PathBuf,
    pub(super) value: serde_json::Value,
}

impl Config {
    /// Writes the file, then reads the same value as the role's typed configuration.
    ///
    /// # Errors
    /// Writing fails, or the value is not a valid configuration of the role.
    pub(super) fn write_and_parse<T: serde::de::DeserializeOwned>(
        self,
        role: &str,
    ) -> anyhow::Result<T> {
        write_config(&self.path, &self.value)?;
        serde_json::from_value(self.value).with_context(|| format!("configuration of {role}"))
    }
}
