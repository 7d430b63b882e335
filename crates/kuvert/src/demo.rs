//! `kuvert demo`: the whole federation in one process on 127.0.0.1 — the registry, the two
//! seeded mailbox operators, the portal, the test e-ID, and the intermediary's sender side
//! (the sender service's REST API and the Message v3 service, [`sender_side`]) — with the
//! demo identities of [`crate::seed`] registered, so a person can log in and read letters at
//! once, a communicator ([`COMMUNICATOR`]) can log in at the portal's `/kommunikator`, and a
//! sender system ([`crate::seed::SENDER_SYSTEM`]) can post letters with its client
//! certificate.
//!
//! [`start`] is the one start-up path: `kuvert demo` calls it with fixed ports and a data
//! directory that survives restarts, `kuvert::testkit` (tests only) with port 0 and a
//! temporary one.
//! Every listener is bound before anything is built (the e-ID issuer and the operators'
//! addresses must be known first) and before anything is spawned. The registry and the
//! operators check organisation certificates against the CRL `pki/org-ca.crl.pem`, written
//! fresh at every start; `kuvert pki revoke DATA_DIR/pki KEY` revokes one.

mod files;
mod lock;
mod manifest;
mod roles;
mod seeding;
mod sender_side;

use std::path::PathBuf;

use anyhow::Context;
use kuvert_pki::TestPki;
use kuvert_web::Shutdown;
use tokio::task::JoinSet;

pub use files::{
    PORTAL_CONFIG_FILE, REGISTRY_CONFIG_FILE, SENDER_CONFIG_FILE, operator_config_file,
};
pub use lock::{DataDirLock, LOCK_FILE};
pub use manifest::{
    FILE_NAME, Manifest, ManifestCommunicator, ManifestIntermediaryService, ManifestOperator,
    ManifestOrganisation, ManifestPerson, ManifestSenderClient, ManifestSenderService,
};
pub use roles::Ports;
pub use seeding::{COMMUNICATOR, SeedCommunicator};
pub use sender_side::INTERMEDIARY_CONFIG_FILE;

/// The first of the demo's consecutive default ports (registry 8440 … Exempelposten's web
/// inbox 8446, then the admin listeners of the registry, the portal and each operator,
/// 8447–8450, then the intermediary's Message v3 service 8451, the sender service's
/// mutual-TLS and OAuth 2 listeners 8452–8453 and their admin listeners 8454–8455), easy to
/// remember and clear of common development servers.
pub const FIRST_PORT_DEFAULT: u16 = 8440;

/// Where each role keeps its rows.
#[derive(Debug, Clone)]
pub enum Databases {
    /// One SQLite file per role in the data directory.
    Sqlite,
    /// One PostgreSQL URL per role, in the order registry, each operator, the portal, the
    /// sender service and the intermediary (each of the last three without its URL keeps a
    /// SQLite file in the data directory).
    Postgres(Vec<String>),
}

/// How to start the federation.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// PKI, databases, blobs, mail and `demo.json` live here.
    pub data_dir: PathBuf,
    /// Fixed ports (each falling back to a free one when taken), or all chosen by the system.
    pub ports: Ports,
    /// The databases.
    pub databases: Databases,
    /// SMTP `host:port` for the operators' notification e-mail; `None` writes `.eml` files
    /// under `data_dir/mail` (the demo's local preview).
    pub smtp_address: Option<String>,
    /// Pause between the operators' notification rounds, in milliseconds. Tests make it
    /// long and drive the workers themselves (`Federation::drain_notifications`).
    pub notification_poll_ms: u64,
    /// An outside OpenID provider for the operators' web login instead of the test e-ID:
    /// each operator registers a client there dynamically for its `inloggad` redirect URI
    /// (tests against npm `oidc-provider`). `None` uses the demo's own test e-ID.
    pub oidc_issuer: Option<url::Url>,
    /// Seconds the portal reuses a computed dashboard (its `statistics.cache_secs`); `None`
    /// keeps the portal's default. The statistics benchmark sets 0 so every request is
    /// measured whole (`crates/kuvert/benches/statistics.rs`).
    pub portal_statistics_cache_secs: Option<u64>,
    /// The operators' letters in an S3 bucket, each under `key_prefix/<operator key>`, instead
    /// of `data_dir/<operator key>-letters` (tests against a real S3 server; `kuvert demo`
    /// keeps local files).
    pub blob_s3: Option<kuvert_operator::config::S3BlobConfig>,
}

/// The demo's notification pause: an e-mail shows up in the preview folder within a second.
pub const NOTIFICATION_POLL_MS_DEFAULT: u64 = 1_000;

/// A running federation.
pub struct Demo {
    /// Every endpoint, file and identity (also written to `demo.json`).
    pub manifest: Manifest,
    /// The PKI the federation trusts.
    pub pki: TestPki,
    /// The registry, for seeding and tests.
    pub registry: kuvert_registry::Service,
    /// The operators, in the order of [`crate::seed::OPERATORS`] (their stores and
    /// notification workers, for tests).
    pub operators: Vec<kuvert_operator::Service>,
    /// The portal (its store, for tests).
    pub portal: kuvert_portal::Service,
    /// The intermediary's Message v3 service (its store and toolkit, for tests).
    pub intermediary: kuvert_sender::intermediary::Service,
    plan: roles::Plan,
    shutdown: Shutdown,
    tasks: JoinSet<(&'static str, std::io::Result<()>)>,
    /// The data directory's lock when [`start`] took it (released on drop).
    _lock: Option<DataDirLock>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Demo")
            .field("manifest", &self.manifest)
            .finish_non_exhaustive()
    }
}

