//! The intermediary (förmedlare) as a service for sender systems: the protocol's own sender →
//! intermediary contracts (PROTOCOL.md §5.4, §5.5, §11.6 steps 2–5), so a sender system that
//! already speaks them connects unchanged (issue 15).
//!
//! - [`build`] turns an [`IntermediaryConfig`] into a [`Service`]: it builds the [`Toolkit`]
//!   (registry, operators, sealing key, evidence archive, paper-mail list), opens the database
//!   (`kuvert_store::distribution`) and reads the configured senders.
//! - [`Service::router`] serves `POST /Message/v3` (Message v3 `distributeSecure` and
//!   `checkDistributionStatus`, exactly per `Message.wsdl`) and `POST /Notification/v3`
//!   (Notification v3, answered with a "not supported" fault, because the operators do not
//!   accept `notify`) on a mutual-TLS listener ([`Service::listener_tls`]), and
//!   [`Service::admin_router`] `/healthz`, `/readyz` (the database answers) and `/metrics` on
//!   a plain admin listener of its own.
//! - `distributeSecure`: the client certificate's organisation must be a configured client,
//!   the signed delivery is verified exactly as an operator verifies the sender's signature
//!   (`kuvert_wire::delivery::SignedDocument`: one path, the profile's shape, RSA-SHA256
//!   chained to the configured CA, and the `crl` table's CRLs, which the listener's handshake
//!   consults too), `Sender/Id` must be a configured sender the client may act
//!   for and the signer that sender; then the distribution is recorded, the registry asked,
//!   and the letter sealed (on the CPU pool) and delivered, or put on the paper-mail list.
//!   The answer is the distribution id, a UUID.
//! - `checkDistributionStatus(senderId, distributionId)`: `Digital`/`Paper`/`Not` and
//!   `Delivered`/`Pending`/`DeliveryFailed` of the one recipient.
//! - Every distribution that ended digital or on paper is reported to the registry's letter
//!   statistics once, in the background (`letter_report::reporter`).
//!
//! **Invariants:** a client's identity comes only from its verified TLS client certificate;
//! the letter sealed is the canonical form of the very tree whose signature verified; a
//! distribution is recorded before anything is sent, and a retry of the same signed delivery
//! (sender, message id, content) answers the first distribution id: one delivered or on paper
//! is not sent again, and one resumed (after a crash or a failed delivery) is stored by the
//! operator once, by its idempotency on sender, message id and content (`distribute`).

mod config;
mod distribute;
mod error;
mod rules;
mod soap;

pub use config::{AuthorisedSender, IntermediaryConfig, MessageV3Config};
pub use error::Error;
pub use rules::{Parties, Senders};

use std::io;
use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use kuvert_core::limits::ENVELOPE_BYTES_CEILING;
use kuvert_store::distribution::DistributionStore;
use kuvert_web::crl::CrlRefresher;
use kuvert_web::health::Readiness;
use kuvert_web::rate_limit::RateLimiter;
use kuvert_web::start::read_config_file;
use kuvert_web::{ClientKind, ConnectionTimeouts, Listener, ListenerTls, Shutdown, StartError};
use secrecy::SecretString;

use crate::letter_report::reporter::{ReportRound, Reporter};
use crate::toolkit::Toolkit;
use distribute::Distributor;
use soap::AppState;

/// A built intermediary service, ready to route requests or serve its listener.
#[derive(Clone)]
pub struct Service {
    state: AppState,
    /// The CRLs of `crl`, when configured: checked at the listener's handshake and on every
    /// sender signature.
    crls: Option<CrlRefresher>,
    timeouts: ConnectionTimeouts,
    rate_limiter: RateLimiter,
    tls: ServerIdentity,
    readiness: Readiness,
    /// Reports the distributions that ended digital or on paper to the registry's statistics.
    reporter: Arc<Reporter>,
}

/// The listeners [`Service::serve`] serves, already bound.
pub struct Listeners {
    /// Mutual TLS: `/Message/v3` and `/Notification/v3` (see [`Service::listener_tls`]).
    pub service: Listener,
    /// Plain HTTP: `/healthz`, `/readyz`, `/metrics` (`IntermediaryConfig::admin`).
    pub admin: Listener,
}

