//! The mailbox holder's account (PROTOCOL.md §11.2–§11.5): reception rules
//! (`/installningar/avsandare`), changing mailbox (`/installningar/byt-brevlada`),
//! deregistering (`/installningar/avregistrera`) and, in [`company`], company mailboxes
//! (`/foretag`, `/foretag/{orgnr}`). Every change is signed with e-ID ([`signing`]) and
//! stored in the registry, never here.
//!
//! A person who moved their profile to another operator, or deregistered, keeps logging in
//! here and reading and downloading the letters that arrived while the mailbox was here;
//! new deliveries are refused by intake, which asks the registry for the holding operator.

pub(super) mod company;
pub(super) mod signing;
pub(super) mod texts;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::INBOX_FORM_BYTES_MAX;
use serde::Deserialize;

use super::InboxState;
use super::auth::{CheckedHolder, Holder};
use super::pages::{Failure, Layout, render, see_other};
use super::signup::has_profile_here;
use crate::registry_client::account::{OperatorInfo, SenderInfo};
use kuvert_web::registry_client::RegistryError;
use signing::{DEREGISTER_TEXT, SigningPurpose};
use texts::{AccountTexts, account_texts};

/// `/installningar/avsandare`.
#[derive(Template)]
#[template(path = "account_rules.html")]
pub(super) struct RulesPage {
    pub(super) layout: Layout,
    pub(super) a: &'static AccountTexts,
    pub(super) senders: Vec<SenderChoice>,
    pub(super) notice: Option<&'static str>,
}

/// One sender's checkbox.
pub(super) struct SenderChoice {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) is_accepted: bool,
}

/// `/installningar/byt-brevlada`.
#[derive(Template)]
#[template(path = "account_move.html")]
pub(super) struct MovePage {
    pub(super) layout: Layout,
    pub(super) a: &'static AccountTexts,
    pub(super) operators: Vec<OperatorChoice>,
}

/// One other operator to move to.
pub(super) struct OperatorChoice {
    pub(super) id: String,
    pub(super) name: String,
}

/// `/installningar/avregistrera`.
#[derive(Template)]
#[template(path = "account_deregister.html")]
pub(super) struct DeregisterPage {
    pub(super) layout: Layout,
    pub(super) a: &'static AccountTexts,
    pub(super) is_done: bool,
}

/// `?sparat=1` after saved reception rules, `?klart=1` after deregistering.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DoneQuery {
    sparat: Option<String>,
    klart: Option<String>,
}

/// `/installningar/avsandare`: every connected sender with a checkbox, ticked when the
/// person's reception rules accept it.
pub(super) async fn rules(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<DoneQuery>,
) -> Response {
    let a = account_texts(holder.language);
    let notice = query.sparat.is_some().then_some(a.saved);
    let problem = |text| message(&holder, a.rules_heading, text);
    let registry = &state.shared.registry;
    let person = &holder.person.person;
    match has_profile_here(&state.shared, person).await {
        Ok(true) => {}
        Ok(false) => return problem(a.not_registered_here),
        Err(error) => return problem(unavailable(a, &error)),
    }
    let senders = match registry.senders().await {
        Ok(senders) => senders,
        Err(error) => return problem(unavailable(a, &error)),
    };
    let accepted = match registry.accepted_senders(person).await {
        Ok(accepted) => accepted,
        Err(error) => return problem(unavailable(a, &error)),
    };
    let senders = senders
        .into_iter()
        .map(|sender| SenderChoice {
            is_accepted: accepted.contains(&sender.id),
            id: sender.id.as_str().to_owned(),
            name: sender.name,
        })
        .collect();
    let page = RulesPage {
        layout: holder.layout(),
        a,
        senders,
        notice,
    };
    render(StatusCode::OK, &page)
}

