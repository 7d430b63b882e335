//! The sender service (`kuvert sender serve`, issue 15): REST for sender systems in front of
//! the toolkit. `POST /api/v1/letters` (JSON or `multipart/form-data`) and `/api/v1/batches`
//! check a letter as `kuvert check` does, authorise its sender for the caller, queue it
//! durably (`kuvert_store::sender`; a single letter in the single lane, a batch's in the bulk
//! lane) and answer 202 with its id at once; `POST /api/v1/mailings` takes `kuvert mailing`'s
//! manifest and the files it names, every row checked by the manifest's own check and queued
//! as a batch; a worker drains the queue (reachability, sign and seal on
//! the CPU pool, deliver; or paper). `GET /api/v1/letters/{id}` answers a letter's state and
//! timeline, `GET /api/v1/events?after=` the caller's events by sequence (the feed), and
//! `/api/v1/openapi.json` the OpenAPI document.
//! Webhooks (`webhook`) push every event to the configured endpoints, signed, in feed order,
//! with a dead-letter list (`/api/v1/webhooks/dead-letters`). With `[service.message_v3]`
//! the mutual-TLS listener also serves the protocol's own Message v3 and Notification v3
//! (`crate::intermediary::beside`) with the same toolkit, database and CRLs. Every letter
//! that ended digital or on paper is reported to the registry's letter statistics once, in
//! the background (`letter_report::reporter`).
//!
//! Callers are configured clients ([`ClientConfig`]), each allowed named senders: by client
//! certificate on the mutual-TLS listener, or by an OAuth 2 access token (client
//! credentials at `POST /oauth/token`) on the TLS listener.
//!
//! **Invariants:** nothing is queued for a sender the caller may not send for (403); a letter
//! is queued with its `accepted` event in one transaction, and a replayed `Idempotency-Key`
//! answers the letter it first queued; a letter is sent only under its message id fixed at
//! acceptance, as the sealed bytes archived before its first attempt, so a restart sends
//! nothing twice.

mod api;
mod auth;
mod config;
mod error;
mod intake;
mod mailing;
mod model;
mod multipart;
mod webhook;
mod worker;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use kuvert_core::limits::SENDER_SERVICE_REQUEST_BYTES_MAX;
use kuvert_store::Database;
use kuvert_store::durable::FolderSyncs;
use kuvert_store::sender::SenderQueueStore;
use kuvert_web::crl::CrlRefresher;
use kuvert_web::start::{open_database, read_config_file, read_key_file};
use kuvert_web::{Listener, ListenerTls, Shutdown, StartError};
use secrecy::SecretString;
use time::Duration;
use tokio::sync::Notify;

pub use auth::hash_secret;
pub use config::{ClientConfig, ServiceConfig};
pub use webhook::{WebhookConfig, WebhookStart};

use crate::config::SenderConfig;
use crate::letter_report::reporter::{ReportRound, Reporter};
use crate::toolkit::Toolkit;
use auth::{Clients, Tokens};

/// A built sender service, ready to serve.
pub struct Service {
    state: AppState,
    database: Database,
    /// Reports the letters that ended digital or on paper to the registry's statistics.
    reporter: Arc<Reporter>,
    /// The CRLs of `[service.crl]`, when configured: checked at the mutual-TLS handshake and
    /// on every fresh sender signature.
    crls: Option<CrlRefresher>,
    timeouts: kuvert_web::ConnectionTimeouts,
    limiter: kuvert_web::rate_limit::RateLimiter,
    mutual_tls: ListenerTls,
    tls: ListenerTls,
    /// Message v3 beside REST on the mutual-TLS listener (`[service.message_v3]`).
    message_v3: Option<axum::Router>,
}

/// The listeners `serve` runs on, bound by the caller.
pub struct Listeners {
    /// Mutual TLS: callers by client certificate.
    pub mutual_tls: Listener,
    /// TLS without a client certificate: callers by OAuth 2 token; `None` for none.
    pub tls: Option<Listener>,
    /// `/healthz`, `/readyz`, `/metrics`; `None` for none.
    pub admin: Option<Listener>,
}

