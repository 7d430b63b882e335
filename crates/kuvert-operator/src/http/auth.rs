//! Logging in and out with e-ID: `/logga-in` starts an OIDC login (code + PKCE + nonce, kept
//! in the sealed pre-login cookie: no session exists before login), `/inloggad` is the
//! provider's callback and makes the session, `/logga-ut` ends it. [`Holder`] is the
//! extractor every logged-in page uses.

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_eid::{AuthorizationResponse, LoginFailure};
use kuvert_web::i18n::Language;
use kuvert_web::session::{SessionId, append_set_cookie};
use serde::Deserialize;

use super::InboxState;
use super::pages::{Failure, HolderLayout, Layout, MessagePage, render, see_other};
use super::session::{LoggedIn, PreLogin, Session};

/// The logged-in mailbox holder of a request; pages without one redirect to the start page.
/// Extracting it records the holder's layout for the error page of a `Failure`
/// (`pages::render_failures`).
pub(super) struct Holder {
    pub(super) session_id: SessionId,
    pub(super) person: LoggedIn,
    /// The company whose mailbox the person acts for, as a representative; `None` for
    /// their own mailbox.
    pub(super) company: Option<OrganisationNumber>,
    pub(super) language: Language,
    csrf: String,
}

impl FromRequestParts<InboxState> for Holder {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &InboxState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(language) = Language::from_request_parts(parts, state).await;
        let sessions = &state.shared.sessions;
        let session_id = sessions
            .session_id(&parts.headers)
            .ok_or_else(|| see_other("/"))?;
        let session = sessions.get(&session_id).await;
        let session = session.map_err(|error| Failure::from(error).into_response())?;
        let session = session.ok_or_else(|| see_other("/"))?;
        let person = session.person.ok_or_else(|| see_other("/"))?;
        let csrf = sessions.csrf_token(&session_id).as_str().to_owned();
        let mut holder = Self {
            session_id,
            person,
            company: None,
            language,
            csrf,
        };
        if let Some(recorded) = parts.extensions.get::<HolderLayout>() {
            recorded.record(holder.layout());
        }
        if let Some(company) = session.company {
            // Checked on every request, so a withdrawn representation ends access at once.
            let companies = state
                .shared
                .store
                .represented_companies(&holder.person.person);
            match companies.await {
                Ok(companies) if companies.contains(&company) => holder.company = Some(company),
                Ok(_) => {
                    let sessions = &state.shared.sessions;
                    let forget = sessions.update(&holder.session_id, |session| {
                        session.company = None;
                    });
                    forget
                        .await
                        .map_err(|error| Failure::from(error).into_response())?;
                }
                Err(error) => return Err(Failure::from(error).into_response()),
            }
        }
        Ok(holder)
    }
}

impl Holder {
    /// The page layout for this person.
    pub(super) fn layout(&self) -> Layout {
        Layout::person(self.language, &self.person, self.csrf.clone())
    }

    /// The mailbox this request acts on: the person's own, or the company's they represent
    /// (checked in the extractor). Letter routes read no other.
    pub(super) fn mailbox(&self) -> RecipientId {
        match &self.company {
            Some(company) => RecipientId::Organisation(company.clone()),
            None => RecipientId::Person(self.person.person.clone()),
        }
    }

    /// Checks a submitted form's CSRF token against this session.
    pub(super) fn check_csrf(&self, state: &InboxState, submitted: &str) -> Result<(), Failure> {
        state
            .shared
            .sessions
            .check_csrf(&self.session_id, Some(submitted))
            .map_err(Failure::Forged)
    }
}

/// A form that carries only the CSRF token (`kuvert_web::csrf::CSRF_FIELD`).
#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// The logged-in holder of a form post that carries nothing but this session's CSRF token
/// (logout, export, mark unread, the sign buttons), checked before the handler runs.
pub(super) struct CheckedHolder(pub(super) Holder);

impl FromRequest<InboxState> for CheckedHolder {
    type Rejection = Response;

    async fn from_request(request: Request, state: &InboxState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let holder = Holder::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let Form(form) = Form::<CsrfForm>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        holder
            .check_csrf(state, &form.csrf_token)
            .map_err(IntoResponse::into_response)?;
        Ok(Self(holder))
    }
}

/// `/`: the three main messages and the login button; a logged-in person goes to the inbox.
pub(super) async fn start_page(holder: Result<Holder, Response>, language: Language) -> Response {
    if holder.is_ok() {
        return see_other("/brevlada");
    }
    let page = super::pages::StartPage {
        layout: Layout::anonymous(language),
    };
    render(StatusCode::OK, &page)
}

