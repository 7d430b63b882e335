//! "Skaffa digital brevlåda" (PROTOCOL.md §11.1): a logged-in person without a profile here
//! reads the agreement text, signs it with e-ID at the signing service, and the operator
//! registers the profile in the registry with that `SignatureData`.
//!
//! The signing service posts the signature back from its own site, a cross-site POST that
//! carries no SameSite=Lax cookie; the random `state` sent with the request finds the pending
//! signing (and the person it belongs to) server-side instead. The registry checks that the
//! signer is the person being registered.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_eid::SignatureData;
use kuvert_eid::signature::SignatureDataFields;
use kuvert_web::i18n::Language;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::auth::{CsrfForm, Holder};
use super::pages::{Failure, Layout, MessagePage, SignupPage, render, see_other};
use super::session::PendingSigning;
use super::{InboxState, Shared};
use crate::registry_client::{Registration, RegistryError};

/// The agreement the person signs; it is sent to the registry as `AgreementText`.
pub const AGREEMENT_TEXT: &str = "Jag vill ha en digital brevlåda hos den här \
brevlådeoperatören och ta emot digital post från avsändare som är anslutna till Mina \
meddelanden. Jag godkänner användarvillkoren för Mina meddelanden. Min profil och mina \
mottagningsregler registreras i Förmedlingsadressregistret. Post från avsändare som jag väljer \
bort kommer som pappersutskick.";

/// Whether `person` has an active profile whose operator is this one (`isRegistered`).
pub(super) async fn has_profile_here(
    shared: &Shared,
    person: &PersonalIdentityNumber,
) -> Result<bool, RegistryError> {
    let recipient = RecipientId::Person(person.clone());
    let profile = shared.registry.recipient(&recipient).await?;
    Ok(profile.is_active && profile.operator.as_ref() == Some(&shared.organisation_number))
}

/// `/skaffa`: the agreement and "Signera med e-legitimation". Someone not logged in (the
/// portal links here) is sent to log in first; without a profile they come back here.
pub(super) async fn agreement(
    State(state): State<InboxState>,
    holder: Result<Holder, Response>,
) -> Response {
    let Ok(holder) = holder else {
        return see_other("/logga-in");
    };
    let has_profile = has_profile_here(&state.shared, &holder.person.person).await;
    if matches!(has_profile, Ok(true)) {
        let layout = holder.layout();
        let t = layout.t;
        let page = MessagePage {
            heading: t.signup_heading,
            text: t.already_registered,
            call_id: None,
            link: Some(("/brevlada", t.back_to_inbox)),
            layout,
        };
        return render(StatusCode::OK, &page);
    }
    let page = SignupPage {
        layout: holder.layout(),
        agreement_text: AGREEMENT_TEXT,
        problem: None,
    };
    render(StatusCode::OK, &page)
}

/// `POST /skaffa`: remembers a new signing and sends the browser to the signing service.
pub(super) async fn start_signing(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(failure) = holder.check_csrf(&state, &form.csrf_token) {
        return failure.page(holder.layout());
    }
    let shared = &state.shared;
    let signing_state = SecretString::from(format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    ));
    let pending = PendingSigning {
        state: signing_state.clone(),
        agreement_text: AGREEMENT_TEXT.to_owned(),
    };
    let is_stored = shared.sessions.update(&holder.session_id, |session| {
        session.pending_signing = Some(pending);
    });
    if !is_stored {
        return see_other("/");
    }
    let mut url: Url = shared.settings.signing_service_url.clone();
    url.query_pairs_mut()
        .append_pair("client_id", &shared.settings.oidc_client_id)
        .append_pair(
            "redirect_uri",
            shared.settings.own_url("skaffa/signerad").as_str(),
        )
        .append_pair("text", AGREEMENT_TEXT)
        .append_pair("state", signing_state.expose_secret());
    see_other(url.as_str())
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

/// `POST /skaffa/signerad`: registers the profile with the signature, then the inbox.
pub(super) async fn signed(
    State(state): State<InboxState>,
    language: Language,
    Form(form): Form<SignedForm>,
) -> Response {
    let shared = &state.shared;
    let Some((person, pending)) = shared.sessions.take_signing(&form.state) else {
        return Failure::BadForm.page(Layout::anonymous(language));
    };
    let t = super::texts::texts(language);
    let problem = |text: &'static str, status: StatusCode| {
        let layout = Layout::anonymous(language);
        let page = MessagePage {
            heading: t.signup_heading,
            text,
            call_id: None,
            link: Some(("/skaffa", t.signup_heading)),
            layout,
        };
        render(status, &page)
    };
    if form.error.is_some() {
        return problem(t.signing_cancelled, StatusCode::OK);
    }
    let Some(signature) = form.signature_data() else {
        return problem(t.signing_failed, StatusCode::BAD_REQUEST);
    };
    let request = Registration {
        person: &person.person,
        agreement_text: &pending.agreement_text,
        signature: &signature,
        domain: &shared.domain,
    };
    match shared.registry.register(&request).await {
        Ok(()) => see_other("/brevlada"),
        Err(error) => {
            tracing::warn!(error = %error, "registry did not register a profile");
            problem(t.registration_failed, StatusCode::BAD_GATEWAY)
        }
    }
}