/// What every handler and the worker share.
#[derive(Clone)]
pub(crate) struct AppState {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    toolkit: Arc<Toolkit>,
    queue: Arc<dyn SenderQueueStore>,
    clients: Arc<Clients>,
    tokens: Option<Tokens>,
    public_url: url::Url,
    portal_url: Option<url::Url>,
    /// Posted letters wake the worker at once.
    wake: Notify,
    concurrency: usize,
    lease: Duration,
    paper_letter_dir: PathBuf,
    paper_syncs: Arc<FolderSyncs>,
    /// The webhook endpoints and their dead letters.
    webhooks: Arc<webhook::Webhooks>,
}

/// Reads the toolkit's files and the service's, opens the queue's database and checks the
/// clients.
///
/// # Errors
/// [`StartError`] naming the configuration key at fault.
pub async fn build(config: &SenderConfig) -> Result<Service, StartError> {
    let service = config
        .service
        .as_ref()
        .ok_or_else(|| StartError::invalid("service")("the [service] section is missing".into()))?;
    let (mutual_tls, tls) = listener_tls(config, service).await?;
    let crls = crl_refresher(config, service, &mutual_tls).await?;
    let toolkit = Toolkit::build_with_crls(config, crls.as_ref().map(CrlRefresher::crls))
        .map_err(|error| StartError::invalid("sender")(kuvert_core::report::error_chain(&error)))?;
    let signs_for = |sender: &_| toolkit.sender_name(sender).is_ok();
    let clients = Clients::from_config(&service.clients, signs_for)?;
    let tokens = tokens(service, &clients).await?;
    check_numbers(service)?;
    let invalid_http = |(key, reason)| StartError::Config { key, reason };
    let timeouts = service.http.timeouts().map_err(invalid_http)?;
    let limiter = (service.http)
        .rate_limiter(kuvert_web::ClientKind::Certificate)
        .map_err(invalid_http)?;
    let database = open_database(&service.database_url, &service.database_pool).await?;
    let webhooks = webhook::build(config, service, &database, &signs_for).await?;
    // The queue's letters, and the distributions in the same database (Message v3 handed
    // over beside REST; none otherwise), are reported to the registry's statistics.
    let reported = vec![
        database.sender_letter_reports(),
        database.distribution_reports(),
    ];
    let reporter = Reporter::new(&toolkit, reported, "sender_service");
    let toolkit = Arc::new(toolkit);
    let beside = |message_v3| {
        let shared = crate::intermediary::Beside {
            toolkit: Arc::clone(&toolkit),
            toolkit_config: config,
            database: &database,
            rate_limiter: &limiter,
        };
        crate::intermediary::beside(message_v3, shared)
    };
    let message_v3 = service.message_v3.as_ref().map(beside).transpose()?;
    let inner = Inner {
        queue: database.sender_queue(),
        toolkit,
        clients: Arc::new(clients),
        tokens,
        public_url: service.public_url.clone(),
        portal_url: config.portal_url.clone(),
        wake: Notify::new(),
        concurrency: service.concurrency,
        lease: Duration::seconds(i64::try_from(service.lease_secs).unwrap_or(i64::MAX)),
        paper_letter_dir: service
            .paper_letter_dir
            .clone()
            .unwrap_or_else(|| config.archive_dir.join("paper-letters")),
        paper_syncs: Arc::new(FolderSyncs::new("sender_paper_letters")),
        webhooks: Arc::new(webhooks),
    };
    Ok(Service {
        state: AppState {
            inner: Arc::new(inner),
        },
        database,
        reporter: Arc::new(reporter),
        crls,
        timeouts,
        limiter,
        mutual_tls,
        tls,
        message_v3,
    })
}

