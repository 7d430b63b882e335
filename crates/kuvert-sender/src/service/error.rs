//! [`ServiceError`]: why the sender service refused a request, and its one outside form, a
//! problem+json answer (RFC 9457) with the HTTP status chosen here and nowhere else.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use kuvert_core::report::error_chain;

use super::model::{LetterProblemJson, ProblemJson};

/// Why a request to the sender service failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServiceError {
    /// No client certificate of a configured client and no valid bearer token.
    #[error("no known client: call with a configured client certificate or an access token")]
    Unauthenticated,
    /// `POST /oauth/token` with unknown or wrong client credentials (RFC 6749 §5.2).
    #[error("invalid client credentials")]
    InvalidClient,
    /// The token request is not `grant_type=client_credentials` with credentials.
    #[error("{0}")]
    InvalidTokenRequest(&'static str),
    /// The client may not send for this sender; nothing was queued.
    #[error("client {client} may not send for sender {sender}")]
    SenderNotAllowed {
        /// The client.
        client: String,
        /// The sender asked for.
        sender: String,
    },
    /// The request is not what the API takes (JSON, header, query).
    #[error("{0}")]
    BadRequest(String),
    /// A part of a `multipart/form-data` letter is missing, unknown, repeated, malformed or
    /// too large (`rule`); nothing was queued.
    #[error("part {part:?}: {rule}: {detail}")]
    BadPart {
        /// The part's name (`letter`, `body`, `attachment`).
        part: String,
        /// The rule it breaks: `part`, `json`, `utf-8`, `filename`, `size`, `parts` or
        /// `multipart`.
        rule: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The letters are not valid; nothing was queued.
    #[error("the letter is not valid: {} problem(s)", .0.len())]
    InvalidLetters(Vec<LetterProblemJson>),
    /// The `Idempotency-Key` was used before for other content.
    #[error("the Idempotency-Key was used before for another letter")]
    KeyReused,
    /// No letter with this id for this client.
    #[error("no such letter")]
    NotFound,
    /// No dead letter with this id of the caller's senders.
    #[error("no such dead letter")]
    DeadLetterNotFound,
    /// The store or another internal step failed.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// Wraps any failure as `Internal`.
    pub(crate) fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(error.into())
    }

    fn classify(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
            Self::InvalidTokenRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::SenderNotAllowed { .. } => (StatusCode::FORBIDDEN, "sender-not-allowed"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request"),
            Self::BadPart { rule: "size", .. } => (StatusCode::PAYLOAD_TOO_LARGE, "bad-part"),
            Self::BadPart { .. } => (StatusCode::BAD_REQUEST, "bad-part"),
            Self::InvalidLetters(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-letter"),
            Self::KeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
            Self::NotFound | Self::DeadLetterNotFound => (StatusCode::NOT_FOUND, "not-found"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (status, kind) = self.classify();
        if let Self::Internal(source) = &self {
            tracing::error!(error = %error_chain(source.as_ref()), "sender service failed");
        }
        if matches!(self, Self::InvalidClient | Self::InvalidTokenRequest(_)) {
            // RFC 6749 §5.2: the token endpoint's own error shape.
            let body = serde_json::json!({ "error": kind, "error_description": self.to_string() });
            return (status, Json(body)).into_response();
        }
        let problems = match &self {
            Self::InvalidLetters(problems) => problems.clone(),
            Self::BadPart { part, rule, detail } => vec![LetterProblemJson {
                letter: 0,
                rule: (*rule).to_owned(),
                detail: format!("part {part:?}: {detail}"),
            }],
            _ => Vec::new(),
        };
        let problem = ProblemJson {
            kind: kind.to_owned(),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            problems,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kuvert-sender\""),
            );
        }
        response
    }
}

impl From<kuvert_store::StoreError> for ServiceError {
    fn from(error: kuvert_store::StoreError) -> Self {
        Self::internal(error)
    }
}
