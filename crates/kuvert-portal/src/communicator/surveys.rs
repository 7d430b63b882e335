//! The network's standard campaign questions (issue 13 §5), kept by the editor at
//! `/kommunikator/enkat`: every communicator sees them; the editor adds a question (`POST`
//! there), rewords one (`POST …/{id}`) and moves it earlier or later (`POST …/{id}/flytta`).
//! Each wording passes the TERMS.md check first (the words to replace are named and nothing is
//! stored). Visitors answer them on a campaign's survey page (`http::survey`); a campaign's
//! answers are shown on its page ([`results_view`]) and counted in the yearly meeting's CSV.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::limits::SURVEY_QUESTION_CHARS_MAX;
use kuvert_store::StoreError;
use kuvert_store::portal::network::{QuestionKind, QuestionText, SurveyQuestion, SurveyResults};
use kuvert_web::i18n::Language;

use super::CommunicatorState;
use super::auth::{Posted, Signed, lang_query};
use super::editorial::{not_found, render_view, unavailable};
use super::form::FormFields;
use super::pages::{MessageKind, message_page, see_other};
use crate::domain::markdown::{Replace, words_to_replace};
use crate::http::pages::Chrome;

mod view;

use view::{QuestionRow, ResultsView, SurveyPage, texts};

/// `GET /kommunikator/enkat`.
pub(super) async fn page(State(state): State<CommunicatorState>, signed: Signed) -> Response {
    survey_page(&state, &signed, None).await
}

/// `POST /kommunikator/enkat`: the editor adds a question.
pub(super) async fn add(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let question = match editors_question(&state, &signed, &fields).await {
        Ok(question) => question,
        Err(response) => return response,
    };
    let network = &state.shared.network;
    match network
        .add_survey_question(&question, &signed.communicator.person)
        .await
    {
        Ok(_) => back(&signed),
        Err(StoreError::OutOfBounds { .. }) => survey_page(&state, &signed, Some(Vec::new())).await,
        Err(error) => unavailable(&signed, &error),
    }
}

/// `POST /kommunikator/enkat/{id}`: the editor rewords a question.
pub(super) async fn edit(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, fields }: Posted,
) -> Response {
    let question = match editors_question(&state, &signed, &fields).await {
        Ok(question) => question,
        Err(response) => return response,
    };
    let network = &state.shared.network;
    match network
        .edit_survey_question(&id, &question, &signed.communicator.person)
        .await
    {
        Ok(()) => back(&signed),
        Err(StoreError::NotFound { .. }) => not_found(&signed),
        Err(StoreError::OutOfBounds { .. }) => survey_page(&state, &signed, Some(Vec::new())).await,
        Err(error) => unavailable(&signed, &error),
    }
}

/// `POST /kommunikator/enkat/{id}/flytta` with `riktning` `upp` or `ned`.
pub(super) async fn move_question(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, fields }: Posted,
) -> Response {
    if let Err(refused) = editor_only(&state, &signed).await {
        return refused;
    }
    let is_up = match fields.value("riktning") {
        "upp" => true,
        "ned" => false,
        _ => return survey_page(&state, &signed, Some(Vec::new())).await,
    };
    match state.shared.network.move_survey_question(&id, is_up).await {
        Ok(_) => back(&signed),
        Err(StoreError::NotFound { .. }) => not_found(&signed),
        Err(error) => unavailable(&signed, &error),
    }
}

/// A campaign's answers as its page shows them, rendered; empty when the store cannot say
/// (the campaign's page still shows its funnel).
pub(super) async fn results_view(
    state: &CommunicatorState,
    language: Language,
    code: &CampaignCode,
) -> String {
    let results: SurveyResults = match state.shared.network.survey_results(code).await {
        Ok(results) => results,
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "survey answers unavailable");
            return String::new();
        }
    };
    ResultsView::new(language, code, &results)
        .render()
        .unwrap_or_default()
}

/// `Err` with the 403 page unless the person is the editor.
async fn editor_only(state: &CommunicatorState, signed: &Signed) -> Result<(), Response> {
    let editorial = &state.shared.editorial;
    match editorial.is_editor(&signed.communicator.person).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(message_page(
            signed.language,
            MessageKind::NotYours,
            StatusCode::FORBIDDEN,
        )),
        Err(error) => Err(unavailable(signed, &error)),
    }
}

/// The wording the editor posted, for adding or rewording: [`editor_only`], then
/// [`question_from`]; `Err` is the answer to send (the refusal, or the page again naming the
/// words to replace).
async fn editors_question(
    state: &CommunicatorState,
    signed: &Signed,
    fields: &FormFields,
) -> Result<QuestionText, Response> {
    editor_only(state, signed).await?;
    match question_from(fields) {
        Ok(question) => Ok(question),
        Err(words) => Err(survey_page(state, signed, Some(words)).await),
    }
}

/// The question as entered (`slag`, `fraga`, `fraga_en`: English defaults to the Swedish),
/// or the words to replace (none when a field is missing or too long).
fn question_from(fields: &FormFields) -> Result<QuestionText, Vec<Replace>> {
    let bounded =
        |text: &str| !text.is_empty() && text.chars().count() <= SURVEY_QUESTION_CHARS_MAX;
    let sv = fields.value("fraga");
    let en = match fields.value("fraga_en") {
        "" => sv,
        en => en,
    };
    let kind = QuestionKind::parse(fields.value("slag"));
    let (Some(kind), true, true) = (kind, bounded(sv), bounded(en)) else {
        return Err(Vec::new());
    };
    let words = words_to_replace(&[sv, en]);
    if !words.is_empty() {
        return Err(words);
    }
    Ok(QuestionText {
        kind,
        sv: sv.to_owned(),
        en: en.to_owned(),
    })
}

fn back(signed: &Signed) -> Response {
    see_other(&format!(
        "/kommunikator/enkat{}",
        lang_query(signed.language)
    ))
}

/// The page; `refused` (422) with the words to replace, or none for a missing field.
async fn survey_page(
    state: &CommunicatorState,
    signed: &Signed,
    refused: Option<Vec<Replace>>,
) -> Response {
    let loaded = async {
        let is_editor = state
            .shared
            .editorial
            .is_editor(&signed.communicator.person)
            .await?;
        let questions: Vec<SurveyQuestion> = state.shared.network.survey_questions().await?;
        Ok::<_, StoreError>((is_editor, questions))
    };
    let (is_editor, questions) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(signed, &error),
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = texts(signed.language);
    let page = SurveyPage {
        chrome: Chrome::new(signed.language, &[]),
        t,
        csrf: signed.csrf.clone(),
        lang_query: lang_query(signed.language),
        is_editor,
        questions: questions
            .iter()
            .enumerate()
            .map(|(index, question)| QuestionRow::new(index + 1, question, t))
            .collect(),
        refused,
    };
    render_view(&page, status)
}
