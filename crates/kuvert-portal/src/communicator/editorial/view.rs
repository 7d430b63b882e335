//! The editorial pages' models and their Swedish and English texts (TERMS.md words).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kuvert_store::portal::editorial::{Kind, Status, Step, Submission};
use kuvert_web::i18n::Language;

use super::super::auth::{Signed, lang_query};
use super::super::form::FormFields;
use crate::domain::markdown::{Replace, render as render_markdown, words_to_replace};
use crate::http::pages::Chrome;

/// The pages' words in one language.
pub(super) struct Texts {
    pub(super) title: &'static str,
    pub(super) back: &'static str,
    pub(super) fix: &'static str,
    pub(super) editor_note: &'static str,
    pub(super) new_heading: &'static str,
    pub(super) sender: &'static str,
    pub(super) heading: &'static str,
    pub(super) text: &'static str,
    pub(super) text_hint: &'static str,
    pub(super) send: &'static str,
    pub(super) status: &'static str,
    pub(super) none: &'static str,
    pub(super) preview: &'static str,
    pub(super) replace_heading: &'static str,
    pub(super) replace_with: &'static str,
    pub(super) versions: &'static str,
    pub(super) version: &'static str,
    pub(super) step: &'static str,
    pub(super) who: &'static str,
    pub(super) when: &'static str,
    pub(super) comment: &'static str,
    pub(super) comment_hint: &'static str,
    pub(super) revise: &'static str,
    pub(super) edit: &'static str,
    pub(super) give_back: &'static str,
    pub(super) publish: &'static str,
    /// Links to where each kind is published: news, FAQ, page.
    pub(super) portal_pages: [&'static str; 3],
    pub(super) kind: &'static str,
    pub(super) kind_hint: &'static str,
    /// Kind names: news, FAQ entry, page.
    pub(super) kinds: [&'static str; 3],
    /// Status names: submitted, returned, published.
    pub(super) statuses: [&'static str; 3],
    /// Step names: submitted, revised, edited, returned, published.
    pub(super) steps: [&'static str; 5],
}

const SWEDISH: Texts = Texts {
    title: "Nyheter, frågor och sidor till portalen",
    back: "Tillbaka till kampanjerna",
    fix: "Rätta uppgifterna i formuläret och försök igen.",
    editor_note: "Du är huvudredaktör: du kan ändra, skicka tillbaka och publicera.",
    new_heading: "Skicka in en text",
    sender: "Avsändare",
    heading: "Rubrik",
    text: "Text",
    text_hint: "Markdown: tom rad mellan stycken, **fet**, *kursiv*, [länk](https://…).",
    send: "Skicka till huvudredaktören",
    status: "Läge",
    none: "Inga texter ännu.",
    preview: "Så här visas texten",
    replace_heading: "Ord att byta ut innan publicering",
    replace_with: "skriv i stället",
    versions: "Alla versioner",
    version: "Version",
    step: "Steg",
    who: "Av",
    when: "När",
    comment: "Kommentar",
    comment_hint: "Krävs när du skickar tillbaka.",
    revise: "Skicka in ändringen",
    edit: "Spara ändringen",
    give_back: "Skicka tillbaka med kommentar",
    publish: "Publicera",
    portal_pages: [
        "Nyheterna på portalen",
        "Frågorna på portalen",
        "Sidan på portalen",
    ],
    kind: "Slag",
    kind_hint: "En fråga: frågan överst, svaret under.",
    kinds: ["Nyhet", "Fråga och svar", "Sida"],
    statuses: [
        "Hos huvudredaktören",
        "Tillbaka hos kommunikatören",
        "Publicerad",
    ],
    steps: [
        "Inskickad",
        "Ändrad av kommunikatören",
        "Ändrad av huvudredaktören",
        "Tillbakaskickad",
        "Publicerad",
    ],
};

const ENGLISH: Texts = Texts {
    title: "News, questions and pages for the portal",
    back: "Back to the campaigns",
    fix: "Correct the form and try again.",
    editor_note: "You are the editor-in-chief: you can edit, return and publish.",
    new_heading: "Submit a text",
    sender: "Sender",
    heading: "Title",
    text: "Text",
    text_hint: "Markdown: a blank line between paragraphs, **bold**, *italic*, [link](https://…).",
    send: "Send to the editor-in-chief",
    status: "Status",
    none: "No texts yet.",
    preview: "How the text is shown",
    replace_heading: "Words to replace before publication",
    replace_with: "write instead",
    versions: "Every version",
    version: "Version",
    step: "Step",
    who: "By",
    when: "When",
    comment: "Comment",
    comment_hint: "Required when you return it.",
    revise: "Submit the change",
    edit: "Save the change",
    give_back: "Return with comment",
    publish: "Publish",
    portal_pages: [
        "The news on the portal",
        "The questions on the portal",
        "The page on the portal",
    ],
    kind: "Kind",
    kind_hint: "A question: the question first, the answer below.",
    kinds: ["News", "Question and answer", "Page"],
    statuses: [
        "With the editor-in-chief",
        "Back with the communicator",
        "Published",
    ],
    steps: [
        "Submitted",
        "Changed by the communicator",
        "Changed by the editor-in-chief",
        "Returned",
        "Published",
    ],
};

fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

fn kind_index(kind: Kind) -> usize {
    match kind {
        Kind::News => 0,
        Kind::Faq => 1,
        Kind::Page => 2,
    }
}

/// Where a published submission is on the portal.
fn portal_path(submission: &Submission) -> String {
    match submission.kind {
        Kind::News => "/nyheter".to_owned(),
        Kind::Faq => "/fragor".to_owned(),
        Kind::Page => format!("/sidor/{}", submission.id),
    }
}

fn status_index(status: Status) -> usize {
    match status {
        Status::Submitted => 0,
        Status::Returned => 1,
        Status::Published => 2,
    }
}

fn step_index(step: Step) -> usize {
    match step {
        Step::Submitted => 0,
        Step::Revised => 1,
        Step::Edited => 2,
        Step::Returned => 3,
        Step::Published => 4,
    }
}

/// What was entered in a refused form, shown again.
pub(super) struct Entered {
    pub(super) title: String,
    pub(super) body: String,
    pub(super) comment: String,
    /// The field to fix.
    pub(super) field: &'static str,
}

impl Entered {
    pub(super) fn from_fields(fields: &FormFields, field: &'static str) -> Self {
        Self {
            title: fields.value("titel").to_owned(),
            body: fields.value("text").to_owned(),
            comment: fields.value("kommentar").to_owned(),
            field,
        }
    }
}

/// A refused step: the text as entered and the words to replace (if that was why).
pub(super) struct Problem {
    pub(super) entered: Entered,
    pub(super) words: Vec<Replace>,
}

/// What the person may do with a submission.
pub(super) struct Rights {
    pub(super) may_revise: bool,
    pub(super) may_edit: bool,
}

/// One row of the list.
pub(super) struct Row {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) sender: String,
    pub(super) kind: &'static str,
    pub(super) status: &'static str,
}

/// `/kommunikator/nyheter`.
#[derive(Template)]
#[template(path = "communicator_news.html")]
pub(super) struct ListPage {
    pub(super) chrome: Chrome,
    pub(super) t: &'static Texts,
    pub(super) csrf: String,
    pub(super) lang_query: &'static str,
    pub(super) is_editor: bool,
    pub(super) senders: Vec<String>,
    pub(super) rows: Vec<Row>,
    pub(super) entered: Option<Entered>,
}

impl ListPage {
    pub(super) fn new(
        signed: &Signed,
        is_editor: bool,
        submissions: &[Submission],
        entered: Option<Entered>,
    ) -> Self {
        let t = texts(signed.language);
        let rows = submissions
            .iter()
            .map(|submission| Row {
                id: submission.id.clone(),
                title: submission
                    .latest()
                    .map(|version| version.text.title.clone())
                    .unwrap_or_default(),
                sender: submission.sender.as_str().to_owned(),
                kind: t.kinds[kind_index(submission.kind)],
                status: t.statuses[status_index(submission.status)],
            })
            .collect();
        Self {
            chrome: Chrome::new(signed.language, &[]),
            t,
            csrf: signed.csrf.clone(),
            lang_query: lang_query(signed.language),
            is_editor,
            senders: signed
                .communicator
                .senders
                .iter()
                .map(|sender| sender.as_str().to_owned())
                .collect(),
            rows,
            entered,
        }
    }
}

/// One version in the history.
pub(super) struct VersionRow {
    pub(super) number: u64,
    pub(super) step: &'static str,
    pub(super) who: String,
    pub(super) when: String,
    pub(super) comment: String,
}

/// `/kommunikator/nyheter/{id}`.
#[derive(Template)]
#[template(path = "communicator_submission.html")]
pub(super) struct SubmissionPage {
    pub(super) chrome: Chrome,
    pub(super) t: &'static Texts,
    pub(super) csrf: String,
    pub(super) lang_query: &'static str,
    pub(super) id: String,
    pub(super) sender: String,
    pub(super) kind: &'static str,
    pub(super) status: &'static str,
    /// Where it is on the portal, and the link's words.
    pub(super) portal_path: String,
    pub(super) portal_page: &'static str,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) comment: String,
    pub(super) preview: String,
    pub(super) words: Vec<Replace>,
    pub(super) versions: Vec<VersionRow>,
    pub(super) rights: Rights,
    pub(super) is_refused: bool,
    pub(super) is_published: bool,
}

impl SubmissionPage {
    pub(super) fn new(
        signed: &Signed,
        submission: &Submission,
        rights: Rights,
        problem: Option<Problem>,
    ) -> Self {
        let t = texts(signed.language);
        let latest = submission.latest();
        let (title, body) = latest.map_or_else(Default::default, |version| {
            (version.text.title.clone(), version.text.body.clone())
        });
        let is_refused = problem.is_some();
        let (title, body, comment, words) = match problem {
            Some(problem) => (
                problem.entered.title,
                problem.entered.body,
                problem.entered.comment,
                problem.words,
            ),
            None => {
                let words = words_to_replace(&[&title, &body]);
                (title, body, String::new(), words)
            }
        };
        let versions = submission
            .versions
            .iter()
            .map(|version| VersionRow {
                number: version.number,
                step: t.steps[step_index(version.step)],
                who: version.author.as_str().to_owned(),
                when: format_when(version.at),
                comment: version.comment.clone(),
            })
            .collect();
        Self {
            chrome: Chrome::new(signed.language, &[]),
            t,
            csrf: signed.csrf.clone(),
            lang_query: lang_query(signed.language),
            id: submission.id.clone(),
            sender: submission.sender.as_str().to_owned(),
            kind: t.kinds[kind_index(submission.kind)],
            status: t.statuses[status_index(submission.status)],
            portal_path: portal_path(submission),
            portal_page: t.portal_pages[kind_index(submission.kind)],
            preview: render_markdown(&body),
            title,
            body,
            comment,
            words,
            versions,
            rights,
            is_refused,
            is_published: submission.status == Status::Published,
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC`.
fn format_when(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}

pub(in crate::communicator) fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "communicator page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internt fel / Internal error",
            )
                .into_response()
        }
    }
}
