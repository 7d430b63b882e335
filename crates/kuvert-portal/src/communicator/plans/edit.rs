//! Editing and deleting a planned activity (issue 13 §4): `GET /kommunikator/planer/aktivitet/
//! {id}` shows its form, `POST` there saves it and `POST …/{id}/ta-bort` deletes it. Only those
//! who may add to its plan may: a communicator of its sender, the editor for the common plan;
//! anyone else gets 403. The edited texts pass the same TERMS.md check as new ones (the words
//! to replace are named and nothing is stored), and the store keeps every edit and deletion
//! with who made it, when, and the activity as it was.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_store::StoreError;
use kuvert_store::portal::plans::{Activity, ActivityChange, ChangeKind, PlanOwner};
use kuvert_web::i18n::Language;

use super::super::CommunicatorState;
use super::super::auth::{Posted, Signed, lang_query};
use super::super::editorial::{not_found, render_view, unavailable};
use super::super::form::FormFields;
use super::super::pages::{MessageKind, message_page, see_other};
use super::{activity_words, edit_from};
use crate::domain::markdown::Replace;
use crate::http::pages::Chrome;

/// `GET /kommunikator/planer/aktivitet/{id}`.
pub(in crate::communicator) async fn form(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    match kept(&state, &signed, &id).await {
        Ok(Ok(activity)) => activity_page(&state, &signed, &activity, None).await,
        Ok(Err(refused)) => refused,
        Err(error) => unavailable(&signed, &error),
    }
}

/// `POST /kommunikator/planer/aktivitet/{id}`: saves the edited activity.
pub(in crate::communicator) async fn save(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, fields }: Posted,
) -> Response {
    let activity = match kept(&state, &signed, &id).await {
        Ok(Ok(activity)) => activity,
        Ok(Err(refused)) => return refused,
        Err(error) => return unavailable(&signed, &error),
    };
    let Some(edit) = edit_from(&fields) else {
        let refused = Refused {
            fields,
            words: Vec::new(),
        };
        return activity_page(&state, &signed, &activity, Some(refused)).await;
    };
    let words = activity_words(&edit);
    if !words.is_empty() {
        let refused = Refused { fields, words };
        return activity_page(&state, &signed, &activity, Some(refused)).await;
    }
    let plans = &state.shared.plans;
    match plans
        .edit_activity(&id, &edit, &signed.communicator.person)
        .await
    {
        Ok(edited) => see_other(&plans_of(edited.year, signed.language)),
        Err(StoreError::OutOfBounds { .. }) => {
            let refused = Refused {
                fields,
                words: Vec::new(),
            };
            activity_page(&state, &signed, &activity, Some(refused)).await
        }
        Err(StoreError::NotFound { .. }) => not_found(&signed),
        Err(error) => unavailable(&signed, &error),
    }
}

/// `POST /kommunikator/planer/aktivitet/{id}/ta-bort`: deletes the activity.
pub(in crate::communicator) async fn delete(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, .. }: Posted,
) -> Response {
    let activity = match kept(&state, &signed, &id).await {
        Ok(Ok(activity)) => activity,
        Ok(Err(refused)) => return refused,
        Err(error) => return unavailable(&signed, &error),
    };
    let plans = &state.shared.plans;
    match plans
        .delete_activity(&id, &signed.communicator.person)
        .await
    {
        Ok(true) => see_other(&plans_of(activity.year, signed.language)),
        Ok(false) => not_found(&signed),
        Err(error) => unavailable(&signed, &error),
    }
}

/// The activity when the person may change it, else the page saying why (404 or 403).
async fn kept(
    state: &CommunicatorState,
    signed: &Signed,
    id: &str,
) -> Result<Result<Activity, Response>, StoreError> {
    let Some(activity) = state.shared.plans.activity(id).await? else {
        return Ok(Err(not_found(signed)));
    };
    let may_keep = match &activity.planned.owner {
        PlanOwner::Common => {
            state
                .shared
                .editorial
                .is_editor(&signed.communicator.person)
                .await?
        }
        PlanOwner::Sender(sender) => signed.speaks_for(sender),
    };
    if may_keep {
        Ok(Ok(activity))
    } else {
        Ok(Err(message_page(
            signed.language,
            MessageKind::NotYours,
            StatusCode::FORBIDDEN,
        )))
    }
}

fn plans_of(year: i32, language: Language) -> String {
    let lang = lang_query(language).replace('?', "&");
    format!("/kommunikator/planer?ar={year}{lang}")
}

/// A refused edit: the fields as entered and the words to replace, if that was why.
struct Refused {
    fields: FormFields,
    words: Vec<Replace>,
}

