//! The provider's signing keys as the relying party holds them: the client built from the
//! discovery document and JWKS, fetched again when they are older than `max_age` (on a
//! schedule, at the next login) and when an id_token names a key (`kid`) the set lacks — a
//! provider rotating its key — but then at most once per `min_interval`, so forged tokens
//! with made-up `kid`s cannot make the relying party hammer the provider.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use kuvert_core::limits::{OIDC_JWKS_MAX_AGE_SECS, OIDC_JWKS_REFRESH_MIN_SECS};
use url::Url;

use super::claims::SwedishClient;
use super::{EidError, discover_metadata};

/// When the relying party fetches the provider's keys again.
#[derive(Debug, Clone, Copy)]
pub struct JwksRefresh {
    /// Shortest time between two fetches made because of an unknown `kid`.
    pub min_interval: Duration,
    /// Keys older than this are fetched again before the next id_token is checked.
    pub max_age: Duration,
}

/// The current client (metadata and JWKS) and when it was fetched; clones share it.
#[derive(Clone)]
pub(super) struct ProviderKeys {
    current: Arc<RwLock<Fetched>>,
    /// Held while fetching, so concurrent logins fetch once.
    fetching: Arc<tokio::sync::Mutex<()>>,
    refresh: JwksRefresh,
}

#[derive(Clone)]
struct Fetched {
    client: SwedishClient,
    at: Instant,
}

impl Default for JwksRefresh {
    /// `limits::OIDC_JWKS_REFRESH_MIN_SECS` and `limits::OIDC_JWKS_MAX_AGE_SECS`.
    fn default() -> Self {
        Self {
            min_interval: Duration::from_secs(OIDC_JWKS_REFRESH_MIN_SECS),
            max_age: Duration::from_secs(OIDC_JWKS_MAX_AGE_SECS),
        }
    }
}

impl ProviderKeys {
    pub(super) fn new(client: SwedishClient) -> Self {
        Self {
            current: Arc::new(RwLock::new(Fetched {
                client,
                at: Instant::now(),
            })),
            fetching: Arc::new(tokio::sync::Mutex::new(())),
            refresh: JwksRefresh::default(),
        }
    }

    pub(super) fn with_refresh(mut self, refresh: JwksRefresh) -> Self {
        self.refresh = refresh;
        self
    }

    /// The client as held now, without fetching.
    pub(super) fn client(&self) -> SwedishClient {
        self.read().client
    }

    /// The client, fetched again first when its keys are older than `max_age`.
    pub(super) async fn fresh_client(
        &self,
        rebuild: impl FnOnce(openidconnect::core::CoreProviderMetadata) -> SwedishClient,
        source: (&Url, &reqwest::Client),
    ) -> Result<SwedishClient, EidError> {
        let fetched = self.read();
        if fetched.at.elapsed() < self.refresh.max_age {
            return Ok(fetched.client);
        }
        self.fetch(fetched.at, rebuild, source).await
    }

    /// After an id_token named an unknown key: the keys fetched again, unless they were
    /// fetched within `min_interval` (then `None`: the token stays refused).
    pub(super) async fn after_unknown_key(
        &self,
        rebuild: impl FnOnce(openidconnect::core::CoreProviderMetadata) -> SwedishClient,
        source: (&Url, &reqwest::Client),
    ) -> Result<Option<SwedishClient>, EidError> {
        let fetched = self.read();
        if fetched.at.elapsed() < self.refresh.min_interval {
            return Ok(None);
        }
        self.fetch(fetched.at, rebuild, source).await.map(Some)
    }

    /// Fetches the discovery document and JWKS, unless another login did since `seen`.
    async fn fetch(
        &self,
        seen: Instant,
        rebuild: impl FnOnce(openidconnect::core::CoreProviderMetadata) -> SwedishClient,
        (issuer, http): (&Url, &reqwest::Client),
    ) -> Result<SwedishClient, EidError> {
        let _fetching = self.fetching.lock().await;
        let current = self.read();
        if current.at > seen {
            return Ok(current.client);
        }
        let metadata = discover_metadata(issuer, http).await?;
        let fetched = Fetched {
            client: rebuild(metadata),
            at: Instant::now(),
        };
        tracing::info!(issuer = %issuer, "fetched the e-ID provider's keys again");
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = fetched.clone();
        Ok(fetched.client)
    }

    fn read(&self) -> Fetched {
        // A write replaces the whole value, so a poisoned lock still holds a consistent one.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
