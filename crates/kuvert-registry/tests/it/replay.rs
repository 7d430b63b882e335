//! Replay protection of e-ID signatures: a signed change is accepted once, only recently
//! signed, and only for the change, mailbox and operator its text names; every refusal
//! leaves the profile as it was. Over SOAP (fault 5010 for registrations, 5012 otherwise)
//! and REST (409 for a replay, 403 for the rest).

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{EID_SIGNATURE_AGE_SECS_MAX, EID_SIGNATURE_CLOCK_SKEW_SECS_MAX};
use kuvert_wire::fault::FaultCode;
use kuvert_wire::recipient::{
    ChangeServiceSupplier, ChangeServiceSupplierResponse, DeregisterResponse, IsReachable,
    IsReachableResponse, RegisterResponse,
};
use kuvert_wire::values::{AccountType, AuthorizationStatus, UserIdentity};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::harness::*;
use crate::recipient::{deregister_request, register_request, register_request_over};
use crate::rest::{post_json, signature_json};

async fn account_type(registry: &Registry, id: &str) -> AccountType {
    let request = IsReachable::new(org(MUNICIPALITY), vec![person(id)]).unwrap();
    let answer: IsReachableResponse = registry.recipient("intermediary", &request).await.unwrap();
    answer.statuses[0].account.account_type
}

/// [`AGREEMENT`] bound to a registration of `recipient` at `domain`, signed at `signed_at`.
fn bound_at(recipient: &RecipientId, domain: &str, signed_at: OffsetDateTime) -> String {
    let binding = SigningBinding {
        signed_at,
        ..SigningBinding::now(
            BoundAction::Register,
            recipient.clone(),
            &crate::harness::service_domain(domain),
        )
    };
    binding.bind(AGREEMENT)
}

async fn register_fault(
    registry: &Registry,
    text: &str,
    recipient: &str,
    signer: &str,
) -> FaultCode {
    let request = register_request_over(person(recipient), DOMAIN_A, &[signer], text);
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    fault.code
}

/// Registers Anna at operator A and gives back the request as sent.
async fn register_anna_at_a(registry: &Registry) -> kuvert_wire::recipient::Register {
    let registration = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let _: RegisterResponse = registry
        .recipient("operator-a", &registration)
        .await
        .unwrap();
    registration
}

#[tokio::test]
async fn the_same_signed_registration_sent_again_after_deregistering_is_refused() {
    let registry = Registry::start().await;
    let registration = register_anna_at_a(&registry).await;
    let deregistration = deregister_request(person(ANNA), DOMAIN_A, "anna");
    let _: DeregisterResponse = registry
        .recipient("operator-a", &deregistration)
        .await
        .unwrap();

    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &registration)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
    assert!(fault.description.contains("already been used"), "{fault:?}");
    assert_eq!(account_type(&registry, ANNA).await, AccountType::Not);

    // Registered again with a fresh signature, the old deregistration cannot undo it.
    let again = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let _: RegisterResponse = registry.recipient("operator-a", &again).await.unwrap();
    let fault = registry
        .recipient::<DeregisterResponse>("operator-a", &deregistration)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::SIGNATURE_ERROR);
    assert_eq!(account_type(&registry, ANNA).await, AccountType::Secure);
}