/// `POST /installningar/avsandare`: the ticked senders (`avsandare`, repeated) become the
/// text to sign; the browser goes to the signing service.
pub(super) async fn save_rules(
    State(state): State<InboxState>,
    holder: Holder,
    body: Bytes,
) -> Result<Response, Failure> {
    if body.len() > INBOX_FORM_BYTES_MAX {
        return Err(Failure::BadForm);
    }
    let mut csrf_token = String::new();
    let mut ticked = Vec::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        match name.as_ref() {
            "csrf_token" => csrf_token = value.into_owned(),
            "avsandare" => ticked.push(value.into_owned()),
            _ => {}
        }
    }
    holder.check_csrf(&state, &csrf_token)?;
    let a = account_texts(holder.language);
    let senders = match state.shared.registry.senders().await {
        Ok(senders) => senders,
        Err(error) => return Ok(message(&holder, a.rules_heading, unavailable(a, &error))),
    };
    let (accepted, deselected): (Vec<SenderInfo>, Vec<SenderInfo>) = senders
        .into_iter()
        .partition(|sender| ticked.iter().any(|id| id == sender.id.as_str()));
    let text = rules_text(&deselected);
    let purpose = SigningPurpose::ReceptionRules { accepted };
    Ok(signing::start(&state, &holder, text, purpose).await)
}

