//! Mailbox operator (*brevlådeoperatör*): intake of sealed deliveries, notifications, and the
//! web inbox.
//!
//! - [`build`] turns a [`Config`] into a [`Service`]: it reads the certificates, opens the
//!   store and builds the [`registry_client::RegistryClient`].
//! - [`Service::router`] serves `POST /service/v3` (Service v3 `deliverSecure`, PROTOCOL.md
//!   §5.3, §11.6 step 4; `notify` and `deliverForward` are answered with a "not supported"
//!   fault) on the mutual-TLS listener; [`Service::web_router`] the web inbox on the other;
//!   [`Service::admin_router`] `/healthz`, `/readyz` and `/metrics` on a third, the admin
//!   listener ([`Listeners`]).
//! - [`intake::Intake`] accepts one delivery (clock, registry, store); [`domain::intake`] and
//!   [`domain::rules`] hold its pure checks.
//! - [`notification::NotificationWorker`] sends the e-mail and SMS notifications queued with
//!   each stored letter; [`Service::serve`] runs it in the background, tests call
//!   [`Service::notifications`]`.run_once()`.
//!
//! **Invariants:** a caller's identity comes only from its verified TLS client certificate
//! (`kuvert_web::CallerOrganisation`), and the seal must be that caller's; both signatures are
//! verified on the parsed tree the letter is then read from; every envelope is bounded by
//! `Config::envelope_bytes_max` before parsing; a receipt is returned only after the blob is
//! flushed and the row committed, and a retry returns the original receipt. The stored blob is
//! the received `deliverSecure` envelope byte for byte, and every later reader (inbox,
//! attachments, export) reads it through `kuvert_wire::delivery::read_verified`, the same
//! reader the intake used, so nothing is shown that was not verified.

pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod intake;
pub mod notification;
pub mod registry_client;
mod soap;

pub use config::Config;
pub use error::Error;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::blob::{BlobStore, LocalBlobStore};
use kuvert_store::operator::OperatorStore;
use kuvert_store::web_session::WebSessionStore;
use kuvert_web::cpu_pool::CpuPool;
use kuvert_web::health::Readiness;
use kuvert_web::rate_limit::RateLimiter;
use kuvert_web::registry_client::OrganisationIdentity;
use kuvert_web::start::read_config_file;
use kuvert_web::{
    ClientKind, ConnectionTimeouts, HttpConfig, Listener, ListenerTls, Shutdown, StartError,
};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Verifier, VerifyPolicy};

use crate::intake::Intake;
use crate::notification::NotificationWorker;
use crate::registry_client::RegistryClient;

/// A built operator, ready to route requests or serve its listeners.
#[derive(Clone)]
pub struct Service {
    state: AppState,
    /// Connection timeouts and rate limits of both listeners (`Config::http`).
    http: HttpGuards,
    worker: NotificationWorker,
    identity: OrganisationIdentity,
    /// The web inbox's state (sessions, e-ID client), shared by every `web_router`.
    inbox: http::InboxState,
    /// The CRLs of `tls.crl`, when configured: checked at the service listener's handshake
    /// and on both signatures of every delivery.
    crls: Option<kuvert_web::crl::CrlRefresher>,
    /// What the admin listener's `/readyz` checks: the database and the blob store.
    readiness: kuvert_web::health::Readiness,
}

/// The operator's two already bound listeners.
pub struct Listeners {
    /// Mutual TLS, for `/service/v3` (see [`Service::service_listener_tls`]).
    pub service: Listener,
    /// The web inbox (plain HTTP in the demo, TLS optional).
    pub web: Listener,
    /// The admin listener: `/healthz`, `/readyz`, `/metrics` (plain HTTP, `Config::admin`).
    pub admin: Listener,
}

/// What every handler shares; the web inbox (`http`) uses the same state.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The operator's storage.
    pub(crate) store: Arc<dyn OperatorStore>,
    /// The intake of sealed deliveries.
    pub(crate) intake: Intake,
    /// Where deliveries are parsed and verified: one at a time per core, single letters
    /// before mass-mailing letters, the callers (by their certificate) in turn.
    pub(crate) cpu: CpuPool<OrganisationNumber>,
    /// `Config::envelope_bytes_max`, checked.
    pub(crate) envelope_bytes_max: usize,
}

/// What bounds the operator's listeners, from `Config::http`.
#[derive(Clone, Debug)]
struct HttpGuards {
    timeouts: ConnectionTimeouts,
    /// Per client certificate, on the service listener.
    service: RateLimiter,
    /// Per client address, on the web inbox.
    web: RateLimiter,
}

