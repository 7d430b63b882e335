//! The test signing service: `/sign` shows a text, lets a test person sign it, and posts the
//! resulting `SignatureData` fields back to the caller.
//!
//! Request (GET query or POST form): `client_id`, `redirect_uri` (registered for that client),
//! `text` (the exact text to sign) and optionally `state`. On "Signera" the person's browser
//! posts `Signature`, `Certificate`, `Nonce`, `EncodingOfSignedText` and `state` to
//! `redirect_uri`; on "Avbryt" it posts `error=access_denied` and `state`. The signed bytes
//! are defined in [`crate::signature`].

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::limits::TEST_EID_STATE_CHARS_MAX;
use serde::Deserialize;

use super::pages::{self, Problem};
use super::{Shared, checked_redirect};
use crate::signature::{check_text, new_nonce, sign_text};

#[derive(Debug, Default, Deserialize)]
pub(super) struct SignParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    text: Option<String>,
    state: Option<String>,
    /// POST only: the chosen person's index.
    person: Option<String>,
    /// POST only: `sign` or `cancel`; absent when the caller posts the request itself.
    action: Option<String>,
}

pub(super) async fn sign_page(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<SignParams>,
) -> Response {
    show(&shared, &params, None)
}

pub(super) async fn sign_choice(
    State(shared): State<Arc<Shared>>,
    Form(params): Form<SignParams>,
) -> Response {
    let Some((_, redirect_uri)) = checked_redirect(
        &shared,
        params.client_id.as_deref(),
        params.redirect_uri.as_deref(),
    ) else {
        return pages::error(StatusCode::BAD_REQUEST, Problem::UnknownClient);
    };
    let state = params.state.clone().unwrap_or_default();
    match params.action.as_deref() {
        None => show(&shared, &params, None),
        Some("sign") => {
            let text = params.text.as_deref().unwrap_or_default();
            let person_idx = params
                .person
                .as_deref()
                .and_then(|idx| idx.parse::<usize>().ok());
            let person = person_idx.and_then(|idx| shared.config.persons.get(idx));
            let Some(credential) = person.and_then(|person| person.signing.as_ref()) else {
                return show(&shared, &params, Some(Problem::NoPersonChosen));
            };
            let nonce = new_nonce();
            match sign_text(&credential.key, &credential.certificate_der, text, &nonce) {
                Ok(signature) => {
                    let fields = signature.to_fields();
                    let fields = vec![
                        ("Signature", fields.signature),
                        ("Certificate", fields.certificate),
                        ("Nonce", fields.nonce.unwrap_or_default()),
                        (
                            "EncodingOfSignedText",
                            fields.encoding_of_signed_text.unwrap_or_default(),
                        ),
                        ("state", state),
                    ];
                    pages::post_back_signed(redirect_uri.as_str(), fields)
                }
                Err(error) => {
                    tracing::warn!(error = %error, "test e-ID could not sign");
                    show(&shared, &params, Some(Problem::TextMissing))
                }
            }
        }
        Some(_) => {
            let fields = vec![("error", "access_denied".to_owned()), ("state", state)];
            pages::post_back_cancelled(redirect_uri.as_str(), fields)
        }
    }
}

/// The signing page, after checking the caller and the text.
fn show(shared: &Shared, params: &SignParams, problem: Option<Problem>) -> Response {
    let checked = checked_redirect(
        shared,
        params.client_id.as_deref(),
        params.redirect_uri.as_deref(),
    );
    let Some((client, redirect_uri)) = checked else {
        return pages::error(StatusCode::BAD_REQUEST, Problem::UnknownClient);
    };
    let text = params.text.as_deref().unwrap_or_default();
    if check_text(text).is_err() {
        return pages::error(StatusCode::BAD_REQUEST, Problem::TextMissing);
    }
    let state = params.state.clone().unwrap_or_default();
    if state.chars().count() > TEST_EID_STATE_CHARS_MAX {
        return pages::error(
            StatusCode::BAD_REQUEST,
            Problem::BadRequest("state is too long"),
        );
    }
    let hidden = vec![
        ("client_id", client.client_id.clone()),
        ("redirect_uri", redirect_uri.as_str().to_owned()),
        ("text", text.to_owned()),
        ("state", state),
    ];
    pages::sign(shared, text, hidden, problem)
}
