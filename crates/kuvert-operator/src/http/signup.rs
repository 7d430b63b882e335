//! "Skaffa digital brevlåda" (PROTOCOL.md §11.1): a logged-in person without a profile here
//! reads the agreement text, signs it with e-ID at the signing service, and the operator
//! registers the profile in the registry with that `SignatureData`. A person whose profile is
//! at another operator signs to move it here instead (`changeServiceSupplier`).
//!
//! A deep link (`/skaffa?avsandare=ORGNR&kampanj=CODE`, issue 5) names the sender and
//! campaign that brought the person; valid values are kept in the sealed pre-login cookie
//! through login, then in the server-side session through signing, and sent to the registry
//! as the registration's source; invalid ones are dropped and the sign-up works as without
//! them.
//!
//! The signing service posts the signature back from its own site, a cross-site POST that
//! carries no SameSite=Lax cookie; the random `state` sent with the request finds the pending
//! signing (and the person it belongs to) server-side instead. The registry checks that the
//! signer is the person being registered. Every signed change of the account pages comes
//! back here too, and [`super::account::signing::finish`] completes it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_eid::SignatureData;
use kuvert_eid::signature::SignatureDataFields;
use kuvert_store::operator::{Folder, MailboxQuery};
use kuvert_web::i18n::Language;
use kuvert_web::session::append_set_cookie;
use serde::Deserialize;

use super::account::mailbox_notice;
use super::account::signing::{self, MOVE_AGREEMENT_TEXT, SigningPurpose};
use super::account::texts::{AccountTexts, account_texts};
use super::auth::{CheckedHolder, Holder};
use super::pages::{Failure, Layout, MessagePage, render, see_other};
use super::session::{PreLogin, take_signing};
use super::{InboxState, Shared};
use crate::registry_client::account::RegistrationSource;
use kuvert_web::registry_client::RegistryError;

/// The agreement the person signs; it is sent to the registry as `AgreementText`.
pub const AGREEMENT_TEXT: &str = "Jag vill ha en digital brevlåda hos den här \
brevlådeoperatören och ta emot digital post från avsändare som är anslutna till Mina \
meddelanden. Jag godkänner användarvillkoren för Mina meddelanden. Min profil och mina \
mottagningsregler registreras i Förmedlingsadressregistret. Post från avsändare som jag väljer \
bort kommer som pappersutskick.";

/// `/skaffa`: the agreement and "Signera med e-legitimation", or the move here.
#[derive(Template)]
#[template(path = "signup.html")]
pub(super) struct SignupPage {
    pub(super) layout: Layout,
    pub(super) a: &'static AccountTexts,
    pub(super) heading: &'static str,
    pub(super) intro: &'static str,
    pub(super) agreement_text: &'static str,
    /// "Din digitala brevlåda finns nu hos X; här kan du …", or the deregistered notice.
    pub(super) notice: Option<String>,
}

/// Whether `person` has an active profile whose operator is this one (`isRegistered`).
pub(super) async fn has_profile_here(
    shared: &Shared,
    person: &PersonalIdentityNumber,
) -> Result<bool, RegistryError> {
    let recipient = RecipientId::Person(person.clone());
    let profile = shared.registry.refresh_recipient(&recipient).await?;
    Ok(profile.is_active && profile.operator.as_ref() == Some(&shared.organisation_number))
}

/// `?avsandare=ORGNR&kampanj=CODE` of a deep link.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DeepLink {
    avsandare: Option<String>,
    kampanj: Option<String>,
}

impl DeepLink {
    /// The source the link names; an invalid sender drops the whole source, an invalid
    /// campaign only the campaign.
    fn source(&self) -> Option<RegistrationSource> {
        let sender = OrganisationNumber::parse(self.avsandare.as_deref()?.trim()).ok()?;
        Some(RegistrationSource {
            sender,
            campaign: self
                .kampanj
                .as_deref()
                .and_then(|code| CampaignCode::parse(code.trim()).ok()),
        })
    }
}

/// `/skaffa`: the agreement and "Signera med e-legitimation". Someone not logged in (the
/// portal links here) is sent to log in first, with the deep link kept in the pre-login
/// cookie; without
/// a profile they come back here.
pub(super) async fn agreement(
    State(state): State<InboxState>,
    holder: Result<Holder, Response>,
    Query(link): Query<DeepLink>,
) -> Result<Response, Failure> {
    let source = link.source();
    let Ok(holder) = holder else {
        return Ok(log_in_first(&state, source));
    };
    if let Some(source) = source {
        let sessions = &state.shared.sessions;
        sessions
            .update(&holder.session_id, |session| {
                session.signup_source = Some(source.clone());
            })
            .await?;
    }
    let shared = &state.shared;
    let layout = holder.layout();
    let a = account_texts(holder.language);
    let person = &holder.person.person;
    let profile = shared
        .registry
        .refresh_recipient(&RecipientId::Person(person.clone()))
        .await
        .map_err(Failure::internal)?;
    let operator = profile.operator.filter(|_| profile.is_active);
    if operator.as_ref() == Some(&shared.organisation_number) {
        let t = layout.t;
        let page = MessagePage {
            heading: t.signup_heading,
            text: t.already_registered,
            call_id: None,
            link: Some(("/brevlada", t.back_to_inbox)),
            layout,
        };
        return Ok(render(StatusCode::OK, &page));
    }
    let notice = if has_letters_here(shared, person).await? {
        mailbox_notice(shared, person, holder.language).await
    } else {
        None
    };
    let page = match operator {
        Some(_) => SignupPage {
            heading: a.move_here_heading,
            intro: a.move_here_intro,
            agreement_text: MOVE_AGREEMENT_TEXT,
            notice,
            a,
            layout,
        },
        None => SignupPage {
            heading: layout.t.signup_heading,
            intro: layout.t.signup_intro,
            agreement_text: AGREEMENT_TEXT,
            notice,
            a,
            layout,
        },
    };
    Ok(render(StatusCode::OK, &page))
}