/// What the mutual-TLS listener presents and accepts.
#[derive(Clone)]
struct ServerIdentity {
    cert_chain_pem: String,
    key_pem: SecretString,
    client_ca_pem: String,
}

/// Reads the certificates, builds the toolkit, opens the database and checks the senders.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unusable value or file;
/// [`StartError::Database`] when the database cannot be opened.
pub async fn build(config: IntermediaryConfig) -> Result<Service, StartError> {
    kuvert_web::tls::install_crypto_provider();
    let envelope_bytes_max = checked_envelope_bytes_max(config.envelope_bytes_max)
        .map_err(StartError::invalid("envelope_bytes_max"))?;
    let invalid = |(key, reason)| StartError::Config { key, reason };
    let timeouts = config.http.timeouts().map_err(invalid)?;
    let rate_limiter = config
        .http
        .rate_limiter(ClientKind::Certificate)
        .map_err(invalid)?;
    let senders = Senders::new(&config.senders).map_err(StartError::invalid("senders"))?;
    let identity = &config.toolkit.intermediary;
    let tls = ServerIdentity {
        cert_chain_pem: read_config_file(
            &identity.certificate_path,
            "toolkit.intermediary.certificate_path",
        )
        .await?,
        key_pem: SecretString::from(
            read_config_file(&identity.key_path, "toolkit.intermediary.key_path").await?,
        ),
        client_ca_pem: read_config_file(&config.toolkit.ca_path, "toolkit.ca_path").await?,
    };
    let crls = CrlRefresher::open(&config.crl, &tls.client_ca_pem)
        .await
        .map_err(|error| StartError::invalid("crl")(error.to_string()))?;
    let toolkit = Toolkit::build_with_crls(&config.toolkit, crls.as_ref().map(CrlRefresher::crls))
        .map_err(|error| StartError::invalid("toolkit")(error.to_string()))?;
    let verifier = toolkit.sender_verifier().clone();
    let database =
        kuvert_web::start::open_database(&config.database_url, &config.database_pool).await?;
    let readiness = Readiness::new(database.clone());
    let reporter = Reporter::new(
        &toolkit,
        vec![database.distribution_reports()],
        "intermediary",
    );
    let distributor = Distributor {
        claim: distribute::claim_duration(&config.toolkit),
        toolkit: Arc::new(toolkit),
        store: database.distributions(),
        senders,
        verifier,
    };
    Ok(Service {
        crls,
        state: AppState::new(distributor, envelope_bytes_max),
        timeouts,
        rate_limiter,
        tls,
        readiness,
        reporter: Arc::new(reporter),
    })
}

/// What [`beside`] shares with the REST gateway it is served beside.
pub struct Beside<'a> {
    /// The gateway's toolkit (it seals and delivers with it).
    pub toolkit: Arc<Toolkit>,
    /// The gateway's toolkit configuration (its timeouts bound a claim).
    pub toolkit_config: &'a crate::SenderConfig,
    /// The gateway's database: distributions are recorded beside its queue.
    pub database: &'a kuvert_store::Database,
    /// The gateway's rate limit per client certificate.
    pub rate_limiter: &'a RateLimiter,
}

/// The routes `/Message/v3` and `/Notification/v3` of `config`, served beside the REST
/// gateway on its mutual-TLS listener, with what `shared` gives.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unusable value.
pub fn beside(config: &MessageV3Config, shared: Beside<'_>) -> Result<Router, StartError> {
    let key = "service.message_v3.envelope_bytes_max";
    let envelope_bytes_max =
        checked_envelope_bytes_max(config.envelope_bytes_max).map_err(StartError::invalid(key))?;
    let senders =
        Senders::new(&config.senders).map_err(StartError::invalid("service.message_v3.senders"))?;
    let verifier = shared.toolkit.sender_verifier().clone();
    let distributor = Distributor {
        claim: distribute::claim_duration(shared.toolkit_config),
        toolkit: shared.toolkit,
        store: shared.database.distributions(),
        senders,
        verifier,
    };
    let state = AppState::new(distributor, envelope_bytes_max);
    Ok(routes(state, shared.rate_limiter))
}

