//! [`HttpConfig`]: the `http` section every role's configuration has — the connection
//! timeouts of its listeners and the rate limits of its clients — with the defaults from
//! `kuvert_core::limits`, checked once when the role is built.

use std::num::NonZeroU32;
use std::time::Duration;

use kuvert_core::limits::{
    HTTP_BODY_TIMEOUT_MS_DEFAULT, HTTP_HEADER_TIMEOUT_MS_DEFAULT, HTTP_IDLE_TIMEOUT_MS_DEFAULT,
    HTTP_TIMEOUT_MS_MAX, HTTP_TIMEOUT_MS_MIN, RATE_LIMIT_ADDRESS_BURST_DEFAULT,
    RATE_LIMIT_ADDRESS_PER_SECOND_DEFAULT, RATE_LIMIT_CERTIFICATE_BURST_DEFAULT,
    RATE_LIMIT_CERTIFICATE_PER_SECOND_DEFAULT,
};

use crate::listener::ConnectionTimeouts;
use crate::rate_limit::{RateLimit, RateLimiter};

/// A role's `[http]` section. Every key is optional.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Milliseconds a client gets to send request headers, and a kept-alive connection waits
    /// for its next request. Default `limits::HTTP_HEADER_TIMEOUT_MS_DEFAULT` (10 s).
    pub header_timeout_ms: u64,
    /// Milliseconds a client gets to send a whole request body. Default
    /// `limits::HTTP_BODY_TIMEOUT_MS_DEFAULT` (60 s).
    pub body_timeout_ms: u64,
    /// Milliseconds a connection may pass without a byte either way while no handler works.
    /// Default `limits::HTTP_IDLE_TIMEOUT_MS_DEFAULT` (30 s).
    pub idle_timeout_ms: u64,
    /// Requests per second one client certificate may make to a mutual-TLS listener; 0 turns
    /// the limit off. Default `limits::RATE_LIMIT_CERTIFICATE_PER_SECOND_DEFAULT`.
    pub certificate_requests_per_second: u32,
    /// Requests one client certificate may make at once. Default
    /// `limits::RATE_LIMIT_CERTIFICATE_BURST_DEFAULT`.
    pub certificate_burst: u32,
    /// Requests per second one client address may make to the web pages; 0 turns the limit
    /// off (behind a proxy every visitor has the proxy's address). Default
    /// `limits::RATE_LIMIT_ADDRESS_PER_SECOND_DEFAULT`.
    pub address_requests_per_second: u32,
    /// Requests one client address may make at once. Default
    /// `limits::RATE_LIMIT_ADDRESS_BURST_DEFAULT`.
    pub address_burst: u32,
}

/// Which clients a listener's limiter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// Organisations by their client certificate (mutual TLS: SOAP and REST).
    Certificate,
    /// Browsers by their address (the web pages).
    Address,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout_ms: HTTP_HEADER_TIMEOUT_MS_DEFAULT,
            body_timeout_ms: HTTP_BODY_TIMEOUT_MS_DEFAULT,
            idle_timeout_ms: HTTP_IDLE_TIMEOUT_MS_DEFAULT,
            certificate_requests_per_second: RATE_LIMIT_CERTIFICATE_PER_SECOND_DEFAULT,
            certificate_burst: RATE_LIMIT_CERTIFICATE_BURST_DEFAULT,
            address_requests_per_second: RATE_LIMIT_ADDRESS_PER_SECOND_DEFAULT,
            address_burst: RATE_LIMIT_ADDRESS_BURST_DEFAULT,
        }
    }
}

impl HttpConfig {
    /// The listeners' timeouts.
    ///
    /// # Errors
    /// The key and reason of a timeout outside `HTTP_TIMEOUT_MS_MIN..=HTTP_TIMEOUT_MS_MAX`.
    pub fn timeouts(&self) -> Result<ConnectionTimeouts, (&'static str, String)> {
        Ok(ConnectionTimeouts {
            header: timeout("http.header_timeout_ms", self.header_timeout_ms)?,
            body: timeout("http.body_timeout_ms", self.body_timeout_ms)?,
            idle: timeout("http.idle_timeout_ms", self.idle_timeout_ms)?,
        })
    }

    /// A limiter for a listener whose clients are of `kind`.
    ///
    /// # Errors
    /// The key and reason of a burst of 0 with a rate that is on.
    pub fn rate_limiter(&self, kind: ClientKind) -> Result<RateLimiter, (&'static str, String)> {
        let (rate, burst, burst_key) = match kind {
            ClientKind::Certificate => (
                self.certificate_requests_per_second,
                self.certificate_burst,
                "http.certificate_burst",
            ),
            ClientKind::Address => (
                self.address_requests_per_second,
                self.address_burst,
                "http.address_burst",
            ),
        };
        let Some(per_second) = NonZeroU32::new(rate) else {
            return Ok(RateLimiter::new(None));
        };
        let burst = NonZeroU32::new(burst).ok_or_else(|| {
            (
                burst_key,
                "must be at least 1 while the rate is on".to_owned(),
            )
        })?;
        Ok(RateLimiter::new(Some(RateLimit { per_second, burst })))
    }

    /// Checks every value, for a role's `build`.
    ///
    /// # Errors
    /// As [`HttpConfig::timeouts`] and [`HttpConfig::rate_limiter`].
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        self.timeouts()?;
        self.rate_limiter(ClientKind::Certificate)?;
        self.rate_limiter(ClientKind::Address)?;
        Ok(())
    }
}

fn timeout(key: &'static str, ms: u64) -> Result<Duration, (&'static str, String)> {
    if (HTTP_TIMEOUT_MS_MIN..=HTTP_TIMEOUT_MS_MAX).contains(&ms) {
        Ok(Duration::from_millis(ms))
    } else {
        Err((
            key,
            format!("{ms} is outside {HTTP_TIMEOUT_MS_MIN}..={HTTP_TIMEOUT_MS_MAX} ms"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_their_key() {
        let config = HttpConfig::default();
        assert!(config.check().is_ok());
        assert_eq!(config.timeouts().unwrap(), ConnectionTimeouts::default());
        let short = HttpConfig {
            body_timeout_ms: 1,
            ..HttpConfig::default()
        };
        assert_eq!(short.check().unwrap_err().0, "http.body_timeout_ms");
        let no_burst = HttpConfig {
            address_burst: 0,
            ..HttpConfig::default()
        };
        assert_eq!(no_burst.check().unwrap_err().0, "http.address_burst");
        let off = HttpConfig {
            address_requests_per_second: 0,
            address_burst: 0,
            ..HttpConfig::default()
        };
        assert!(off.check().is_ok(), "a rate of 0 turns the limit off");
    }
}
