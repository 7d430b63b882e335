//! A campaign's survey (issue 13 §5): the network's standard campaign questions on
//! `/enkat?kampanj=CODE`, linked from the campaign's landing (`/skaffa?kampanj=CODE`), and
//! `POST /enkat/svar`, which stores the answers like the page feedback (`http::feedback`):
//! no cookie, no address, no time of day, only the day, the campaign and the answers, free
//! text masked first ([`MaskedComment`], the feedback's masking). Like the feedback form it
//! carries no CSRF token: there is no session or cookie a forged post could ride on, and
//! anyone may answer anyway.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::limits::SURVEY_ANSWER_CHARS_MAX;
use kuvert_store::StoreError;
use kuvert_store::portal::network::{QuestionKind, SurveyAnswer, SurveyQuestion, SurveyResponse};
use kuvert_web::i18n::Language;

use super::AppState;
use super::feedback::ThanksPage;
use super::pages::Chrome;
use crate::domain::deep_link::{CAMPAIGN_PARAMETER, DeepLink};

/// The survey page's route.
pub(super) const SURVEY_PAGE: &str = "/enkat";
/// Where its form posts.
pub(super) const SURVEY_ANSWERS: &str = "/enkat/svar";

/// The link on a campaign's landing, when the link names a campaign the portal knows and
/// the network has questions; `None` otherwise and when the store cannot say.
pub(super) async fn landing_link(
    state: &AppState,
    deep_link: &DeepLink,
    language: Language,
) -> Option<(String, &'static str)> {
    let campaign = deep_link.campaign.as_ref()?;
    let is_open = async {
        let is_known = state.visits.store().campaign(campaign).await?.is_some();
        Ok::<_, StoreError>(is_known && !state.network.survey_questions().await?.is_empty())
    };
    if !is_open.await.unwrap_or_else(|error| logged(&error)) {
        return None;
    }
    let code = campaign.as_str();
    Some(match language {
        Language::Swedish => (
            format!("{SURVEY_PAGE}?{CAMPAIGN_PARAMETER}={code}"),
            "Har du en minut? Svara på några frågor om kampanjen",
        ),
        Language::English => (
            format!("{SURVEY_PAGE}?{CAMPAIGN_PARAMETER}={code}&lang=en"),
            "Have a minute? Answer a few questions about the campaign",
        ),
    })
}

/// `GET /enkat?kampanj=CODE`: the questions, or the not-found page for a campaign the
/// portal does not know or while there are no questions.
pub(super) async fn page(
    language: Language,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let campaign = DeepLink::from_raw_query(query.as_deref()).campaign;
    match open_survey(&state, campaign.as_ref()).await {
        Ok(Some((campaign, questions))) => {
            super::render(&SurveyPage::new(language, &campaign, &questions))
        }
        Ok(None) => super::not_found(language),
        Err(error) => super::internal_error(&error),
    }
}

/// `POST /enkat/svar`: `kampanj`, `lang` and `fraga-{id}` per answered question (`ja`/`nej`
/// or the free text).
pub(super) async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let mut fields: HashMap<String, String> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        fields
            .entry(name.into_owned())
            .or_insert(value.trim().to_owned());
    }
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    let language = match field(kuvert_web::i18n::LANGUAGE_PARAMETER) {
        "en" => Language::English,
        _ => Language::Swedish,
    };
    let campaign = CampaignCode::parse(field(CAMPAIGN_PARAMETER)).ok();
    let (campaign, questions) = match open_survey(&state, campaign.as_ref()).await {
        Ok(Some(open)) => open,
        Ok(None) => return super::not_found(language),
        Err(error) => return super::internal_error(&error),
    };
    let answers = answers_from(&questions, |id| field(&format!("fraga-{id}")));
    let Some(answers) = answers.filter(|answers| !answers.is_empty()) else {
        return answer(language, &campaign, false);
    };
    let response = SurveyResponse {
        day: stockholm_day(time::OffsetDateTime::now_utc()),
        campaign: campaign.clone(),
        answers,
    };
    match state.network.record_survey_response(&response).await {
        Ok(()) => answer(language, &campaign, true),
        // A question removed while the visitor answered: asked to answer again.
        Err(StoreError::NotFound { .. } | StoreError::OutOfBounds { .. }) => {
            answer(language, &campaign, false)
        }
        Err(error) => super::internal_error(&error),
    }
}

/// The campaign and the questions, when the portal knows the campaign and has questions.
async fn open_survey(
    state: &AppState,
    campaign: Option<&CampaignCode>,
) -> Result<Option<(CampaignCode, Vec<SurveyQuestion>)>, StoreError> {
    let Some(campaign) = campaign else {
        return Ok(None);
    };
    if state.visits.store().campaign(campaign).await?.is_none() {
        return Ok(None);
    }
    let questions = state.network.survey_questions().await?;
    Ok((!questions.is_empty()).then(|| (campaign.clone(), questions)))
}