/// Takes the data directory's lock ([`DataDirLock`]: a second demo on it stops here, before
/// writing anything), makes or loads the PKI, binds every listener, builds each role, seeds
/// the registry (idempotently), writes `demo.json` and the role files and spawns the servers.
///
/// # Errors
/// The lock held by another process (naming it), PKI, database, configuration, bind or
/// seeding failures, each with what was being done.
pub async fn start(options: DemoOptions) -> anyhow::Result<Demo> {
    kuvert_web::tls::install_crypto_provider();
    let data_dir = options.data_dir.clone();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let lock = DataDirLock::acquire(&data_dir)?;
    // Absolute paths in demo.json and the role files, so they work from any folder.
    let data_dir = std::fs::canonicalize(&data_dir)
        .with_context(|| format!("resolving the data directory {}", data_dir.display()))?;
    let options = DemoOptions {
        data_dir: data_dir.clone(),
        ..options
    };
    let pki_dir = data_dir.join("pki");
    let pki = tokio::task::spawn_blocking(move || crate::pki_command::load_or_init(&pki_dir))
        .await
        .context("PKI task")??;
    let mut demo = start_with_pki(options, pki).await?;
    demo._lock = Some(lock);
    Ok(demo)
}

/// [`start`] with a PKI already in memory and on disk under `data_dir/pki` (the test harness
/// makes it once per test binary), without the data directory's lock: the harness owns its
/// temporary directory, and restarts on it while the stopped federation is still held.
///
/// # Errors
/// As [`start`].
pub async fn start_with_pki(options: DemoOptions, pki: TestPki) -> anyhow::Result<Demo> {
    kuvert_web::tls::install_crypto_provider();
    // A fresh CRL at every start, keeping what was revoked: the roles refuse any organisation
    // certificate whose CRL is stale (`crl.stale_crl`), and `kuvert pki revoke` adds to it.
    crate::pki_command::write_crl(&options.data_dir.join("pki"), &pki, None)?;
    let listeners = roles::bind_all(&options, &pki).await?;
    let shutdown = Shutdown::new();
    let mut tasks = JoinSet::new();
    let plan = roles::plan(&options, &listeners)?;
    let admin = listeners.admin;
    let registry_listeners = kuvert_registry::Listeners {
        service: listeners.registry,
        admin: admin.registry,
    };
    let registry =
        roles::start_registry(&options, &plan, registry_listeners, &shutdown, &mut tasks).await?;
    seeding::seed(registry.registry(), &pki, &plan)
        .await
        .context("seeding the registry")?;
    roles::start_eid(&plan, &pki, listeners.eid, &shutdown, &mut tasks)?;
    let operator_listeners = (listeners.operators.into_iter().zip(admin.operators))
        .map(|((service, web), admin)| kuvert_operator::Listeners {
            service,
            web,
            admin,
        })
        .collect();
    let operators =
        roles::start_operators(&options, &plan, operator_listeners, &shutdown, &mut tasks).await?;
    let portal_listeners = kuvert_portal::Listeners {
        web: listeners.portal,
        admin: admin.portal,
    };
    let portal =
        roles::start_portal(&options, &plan, portal_listeners, &shutdown, &mut tasks).await?;
    seeding::seed_portal(&portal).await?;
    seeding::seed_notifications(&operators).await?;
    let client = sender_side::client_files(&options, &pki).await?;
    let mut sender = files::sender_config(&options, &plan);
    sender.value["service"] = sender_side::service_table(&options, &plan, &client).await?;
    let sender_config: kuvert_sender::SenderConfig =
        sender.write_and_parse("the sender toolkit")?;
    let intermediary = sender_side::start(
        &options,
        &plan,
        &sender_config,
        listeners.sender_side,
        &shutdown,
        &mut tasks,
    )
    .await?;
    let manifest = Manifest::new(&options, &plan, &client);
    manifest.write(&options.data_dir.join(manifest::FILE_NAME))?;
    Ok(Demo {
        manifest,
        pki,
        registry,
        operators,
        portal,
        intermediary,
        plan,
        shutdown,
        tasks,
        _lock: None,
    })
}

impl Demo {
    /// The test e-ID as this federation runs it (its clients' secrets are fresh per start):
    /// `kuvert cluster` serves it on its own after the demo's servers have stopped.
    ///
    /// # Errors
    /// A person's e-ID credential cannot be read.
    pub fn test_eid(&self) -> anyhow::Result<kuvert_eid::TestEidProvider> {
        roles::eid_provider(&self.plan, &self.pki)
    }

    /// The signal that stops every server; [`Demo::stopped`] waits for them.
    #[must_use]
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    /// Waits until every server has stopped (after [`Demo::shutdown`] was triggered, or when
    /// one fails, which stops the rest).
    ///
    /// # Errors
    /// The first server's I/O error.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        let mut first_error = None;
        while let Some(joined) = self.tasks.join_next().await {
            // Once one server ends, the federation is incomplete: stop the others too.
            self.shutdown.trigger();
            match joined {
                Ok((_, Ok(()))) => {}
                Ok((role, Err(error))) => {
                    first_error.get_or_insert(anyhow::anyhow!("{role} stopped: {error}"));
                }
                Err(error) => {
                    first_error.get_or_insert(anyhow::anyhow!("a server task failed: {error}"));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}
