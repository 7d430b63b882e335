//! The SOAP endpoints `/ec/Recipient/v3` (14 operations, PROTOCOL.md §5.1) and `/ec/Authority`
//! (7 operations, §5.2): thin handlers that parse with `kuvert-wire`, call [`Registry`], and
//! render the response or the fault. The caller is the organisation of the verified client
//! certificate, never a value from the body.

mod authority;
mod render;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::recipient::{self as wire, RecipientRequest};
use kuvert_wire::types::{AccountRequest, SignatureData};
use kuvert_wire::values::{AccountRequestType, AccountType, UserIdentity};

pub(crate) use authority::handle_authority;

use crate::error::{Error, SignedFor};
use crate::registry::{Registry, SignedChange};
use kuvert_web::layers::soap_response;

/// Reads at most `max` bytes of a request body.
///
/// # Errors
/// [`Error::TooLarge`] past the bound (also for a body that breaks off).
pub(crate) async fn read_body(body: Body, max: usize) -> Result<Bytes, Error> {
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| Error::TooLarge { max })
}

/// Answers one Recipient v3 envelope from `caller`.
pub(crate) async fn handle_recipient(
    registry: &Registry,
    caller: &OrganisationNumber,
    body: &[u8],
) -> Response {
    match recipient_envelope(registry, caller, body).await {
        Ok(envelope) => soap_response(StatusCode::OK, envelope),
        Err(error) => error.to_soap_response(None),
    }
}

async fn recipient_envelope(
    registry: &Registry,
    caller: &OrganisationNumber,
    body: &[u8],
) -> Result<String, Error> {
    let text = envelope_text(body)?;
    let document = envelope::parse(text)?;
    let request = wire::parse_request(&document)?;
    let operation = operation_name(&request);
    tracing::debug!(operation, "recipient request");
    metrics::counter!("kuvert_registry_soap_requests_total", "operation" => operation).increment(1);
    dispatch_recipient(registry, caller, request).await
}

/// The body as UTF-8 text (SOAP 1.1 over HTTP as MM uses it is UTF-8).
pub(crate) fn envelope_text(body: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(body).map_err(|_| Error::InvalidInput("envelope is not UTF-8".to_owned()))
}

/// One Recipient v3 request's context: the registry and the organisation of the verified
/// client certificate, which every operation acts for.
struct RecipientCall<'a> {
    registry: &'a Registry,
    caller: &'a OrganisationNumber,
}

async fn dispatch_recipient(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: RecipientRequest,
) -> Result<String, Error> {
    use RecipientRequest as R;
    let call = RecipientCall { registry, caller };
    match request {
        R::IsReachable(request) => call.is_reachable(request).await,
        R::IsRegistered(request) => call.is_registered(request).await,
        R::Register(request) => call.register(request).await,
        R::Deregister(request) => call.deregister(request).await,
        R::ChangeServiceSupplier(request) => call.change_operator(request).await,
        R::StoreAccountPreferences(request) => call.store_preferences(request).await,
        R::GetAccountPreferences(request) => {
            let user = user_person(&request.user)?;
            call.preferences(&request.recipient, &user).await
        }
        R::GetPendingAccountRequest(request) => {
            let user = user_person(&request.user)?;
            call.pending(&request.recipients, &user).await
        }
        R::DeletePendingAccountRequest(request) => {
            let user = user_person(&request.user)?;
            let cancelled = registry.cancel_pending(caller, &request.recipient, &user);
            cancelled.await?;
            Ok(wire::DeletePendingAccountRequestResponse.to_envelope())
        }
        R::IsAuthorizedSigner(request) => {
            let user = user_person(&request.user)?;
            call.authorized_signer(&request, &user).await
        }
        // Kuvert judges a company's change of operator or reception rules within one request
        // (enough signatures, or `Incomplete` and nothing changes), so there is never a
        // pending one to read or delete: the honest answer is "not found".
        R::GetPendingAccountPreferences(_) | R::DeletePendingAccountPreferences(_) => {
            registry.operator_caller(caller).await?;
            Err(Error::NotFound("pending account preferences"))
        }
        R::GetPendingChangeServiceSupplier(_) | R::DeletePendingChangeServiceSupplier(_) => {
            registry.operator_caller(caller).await?;
            Err(Error::NotFound("pending change of operator"))
        }
    }
}

