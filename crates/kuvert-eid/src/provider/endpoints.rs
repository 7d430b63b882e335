//! The test provider's OpenID Connect endpoints: discovery, JWKS, authorize, token, userinfo.
//!
//! `/authorize` never redirects to a URI it has not matched against the client's registered
//! ones: an unknown client or redirect URI gets an error page instead (RFC 6749 §4.1.2.1).

use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use url::Url;

use super::grants::{AccessGrant, CODE_LIFETIME, CodeGrant, TOKEN_LIFETIME};
use super::{Shared, checked_redirect, pages, token};
use crate::oidc::NATURAL_PERSON_NUMBER_SCOPE;

/// The parameters of an authorisation request, from the query (GET) or the form (POST).
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct AuthorizeParams {
    pub(super) response_type: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) redirect_uri: Option<String>,
    pub(super) scope: Option<String>,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<String>,
    pub(super) code_challenge_method: Option<String>,
    /// POST only: the chosen person's index.
    pub(super) person: Option<String>,
    /// POST only: `login` or `cancel`.
    pub(super) action: Option<String>,
}

/// An authorisation request whose client, redirect URI and PKCE parameters were checked.
pub(super) struct AuthorizeRequest {
    pub(super) client_id: String,
    pub(super) redirect_uri: Url,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: String,
}

pub(super) async fn discovery(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(json!({
        "issuer": shared.issuer,
        "authorization_endpoint": shared.endpoint("/authorize"),
        "token_endpoint": shared.endpoint("/token"),
        "userinfo_endpoint": shared.endpoint("/userinfo"),
        "jwks_uri": shared.endpoint("/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", NATURAL_PERSON_NUMBER_SCOPE],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub", "name", "given_name", "family_name",
            "https://id.oidc.se/claim/personalIdentityNumber"
        ],
    }))
}

pub(super) async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.keys().jwks()).into_response()
}

pub(super) async fn authorize_page(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    match check_authorize(&shared, &params) {
        Ok(_) => pages::authorize(&shared, &params),
        Err(problem) => pages::error(StatusCode::BAD_REQUEST, problem),
    }
}

pub(super) async fn authorize_choice(
    State(shared): State<Arc<Shared>>,
    Form(params): Form<AuthorizeParams>,
) -> Response {
    let request = match check_authorize(&shared, &params) {
        Ok(request) => request,
        Err(problem) => return pages::error(StatusCode::BAD_REQUEST, problem),
    };
    if params.action.as_deref() != Some("login") {
        return redirect_back(
            request.redirect_uri,
            &[("error", "access_denied")],
            request.state,
        );
    }
    let person_idx = params
        .person
        .as_deref()
        .and_then(|text| text.parse::<usize>().ok());
    let Some(person_idx) = person_idx.filter(|idx| *idx < shared.config.persons.len()) else {
        return pages::authorize_with_problem(&shared, &params, pages::Problem::NoPersonChosen);
    };
    let grant = CodeGrant {
        client_id: request.client_id,
        redirect_uri: request.redirect_uri.as_str().to_owned(),
        person_idx,
        nonce: request.nonce,
        code_challenge: request.code_challenge,
        expires_at: OffsetDateTime::now_utc() + CODE_LIFETIME,
    };
    match shared.grants.issue_code(grant) {
        Ok(code) => redirect_back(request.redirect_uri, &[("code", &code)], request.state),
        Err(_) => pages::error(StatusCode::SERVICE_UNAVAILABLE, pages::Problem::Busy),
    }
}

/// The token request (RFC 6749 §4.1.3, RFC 7636 §4.5).
#[derive(Debug, Default, Deserialize)]
pub(super) struct TokenParams {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(params): Form<TokenParams>,
) -> Response {
    match exchange(&shared, &headers, params) {
        Ok(body) => {
            let no_store = [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ];
            (no_store, Json(body)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

pub(super) async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let grant = bearer.and_then(|token| shared.grants.access_grant(token.trim()));
    let person = grant.and_then(|grant| shared.config.persons.get(grant.person_idx));
    match person {
        Some(person) => Json(token::user_info(&shared.issuer, person)).into_response(),
        None => {
            let challenge = [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")];
            (StatusCode::UNAUTHORIZED, challenge).into_response()
        }
    }
}

/// Why `/token` refused (RFC 6749 §5.2).
#[derive(Debug)]
enum TokenError {
    InvalidClient,
    InvalidGrant(&'static str),
    InvalidRequest(&'static str),
    UnsupportedGrantType,
    Unavailable,
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Self::InvalidClient => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            ),
            Self::InvalidGrant(why) => (StatusCode::BAD_REQUEST, "invalid_grant", why),
            Self::InvalidRequest(why) => (StatusCode::BAD_REQUEST, "invalid_request", why),
            Self::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only authorization_code is supported",
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "too many logins",
            ),
        };
        let body = Json(json!({ "error": error, "error_description": description }));
        (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
    }
}

fn exchange(
    shared: &Shared,
    headers: &HeaderMap,
    params: TokenParams,
) -> Result<serde_json::Value, TokenError> {
    let client_id = authenticate_client(shared, headers, &params)?;
    if params.grant_type.as_deref() != Some("authorization_code") {
        return Err(TokenError::UnsupportedGrantType);
    }
    let code = params
        .code
        .as_deref()
        .ok_or(TokenError::InvalidRequest("code is missing"))?;
    // Taken out before any other check: a code is spent by its first use (RFC 6749 §4.1.2).
    let grant = shared
        .grants
        .take_code(code)
        .ok_or(TokenError::InvalidGrant("code is unknown, used or expired"))?;
    if grant.client_id != client_id {
        return Err(TokenError::InvalidGrant(
            "code was issued to another client",
        ));
    }
    if params.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return Err(TokenError::InvalidGrant(
            "redirect_uri differs from the authorization request",
        ));
    }
    let verifier = params
        .code_verifier
        .as_deref()
        .ok_or(TokenError::InvalidGrant("code_verifier is missing"))?;
    if !is_pkce_match(verifier, &grant.code_challenge) {
        return Err(TokenError::InvalidGrant(
            "code_verifier does not match code_challenge",
        ));
    }
    let person = shared
        .config
        .persons
        .get(grant.person_idx)
        .ok_or(TokenError::InvalidGrant("person is no longer configured"))?;
    let id_token = shared
        .keys()
        .id_token(
            &shared.issuer,
            &client_id,
            grant.nonce.as_deref(),
            person,
            !shared.config.claims_only_at_userinfo,
        )
        .map_err(|error| {
            tracing::error!(error = %error, "test e-ID could not sign an id_token");
            TokenError::Unavailable
        })?;
    let expires_at = OffsetDateTime::now_utc() + TOKEN_LIFETIME;
    let access_token = shared
        .grants
        .issue_access_token(AccessGrant {
            person_idx: grant.person_idx,
            expires_at,
        })
        .map_err(|_| TokenError::Unavailable)?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.whole_seconds(),
        "id_token": id_token,
        "scope": format!("openid profile {NATURAL_PERSON_NUMBER_SCOPE}"),
    }))
}

