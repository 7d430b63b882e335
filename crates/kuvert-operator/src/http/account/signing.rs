//! Every change of a profile is signed with e-ID at the signing service, the same way as
//! "skaffa digital brevlåda": [`start`] remembers what the signature is for
//! ([`SigningPurpose`]) and the exact text server-side, then sends the browser to sign;
//! the signing service posts back to `/skaffa/signerad`, whose handler calls [`finish`],
//! which takes the change to the registry and answers with the page to show next.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_eid::SignatureData;
use kuvert_eid::signature::{BoundAction, SigningBinding};
use kuvert_web::i18n::Language;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::super::auth::Holder;
use super::super::pages::{Layout, MessagePage, render, see_other};
use super::super::session::{LoggedIn, PendingSigning};
use super::super::{InboxState, Shared};
use super::texts::account_texts;
use crate::registry_client::account::{RegistrationSource, SenderInfo, Signed, SigningOutcome};
use kuvert_core::registry::SigningStatus;
use kuvert_web::registry_client::RegistryError;

/// The text a person signs to move their profile here (`changeServiceSupplier`).
pub(in crate::http) const MOVE_AGREEMENT_TEXT: &str = "Jag vill byta brevlåda och flytta min \
profil i Förmedlingsadressregistret till den här brevlådeoperatören. Ny digital post kommer \
hit. Mina mottagningsregler gäller som förut.";

/// The text a person signs to deregister.
pub(in crate::http) const DEREGISTER_TEXT: &str = "Jag vill avregistrera mig. Min profil tas \
bort från Förmedlingsadressregistret och post från avsändare kommer som pappersutskick.";

/// The text each authorised signatory signs to register a company.
pub(in crate::http) const COMPANY_AGREEMENT_TEXT: &str = "Vi vill att företaget ska ha en \
digital brevlåda hos den här brevlådeoperatören och ta emot digital post från avsändare som \
är anslutna till Mina meddelanden. Jag signerar som firmatecknare.";

/// Reception rules that accept every connected sender, as the person signs them.
pub(in crate::http) const RULES_ALL_TEXT: &str = "Jag vill få digital post från alla \
avsändare som är anslutna till Mina meddelanden.";

/// The start of reception rules that deselect senders; their names and numbers follow. The
/// text names only the deselected senders, which stay few, so it stays short however many
/// senders are connected (and senders connected later are accepted, PROTOCOL.md §14 q1).
pub(in crate::http) const RULES_EXCEPT_TEXT: &str = "Jag vill få digital post från alla \
avsändare som är anslutna till Mina meddelanden utom dessa, vars post ska komma som \
pappersutskick:";

/// What a pending signature is for; decided before the person signs, never read from the
/// signing service's post back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(in crate::http) enum SigningPurpose {
    /// Register the person's profile here, naming the deep link that brought them.
    Register {
        /// The deep link, if any.
        source: Option<RegistrationSource>,
    },
    /// Move the person's profile from another operator to this one.
    MoveHere,
    /// New reception rules: exactly these senders are accepted.
    ReceptionRules {
        /// The accepted senders.
        accepted: Vec<SenderInfo>,
    },
    /// Deregister the person's profile held here.
    Deregister,
    /// One more authorised signatory's signature for a company's registration here.
    Company {
        /// The company.
        company: OrganisationNumber,
    },
}

impl SigningPurpose {
    /// The change the registry is asked for and the mailbox it changes, as the signed text
    /// names them.
    fn bound_change(&self, person: &PersonalIdentityNumber) -> (BoundAction, RecipientId) {
        let own = RecipientId::Person(person.clone());
        match self {
            Self::Register { .. } => (BoundAction::Register, own),
            Self::MoveHere => (BoundAction::ChangeOperator, own),
            Self::ReceptionRules { .. } => (BoundAction::ReceptionRules, own),
            Self::Deregister => (BoundAction::Deregister, own),
            Self::Company { company } => (
                BoundAction::Register,
                RecipientId::Organisation(company.clone()),
            ),
        }
    }
}

