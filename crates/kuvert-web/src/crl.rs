//! Where a role's CRLs come from and how they stay current: [`CrlConfig`] (files and
//! distribution points, refresh interval, stale policy — the `crl` table of each role's TLS
//! configuration) and [`CrlRefresher`], which loads them into one
//! [`kuvert_xmldsig::revocation::CrlSet`] at start and again on a schedule.
//!
//! The one set serves the mutual-TLS listener ([`crate::Listener::with_client_crls`]) and the
//! role's signature verifier (`kuvert_xmldsig::Verifier::with_crls`). A CRL is accepted only
//! when a configured CA signed it, and never replaces a newer one of the same CA, so a
//! distribution point may be plain HTTP. A fetch is bounded by the role's HTTP client timeouts
//! and by `CRL_BYTES_MAX`; a source that fails keeps the CRL held before, and the stale
//! policy decides once that one is past its `nextUpdate`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kuvert_core::limits::{CRL_BYTES_MAX, CRL_REFRESH_SECS_MIN, CRL_SOURCES_MAX};
use kuvert_xmldsig::revocation::{Crl, CrlSet, StaleCrlPolicy};
use kuvert_xmldsig::trust::TrustAnchors;

use crate::{Shutdown, WebError};

/// The CRLs one role checks client certificates and signatures against. Without files and
/// URLs nothing is checked for revocation.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrlConfig {
    /// CRL files (PEM `X509 CRL` or DER), read at start (a missing or bad file stops the
    /// start) and at every refresh. Default none.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// CRL distribution points (`http://` or `https://` URLs), fetched with the role's
    /// HTTP client at start and at every refresh. Default none.
    #[serde(default)]
    pub urls: Vec<url::Url>,
    /// Seconds between refreshes. Default 3600.
    #[serde(default = "default_refresh_secs")]
    pub refresh_secs: u64,
    /// When a certificate's revocation status is unknown (no CRL of its CA, or the CRL is
    /// past its `nextUpdate`): `refuse` (the default) or `accept_with_warning`.
    #[serde(default)]
    pub stale_crl: StaleCrl,
}

/// The `stale_crl` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaleCrl {
    /// Refuse the certificate.
    #[default]
    Refuse,
    /// Accept it and log a warning.
    AcceptWithWarning,
}

/// Keeps a [`CrlSet`] loaded from the configured sources.
#[derive(Clone, Debug)]
pub struct CrlRefresher {
    crls: CrlSet,
    anchors: TrustAnchors,
    files: Vec<PathBuf>,
    urls: Vec<url::Url>,
    client: Option<reqwest::Client>,
    interval: Duration,
}

/// A CRL source that could not be read, by its path or URL.
#[derive(Debug, thiserror::Error)]
#[error("CRL source {source_name}: {reason}")]
pub struct CrlSourceError {
    /// The path or URL.
    pub source_name: String,
    /// What went wrong.
    pub reason: String,
}

impl Default for CrlConfig {
    fn default() -> Self {
        CrlConfig {
            files: Vec::new(),
            urls: Vec::new(),
            refresh_secs: default_refresh_secs(),
            stale_crl: StaleCrl::default(),
        }
    }
}

impl CrlConfig {
    /// Whether any source is configured.
    pub fn is_enabled(&self) -> bool {
        !self.files.is_empty() || !self.urls.is_empty()
    }
}

impl CrlRefresher {
    /// Loads every source once; `None` when none is configured. CRLs must be signed by a CA
    /// of `ca_pem`; distribution points are fetched with `client` (required with URLs).
    ///
    /// # Errors
    /// [`WebError::Crl`] for a bad configuration or a file that cannot be used; a
    /// distribution point that cannot be reached is only logged.
    pub async fn start(
        config: &CrlConfig,
        ca_pem: &str,
        client: Option<reqwest::Client>,
    ) -> Result<Option<Self>, WebError> {
        if !config.is_enabled() {
            return Ok(None);
        }
        let invalid = |reason: String| WebError::Crl { reason };
        if config.files.len() + config.urls.len() > CRL_SOURCES_MAX {
            return Err(invalid(format!("more than {CRL_SOURCES_MAX} sources")));
        }
        if config.refresh_secs < CRL_REFRESH_SECS_MIN {
            return Err(invalid(format!(
                "refresh_secs must be at least {CRL_REFRESH_SECS_MIN}"
            )));
        }
        if !config.urls.is_empty() && client.is_none() {
            return Err(invalid(
                "distribution points need an HTTP client".to_owned(),
            ));
        }
        let anchors = TrustAnchors::from_pem(ca_pem)
            .map_err(|error| invalid(format!("CA certificates: {error}")))?;
        let policy = match config.stale_crl {
            StaleCrl::Refuse => StaleCrlPolicy::Refuse,
            StaleCrl::AcceptWithWarning => StaleCrlPolicy::AcceptWithWarning,
        };
        let refresher = CrlRefresher {
            crls: CrlSet::new(policy),
            anchors,
            files: config.files.clone(),
            urls: config.urls.clone(),
            client,
            interval: Duration::from_secs(config.refresh_secs),
        };
        for path in &refresher.files {
            refresher
                .load_file(path)
                .map_err(|error| invalid(error.to_string()))?;
        }
        refresher.refresh_urls().await;
        Ok(Some(refresher))
    }

