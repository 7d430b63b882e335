//! Company mailboxes (PROTOCOL.md §11.1 step 7, §11.9): a logged-in person names a company
//! they are an authorised signatory for (`/foretag`), sees its registration on
//! `/foretag/{orgnr}` (who has signed, how many more are needed) and signs. The registry
//! keeps the registration pending until the company's signatory rule is met; when it is,
//! everyone who signed becomes a representative of the company's mailbox here
//! ([`super::signing`]) and opens it from their own login through `/brevlada/valj`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use serde::Deserialize;

use super::super::InboxState;
use super::super::auth::{CheckedHolder, Holder};
use super::super::pages::{Layout, MessagePage, render, see_other};
use super::signing::{self, COMPANY_AGREEMENT_TEXT, SigningPurpose};
use super::texts::{AccountTexts, account_texts};
use crate::registry_client::account::{CompanyAccount, CompanyState, Signatory};
use kuvert_core::registry::SigningStatus;
use kuvert_web::registry_client::RegistryError;

/// `/foretag`: the organisation number field.
#[derive(Template)]
#[template(path = "account_company_start.html")]
pub(in crate::http) struct CompanyStartPage {
    pub(in crate::http) layout: Layout,
    pub(in crate::http) a: &'static AccountTexts,
    pub(in crate::http) value: String,
    pub(in crate::http) problem: Option<&'static str>,
}

/// `/foretag/{orgnr}`.
#[derive(Template)]
#[template(path = "account_company.html")]
pub(in crate::http) struct CompanyPage {
    pub(in crate::http) layout: Layout,
    pub(in crate::http) a: &'static AccountTexts,
    pub(in crate::http) number: String,
    pub(in crate::http) name: String,
    pub(in crate::http) rule_text: String,
    pub(in crate::http) signatories: Vec<SignatoryView>,
    /// The state in words.
    pub(in crate::http) state_text: &'static str,
    /// While pending here, when the registry can judge the rule.
    pub(in crate::http) progress: Option<Progress>,
    pub(in crate::http) can_sign: bool,
    pub(in crate::http) has_signed: bool,
    pub(in crate::http) can_open: bool,
}

/// How far a pending registration has come.
pub(in crate::http) struct Progress {
    /// "1 av 2 signaturer klara".
    pub(in crate::http) done: String,
    pub(in crate::http) more: usize,
}

/// One authorised signatory and whether they have signed.
pub(in crate::http) struct SignatoryView {
    pub(in crate::http) name: String,
    pub(in crate::http) has_signed: bool,
}

/// `?organisationsnummer=` of the `/foretag` form (a GET form: it changes nothing).
#[derive(Debug, Default, Deserialize)]
pub(in crate::http) struct StartQuery {
    organisationsnummer: Option<String>,
}

