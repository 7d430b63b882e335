//! The web inbox (DESIGN.md "recipient → operator web inbox"): e-ID login, the list of
//! letters, the read view with attachments, settings for notifications, and "skaffa digital
//! brevlåda". Server-rendered with askama, no JavaScript, Swedish first (`?lang=en`).
//!
//! NOTE for `lib.rs` (owned by the intake engineer): build an [`InboxState`] with
//! [`InboxState::new`] from [`InboxConfig`] (embed it in `Config`, e.g. as `inbox`), the
//! operator store, an HTTP client from `kuvert_web::http_client` trusting the e-ID provider
//! and the [`Registration`] seam, then merge `http::router(state)` into the `web` listener's
//! router inside `kuvert_web::layers::standard_layers` (which adds the CSP and other security
//! headers this module relies on).
//!
//! Routes: `/` (start), `/logga-in` → provider → `/inloggad`, `/logga-ut` (POST),
//! `/brevlada`, `/brev/{id}`, `/brev/{id}/bilaga/{n}`, `/brev/{id}/olast` (POST), `/skaffa`
//! (GET agreement, POST → signing service), `/skaffa/signerad` (the signing service's post
//! back), `/installningar` (+ POST sub-paths), `/static/kuvert.css`.
//!
//! **Invariants:** every letter route reads through the store with the logged-in person's own
//! mailbox, so a guessed id of another's letter is "not found"; reading a letter or an
//! attachment goes through `OperatorStore::open_letter`, which writes the audit event first.
//! Sessions live in memory (lost on restart; bounded by `limits::INBOX_SESSIONS_MAX`).

mod auth;
mod config;
mod content;
mod inbox;
mod pages;
mod session;
mod settings;
mod signup;
mod texts;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use kuvert_core::limits::INBOX_FORM_BYTES_MAX;
use kuvert_eid::OidcClient;
use kuvert_store::operator::OperatorStore;
use kuvert_web::csrf::CsrfKey;
use tokio::sync::OnceCell;

pub use config::InboxConfig;
pub use content::sanitise_html;
pub use signup::{Registration, RegistrationError, RegistrationRequest};

/// What every inbox handler reads; clones share it.
#[derive(Clone)]
pub struct InboxState {
    shared: Arc<Shared>,
}

struct Shared {
    config: InboxConfig,
    store: Arc<dyn OperatorStore>,
    /// Discovered on the first login, so the operator starts even while the provider is down.
    oidc: OnceCell<OidcClient>,
    /// Client for the e-ID provider (discovery, token, userinfo).
    eid_http: reqwest::Client,
    registration: Arc<dyn Registration>,
    sessions: session::Sessions,
    csrf: CsrfKey,
}

impl InboxState {
    /// The inbox over `store`, logging in at `config.oidc_issuer` through `eid_http` and
    /// registering profiles through `registration`.
    pub fn new(
        config: InboxConfig,
        store: Arc<dyn OperatorStore>,
        eid_http: reqwest::Client,
        registration: Arc<dyn Registration>,
    ) -> Self {
        let sessions = session::Sessions::new(config.session_idle_timeout());
        Self {
            shared: Arc::new(Shared {
                config,
                store,
                oidc: OnceCell::new(),
                eid_http,
                registration,
                sessions,
                csrf: CsrfKey::generate(),
            }),
        }
    }
}

/// The inbox routes. Wrap them in `kuvert_web::layers::standard_layers`.
pub fn router(state: InboxState) -> Router {
    Router::new()
        .route("/", get(auth::start_page))
        .route("/logga-in", get(auth::login))
        .route("/inloggad", get(auth::callback))
        .route("/logga-ut", post(auth::logout))
        .route("/brevlada", get(inbox::list))
        .route("/brev/{id}", get(inbox::read))
        .route("/brev/{id}/bilaga/{position}", get(inbox::attachment))
        .route("/brev/{id}/olast", post(inbox::mark_unread))
        .route("/skaffa", get(signup::agreement).post(signup::start_signing))
        .route("/skaffa/signerad", post(signup::signed))
        .route("/installningar", get(settings::page))
        .route("/installningar/adress", post(settings::set_address))
        .route("/installningar/bekrafta", post(settings::confirm))
        .route("/installningar/ta-bort", post(settings::remove))
        .route("/static/kuvert.css", get(stylesheet))
        .layer(DefaultBodyLimit::max(INBOX_FORM_BYTES_MAX))
        .layer(axum::middleware::from_fn(texts::remember_language))
        .with_state(state)
}

/// The one stylesheet (CSP allows styles only from this origin, never inline).
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("../static/kuvert.css"),
    )
}
