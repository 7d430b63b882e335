//! The web inbox's settings as typed values, checked at start from `Config::web`: URLs
//! parsed (a bad one names its key), the idle timeout never zero.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::config::WebConfig;
use kuvert_web::StartError;

/// `Config::web`, checked.
#[derive(Debug, Clone)]
pub(super) struct InboxSettings {
    pub(super) public_url: Url,
    pub(super) oidc_issuer: Url,
    pub(super) oidc_client_id: String,
    pub(super) oidc_client_secret: SecretString,
    pub(super) signing_service_url: Url,
    pub(super) session_idle_timeout: Duration,
}

impl InboxSettings {
    /// Parses the URLs of `web`; `web.session_idle_secs = 0` counts as one second, never as
    /// "no timeout".
    pub(super) fn from_config(web: &WebConfig) -> Result<Self, StartError> {
        Ok(Self {
            public_url: parse_url(&web.public_url, "web.public_url")?,
            oidc_issuer: parse_url(&web.oidc_issuer, "web.oidc_issuer")?,
            oidc_client_id: web.oidc_client_id.clone(),
            oidc_client_secret: web.oidc_client_secret.clone(),
            signing_service_url: parse_url(&web.signing_service_url, "web.signing_service_url")?,
            session_idle_timeout: Duration::from_secs(web.session_idle_secs.max(1)),
        })
    }

    /// Whether cookies get `Secure` (the inbox is served over TLS).
    pub(super) fn is_tls(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// An absolute URL of one of the inbox's own paths (`path` without a leading `/`).
    pub(super) fn own_url(&self, path: &str) -> Url {
        let mut base = self.public_url.clone();
        if !base.path().ends_with('/') {
            let with_slash = format!("{}/", base.path());
            base.set_path(&with_slash);
        }
        // Joining a relative path without `..` to a base URL cannot fail; keep the base if
        // it ever did.
        base.join(path).unwrap_or(base)
    }
}

fn parse_url(text: &str, key: &'static str) -> Result<Url, StartError> {
    let url = Url::parse(text).map_err(|error| StartError::Config {
        key,
        reason: error.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        let reason = format!("scheme {} is not http or https", url.scheme());
        return Err(StartError::Config { key, reason });
    }
    Ok(url)
}