/// Remembers the signing of `text` for `purpose` in the holder's session and sends the
/// browser to the signing service; the text signed is `text` bound to the change.
pub(in crate::http) async fn start(
    state: &InboxState,
    holder: &Holder,
    text: String,
    purpose: SigningPurpose,
) -> Response {
    let shared = &state.shared;
    // The text names the change, the mailbox, this operator and the time, so the registry
    // accepts the signature for this change only, and only soon (kuvert_eid::signature).
    let (action, recipient) = purpose.bound_change(&holder.person.person);
    let text = SigningBinding::now(action, recipient, &shared.domain).bind(&text);
    let signing_state = SecretString::from(format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut url: Url = shared.settings.signing_service_url.clone();
    url.query_pairs_mut()
        .append_pair("client_id", &shared.settings.oidc_client_id)
        .append_pair(
            "redirect_uri",
            shared.settings.own_url("skaffa/signerad").as_str(),
        )
        .append_pair("text", &text)
        .append_pair("state", signing_state.expose_secret());
    let pending = PendingSigning {
        state: signing_state,
        agreement_text: text,
        purpose,
    };
    let is_stored = shared.sessions.update(&holder.session_id, |session| {
        session.pending_signing = Some(pending.clone());
    });
    match is_stored.await {
        Ok(true) => {}
        Ok(false) => return see_other("/"),
        Err(error) => return super::super::pages::Failure::from(error).into_response(),
    }
    see_other(url.as_str())
}

/// The signing service said the person cancelled: nothing changes.
pub(in crate::http) fn cancelled(pending: &PendingSigning, language: Language) -> Response {
    let text = match pending.purpose {
        SigningPurpose::Register { .. } => super::super::texts::texts(language).signing_cancelled,
        _ => account_texts(language).signing_cancelled,
    };
    problem(&pending.purpose, text, StatusCode::OK, language)
}

/// Takes the signed change to the registry; the answer is the page to show next.
pub(in crate::http) async fn finish(
    shared: &Shared,
    person: &LoggedIn,
    pending: PendingSigning,
    signature: &SignatureData,
    language: Language,
) -> Response {
    let signed = Signed {
        text: &pending.agreement_text,
        signature,
    };
    let registry = &shared.registry;
    let person_number = &person.person;
    let domain = &shared.domain;
    let result = match &pending.purpose {
        SigningPurpose::Register { source } => {
            let source = source.as_ref();
            registry
                .register_person(person_number, domain, signed, source)
                .await
        }
        SigningPurpose::MoveHere => {
            registry
                .change_operator(person_number, domain, signed)
                .await
        }
        SigningPurpose::ReceptionRules { accepted } => {
            registry
                .store_reception_rules(person_number, accepted, signed)
                .await
        }
        SigningPurpose::Deregister => registry.deregister(person_number, domain, signed).await,
        SigningPurpose::Company { company } => {
            let outcome = registry.register_company(company, domain, signed).await;
            if let Ok(outcome) = &outcome
                && let Err(response) = grant_company(shared, company, outcome, language).await
            {
                return response;
            }
            outcome
        }
    };
    match result {
        Ok(outcome) => next_page(&pending.purpose, &outcome, language),
        Err(error) => registry_problem(&pending.purpose, &error, language),
    }
}

/// When a company's registration is complete, everyone who signed becomes a representative
/// of its mailbox here.
async fn grant_company(
    shared: &Shared,
    company: &OrganisationNumber,
    outcome: &SigningOutcome,
    language: Language,
) -> Result<(), Response> {
    if outcome.status != SigningStatus::Complete {
        return Ok(());
    }
    let signers: Vec<&PersonalIdentityNumber> = outcome
        .signed_by
        .iter()
        .filter_map(|signatory| signatory.person.as_ref())
        .collect();
    for signer in signers {
        if let Err(error) = shared
            .store
            .grant_representation(company, signer, time::OffsetDateTime::now_utc())
            .await
        {
            tracing::error!(error = %error, "representation of a registered company not stored");
            let t = super::super::texts::texts(language);
            let purpose = SigningPurpose::Company {
                company: company.clone(),
            };
            return Err(problem(
                &purpose,
                t.internal,
                StatusCode::INTERNAL_SERVER_ERROR,
                language,
            ));
        }
    }
    Ok(())
}

/// After a change the registry accepted (or, for a company, recorded).
fn next_page(purpose: &SigningPurpose, outcome: &SigningOutcome, language: Language) -> Response {
    let is_done = outcome.status == SigningStatus::Complete;
    match purpose {
        SigningPurpose::Register { .. } | SigningPurpose::MoveHere if is_done => {
            see_other("/brevlada")
        }
        SigningPurpose::ReceptionRules { .. } if is_done => {
            see_other("/installningar/avsandare?sparat=1")
        }
        SigningPurpose::Deregister if is_done => see_other("/installningar/avregistrera?klart=1"),
        SigningPurpose::Company { company } => {
            see_other(&format!("/foretag/{}?signerat=1", company.as_str()))
        }
        _ => {
            let t = account_texts(language);
            problem(purpose, t.registry_refused, StatusCode::OK, language)
        }
    }
}

/// The registry could not be asked, or refused: say which, in plain words.
fn registry_problem(
    purpose: &SigningPurpose,
    error: &RegistryError,
    language: Language,
) -> Response {
    let t = account_texts(language);
    if error.is_signature_refusal() {
        tracing::warn!(error = %error, "registry refused the person's signature");
        return problem(purpose, t.signature_refused, StatusCode::CONFLICT, language);
    }
    if let SigningPurpose::Register { .. } = purpose {
        tracing::warn!(error = %error, "registry did not register a profile");
        let text = super::super::texts::texts(language).registration_failed;
        return problem(purpose, text, StatusCode::BAD_GATEWAY, language);
    }
    if error.is_refusal() {
        tracing::warn!(error = %error, "registry refused a signed change");
        problem(purpose, t.registry_refused, StatusCode::CONFLICT, language)
    } else {
        tracing::warn!(error = %error, "registry did not answer a signed change");
        problem(
            purpose,
            t.registry_unavailable,
            StatusCode::BAD_GATEWAY,
            language,
        )
    }
}

/// A page saying `text`, linking back to where the person started.
fn problem(
    purpose: &SigningPurpose,
    text: &'static str,
    status: StatusCode,
    language: Language,
) -> Response {
    let t = super::super::texts::texts(language);
    let back: &'static str = match purpose {
        SigningPurpose::Register { .. } | SigningPurpose::MoveHere => "/skaffa",
        SigningPurpose::ReceptionRules { .. } => "/installningar/avsandare",
        SigningPurpose::Deregister => "/installningar/avregistrera",
        SigningPurpose::Company { .. } => "/foretag",
    };
    let page = MessagePage {
        heading: t.error_heading,
        text,
        call_id: None,
        link: Some((back, account_texts(language).try_again)),
        layout: Layout::anonymous(language),
    };
    render(status, &page)
}
