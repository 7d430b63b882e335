//! The web inbox (DESIGN.md "recipient → operator web inbox"): e-ID login, the list of
//! letters, the read view with attachments, settings for notifications, and "skaffa digital
//! brevlåda". Server-rendered with askama, no JavaScript, Swedish first (`?lang=en`).
//!
//! Wiring (edits by the web engineer in the intake engineer's files, committed 05:20):
//! `pub mod http;` and `Service::inbox` built in `lib.rs::build` with [`InboxState::build`],
//! `Service::web_router` serving [`router`] inside the standard layers (which add the CSP and
//! other security headers these pages rely on); the login fields of `config::WebConfig`;
//! `registry_client::account` (the registry calls of the account pages and "skaffa").
//!
//! Routes: `/` (start), `/logga-in` → provider → `/inloggad`, `/logga-ut` (POST),
//! `/brevlada` (`?sida=N`, `?mapp=arkiv`), `/brevlada/valj` (POST: act for a represented
//! company), `/brev/{id}`, `/brev/{id}/bilaga/{n}`, `/brev/{id}/olast` and
//! `/brev/{id}/arkivera` (POST), `/skaffa` (GET agreement, POST → signing service),
//! `/skaffa/signerad` (the signing service's post back), `/installningar` (+ POST `adress`,
//! `ny-kod`, `bekrafta`, `ta-bort`), `/installningar/logg` (the access log),
//! `/installningar/export` (GET explains, POST sends the zip), `/static/kuvert.css`.
//! Account routes (module `account`): `/installningar/avsandare`, `/installningar/byt-brevlada`,
//! `/installningar/avregistrera` (GET page, POST → signing service), `/foretag` (GET form),
//! `/foretag/{orgnr}` (GET the company's registration, POST → signing service); every
//! signature comes back to `/skaffa/signerad`.
//!
//! **Invariants:** every letter route reads through the store with the mailbox of the
//! logged-in person (or of a company they represent, re-checked with
//! `OperatorStore::represented_companies` on every request), so a guessed id of another's
//! letter is "not found"; reading a letter or an attachment goes through
//! `OperatorStore::open_letter`, which writes the audit event first. Sessions live in memory
//! (`kuvert_web::session`: lost on restart; bounded by `limits::INBOX_SESSIONS_MAX`; ended
//! after the idle timeout or `limits::WEB_SESSION_LIFETIME_SECS`); the pending login (state,
//! PKCE verifier, nonce) and the pending signing stay in them, never in the browser.

mod account;
mod audit;
mod auth;
mod config;
pub mod export;
mod inbox;
mod pages;
mod session;
mod settings;
mod signup;
mod texts;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::INBOX_FORM_BYTES_MAX;
use kuvert_core::operator::ServiceDomain;
use kuvert_eid::{RelyingParty, RelyingPartyConfig};
use kuvert_store::operator::OperatorStore;
use kuvert_xmldsig::Verifier;

pub use signup::AGREEMENT_TEXT;

use crate::config::Config;
use crate::notification::confirmation::CodeSender;
use crate::registry_client::RegistryClient;
use config::InboxSettings;
use kuvert_store::web_session::WebSessionStore;
use kuvert_web::StartError;
use kuvert_web::session::SessionStore;
use kuvert_web::web_keys::{KeyFiles, WebKeys};

/// What every inbox handler reads; clones share it (and so share the sessions).
#[derive(Clone)]
pub struct InboxState {
    shared: Arc<Shared>,
}

struct Shared {
    settings: InboxSettings,
    store: Arc<dyn OperatorStore>,
    registry: RegistryClient,
    /// This operator, to tell a profile here from one elsewhere.
    organisation_number: OrganisationNumber,
    /// The `ServiceSupplier` value of `register` (`Config::domain`).
    domain: ServiceDomain,
    /// The e-ID login, discovered at the first login so the operator starts even while the
    /// provider is down.
    oidc: RelyingParty,
    sessions: session::Sessions,
    /// The sealed cookie of a login in progress (no session before login).
    prelogin: kuvert_web::prelogin::PreLoginCookie,
    /// Sends the confirmation codes of notification addresses.
    codes: CodeSender,
    /// The intake's verifier without CRLs: every stored letter is read through
    /// `kuvert_wire::delivery::read_verified` with it, judged on the seal's date.
    verifier: Verifier,
}