    /// The set every check reads.
    pub fn crls(&self) -> CrlSet {
        self.crls.clone()
    }

    /// Reloads every source now; failures are logged and returned.
    pub async fn refresh(&self) -> Vec<CrlSourceError> {
        let mut failures = Vec::new();
        for path in &self.files {
            if let Err(error) = self.load_file(path) {
                tracing::warn!(%error, "CRL file not refreshed");
                failures.push(error);
            }
        }
        failures.extend(self.refresh_urls().await);
        failures
    }

    /// `listener` refusing the client certificates `refresher`'s CRLs revoke, with the
    /// refresh running until `shutdown`; `listener` as it is without a refresher. Every
    /// mutual-TLS role's `serve` starts its service listener through this.
    ///
    /// # Errors
    /// When the listener's TLS cannot take the CRLs.
    pub fn guard(
        refresher: Option<&Self>,
        listener: crate::Listener,
        shutdown: &Shutdown,
    ) -> Result<crate::Listener, WebError> {
        let Some(refresher) = refresher else {
            return Ok(listener);
        };
        let listener = listener.with_client_crls(refresher.crls())?;
        tokio::spawn(refresher.clone().run(shutdown.clone()));
        Ok(listener)
    }

    /// Refreshes every `refresh_secs` until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.interval) => {}
                () = shutdown.wait() => return,
            }
            self.refresh().await;
        }
    }

    fn load_file(&self, path: &Path) -> Result<(), CrlSourceError> {
        let failure = |reason: String| CrlSourceError {
            source_name: path.display().to_string(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|error| failure(error.to_string()))?;
        let mut bytes = Vec::new();
        file.take(CRL_BYTES_MAX + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| failure(error.to_string()))?;
        if bytes.len() as u64 > CRL_BYTES_MAX {
            return Err(failure(format!("more than {CRL_BYTES_MAX} bytes")));
        }
        self.insert(&bytes).map_err(failure)
    }

    async fn refresh_urls(&self) -> Vec<CrlSourceError> {
        let mut failures = Vec::new();
        for url in &self.urls {
            let failure = |reason: String| CrlSourceError {
                source_name: url.to_string(),
                reason,
            };
            let result = match self.fetch(url).await {
                Ok(bytes) => self.insert(&bytes).map_err(failure),
                Err(reason) => Err(failure(reason)),
            };
            if let Err(error) = result {
                tracing::warn!(%error, "CRL distribution point not refreshed");
                failures.push(error);
            }
        }
        failures
    }

    /// GETs `url`, reading at most `CRL_BYTES_MAX` bytes of a 200 answer.
    async fn fetch(&self, url: &url::Url) -> Result<Vec<u8>, String> {
        let client = self.client.as_ref().ok_or("no HTTP client")?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|error| kuvert_core::report::error_chain(&error))?;
        if !response.status().is_success() {
            return Err(format!("HTTP status {}", response.status()));
        }
        crate::client::read_body(response, CRL_BYTES_MAX)
            .await
            .map_err(|error| kuvert_core::report::error_chain(&error))
    }

    fn insert(&self, bytes: &[u8]) -> Result<(), String> {
        let crls = Crl::all_from_bytes(bytes, &self.anchors).map_err(|error| error.to_string())?;
        for crl in crls {
            let update = self.crls.insert(crl.clone());
            tracing::debug!(crl = %crl, ?update, "CRL loaded");
        }
        Ok(())
    }
}

fn default_refresh_secs() -> u64 {
    3_600
}
