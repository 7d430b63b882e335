//! Communicators' pages under `/kommunikator`: log in with e-ID, see the own senders'
//! campaigns with their funnel (visits → operator chosen → registrations completed) per day
//! and the result against the goal, create campaigns, and — for admins — enter the annual
//! targets of the communication plan.
//!
//! The role comes from `kuvert portal communicator add` (stored in `PortalStore`), never
//! from the login itself: an e-ID proves who someone is, the store says what they may do,
//! and it is read again on every request so a revoked role ends access at once. The login
//! session is the portal's only cookie ([`session`]); every form carries a CSRF token.
//!
//! Routes: `/kommunikator` (own campaigns and their results), `/kommunikator/logga-in`,
//! `/kommunikator/inloggad` (e-ID callback), `/kommunikator/logga-ut` (POST),
//! `/kommunikator/kampanjer/ny` (GET form, POST create), `/kommunikator/kampanjer/{code}`
//! (funnel), `/kommunikator/kampanjer/{code}/{file}` (`tratt.csv`, `tratt.svg`),
//! `/kommunikator/resultat/{file}` (`kampanjer.csv`, `kampanjer.svg`), `/kommunikator/mal`
//! (GET, POST; admins only), `/kommunikator/natverk` (brands, button visits, A/B tests and
//! page feedback; its forms POST below it), `/kommunikator/nyheter` (submissions),
//! `/kommunikator/planer` (annual plans; `…/aktivitet/{id}` edits or deletes an activity),
//! `/kommunikator/enkat` (the standard campaign questions, kept by the editor).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use kuvert_eid::{RelyingParty, RelyingPartyConfig};
use kuvert_store::portal::PortalStore;
use kuvert_store::portal::editorial::EditorialStore;
use kuvert_store::portal::network::NetworkStore;
use kuvert_store::portal::plans::PlanStore;
use secrecy::SecretString;

use crate::registry_client::RegistryClient;
use kuvert_web::StartError;
use kuvert_web::session::SessionStore;
use kuvert_web::web_keys::{KeyFiles, WebKeys};
pub use mail::EditorMailConfig;

mod auth;
mod editorial;
mod form;
mod mail;
mod network;
mod pages;
mod plans;
mod session;
mod surveys;

/// The `communicators` section of the portal's configuration: the e-ID provider the
/// communicators log in with. Without it the `/kommunikator` pages are not served.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicatorConfig {
    /// The OpenID provider's issuer URL. Required.
    pub oidc_issuer: url::Url,
    /// The portal's client id at the provider. Required.
    pub oidc_client_id: String,
    /// The portal's client secret at the provider. Required.
    pub oidc_client_secret: SecretString,
    /// CA certificate(s) (PEM) the provider's TLS certificate chains to. Default: the
    /// organisation CA of `tls.organisation_ca_path`.
    #[serde(default)]
    pub eid_ca_path: Option<PathBuf>,
    /// Minutes of inactivity after which a communicator must log in again. Default 30.
    /// Sessions are rows in `database_url`, so every node of the portal serves them.
    #[serde(default = "default_idle_minutes")]
    pub session_idle_minutes: u64,
    /// File holding the key that seals the cookie of a login in progress: 64 hex digits
    /// (`openssl rand -hex 32`). Default none: a fresh key at each start, which suits one
    /// node only; give every node the same file.
    #[serde(default)]
    pub cookie_key_file: Option<PathBuf>,
    /// File holding the key of the forms' CSRF tokens, as `cookie_key_file`. Default none:
    /// a fresh key at each start (one node only); give every node the same file.
    #[serde(default)]
    pub csrf_key_file: Option<PathBuf>,
    /// Where the editor is told of submissions, planned activities and new campaigns.
    /// Default: nobody is told by e-mail (the pages still list everything).
    #[serde(default)]
    pub editor_mail: Option<EditorMailConfig>,
}

fn default_idle_minutes() -> u64 {
    30
}

/// What the communicators' routes share. Clones share the sessions.
#[derive(Clone)]
pub(crate) struct CommunicatorState {
    shared: Arc<Shared>,
}

/// The stores the communicators' pages use.
pub(crate) struct Stores {
    pub(crate) store: Arc<dyn PortalStore>,
    /// Brands, feedback and A/B tests (issue 13).
    pub(crate) network: Arc<dyn NetworkStore>,
    /// The editor role and the submissions (issue 13 §3).
    pub(crate) editorial: Arc<dyn EditorialStore>,
    /// The annual plans and the campaigns' reviews (issue 13 §4).
    pub(crate) plans: Arc<dyn PlanStore>,
    /// The communicators' sessions (issue 16: any node serves them).
    pub(crate) web_sessions: Arc<dyn kuvert_store::web_session::WebSessionStore>,
}

struct Shared {
    store: Arc<dyn PortalStore>,
    network: Arc<dyn NetworkStore>,
    editorial: Arc<dyn EditorialStore>,
    plans: Arc<dyn PlanStore>,
    /// The editor's e-mail, when configured.
    mail: Option<mail::EditorMail>,
    registry: RegistryClient,
    /// The e-ID login, discovered at the first login so the portal starts while the provider
    /// is down.
    oidc: RelyingParty,
    /// The portal's address, for links in e-mails.
    public_url: url::Url,
    sessions: session::Sessions,
    /// The sealed cookie of a login in progress (no session before login).
    prelogin: kuvert_web::prelogin::PreLoginCookie,
}

