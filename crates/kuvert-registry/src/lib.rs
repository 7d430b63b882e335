//! Förmedlingsadressregistret (FaR): profiles, reception rules, senders, intermediaries and
//! operators, served over the protocol's SOAP services and a REST/JSON API.
//!
//! - [`build`] turns a [`Config`] into a [`Service`]; [`Service::router`] serves
//!   `/ec/Recipient/v3` and `/ec/Authority` (SOAP, PROTOCOL.md §5.1, §5.2), `/api/v1/…`
//!   (REST) and `/openapi.json`; [`Service::admin_router`] `/healthz`, `/readyz` and
//!   `/metrics` on the separate admin listener ([`Listeners`]).
//! - [`registry::Registry`] holds the operations; [`domain`] the pure rules they apply
//!   (reachability, caller authorisation, e-ID signing, reception rules).
//! - [`admin`] adds operators, senders, intermediaries and company signatory rules (called by
//!   the binary's `kuvert registry admin …`; there is no HTTP for it).
//!
//! **Invariants:** a caller's identity comes only from its verified TLS client certificate
//! (`kuvert_web::CallerOrganisation`), never from the body; every request body is bounded by
//! `Config::envelope_bytes_max`; every profile change carries e-ID signatures verified against
//! the configured e-ID CA, stored with the change in one transaction.

pub mod admin;
pub mod config;
pub mod domain;
pub mod error;
pub mod registry;
mod soap;

pub use config::Config;
pub use error::Error;

mod http;

use std::io;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use kuvert_web::identity::CallerRejection;
use kuvert_web::rate_limit::RateLimiter;
use kuvert_web::start::read_config_file;
use kuvert_web::{
    CallerOrganisation, ClientKind, ConnectionTimeouts, Listener, ListenerTls, Shutdown, StartError,
};
use kuvert_xmldsig::trust::TrustAnchors;

use crate::registry::Registry;

/// A built registry, ready to route requests or serve its listeners.
#[derive(Debug, Clone)]
pub struct Service {
    state: AppState,
    /// What the admin listener's `/readyz` checks: the database.
    readiness: kuvert_web::health::Readiness,
    tls: Option<TlsFiles>,
    crls: Option<kuvert_web::crl::CrlRefresher>,
    /// Connection timeouts of the listener (`Config::http`).
    timeouts: ConnectionTimeouts,
    /// Rate limit per client certificate (`Config::http`).
    limiter: RateLimiter,
}

/// The registry's two already bound listeners.
pub struct Listeners {
    /// Mutual TLS, for SOAP, REST and OpenAPI (see [`Service::listener_tls`]).
    pub service: Listener,
    /// The admin listener: `/healthz`, `/readyz`, `/metrics` (plain HTTP, `Config::admin`).
    pub admin: Listener,
}

/// The PEM texts of `Config`'s TLS paths, read at start-up.
#[derive(Clone)]
struct TlsFiles {
    cert_chain_pem: String,
    key_pem: secrecy::SecretString,
    client_ca_pem: String,
}

impl std::fmt::Debug for TlsFiles {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("TlsFiles").finish_non_exhaustive()
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    registry: Registry,
    body_bytes_max: usize,
    public_url: String,
}

/// Opens the database (running migrations), reads the e-ID CA and checks the configuration.
///
/// # Errors
/// [`StartError::Config`] naming the key of an unusable value or file;
/// [`StartError::Database`] when the database cannot be opened.
pub async fn build(config: Config) -> Result<Service, StartError> {
    let body_bytes_max =
        (config.checked_envelope_bytes_max()).map_err(StartError::invalid("envelope_bytes_max"))?;
    let invalid_http = |(key, reason)| StartError::Config { key, reason };
    let timeouts = config.http.timeouts().map_err(invalid_http)?;
    let limiter = config
        .http
        .rate_limiter(ClientKind::Certificate)
        .map_err(invalid_http)?;
    let eid_ca_pem = read_config_file(&config.eid_ca_path, "eid_ca_path").await?;
    let anchors = TrustAnchors::from_pem(&eid_ca_pem).map_err(|error| StartError::Config {
        key: "eid_ca_path",
        reason: error.to_string(),
    })?;
    url::Url::parse(&config.public_url).map_err(|error| StartError::Config {
        key: "public_url",
        reason: error.to_string(),
    })?;
    let database =
        kuvert_web::start::open_database(&config.database_url, &config.database_pool).await?;
    let tls = read_tls_files(&config).await?;
    let crls = crl_refresher(&config).await?;
    let registry = Registry::new(database.registry(), anchors);
    let readiness = kuvert_web::health::Readiness::new(database);
    let state = AppState {
        registry,
        body_bytes_max,
        public_url: config.public_url,
    };
    Ok(Service {
        state,
        readiness,
        tls,
        crls,
        timeouts,
        limiter,
    })
}

/// Loads `crl`, whose CRLs must be signed by a CA of `client_ca_path`.
async fn crl_refresher(
    config: &Config,
) -> Result<Option<kuvert_web::crl::CrlRefresher>, StartError> {
    if !config.crl.is_enabled() {
        return Ok(None);
    }
    let config_error = |reason: String| StartError::Config { key: "crl", reason };
    let path = config
        .client_ca_path
        .as_ref()
        .ok_or_else(|| config_error("needs client_ca_path".to_owned()))?;
    let ca_pem = tokio::fs::read_to_string(path)
        .await
        .map_err(|error| config_error(format!("{}: {error}", path.display())))?;
    kuvert_web::crl::CrlRefresher::open(&config.crl, &ca_pem)
        .await
        .map_err(|error| config_error(error.to_string()))
}

