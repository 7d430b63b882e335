//! The bridge from openidconnect's HTTP abstraction to Kuvert's one reqwest client.
//!
//! openidconnect 4 ships an integration for reqwest 0.12, while Kuvert builds every client with
//! reqwest 0.13 in `kuvert_web::http_client` (trusted CAs, timeouts). Implementing
//! `AsyncHttpClient` for a thin wrapper keeps a single HTTP stack and that single policy.
//! Response bodies are read by `kuvert_web::read_body`, cut off at `OIDC_RESPONSE_BYTES_MAX`.

use std::future::Future;
use std::pin::Pin;

use kuvert_core::limits::OIDC_RESPONSE_BYTES_MAX;
use kuvert_web::BodyError;
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

/// A borrowed reqwest client that openidconnect can send its requests through.
#[derive(Clone, Copy)]
pub(crate) struct Transport<'a>(pub(crate) &'a reqwest::Client);

/// Why one HTTP exchange with the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The request could not be built or sent, or the response could not be read.
    #[error("http exchange with the e-ID provider failed")]
    Http(#[source] reqwest::Error),
    /// The response did not fit the limit.
    #[error("e-ID provider response exceeds {max} bytes")]
    TooLarge {
        /// `OIDC_RESPONSE_BYTES_MAX`.
        max: usize,
    },
    /// The response head could not be turned back into an `http::Response`.
    #[error("e-ID provider response could not be represented")]
    Response(#[source] http::Error),
}

type ResponseFuture<'c> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

impl<'c> AsyncHttpClient<'c> for Transport<'_> {
    type Error = TransportError;
    type Future = ResponseFuture<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        let client = self.0;
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(TransportError::Http)?;
            let response = client
                .execute(request)
                .await
                .map_err(TransportError::Http)?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes_max = u64::try_from(OIDC_RESPONSE_BYTES_MAX).unwrap_or(u64::MAX);
            let body =
                kuvert_web::read_body(response, bytes_max)
                    .await
                    .map_err(|error| match error {
                        BodyError::TooLarge { .. } => TransportError::TooLarge {
                            max: OIDC_RESPONSE_BYTES_MAX,
                        },
                        BodyError::Http(source) => TransportError::Http(source),
                    })?;
            builder.body(body).map_err(TransportError::Response)
        })
    }
}