/// `/Message/v3` and `/Notification/v3` over `state`, with the standard layers and the rate
/// limit per client certificate; mount it on a mutual-TLS listener.
fn routes(state: AppState, rate_limiter: &RateLimiter) -> Router {
    let envelope_bytes_max = state.envelope_bytes_max;
    let routes = Router::new()
        .route("/Message/v3", post(soap::message_v3))
        .route("/Notification/v3", post(soap::notification_v3))
        .with_state(state);
    // The handler enforces the configured bound itself, so that a too large envelope gets
    // an MM fault (5005) instead of a bare 413; the layer is the hard ceiling.
    let ceiling = usize::try_from(ENVELOPE_BYTES_CEILING).unwrap_or(usize::MAX);
    let body_bytes_max = ceiling.max(envelope_bytes_max);
    kuvert_web::layers::standard_layers(rate_limiter.apply(routes), body_bytes_max)
}

impl Service {
    /// The routes `/Message/v3` and `/Notification/v3`, with the standard layers and the rate
    /// limit per client certificate; mount it on a mutual-TLS listener.
    pub fn router(&self) -> Router {
        routes(self.state.clone(), &self.rate_limiter)
    }

    /// `/healthz`, `/readyz` and `/metrics`, for the admin listener only.
    pub fn admin_router(&self) -> Router {
        kuvert_web::health::admin_router(self.readiness.clone())
    }

    /// The listener's mutual TLS: the intermediary's certificate, asking for client
    /// certificates from the configured CA (PROTOCOL.md §8).
    #[must_use]
    pub fn listener_tls(&self) -> ListenerTls {
        ListenerTls::MutualTls {
            cert_chain_pem: self.tls.cert_chain_pem.clone(),
            key_pem: self.tls.key_pem.clone(),
            client_ca_pem: self.tls.client_ca_pem.clone(),
        }
    }

    /// The record of distributions, for tests.
    #[must_use]
    pub fn store(&self) -> Arc<dyn DistributionStore> {
        Arc::clone(&self.state.distributor.store)
    }

    /// The toolkit the service delivers with (its evidence archive and paper-mail list).
    #[must_use]
    pub fn toolkit(&self) -> &Toolkit {
        &self.state.distributor.toolkit
    }

    /// Serves [`Service::router`] on the service listener and [`Service::admin_router`] on
    /// the admin listener until `shutdown`; the first to fail stops the other.
    ///
    /// # Errors
    /// The first accept loop's I/O error.
    pub async fn serve(self, listeners: Listeners, shutdown: Shutdown) -> io::Result<()> {
        let listener = listeners.service.with_timeouts(self.timeouts);
        let listener = CrlRefresher::guard(self.crls.as_ref(), listener, &shutdown)
            .map_err(io::Error::other)?;
        let reporter = tokio::spawn(Arc::clone(&self.reporter).run(shutdown.clone()));
        let served = vec![
            (listener, self.router()),
            (
                listeners.admin.with_timeouts(self.timeouts),
                self.admin_router(),
            ),
        ];
        let served = kuvert_web::serve_all(served, &shutdown).await;
        reporter.await.map_err(io::Error::other)?;
        self.reporter.last_round().await;
        served
    }

    /// One round of the letter reporter now (tests; `serve` runs one every few seconds): the
    /// distributions that ended digital or on paper and were not yet reported, per sender.
    ///
    /// # Errors
    /// When the distributions cannot be read; a failed report is in [`ReportRound::failed`].
    pub async fn report_letters_once(&self) -> Result<ReportRound, kuvert_store::StoreError> {
        self.reporter.report_once().await
    }

    /// The CRL refresher of `crl` (none without sources), for tests: `refresh()` reloads the
    /// sources now instead of at the next scheduled refresh.
    #[must_use]
    pub fn crls(&self) -> Option<&CrlRefresher> {
        self.crls.as_ref()
    }
}

/// The envelope bound as a `usize`, checked against the ceiling.
fn checked_envelope_bytes_max(bytes: u64) -> Result<usize, String> {
    if bytes == 0 || bytes > ENVELOPE_BYTES_CEILING {
        return Err(format!("must be 1..={ENVELOPE_BYTES_CEILING} bytes"));
    }
    usize::try_from(bytes).map_err(|_| "does not fit in memory".to_owned())
}
