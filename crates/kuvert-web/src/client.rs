//! The one place a `reqwest::Client` is built (clippy.toml bans the builders elsewhere), so
//! every outgoing call trusts only the configured CAs and has explicit timeouts; and the one
//! place a response body is read ([`read_body`]), so every client bounds it the same way;
//! [`soap::soap_call`] is the one SOAP call built on both.

pub mod soap;

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

/// Why a response body was not read whole.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The body is longer than the bound: by its `Content-Length`, or while it streamed.
    #[error("response body exceeds {max} bytes")]
    TooLarge {
        /// The bound the caller gave.
        max: u64,
    },
    /// The body broke off (connection, TLS, timeout).
    #[error("response body could not be read")]
    Http(#[source] reqwest::Error),
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

/// Reads `response`'s body, at most `bytes_max` bytes: a `Content-Length` over the bound is
/// refused before anything is read, and the body is counted as it streams, so a peer that
/// sends no length or a false one is cut off at the bound too.
///
/// # Errors
/// [`BodyError::TooLarge`] naming the bound; [`BodyError::Http`] when the body breaks off.
pub async fn read_body(
    mut response: reqwest::Response,
    bytes_max: u64,
) -> Result<Vec<u8>, BodyError> {
    let too_large = BodyError::TooLarge { max: bytes_max };
    if response
        .content_length()
        .is_some_and(|length| length > bytes_max)
    {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        let length = u64::try_from(body.len() + chunk.len()).unwrap_or(u64::MAX);
        if length > bytes_max {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