/// Reads the certificates, opens the database and blob store, and builds the registry client
/// and notification transports.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unusable value or file;
/// [`StartError::Database`] when the database cannot be opened.
pub async fn build(config: Config) -> Result<Service, StartError> {
    kuvert_web::tls::install_crypto_provider();
    let envelope_bytes_max =
        (config.checked_envelope_bytes_max()).map_err(StartError::invalid("envelope_bytes_max"))?;
    let http = http_guards(&config.http)?;
    let identity = config.tls.read().await?;
    let anchors = TrustAnchors::from_pem(&identity.organisation_ca_pem).map_err(|error| {
        StartError::Config {
            key: "tls.organisation_ca_path",
            reason: error.to_string(),
        }
    })?;
    let policy = VerifyPolicy {
        is_sha1_allowed: config.is_sha1_allowed,
        now: time::OffsetDateTime::now_utc(),
    };
    let crls = crl_refresher(&config, &identity).await?;
    // Stored letters are read back (inbox, attachments, export) without the CRLs: their
    // certificates were checked against them at intake, and a certificate revoked later must
    // not hide a letter that was accepted before.
    let stored_letter_verifier = Verifier::new(anchors.clone(), policy);
    let verifier = match &crls {
        Some(refresher) => Verifier::new(anchors, policy).with_crls(refresher.crls()),
        None => Verifier::new(anchors, policy),
    };
    let (store, web_sessions, readiness) = open_store(&config).await?;
    let registry = registry_client(&config, &identity)?;
    let worker = notification_worker(&config, &identity, Arc::clone(&store)).await?;
    let inbox = http::InboxState::build(
        &config,
        Arc::clone(&store),
        web_sessions,
        registry.clone(),
        &identity.organisation_ca_pem,
        worker.code_sender(),
        stored_letter_verifier,
    )
    .await?;
    let intake = Intake::new(
        Arc::clone(&store),
        registry,
        verifier,
        config.organisation_number.clone(),
    );
    let state = AppState {
        store,
        intake,
        cpu: CpuPool::per_core(),
        envelope_bytes_max,
    };
    Ok(Service {
        state,
        http,
        worker,
        identity,
        inbox,
        crls,
        readiness,
    })
}

impl Service {
    /// The Service v3 routes (`/service/v3`), with the standard layers.
    pub fn router(&self) -> Router {
        let routes = Router::new()
            .route("/service/v3", post(soap::service_v3))
            .with_state(self.state.clone());
        // The handler enforces the configured bound itself, so that a too large envelope gets
        // an MM fault (5005) instead of a bare 413; the layer is the hard ceiling.
        let ceiling = usize::try_from(kuvert_core::limits::ENVELOPE_BYTES_CEILING)
            .unwrap_or(self.state.envelope_bytes_max);
        let routes = self.http.service.apply(routes);
        let body_bytes_max = ceiling.max(self.state.envelope_bytes_max);
        kuvert_web::layers::standard_layers(routes, body_bytes_max)
    }

    /// The web inbox's routes (`http::router`), with the standard layers.
    pub fn web_router(&self) -> Router {
        let body_bytes_max = kuvert_core::limits::INBOX_FORM_BYTES_MAX;
        let routes = self.http.web.apply(http::router(self.inbox.clone()));
        kuvert_web::layers::standard_layers(routes, body_bytes_max)
    }

    /// The admin listener's routes: `/healthz`, `/readyz` (the database and the blob store
    /// answer) and `/metrics`.
    pub fn admin_router(&self) -> Router {
        kuvert_web::health::admin_router(self.readiness.clone())
    }

    /// The CRL refresher of `tls.crl` (none without sources), for tests and status pages:
    /// `refresh()` reloads the sources now instead of at the next scheduled refresh.
    #[must_use]
    pub fn crls(&self) -> Option<&kuvert_web::crl::CrlRefresher> {
        self.crls.as_ref()
    }

    /// The operator's storage, for the binary's seed data and for tests.
    #[must_use]
    pub fn store(&self) -> Arc<dyn OperatorStore> {
        Arc::clone(&self.state.store)
    }

    /// The outbox worker, for tests and the binary's one-shot commands.
    #[must_use]
    pub fn notifications(&self) -> &NotificationWorker {
        &self.worker
    }

    /// The mutual-TLS configuration of the service listener: the operator's certificate,
    /// asking for client certificates from the organisation CA (PROTOCOL.md §8).
    #[must_use]
    pub fn service_listener_tls(&self) -> ListenerTls {
        ListenerTls::MutualTls {
            cert_chain_pem: self.identity.certificate_pem.clone(),
            key_pem: self.identity.key_pem.clone(),
            client_ca_pem: self.identity.organisation_ca_pem.clone(),
        }
    }

