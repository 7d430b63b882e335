//! The SOAP endpoints `/ec/Recipient/v3` (14 operations, PROTOCOL.md §5.1) and `/ec/Authority`
//! (7 operations, §5.2): thin handlers that parse with `kuvert-wire`, call [`Registry`], and
//! render the response or the fault. The caller is the organisation of the verified client
//! certificate, never a value from the body.

mod authority;
mod render;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::recipient::{self as wire, RecipientRequest};
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

async fn dispatch_recipient(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: RecipientRequest,
) -> Result<String, Error> {
    use RecipientRequest as R;
    match request {
        R::IsReachable(request) => is_reachable(registry, caller, request).await,
        R::IsRegistered(request) => is_registered(registry, caller, request).await,
        R::Register(request) => register(registry, caller, request).await,
        R::Deregister(request) => deregister(registry, caller, request).await,
        R::ChangeServiceSupplier(request) => change_operator(registry, caller, request).await,
        R::GetAccountPreferences(request) => preferences(registry, caller, request).await,
        R::StoreAccountPreferences(request) => store_preferences(registry, caller, request).await,
        R::GetPendingAccountRequest(request) => pending(registry, caller, request).await,
        R::DeletePendingAccountRequest(request) => {
            let user = user_person(&request.user)?;
            registry
                .cancel_pending(caller, &request.recipient, &user)
                .await?;
            Ok(wire::DeletePendingAccountRequestResponse.to_envelope())
        }
        R::IsAuthorizedSigner(request) => {
            let user = user_person(&request.user)?;
            let answer = registry
                .authorized_signer(caller, &request.company, &user)
                .await?;
            let account = render::authorized_account(&request, &answer);
            Ok(wire::IsAuthorizedSignerResponse { account }.to_envelope())
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

async fn is_reachable(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::IsReachable,
) -> Result<String, Error> {
    let answers = registry
        .is_reachable(caller, request.sender(), request.recipients())
        .await?;
    let statuses = answers
        .into_iter()
        .map(render::reachability_status)
        .collect();
    Ok(wire::IsReachableResponse { statuses }.to_envelope())
}

async fn is_registered(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::IsRegistered,
) -> Result<String, Error> {
    let answers = registry.is_registered(caller, &request.recipients).await?;
    let statuses = answers.iter().map(render::account_status).collect();
    Ok(wire::IsRegisteredResponse { statuses }.to_envelope())
}

async fn change_operator(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::ChangeServiceSupplier,
) -> Result<String, Error> {
    let change = SignedChange {
        recipient: request.recipient,
        user: Some(user_person(&request.user)?),
        agreement_text: request.agreement_text,
        signatures: render::eid_signatures(&request.signatures, SignedFor::OtherChange)?,
    };
    let outcome = registry
        .change_operator(caller, &request.operator_domain, change)
        .await?;
    let result = render::signature_result(&outcome);
    Ok(wire::ChangeServiceSupplierResponse { result }.to_envelope())
}

async fn preferences(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::GetAccountPreferences,
) -> Result<String, Error> {
    let user = user_person(&request.user)?;
    let senders = registry
        .reception_rules(caller, &request.recipient, &user)
        .await?;
    let preferences = render::account_preferences(&request.recipient, &senders);
    Ok(wire::GetAccountPreferencesResponse { preferences }.to_envelope())
}

async fn pending(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::GetPendingAccountRequest,
) -> Result<String, Error> {
    let user = user_person(&request.user)?;
    let pending = registry
        .pending_requests(caller, &request.recipients, &user)
        .await?;
    let requests = pending
        .iter()
        .map(render::pending_account_request)
        .collect();
    Ok(wire::GetPendingAccountRequestResponse { requests }.to_envelope())
}

async fn register(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::Register,
) -> Result<String, Error> {
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
    let change = SignedChange {
        recipient: request.request.recipient,
        user: None,
        agreement_text: request.request.agreement_text,
        signatures: render::eid_signatures(&request.signatures, SignedFor::Registration)?,
    };
    let outcome = registry
        .register(caller, &request.request.operator_domain, change, None)
        .await?;
    let result = render::signature_result(&outcome);
    Ok(wire::RegisterResponse { result }.to_envelope())
}

async fn deregister(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::Deregister,
) -> Result<String, Error> {
    if request.request.kind != AccountRequestType::Delete {
        let reason = "deregister needs deregisterAccount/Type=Delete";
        return Err(Error::InvalidInput(reason.to_owned()));
    }
    let change = SignedChange {
        recipient: request.request.recipient,
        user: None,
        agreement_text: request.request.agreement_text,
        signatures: render::eid_signatures(&request.signatures, SignedFor::OtherChange)?,
    };
    let outcome = registry.deregister(caller, change).await?;
    let result = render::signature_result(&outcome);
    Ok(wire::DeregisterResponse { result }.to_envelope())
}

async fn store_preferences(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::StoreAccountPreferences,
) -> Result<String, Error> {
    if request.preferences.recipient != request.recipient {
        let reason = "preferences/Id differs from Id";
        return Err(Error::InvalidInput(reason.to_owned()));
    }
    let accepted: Vec<_> = request
        .preferences
        .accepted_senders
        .iter()
        .map(|sender| sender.id.clone())
        .collect();
    let change = SignedChange {
        recipient: request.recipient,
        user: Some(user_person(&request.user)?),
        agreement_text: request.agreement_text,
        signatures: render::eid_signatures(&request.signatures, SignedFor::OtherChange)?,
    };
    let outcome = registry
        .store_reception_rules(caller, &accepted, change)
        .await?;
    let result = render::signature_result(&outcome);
    Ok(wire::StoreAccountPreferencesResponse { result }.to_envelope())
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
