//! The public portal: where people learn what a digital mailbox is and get one.
//!
//! It serves the start page with the three main messages of `TERMS.md` and the one call to
//! action, "Skaffa digital brevlåda", which leads to a chooser of the connected mailbox
//! operators; each choice goes through `/skaffa/{slug}` (counted) straight into that
//! operator's sign-up, so a person is at an operator in two clicks, from the start page or
//! from a sender's deep link (`/skaffa?avsandare=…&kampanj=…`). It also lists the connected
//! senders (from the registry, [`RegistryClient`]), answers common questions, states its
//! accessibility, and prints a QR code and a short text for senders' paper letters. Pages are
//! server-rendered, Swedish first with an English version (`?lang=en`), and work without
//! JavaScript. Public pages set no cookies.
//!
//! Main types: [`Config`], [`PortalOperator`], [`Service`], [`RegistryClient`].
//! **Invariant:** the portal talks to the registry only over mutual TLS with its own
//! organisation certificate, and reads nothing but public aggregates from it.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use kuvert_store::portal::PortalStore;
use kuvert_web::start::read_config_file;
use kuvert_web::{Listener, Shutdown, StartError};

mod communicator;
mod config;
mod dashboard;
mod domain;
mod http;
mod registry_client;
mod visits;

pub use communicator::{CommunicatorConfig, EditorMailConfig};
pub use config::{Config, DATABASE_URL_DEFAULT, PortalOperator};
pub use dashboard::public::PUBLIC_SLUGS as PUBLIC_FIGURES;
pub use dashboard::settings::{POPULATION_DEFAULT, StatisticsConfig};
pub use registry_client::{ConnectedSender, RegistryClient};

/// A built portal, ready to serve.
#[derive(Debug, Clone)]
pub struct Service {
    state: http::AppState,
    /// What the admin listener's `/readyz` checks: the database. Pages need nothing else
    /// (the senders list says so itself when the registry cannot be asked).
    readiness: kuvert_web::health::Readiness,
    /// Connection timeouts of the listener (`Config::http`).
    timeouts: kuvert_web::ConnectionTimeouts,
}

/// The portal's two already bound listeners.
pub struct Listeners {
    /// The public pages (plain HTTP, meant to sit behind a TLS proxy).
    pub web: Listener,
    /// The admin listener: `/healthz`, `/readyz`, `/metrics` (plain HTTP, `Config::admin`).
    pub admin: Listener,
}

/// Timeouts of the portal's calls to the registry: a page waits at most this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// See [`CONNECT_TIMEOUT`].
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks the configuration, reads the certificates and builds the registry client.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unusable value or file.
pub async fn build(config: Config) -> Result<Service, StartError> {
    kuvert_web::tls::install_crypto_provider();
    config.check()?;
    let invalid_http = |(key, reason)| StartError::Config { key, reason };
    let timeouts = config.http.timeouts().map_err(invalid_http)?;
    let limiter = config
        .http
        .rate_limiter(kuvert_web::ClientKind::Address)
        .map_err(invalid_http)?;
    let registry = registry_client(&config).await?;
    let database =
        kuvert_web::start::open_database(&config.database_url, &config.database_pool).await?;
    let store = database.portal();
    let network = database.portal_network();
    let editorial = database.portal_editorial();
    let plans = database.portal_plans();
    let visits =
        visits::VisitCounter::new(Arc::clone(&store), Arc::clone(&network), &config.public_url);
    // Earlier days' hashes and salts go at start too, in case no node ran at the day change.
    let today = kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc());
    visits
        .forget_before(today)
        .await
        .map_err(StartError::database)?;
    let communicators = match &config.communicators {
        Some(section) => {
            let ca_path = &config.tls.organisation_ca_path;
            let ca_pem = read_config_file(ca_path, "tls.organisation_ca_path").await?;
            let stores = communicator::Stores {
                store: Arc::clone(&store),
                network: Arc::clone(&network),
                editorial: Arc::clone(&editorial),
                plans: Arc::clone(&plans),
                web_sessions: database.web_sessions(),
            };
            let state = communicator::CommunicatorState::build(
                section,
                &config.public_url,
                &ca_pem,
                stores,
                registry.clone(),
            );
            Some(state.await?)
        }
        None => None,
    };
    let client_address_header = config
        .client_address_header
        .as_deref()
        .map(|name| axum::http::HeaderName::from_bytes(name.as_bytes()))
        .transpose()
        .map_err(|error| StartError::Config {
            key: "client_address_header",
            reason: error.to_string(),
        })?;
    Ok(Service {
        state: http::AppState {
            config: Arc::new(config),
            registry,
            visits,
            network,
            editorial,
            plans,
            client_address_header,
            communicators,
            limiter,
        },
        readiness: kuvert_web::health::Readiness::new(database),
        timeouts,
    })
}