/// The answers given, unanswered questions left out; `None` when one is not an answer (a
/// yes/no answer other than `ja`/`nej`, a text beyond [`SURVEY_ANSWER_CHARS_MAX`]).
fn answers_from<'a>(
    questions: &[SurveyQuestion],
    value_of: impl Fn(&str) -> &'a str,
) -> Option<Vec<(String, SurveyAnswer)>> {
    let mut answers = Vec::new();
    for question in questions {
        let value = value_of(&question.id);
        let answer = match (question.text.kind, value) {
            (_, "") => continue,
            (QuestionKind::YesNo, "ja") => SurveyAnswer::YesNo(true),
            (QuestionKind::YesNo, "nej") => SurveyAnswer::YesNo(false),
            (QuestionKind::YesNo, _) => return None,
            (QuestionKind::Text, text) => {
                if text.chars().count() > SURVEY_ANSWER_CHARS_MAX {
                    return None;
                }
                SurveyAnswer::Text(MaskedComment::mask(text).ok()?)
            }
        };
        answers.push((question.id.clone(), answer));
    }
    Some(answers)
}

fn answer(language: Language, campaign: &CampaignCode, is_stored: bool) -> Response {
    let (title, text, back_label) = match (language, is_stored) {
        (Language::Swedish, true) => (
            "Tack för dina svar",
            "Svaren hjälper avsändarna att göra sin information bättre.",
            "Tillbaka till kampanjens sida",
        ),
        (Language::Swedish, false) => (
            "Svaren kunde inte tas emot",
            "Svara på minst en fråga. Ett fritextsvar får vara högst 500 tecken.",
            "Tillbaka till frågorna",
        ),
        (Language::English, true) => (
            "Thank you for your answers",
            "The answers help the senders make their information better.",
            "Back to the campaign's page",
        ),
        (Language::English, false) => (
            "The answers could not be accepted",
            "Answer at least one question. A free-text answer may have at most 500 characters.",
            "Back to the questions",
        ),
    };
    let page = if is_stored { "/skaffa" } else { SURVEY_PAGE };
    let lang = match language {
        Language::Swedish => "",
        Language::English => "&lang=en",
    };
    let code = campaign.as_str();
    let thanks = ThanksPage {
        chrome: Chrome::new(language, &[]),
        title,
        text,
        back_label,
        back_href: format!("{page}?{CAMPAIGN_PARAMETER}={code}{lang}"),
    };
    let mut response = super::render(&thanks);
    if !is_stored {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn logged(error: &StoreError) -> bool {
    tracing::error!(
        error = %kuvert_core::report::error_chain(error),
        "the campaign survey's store failed"
    );
    false
}

/// One question on the survey page.
struct QuestionView {
    /// The field's name, `fraga-{id}`.
    name: String,
    text: String,
    is_yes_no: bool,
}

/// `/enkat?kampanj=CODE`.
#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    chrome: Chrome,
    title: &'static str,
    lead: &'static str,
    hint: &'static str,
    yes: &'static str,
    no: &'static str,
    send: &'static str,
    campaign: String,
    answer_chars_max: usize,
    questions: Vec<QuestionView>,
}

impl SurveyPage {
    fn new(language: Language, campaign: &CampaignCode, questions: &[SurveyQuestion]) -> Self {
        let parameters = [(CAMPAIGN_PARAMETER, campaign.as_str().to_owned())];
        let questions = questions
            .iter()
            .map(|question| QuestionView {
                name: format!("fraga-{}", question.id),
                text: match language {
                    Language::Swedish => question.text.sv.clone(),
                    Language::English => question.text.en.clone(),
                },
                is_yes_no: question.text.kind == QuestionKind::YesNo,
            })
            .collect();
        let (title, lead, hint, yes, no, send) = match language {
            Language::Swedish => (
                "Några frågor om kampanjen",
                "Svaren hjälper avsändarna att göra sin information bättre. Du svarar på de \
                 frågor du vill. Vi sparar inga uppgifter om dig, bara dina svar.",
                "Skriv inte personnummer eller e-postadress.",
                "Ja",
                "Nej",
                "Skicka svaren",
            ),
            Language::English => (
                "A few questions about the campaign",
                "The answers help the senders make their information better. Answer the \
                 questions you like. We keep nothing about you, only your answers.",
                "Do not write a personal identity number or an e-mail address.",
                "Yes",
                "No",
                "Send the answers",
            ),
        };
        Self {
            chrome: Chrome::new(language, &parameters),
            title,
            lead,
            hint,
            yes,
            no,
            send,
            campaign: campaign.as_str().to_owned(),
            answer_chars_max: SURVEY_ANSWER_CHARS_MAX,
            questions,
        }
    }
}

#[cfg(test)]
mod tests;
