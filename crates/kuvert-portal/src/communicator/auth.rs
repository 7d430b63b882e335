//! Logging communicators in and out with e-ID: `/kommunikator/logga-in` starts an OIDC
//! login (code + PKCE + nonce, kept in the sealed pre-login cookie: no session before login),
//! `/kommunikator/inloggad` is the provider's callback, `/kommunikator/logga-ut` ends the
//! session. [`Signed`] is the extractor of every communicator page: a live session *and* a
//! communicator role in the store, read on every request.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use kuvert_core::id::OrganisationNumber;
use kuvert_eid::{AuthorizationResponse, LoginFailure};
use kuvert_store::portal::Communicator;
use kuvert_web::csrf::CSRF_FIELD;
use kuvert_web::i18n::Language;
use kuvert_web::session::{SessionId, append_set_cookie};

use super::CommunicatorState;
use super::pages::{MessageKind, message_page};
use super::session::{PreLogin, Session};

/// A logged-in person with the communicator role.
pub(super) struct Signed {
    pub(super) session_id: SessionId,
    pub(super) communicator: Communicator,
    pub(super) language: Language,
    /// The CSRF token for this session's forms.
    pub(super) csrf: String,
}

impl FromRequestParts<CommunicatorState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CommunicatorState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(language) = Language::from_request_parts(parts, state).await;
        let shared = &state.shared;
        let sessions = &shared.sessions;
        let person = sessions.session_id(&parts.headers).and_then(|id| {
            let Session::LoggedIn(person) = sessions.get(&id)?;
            Some((id, person))
        });
        let Some((session_id, person)) = person else {
            return Err(message_page(language, MessageKind::LogIn, StatusCode::OK));
        };
        match shared.store.communicator(&person).await {
            Ok(Some(communicator)) => Ok(Self {
                csrf: sessions.csrf_token(&session_id).as_str().to_owned(),
                session_id,
                communicator,
                language,
            }),
            Ok(None) => Err(message_page(
                language,
                MessageKind::NoRole,
                StatusCode::FORBIDDEN,
            )),
            Err(error) => {
                let chain = kuvert_core::report::error_chain(&error);
                tracing::error!(error = %chain, "communicator role unreadable");
                Err(message_page(
                    language,
                    MessageKind::Unavailable,
                    StatusCode::SERVICE_UNAVAILABLE,
                ))
            }
        }
    }
}

impl Signed {
    /// Whether this communicator was given `sender` (the brand, A/B test and news pages act
    /// only for such senders; an admin's wider reach is decided by the page that allows it).
    pub(super) fn speaks_for(&self, sender: &OrganisationNumber) -> bool {
        self.communicator.senders.contains(sender)
    }

    /// The form's sender (`avsandare`) when `may_act_for` allows it.
    pub(super) fn sender_field(
        fields: &super::form::FormFields,
        may_act_for: impl Fn(&OrganisationNumber) -> bool,
    ) -> Option<OrganisationNumber> {
        OrganisationNumber::parse(fields.value("avsandare"))
            .ok()
            .filter(|sender| may_act_for(sender))
    }

    /// The page for a form whose CSRF token is not this session's, with the status every
    /// role answers a refused form with; `None` for a genuine form.
    pub(super) fn refused_form(
        &self,
        state: &CommunicatorState,
        submitted: &str,
    ) -> Option<Response> {
        let checked = state
            .shared
            .sessions
            .check_csrf(&self.session_id, Some(submitted));
        let error = checked.err()?;
        Some(message_page(
            self.language,
            MessageKind::BadForm,
            error.status(),
        ))
    }
}

/// A logged-in communicator's posted form, its CSRF token checked: the extractor of every
/// communicator form handler (so none can forget the check).
pub(super) struct Posted {
    pub(super) signed: Signed,
    pub(super) fields: super::form::FormFields,
}

