//! The REST routes of the sender service and its OpenAPI document (utoipa). Thin handlers:
//! authenticate ([`Caller`]), authorise each letter's sender, read the letters (`intake`),
//! queue them with their `accepted` event in one transaction, answer 202 at once and wake
//! the worker.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest as _, Multipart, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use http::{HeaderMap, StatusCode, header};
use kuvert_core::id::OrganisationNumber;
use kuvert_core::lane::Lane;
use kuvert_core::limits::{
    OAUTH_TOKEN_REQUEST_BYTES_MAX, SENDER_EVENTS_PER_PAGE_MAX, SENDER_SERVICE_BATCH_LETTERS_MAX,
};
use kuvert_core::message::MessageId;
use kuvert_store::sender::{Acceptance, IdempotencyKey, LetterId, LetterRecord, NewLetter};
use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use super::AppState;
use super::auth::Caller;
use super::error::ServiceError;
use super::intake::read_letter;
use super::mailing::{letters_of, read_mailing_form};
use super::model::{
    AttachmentJson, BatchAccepted, BatchRequest, BodyJson, EventJson, EventPage, LetterAccepted,
    LetterForm, LetterProblemJson, LetterRequest, LetterStatus, MailingForm, ProblemJson,
    TokenResponse,
};
use super::multipart::read_letter_form;

/// The routes (state: [`AppState`]).
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/letters", post(post_letter))
        .route("/api/v1/batches", post(post_batch))
        .route("/api/v1/mailings", post(post_mailing))
        .route("/api/v1/letters/{id}", get(get_letter))
        .route("/api/v1/events", get(get_events))
        .route("/oauth/token", post(token))
        .route("/api/v1/openapi.json", get(openapi))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kuvert avsändartjänst (sender service)",
        version = "1",
        description = "Letters to Mina meddelanden over REST: posted, checked, looked up, \
            signed, sealed and delivered, or put on paper; each letter's timeline and a feed \
            of every event by sequence."
    ),
    paths(post_letter, post_batch, post_mailing, get_letter, get_events, token),
    components(schemas(
        LetterRequest, LetterForm, MailingForm, BodyJson, AttachmentJson, BatchRequest,
        LetterAccepted, BatchAccepted, LetterStatus, EventJson, EventPage, TokenResponse,
        ProblemJson, LetterProblemJson
    )),
    modifiers(&Security),
    security(("oauth2" = []), ("mutualTLS" = []))
)]
struct ApiDoc;

/// The two ways in: a client certificate, or a token from `/oauth/token`.
struct Security;

impl Modify for Security {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "mutualTLS",
            SecurityScheme::MutualTls {
                description: Some("A configured client's certificate".to_owned()),
                extensions: None,
            },
        );
        let flow = Flow::ClientCredentials(ClientCredentials::new("/oauth/token", Scopes::new()));
        components.add_security_scheme("oauth2", SecurityScheme::OAuth2(OAuth2::new([flow])));
    }
}

/// `GET /api/v1/openapi.json`: this document, with the configured public URL as its server.
async fn openapi(State(state): State<AppState>) -> Response {
    let mut document = ApiDoc::openapi();
    document.merge(super::webhook::WebhookApiDoc::openapi());
    document.servers = Some(vec![utoipa::openapi::Server::new(
        state.inner.public_url.as_str(),
    )]);
    Json(document).into_response()
}

/// Queues one letter, posted as JSON or as `multipart/form-data` (a `letter` JSON part, the
/// `body` and each `attachment` as a file part); answers at once with its id and state. A
/// replay of its `Idempotency-Key` with the same letter answers the same id; with another
/// letter, 422.
#[utoipa::path(post, path = "/api/v1/letters",
    request_body(content(
        (LetterRequest = "application/json"),
        (LetterForm = "multipart/form-data"))),
    params(("Idempotency-Key" = String, Header,
        description = "The caller's key for the letter: 1 to 255 visible ASCII characters")),
    responses((status = 202, body = LetterAccepted), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson), (status = 403, body = ProblemJson),
        (status = 413, body = ProblemJson), (status = 422, body = ProblemJson)))]
