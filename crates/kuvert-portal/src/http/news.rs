//! Published texts (issue 13 §3): `/nyheter`, the news the editor published from the
//! communicators' submissions, newest first, rendered from Markdown and sanitised; published
//! FAQ entries under the portal's own questions on `/fragor` ([`faq_entries`]); a published
//! page at `/sidor/{id}`; and
//! `/nyheter.atom`, the same news as an Atom feed (RFC 4287; XML escaped by the one
//! `dashboard::svg::escape`, whose `&#39;` XML reads too).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kuvert_core::limits::{FAQ_SHOWN_MAX, NEWS_SHOWN_MAX};
use kuvert_store::portal::editorial::{Kind, Status, Submission};
use kuvert_web::i18n::Language;
use time::format_description::well_known::Rfc3339;

use super::AppState;
use super::pages::Chrome;
use crate::dashboard::svg::escape;
use crate::domain::markdown::render as render_markdown;

/// One published news item.
pub(crate) struct NewsItem {
    pub(crate) id: String,
    pub(crate) title: String,
    /// The Swedish calendar day it was published, `YYYY-MM-DD`.
    pub(crate) day: String,
    /// Sanitised HTML.
    pub(crate) html: String,
}

/// `/nyheter`.
#[derive(Template)]
#[template(path = "news.html")]
pub(crate) struct NewsPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    pub(crate) feed: &'static str,
    pub(crate) none: &'static str,
    pub(crate) items: Vec<NewsItem>,
}

fn item(submission: &Submission) -> Option<NewsItem> {
    let version = submission.latest()?;
    let published = submission.published_at.unwrap_or(version.at);
    Some(NewsItem {
        id: submission.id.clone(),
        title: version.text.title.clone(),
        day: kuvert_core::calendar::stockholm_day(published).to_string(),
        html: render_markdown(&version.text.body),
    })
}

/// `/nyheter`.
pub(crate) async fn page(language: Language, State(state): State<AppState>) -> Response {
    let published = match state.editorial.published(Kind::News, NEWS_SHOWN_MAX).await {
        Ok(published) => published,
        Err(error) => return unavailable(&error),
    };
    let (title, lead, feed, none) = match language {
        Language::Swedish => (
            "Nyheter",
            "Nyheter om digital brevlåda från avsändarna och redaktionen.",
            "Nyheterna som Atom-flöde",
            "Inga nyheter ännu.",
        ),
        Language::English => (
            "News",
            "News about the digital mailbox from the senders and the editors.",
            "The news as an Atom feed",
            "No news yet.",
        ),
    };
    super::render(&NewsPage {
        chrome: Chrome::new(language, &[]),
        title,
        lead,
        feed,
        none,
        items: published.iter().filter_map(item).collect(),
    })
}

/// The published FAQ entries (question as title, answer as HTML), newest first; none when
/// the store cannot be read (the portal's own questions still show).
pub(crate) async fn faq_entries(state: &AppState) -> Vec<NewsItem> {
    match state.editorial.published(Kind::Faq, FAQ_SHOWN_MAX).await {
        Ok(published) => published.iter().filter_map(item).collect(),
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "published questions unavailable");
            Vec::new()
        }
    }
}

/// A published page, `/sidor/{id}`.
#[derive(Template)]
#[template(path = "published_page.html")]
pub(crate) struct PublishedPage {
    pub(crate) chrome: Chrome,
    pub(crate) item: NewsItem,
}

/// `/sidor/{id}`: a page the editor published; 404 for anything else.
pub(crate) async fn published_page(
    language: Language,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let submission = match state.editorial.submission(&id).await {
        Ok(submission) => submission,
        Err(error) => return unavailable(&error),
    };
    let published = submission.filter(|submission| {
        submission.kind == Kind::Page && submission.status == Status::Published
    });
    match published.as_ref().and_then(item) {
        Some(item) => super::render(&PublishedPage {
            chrome: Chrome::new(language, &[]),
            item,
        }),
        None => super::not_found(language),
    }
}

/// `/nyheter.atom`.
pub(crate) async fn feed(State(state): State<AppState>) -> Response {
    let published = match state.editorial.published(Kind::News, NEWS_SHOWN_MAX).await {
        Ok(published) => published,
        Err(error) => return unavailable(&error),
    };
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let updated = published
        .iter()
        .filter_map(|submission| submission.published_at)
        .max()
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"sv\">\n");
    push_element(&mut xml, "title", "Nyheter – digital brevlåda");
    push_element(&mut xml, "id", &format!("{base}/nyheter"));
    push_element(&mut xml, "updated", &rfc3339(updated));
    xml.push_str(&format!(
        "<link rel=\"self\" href=\"{}\"/>\n<link href=\"{}\"/>\n",
        escape(&format!("{base}/nyheter.atom")),
        escape(&format!("{base}/nyheter"))
    ));
    for submission in &published {
        let (Some(version), Some(news)) = (submission.latest(), item(submission)) else {
            continue;
        };
        let link = format!("{base}/nyheter#nyhet-{}", submission.id);
        xml.push_str("<entry>\n");
        push_element(&mut xml, "title", &version.text.title);
        push_element(&mut xml, "id", &format!("urn:uuid:{}", submission.id));
        let published_at = submission.published_at.unwrap_or(version.at);
        push_element(&mut xml, "updated", &rfc3339(published_at));
        xml.push_str(&format!("<link href=\"{}\"/>\n", escape(&link)));
        xml.push_str("<author><name>Mina meddelanden</name></author>\n");
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            escape(&news.html)
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

fn push_element(xml: &mut String, name: &str, text: &str) {
    xml.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn unavailable(error: &kuvert_store::StoreError) -> Response {
    let chain = kuvert_core::report::error_chain(error);
    tracing::warn!(error = %chain, "news unavailable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "Tillfälligt otillgängligt / Temporarily unavailable",
    )
        .into_response()
}
