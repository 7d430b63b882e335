//! The portal's pages: thin handlers that pick the language and render a template.

use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX;
use kuvert_web::i18n::Language;

use crate::config::Config;

mod pages;

/// The portal's routes with the standard layers. Requests carry no body worth reading, so
/// the body bound is small.
pub(crate) fn router(config: Config) -> Router {
    let routes = Router::new()
        .route("/", get(start))
        .route("/skaffa", get(choose_operator))
        .route("/static/portal.css", get(stylesheet))
        .with_state(config);
    let body_bytes_max = usize::try_from(ENVELOPE_BYTES_DEFAULT_MAX / 64).unwrap_or(32 * 1024);
    kuvert_web::layers::standard_layers(routes, body_bytes_max).merge(
        kuvert_web::health::health_router(kuvert_web::health::Readiness::new()),
    )
}

async fn start(language: Language) -> Response {
    render(&pages::StartPage::new(language))
}

async fn choose_operator(
    language: Language,
    axum::extract::State(config): axum::extract::State<Config>,
) -> Response {
    render(&pages::ChooserPage::new(language, &config.operators))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/portal.css"),
    )
        .into_response()
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "portal page failed to render");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Internt fel / Internal error",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests;
