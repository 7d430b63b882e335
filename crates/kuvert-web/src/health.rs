//! The admin listener's routes (DESIGN.md endpoints), served apart from the public web and
//! SOAP listeners so that neither the figures nor the probes reach the internet:
//! `/healthz` says the process answers (liveness), `/readyz` whether it can do its work now
//! — its database answers, and its blob store where it has one, each within
//! `READINESS_CHECK_TIMEOUT_MS` — and `/metrics` is the Prometheus text.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use http::StatusCode;
use kuvert_core::limits::{ADMIN_REQUEST_BYTES_MAX, READINESS_CHECK_TIMEOUT_MS};
use kuvert_store::Database;
use kuvert_store::blob::BlobStore;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::WebError;

/// What `/readyz` checks: the role's database and, for an operator, its blob store. Clones
/// share the pool.
#[derive(Clone, Debug)]
pub struct Readiness {
    database: Database,
    blobs: Option<Arc<dyn BlobStore>>,
    timeout: Duration,
}

/// Why a role is not ready; the text `/readyz` answers with and logs.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The database did not answer, or not in time.
    #[error("the database does not answer: {reason}")]
    Database {
        /// The store's error, or the time waited.
        reason: String,
    },
    /// The blob store did not answer, or not in time.
    #[error("the blob store does not answer: {reason}")]
    Blobs {
        /// The store's error, or the time waited.
        reason: String,
    },
}

impl Readiness {
    /// Ready while `database` answers.
    #[must_use]
    pub fn new(database: Database) -> Self {
        Self {
            database,
            blobs: None,
            timeout: Duration::from_millis(READINESS_CHECK_TIMEOUT_MS),
        }
    }

    /// Ready only while `blobs` answers as well.
    #[must_use]
    pub fn with_blobs(self, blobs: Arc<dyn BlobStore>) -> Self {
        Self {
            blobs: Some(blobs),
            ..self
        }
    }

    /// Asks each dependency once, each bounded by `READINESS_CHECK_TIMEOUT_MS`.
    ///
    /// # Errors
    /// [`NotReady`] naming the first dependency that failed or did not answer in time.
    pub async fn check(&self) -> Result<(), NotReady> {
        let waited = || format!("no answer within {} ms", self.timeout.as_millis());
        match tokio::time::timeout(self.timeout, self.database.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let reason = error_chain(&error);
                return Err(NotReady::Database { reason });
            }
            Err(_) => return Err(NotReady::Database { reason: waited() }),
        }
        let Some(blobs) = &self.blobs else {
            return Ok(());
        };
        match tokio::time::timeout(self.timeout, blobs.probe()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(NotReady::Blobs {
                reason: error_chain(&error),
            }),
            Err(_) => Err(NotReady::Blobs { reason: waited() }),
        }
    }
}

/// The admin listener's routes, `/healthz`, `/readyz` and `/metrics`, in the standard layers
/// (bodies are not read: the bound is small). Without a Prometheus recorder `/metrics` is
/// left out, with a warning.
pub fn admin_router(readiness: Readiness) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(readiness);
    let routes = match prometheus_handle() {
        Ok(handle) => routes.merge(metrics_router(handle)),
        Err(error) => {
            tracing::warn!(%error, "no /metrics: the Prometheus recorder is unavailable");
            routes
        }
    };
    crate::layers::standard_layers(routes, ADMIN_REQUEST_BYTES_MAX)
}

/// `/metrics` in the Prometheus text format.
pub fn metrics_router(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || async move { handle.render() }))
}

/// The process's Prometheus recorder, installed on first call; later calls return a clone of
/// the same handle, so every service in one process (the demo, tests) shares it.
pub fn prometheus_handle() -> Result<PrometheusHandle, WebError> {
    static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut handle = HANDLE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(handle) = handle.as_ref() {
        return Ok(handle.clone());
    }
    let installed = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|error| WebError::Metrics {
            reason: error.to_string(),
        })?;
    *handle = Some(installed.clone());
    Ok(installed)
}

/// 200 `ready`, or 503 with what is not ready (logged once per refusal, as a warning: the
/// text names no secret, only the dependency and its error).
async fn readyz(State(readiness): State<Readiness>) -> (StatusCode, String) {
    match readiness.check().await {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {error}"),
            )
        }
    }
}

/// An error and its sources, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