/// The page's words in one language.
struct Texts {
    title: &'static str,
    back: &'static str,
    plan: &'static str,
    common: &'static str,
    message: &'static str,
    target_group: &'static str,
    channel: &'static str,
    start: &'static str,
    end: &'static str,
    save: &'static str,
    fix: &'static str,
    replace_heading: &'static str,
    replace_with: &'static str,
    delete_heading: &'static str,
    delete_text: &'static str,
    delete: &'static str,
    history: &'static str,
    edited: &'static str,
    logout: &'static str,
}

const SWEDISH: Texts = Texts {
    title: "Ändra aktiviteten",
    back: "Tillbaka till årsplanerna",
    plan: "Plan",
    common: "Gemensam plan",
    message: "Budskap",
    target_group: "Målgrupp",
    channel: "Kanal",
    start: "Startdatum",
    end: "Slutdatum",
    save: "Spara ändringarna",
    fix: "Rätta uppgifterna i formuläret och försök igen: alla fält krävs och slutdatum \
          får inte vara före startdatum.",
    replace_heading: "Ord att byta ut",
    replace_with: "skriv i stället",
    delete_heading: "Ta bort aktiviteten",
    delete_text: "Aktiviteten tas bort ur planen. Kampanjer som skapats från den finns kvar.",
    delete: "Ta bort aktiviteten",
    history: "Tidigare ändringar",
    edited: "ändrad av",
    logout: "Logga ut",
};

const ENGLISH: Texts = Texts {
    title: "Change the activity",
    back: "Back to the annual plans",
    plan: "Plan",
    common: "Common plan",
    message: "Message",
    target_group: "Target group",
    channel: "Channel",
    start: "Start date",
    end: "End date",
    save: "Save the changes",
    fix: "Correct the form and try again: every field is required and the end date may not \
          be before the start date.",
    replace_heading: "Words to replace",
    replace_with: "write instead",
    delete_heading: "Delete the activity",
    delete_text: "The activity is removed from the plan. Campaigns created from it remain.",
    delete: "Delete the activity",
    history: "Earlier changes",
    edited: "changed by",
    logout: "Log out",
};

/// `/kommunikator/planer/aktivitet/{id}`.
#[derive(Template)]
#[template(path = "communicator_activity.html")]
struct ActivityPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    lang_query: &'static str,
    id: String,
    plan: String,
    back_href: String,
    fields: FormFields,
    refused: Option<Vec<Replace>>,
    /// "2026-03-01 – 2026-03-31, ändrad av 19…" per earlier edit, oldest first.
    changes: Vec<String>,
}

async fn activity_page(
    state: &CommunicatorState,
    signed: &Signed,
    activity: &Activity,
    refused: Option<Refused>,
) -> Response {
    let changes = match state.shared.plans.activity_changes(&activity.id).await {
        Ok(changes) => changes,
        Err(error) => return unavailable(signed, &error),
    };
    let t = match signed.language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    };
    let planned = &activity.planned;
    let plan = match &planned.owner {
        PlanOwner::Common => t.common.to_owned(),
        PlanOwner::Sender(sender) => {
            let names = state.shared.registry.sender_names().await;
            names.iter().find(|(known, _)| known == sender).map_or_else(
                || sender.as_str().to_owned(),
                |(_, name)| format!("{name} ({})", sender.as_str()),
            )
        }
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (fields, refused) = match refused {
        Some(refused) => (refused.fields, Some(refused.words)),
        None => (stored_fields(activity), None),
    };
    let page = ActivityPage {
        chrome: Chrome::new(signed.language, &[]),
        t,
        csrf: signed.csrf.clone(),
        lang_query: lang_query(signed.language),
        id: activity.id.clone(),
        plan,
        back_href: plans_of(activity.year, signed.language),
        fields,
        refused,
        changes: changes
            .iter()
            .map(|change| change_line(change, t))
            .collect(),
    };
    render_view(&page, status)
}

/// The stored activity as the form's fields.
fn stored_fields(activity: &Activity) -> FormFields {
    let planned = &activity.planned;
    FormFields::from_pairs(vec![
        ("budskap", planned.message.clone()),
        ("malgrupp", planned.target_group.clone()),
        ("kanal", planned.channel.clone()),
        ("start", planned.starts_on.to_string()),
        ("slut", planned.ends_on.to_string()),
    ])
}

fn change_line(change: &ActivityChange, t: &Texts) -> String {
    let day = kuvert_core::calendar::stockholm_day(change.at);
    let before = &change.before;
    let kind = match change.kind {
        ChangeKind::Edited => t.edited,
        ChangeKind::Deleted => t.delete,
    };
    format!(
        "{day}: ”{}” ({} – {}), {kind} {}",
        before.message,
        before.starts_on,
        before.ends_on,
        change.by.as_str()
    )
}