async fn post_letter(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Request,
) -> Result<Response, ServiceError> {
    let key = idempotency_key(&headers)?;
    let request: LetterRequest = if is_multipart(&headers) {
        let form = Multipart::from_request(body, &state)
            .await
            .map_err(bad_form)?;
        read_letter_form(form).await?
    } else {
        match Bytes::from_request(body, &state).await {
            Ok(bytes) => parse_json(&bytes)?,
            Err(rejection) => return Ok(rejection.into_response()),
        }
    };
    let mut records = accept(&state, &caller, vec![(key, request)], Lane::Single).await?;
    let record = records
        .pop()
        .ok_or_else(|| ServiceError::internal("no letter accepted"))?;
    Ok((StatusCode::ACCEPTED, Json(LetterAccepted::of(&record))).into_response())
}

/// Queues many letters, all or none, in the bulk lane (a single letter posted alone goes
/// first); the `Idempotency-Key` of the batch names each letter as `KEY/INDEX`.
#[utoipa::path(post, path = "/api/v1/batches", request_body = BatchRequest,
    params(("Idempotency-Key" = String, Header,
        description = "The caller's key for the letter: 1 to 255 visible ASCII characters")),
    responses((status = 202, body = BatchAccepted), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson), (status = 403, body = ProblemJson),
        (status = 422, body = ProblemJson)))]
async fn post_batch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ServiceError> {
    let request: BatchRequest = parse_json(&body)?;
    let count = request.letters.len();
    if count == 0 || count > SENDER_SERVICE_BATCH_LETTERS_MAX {
        return Err(ServiceError::BadRequest(format!(
            "a batch holds 1 to {SENDER_SERVICE_BATCH_LETTERS_MAX} letters, not {count}"
        )));
    }
    let key = idempotency_key(&headers)?;
    let letters = keyed(&key, request.letters)?;
    let records = accept(&state, &caller, letters, Lane::Bulk).await?;
    Ok(batch_accepted(&records))
}

/// Queues a mass mailing: the manifest `kuvert mailing` takes (CSV or JSON) and the files it
/// names, as `multipart/form-data`; every row is checked, all are queued in the bulk lane or
/// none (every bad row named by its index). The `Idempotency-Key` names row *i* `KEY/i`.
#[utoipa::path(post, path = "/api/v1/mailings",
    request_body(content((MailingForm = "multipart/form-data"))),
    params(("Idempotency-Key" = String, Header,
        description = "The caller's key for the mailing: 1 to 255 visible ASCII characters")),
    responses((status = 202, body = BatchAccepted), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson), (status = 403, body = ProblemJson),
        (status = 413, body = ProblemJson), (status = 422, body = ProblemJson)))]
async fn post_mailing(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ServiceError> {
    let key = idempotency_key(&headers)?;
    let multipart = multipart.map_err(bad_form)?;
    let form = read_mailing_form(multipart).await?;
    let requests = tokio::task::spawn_blocking(move || letters_of(&form))
        .await
        .map_err(ServiceError::internal)??;
    let letters = keyed(&key, requests)?;
    let records = accept(&state, &caller, letters, Lane::Bulk).await?;
    Ok(batch_accepted(&records))
}

/// A form that is not `multipart/form-data` as it says.
fn bad_form(rejection: axum::extract::multipart::MultipartRejection) -> ServiceError {
    ServiceError::BadPart {
        part: "(form)".to_owned(),
        rule: "multipart",
        detail: rejection.body_text(),
    }
}

/// 202 with each queued letter's id and state (batches and mailings).
fn batch_accepted(records: &[LetterRecord]) -> Response {
    let letters = records.iter().map(LetterAccepted::of).collect();
    (StatusCode::ACCEPTED, Json(BatchAccepted { letters })).into_response()
}

/// A letter's state and timeline (only the caller's own letters).
#[utoipa::path(get, path = "/api/v1/letters/{id}", params(("id" = String, Path)),
    responses((status = 200, body = LetterStatus), (status = 401, body = ProblemJson),
        (status = 404, body = ProblemJson)))]