impl Service {
    /// The portal's routes with the standard layers, for in-process tests and [`Self::serve`].
    pub fn router(&self) -> Router {
        http::router(self.state.clone())
    }

    /// The admin listener's routes: `/healthz`, `/readyz` (the database answers) and
    /// `/metrics`.
    pub fn admin_router(&self) -> Router {
        kuvert_web::health::admin_router(self.readiness.clone())
    }

    /// The registry client (shared cache), for the binary and tests.
    #[must_use]
    pub fn registry(&self) -> &RegistryClient {
        &self.state.registry
    }

    /// The portal's store (visits, operator choices, campaigns), for the binary and tests.
    #[must_use]
    pub fn store(&self) -> Arc<dyn PortalStore> {
        Arc::clone(self.state.visits.store())
    }

    /// The communicators' network store (brands, feedback, A/B tests), for tests.
    #[must_use]
    pub fn network_store(&self) -> Arc<dyn kuvert_store::portal::network::NetworkStore> {
        Arc::clone(&self.state.network)
    }

    /// The plans store (annual plans, campaign reviews), for tests.
    #[must_use]
    pub fn plans_store(&self) -> Arc<dyn kuvert_store::portal::plans::PlanStore> {
        Arc::clone(&self.state.plans)
    }

    /// The editorial store (the editor role, submissions), for the binary and tests.
    #[must_use]
    pub fn editorial_store(&self) -> Arc<dyn kuvert_store::portal::editorial::EditorialStore> {
        Arc::clone(&self.state.editorial)
    }

    /// Serves the portal and its admin routes on already bound listeners until `shutdown`,
    /// with the task that forgets each day's visitor salt and hashes at the Stockholm day
    /// change.
    ///
    /// # Errors
    /// The first accept loop's I/O error.
    pub async fn serve(self, listeners: Listeners, shutdown: Shutdown) -> io::Result<()> {
        let day_change = tokio::spawn(self.state.visits.clone().run_day_change(shutdown.clone()));
        if let Some(communicators) = &self.state.communicators {
            tokio::spawn(communicators.clone().run_session_sweeper(shutdown.clone()));
        }
        let served = vec![
            (listeners.web.with_timeouts(self.timeouts), self.router()),
            (
                listeners.admin.with_timeouts(self.timeouts),
                self.admin_router(),
            ),
        ];
        let served = kuvert_web::serve_all(served, &shutdown).await;
        if let Err(error) = day_change.await {
            tracing::error!(%error, "the portal's day-change task ended abnormally");
        }
        served
    }
}

/// The portal's client of the registry from its configuration (its organisation certificate
/// over mutual TLS): the service uses it, and so does `kuvert portal communicator add` to
/// check that the senders named are connected.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unreadable file or unusable TLS setting.
pub async fn registry_client(config: &Config) -> Result<RegistryClient, StartError> {
    let identity = config.tls.read().await?;
    let http = identity.registry_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?;
    Ok(RegistryClient::new(
        http,
        &config.registry_url,
        Duration::from_secs(config.senders_cache_secs),
    ))
}
