//! A button for every sender's site (issue 13 §2): `/knapp?avsandare=ORGNR[&kampanj=CODE]`
//! shows a communicator the snippet to paste — a plain link and an image button, both plain
//! HTML with the image drawn inline (no script, no request to anyone, the link's accessible
//! name in the SVG's `aria-label` and `title`) — with a live preview of the very same HTML.
//! The snippet leads to `/knapp/skaffa`, the sender's landing under a route of its own, so
//! the visit counter counts visits through a button as their own source.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use kuvert_web::i18n::Language;

use super::AppState;
use super::pages::Chrome;
use crate::dashboard::svg::escape;
use crate::domain::deep_link::DeepLink;

/// The route a button leads to: the chooser, counted under this page.
pub(crate) const BUTTON_LANDING: &str = "/knapp/skaffa";

/// The snippet page.
#[derive(Template)]
#[template(path = "button.html")]
pub(crate) struct ButtonPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    pub(crate) sender_label: &'static str,
    pub(crate) campaign_label: &'static str,
    pub(crate) campaign_hint: &'static str,
    pub(crate) show: &'static str,
    pub(crate) preview_heading: &'static str,
    pub(crate) code_label: &'static str,
    pub(crate) code_hint: &'static str,
    pub(crate) sender_value: String,
    pub(crate) campaign_value: String,
    /// The snippet, when the query named a sender.
    pub(crate) snippet: Option<String>,
    pub(crate) lang: &'static str,
}

/// `/knapp`.
pub(super) async fn page(
    language: Language,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let deep_link = DeepLink::from_raw_query(query.as_deref());
    let name = deep_link.sender.as_ref().and_then(|sender| {
        state.registry.cached_senders().and_then(|senders| {
            senders
                .iter()
                .find(|known| &known.organisation_number == sender)
                .map(|known| known.name.clone())
        })
    });
    let snippet = deep_link.sender.as_ref().and_then(|_| {
        let landing = state.config.public_url.join(BUTTON_LANDING).ok()?;
        let target = deep_link.signup_url(&landing, language);
        Some(snippet(target.as_str(), name.as_deref(), language))
    });
    let (texts, lang) = match language {
        Language::Swedish => (&SWEDISH, ""),
        Language::English => (&ENGLISH, "en"),
    };
    super::render(&ButtonPage {
        chrome: Chrome::new(language, &deep_link.parameters(Language::Swedish)),
        title: texts[0],
        lead: texts[1],
        sender_label: texts[2],
        campaign_label: texts[3],
        campaign_hint: texts[4],
        show: texts[5],
        preview_heading: texts[6],
        code_label: texts[7],
        code_hint: texts[8],
        sender_value: deep_link
            .sender
            .as_ref()
            .map(|sender| sender.as_str().to_owned())
            .unwrap_or_default(),
        campaign_value: deep_link
            .campaign
            .as_ref()
            .map(|code| code.as_str().to_owned())
            .unwrap_or_default(),
        snippet,
        lang,
    })
}

const SWEDISH: [&str; 9] = [
    "Knapp och länk till er webbplats",
    "Klistra in koden på er egen webbplats, bredvid era e-tjänster. Länken och knappen leder \
     direkt till att skaffa digital brevlåda, med ert namn först. Koden behöver inget skript \
     och hämtar inget från någon annan.",
    "Organisationsnummer",
    "Kampanjkod (frivillig)",
    "Besök genom knappen räknas för kampanjen och som besök via knappen.",
    "Visa koden",
    "Så här ser det ut",
    "Kod att klistra in",
    "Markera allt i rutan och kopiera.",
];

const ENGLISH: [&str; 9] = [
    "Button and link for your website",
    "Paste the code on your own website, next to your e-services. The link and the button \
     lead straight to getting a digital mailbox, with your name first. The code needs no \
     script and loads nothing from anyone else.",
    "Organisation number",
    "Campaign code (optional)",
    "Visits through the button count for the campaign and as visits through the button.",
    "Show the code",
    "What it looks like",
    "Code to paste",
    "Select everything in the box and copy it.",
];

/// The HTML to paste: a plain link and an image button to `target`.
fn snippet(target: &str, sender_name: Option<&str>, language: Language) -> String {
    let (label, link_text) = match (language, sender_name) {
        (Language::Swedish, Some(name)) => (
            "Skaffa digital brevlåda",
            format!("Skaffa digital brevlåda och få post från {name} digitalt"),
        ),
        (Language::Swedish, None) => (
            "Skaffa digital brevlåda",
            "Skaffa digital brevlåda".to_owned(),
        ),
        (Language::English, Some(name)) => (
            "Get a digital mailbox",
            format!("Get a digital mailbox and receive mail from {name} digitally"),
        ),
        (Language::English, None) => ("Get a digital mailbox", "Get a digital mailbox".to_owned()),
    };
    let href = escape(target);
    let link_text = escape(&link_text);
    format!(
        "<p><a href=\"{href}\">{link_text}</a></p>\n\
         <p><a href=\"{href}\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"280\" \
         height=\"48\" viewBox=\"0 0 280 48\" role=\"img\" aria-label=\"{label}\">\
         <title>{label}</title><rect width=\"280\" height=\"48\" rx=\"6\" fill=\"#0b4f8a\"/>\
         <text x=\"140\" y=\"30\" fill=\"#ffffff\" font-family=\"Arial, sans-serif\" \
         font-size=\"18\" text-anchor=\"middle\">{label}</text></svg></a></p>"
    )
}