/// `/logga-in`: the pending login, with the deep link this browser brought to "skaffa
/// digital brevlåda" (from its pre-login cookie, or its earlier session, which ends), sealed
/// in the pre-login cookie; then off to the provider. No session is made.
pub(super) async fn login(
    State(state): State<InboxState>,
    parts: Parts,
) -> Result<Response, Failure> {
    let start = state
        .shared
        .oidc
        .start_login()
        .await
        .map_err(Failure::internal)?;
    let shared = &state.shared;
    let earlier: Option<PreLogin> = shared.prelogin.read(&parts.headers);
    let old_session = match shared.sessions.session_id(&parts.headers) {
        Some(id) => shared.sessions.remove(&id).await?,
        None => None,
    };
    let signup_source = earlier
        .and_then(|earlier| earlier.signup_source())
        .or_else(|| old_session.and_then(|session| session.signup_source));
    let prelogin = PreLogin::new(Some(start.state), signup_source.as_ref());
    let cookie = shared
        .prelogin
        .set_cookie(&prelogin)
        .map_err(Failure::internal)?;
    let mut response = see_other(start.authorize_url.as_str());
    append_set_cookie(&mut response, cookie);
    Ok(response)
}

/// `/inloggad`: the provider's redirect back. Success ends any earlier session of this
/// browser, makes a new one (new id) for the person and clears the pre-login cookie; failure
/// says what happened and drops the pending login from the cookie (each is tried once).
pub(super) async fn callback(
    State(state): State<InboxState>,
    language: Language,
    parts: Parts,
    Query(response): Query<AuthorizationResponse>,
) -> Response {
    let shared = &state.shared;
    let layout = Layout::anonymous(language);
    let prelogin: PreLogin = shared.prelogin.read(&parts.headers).unwrap_or_default();
    let signup_source = prelogin.signup_source();
    let person = match shared
        .oidc
        .finish_login(prelogin.pending_login, response)
        .await
    {
        Ok(person) => person,
        Err(failure) => {
            let page = login_failure(layout, failure);
            return forget_pending_login(shared, page, signup_source.as_ref());
        }
    };
    if let Some(old_id) = shared.sessions.session_id(&parts.headers)
        && let Err(error) = shared.sessions.remove(&old_id).await
    {
        return Failure::from(error).into_response();
    }
    let next = match super::signup::has_profile_here(shared, &person.personal_identity_number).await
    {
        Ok(false) => "/skaffa",
        Ok(true) => "/brevlada",
        Err(error) => {
            // The letters already here stay readable while the registry cannot answer.
            tracing::warn!(error = %error, "registry could not say whether a profile exists");
            "/brevlada"
        }
    };
    let session = Session {
        person: Some(LoggedIn {
            person: person.personal_identity_number,
            name: person.name,
        }),
        signup_source,
        ..Session::default()
    };
    let session_id = match shared.sessions.create(session).await {
        Ok(session_id) => session_id,
        Err(error) => return Failure::from(error).into_response(),
    };
    let mut response = see_other(next);
    append_set_cookie(&mut response, shared.sessions.set_cookie(&session_id));
    append_set_cookie(&mut response, shared.prelogin.clear_cookie());
    response
}

/// `/logga-ut` (POST with CSRF token): ends the session and clears the cookie.
pub(super) async fn logout(
    State(state): State<InboxState>,
    CheckedHolder(holder): CheckedHolder,
) -> Result<Response, Failure> {
    let sessions = &state.shared.sessions;
    sessions.remove(&holder.session_id).await?;
    let mut response = see_other("/");
    append_set_cookie(&mut response, sessions.clear_cookie());
    Ok(response)
}

/// `page` with the pre-login cookie keeping only the deep link (`source`), or cleared.
fn forget_pending_login(
    shared: &super::Shared,
    mut page: Response,
    source: Option<&crate::registry_client::account::RegistrationSource>,
) -> Response {
    let kept = source.and_then(|source| {
        let prelogin = PreLogin::new(None, Some(source));
        shared.prelogin.set_cookie(&prelogin).ok()
    });
    let cookie = kept.unwrap_or_else(|| shared.prelogin.clear_cookie());
    append_set_cookie(&mut page, cookie);
    page
}

/// The page for a login that did not finish, in the inbox's words.
fn login_failure(layout: Layout, failure: LoginFailure) -> Response {
    let t = layout.t;
    match failure {
        LoginFailure::Expired => login_problem(layout, t.login_expired),
        LoginFailure::Unavailable(error) => Failure::internal(error).into_response(),
        LoginFailure::Cancelled => login_problem(layout, t.login_cancelled),
        LoginFailure::Failed(_) => login_problem(layout, t.login_failed),
    }
}

/// The page after a login that did not finish, with a way to try again.
fn login_problem(layout: Layout, text: &'static str) -> Response {
    let t = layout.t;
    let page = MessagePage {
        heading: t.error_heading,
        text,
        call_id: None,
        link: Some(("/logga-in", t.try_again)),
        layout,
    };
    render(StatusCode::UNAUTHORIZED, &page)
}