impl Service {
    /// The REST routes in the standard layers (in-process tests call this).
    pub fn router(&self) -> axum::Router {
        let routes = api::routes().merge(webhook::routes());
        let routes = self.limiter.apply(routes.with_state(self.state.clone()));
        kuvert_web::layers::standard_layers(routes, SENDER_SERVICE_REQUEST_BYTES_MAX)
    }

    /// [`Service::router`] and, when configured, Message v3: the mutual-TLS listener's routes.
    pub fn mutual_tls_router(&self) -> axum::Router {
        match &self.message_v3 {
            Some(message_v3) => self.router().merge(message_v3.clone()),
            None => self.router(),
        }
    }

    /// The mutual-TLS listener's configuration (the service certificate, the client CA).
    pub fn mutual_tls(&self) -> ListenerTls {
        clone_tls(&self.mutual_tls)
    }

    /// The TLS listener's configuration (the service certificate, no client certificate).
    pub fn tls(&self) -> ListenerTls {
        clone_tls(&self.tls)
    }

    /// Runs the worker and serves every listener until `shutdown`.
    ///
    /// # Errors
    /// When a listener fails.
    pub async fn serve(self, listeners: Listeners, shutdown: Shutdown) -> io::Result<()> {
        let mutual_tls = listeners.mutual_tls.with_timeouts(self.timeouts);
        let mutual_tls = CrlRefresher::guard(self.crls.as_ref(), mutual_tls, &shutdown)
            .map_err(io::Error::other)?;
        let worker = tokio::spawn(worker::run(Arc::clone(&self.state.inner), shutdown.clone()));
        let webhooks = self.state.inner.webhooks.spawn(&shutdown);
        let reporter = tokio::spawn(Arc::clone(&self.reporter).run(shutdown.clone()));
        let mut served = vec![(mutual_tls, self.mutual_tls_router())];
        if let Some(tls) = listeners.tls {
            served.push((tls.with_timeouts(self.timeouts), self.router()));
        }
        if let Some(admin) = listeners.admin {
            let readiness = kuvert_web::health::Readiness::new(self.database.clone());
            served.push((admin, kuvert_web::health::admin_router(readiness)));
        }
        let result = kuvert_web::serve_all(served, &shutdown).await;
        worker.await.map_err(io::Error::other)?;
        webhooks.join_all().await;
        reporter.await.map_err(io::Error::other)?;
        self.reporter.last_round().await;
        result
    }

    /// The CRL refresher of `[service.crl]` (none without sources), for tests: `refresh()`
    /// reloads the sources now instead of at the next scheduled refresh.
    #[must_use]
    pub fn crls(&self) -> Option<&CrlRefresher> {
        self.crls.as_ref()
    }

    /// One round of the letter reporter now (tests; `serve` runs one every few seconds):
    /// the letters that ended digital or on paper and were not yet reported, per sender.
    ///
    /// # Errors
    /// When the letters cannot be read; a failed report is in [`ReportRound::failed`].
    pub async fn report_letters_once(&self) -> Result<ReportRound, kuvert_store::StoreError> {
        self.reporter.report_once().await
    }

    /// Runs only the worker until `shutdown` (in-process tests that call [`Service::router`]).
    pub fn spawn_worker(&self, shutdown: Shutdown) -> tokio::task::JoinHandle<()> {
        tokio::spawn(worker::run(Arc::clone(&self.state.inner), shutdown))
    }
}

/// The OAuth 2 token issuer of `token_key_path`; needed when a client has a secret.
async fn tokens(service: &ServiceConfig, clients: &Clients) -> Result<Option<Tokens>, StartError> {
    match &service.token_key_path {
        Some(path) => {
            let key = read_key_file(path, "service.token_key_path").await?;
            let tokens = Tokens::new(
                &key,
                service.token_lifetime_secs,
                service.public_url.as_str(),
            )?;
            Ok(Some(tokens))
        }
        None if clients.has_secrets() => Err(StartError::invalid("service.token_key_path")(
            "is needed when a client has a secret_hash".to_owned(),
        )),
        None => Ok(None),
    }
}