/// The reception rules in words, as the person signs them (Swedish, like every agreement
/// text the registry stores): all senders, or all but the deselected ones.
fn rules_text(deselected: &[SenderInfo]) -> String {
    if deselected.is_empty() {
        return signing::RULES_ALL_TEXT.to_owned();
    }
    let names = deselected
        .iter()
        .map(|sender| format!("{} ({})", sender.name, sender.id.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{} {names}.", signing::RULES_EXCEPT_TEXT)
}

/// `/installningar/byt-brevlada`: the other operators to move to.
pub(super) async fn move_page(State(state): State<InboxState>, holder: Holder) -> Response {
    let a = account_texts(holder.language);
    let person = &holder.person.person;
    match has_profile_here(&state.shared, person).await {
        Ok(true) => {}
        Ok(false) => return message(&holder, a.move_heading, a.not_registered_here),
        Err(error) => return message(&holder, a.move_heading, unavailable(a, &error)),
    }
    let operators = match other_operators(&state).await {
        Ok(operators) => operators,
        Err(error) => return message(&holder, a.move_heading, unavailable(a, &error)),
    };
    let page = MovePage {
        layout: holder.layout(),
        a,
        operators: operators
            .into_iter()
            .map(|operator| OperatorChoice {
                id: operator.id.as_str().to_owned(),
                name: operator.name,
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /installningar/byt-brevlada`.
#[derive(Debug, Deserialize)]
pub(super) struct MoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    operator: String,
}

/// `POST /installningar/byt-brevlada`: on to the chosen operator's "skaffa digital
/// brevlåda", where the person signs and that operator asks the registry to move the
/// profile (only the operator a profile moves to may ask, PROTOCOL.md §11.3).
pub(super) async fn choose_operator(
    State(state): State<InboxState>,
    holder: Holder,
    axum::Form(form): axum::Form<MoveForm>,
) -> Result<Response, Failure> {
    holder.check_csrf(&state, &form.csrf_token)?;
    let a = account_texts(holder.language);
    let operators = match other_operators(&state).await {
        Ok(operators) => operators,
        Err(error) => return Ok(message(&holder, a.move_heading, unavailable(a, &error))),
    };
    let chosen = OrganisationNumber::parse(form.operator.trim())
        .ok()
        .and_then(|id| operators.into_iter().find(|operator| operator.id == id));
    let target = chosen
        .and_then(|operator| operator.ui_address)
        .and_then(|address| address.join("skaffa").ok());
    let target = target.ok_or(Failure::BadForm)?;
    Ok(see_other(target.as_str()))
}

/// The operators other than this one that have a web inbox to sign at.
async fn other_operators(state: &InboxState) -> Result<Vec<OperatorInfo>, RegistryError> {
    let own = &state.shared.organisation_number;
    let operators = state.shared.registry.operators().await?;
    Ok(operators
        .into_iter()
        .filter(|operator| &operator.id != own && operator.ui_address.is_some())
        .collect())
}

/// `/installningar/avregistrera`: what deregistering means, and the signing button.
pub(super) async fn deregister_page(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<DoneQuery>,
) -> Response {
    let a = account_texts(holder.language);
    let is_done = query.klart.is_some();
    if !is_done {
        match has_profile_here(&state.shared, &holder.person.person).await {
            Ok(true) => {}
            Ok(false) => {
                return message(&holder, a.deregister_heading, a.not_registered_here);
            }
            Err(error) => {
                return message(&holder, a.deregister_heading, unavailable(a, &error));
            }
        }
    }
    let page = DeregisterPage {
        layout: holder.layout(),
        a,
        is_done,
    };
    render(StatusCode::OK, &page)
}

/// `POST /installningar/avregistrera`: off to sign [`DEREGISTER_TEXT`].
pub(super) async fn deregister(
    State(state): State<InboxState>,
    CheckedHolder(holder): CheckedHolder,
) -> Response {
    signing::start(
        &state,
        &holder,
        DEREGISTER_TEXT.to_owned(),
        SigningPurpose::Deregister,
    )
    .await
}

/// Where a person's digital mailbox is, as the registry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MailboxPlace {
    /// At this operator.
    Here,
    /// At another operator.
    Elsewhere(OrganisationNumber),
    /// Nowhere: no active profile.
    Nowhere,
    /// The registry could not say.
    Unknown,
}

/// Asks the registry where `person`'s digital mailbox is.
pub(super) async fn mailbox_place(
    shared: &super::Shared,
    person: &kuvert_core::id::PersonalIdentityNumber,
) -> MailboxPlace {
    let recipient = kuvert_core::id::RecipientId::Person(person.clone());
    let profile = match shared.registry.recipient(&recipient).await {
        Ok(profile) => profile,
        Err(error) => {
            tracing::warn!(error = %error, "registry could not say where a mailbox is");
            return MailboxPlace::Unknown;
        }
    };
    match profile.operator.filter(|_| profile.is_active) {
        Some(operator) if operator == shared.organisation_number => MailboxPlace::Here,
        Some(operator) => MailboxPlace::Elsewhere(operator),
        None => MailboxPlace::Nowhere,
    }
}

/// The notice for a person whose own letters are kept here but whose digital mailbox is now
/// at another operator ("Din digitala brevlåda finns nu hos X; här kan du fortfarande läsa
/// och ladda ner dina gamla brev") or who has none; `None` while it is here, and when the
/// registry cannot say (the letters stay readable either way).
pub(super) async fn mailbox_notice(
    shared: &super::Shared,
    person: &kuvert_core::id::PersonalIdentityNumber,
    language: kuvert_web::i18n::Language,
) -> Option<String> {
    let place = mailbox_place(shared, person).await;
    place_notice(shared, &place, language).await
}

/// The notice of [`mailbox_notice`] for a place already asked.
pub(super) async fn place_notice(
    shared: &super::Shared,
    place: &MailboxPlace,
    language: kuvert_web::i18n::Language,
) -> Option<String> {
    let a = account_texts(language);
    match place {
        MailboxPlace::Here | MailboxPlace::Unknown => None,
        MailboxPlace::Elsewhere(operator) => {
            let name = operator_name(shared, operator).await;
            Some(format!(
                "{} {name}; {}",
                a.moved_notice, a.old_letters_notice
            ))
        }
        MailboxPlace::Nowhere => Some(a.no_mailbox_notice.to_owned()),
    }
}

/// The operator's name from the registry, or its organisation number when it cannot say.
async fn operator_name(shared: &super::Shared, operator: &OrganisationNumber) -> String {
    match shared.registry.operators().await {
        Ok(operators) => operators
            .into_iter()
            .find(|known| &known.id == operator)
            .map_or_else(|| operator.as_str().to_owned(), |known| known.name),
        Err(error) => {
            tracing::warn!(error = %error, "registry did not list the operators");
            operator.as_str().to_owned()
        }
    }
}

/// The plain-language text for a registry that did not answer usably (logged here).
fn unavailable(a: &'static AccountTexts, error: &RegistryError) -> &'static str {
    if error.is_refusal() {
        tracing::warn!(error = %error, "registry refused an account question");
        a.registry_refused
    } else {
        tracing::warn!(error = %error, "registry did not answer an account question");
        a.registry_unavailable
    }
}

/// A page with `heading` and `text`, linking back to the settings.
fn message(holder: &Holder, heading: &'static str, text: &'static str) -> Response {
    let a = account_texts(holder.language);
    let page = super::pages::MessagePage {
        heading,
        text,
        call_id: None,
        link: Some(("/installningar", a.back_to_settings)),
        layout: holder.layout(),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests;