#[tokio::test]
async fn a_rest_registration_sent_twice_is_refused_with_409_the_second_time() {
    let registry = Registry::start().await;
    let text = bound(BoundAction::Register, &person(CECILIA), DOMAIN_A);
    let body = json!({
        "recipient": CECILIA,
        "operator_domain": DOMAIN_A,
        "agreement_text": text,
        "signatures": [signature_json("cecilia", &text)],
    });
    let path = "/api/v1/profiles/register";
    let (status, outcome) = post_json(&registry, "operator-a", path, body.clone()).await;
    assert_eq!(status, 200, "{outcome}");
    let (status, problem) = post_json(&registry, "operator-a", path, body).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], 5010);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_signature_older_than_the_age_bound_or_from_the_future_is_refused() {
    let registry = Registry::start().await;
    let now = OffsetDateTime::now_utc();
    let old = now - Duration::seconds(EID_SIGNATURE_AGE_SECS_MAX + 60);
    let text = bound_at(&person(ANNA), DOMAIN_A, old);
    let code = register_fault(&registry, &text, ANNA, "anna").await;
    assert_eq!(code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
    let future = now + Duration::seconds(EID_SIGNATURE_CLOCK_SKEW_SECS_MAX + 60);
    let text = bound_at(&person(ANNA), DOMAIN_A, future);
    let code = register_fault(&registry, &text, ANNA, "anna").await;
    assert_eq!(code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
    assert_eq!(account_type(&registry, ANNA).await, AccountType::Not);

    // Within the bound it is accepted.
    let recent = now - Duration::seconds(EID_SIGNATURE_AGE_SECS_MAX - 60);
    let text = bound_at(&person(ANNA), DOMAIN_A, recent);
    let request = register_request_over(person(ANNA), DOMAIN_A, &["anna"], &text);
    let _: RegisterResponse = registry.recipient("operator-a", &request).await.unwrap();
}

#[tokio::test]
async fn a_signature_bound_to_another_mailbox_action_or_operator_is_refused() {
    let registry = Registry::start().await;
    let refused = FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR;
    // Bertil signs a text naming Anna's mailbox, and the operator sends it as his.
    let for_anna = bound(BoundAction::Register, &person(ANNA), DOMAIN_A);
    assert_eq!(
        register_fault(&registry, &for_anna, BERTIL, "bertil").await,
        refused
    );
    // Anna's registration sent for the company she may sign for.
    let company = RecipientId::Organisation(org(COMPANY));
    let request = register_request_over(company, DOMAIN_A, &["anna"], &for_anna);
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, refused);
    // A deregistration's text sent as a registration.
    let deregistration = bound(BoundAction::Deregister, &person(ANNA), DOMAIN_A);
    assert_eq!(
        register_fault(&registry, &deregistration, ANNA, "anna").await,
        refused
    );
    // A registration at operator B sent by operator A.
    let at_b = bound(BoundAction::Register, &person(ANNA), DOMAIN_B);
    assert_eq!(
        register_fault(&registry, &at_b, ANNA, "anna").await,
        refused
    );
    // The bare agreement, naming nothing.
    assert_eq!(
        register_fault(&registry, AGREEMENT, ANNA, "anna").await,
        refused
    );
    assert_eq!(account_type(&registry, ANNA).await, AccountType::Not);
    assert_eq!(account_type(&registry, BERTIL).await, AccountType::Not);
}

#[tokio::test]
async fn a_registration_signature_cannot_move_the_profile_to_another_operator() {
    let registry = Registry::start().await;
    let registration = register_anna_at_a(&registry).await;
    // Operator B saw the registration and sends its signature as a change to itself.
    let change = ChangeServiceSupplier {
        recipient: person(ANNA),
        user: UserIdentity::parse(ANNA).unwrap(),
        operator_domain: crate::harness::service_domain(DOMAIN_B),
        agreement_text: registration.request.agreement_text.clone(),
        signatures: registration.signatures.clone(),
    };
    let fault = registry
        .recipient::<ChangeServiceSupplierResponse>("operator-b", &change)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::SIGNATURE_ERROR);
    let request = IsReachable::new(org(MUNICIPALITY), vec![person(ANNA)]).unwrap();
    let answer: IsReachableResponse = registry.recipient("intermediary", &request).await.unwrap();
    let operator = answer.statuses[0].account.operator.as_ref().unwrap();
    assert_eq!(operator.id, org(OPERATOR_A));
}

#[tokio::test]
async fn each_company_signatory_signs_the_same_agreement_at_their_own_time() {
    let registry = Registry::start().await;
    let company = RecipientId::Organisation(org(COMPANY));
    let first = register_request(company.clone(), DOMAIN_A, &["anna"]);
    let pending: RegisterResponse = registry.recipient("operator-a", &first).await.unwrap();
    assert_eq!(pending.result.status, Some(AuthorizationStatus::Incomplete));
    // Anna's signature again does not count as a second signatory, nor at all.
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &first)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
    let earlier = OffsetDateTime::now_utc() - Duration::seconds(30);
    let text = bound_at(&company, DOMAIN_A, earlier);
    let second = register_request_over(company, DOMAIN_A, &["bertil"], &text);
    let complete: RegisterResponse = registry.recipient("operator-a", &second).await.unwrap();
    assert_eq!(complete.result.status, Some(AuthorizationStatus::Complete));
}
