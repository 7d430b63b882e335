//! The one place a `reqwest::Client` is built (clippy.toml bans the builders elsewhere), so
//! every outgoing call trusts only the configured CAs and has explicit timeouts.

use std::time::Duration;

use kuvert_core::limits::HTTP_CLIENT_IDLE_CONNECTIONS_PER_HOST_MAX;
use secrecy::{ExposeSecret, SecretString};

use crate::{WebError, tls};

/// Trust, identity and timeouts of an HTTP client.
pub struct ClientConfig {
    /// PEM certificates of the CAs whose server certificates are trusted; nothing else is.
    pub ca_pem: String,
    /// Client certificate chain and PKCS#8 key (PEM) for mutual TLS, when the peer asks.
    pub identity: Option<(String, SecretString)>,
    /// Bound on establishing a connection, TLS included.
    pub connect_timeout: Duration,
    /// Bound on a whole request, from sending to the end of the response body.
    pub request_timeout: Duration,
}

/// Builds a client that trusts only `config.ca_pem` (no system roots), presents the
/// configured identity, follows no redirects and applies both timeouts.
#[allow(clippy::disallowed_methods)]
pub fn http_client(config: &ClientConfig) -> Result<reqwest::Client, WebError> {
    tls::install_crypto_provider();
    if config.connect_timeout.is_zero() {
        return Err(WebError::ZeroTimeout {
            what: "connect_timeout",
        });
    }
    if config.request_timeout.is_zero() {
        return Err(WebError::ZeroTimeout {
            what: "request_timeout",
        });
    }
    // Parsed by rustls-pemfile first so an empty or broken bundle is named precisely.
    tls::certificates(&config.ca_pem, "client trusted CA")?;
    let roots = reqwest::Certificate::from_pem_bundle(config.ca_pem.as_bytes())
        .map_err(WebError::Client)?;
    let mut builder = reqwest::Client::builder()
        .tls_backend_rustls()
        .tls_certs_only(roots)
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(HTTP_CLIENT_IDLE_CONNECTIONS_PER_HOST_MAX);
    if let Some((chain_pem, key_pem)) = &config.identity {
        let identity_pem = SecretString::from(format!("{chain_pem}\n{}", key_pem.expose_secret()));
        let identity = reqwest::Identity::from_pem(identity_pem.expose_secret().as_bytes())
            .map_err(WebError::Client)?;
        builder = builder.identity(identity);
    }
    builder.build().map_err(WebError::Client)
}