    /// Serves the three listeners and runs the notification worker until `shutdown`.
    ///
    /// # Errors
    /// The first accept loop's I/O error.
    pub async fn serve(self, listeners: Listeners, shutdown: Shutdown) -> io::Result<()> {
        let service_listener =
            kuvert_web::crl::CrlRefresher::guard(self.crls.as_ref(), listeners.service, &shutdown)
                .map_err(io::Error::other)?;
        let worker = tokio::spawn(self.worker.clone().run(shutdown.clone()));
        tokio::spawn(self.inbox.clone().run_session_sweeper(shutdown.clone()));
        let timeouts = self.http.timeouts;
        let served = vec![
            (service_listener.with_timeouts(timeouts), self.router()),
            (listeners.web.with_timeouts(timeouts), self.web_router()),
            (listeners.admin.with_timeouts(timeouts), self.admin_router()),
        ];
        let served = kuvert_web::serve_all(served, &shutdown).await;
        if let Err(error) = worker.await {
            tracing::error!(%error, "notification worker ended abnormally");
        }
        served
    }
}

/// The listeners' timeouts and rate limits, checked.
fn http_guards(config: &HttpConfig) -> Result<HttpGuards, StartError> {
    let invalid = |(key, reason)| StartError::Config { key, reason };
    Ok(HttpGuards {
        timeouts: config.timeouts().map_err(invalid)?,
        service: config
            .rate_limiter(ClientKind::Certificate)
            .map_err(invalid)?,
        web: config.rate_limiter(ClientKind::Address).map_err(invalid)?,
    })
}

/// Timeouts of the operator's outgoing HTTP calls (registry, SMS gateway).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`CONNECT_TIMEOUT`].
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The operator's store and its web sessions, both in `database_url`, and the readiness
/// check of the database and the blob store.
async fn open_store(
    config: &Config,
) -> Result<(Arc<dyn OperatorStore>, Arc<dyn WebSessionStore>, Readiness), StartError> {
    let blobs = blob_store(config).await?;
    let database =
        kuvert_web::start::open_database(&config.database_url, &config.database_pool).await?;
    let store = database.operator(Arc::clone(&blobs));
    let web_sessions = database.web_sessions();
    let readiness = Readiness::new(database).with_blobs(blobs);
    Ok((store, web_sessions, readiness))
}

/// The blob store the configuration names: the folder `blob_dir` or the bucket `blob_s3`.
///
/// # Errors
/// [`StartError::Config`] naming the key when neither or both are set, a value is unusable,
/// or `blob_s3` is set in a build without the `s3` feature.
pub async fn blob_store(config: &Config) -> Result<Arc<dyn BlobStore>, StartError> {
    let invalid = |key, reason: String| StartError::Config { key, reason };
    match (&config.blob_dir, &config.blob_s3) {
        (Some(directory), None) => {
            let blobs = LocalBlobStore::open(directory)
                .map_err(|error| invalid("blob_dir", error.to_string()))?;
            Ok(Arc::new(blobs))
        }
        (None, Some(s3)) => {
            let settings = s3
                .settings()
                .await
                .map_err(|(key, reason)| invalid(key, reason))?;
            kuvert_store::blob::s3::open(&settings)
                .map_err(|error| invalid("blob_s3", error.to_string()))
        }
        _ => Err(invalid(
            "blob_dir",
            "set exactly one of blob_dir and blob_s3".to_owned(),
        )),
    }
}

/// Loads `tls.crl`, whose CRLs must be signed by the organisation CA.
async fn crl_refresher(
    config: &Config,
    identity: &OrganisationIdentity,
) -> Result<Option<kuvert_web::crl::CrlRefresher>, StartError> {
    let crl = &config.tls.crl;
    let config_error = |error: kuvert_web::WebError| StartError::Config {
        key: "tls.crl",
        reason: error.to_string(),
    };
    kuvert_web::crl::CrlRefresher::open(crl, &identity.organisation_ca_pem)
        .await
        .map_err(config_error)
}

fn registry_client(
    config: &Config,
    identity: &OrganisationIdentity,
) -> Result<RegistryClient, StartError> {
    let url = url::Url::parse(&config.registry_url).map_err(|error| StartError::Config {
        key: "registry_url",
        reason: error.to_string(),
    })?;
    let http = identity.registry_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?;
    Ok(RegistryClient::new(
        http,
        registry_client::RegistryClientConfig {
            base_url: url.as_str().to_owned(),
            own_number: config.organisation_number.clone(),
            directory_ttl: Duration::from_secs(config.directory_cache_secs),
            recipient_ttl: Duration::from_secs(config.recipient_cache_secs),
        },
    ))
}