impl RecipientCall<'_> {
    async fn is_reachable(&self, request: wire::IsReachable) -> Result<String, Error> {
        let (sender, recipients) = (request.sender(), request.recipients());
        let answers = self.registry.is_reachable(self.caller, sender, recipients);
        let statuses = answers.await?;
        let statuses = statuses.into_iter().map(render::reachability_status);
        let statuses = statuses.collect();
        Ok(wire::IsReachableResponse { statuses }.to_envelope())
    }

    async fn is_registered(&self, request: wire::IsRegistered) -> Result<String, Error> {
        let answers = self
            .registry
            .is_registered(self.caller, &request.recipients);
        let statuses = answers.await?.into_iter().map(render::account_status);
        let statuses = statuses.collect();
        Ok(wire::IsRegisteredResponse { statuses }.to_envelope())
    }

    async fn change_operator(&self, request: wire::ChangeServiceSupplier) -> Result<String, Error> {
        let domain = &request.operator_domain;
        let change = acting_change(&request)?;
        let outcome = self.registry.change_operator(self.caller, domain, change);
        let result = render::signature_result(&outcome.await?);
        Ok(wire::ChangeServiceSupplierResponse { result }.to_envelope())
    }

    async fn preferences(
        &self,
        recipient: &RecipientId,
        user: &PersonalIdentityNumber,
    ) -> Result<String, Error> {
        let rules = self.registry.reception_rules(self.caller, recipient, user);
        let preferences = render::account_preferences(recipient, &rules.await?);
        Ok(wire::GetAccountPreferencesResponse { preferences }.to_envelope())
    }

    async fn pending(
        &self,
        recipients: &[RecipientId],
        user: &PersonalIdentityNumber,
    ) -> Result<String, Error> {
        let pending = self
            .registry
            .pending_requests(self.caller, recipients, user);
        let pending = pending.await?;
        let requests = pending
            .iter()
            .map(render::pending_account_request)
            .collect();
        Ok(wire::GetPendingAccountRequestResponse { requests }.to_envelope())
    }

    async fn authorized_signer(
        &self,
        request: &wire::IsAuthorizedSigner,
        user: &PersonalIdentityNumber,
    ) -> Result<String, Error> {
        let answer = self
            .registry
            .authorized_signer(self.caller, &request.company, user);
        let account = render::authorized_account(request, &answer.await?);
        Ok(wire::IsAuthorizedSignerResponse { account }.to_envelope())
    }

    async fn register(&self, request: wire::Register) -> Result<String, Error> {
        if request.request.kind != AccountRequestType::Create {
            return Err(Error::InvalidInput(
                "register needs accountRequest/Type=Create".to_owned(),
            ));
        }
        if request.account_type != AccountType::Secure {
            return Err(Error::InvalidInput(
                "only accountType=Secure can be registered".to_owned(),
            ));
        }
        let domain = &request.request.operator_domain;
        let change = own_change(
            &request.request,
            &request.signatures,
            SignedFor::Registration,
        )?;
        let outcome = self.registry.register(self.caller, domain, change, None);
        let result = render::signature_result(&outcome.await?);
        Ok(wire::RegisterResponse { result }.to_envelope())
    }

    async fn deregister(&self, request: wire::Deregister) -> Result<String, Error> {
        if request.request.kind != AccountRequestType::Delete {
            let reason = "deregister needs deregisterAccount/Type=Delete";
            return Err(Error::InvalidInput(reason.to_owned()));
        }
        let change = own_change(
            &request.request,
            &request.signatures,
            SignedFor::OtherChange,
        )?;
        let outcome = self.registry.deregister(self.caller, change);
        let result = render::signature_result(&outcome.await?);
        Ok(wire::DeregisterResponse { result }.to_envelope())
    }

    async fn store_preferences(
        &self,
        request: wire::StoreAccountPreferences,
    ) -> Result<String, Error> {
        if request.preferences.recipient != request.recipient {
            let reason = "preferences/Id differs from Id";
            return Err(Error::InvalidInput(reason.to_owned()));
        }
        let accepted = request.preferences.accepted_senders.iter();
        let accepted: Vec<_> = accepted.map(|sender| sender.id.clone()).collect();
        let change = acting_change(&request)?;
        let outcome = self
            .registry
            .store_reception_rules(self.caller, &accepted, change);
        let result = render::signature_result(&outcome.await?);
        Ok(wire::StoreAccountPreferencesResponse { result }.to_envelope())
    }
}

