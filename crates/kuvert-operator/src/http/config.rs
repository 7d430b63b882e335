//! The web inbox's configuration: where browsers reach it, the e-ID provider it logs people in
//! with, the signing service, and how long an idle session lives.

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

/// The `[inbox]` part of the operator's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxConfig {
    /// The inbox's public base URL as browsers reach it (required), e.g.
    /// `https://demobrevladan.example/`. Its scheme decides whether the session cookie is
    /// `Secure`; `inloggad` and `skaffa/signerad` under it are the redirect URIs to register
    /// at the e-ID provider.
    pub public_url: Url,
    /// The OpenID provider's issuer URL (required).
    pub oidc_issuer: Url,
    /// The client id registered at the provider (required); also presented to the signing
    /// service.
    pub oidc_client_id: String,
    /// The client secret registered at the provider (required).
    pub oidc_client_secret: SecretString,
    /// The e-ID signing service (required): the test e-ID's `/sign` in the demo.
    pub signing_service_url: Url,
    /// Seconds a session lives without a request. Default 900 (15 minutes).
    #[serde(default = "default_session_idle_timeout_seconds")]
    pub session_idle_timeout_seconds: u64,
}

/// Default of [`InboxConfig::session_idle_timeout_seconds`]: 15 minutes, the idle limit
/// Swedish e-services commonly use for logged-in pages.
const SESSION_IDLE_TIMEOUT_SECONDS_DEFAULT: u64 = 900;

fn default_session_idle_timeout_seconds() -> u64 {
    SESSION_IDLE_TIMEOUT_SECONDS_DEFAULT
}

impl InboxConfig {
    /// The idle timeout; a configured 0 counts as one second, never as "no timeout".
    pub(crate) fn session_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.session_idle_timeout_seconds.max(1))
    }

    /// Whether cookies get `Secure` (the inbox is served over TLS).
    pub(crate) fn is_tls(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// An absolute URL of one of the inbox's own paths (`path` without a leading `/`).
    pub(crate) fn own_url(&self, path: &str) -> Url {
        let mut base = self.public_url.clone();
        if !base.path().ends_with('/') {
            let with_slash = format!("{}/", base.path());
            base.set_path(&with_slash);
        }
        // Joining a relative path without `..` to a URL with a path always succeeds.
        base.join(path).unwrap_or(base)
    }
}
