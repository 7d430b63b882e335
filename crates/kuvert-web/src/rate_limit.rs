//! Rate limits per client: by its verified client certificate on a mutual-TLS listener (SOAP
//! and REST between the roles), by its address otherwise (the web pages). A client over its
//! limit is answered at once, before its body is read: a request that speaks SOAP (a
//! `SOAPAction` header or an XML body) gets the MM fault 5005 (max exceeded, PROTOCOL.md
//! §10) with status 500 (WS-I BP R1126), any other 429; both carry `Retry-After` in seconds.
//! Other clients keep their own buckets and are not slowed.
//!
//! The buckets are `governor`'s (GCRA: `per_second` sustained, `burst` at once). At most
//! `limits::RATE_LIMIT_KEYS_MAX` clients are tracked: past it the clients whose buckets are
//! full again are forgotten, and if that is not enough the limiter starts over. A request
//! without a certificate or an address (in-process tests through `Router::oneshot`) is not
//! limited.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use http::{HeaderValue, StatusCode, header};
use kuvert_core::limits::RATE_LIMIT_KEYS_MAX;
use kuvert_wire::fault::{Fault, FaultCode};

use crate::identity::PeerCertificate;

/// A sustained rate and a burst, both at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// Requests a client may make at once before the rate applies.
    pub burst: NonZeroU32,
}

/// The limiter of one router: one bucket per client, shared by every clone.
#[derive(Clone)]
pub struct RateLimiter {
    inner: Option<Arc<Keyed>>,
}

struct Keyed {
    quota: Quota,
    buckets: Mutex<Arc<DefaultKeyedRateLimiter<ClientKey>>>,
    keys_max: usize,
}

/// Who a bucket belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ClientKey {
    /// SHA-256 of the verified client certificate.
    Certificate([u8; 32]),
    /// The TCP peer's address (any port).
    Address(IpAddr),
}

impl RateLimiter {
    /// A limiter allowing `limit` per client; `None` limits nothing.
    pub fn new(limit: Option<RateLimit>) -> Self {
        Self::with_keys_max(limit, RATE_LIMIT_KEYS_MAX)
    }

    fn with_keys_max(limit: Option<RateLimit>, keys_max: usize) -> Self {
        let inner = limit.map(|limit| {
            let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
            Arc::new(Keyed {
                quota,
                buckets: Mutex::new(Arc::new(DefaultKeyedRateLimiter::keyed(quota))),
                keys_max: keys_max.max(1),
            })
        });
        Self { inner }
    }

    /// `router` with every request counted against its client's bucket.
    pub fn apply(&self, router: Router) -> Router {
        router.layer(axum::middleware::from_fn_with_state(self.clone(), limit))
    }

    /// How long the client of `request` must wait, or `None` when it may go on.
    fn check(&self, request: &Request) -> Option<Duration> {
        let keyed = self.inner.as_ref()?;
        let key = client_key(request)?;
        let buckets = keyed.buckets();
        let not_until = buckets.check_key(&key).err()?;
        Some(not_until.wait_time_from(DefaultClock::default().now()))
    }
}

impl Keyed {
    /// The current buckets, forgetting clients first when there are too many.
    fn buckets(&self) -> Arc<DefaultKeyedRateLimiter<ClientKey>> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= self.keys_max {
            buckets.retain_recent();
            buckets.shrink_to_fit();
            if buckets.len() >= self.keys_max {
                tracing::warn!(
                    n_clients = buckets.len(),
                    "rate limiter tracks too many clients; starting over"
                );
                *buckets = Arc::new(DefaultKeyedRateLimiter::keyed(self.quota));
            }
        }
        Arc::clone(&buckets)
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RateLimiter")
            .field("is_limiting", &self.inner.is_some())
            .finish()
    }
}

async fn limit(State(limiter): State<RateLimiter>, request: Request, next: Next) -> Response {
    match limiter.check(&request) {
        None => next.run(request).await,
        Some(wait) => {
            tracing::info!(wait_ms = wait.as_millis(), "client over its rate limit");
            refusal(&request, wait)
        }
    }
}

/// The client's certificate if it has one, else its address.
fn client_key(request: &Request) -> Option<ClientKey> {
    let extensions = request.extensions();
    if let Some(peer) = extensions.get::<PeerCertificate>() {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, peer.der());
        let mut bytes = [0_u8; 32];
        bytes.copy_from_slice(digest.as_ref());
        return Some(ClientKey::Certificate(bytes));
    }
    let ConnectInfo(address) = extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(ClientKey::Address(address.ip()))
}

/// 429, or the MM fault for a SOAP request; with `Retry-After` in whole seconds (at least 1).
fn refusal(request: &Request, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = if speaks_soap(request) {
        let fault = Fault::new(
            FaultCode::MAX_EXCEEDED,
            format!("rate limit exceeded for this client; retry after {seconds} s"),
        );
        crate::layers::soap_response(StatusCode::INTERNAL_SERVER_ERROR, fault.to_envelope())
    } else {
        (
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many requests; retry after {seconds} s\n"),
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Whether the request is a SOAP call: a `SOAPAction` header or an XML body.
fn speaks_soap(request: &Request) -> bool {
    let headers = request.headers();
    let is_xml = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("xml"));
    headers.contains_key("soapaction") || is_xml
}

#[cfg(test)]
mod tests;