impl axum::extract::FromRequest<CommunicatorState> for Posted {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &CommunicatorState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = super::form::FormFields::parse(&body);
        match signed.refused_form(state, fields.value(CSRF_FIELD)) {
            Some(refused) => Err(refused),
            None => Ok(Self { signed, fields }),
        }
    }
}

/// `/kommunikator/logga-in`: the pending login in its sealed cookie, then the provider.
pub(super) async fn login(State(state): State<CommunicatorState>, language: Language) -> Response {
    let start = match state.shared.oidc.start_login().await {
        Ok(start) => start,
        Err(error) => return login_failure(language, LoginFailure::Unavailable(error)),
    };
    let prelogin = PreLogin {
        pending: start.state,
        language: language.code().to_owned(),
    };
    let cookie = match state.shared.prelogin.set_cookie(&prelogin) {
        Ok(cookie) => cookie,
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::error!(error = %chain, "pre-login cookie");
            return message_page(
                language,
                MessageKind::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let mut response = Redirect::to(start.authorize_url.as_str()).into_response();
    append_set_cookie(&mut response, cookie);
    response
}

/// `/kommunikator/inloggad`: the provider's redirect back. Success ends any earlier session
/// of this browser and makes a new one (new id) for the person, whose role is checked on
/// each page, clears the pre-login cookie and shows the overview in the language the login
/// was started in.
pub(super) async fn callback(
    State(state): State<CommunicatorState>,
    language: Language,
    parts: Parts,
    Query(response): Query<AuthorizationResponse>,
) -> Response {
    let shared = &state.shared;
    let prelogin: Option<PreLogin> = shared.prelogin.read(&parts.headers);
    let (pending, language) = match prelogin {
        Some(prelogin) => {
            let started_in = Language::from_code(&prelogin.language).unwrap_or(language);
            (Some(prelogin.pending), started_in)
        }
        None => (None, language),
    };
    let person = match shared.oidc.finish_login(pending, response).await {
        Ok(person) => person,
        Err(failure) => {
            // A login is tried once.
            let mut page = login_failure(language, failure);
            append_set_cookie(&mut page, shared.prelogin.clear_cookie());
            return page;
        }
    };
    if let Some(old_id) = shared.sessions.session_id(&parts.headers) {
        shared.sessions.remove(&old_id);
    }
    let session_id = shared
        .sessions
        .create(Session::LoggedIn(person.personal_identity_number));
    let mut response =
        Redirect::to(&format!("/kommunikator{}", lang_query(language))).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    append_set_cookie(&mut response, shared.sessions.set_cookie(&session_id));
    append_set_cookie(&mut response, shared.prelogin.clear_cookie());
    response
}

/// `/kommunikator/logga-ut` (POST with the CSRF token): ends the session, clears the cookie.
pub(super) async fn logout(
    State(state): State<CommunicatorState>,
    Posted { signed, .. }: Posted,
) -> Response {
    let sessions = &state.shared.sessions;
    sessions.remove(&signed.session_id);
    let mut response = Redirect::to("/").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    append_set_cookie(&mut response, sessions.clear_cookie());
    response
}

/// `""` or `"?lang=en"`.
pub(super) fn lang_query(language: Language) -> &'static str {
    match language {
        Language::Swedish => "",
        Language::English => "?lang=en",
    }
}

/// The page for a login that did not finish, in the portal's words.
fn login_failure(language: Language, failure: LoginFailure) -> Response {
    let (kind, status) = match failure {
        LoginFailure::Expired => (MessageKind::LoginExpired, StatusCode::UNAUTHORIZED),
        LoginFailure::Unavailable(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "e-ID provider unavailable");
            (MessageKind::Unavailable, StatusCode::SERVICE_UNAVAILABLE)
        }
        LoginFailure::Cancelled => (MessageKind::LoginCancelled, StatusCode::UNAUTHORIZED),
        LoginFailure::Failed(_) => (MessageKind::LoginFailed, StatusCode::UNAUTHORIZED),
    };
    message_page(language, kind, status)
}