/// `/foretag`: the form, or on to `/foretag/{orgnr}` once a valid number was given.
pub(in crate::http) async fn start(holder: Holder, Query(query): Query<StartQuery>) -> Response {
    let a = account_texts(holder.language);
    let value = query.organisationsnummer.unwrap_or_default();
    let problem = if value.trim().is_empty() {
        None
    } else {
        match OrganisationNumber::parse(value.trim()) {
            Ok(number) => return see_other(&format!("/foretag/{}", number.as_str())),
            Err(_) => Some(a.company_invalid_number),
        }
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = CompanyStartPage {
        layout: holder.layout(),
        a,
        value,
        problem,
    };
    render(status, &page)
}

/// `/foretag/{orgnr}`: the company's registration as this signatory sees it.
pub(in crate::http) async fn page(
    State(state): State<InboxState>,
    holder: Holder,
    Path(number): Path<String>,
) -> Response {
    let a = account_texts(holder.language);
    let Ok(company) = OrganisationNumber::parse(&number) else {
        return message(&holder, a.company_invalid_number, StatusCode::NOT_FOUND);
    };
    let account = match account(&state, &holder, &company).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let person = &holder.person.person;
    let own_domain = Some(&state.shared.domain);
    let (state_text, signed_by, is_pending_here) = match &account.state {
        CompanyState::None => (a.company_state_none, Vec::new(), false),
        CompanyState::Pending {
            signed_by,
            operator_domain,
        } if operator_domain.as_ref() == own_domain => {
            (a.company_state_pending, signed_by.clone(), true)
        }
        CompanyState::Pending { signed_by, .. } => {
            (a.company_pending_elsewhere, signed_by.clone(), false)
        }
        CompanyState::Active { operator_domain } if operator_domain.as_ref() == own_domain => {
            (a.company_state_active, Vec::new(), false)
        }
        CompanyState::Active { .. } => (a.company_state_elsewhere, Vec::new(), false),
    };
    let has_signed = signed_by
        .iter()
        .any(|signer| signer.person.as_ref() == Some(person));
    let progress = if is_pending_here {
        match required_signatures(&state, &company, &account, &signed_by).await {
            Ok(required) => required.map(|required| Progress {
                done: signatures_done(a, signed_by.len(), required),
                more: required.saturating_sub(signed_by.len()),
            }),
            Err(error) => {
                tracing::warn!(error = %error, "registry could not judge the signatory rule");
                None
            }
        }
    } else {
        None
    };
    let represented = state.shared.store.represented_companies(person).await;
    let can_open = matches!(represented, Ok(companies) if companies.contains(&company));
    let is_open_for_signing = matches!(account.state, CompanyState::None) || is_pending_here;
    let page = CompanyPage {
        layout: holder.layout(),
        a,
        number: company.as_str().to_owned(),
        name: account.company_name.clone(),
        rule_text: account.rule_text.clone(),
        signatories: signatory_views(&account.signatories, &signed_by),
        state_text,
        progress,
        can_sign: is_open_for_signing && !has_signed,
        has_signed,
        can_open,
    };
    render(StatusCode::OK, &page)
}

/// `POST /foretag/{orgnr}`: an authorised signatory goes to sign the company's agreement.
pub(in crate::http) async fn sign(
    State(state): State<InboxState>,
    Path(number): Path<String>,
    CheckedHolder(holder): CheckedHolder,
) -> Response {
    let a = account_texts(holder.language);
    let Ok(company) = OrganisationNumber::parse(&number) else {
        return message(&holder, a.company_invalid_number, StatusCode::NOT_FOUND);
    };
    if let Err(response) = account(&state, &holder, &company).await {
        return response;
    }
    let purpose = SigningPurpose::Company { company };
    signing::start(&state, &holder, COMPANY_AGREEMENT_TEXT.to_owned(), purpose).await
}

/// The company's account for an authorised signatory; anyone else gets a page saying why.
async fn account(
    state: &InboxState,
    holder: &Holder,
    company: &OrganisationNumber,
) -> Result<CompanyAccount, Response> {
    let a = account_texts(holder.language);
    let person = &holder.person.person;
    match state.shared.registry.company_account(company, person).await {
        Ok(account) if account.is_authorized_signer => Ok(account),
        Ok(_) => Err(message(
            holder,
            a.company_not_signatory,
            StatusCode::FORBIDDEN,
        )),
        Err(error) if error.is_refusal() => {
            tracing::info!(error = %error, "registry knows no signatory rule for a company");
            Err(message(holder, a.company_unknown, StatusCode::NOT_FOUND))
        }
        Err(error) => {
            tracing::warn!(error = %error, "registry did not answer isAuthorizedSigner");
            Err(message(
                holder,
                a.registry_unavailable,
                StatusCode::BAD_GATEWAY,
            ))
        }
    }
}

/// How many signatures the rule needs: the registry is asked (`testNewSigner`) whether the
/// signers so far plus one more, two more, … of the others would suffice. `None` when even
/// all of them would not (a rule the registry cannot judge).
async fn required_signatures(
    state: &InboxState,
    company: &OrganisationNumber,
    account: &CompanyAccount,
    signed_by: &[Signatory],
) -> Result<Option<usize>, RegistryError> {
    let registry = &state.shared.registry;
    let mut signers: Vec<Signatory> = signed_by.to_vec();
    let mut others = account.signatories.iter().filter(|signatory| {
        !signed_by
            .iter()
            .any(|signed| signed.person == signatory.person)
    });
    loop {
        match registry.signers_suffice(company, &signers).await? {
            SigningStatus::Complete => return Ok(Some(signers.len())),
            SigningStatus::RulesNotSupported => return Ok(None),
            SigningStatus::Incomplete => match others.next() {
                Some(next) => signers.push(next.clone()),
                None => return Ok(None),
            },
        }
    }
}

fn signatory_views(signatories: &[Signatory], signed_by: &[Signatory]) -> Vec<SignatoryView> {
    signatories
        .iter()
        .map(|signatory| SignatoryView {
            name: signatory.name.clone(),
            has_signed: signed_by
                .iter()
                .any(|signed| signed.person.is_some() && signed.person == signatory.person),
        })
        .collect()
}

fn message(holder: &Holder, text: &'static str, status: StatusCode) -> Response {
    let a = account_texts(holder.language);
    let page = MessagePage {
        heading: a.company_heading,
        text,
        call_id: None,
        link: Some(("/foretag", a.company_heading)),
        layout: holder.layout(),
    };
    render(status, &page)
}

/// "1 av 2 signaturer klara", "1 of 1 signature done": the phrase agrees with the required
/// count, the one it follows.
fn signatures_done(a: &AccountTexts, signed: usize, required: usize) -> String {
    let done = a.company_signatures_done.count(required);
    format!("{signed} {} {done}", a.company_of)
}

#[cfg(test)]
mod tests;
