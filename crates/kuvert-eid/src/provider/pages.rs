//! The test provider's HTML pages (askama templates in `templates/`), Swedish first.
//!
//! Pages work without JavaScript and contain no script or inline style: choices are radio
//! buttons in a plain form, and the page that posts a signature back to the service is a form
//! with a visible "Fortsätt" button. The stylesheet and the security headers (a CSP allowing
//! forms only to this provider and to its clients' registered return addresses) live here too.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::endpoints::AuthorizeParams;
use super::{RegisteredClient, Shared, TestPerson, masked_number};

/// The provider's CSP: nothing but its own stylesheet loads, no script at all, no framing.
/// Forms may go to the provider itself and to the origins of the clients' registered
/// redirect URIs: the signing result is posted there, and a login form's answer redirects
/// there (Chromium applies `form-action` to the redirects after a form submission too).
pub(super) fn content_security_policy(clients: &[RegisteredClient]) -> HeaderValue {
    let mut origins: Vec<String> = clients
        .iter()
        .flat_map(|client| client.redirect_uris.iter())
        .map(|uri| uri.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .collect();
    origins.sort();
    origins.dedup();
    let policy = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self' {}",
        origins.join(" ")
    );
    HeaderValue::from_str(policy.trim_end())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; form-action 'self'"))
}

/// Adds the CSP and the other security headers to every answer.
pub(super) async fn security_headers(
    State(shared): State<Arc<Shared>>,
    mut response: Response,
) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, shared.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// `/static/test-eid.css`: the pages' one stylesheet.
pub(super) async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../../static/test-eid.css"),
    )
        .into_response()
}

/// What went wrong, in words for the person at the page.
#[derive(Clone, Copy, Debug)]
pub(super) enum Problem {
    UnknownClient,
    BadRequest(&'static str),
    NoPersonChosen,
    NoSigner,
    TextMissing,
    Busy,
}

/// A problem in both languages, for the templates.
pub(super) struct ProblemText {
    swedish: String,
    english: String,
}

impl Problem {
    fn text(self) -> ProblemText {
        let (swedish, english) = match self {
            Self::UnknownClient => (
                "Tjänsten som skickade dig hit är okänd eller angav en okänd returadress."
                    .to_owned(),
                "The service that sent you here is unknown or gave an unknown return address."
                    .to_owned(),
            ),
            Self::BadRequest(why) => (
                format!("Begäran från tjänsten är felaktig: {why}."),
                format!("The service's request is invalid: {why}."),
            ),
            Self::NoPersonChosen => (
                "Välj en testperson först.".to_owned(),
                "Choose a test person first.".to_owned(),
            ),
            Self::NoSigner => (
                "Ingen testperson kan signera; testpersonerna saknar e-legitimation.".to_owned(),
                "No test person can sign; the test persons have no e-ID certificate.".to_owned(),
            ),
            Self::TextMissing => (
                "Texten att signera saknas eller är för lång.".to_owned(),
                "The text to sign is missing or too long.".to_owned(),
            ),
            Self::Busy => (
                "Test-e-legitimationen har för många pågående inloggningar. Försök igen."
                    .to_owned(),
                "The test e-ID has too many logins in progress. Try again.".to_owned(),
            ),
        };
        ProblemText { swedish, english }
    }
}

/// One radio button.
pub(super) struct PersonChoice {
    idx: usize,
    name: String,
    masked_number: String,
}

#[derive(Template)]
#[template(path = "authorize.html")]
struct AuthorizePage {
    action: String,
    hidden: Vec<(&'static str, String)>,
    persons: Vec<PersonChoice>,
    problem: Option<ProblemText>,
}

#[derive(Template)]
#[template(path = "sign.html")]
struct SignPage<'a> {
    action: String,
    text: &'a str,
    hidden: Vec<(&'static str, String)>,
    persons: Vec<PersonChoice>,
    problem: Option<ProblemText>,
}

#[derive(Template)]
#[template(path = "return.html")]
struct ReturnPage<'a> {
    heading: &'static str,
    heading_english: &'static str,
    action: &'a str,
    fields: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    problem: ProblemText,
}

/// The person picker of `/authorize`.
pub(super) fn authorize(shared: &Shared, params: &AuthorizeParams) -> Response {
    render(StatusCode::OK, &authorize_page(shared, params, None))
}

/// The person picker again, with a problem to fix.
pub(super) fn authorize_with_problem(
    shared: &Shared,
    params: &AuthorizeParams,
    problem: Problem,
) -> Response {
    render(
        StatusCode::BAD_REQUEST,
        &authorize_page(shared, params, Some(problem)),
    )
}

/// The signing page of `/sign`: the text and the persons who can sign.
pub(super) fn sign(
    shared: &Shared,
    text: &str,
    hidden: Vec<(&'static str, String)>,
    problem: Option<Problem>,
) -> Response {
    let persons = signing_persons(shared);
    if persons.is_empty() {
        return error(StatusCode::SERVICE_UNAVAILABLE, Problem::NoSigner);
    }
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = SignPage {
        action: shared.endpoint("/sign"),
        text,
        hidden,
        persons,
        problem: problem.map(Problem::text),
    };
    render(status, &page)
}

/// The page that posts the signature's `fields` back to the caller's registered `action`
/// URL.
pub(super) fn post_back_signed(action: &str, fields: Vec<(&'static str, String)>) -> Response {
    post_back(action, fields, ("Du har signerat", "You have signed"))
}

/// [`post_back_signed`] for a signing the person cancelled (`fields` carry the error).
pub(super) fn post_back_cancelled(action: &str, fields: Vec<(&'static str, String)>) -> Response {
    let headings = ("Signeringen avbröts", "The signing was cancelled");
    post_back(action, fields, headings)
}

fn post_back(
    action: &str,
    fields: Vec<(&'static str, String)>,
    (heading, heading_english): (&'static str, &'static str),
) -> Response {
    render(
        StatusCode::OK,
        &ReturnPage {
            heading,
            heading_english,
            action,
            fields,
        },
    )
}

/// An error page that does not send the person anywhere.
pub(super) fn error(status: StatusCode, problem: Problem) -> Response {
    render(
        status,
        &ErrorPage {
            problem: problem.text(),
        },
    )
}

fn authorize_page(
    shared: &Shared,
    params: &AuthorizeParams,
    problem: Option<Problem>,
) -> AuthorizePage {
    let fields = [
        ("response_type", &params.response_type),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("scope", &params.scope),
        ("state", &params.state),
        ("nonce", &params.nonce),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ];
    let hidden = fields
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|value| (name, value)))
        .collect();
    AuthorizePage {
        action: shared.endpoint("/authorize"),
        hidden,
        persons: login_persons(shared),
        problem: problem.map(Problem::text),
    }
}

/// The persons to log in as: every test person.
fn login_persons(shared: &Shared) -> Vec<PersonChoice> {
    person_choices(shared, |_| true)
}

/// The persons who can sign: those given a signing certificate.
fn signing_persons(shared: &Shared) -> Vec<PersonChoice> {
    person_choices(shared, |person| person.signing.is_some())
}

/// The configured persons `is_shown` keeps, numbered by their place in the whole list.
fn person_choices(shared: &Shared, is_shown: impl Fn(&TestPerson) -> bool) -> Vec<PersonChoice> {
    shared
        .config
        .persons
        .iter()
        .enumerate()
        .filter(|(_, person)| is_shown(person))
        .map(|(idx, person)| PersonChoice {
            idx,
            name: format!("{} {}", person.given_name, person.surname),
            masked_number: masked_number(&person.personal_identity_number),
        })
        .collect()
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "test e-ID page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