/// A change the recipient signs for themselves (register, deregister): the account request's
/// text, signed for `signed_for`.
fn own_change(
    request: &AccountRequest,
    signatures: &[SignatureData],
    signed_for: SignedFor,
) -> Result<SignedChange, Error> {
    Ok(SignedChange {
        recipient: request.recipient.clone(),
        user: None,
        agreement_text: request.agreement_text.clone(),
        signatures: render::eid_signatures(signatures, signed_for)?,
    })
}

/// The two changes a person makes for a recipient, usually a company: a change of operator
/// and new reception rules. Both carry the same signed parts.
trait ActingRequest {
    /// The recipient, the person acting, the text they signed and their signatures.
    fn signed_parts(&self) -> (&RecipientId, &UserIdentity, &str, &[SignatureData]);
}

impl ActingRequest for wire::ChangeServiceSupplier {
    fn signed_parts(&self) -> (&RecipientId, &UserIdentity, &str, &[SignatureData]) {
        (
            &self.recipient,
            &self.user,
            &self.agreement_text,
            &self.signatures,
        )
    }
}

impl ActingRequest for wire::StoreAccountPreferences {
    fn signed_parts(&self) -> (&RecipientId, &UserIdentity, &str, &[SignatureData]) {
        (
            &self.recipient,
            &self.user,
            &self.agreement_text,
            &self.signatures,
        )
    }
}

/// The change an [`ActingRequest`] asks for: the person acting signs for the recipient.
fn acting_change(request: &impl ActingRequest) -> Result<SignedChange, Error> {
    let (recipient, user, agreement_text, signatures) = request.signed_parts();
    Ok(SignedChange {
        recipient: recipient.clone(),
        user: Some(user_person(user)?),
        agreement_text: agreement_text.to_owned(),
        signatures: render::eid_signatures(signatures, SignedFor::OtherChange)?,
    })
}

/// `UserIdentity` as a personnummer; Kuvert does not know the two-letter identities (§14 q7).
pub(crate) fn user_person(user: &UserIdentity) -> Result<PersonalIdentityNumber, Error> {
    PersonalIdentityNumber::parse(user.as_str()).map_err(|error| {
        Error::InvalidInput(format!(
            "UserIdentity is not a valid personal identity number: {error}"
        ))
    })
}

fn operation_name(request: &RecipientRequest) -> &'static str {
    use RecipientRequest as R;
    match request {
        R::GetAccountPreferences(_) => "getAccountPreferences",
        R::GetPendingAccountPreferences(_) => "getPendingAccountPreferences",
        R::DeletePendingAccountPreferences(_) => "deletePendingAccountPreferences",
        R::StoreAccountPreferences(_) => "storeAccountPreferences",
        R::IsReachable(_) => "isReachable",
        R::IsRegistered(_) => "isRegistered",
        R::Register(_) => "register",
        R::Deregister(_) => "deregister",
        R::GetPendingAccountRequest(_) => "getPendingAccountRequest",
        R::DeletePendingAccountRequest(_) => "deletePendingAccountRequest",
        R::ChangeServiceSupplier(_) => "changeServiceSupplier",
        R::GetPendingChangeServiceSupplier(_) => "getPendingChangeServiceSupplier",
        R::DeletePendingChangeServiceSupplier(_) => "deletePendingChangeServiceSupplier",
        R::IsAuthorizedSigner(_) => "isAuthorizedSigner",
    }
}
