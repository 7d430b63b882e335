//! The middleware that counts page views: it reads what the request says about its visitor
//! (address, user agent, referrer, deep link) and, once the page rendered, hands it to the
//! [`crate::visits::VisitCounter`]. It reads no cookie and sets none.

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use crate::domain::deep_link::DeepLink;
use crate::visits::VisitFacts;

/// Runs the page with its route as the page the feedback form names (see
/// [`crate::http::feedback::FEEDBACK_PAGE`]): only public pages pass through here.
pub(super) async fn feedback_scope(request: Request, next: Next) -> Response {
    let page = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned());
    match page {
        Some(page) => {
            super::feedback::FEEDBACK_PAGE
                .scope(page, next.run(request))
                .await
        }
        None => next.run(request).await,
    }
}

/// Counts a successful `GET` of an HTML page under its route (`/avsandare/{…}/pappersbrev`, not
/// the raw path), so the set of pages stays small and holds no identifiers.
pub(super) async fn count_visit(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let page = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned());
    let is_get = request.method() == Method::GET;
    let deep_link = DeepLink::from_raw_query(request.uri().query());
    let facts = visit_facts(&state, &request);
    let response = next.run(request).await;
    // Only pages people read count: a chart's CSV or SVG beside a page is not a view.
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if let Some(page) = page
        && is_get
        && is_html
        && response.status() == StatusCode::OK
        && let Err(error) = state.visits.record_visit(&page, &deep_link, &facts).await
    {
        // Counting must never cost a person the page.
        tracing::error!(
            error = %kuvert_core::report::error_chain(&error),
            "page view not counted"
        );
    }
    response
}

/// What the request says about its visitor (address, user agent, referrer).
pub(super) fn visit_facts(state: &AppState, request: &Request) -> VisitFacts {
    request_facts(state, request.headers(), request.extensions())
}

/// [`visit_facts`] from a request's parts, for handlers.
pub(super) fn request_facts(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
) -> VisitFacts {
    let header_text = |name: &header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let forwarded = state.client_address_header.as_ref().and_then(|name| {
        // A proxy appends the address it saw, so the last entry is the one it vouches for.
        header_text(name).and_then(|value| {
            value
                .rsplit(',')
                .next()
                .map(|address| address.trim().to_owned())
        })
    });
    let peer = extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string());
    VisitFacts {
        address: forwarded.or(peer).unwrap_or_default(),
        user_agent: header_text(&header::USER_AGENT).unwrap_or_default(),
        referrer: header_text(&header::REFERER),
    }
}