async fn notification_worker(
    config: &Config,
    identity: &OrganisationIdentity,
    store: Arc<dyn OperatorStore>,
) -> Result<NotificationWorker, StartError> {
    let settings = &config.notification;
    let invalid = |key, reason: String| StartError::Config { key, reason };
    let email = email_transport(settings).await?;
    let address: lettre::Address =
        settings
            .email_from
            .parse()
            .map_err(|error: lettre::address::AddressError| {
                invalid("notification.email_from", error.to_string())
            })?;
    let email_from = lettre::message::Mailbox::new(Some(config.name.clone()), address);
    let sms = match &settings.sms_gateway_url {
        Some(gateway_url) => Some(sms_gateway(settings, gateway_url, identity).await?),
        None => None,
    };
    url::Url::parse(&config.web.public_url)
        .map_err(|error| invalid("web.public_url", error.to_string()))?;
    let text = notification::text::NotificationText {
        operator_name: config.name.clone(),
        inbox_url: config.web.public_url.clone(),
    };
    let poll_interval = Duration::from_millis(settings.poll_interval_ms.max(1));
    let policy = if settings.keeps_sending_hours {
        notification::SendingPolicy::Respectful
    } else {
        notification::SendingPolicy::Immediate
    };
    let worker = NotificationWorker::new(notification::WorkerParts {
        store,
        email,
        email_from,
        sms,
        text,
        poll_interval,
    });
    Ok(worker.with_policy(policy))
}

/// The e-mail transport of `notification`: exactly one of `smtp_address`, `smtp_url` (with
/// its password and CA files) and `mail_dir`.
async fn email_transport(
    settings: &config::NotificationConfig,
) -> Result<notification::email::EmailTransport, StartError> {
    use notification::email::{EmailTransport, SmtpSettings};
    let invalid = |key, reason: String| StartError::Config { key, reason };
    match (
        &settings.smtp_address,
        &settings.smtp_url,
        &settings.mail_dir,
    ) {
        (Some(address), None, None) => {
            EmailTransport::smtp(address).map_err(StartError::invalid("notification.smtp_address"))
        }
        (None, Some(url), None) => {
            let password = match &settings.smtp_password_file {
                Some(path) => Some(read_secret(path, "notification.smtp_password_file").await?),
                None => None,
            };
            let ca_pem = match &settings.smtp_ca_path {
                Some(path) => Some(read_config_file(path, "notification.smtp_ca_path").await?),
                None => None,
            };
            let ca_pem = ca_pem.as_deref().map(str::as_bytes);
            let smtp = SmtpSettings {
                url,
                password,
                ca_pem,
            };
            EmailTransport::smtp_url(&smtp).map_err(StartError::invalid("notification.smtp_url"))
        }
        (None, None, Some(directory)) => {
            tokio::fs::create_dir_all(directory)
                .await
                .map_err(|error| invalid("notification.mail_dir", error.to_string()))?;
            Ok(EmailTransport::directory(directory.clone()))
        }
        _ => {
            let reason = "set exactly one of smtp_address, smtp_url and mail_dir".to_owned();
            Err(invalid("notification.smtp_address", reason))
        }
    }
}

/// A secret (password, token) from the file that configuration key `key` names, without
/// surrounding white space; an empty one is refused.
async fn read_secret(
    path: &std::path::Path,
    key: &'static str,
) -> Result<secrecy::SecretString, StartError> {
    let text = read_config_file(path, key).await?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(StartError::invalid(key)(format!(
            "{} is empty",
            path.display()
        )));
    }
    Ok(secrecy::SecretString::from(secret))
}

async fn sms_gateway(
    settings: &config::NotificationConfig,
    gateway_url: &str,
    identity: &OrganisationIdentity,
) -> Result<Arc<dyn notification::sms::SmsGateway>, StartError> {
    let key = "notification.sms_gateway_url";
    url::Url::parse(gateway_url).map_err(|error| StartError::Config {
        key,
        reason: error.to_string(),
    })?;
    let client_config = kuvert_web::ClientConfig {
        ca_pem: identity.organisation_ca_pem.clone(),
        identity: None,
        connect_timeout: CONNECT_TIMEOUT,
        request_timeout: REQUEST_TIMEOUT,
    };
    let http = kuvert_web::http_client(&client_config).map_err(|error| StartError::Config {
        key,
        reason: error.to_string(),
    })?;
    let token = match &settings.sms_gateway_token_file {
        Some(path) => Some(read_secret(path, "notification.sms_gateway_token_file").await?),
        None => None,
    };
    Ok(Arc::new(notification::sms::HttpSmsGateway::new(
        http,
        gateway_url.to_owned(),
        token,
    )))
}
