//! The layers every Kuvert router wears: a CallId and tracing span per request, security
//! headers, panics turned into 500 answers, and a request body bound (STYLE.md §7, §9).

use std::any::Any;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode, header};
use kuvert_wire::fault::CallId;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// Content Security Policy for every response: only our own scripts, styles and images, no
/// framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; \
    base-uri 'none'";

/// Wraps `router` in every standard layer. Outermost first: CallId, span, security headers,
/// panic catching, body bound of `body_bytes_max`.
pub fn standard_layers(router: Router, body_bytes_max: usize) -> Router {
    router
        .layer(RequestBodyLimitLayer::new(body_bytes_max))
        .layer(DefaultBodyLimit::max(body_bytes_max))
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(axum::middleware::map_response(security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(axum::middleware::map_request(assign_call_id))
}

/// Adds the security headers to a response (use with `axum::middleware::map_response`). A
/// Content-Security-Policy the router already set (see [`with_form_targets`]) is kept.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    let fixed: [(HeaderName, &'static str); 3] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Gives every response of `router` the standard CSP with `form-action` also allowing the
/// origins of `form_targets`: the sites a form's answer redirects to, such as the e-ID
/// signing service a "sign" button leads to. Browsers apply `form-action` to the redirects
/// that follow a form post too (Chromium refuses the 303 otherwise), so such a form needs
/// its target's origin here. Wrap the result in [`standard_layers`], which keeps this CSP.
pub fn with_form_targets(router: Router, form_targets: &[url::Url]) -> Router {
    let policy = content_security_policy_with_form_targets(form_targets);
    router.layer(axum::middleware::map_response(
        move |mut response: Response| {
            let policy = policy.clone();
            async move {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
                response
            }
        },
    ))
}

/// [`CONTENT_SECURITY_POLICY`] with the origins of `form_targets` added to `form-action`.
pub fn content_security_policy_with_form_targets(form_targets: &[url::Url]) -> HeaderValue {
    let mut origins: Vec<String> = form_targets
        .iter()
        .map(|target| target.origin())
        .filter(url::Origin::is_tuple)
        .map(|origin| origin.ascii_serialization())
        .collect();
    origins.sort();
    origins.dedup();
    let mut allowed = String::from("form-action 'self'");
    for origin in &origins {
        allowed.push(' ');
        allowed.push_str(origin);
    }
    let policy = CONTENT_SECURITY_POLICY.replace("form-action 'self'", &allowed);
    // Origins are ASCII serialisations (scheme, host, port), valid in a header value.
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY))
}

/// Gives each request a fresh CallId (request extension), the id a caller quotes in faults
/// and support cases.
pub async fn assign_call_id(mut request: Request) -> Request {
    request.extensions_mut().insert(CallId::new());
    request
}

/// The span of one request: method, matched route (never the raw URI, which may hold
/// identity numbers), CallId, and the caller's organisation once it is known.
fn request_span(request: &Request<Body>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let call_id = request
        .extensions()
        .get::<CallId>()
        .map_or("", CallId::as_str);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        call_id,
        caller = tracing::field::Empty,
    )
}

/// A panic ends one request: it is logged without its payload (which may hold data) and
/// answered with a bare 500.
fn answer_panic(_payload: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
}

/// A SOAP 1.1 response: the envelope as `text/xml; charset=utf-8` (SOAP 1.1 §6; faults go
/// out with status 500, WS-I Basic Profile R1126).
pub fn soap_response(status: http::StatusCode, envelope: String) -> Response {
    let mut response = (status, envelope).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}