fn check_numbers(service: &ServiceConfig) -> Result<(), StartError> {
    if !(1..=kuvert_core::limits::SENDER_SERVICE_CLAIM_LETTERS_MAX).contains(&service.concurrency) {
        return Err(StartError::invalid("service.concurrency")(format!(
            "must be 1..={}",
            kuvert_core::limits::SENDER_SERVICE_CLAIM_LETTERS_MAX
        )));
    }
    if !(1..=3_600).contains(&service.lease_secs) {
        return Err(StartError::invalid("service.lease_secs")(
            "must be 1..=3600".to_owned(),
        ));
    }
    Ok(())
}

/// Loads `[service.crl]`: its CRLs must be signed by the client CA or the toolkit's CA (the
/// senders' certificates'), so both are their anchors.
async fn crl_refresher(
    config: &SenderConfig,
    service: &ServiceConfig,
    mutual_tls: &ListenerTls,
) -> Result<Option<CrlRefresher>, StartError> {
    if !service.crl.is_enabled() {
        return Ok(None);
    }
    let mut ca_pem = match mutual_tls {
        ListenerTls::MutualTls { client_ca_pem, .. } => client_ca_pem.clone(),
        ListenerTls::Plain | ListenerTls::Tls { .. } => String::new(),
    };
    if service
        .client_ca_path
        .as_ref()
        .is_some_and(|path| path != &config.ca_path)
    {
        ca_pem.push('\n');
        ca_pem.push_str(&read_config_file(&config.ca_path, "ca_path").await?);
    }
    CrlRefresher::open(&service.crl, &ca_pem)
        .await
        .map_err(|error| StartError::invalid("service.crl")(error.to_string()))
}

/// The two listeners' TLS: the service certificate (default: the intermediary's), and for
/// the mutual one the client CA (default: the toolkit's CA).
async fn listener_tls(
    config: &SenderConfig,
    service: &ServiceConfig,
) -> Result<(ListenerTls, ListenerTls), StartError> {
    let certificate_path = service
        .certificate_path
        .as_ref()
        .unwrap_or(&config.intermediary.certificate_path);
    let key_path = service
        .key_path
        .as_ref()
        .unwrap_or(&config.intermediary.key_path);
    let client_ca_path = service.client_ca_path.as_ref().unwrap_or(&config.ca_path);
    let cert_chain_pem = read_config_file(certificate_path, "service.certificate_path").await?;
    let key_pem = read_config_file(key_path, "service.key_path").await?;
    let client_ca_pem = read_config_file(client_ca_path, "service.client_ca_path").await?;
    let mutual = ListenerTls::MutualTls {
        cert_chain_pem: cert_chain_pem.clone(),
        key_pem: SecretString::from(key_pem.clone()),
        client_ca_pem,
    };
    let tls = ListenerTls::Tls {
        cert_chain_pem,
        key_pem: SecretString::from(key_pem),
    };
    Ok((mutual, tls))
}

fn clone_tls(tls: &ListenerTls) -> ListenerTls {
    use secrecy::ExposeSecret as _;
    match tls {
        ListenerTls::Plain => ListenerTls::Plain,
        ListenerTls::Tls {
            cert_chain_pem,
            key_pem,
        } => ListenerTls::Tls {
            cert_chain_pem: cert_chain_pem.clone(),
            key_pem: SecretString::from(key_pem.expose_secret().to_owned()),
        },
        ListenerTls::MutualTls {
            cert_chain_pem,
            key_pem,
            client_ca_pem,
        } => ListenerTls::MutualTls {
            cert_chain_pem: cert_chain_pem.clone(),
            key_pem: SecretString::from(key_pem.expose_secret().to_owned()),
            client_ca_pem: client_ca_pem.clone(),
        },
    }
}