async fn get_letter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LetterStatus>, ServiceError> {
    let id = LetterId::parse(&id).map_err(|_| ServiceError::NotFound)?;
    let (record, timeline) = state
        .inner
        .queue
        .letter(id)
        .await?
        .filter(|(record, _)| record.client == caller.client)
        .ok_or(ServiceError::NotFound)?;
    Ok(Json(LetterStatus {
        id: record.id.to_string(),
        state: record.state.as_str().to_owned(),
        sender: record.sender.as_str().to_owned(),
        message_id: record.message_id.as_str().to_owned(),
        timeline: timeline.iter().map(EventJson::of).collect(),
    }))
}

/// Where the feed starts and how much of it to answer.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// Answer events with a sequence above this (0: from the start). Default 0.
    after: Option<u64>,
    /// At most this many, 1..=1000. Default 100.
    limit: Option<u32>,
}

/// The caller's events after a cursor, ordered by sequence: one sequence numbers every
/// event, each letter's events in the order they happened; replay from any cursor.
#[utoipa::path(get, path = "/api/v1/events", params(FeedQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson)))]
async fn get_events(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventPage>, ServiceError> {
    let Query(query) = query.map_err(|error| ServiceError::BadRequest(error.body_text()))?;
    let after = query.after.unwrap_or(0);
    let limit = query
        .limit
        .unwrap_or(100)
        .clamp(1, SENDER_EVENTS_PER_PAGE_MAX);
    let events = state
        .inner
        .queue
        .events_after(&caller.client, after, limit)
        .await?;
    let next_after = events.last().map_or(after, |event| event.sequence);
    Ok(Json(EventPage {
        events: events.iter().map(EventJson::of).collect(),
        next_after,
    }))
}

/// An access token for client credentials (RFC 6749 §4.4): `grant_type=client_credentials`
/// with `client_id` and `client_secret` in the form or in HTTP Basic authentication.
#[utoipa::path(post, path = "/oauth/token",
    request_body(content_type = "application/x-www-form-urlencoded", content = String),
    responses((status = 200, body = TokenResponse), (status = 400), (status = 401)),
    security(()))]
async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>, ServiceError> {
    let tokens = state
        .inner
        .tokens
        .as_ref()
        .ok_or(ServiceError::InvalidTokenRequest(
            "this service issues no tokens",
        ))?;
    if body.len() > OAUTH_TOKEN_REQUEST_BYTES_MAX {
        return Err(ServiceError::InvalidTokenRequest(
            "the token request is too large",
        ));
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Err(ServiceError::InvalidTokenRequest(
            "grant_type must be client_credentials",
        ));
    }
    let (id, secret) = match basic_credentials(&headers) {
        Some(credentials) => credentials,
        None => match (form.get("client_id"), form.get("client_secret")) {
            (Some(id), Some(secret)) => (id.clone(), secret.clone()),
            _ => return Err(ServiceError::InvalidClient),
        },
    };
    let client = state.inner.clients.check_secret(&id, secret).await?;
    let (access_token, expires_in) = tokens.issue(&client)?;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in,
    }))
}