/// Checks `client_secret_basic` or `client_secret_post` and returns the client id.
fn authenticate_client(
    shared: &Shared,
    headers: &HeaderMap,
    params: &TokenParams,
) -> Result<String, TokenError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "));
    let (client_id, secret) = match (basic, &params.client_id, &params.client_secret) {
        (Some(encoded), _, None) => basic_credentials(encoded).ok_or(TokenError::InvalidClient)?,
        (None, Some(client_id), Some(secret)) => (client_id.clone(), secret.clone()),
        _ => return Err(TokenError::InvalidClient),
    };
    let client = shared.client(&client_id).ok_or(TokenError::InvalidClient)?;
    let expected = secrecy::ExposeSecret::expose_secret(&client.client_secret).as_bytes();
    aws_lc_rs::constant_time::verify_slices_are_equal(secret.as_bytes(), expected)
        .map_err(|_| TokenError::InvalidClient)?;
    Ok(client_id)
}

/// `client_id:client_secret`, each form-urlencoded before base64 (RFC 6749 §2.3.1).
pub(super) fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (client_id, secret) = decoded.split_once(':')?;
    Some((form_decode(client_id), form_decode(secret)))
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(text.as_bytes())
        .next()
        .map(|(key, _)| key.into_owned())
        .unwrap_or_default()
}

/// RFC 7636 §4.6: `BASE64URL(SHA256(verifier)) == challenge`, and the verifier is 43–128
/// unreserved characters.
pub(super) fn is_pkce_match(verifier: &str, challenge: &str) -> bool {
    let is_unreserved = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
    if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
        return false;
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let computed = crate::base64url(digest.as_ref());
    aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes())
        .is_ok()
}

/// Checks client, redirect URI, response type, scope and PKCE of an authorisation request.
fn check_authorize(
    shared: &Shared,
    params: &AuthorizeParams,
) -> Result<AuthorizeRequest, pages::Problem> {
    let (client, redirect_uri) = checked_redirect(
        shared,
        params.client_id.as_deref(),
        params.redirect_uri.as_deref(),
    )
    .ok_or(pages::Problem::UnknownClient)?;
    if params.response_type.as_deref() != Some("code") {
        return Err(pages::Problem::BadRequest("response_type must be code"));
    }
    let has_openid = params
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == "openid");
    if !has_openid {
        return Err(pages::Problem::BadRequest("scope must include openid"));
    }
    if params.code_challenge_method.as_deref() != Some("S256") {
        return Err(pages::Problem::BadRequest(
            "PKCE with code_challenge_method S256 is required",
        ));
    }
    let is_too_long = |value: &Option<String>| value.as_deref().unwrap_or_default().len() > 512;
    if is_too_long(&params.state) || is_too_long(&params.nonce) {
        return Err(pages::Problem::BadRequest(
            "state and nonce must be at most 512 characters",
        ));
    }
    let code_challenge = params
        .code_challenge
        .clone()
        .filter(|challenge| challenge.len() == 43)
        .ok_or(pages::Problem::BadRequest(
            "code_challenge must be 43 characters",
        ))?;
    Ok(AuthorizeRequest {
        client_id: client.client_id.clone(),
        redirect_uri,
        state: params.state.clone(),
        nonce: params.nonce.clone(),
        code_challenge,
    })
}

/// 303 to the registered redirect URI with `pairs` and the request's `state`.
fn redirect_back(mut redirect_uri: Url, pairs: &[(&str, &str)], state: Option<String>) -> Response {
    {
        let mut query = redirect_uri.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = &state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(redirect_uri.as_str()).into_response()
}
