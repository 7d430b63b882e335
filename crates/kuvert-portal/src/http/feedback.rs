//! "Hittade du det du sökte?" (issue 13 §5): the plain form at the foot of every public page
//! and `POST /synpunkter`, which stores the answer with the day and the page only — no
//! cookie, no address, no time of day — and the comment masked ([`MaskedComment`]).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kuvert_core::calendar::stockholm_day;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::limits::{FEEDBACK_COMMENT_CHARS_MAX, PORTAL_PAGE_CHARS_MAX};
use kuvert_store::portal::network::Feedback;
use kuvert_web::i18n::Language;

use super::AppState;
use super::pages::Chrome;

tokio::task_local! {
    /// The route of the public page being rendered, set by the public pages' layer: the page
    /// the feedback form names. Unset (no form) on every other page.
    pub(crate) static FEEDBACK_PAGE: String;
}

/// The feedback form's texts and the page it names.
pub(crate) struct FeedbackForm {
    pub(crate) page: String,
    pub(crate) question: &'static str,
    pub(crate) yes: &'static str,
    pub(crate) no: &'static str,
    pub(crate) comment: &'static str,
    pub(crate) comment_hint: &'static str,
    pub(crate) send: &'static str,
    pub(crate) comment_chars_max: usize,
}

impl FeedbackForm {
    /// The form for the public page being rendered, or `None` outside one.
    pub(crate) fn current(language: Language) -> Option<Self> {
        let page = FEEDBACK_PAGE.try_with(Clone::clone).ok()?;
        Some(match language {
            Language::Swedish => Self {
                page,
                question: "Hittade du det du sökte?",
                yes: "Ja",
                no: "Nej",
                comment: "Kommentar (frivillig)",
                comment_hint: "Skriv inte personnummer eller e-postadress. Vi sparar inga \
                               uppgifter om dig.",
                send: "Skicka svaret",
                comment_chars_max: FEEDBACK_COMMENT_CHARS_MAX,
            },
            Language::English => Self {
                page,
                question: "Did you find what you were looking for?",
                yes: "Yes",
                no: "No",
                comment: "Comment (optional)",
                comment_hint: "Do not write a personal identity number or an e-mail address. \
                               We keep nothing about you.",
                send: "Send the answer",
                comment_chars_max: FEEDBACK_COMMENT_CHARS_MAX,
            },
        })
    }
}

/// The answer page.
#[derive(Template)]
#[template(path = "feedback_thanks.html")]
pub(crate) struct ThanksPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) text: &'static str,
    pub(crate) back_label: &'static str,
    pub(crate) back_href: String,
}

/// `POST /synpunkter`: `sida`, `svar` (`ja`/`nej`), `kommentar`, `lang`.
pub(super) async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let mut fields = std::collections::HashMap::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        fields
            .entry(name.into_owned())
            .or_insert(value.into_owned());
    }
    let field = |name: &str| fields.get(name).map_or("", |value| value.trim());
    let language = match field(kuvert_web::i18n::LANGUAGE_PARAMETER) {
        "en" => Language::English,
        _ => Language::Swedish,
    };
    let found = match field("svar") {
        "ja" => Some(true),
        "nej" => Some(false),
        _ => None,
    };
    let page = field("sida");
    let is_page = page.starts_with('/') && page.chars().count() <= PORTAL_PAGE_CHARS_MAX;
    let comment = MaskedComment::mask(field("kommentar"));
    let (Some(found), true, Ok(comment)) = (found, is_page, comment) else {
        return answer(language, page, false);
    };
    let feedback = Feedback {
        day: stockholm_day(time::OffsetDateTime::now_utc()),
        page: page.to_owned(),
        found,
        comment,
    };
    if let Err(error) = state.network.record_feedback(&feedback).await {
        tracing::error!(error = %kuvert_core::report::error_chain(&error), "feedback not stored");
        return super::internal_error(&error);
    }
    answer(language, page, true)
}

fn answer(language: Language, page: &str, is_stored: bool) -> Response {
    let back_href = if page.starts_with('/') && !page.contains('{') {
        page.to_owned()
    } else {
        "/".to_owned()
    };
    let (title, text, back_label) = match (language, is_stored) {
        (Language::Swedish, true) => (
            "Tack för ditt svar",
            "Vi använder svaren för att göra sidorna bättre.",
            "Tillbaka till sidan",
        ),
        (Language::Swedish, false) => (
            "Svaret kunde inte tas emot",
            "Välj Ja eller Nej. En kommentar får vara högst 1 000 tecken.",
            "Tillbaka till sidan",
        ),
        (Language::English, true) => (
            "Thank you for your answer",
            "We use the answers to make the pages better.",
            "Back to the page",
        ),
        (Language::English, false) => (
            "The answer could not be accepted",
            "Choose Yes or No. A comment may have at most 1,000 characters.",
            "Back to the page",
        ),
    };
    let page = ThanksPage {
        chrome: Chrome::new(language, &[]),
        title,
        text,
        back_label,
        back_href: format!("{back_href}{}", super::lang_suffix(language)),
    };
    let mut response = super::render(&page);
    if !is_stored {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response.into_response()
}
