//! The campaign questions' pages and their Swedish and English texts (TERMS.md words): the
//! editor's list of questions with their forms, and a campaign's answers on its page.

use askama::Template;
use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::network::{QuestionKind, SurveyQuestion, SurveyResults};
use kuvert_web::i18n::Language;

use crate::domain::markdown::Replace;
use crate::http::pages::Chrome;

/// The pages' words in one language.
pub(super) struct Texts {
    title: &'static str,
    back: &'static str,
    intro: &'static str,
    editor_only: &'static str,
    none: &'static str,
    question: &'static str,
    swedish: &'static str,
    english: &'static str,
    kind: &'static str,
    yes_no: &'static str,
    free_text: &'static str,
    save: &'static str,
    up: &'static str,
    down: &'static str,
    new_question: &'static str,
    add: &'static str,
    fix: &'static str,
    replace_heading: &'static str,
    replace_with: &'static str,
    logout: &'static str,
}

const SWEDISH: Texts = Texts {
    title: "Kampanjfrågor",
    back: "Tillbaka till kampanjerna",
    intro: "Nätverkets standardfrågor ställs på enkätsidan som varje kampanjs landningssida \
            länkar till. Besökarna svarar utan kakor och vi sparar inga uppgifter om dem; \
            personnummer och e-postadresser i fritextsvar maskeras innan svaren sparas.",
    editor_only: "Huvudredaktören lägger till, ändrar och ordnar frågorna.",
    none: "Inga frågor är inlagda ännu.",
    question: "Fråga",
    swedish: "svenska",
    english: "engelska",
    kind: "Svar",
    yes_no: "Ja eller nej",
    free_text: "Fritext",
    save: "Spara frågan",
    up: "Flytta upp",
    down: "Flytta ned",
    new_question: "Ny fråga",
    add: "Lägg till frågan",
    fix: "Rätta uppgifterna i formuläret och försök igen: frågan krävs, högst 200 tecken, \
          och högst 10 frågor.",
    replace_heading: "Ord att byta ut",
    replace_with: "skriv i stället",
    logout: "Logga ut",
};

const ENGLISH: Texts = Texts {
    title: "Campaign questions",
    back: "Back to the campaigns",
    intro: "The network's standard questions are asked on the survey page every campaign's \
            landing page links to. Visitors answer without cookies and we keep nothing \
            about them; personal identity numbers and e-mail addresses in free-text answers \
            are masked before the answers are stored.",
    editor_only: "The editor-in-chief adds, changes and orders the questions.",
    none: "No questions have been entered yet.",
    question: "Question",
    swedish: "Swedish",
    english: "English",
    kind: "Answer",
    yes_no: "Yes or no",
    free_text: "Free text",
    save: "Save the question",
    up: "Move up",
    down: "Move down",
    new_question: "New question",
    add: "Add the question",
    fix: "Correct the form and try again: the question is required, at most 200 \
          characters, and at most 10 questions.",
    replace_heading: "Words to replace",
    replace_with: "write instead",
    logout: "Log out",
};

pub(super) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// One question on the editor's page.
pub(super) struct QuestionRow {
    id: String,
    number: usize,
    sv: String,
    en: String,
    is_yes_no: bool,
    kind_label: &'static str,
}

impl QuestionRow {
    pub(super) fn new(number: usize, question: &SurveyQuestion, t: &Texts) -> Self {
        let is_yes_no = question.text.kind == QuestionKind::YesNo;
        Self {
            id: question.id.clone(),
            number,
            sv: question.text.sv.clone(),
            en: question.text.en.clone(),
            is_yes_no,
            kind_label: if is_yes_no { t.yes_no } else { t.free_text },
        }
    }
}

/// `/kommunikator/enkat`.
#[derive(Template)]
#[template(path = "communicator_survey.html")]
pub(super) struct SurveyPage {
    pub(super) chrome: Chrome,
    pub(super) t: &'static Texts,
    pub(super) csrf: String,
    pub(super) lang_query: &'static str,
    pub(super) is_editor: bool,
    pub(super) questions: Vec<QuestionRow>,
    /// A refused form: the words to replace (none: a field was missing or too long).
    pub(super) refused: Option<Vec<Replace>>,
}

/// One question's answers for a campaign.
struct ResultRow {
    question: String,
    yes: u64,
    no: u64,
    texts: u64,
    newest_texts: Vec<String>,
}

/// A campaign's answers on its page (rendered into it).
#[derive(Template)]
#[template(path = "communicator_survey_results.html")]
pub(super) struct ResultsView {
    heading: &'static str,
    summary: String,
    survey_href: String,
    survey_label: &'static str,
    columns: [&'static str; 4],
    texts_label: &'static str,
    rows: Vec<ResultRow>,
}

impl ResultsView {
    pub(super) fn new(language: Language, code: &CampaignCode, results: &SurveyResults) -> Self {
        let code = code.as_str();
        let responses = crate::dashboard::number::count(results.responses, language);
        let (heading, summary, survey_label, columns, texts_label, lang) = match language {
            Language::Swedish => (
                "Enkätsvar",
                format!("Besvarade enkäter: {responses}."),
                "Enkätsidan",
                ["Fråga", "Ja", "Nej", "Fritextsvar"],
                "Senaste fritextsvar (maskerade)",
                "",
            ),
            Language::English => (
                "Survey answers",
                format!("Surveys answered: {responses}."),
                "The survey page",
                ["Question", "Yes", "No", "Free-text answers"],
                "Newest free-text answers (masked)",
                "&lang=en",
            ),
        };
        let rows = results
            .questions
            .iter()
            .map(|result| ResultRow {
                question: match language {
                    Language::Swedish => result.question.text.sv.clone(),
                    Language::English => result.question.text.en.clone(),
                },
                yes: result.yes,
                no: result.no,
                texts: result.texts,
                newest_texts: result
                    .newest_texts
                    .iter()
                    .map(|text| text.as_str().to_owned())
                    .collect(),
            })
            .collect();
        Self {
            heading,
            summary,
            survey_href: format!("/enkat?kampanj={code}{lang}"),
            survey_label,
            columns,
            texts_label,
            rows,
        }
    }
}
