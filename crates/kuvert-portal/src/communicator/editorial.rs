//! The editor workflow (issue 13 §3): `/kommunikator/nyheter` lists the submissions a person
//! may see (the own senders'; every one for the editor and admins) with the form to submit
//! news, a FAQ entry (question and answer) or a page in Markdown — one workflow for the three
//! kinds; the editor is told by e-mail of each submission and revision;
//! `/kommunikator/nyheter/{id}` shows one with its preview, the TERMS.md words to replace and
//! every version (who, when, step, comment), and takes the next step: the communicator
//! revises, the editor edits, returns with a comment or publishes. Publishing is refused (422)
//! while the text holds words TERMS.md replaces, and the page names them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{
    EDITOR_COMMENT_CHARS_MAX, SUBMISSION_BODY_CHARS_MAX, SUBMISSION_TITLE_CHARS_MAX,
};
use kuvert_store::StoreError;
use kuvert_store::portal::editorial::{
    Kind, NewSubmission, NewVersion, Status, Step, Submission, Text,
};

use super::CommunicatorState;
use super::auth::{Posted, Signed, lang_query};
use super::form::FormFields;
use super::pages::{MessageKind, message_page};
use crate::domain::markdown::{Replace, words_to_replace};

mod view;

pub(super) use view::render as render_view;

/// Who is at the desk: the editor sees and acts on everything; a communicator on the own
/// senders' submissions (an admin on every sender's).
struct Desk {
    is_editor: bool,
}

impl Desk {
    async fn of(state: &CommunicatorState, signed: &Signed) -> Result<Self, StoreError> {
        let is_editor = state
            .shared
            .editorial
            .is_editor(&signed.communicator.person)
            .await?;
        Ok(Self { is_editor })
    }

    fn may_see(&self, signed: &Signed, submission: &Submission) -> bool {
        self.is_editor || is_own(signed, &submission.sender)
    }
}

fn is_own(signed: &Signed, sender: &OrganisationNumber) -> bool {
    signed.communicator.is_admin || signed.speaks_for(sender)
}

/// `GET /kommunikator/nyheter`.
pub(super) async fn list(State(state): State<CommunicatorState>, signed: Signed) -> Response {
    list_page(&state, &signed, None, StatusCode::OK).await
}

async fn list_page(
    state: &CommunicatorState,
    signed: &Signed,
    problem: Option<view::Entered>,
    status: StatusCode,
) -> Response {
    let desk = match Desk::of(state, signed).await {
        Ok(desk) => desk,
        Err(error) => return unavailable(signed, &error),
    };
    let submissions = match state.shared.editorial.submissions(None).await {
        Ok(submissions) => submissions,
        Err(error) => return unavailable(signed, &error),
    };
    let visible: Vec<Submission> = submissions
        .into_iter()
        .filter(|submission| desk.may_see(signed, submission))
        .collect();
    let page = view::ListPage::new(signed, desk.is_editor, &visible, problem);
    view::render(&page, status)
}

