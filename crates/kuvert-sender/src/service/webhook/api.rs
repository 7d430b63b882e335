//! The dead-letter list over REST, with its part of the OpenAPI document:
//! `GET /api/v1/webhooks/dead-letters` (the caller's own senders' dead letters, by id) and
//! `POST /api/v1/webhooks/dead-letters/{id}/retry` (send one again). Thin handlers, like the
//! service's other routes.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use kuvert_core::limits::WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX;
use kuvert_store::sender::webhook::{DeadLetter, DeadLetterId};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::service::AppState;
use crate::service::auth::Caller;
use crate::service::error::ServiceError;
use crate::service::model::{EventJson, ProblemJson};

/// The routes (state: [`AppState`]).
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/webhooks/dead-letters", get(get_dead_letters))
        .route(
            "/api/v1/webhooks/dead-letters/{id}/retry",
            post(retry_dead_letter),
        )
}

/// The dead-letter routes' part of the service's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(get_dead_letters, retry_dead_letter),
    components(schemas(DeadLetterJson, DeadLetterPage))
)]
pub(crate) struct WebhookApiDoc;

/// An event a webhook endpoint refused through its last attempt.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DeadLetterJson {
    /// The dead letter's id.
    pub(crate) id: String,
    /// The endpoint's configured id.
    pub(crate) webhook: String,
    /// The letter's sender.
    pub(crate) sender: String,
    /// `dead`, `queued` (asked to be sent again) or `resent` (then accepted).
    pub(crate) state: String,
    /// Failed attempts (counted anew once queued).
    pub(crate) attempts: u32,
    /// Why the last attempt failed (`the endpoint answered HTTP 503`, a connection error).
    pub(crate) last_error: String,
    /// When it was given up on, RFC 3339 in UTC.
    pub(crate) dead_at: String,
    /// When it last changed, RFC 3339 in UTC.
    pub(crate) updated_at: String,
    /// The event, as the feed and the webhook send it.
    pub(crate) event: EventJson,
}

/// A page of dead letters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DeadLetterPage {
    /// The caller's senders' dead letters after the cursor, by id.
    pub(crate) dead_letters: Vec<DeadLetterJson>,
    /// The cursor for the next page (`after=`): the last id here, absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) next_after: Option<String>,
}

/// Where the list starts and how much of it to answer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeadLetterQuery {
    /// Answer dead letters with an id above this. Default: from the first.
    after: Option<String>,
    /// At most this many, 1..=1000. Default 100.
    limit: Option<u32>,
}

/// The dead letters of the caller's senders, by id (oldest first).
#[utoipa::path(get, path = "/api/v1/webhooks/dead-letters", params(DeadLetterQuery),
    responses((status = 200, body = DeadLetterPage), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson)))]
async fn get_dead_letters(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<DeadLetterQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeadLetterPage>, ServiceError> {
    let Query(query) = query.map_err(|error| ServiceError::BadRequest(error.body_text()))?;
    let after = query
        .after
        .as_deref()
        .map(DeadLetterId::parse)
        .transpose()
        .map_err(|_| ServiceError::BadRequest("after must be a dead letter's id".to_owned()))?;
    let limit = query
        .limit
        .unwrap_or(100)
        .clamp(1, WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX);
    let webhooks = &state.inner.webhooks;
    let senders = webhooks.senders_of(&caller.client);
    let found = webhooks.store.dead_letters(senders, after, limit).await?;
    let next_after = found.last().map(|dead| dead.id.to_string());
    Ok(Json(DeadLetterPage {
        dead_letters: found.iter().map(DeadLetterJson::of).collect(),
        next_after,
    }))
}

/// Sends a dead letter again: it is queued at once, tried with the endpoint's back-off and
/// attempts anew, beside (not in) the feed order; the receiver knows it by its
/// `Kuvert-Event-Id`. Only the caller's own senders' dead letters.
#[utoipa::path(post, path = "/api/v1/webhooks/dead-letters/{id}/retry",
    params(("id" = String, Path)),
    responses((status = 202, body = DeadLetterJson), (status = 401, body = ProblemJson),
        (status = 404, body = ProblemJson)))]
async fn retry_dead_letter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ServiceError> {
    let id = DeadLetterId::parse(&id).map_err(|_| ServiceError::DeadLetterNotFound)?;
    let webhooks = &state.inner.webhooks;
    let senders = webhooks.senders_of(&caller.client);
    let now = time::OffsetDateTime::now_utc();
    let queued = webhooks
        .store
        .queue_dead_letter(id, senders, now)
        .await?
        .ok_or(ServiceError::DeadLetterNotFound)?;
    Ok((StatusCode::ACCEPTED, Json(DeadLetterJson::of(&queued))).into_response())
}

impl DeadLetterJson {
    fn of(dead: &DeadLetter) -> Self {
        Self {
            id: dead.id.to_string(),
            webhook: dead.endpoint.as_str().to_owned(),
            sender: dead.sender.as_str().to_owned(),
            state: dead.state.as_str().to_owned(),
            attempts: dead.attempts,
            last_error: dead.last_error.clone(),
            dead_at: dead.created_at.format(&Rfc3339).unwrap_or_default(),
            updated_at: dead.updated_at.format(&Rfc3339).unwrap_or_default(),
            event: EventJson::of(&dead.event),
        }
    }
}
