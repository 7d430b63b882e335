//! The sender side of the demo: the sender service (`kuvert sender serve`, REST for sender
//! systems) and the intermediary's Message v3 service (`kuvert intermediary serve`), both
//! speaking for the intermediary [`seed::INTERMEDIARY`] with its certificate, and the demo's
//! sender system ([`seed::SENDER_SYSTEM`]), a client of the sender service by its own TLS
//! client certificate (`pki/demosystemet.cert.pem`, issued at the first start) or by OAuth 2
//! client credentials (the secret in `keys/sender-client-secret.key`, only its hash in
//! `sender.toml`).
//!
//! Their listeners come after every other demo port: the intermediary, the sender service's
//! mutual-TLS and TLS (OAuth 2) listeners, then the two admin listeners.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_pki::{LeafOptions, OrganisationSpec, TestPki};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use super::roles::{self, Plan, Tasks};
use super::{DemoOptions, files};
use crate::seed;

/// The intermediary's configuration file in the data directory
/// (`kuvert intermediary serve --config DIR/intermediary.toml`).
pub const INTERMEDIARY_CONFIG_FILE: &str = "intermediary.toml";

/// The listeners of the sender side, bound with the others before anything is built.
pub(super) struct SenderSideListeners {
    pub(super) intermediary: Listener,
    pub(super) service_mutual_tls: Listener,
    pub(super) service_tls: Listener,
    pub(super) intermediary_admin: Listener,
    pub(super) service_admin: Listener,
}

/// The sender side's addresses.
#[derive(Debug)]
pub(super) struct SenderSidePlan {
    /// `https://127.0.0.1:PORT/Message/v3` (mutual TLS).
    pub(super) intermediary_url: Url,
    pub(super) intermediary_admin: SocketAddr,
    /// `https://127.0.0.1:PORT/` of the sender service's mutual-TLS listener.
    pub(super) service_url: Url,
    /// `https://127.0.0.1:PORT/` of its TLS listener (OAuth 2 callers).
    pub(super) service_oauth_url: Url,
    pub(super) service_admin: SocketAddr,
}

/// The demo sender system's credentials, as files in the data directory.
#[derive(Debug, Clone)]
pub(super) struct ClientFiles {
    pub(super) certificate: PathBuf,
    pub(super) key: PathBuf,
    /// The OAuth 2 client secret (64 hex digits).
    pub(super) secret: PathBuf,
}

/// Binds the sender side's listeners on the next ports of `next`: the intermediary's and
/// the sender service's mutual-TLS listeners present the intermediary's certificate and ask
/// for one issued by the organisation CA; the OAuth 2 listener presents the same certificate.
pub(super) async fn bind_all(
    next: &mut impl FnMut() -> u16,
    pki: &TestPki,
) -> anyhow::Result<SenderSideListeners> {
    let key = seed::INTERMEDIARY.key;
    let plain = || Ok(ListenerTls::Plain);
    let server_tls = || {
        let credential = pki
            .organisation(key)
            .with_context(|| format!("no certificate for {key}"))?;
        Ok(ListenerTls::Tls {
            cert_chain_pem: credential.certificate_pem().to_owned(),
            key_pem: credential.key_pem().clone(),
        })
    };
    Ok(SenderSideListeners {
        intermediary: roles::bind(next(), || roles::mutual_tls(pki, key)).await?,
        service_mutual_tls: roles::bind(next(), || roles::mutual_tls(pki, key)).await?,
        service_tls: roles::bind(next(), server_tls).await?,
        intermediary_admin: roles::bind(next(), plain).await?,
        service_admin: roles::bind(next(), plain).await?,
    })
}

/// The addresses of the bound listeners.
pub(super) fn plan(listeners: &SenderSideListeners) -> anyhow::Result<SenderSidePlan> {
    let url = |listener: &Listener, path: &str| -> anyhow::Result<Url> {
        let address = listener.local_addr()?;
        Url::parse(&format!("https://{address}{path}")).context("demo URL")
    };
    Ok(SenderSidePlan {
        intermediary_url: url(&listeners.intermediary, "/Message/v3")?,
        intermediary_admin: listeners.intermediary_admin.local_addr()?,
        service_url: url(&listeners.service_mutual_tls, "/")?,
        service_oauth_url: url(&listeners.service_tls, "/")?,
        service_admin: listeners.service_admin.local_addr()?,
    })
}

/// Makes the demo sender system's files when missing: its client certificate, issued by the
/// organisation CA into `pki/` (so `kuvert pki revoke DIR/pki demosystemet` revokes it, and
/// a restarted demo loads it with the PKI), and its OAuth 2 client secret.
///
/// # Errors
/// The certificate cannot be issued, or a file cannot be written.
pub(super) async fn client_files(
    options: &DemoOptions,
    pki: &TestPki,
) -> anyhow::Result<ClientFiles> {
    let system = seed::SENDER_SYSTEM;
    let pki_dir = options.data_dir.join("pki");
    let files = ClientFiles {
        certificate: roles::certificate_path(&pki_dir, system.key),
        key: roles::key_path(&pki_dir, system.key),
        secret: files::web_key_file(&options.data_dir, "sender-client-secret")?,
    };
    if pki.organisation(system.key).is_none() {
        let spec = OrganisationSpec {
            key: system.key.to_owned(),
            name: system.organisation.name.to_owned(),
            number: system.organisation.organisation_number(),
            host_names: vec![format!("{}.{}", system.key, system.organisation.domain)],
        };
        let pki = pki.clone();
        // A fresh RSA key: off the async threads.
        let credential = tokio::task::spawn_blocking(move || {
            pki.issue_organisation(&spec, &LeafOptions::default())
        })
        .await
        .context("the client certificate task")?
        .context("issuing the demo sender system's client certificate")?;
        std::fs::write(&files.certificate, credential.certificate_pem())
            .with_context(|| format!("writing {}", files.certificate.display()))?;
        kuvert_pki::files::write_private(&files.key, credential.key_pem().expose_secret())?;
    }
    Ok(files)
}