/// `POST /kommunikator/nyheter`: a communicator submits news for one own sender.
pub(super) async fn submit(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let sender = Signed::sender_field(&fields, |sender| is_own(&signed, sender));
    let text = text_from(&fields);
    let kind = kind_from(fields.value("slag"));
    let (Some(sender), Some(text), Some(kind)) = (sender, text, kind) else {
        let entered = view::Entered::from_fields(&fields, "text");
        return list_page(
            &state,
            &signed,
            Some(entered),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let submission = NewSubmission {
        kind,
        sender,
        author: signed.communicator.person.clone(),
        text,
    };
    match state.shared.editorial.submit(&submission).await {
        Ok(stored) => {
            tell_editor(&state, &stored, Step::Submitted).await;
            see_other(&signed, &stored.id)
        }
        Err(StoreError::OutOfBounds { .. }) => {
            let entered = view::Entered::from_fields(&fields, "text");
            list_page(
                &state,
                &signed,
                Some(entered),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => unavailable(&signed, &error),
    }
}

/// The title and Markdown of a form, both present and within their limits.
fn text_from(fields: &FormFields) -> Option<Text> {
    let title = fields.value("titel");
    let body = fields.value("text");
    let bounded = |text: &str, max: usize| !text.is_empty() && text.chars().count() <= max;
    (bounded(title, SUBMISSION_TITLE_CHARS_MAX) && bounded(body, SUBMISSION_BODY_CHARS_MAX)).then(
        || Text {
            title: title.to_owned(),
            body: body.to_owned(),
        },
    )
}

/// The kind named by the form's `slag` (news when the form names none).
fn kind_from(text: &str) -> Option<Kind> {
    match text {
        "" | "nyhet" => Some(Kind::News),
        "fraga" => Some(Kind::Faq),
        "sida" => Some(Kind::Page),
        _ => None,
    }
}

/// E-mails the editor that a submission waits for them (Swedish first, English second).
async fn tell_editor(state: &CommunicatorState, submission: &Submission, step: Step) {
    let (Some(mail), Some(version)) = (&state.shared.mail, submission.latest()) else {
        return;
    };
    let (sv, en) = match submission.kind {
        Kind::News => ("nyhet", "news"),
        Kind::Faq => ("fråga och svar", "question and answer"),
        Kind::Page => ("sida", "page"),
    };
    let (done_sv, done_en) = match step {
        Step::Revised => ("Ändrad", "Changed"),
        _ => ("Inskickad", "Submitted"),
    };
    let link = state
        .shared
        .public_url
        .join(&format!("kommunikator/nyheter/{}", submission.id))
        .map(String::from)
        .unwrap_or_default();
    let title = &version.text.title;
    let sender = submission.sender.as_str();
    mail.tell(super::mail::Notice {
        subject: format!("{done_sv} {sv} att granska: {title}"),
        text: format!(
            "{done_sv} {sv} från avsändaren {sender}: ”{title}”.\nGranska och publicera: \
             {link}\n\n{done_en} {en} from the sender {sender}: \"{title}\".\nReview and \
             publish: {link}\n"
        ),
    })
    .await;
}

/// `GET /kommunikator/nyheter/{id}`.
pub(super) async fn submission(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    submission_page(&state, &signed, &id, None, StatusCode::OK).await
}

async fn submission_page(
    state: &CommunicatorState,
    signed: &Signed,
    id: &str,
    problem: Option<view::Problem>,
    status: StatusCode,
) -> Response {
    let desk = match Desk::of(state, signed).await {
        Ok(desk) => desk,
        Err(error) => return unavailable(signed, &error),
    };
    let submission = match state.shared.editorial.submission(id).await {
        Ok(Some(submission)) if desk.may_see(signed, &submission) => submission,
        Ok(_) => return not_found(signed),
        Err(error) => return unavailable(signed, &error),
    };
    let may_revise = is_own(signed, &submission.sender)
        && Step::Revised.next_status(submission.status).is_some();
    let may_edit = desk.is_editor && submission.status != Status::Published;
    let page = view::SubmissionPage::new(
        signed,
        &submission,
        view::Rights {
            may_revise: may_revise && !desk.is_editor,
            may_edit,
        },
        problem,
    );
    view::render(&page, status)
}

/// `POST /kommunikator/nyheter/{id}`: the next step, named by the button (`steg`).
pub(super) async fn step(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, fields }: Posted,
) -> Response {
    let desk = match Desk::of(&state, &signed).await {
        Ok(desk) => desk,
        Err(error) => return unavailable(&signed, &error),
    };
    let current = match state.shared.editorial.submission(&id).await {
        Ok(Some(submission)) if desk.may_see(&signed, &submission) => submission,
        Ok(_) => return not_found(&signed),
        Err(error) => return unavailable(&signed, &error),
    };
    let step = match (fields.value("steg"), desk.is_editor) {
        ("andra", true) => Step::Edited,
        ("andra", false) if is_own(&signed, &current.sender) => Step::Revised,
        ("tillbaka", true) => Step::Returned,
        ("publicera", true) => Step::Published,
        _ => return not_found(&signed),
    };
    let comment = fields.value("kommentar");
    let Some(text) = text_from(&fields) else {
        return again(&state, &signed, &id, &fields, Vec::new()).await;
    };
    let is_bad_comment = comment.chars().count() > EDITOR_COMMENT_CHARS_MAX
        || (step == Step::Returned && comment.is_empty());
    if is_bad_comment {
        return again(&state, &signed, &id, &fields, Vec::new()).await;
    }
    if step == Step::Published {
        let words = words_to_replace(&[&text.title, &text.body]);
        if !words.is_empty() {
            return again(&state, &signed, &id, &fields, words).await;
        }
    }
    let version = NewVersion {
        step,
        text,
        comment: comment.to_owned(),
        author: signed.communicator.person.clone(),
    };
    match state.shared.editorial.add_version(&id, &version).await {
        Ok(stored) => {
            if step == Step::Revised {
                tell_editor(&state, &stored, step).await;
            }
            see_other(&signed, &id)
        }
        Err(StoreError::Conflict { .. } | StoreError::OutOfBounds { .. }) => {
            again(&state, &signed, &id, &fields, Vec::new()).await
        }
        Err(error) => unavailable(&signed, &error),
    }
}

/// The submission again, 422, with the text as entered and what to fix.
async fn again(
    state: &CommunicatorState,
    signed: &Signed,
    id: &str,
    fields: &FormFields,
    words: Vec<Replace>,
) -> Response {
    let problem = view::Problem {
        entered: view::Entered::from_fields(fields, "text"),
        words,
    };
    submission_page(
        state,
        signed,
        id,
        Some(problem),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

fn see_other(signed: &Signed, id: &str) -> Response {
    let target = format!("/kommunikator/nyheter/{id}{}", lang_query(signed.language));
    super::pages::see_other(&target)
}

pub(super) fn not_found(signed: &Signed) -> Response {
    message_page(
        signed.language,
        MessageKind::NotFound,
        StatusCode::NOT_FOUND,
    )
}

pub(super) fn unavailable(signed: &Signed, error: &StoreError) -> Response {
    let chain = kuvert_core::report::error_chain(error);
    tracing::warn!(error = %chain, "communicator page unavailable");
    message_page(
        signed.language,
        MessageKind::Unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
    )
}
