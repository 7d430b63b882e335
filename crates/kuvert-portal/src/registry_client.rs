//! [`RegistryClient`]: what the portal asks the registry (FaR) over its REST API, with the
//! portal's organisation certificate over mutual TLS (PROTOCOL.md §8): the connected senders
//! (`GET /api/v1/senders`, cached for `Config::senders_cache_secs`) and, through
//! [`RegistryClient::get_json`], the statistics feed the dashboards read.
//!
//! The transport (mutual TLS, answers read up to `REGISTRY_RESPONSE_BYTES_MAX`,
//! [`RegistryError`]) is `kuvert_web::registry_client`, shared with the operator.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kuvert_core::id::OrganisationNumber;
use kuvert_web::registry_client::{self, CachedAnswer, RegistryError};
use serde::de::DeserializeOwned;

/// A sender connected to Mina meddelanden, as the senders list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedSender {
    /// Organisation number.
    pub organisation_number: OrganisationNumber,
    /// Name, e.g. "Exempelkommun".
    pub name: String,
}

/// A client of the registry's REST API. Clones share the senders cache.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    base_url: Arc<str>,
    senders: Arc<SendersCache>,
}

/// The senders list as the clones of a client share it.
#[derive(Debug)]
struct SendersCache {
    ttl: Duration,
    answer: CachedAnswer<Vec<ConnectedSender>>,
    /// When [`RegistryClient::cached_senders`] last started a background fetch, so a dead
    /// registry gets at most one such call per `ttl`.
    background_fetch: Mutex<Option<Instant>>,
}

/// `GET /api/v1/senders` items (the registry's `SenderView`).
#[derive(Debug, serde::Deserialize)]
struct SenderJson {
    id: OrganisationNumber,
    name: String,
}

impl RegistryClient {
    /// A client over `http`, which must present the portal's organisation certificate and
    /// trust the organisation CA (built with `kuvert_web::http_client`).
    #[must_use]
    pub fn new(http: reqwest::Client, base_url: &url::Url, senders_ttl: Duration) -> Self {
        Self {
            http,
            base_url: Arc::from(base_url.as_str().trim_end_matches('/')),
            senders: Arc::new(SendersCache {
                ttl: senders_ttl,
                answer: CachedAnswer::default(),
                background_fetch: Mutex::new(None),
            }),
        }
    }

    /// The connected senders sorted by name, from the cache while it is fresh.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked and nothing fresh is cached.
    pub async fn senders(&self) -> Result<Arc<Vec<ConnectedSender>>, RegistryError> {
        if let Some(senders) = self.senders.answer.younger_than(self.senders.ttl) {
            return Ok(senders);
        }
        let items: Vec<SenderJson> = self.get_json("/api/v1/senders").await?;
        let mut senders: Vec<ConnectedSender> = items
            .into_iter()
            .map(|item| ConnectedSender {
                organisation_number: item.id,
                name: item.name,
            })
            .collect();
        senders.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(self.senders.answer.keep(senders))
    }

    /// Each connected sender's organisation number and name, for pages that stand without
    /// names: when the registry cannot be asked the failure is logged and the list is empty,
    /// so those pages show organisation numbers instead.
    pub(crate) async fn sender_names(&self) -> Vec<(OrganisationNumber, String)> {
        match self.senders().await {
            Ok(senders) => senders
                .iter()
                .map(|sender| (sender.organisation_number.clone(), sender.name.clone()))
                .collect(),
            Err(error) => {
                let chain = kuvert_core::report::error_chain(&error);
                tracing::warn!(error = %chain, "senders list unavailable");
                Vec::new()
            }
        }
    }

    /// The senders as last fetched, however old, without asking the registry: for pages that
    /// must not wait for it (the chooser names a deep link's sender when it can). When nothing
    /// was fetched yet, a fetch starts in the background for the next request.
    #[must_use]
    pub fn cached_senders(&self) -> Option<Arc<Vec<ConnectedSender>>> {
        let cached = self.senders.answer.latest();
        if cached.is_none() && self.claim_background_fetch() {
            let client = self.clone();
            tokio::spawn(async move {
                if let Err(error) = client.senders().await {
                    let error = kuvert_core::report::error_chain(&error);
                    tracing::warn!(%error, "senders list unavailable");
                }
            });
        }
        cached
    }

    /// Whether a background fetch may start now (none started within the senders' ttl).
    fn claim_background_fetch(&self) -> bool {
        let mut last = self
            .senders
            .background_fetch
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.is_some_and(|started| started.elapsed() < self.senders.ttl) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// `GET {registry}{path_and_query}` as JSON, bounded. `path_and_query` starts with `/`
    /// (`/api/v1/statistics?from=2026-01-01&to=2026-11-29`).
    ///
    /// # Errors
    /// [`RegistryError`] for a failed exchange, an error status (`Rejected`, with the
    /// problem's detail), a too large body or JSON that does not fit `T`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path_and_query: &str,
    ) -> Result<T, RegistryError> {
        let url = format!("{}{path_and_query}", self.base_url);
        let request = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json");
        registry_client::rest_json(&url, request).await
    }
}