/// Reads the three TLS files when all are configured; some but not all is an error.
async fn read_tls_files(config: &Config) -> Result<Option<TlsFiles>, StartError> {
    let paths = [
        ("tls_certificate_path", &config.tls_certificate_path),
        ("tls_key_path", &config.tls_key_path),
        ("client_ca_path", &config.client_ca_path),
    ];
    if paths.iter().all(|(_, path)| path.is_none()) {
        return Ok(None);
    }
    let mut texts = Vec::with_capacity(paths.len());
    for (key, path) in paths {
        let path = path.as_ref().ok_or_else(|| StartError::Config {
            key,
            reason: "all three TLS paths must be set together".to_owned(),
        })?;
        texts.push(read_config_file(path, key).await?);
    }
    let [cert_chain_pem, key_pem, client_ca_pem] =
        <[String; 3]>::try_from(texts).map_err(|_| StartError::Config {
            key: "tls_key_path",
            reason: "unreadable".to_owned(),
        })?;
    Ok(Some(TlsFiles {
        cert_chain_pem,
        key_pem: key_pem.into(),
        client_ca_pem,
    }))
}

impl Service {
    /// The registry's operations, for the admin functions and the demo's seed.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.state.registry
    }

    /// The mutual-TLS settings for the registry's listener, from the configured files (the
    /// binary binds the listener with them); `None` when no TLS paths are configured.
    #[must_use]
    pub fn listener_tls(&self) -> Option<ListenerTls> {
        self.tls.as_ref().map(|files| ListenerTls::MutualTls {
            cert_chain_pem: files.cert_chain_pem.clone(),
            key_pem: files.key_pem.clone(),
            client_ca_pem: files.client_ca_pem.clone(),
        })
    }

    /// Every public route: SOAP, REST and OpenAPI, with the standard layers (health and
    /// metrics are on [`Service::admin_router`]).
    pub fn router(&self) -> Router {
        let routes = Router::new()
            .route("/ec/Recipient/v3", post(recipient_soap))
            .route("/ec/Authority", post(authority_soap))
            .merge(http::routes())
            .with_state(self.state.clone());
        let routes = self.limiter.apply(routes);
        // The handlers enforce the configured bound themselves, so that a too large envelope
        // gets an MM fault (5005) instead of a bare 413; the layer is the hard ceiling.
        let ceiling = usize::try_from(kuvert_core::limits::ENVELOPE_BYTES_CEILING)
            .unwrap_or(self.state.body_bytes_max);
        kuvert_web::layers::standard_layers(routes, ceiling.max(self.state.body_bytes_max))
    }

    /// The admin listener's routes: `/healthz`, `/readyz` (the database answers) and
    /// `/metrics`.
    pub fn admin_router(&self) -> Router {
        kuvert_web::health::admin_router(self.readiness.clone())
    }

    /// Serves [`Service::router`] on the already bound (mutual TLS) service listener and
    /// [`Service::admin_router`] on the admin listener until `shutdown`.
    ///
    /// # Errors
    /// The first accept loop's I/O error.
    /// With `crl` configured, client certificates are also checked against its CRLs, which
    /// a background task refreshes until `shutdown`.
    pub async fn serve(self, listeners: Listeners, shutdown: Shutdown) -> io::Result<()> {
        let listener = listeners.service.with_timeouts(self.timeouts);
        let listener =
            kuvert_web::crl::CrlRefresher::guard(self.crls.as_ref(), listener, &shutdown)
                .map_err(io::Error::other)?;
        let served = vec![
            (listener, self.router()),
            (
                listeners.admin.with_timeouts(self.timeouts),
                self.admin_router(),
            ),
        ];
        kuvert_web::serve_all(served, &shutdown).await
    }

    /// The CRL refresher of `crl` (none without sources): `refresh()` reloads now.
    #[must_use]
    pub fn crls(&self) -> Option<&kuvert_web::crl::CrlRefresher> {
        self.crls.as_ref()
    }
}

async fn recipient_soap(
    State(state): State<AppState>,
    caller: Result<CallerOrganisation, CallerRejection>,
    body: Body,
) -> Response {
    let caller = match http::caller_number(caller) {
        Ok(caller) => caller,
        Err(error) => return error.to_soap_response(None),
    };
    match soap::read_body(body, state.body_bytes_max).await {
        Ok(bytes) => soap::handle_recipient(&state.registry, &caller, &bytes).await,
        Err(error) => error.to_soap_response(None),
    }
}

async fn authority_soap(
    State(state): State<AppState>,
    caller: Result<CallerOrganisation, CallerRejection>,
    body: Body,
) -> Response {
    let detail = Some("getSendersFault");
    let caller = match http::caller_number(caller) {
        Ok(caller) => caller,
        Err(error) => return error.to_soap_response(detail),
    };
    match soap::read_body(body, state.body_bytes_max).await {
        Ok(bytes) => soap::handle_authority(&state.registry, &caller, &bytes).await,
        Err(error) => error.to_soap_response(detail),
    }
}