/// Timeouts of the calls to the e-ID provider.
const EID_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`EID_CONNECT_TIMEOUT`].
const EID_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl InboxState {
    /// Checks `config.web`, reads `web.eid_ca_path` (default: `organisation_ca_pem`) and
    /// builds the client for the e-ID provider.
    ///
    /// # Errors
    /// [`StartError::Config`] naming the `web.*` key that is not usable.
    pub async fn build(
        config: &Config,
        store: Arc<dyn OperatorStore>,
        web_sessions: Arc<dyn WebSessionStore>,
        registry: RegistryClient,
        organisation_ca_pem: &str,
        codes: CodeSender,
        verifier: Verifier,
    ) -> Result<Self, StartError> {
        let settings = InboxSettings::from_config(&config.web)?;
        let ca_pem = match &config.web.eid_ca_path {
            Some(path) => tokio::fs::read_to_string(path).await.map_err(|error| {
                let reason = format!("{}: {error}", path.display());
                StartError::Config {
                    key: "web.eid_ca_path",
                    reason,
                }
            })?,
            None => organisation_ca_pem.to_owned(),
        };
        let client_config = kuvert_web::ClientConfig {
            ca_pem,
            identity: None,
            connect_timeout: EID_CONNECT_TIMEOUT,
            request_timeout: EID_REQUEST_TIMEOUT,
        };
        let eid_http =
            kuvert_web::http_client(&client_config).map_err(|error| StartError::Config {
                key: "web.eid_ca_path",
                reason: error.to_string(),
            })?;
        let keys = WebKeys::read(KeyFiles {
            cookie: (config.web.cookie_key_file.as_deref())
                .map(|path| (path, "web.cookie_key_file")),
            csrf: (config.web.csrf_key_file.as_deref()).map(|path| (path, "web.csrf_key_file")),
        })
        .await?;
        let prelogin = session::new_prelogin(keys.cookie_key(), settings.is_tls());
        let idle = settings.session_idle_timeout;
        let session_config = session::session_config(idle, settings.is_tls());
        let sessions = SessionStore::new(web_sessions, session_config, keys.into_csrf());
        let relying_party = RelyingPartyConfig {
            issuer: settings.oidc_issuer.clone(),
            client_id: settings.oidc_client_id.clone(),
            client_secret: settings.oidc_client_secret.clone(),
            redirect_uri: settings.own_url("inloggad"),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                settings,
                store,
                registry,
                organisation_number: config.organisation_number.clone(),
                domain: config.domain.clone(),
                oidc: RelyingParty::new(relying_party, eid_http),
                sessions,
                prelogin,
                codes,
                verifier,
            }),
        })
    }
}

impl InboxState {
    /// Until `shutdown`: deletes ended sessions every few minutes.
    pub async fn run_session_sweeper(self, shutdown: kuvert_web::Shutdown) {
        self.shared.sessions.clone().run_sweeper(shutdown).await;
    }
}

/// The inbox routes. Wrap them in `kuvert_web::layers::standard_layers`.
pub fn router(state: InboxState) -> Router {
    // Sign buttons post here and are answered with a 303 to the signing service; the login
    // goes to the e-ID provider. Both must be allowed by the CSP's form-action.
    let settings = &state.shared.settings;
    let form_targets = [
        settings.signing_service_url.clone(),
        settings.oidc_issuer.clone(),
    ];
    let routes = Router::new()
        .route("/", get(auth::start_page))
        .route("/logga-in", get(auth::login))
        .route("/inloggad", get(auth::callback))
        .route("/logga-ut", post(auth::logout))
        .route("/brevlada", get(inbox::list))
        .route("/brevlada/valj", post(inbox::choose_mailbox))
        .route("/brev/{id}", get(inbox::read))
        .route("/brev/{id}/bilaga/{position}", get(inbox::attachment))
        .route("/brev/{id}/olast", post(inbox::mark_unread))
        .route("/brev/{id}/arkivera", post(inbox::archive))
        .route(
            "/skaffa",
            get(signup::agreement).post(signup::start_signing),
        )
        .route("/skaffa/signerad", post(signup::signed))
        .route("/installningar", get(settings::page))
        .route("/installningar/adress", post(settings::set_address))
        .route("/installningar/ta-bort", post(settings::remove))
        .route("/installningar/bekrafta", post(settings::confirm))
        .route("/installningar/ny-kod", post(settings::resend_code))
        .route(
            "/installningar/avsandare",
            get(account::rules).post(account::save_rules),
        )
        .route(
            "/installningar/byt-brevlada",
            get(account::move_page).post(account::choose_operator),
        )
        .route(
            "/installningar/avregistrera",
            get(account::deregister_page).post(account::deregister),
        )
        .route("/installningar/logg", get(audit::page))
        .route(
            "/installningar/export",
            get(export::page).post(export::download),
        )
        .route("/foretag", get(account::company::start))
        .route(
            "/foretag/{organisationsnummer}",
            get(account::company::page).post(account::company::sign),
        )
        .route("/static/kuvert.css", get(stylesheet))
        .layer(axum::middleware::from_fn(pages::render_failures))
        .layer(DefaultBodyLimit::max(INBOX_FORM_BYTES_MAX))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            texts::remember_language,
        ))
        .with_state(state);
    kuvert_web::layers::with_form_targets(routes, &form_targets)
}

/// The one stylesheet (CSP allows styles only from this origin, never inline).
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/kuvert.css"),
    )
}