/// The deep link sealed in the pre-login cookie (the login carries it over; no session is
/// made before login), then the login.
fn log_in_first(state: &InboxState, source: Option<RegistrationSource>) -> Response {
    let Some(source) = source else {
        return see_other("/logga-in");
    };
    let prelogin = &state.shared.prelogin;
    let mut response = see_other("/logga-in");
    match prelogin.set_cookie(&PreLogin::new(None, Some(&source))) {
        Ok(cookie) => append_set_cookie(&mut response, cookie),
        // The sign-up works without its source, as with an invalid link.
        Err(error) => tracing::warn!(error = %error, "deep link not kept"),
    }
    response
}

/// Whether letters addressed to `person` are kept here (from before a move or deregister).
async fn has_letters_here(
    shared: &Shared,
    person: &PersonalIdentityNumber,
) -> Result<bool, Failure> {
    for folder in [Folder::Inbox, Folder::Archive] {
        let query = MailboxQuery {
            recipient: RecipientId::Person(person.clone()),
            folder,
            sender: None,
            search: None,
            page: 0,
            page_size: 1,
        };
        if shared.store.letters(&query).await?.total > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `POST /skaffa`: off to the signing service, to register here or to move the profile here.
pub(super) async fn start_signing(
    State(state): State<InboxState>,
    CheckedHolder(holder): CheckedHolder,
) -> Result<Response, Failure> {
    let shared = &state.shared;
    let recipient = RecipientId::Person(holder.person.person.clone());
    let profile = shared
        .registry
        .refresh_recipient(&recipient)
        .await
        .map_err(Failure::internal)?;
    let elsewhere = profile.is_active
        && profile
            .operator
            .as_ref()
            .is_some_and(|operator| operator != &shared.organisation_number);
    let (text, purpose) = if elsewhere {
        (MOVE_AGREEMENT_TEXT, SigningPurpose::MoveHere)
    } else {
        let session = shared.sessions.get(&holder.session_id).await?;
        let source = session.and_then(|session| session.signup_source);
        (AGREEMENT_TEXT, SigningPurpose::Register { source })
    };
    Ok(signing::start(&state, &holder, text.to_owned(), purpose).await)
}

/// The signing service's post back: `SignatureData` fields, or `error`, and `state`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SignedForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "Signature", default)]
    signature: Option<String>,
    #[serde(rename = "Certificate", default)]
    certificate: Option<String>,
    #[serde(rename = "Nonce", default)]
    nonce: Option<String>,
    #[serde(rename = "EncodingOfSignedText", default)]
    encoding_of_signed_text: Option<String>,
}

impl SignedForm {
    /// The signature, when the form carries one that is well-formed.
    fn signature_data(&self) -> Option<SignatureData> {
        let fields = SignatureDataFields {
            signature: self.signature.clone()?,
            certificate: self.certificate.clone()?,
            nonce: self.nonce.clone(),
            encoding_of_signed_text: self.encoding_of_signed_text.clone(),
        };
        SignatureData::from_fields(&fields).ok()
    }
}

/// `POST /skaffa/signerad`: completes what was signed (registration, move, reception rules,
/// deregistering, a company signature), then the next page.
pub(super) async fn signed(
    State(state): State<InboxState>,
    language: Language,
    Form(form): Form<SignedForm>,
) -> Result<Response, Failure> {
    let shared = &state.shared;
    let taken = take_signing(&shared.sessions, &form.state).await?;
    let (person, pending) = taken.ok_or(Failure::BadForm)?;
    if form.error.is_some() {
        return Ok(signing::cancelled(&pending, language));
    }
    let Some(signature) = form.signature_data() else {
        let t = super::texts::texts(language);
        let page = MessagePage {
            heading: t.error_heading,
            text: t.signing_failed,
            call_id: None,
            link: Some(("/brevlada", t.back_to_inbox)),
            layout: Layout::anonymous(language),
        };
        return Ok(render(StatusCode::BAD_REQUEST, &page));
    };
    Ok(signing::finish(shared, &person, pending, &signature, language).await)
}

#[cfg(test)]
mod tests;
