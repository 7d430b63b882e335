//! The inbox's pages: askama templates in `templates/`, the layout every page shares, and the
//! mapping of what went wrong to an HTML page in TERMS.md words with the right status: a
//! [`Failure`] is a response, and the [`render_failures`] middleware draws its page in the
//! layout of the request (the logged-in holder's, or the anonymous one), so handlers simply
//! return `Result<_, Failure>`.

use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::report::error_chain;
use kuvert_web::csrf::CsrfError;
use kuvert_web::i18n::Language;
use kuvert_wire::fault::CallId;
use time::OffsetDateTime;

use super::session::LoggedIn;
use super::texts::{Texts, texts};

/// What the shared layout shows: language, texts, who is logged in, the logout form's token.
#[derive(Clone)]
pub(super) struct Layout {
    pub(super) lang: &'static str,
    pub(super) t: &'static Texts,
    /// The logged-in person's name (or masked number); `None` before login.
    pub(super) person_name: Option<String>,
    /// The CSRF token for forms; empty before login.
    pub(super) csrf: String,
}

impl Layout {
    /// The layout for a page nobody is logged in to.
    pub(super) fn anonymous(language: Language) -> Self {
        Self {
            lang: language.code(),
            t: texts(language),
            person_name: None,
            csrf: String::new(),
        }
    }

    /// The layout for `person`'s pages.
    pub(super) fn person(language: Language, person: &LoggedIn, csrf: String) -> Self {
        let name = if person.name.trim().is_empty() {
            masked(&person.person)
        } else {
            person.name.clone()
        };
        Self {
            lang: language.code(),
            t: texts(language),
            person_name: Some(name),
            csrf,
        }
    }
}

/// `YYYYMMDD-****`: a person without their whole number on screen.
pub(super) fn masked(number: &PersonalIdentityNumber) -> String {
    let digits = number.as_str();
    format!("{}-****", digits.get(..8).unwrap_or(digits))
}

