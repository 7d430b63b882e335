//! `/ec/Authority` (PROTOCOL.md §5.2): the sender and intermediary directory, and the company
//! signatory checks. Faults use Authority's per-operation detail element.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_wire::authority::{
    self as wire, AccessProblemSource, AccessProblemType, AuthorityRequest, Intermediary,
    UserAccessRightsProblem, UserAccessRightsResult,
};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::types::SignatureAuthorizationResult;

use super::{envelope_text, render};
use crate::error::{Error, SignedFor};
use crate::registry::Registry;
use kuvert_web::layers::soap_response;

/// Fault detail element when the request could not even be read.
const UNREADABLE_DETAIL: &str = "getSendersFault";

/// Answers one Authority envelope from `caller`.
pub(crate) async fn handle_authority(
    registry: &Registry,
    caller: &OrganisationNumber,
    body: &[u8],
) -> Response {
    let request = match envelope_text(body)
        .and_then(|text| Ok(wire::parse_request(&envelope::parse(text)?)?))
    {
        Ok(request) => request,
        Err(error) => return error.to_soap_response(Some(UNREADABLE_DETAIL)),
    };
    let detail = request.fault_element();
    metrics::counter!("kuvert_registry_soap_requests_total", "operation" => detail).increment(1);
    match dispatch(registry, caller, request).await {
        Ok(envelope) => soap_response(StatusCode::OK, envelope),
        Err(error) => error.to_soap_response(Some(detail)),
    }
}

async fn dispatch(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: AuthorityRequest,
) -> Result<String, Error> {
    use AuthorityRequest as A;
    match request {
        A::GetSenders(_) => {
            let senders = registry.senders(caller).await?;
            let senders = senders.iter().map(render::sender_entry).collect();
            Ok(wire::GetSendersResponse { senders }.to_envelope())
        }
        A::GetDispatchers(_) => {
            let records = registry.intermediaries(caller).await?;
            let intermediaries = records
                .into_iter()
                .map(|record| Intermediary {
                    id: record.id,
                    name: record.name,
                    senders: record.senders.into_iter().collect(),
                })
                .collect();
            Ok(wire::GetDispatchersResponse { intermediaries }.to_envelope())
        }
        A::IsSenderAccepted(request) => {
            let is_accepted = registry.is_sender_accepted(caller, &request.sender).await?;
            Ok(wire::IsSenderAcceptedResponse { is_accepted }.to_envelope())
        }
        A::GetUserAccessRights(_) => {
            registry.operator_caller(caller).await?;
            Ok(wire::GetUserAccessRightsResponse {
                result: no_access_index(),
            }
            .to_envelope())
        }
        A::GetUserAccessRightsNoConcent(_) => {
            registry.operator_caller(caller).await?;
            let result = no_access_index();
            Ok(wire::GetUserAccessRightsNoConcentResponse { result }.to_envelope())
        }
        A::TestNewSigner(request) => test_new_signer(registry, caller, request).await,
        A::VerifyAuthorizedSignatures(request) => {
            verify_signatures(registry, caller, request).await
        }
    }
}

/// The registry keeps signatory rules per company, not an index from a person to the
/// companies they represent, so it reports that the data is missing instead of claiming that
/// the person has no rights.
fn no_access_index() -> UserAccessRightsResult {
    UserAccessRightsResult {
        rights: Vec::new(),
        problems: vec![UserAccessRightsProblem {
            source: AccessProblemSource::Bolagsverket,
            kind: AccessProblemType::DataMissing,
            description: "the registry holds signatory rules per company only; ask \
                          isAuthorizedSigner for a given company"
                .to_owned(),
            object_id: None,
        }],
    }
}

async fn test_new_signer(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::TestNewSigner,
) -> Result<String, Error> {
    let mut signers = BTreeSet::new();
    let candidates = request
        .signers
        .iter()
        .map(|person| &person.id)
        .chain(&request.candidate);
    for id in candidates {
        let number = PersonalIdentityNumber::parse(id.as_str()).map_err(|error| {
            Error::InvalidInput(format!(
                "signatory id is not a personal identity number: {error}"
            ))
        })?;
        signers.insert(number);
    }
    let evaluation = registry
        .test_new_signer(caller, &request.company, signers)
        .await?;
    let result = evaluation_or_unsupported(&request.company, evaluation.as_ref());
    Ok(wire::TestNewSignerResponse { result }.to_envelope())
}

async fn verify_signatures(
    registry: &Registry,
    caller: &OrganisationNumber,
    request: wire::VerifyAuthorizedSignatures,
) -> Result<String, Error> {
    let text = String::from_utf8(request.signed_data)
        .map_err(|_| Error::InvalidInput("arg2 (signed data) is not UTF-8 text".to_owned()))?;
    let signatures = render::eid_signatures(&request.signatures, SignedFor::OtherChange)?;
    let evaluation = registry
        .verify_company_signatures(caller, &request.company, &text, signatures)
        .await?;
    let result = evaluation_or_unsupported(&request.company, evaluation.as_ref());
    Ok(wire::VerifyAuthorizedSignaturesResponse { result }.to_envelope())
}

fn evaluation_or_unsupported(
    company: &RecipientId,
    evaluation: Option<&crate::domain::signing::CompanyEvaluation>,
) -> SignatureAuthorizationResult {
    match evaluation {
        Some(evaluation) => render::evaluation_result(company, evaluation),
        None => SignatureAuthorizationResult {
            recipient: Some(company.clone()),
            status: Some(kuvert_wire::values::AuthorizationStatus::RulesNotSupported),
            text: Some("no signatory rule is known for this company".to_owned()),
            ..SignatureAuthorizationResult::default()
        },
    }
}