/// Timeouts of the calls to the e-ID provider.
const EID_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`EID_CONNECT_TIMEOUT`].
const EID_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl CommunicatorState {
    /// Checks the section and builds the client for the e-ID provider, trusting
    /// `eid_ca_path` or else `organisation_ca_pem`.
    ///
    /// # Errors
    /// [`StartError::Config`] naming the `communicators.*` key that is not usable.
    pub(crate) async fn build(
        config: &CommunicatorConfig,
        public_url: &url::Url,
        organisation_ca_pem: &str,
        stores: Stores,
        registry: RegistryClient,
    ) -> Result<Self, StartError> {
        let invalid = |key, reason: String| StartError::Config { key, reason };
        if config.session_idle_minutes == 0 {
            let reason = "must be at least 1".to_owned();
            return Err(invalid("communicators.session_idle_minutes", reason));
        }
        let ca_pem = match &config.eid_ca_path {
            Some(path) => tokio::fs::read_to_string(path).await.map_err(|error| {
                invalid(
                    "communicators.eid_ca_path",
                    format!("{}: {error}", path.display()),
                )
            })?,
            None => organisation_ca_pem.to_owned(),
        };
        let client_config = kuvert_web::ClientConfig {
            ca_pem,
            identity: None,
            connect_timeout: EID_CONNECT_TIMEOUT,
            request_timeout: EID_REQUEST_TIMEOUT,
        };
        let eid_http = kuvert_web::http_client(&client_config)
            .map_err(|error| invalid("communicators.eid_ca_path", error.to_string()))?;
        let redirect_url = public_url
            .join("kommunikator/inloggad")
            .map_err(|error| invalid("public_url", error.to_string()))?;
        let relying_party = RelyingPartyConfig {
            issuer: config.oidc_issuer.clone(),
            client_id: config.oidc_client_id.clone(),
            client_secret: config.oidc_client_secret.clone(),
            redirect_uri: redirect_url,
        };
        let idle = Duration::from_secs(config.session_idle_minutes.saturating_mul(60));
        let keys = WebKeys::read(KeyFiles {
            cookie: (config.cookie_key_file.as_deref())
                .map(|path| (path, "communicators.cookie_key_file")),
            csrf: (config.csrf_key_file.as_deref())
                .map(|path| (path, "communicators.csrf_key_file")),
        })
        .await?;
        let is_tls = public_url.scheme() == "https";
        let prelogin = session::new_prelogin(keys.cookie_key(), is_tls);
        let session_config = session::session_config(idle, is_tls);
        let sessions = SessionStore::new(stores.web_sessions, session_config, keys.into_csrf());
        let mail = config
            .editor_mail
            .as_ref()
            .map(mail::EditorMail::build)
            .transpose()?;
        Ok(Self {
            shared: Arc::new(Shared {
                store: stores.store,
                network: stores.network,
                editorial: stores.editorial,
                plans: stores.plans,
                mail,
                public_url: public_url.clone(),
                registry,
                oidc: RelyingParty::new(relying_party, eid_http),
                sessions,
                prelogin,
            }),
        })
    }

    /// Until `shutdown`: deletes ended sessions every few minutes.
    pub(crate) async fn run_session_sweeper(self, shutdown: kuvert_web::Shutdown) {
        self.shared.sessions.clone().run_sweeper(shutdown).await;
    }
}

impl std::fmt::Debug for CommunicatorState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CommunicatorState(..)")
    }
}

/// The communicators' routes. Not counted as page views: they are not public pages.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(state: CommunicatorState) -> Router<S> {
    Router::new()
        .route("/kommunikator", get(pages::overview))
        .route("/kommunikator/logga-in", get(auth::login))
        .route("/kommunikator/inloggad", get(auth::callback))
        .route("/kommunikator/logga-ut", post(auth::logout))
        .route(
            "/kommunikator/kampanjer/ny",
            get(pages::new_campaign).post(pages::create_campaign),
        )
        .route("/kommunikator/kampanjer/{code}", get(pages::campaign))
        .route(
            "/kommunikator/kampanjer/{code}/{file}",
            get(pages::campaign_file),
        )
        .route("/kommunikator/resultat/{file}", get(pages::results_file))
        .route(
            "/kommunikator/mal",
            get(pages::targets).post(pages::save_target),
        )
        .route("/kommunikator/natverk", get(network::page))
        .route(
            "/kommunikator/natverk/avsandare/{organisation_number}",
            post(network::save_brand),
        )
        .route(
            "/kommunikator/natverk/ab-test",
            post(network::create_ab_test),
        )
        .route(
            "/kommunikator/natverk/ab-test/{id}/avsluta",
            post(network::end_ab_test),
        )
        .route(
            "/kommunikator/nyheter",
            get(editorial::list).post(editorial::submit),
        )
        .route(
            "/kommunikator/nyheter/{id}",
            get(editorial::submission).post(editorial::step),
        )
        .route(
            "/kommunikator/planer",
            get(plans::page).post(plans::add_activity),
        )
        .route("/kommunikator/planer/{file}", get(plans::export))
        .route(
            "/kommunikator/planer/aktivitet/{id}",
            get(plans::edit::form).post(plans::edit::save),
        )
        .route(
            "/kommunikator/planer/aktivitet/{id}/ta-bort",
            post(plans::edit::delete),
        )
        .route("/kommunikator/enkat", get(surveys::page).post(surveys::add))
        .route("/kommunikator/enkat/{id}", post(surveys::edit))
        .route(
            "/kommunikator/enkat/{id}/flytta",
            post(surveys::move_question),
        )
        .route(
            "/kommunikator/kampanjer/{code}/granskad",
            post(plans::mark_checked),
        )
        .with_state(state)
}