/// The `[service]` table of `sender.toml`: the queue's database, the token key, the CRL, and
/// the demo sender system as the one client, by its certificate's organisation and by its
/// secret's Argon2id hash.
///
/// # Errors
/// The secret cannot be read or hashed, or the database has no URL.
pub(super) async fn service_table(
    options: &DemoOptions,
    plan: &Plan,
    client: &ClientFiles,
) -> anyhow::Result<serde_json::Value> {
    let secret = read_secret(&client.secret)?;
    let secret_hash = tokio::task::spawn_blocking(move || {
        kuvert_sender::service::hash_secret(secret.expose_secret())
            .map_err(|error| anyhow::anyhow!("hashing the client secret: {error}"))
    })
    .await
    .context("the hashing task")??;
    let system = seed::SENDER_SYSTEM;
    let index = seed::OPERATORS.len() + 2;
    Ok(serde_json::json!({
        "database_url": roles::optional_database_url(options, index, "sender-service")?,
        "public_url": plan.sender_side.service_url.as_str(),
        "token_key_path": files::web_key_file(&options.data_dir, "sender-token")?,
        "crl": roles::crl_config(&plan.pki_dir),
        "clients": [{
            "id": system.key,
            "certificate_organisation": system.organisation.number,
            "secret_hash": secret_hash,
            "senders": system.senders.map(|sender| sender.number),
        }],
    }))
}

/// The intermediary's configuration: the toolkit of `sender.toml` without signing identities
/// (sender systems sign themselves), its evidence in `DIR/intermediary-archive`, and both
/// senders, each handing over its own letters.
///
/// # Errors
/// The database has no URL.
pub(super) fn intermediary_config(
    options: &DemoOptions,
    plan: &Plan,
) -> anyhow::Result<files::Config> {
    let mut toolkit = files::sender_config(options, plan).value;
    let archive_dir = options.data_dir.join("intermediary-archive");
    toolkit["senders"] = serde_json::json!([]);
    toolkit["paper_mail_path"] = archive_dir
        .join("paper-mail.csv")
        .display()
        .to_string()
        .into();
    toolkit["archive_dir"] = archive_dir.display().to_string().into();
    let senders: Vec<serde_json::Value> = seed::SENDERS
        .into_iter()
        .map(|sender| serde_json::json!({ "organisation_number": sender.number }))
        .collect();
    let index = seed::OPERATORS.len() + 3;
    let value = serde_json::json!({
        "toolkit": toolkit,
        "database_url": roles::optional_database_url(options, index, "intermediary")?,
        "senders": senders,
        "crl": roles::crl_config(&plan.pki_dir),
        "admin": plan.sender_side.intermediary_admin.to_string(),
    });
    Ok(files::Config {
        path: options.data_dir.join(INTERMEDIARY_CONFIG_FILE),
        value,
    })
}

/// Builds the sender service from `sender.toml` (already parsed) and the intermediary from
/// its file, and spawns both; answers the intermediary (its store and toolkit, for tests).
///
/// # Errors
/// A configuration or database is unusable.
pub(super) async fn start(
    options: &DemoOptions,
    plan: &Plan,
    sender_config: &kuvert_sender::SenderConfig,
    listeners: SenderSideListeners,
    shutdown: &Shutdown,
    tasks: &mut Tasks,
) -> anyhow::Result<kuvert_sender::intermediary::Service> {
    let service = kuvert_sender::service::build(sender_config)
        .await
        .context("starting the sender service")?;
    let service_listeners = kuvert_sender::service::Listeners {
        mutual_tls: listeners.service_mutual_tls,
        tls: Some(listeners.service_tls),
        admin: Some(listeners.service_admin),
    };
    let stop = shutdown.clone();
    tasks.spawn(async move {
        (
            "sender service",
            service.serve(service_listeners, stop).await,
        )
    });
    let config: kuvert_sender::intermediary::IntermediaryConfig =
        intermediary_config(options, plan)?.write_and_parse("the intermediary")?;
    let intermediary = kuvert_sender::intermediary::build(config)
        .await
        .context("starting the intermediary")?;
    let intermediary_listeners = kuvert_sender::intermediary::Listeners {
        service: listeners.intermediary,
        admin: listeners.intermediary_admin,
    };
    let (serving, stop) = (intermediary.clone(), shutdown.clone());
    tasks.spawn(async move {
        (
            "intermediary",
            serving.serve(intermediary_listeners, stop).await,
        )
    });
    Ok(intermediary)
}

fn read_secret(path: &Path) -> anyhow::Result<SecretString> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(SecretString::from(text.trim().to_owned()))
}