/// Checks, authorises and queues `letters` (each with its key) in `lane`, all or none.
async fn accept(
    state: &AppState,
    caller: &Caller,
    letters: Vec<(IdempotencyKey, LetterRequest)>,
    lane: Lane,
) -> Result<Vec<LetterRecord>, ServiceError> {
    for (_, letter) in &letters {
        if let Ok(sender) = OrganisationNumber::parse_written(&letter.sender)
            && !state.inner.clients.may_send_for(&caller.client, &sender)
        {
            return Err(ServiceError::SenderNotAllowed {
                client: caller.client.as_str().to_owned(),
                sender: sender.as_str().to_owned(),
            });
        }
    }
    let toolkit = std::sync::Arc::clone(&state.inner.toolkit);
    let read = tokio::task::spawn_blocking(move || read_all(&toolkit, letters))
        .await
        .map_err(ServiceError::internal)??;
    let new: Vec<NewLetter<'_>> = read
        .iter()
        .map(|letter| NewLetter {
            id: letter.id,
            client: &caller.client,
            key: &letter.key,
            request_digest: &letter.digest,
            sender: &letter.sender,
            recipient: &letter.recipient,
            message_id: &letter.message_id,
            letter_json: &letter.json,
            lane,
            at: time::OffsetDateTime::now_utc(),
        })
        .collect();
    let answers = state.inner.queue.accept_letters(&new).await?;
    let mut records = Vec::with_capacity(answers.len());
    for answer in answers {
        match answer {
            Acceptance::Queued(record) | Acceptance::Replayed(record) => records.push(record),
            Acceptance::KeyConflict => return Err(ServiceError::KeyReused),
        }
    }
    state.inner.wake.notify_one();
    Ok(records)
}

/// Each letter with its key, `KEY/INDEX` (a batch's or a mailing's).
fn keyed(
    key: &IdempotencyKey,
    letters: Vec<LetterRequest>,
) -> Result<Vec<(IdempotencyKey, LetterRequest)>, ServiceError> {
    let mut keyed = Vec::with_capacity(letters.len());
    for (index, letter) in letters.into_iter().enumerate() {
        let key = IdempotencyKey::parse(&format!("{}/{index}", key.as_str()))
            .map_err(|error| ServiceError::BadRequest(format!("Idempotency-Key {error}")))?;
        keyed.push((key, letter));
    }
    Ok(keyed)
}

/// A letter read and ready to store.
struct ReadLetter {
    id: LetterId,
    key: IdempotencyKey,
    digest: String,
    sender: OrganisationNumber,
    recipient: kuvert_core::id::RecipientId,
    message_id: MessageId,
    json: String,
}

/// Reads every letter (CPU work: base64, PDF parsing), gathering every problem of all.
fn read_all(
    toolkit: &crate::Toolkit,
    letters: Vec<(IdempotencyKey, LetterRequest)>,
) -> Result<Vec<ReadLetter>, ServiceError> {
    let mut problems = Vec::new();
    let mut read = Vec::with_capacity(letters.len());
    for (index, (key, request)) in letters.into_iter().enumerate() {
        let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
        match read_letter(toolkit, &request, index, message_id.clone()) {
            Ok(letter) => {
                let json = serde_json::to_string(&request).map_err(ServiceError::internal)?;
                let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, json.as_bytes());
                read.push(ReadLetter {
                    id: LetterId::new_v7(),
                    key,
                    digest: hex::encode(digest.as_ref()),
                    sender: letter.sender,
                    recipient: letter.recipient,
                    message_id,
                    json,
                });
            }
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(ServiceError::InvalidLetters(problems))
    }
}

/// Whether the request's `Content-Type` is `multipart/form-data`.
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("multipart/form-data"))
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ServiceError> {
    serde_json::from_slice(body).map_err(|error| ServiceError::BadRequest(format!("JSON: {error}")))
}

/// The `Idempotency-Key` header (required: a sender system that posts again after a lost
/// answer must get the same letter, not a second one).
fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ServiceError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Err(ServiceError::BadRequest(
            "the Idempotency-Key header is missing".to_owned(),
        ));
    };
    let text = value
        .to_str()
        .map_err(|_| ServiceError::BadRequest("Idempotency-Key is not ASCII".to_owned()))?;
    IdempotencyKey::parse(text.trim_matches('"'))
        .map_err(|error| ServiceError::BadRequest(format!("Idempotency-Key {error}")))
}

/// `Authorization: Basic base64(id:secret)` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |part: &str| -> String {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Some((decode(id), decode(secret)))
}