/// The Swedish calendar day of `at` as `YYYY-MM-DD` (Europe/Stockholm).
pub(super) fn date(at: OffsetDateTime) -> String {
    let day = kuvert_core::calendar::stockholm_day(at);
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// `at` in Swedish time as `YYYY-MM-DD HH:MM` (Europe/Stockholm), as every page shows times.
pub(super) fn date_time(at: OffsetDateTime) -> String {
    crate::notification::schedule::swedish_time(at)
}

/// A page with a heading, a text and an optional link: errors and notices.
#[derive(Template)]
#[template(path = "message.html")]
pub(super) struct MessagePage {
    pub(super) layout: Layout,
    pub(super) heading: &'static str,
    pub(super) text: &'static str,
    pub(super) call_id: Option<String>,
    pub(super) link: Option<(&'static str, &'static str)>,
}

/// What went wrong for the person at a page. Handlers return `Result<_, Failure>`; as a
/// response it is the error page in TERMS.md words with the right status, drawn by
/// [`render_failures`] in the request's layout.
#[derive(Debug)]
pub(super) enum Failure {
    /// The page or letter does not exist, or is not theirs (never told apart).
    NotFound,
    /// A form with unusable fields.
    BadForm,
    /// A form without this session's CSRF token: not the person's own request.
    Forged(CsrfError),
    /// Something on our side; logged once here with the CallId shown to the person.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl Failure {
    pub(super) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl From<kuvert_store::StoreError> for Failure {
    fn from(error: kuvert_store::StoreError) -> Self {
        match error {
            kuvert_store::StoreError::NotFound { .. } => Self::NotFound,
            other => Self::internal(other),
        }
    }
}

impl From<kuvert_web::session::SessionError> for Failure {
    fn from(error: kuvert_web::session::SessionError) -> Self {
        Self::internal(error)
    }
}

impl IntoResponse for Failure {
    /// The status and, for [`render_failures`] to draw, which error page; an internal error
    /// is logged here, once, with the CallId the page shows.
    fn into_response(self) -> Response {
        let (status, page) = match self {
            Self::NotFound => (StatusCode::NOT_FOUND, FailedPage::NotFound),
            Self::BadForm => (StatusCode::BAD_REQUEST, FailedPage::Forbidden),
            Self::Forged(error) => (error.status(), FailedPage::Forbidden),
            Self::Internal(error) => {
                let call_id = CallId::new();
                tracing::error!(
                    call_id = call_id.as_str(),
                    error = %error_chain(error.as_ref()),
                    "web inbox request failed"
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    FailedPage::Internal(call_id),
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// Which error page a [`Failure`] response asks [`render_failures`] for (a response
/// extension, so `Clone`).
#[derive(Debug, Clone)]
enum FailedPage {
    NotFound,
    Forbidden,
    Internal(CallId),
}

/// The layout of the request's logged-in holder, recorded by the `Holder` extractor for the
/// error page (a request extension that [`render_failures`] puts in and reads back).
#[derive(Clone, Default)]
pub(super) struct HolderLayout(Arc<OnceLock<Layout>>);

impl HolderLayout {
    /// Records `layout` as the holder's; the first record of a request counts.
    pub(super) fn record(&self, layout: Layout) {
        // A second extraction of the same holder records the same layout.
        let _ = self.0.set(layout);
    }
}

/// The inbox's middleware that turns a [`Failure`] response into its error page: in the
/// logged-in holder's layout when the `Holder` extractor ran, else in the anonymous layout
/// of the request's language. Headers the handler set (cookies) are kept.
pub(super) async fn render_failures(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(language) = Language::from_request_parts(&mut parts, &()).await;
    let holder_layout = HolderLayout::default();
    parts.extensions.insert(holder_layout.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let Some(page) = response.extensions_mut().remove::<FailedPage>() else {
        return response;
    };
    let layout = holder_layout.0.get().cloned();
    let layout = layout.unwrap_or_else(|| Layout::anonymous(language));
    let (mut parts, _) = response.into_parts();
    let (page_parts, page_body) = error_page(parts.status, page, layout).into_parts();
    parts.status = page_parts.status;
    for (name, value) in &page_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, page_body)
}

/// The error page: `page`'s text, the CallId of an internal error, and a link back to the
/// inbox for a logged-in person.
fn error_page(status: StatusCode, page: FailedPage, layout: Layout) -> Response {
    let t = layout.t;
    let (text, call_id) = match page {
        FailedPage::NotFound => (t.not_found, None),
        FailedPage::Forbidden => (t.forbidden, None),
        FailedPage::Internal(call_id) => (t.internal, Some(call_id.as_str().to_owned())),
    };
    let page = MessagePage {
        heading: t.error_heading,
        text,
        call_id,
        link: layout
            .person_name
            .as_ref()
            .map(|_| ("/brevlada", t.back_to_inbox)),
        layout,
    };
    render(status, &page)
}

/// Renders `page` as HTML with `status`; a template failure is a 500 without details.
pub(super) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            // Pages show personal data: never keep them in a shared or back/forward cache.
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(error) => {
            tracing::error!(error = %error, "web inbox page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `303 See Other` to `location` (after a form post, or to start a flow).
pub(super) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// `/`: the three main messages and the login button.
#[derive(Template)]
#[template(path = "start.html")]
pub(super) struct StartPage {
    pub(super) layout: Layout,
}

/// `/brevlada`.
#[derive(Template)]
#[template(path = "inbox.html")]
pub(super) struct InboxPage {
    pub(super) layout: Layout,
    /// Which mailbox is shown, when the person represents companies (empty otherwise).
    pub(super) mailboxes: Vec<MailboxChoice>,
    /// The shown mailbox's name: the company's organisation number, or `None` for their own.
    pub(super) company: Option<String>,
    /// Whether the archive is shown (else the inbox).
    pub(super) is_archive: bool,
    /// Where the person's digital mailbox is now, when it moved or was deregistered.
    pub(super) notice: Option<String>,
    /// "1 oläst meddelande": the mailbox's unread letters, shown with the inbox only.
    pub(super) unread: Option<String>,
    /// Whether an empty list offers "Skaffa digital brevlåda" (the person has none).
    pub(super) offer_signup: bool,
    pub(super) rows: Vec<LetterRow>,
    pub(super) page_number: u32,
    pub(super) previous_href: Option<String>,
    pub(super) next_href: Option<String>,
}

/// One mailbox the person may open: their own (`value` "egen") or a represented company's.
pub(super) struct MailboxChoice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) is_current: bool,
}

/// One letter in the list.
pub(super) struct LetterRow {
    pub(super) href: String,
    pub(super) sender: String,
    pub(super) subject: String,
    pub(super) date: String,
    pub(super) is_read: bool,
    /// "2 bilagor"; `None` without attachments.
    pub(super) attachments: Option<String>,
}

/// `/brev/{id}`.
#[derive(Template)]
#[template(path = "letter.html")]
pub(super) struct LetterPage {
    pub(super) layout: Layout,
    pub(super) sender: String,
    pub(super) subject: String,
    pub(super) received: String,
    /// Who signed: the sender's name and organisation number from its certificate.
    pub(super) signed_by: String,
    /// Who sealed: the intermediary's name and organisation number from its certificate.
    pub(super) sealed_by: String,
    pub(super) support: SupportView,
    pub(super) body: LetterBody,
    pub(super) attachments: Vec<AttachmentView>,
    pub(super) unread_action: String,
    pub(super) archive_action: String,
    pub(super) is_archived: bool,
}

/// The body as shown: sanitised HTML (inserted as is) or text (escaped by askama).
pub(super) enum LetterBody {
    Html(String),
    Text(String),
}

/// The letter's support information (`Supportinfo`), as the sender gave it.
pub(super) struct SupportView {
    pub(super) text: String,
    pub(super) phone: Option<String>,
    /// An address for a `mailto:` link.
    pub(super) email: Option<String>,
    /// Only an `http`/`https` address; anything else is not shown as a link.
    pub(super) url: Option<String>,
}

/// One attachment in the read view.
pub(super) struct AttachmentView {
    pub(super) href: String,
    pub(super) filename: String,
    pub(super) size: String,
}
