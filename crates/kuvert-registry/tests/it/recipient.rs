//! Recipient v3 flows (PROTOCOL.md §11): register → isReachable → change operator →
//! deselect a sender → deregister, checking the answers at each step; company registration
//! with two signatories; the caller authorisation rules.

use kuvert_core::id::RecipientId;
use kuvert_wire::fault::FaultCode;
use kuvert_wire::recipient::{
    ChangeServiceSupplier, ChangeServiceSupplierResponse, DeletePendingAccountRequest,
    DeletePendingAccountRequestResponse, Deregister, DeregisterResponse, GetAccountPreferences,
    GetAccountPreferencesResponse, GetPendingAccountRequest, GetPendingAccountRequestResponse,
    GetPendingChangeServiceSupplier, GetPendingChangeServiceSupplierResponse, IsAuthorizedSigner,
    IsAuthorizedSignerResponse, IsReachable, IsReachableResponse, IsRegistered,
    IsRegisteredResponse, Register, RegisterResponse, StoreAccountPreferences,
    StoreAccountPreferencesResponse,
};
use kuvert_wire::types::{AccountPreferences, AccountRequest, SenderEntry};
use kuvert_wire::values::{AccountRequestType, AccountType, AuthorizationStatus, UserIdentity};

use crate::harness::*;

/// A `register` with fresh signatures of a text bound to this registration.
pub(crate) fn register_request(recipient: RecipientId, domain: &str, signers: &[&str]) -> Register {
    let text = bound(BoundAction::Register, &recipient, domain);
    register_request_over(recipient, domain, signers, &text)
}

/// A `register` whose signers signed `text`.
pub(crate) fn register_request_over(
    recipient: RecipientId,
    domain: &str,
    signers: &[&str],
    text: &str,
) -> Register {
    Register {
        request: AccountRequest {
            recipient,
            kind: AccountRequestType::Create,
            agreement_text: text.to_owned(),
            date: time::OffsetDateTime::now_utc().date(),
            operator_domain: crate::harness::service_domain(domain),
        },
        account_type: AccountType::Secure,
        signatures: signers.iter().map(|signer| sign(signer, text)).collect(),
    }
}

/// A `deregister` with a fresh signature of a text bound to this deregistration.
pub(crate) fn deregister_request(recipient: RecipientId, domain: &str, signer: &str) -> Deregister {
    let text = bound(BoundAction::Deregister, &recipient, domain);
    let request = register_request_over(recipient, domain, &[signer], &text);
    Deregister {
        request: AccountRequest {
            kind: AccountRequestType::Delete,
            ..request.request
        },
        signatures: request.signatures,
    }
}

async fn reachable(registry: &Registry, sender: &str, id: &str) -> IsReachableResponse {
    let request = IsReachable::new(org(sender), vec![person(id)]).unwrap();
    registry.recipient("intermediary", &request).await.unwrap()
}

fn user(id: &str) -> UserIdentity {
    UserIdentity::parse(id).unwrap()
}

#[tokio::test]
async fn a_profile_lives_through_register_change_deselect_and_deregister() {
    let registry = Registry::start().await;
    let before = reachable(&registry, MUNICIPALITY, ANNA).await;
    assert_eq!(before.statuses[0].account.account_type, AccountType::Not);
    assert!(!before.statuses[0].accepts_sender);

    register_anna_at_operator_a(&registry).await;
    move_anna_to_operator_b(&registry).await;
    deselect_the_municipality(&registry).await;
    deregister_anna(&registry).await;
}

/// Register: Anna becomes reachable at Demobrevlådan.
async fn register_anna_at_operator_a(registry: &Registry) {
    let request = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let registered: RegisterResponse = registry.recipient("operator-a", &request).await.unwrap();
    assert_eq!(
        registered.result.status,
        Some(AuthorizationStatus::Complete)
    );
    assert_eq!(registered.result.signed_by.len(), 1);

    let status = &reachable(registry, MUNICIPALITY, ANNA).await.statuses[0];
    assert_eq!(status.account.account_type, AccountType::Secure);
    assert!(!status.account.is_pending);
    assert!(status.accepts_sender);
    let operator = status.account.operator.as_ref().unwrap();
    assert_eq!(operator.id, org(OPERATOR_A));
    assert_eq!(operator.service_address, "https://127.0.0.1:1/service/v3");
}

/// Change mailbox: Exempelposten takes over; Demobrevlådan loses access.
async fn move_anna_to_operator_b(registry: &Registry) {
    let text = bound(BoundAction::ChangeOperator, &person(ANNA), DOMAIN_B);
    let change = ChangeServiceSupplier {
        recipient: person(ANNA),
        user: user(ANNA),
        operator_domain: crate::harness::service_domain(DOMAIN_B),
        agreement_text: text.clone(),
        signatures: vec![sign("anna", &text)],
    };
    let changed: ChangeServiceSupplierResponse =
        registry.recipient("operator-b", &change).await.unwrap();
    assert_eq!(changed.result.status, Some(AuthorizationStatus::Complete));
    let status = &reachable(registry, MUNICIPALITY, ANNA).await.statuses[0];
    assert_eq!(
        status.account.operator.as_ref().unwrap().id,
        org(OPERATOR_B)
    );

    // The old operator no longer holds the profile.
    let read = GetAccountPreferences {
        recipient: person(ANNA),
        user: user(ANNA),
    };
    let fault = registry
        .recipient::<GetAccountPreferencesResponse>("operator-a", &read)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
    let preferences: GetAccountPreferencesResponse =
        registry.recipient("operator-b", &read).await.unwrap();
    assert_eq!(preferences.preferences.accepted_senders.len(), 2);
}

/// Reception rules: accept only the agency, so the municipality sends on paper.
async fn deselect_the_municipality(registry: &Registry) {
    let read = GetAccountPreferences {
        recipient: person(ANNA),
        user: user(ANNA),
    };
    // Deselect the municipality: accept only the agency.
    let text = bound(BoundAction::ReceptionRules, &person(ANNA), DOMAIN_B);
    let store = StoreAccountPreferences {
        recipient: person(ANNA),
        user: user(ANNA),
        preferences: AccountPreferences {
            recipient: person(ANNA),
            accepted_senders: vec![SenderEntry {
                id: RecipientId::Organisation(org(AGENCY)),
                name: "Exempelmyndigheten".to_owned(),
                attention: None,
            }],
        },
        agreement_text: text.clone(),
        signatures: vec![sign("anna", &text)],
    };
    let stored: StoreAccountPreferencesResponse =
        registry.recipient("operator-b", &store).await.unwrap();
    assert_eq!(stored.result.status, Some(AuthorizationStatus::Complete));
    let status = &reachable(registry, MUNICIPALITY, ANNA).await.statuses[0];
    assert!(!status.accepts_sender);
    assert!(status.last_sender_accept_change.is_some());
    let agency = IsReachable::new(org(AGENCY), vec![person(ANNA)]).unwrap();
    let by_agency: IsReachableResponse = registry.recipient("agency", &agency).await.unwrap();
    assert!(by_agency.statuses[0].accepts_sender);
    operators_see_reception_rules_of_their_own_profiles_only(registry, &agency).await;
    let preferences: GetAccountPreferencesResponse =
        registry.recipient("operator-b", &read).await.unwrap();
    let accepted: Vec<_> = preferences
        .preferences
        .accepted_senders
        .iter()
        .map(|sender| sender.id.clone())
        .collect();
    assert_eq!(accepted, vec![RecipientId::Organisation(org(AGENCY))]);
}

/// An operator checking a delivery asks `isReachable` too (issue 14: one call for many
/// letters): the holder sees Anna's reception rules, another operator only her account.
async fn operators_see_reception_rules_of_their_own_profiles_only(
    registry: &Registry,
    for_agency: &IsReachable,
) {
    let holder: IsReachableResponse = registry.recipient("operator-b", for_agency).await.unwrap();
    assert!(holder.statuses[0].accepts_sender);
    assert!(holder.statuses[0].last_sender_accept_change.is_some());
    let for_municipality = IsReachable::new(org(MUNICIPALITY), vec![person(ANNA)]).unwrap();
    let holder: IsReachableResponse = registry
        .recipient("operator-b", &for_municipality)
        .await
        .unwrap();
    assert!(!holder.statuses[0].accepts_sender, "deselected");
    let other: IsReachableResponse = registry.recipient("operator-a", for_agency).await.unwrap();
    let status = &other.statuses[0];
    assert_eq!(status.account.account_type, AccountType::Secure);
    assert_eq!(
        status.account.operator.as_ref().unwrap().id,
        org(OPERATOR_B)
    );
    assert!(!status.accepts_sender, "not the holder: no reception rules");
    assert_eq!(status.last_sender_accept_change, None);
}

/// Deregister: Anna is no longer reachable.
async fn deregister_anna(registry: &Registry) {
    let deregister = deregister_request(person(ANNA), DOMAIN_B, "anna");
    let removed: DeregisterResponse = registry.recipient("operator-b", &deregister).await.unwrap();
    assert_eq!(removed.result.status, Some(AuthorizationStatus::Complete));
    let status = &reachable(registry, MUNICIPALITY, ANNA).await.statuses[0];
    assert_eq!(status.account.account_type, AccountType::Not);
    assert!(status.account.operator.is_none());
}

#[tokio::test]
async fn is_registered_answers_operators_in_input_order() {
    let registry = Registry::start().await;
    let request = register_request(person(BERTIL), DOMAIN_A, &["bertil"]);
    let _: RegisterResponse = registry.recipient("operator-a", &request).await.unwrap();
    let asked = IsRegistered {
        recipients: vec![person(ANNA), person(BERTIL)],
    };
    let answer: IsRegisteredResponse = registry.recipient("operator-b", &asked).await.unwrap();
    assert_eq!(answer.statuses[0].account_type, AccountType::Not);
    assert_eq!(answer.statuses[1].account_type, AccountType::Secure);
    assert_eq!(answer.statuses[1].recipient, person(BERTIL));
}

#[tokio::test]
async fn register_is_refused_when_signed_by_another_person() {
    let registry = Registry::start().await;
    let request = register_request(person(ANNA), DOMAIN_A, &["bertil"]);
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::SIGNATURE_ERROR);
    assert_eq!(fault.call_id.as_str().len(), 32);
}

#[tokio::test]
async fn register_is_refused_with_a_signature_over_another_text() {
    let registry = Registry::start().await;
    let mut request = register_request(person(ANNA), DOMAIN_A, &[]);
    request.signatures = vec![sign("anna", "Något annat")];
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
}

#[tokio::test]
async fn register_is_refused_with_a_tampered_signature() {
    let registry = Registry::start().await;
    let mut request = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    request.signatures[0].signature[10] ^= 0x55;
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR);
}

#[tokio::test]
async fn register_twice_reports_an_existing_profile() {
    let registry = Registry::start().await;
    let request = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let _: RegisterResponse = registry.recipient("operator-a", &request).await.unwrap();
    // Signed anew: the same signature again is a replay (see `replay`).
    let request = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::OBJECT_ALREADY_EXISTS);
}

#[tokio::test]
async fn only_operators_may_register_and_only_at_themselves() {
    let registry = Registry::start().await;
    let request = register_request(person(ANNA), DOMAIN_A, &["anna"]);
    let fault = registry
        .recipient::<RegisterResponse>("municipality", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
    let fault = registry
        .recipient::<RegisterResponse>("operator-b", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
}

#[tokio::test]
async fn change_of_operator_without_a_profile_is_not_found() {
    let registry = Registry::start().await;
    let text = bound(BoundAction::ChangeOperator, &person(CECILIA), DOMAIN_B);
    let change = ChangeServiceSupplier {
        recipient: person(CECILIA),
        user: user(CECILIA),
        operator_domain: crate::harness::service_domain(DOMAIN_B),
        agreement_text: text.clone(),
        signatures: vec![sign("cecilia", &text)],
    };
    let fault = registry
        .recipient::<ChangeServiceSupplierResponse>("operator-b", &change)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::OBJECT_NOT_FOUND);
    let pending = GetPendingChangeServiceSupplier {
        recipient: person(CECILIA),
        user: user(CECILIA),
    };
    let fault = registry
        .recipient::<GetPendingChangeServiceSupplierResponse>("operator-b", &pending)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::OBJECT_NOT_FOUND);
}

#[tokio::test]
async fn a_company_registration_is_pending_until_two_signatories_sign() {
    let registry = Registry::start().await;
    let company = RecipientId::Organisation(org(COMPANY));
    let first = register_request(company.clone(), DOMAIN_A, &["anna"]);
    let pending: RegisterResponse = registry.recipient("operator-a", &first).await.unwrap();
    assert_eq!(pending.result.status, Some(AuthorizationStatus::Incomplete));
    assert_eq!(pending.result.possible_signers.len(), 2);

    let asked = IsReachable::new(org(MUNICIPALITY), vec![company.clone()]).unwrap();
    let status: IsReachableResponse = registry.recipient("intermediary", &asked).await.unwrap();
    assert!(status.statuses[0].account.is_pending);

    let list = GetPendingAccountRequest {
        recipients: vec![company.clone()],
        user: user(BERTIL),
    };
    let listed: GetPendingAccountRequestResponse =
        registry.recipient("operator-a", &list).await.unwrap();
    assert_eq!(listed.requests.len(), 1);
    assert_eq!(
        listed.requests[0].request.operator_domain.as_str(),
        DOMAIN_A
    );
    assert_eq!(
        listed.requests[0].signature_status.status,
        Some(AuthorizationStatus::Incomplete)
    );

    let signer = IsAuthorizedSigner {
        company: company.clone(),
        user: user(BERTIL),
    };
    let signer: IsAuthorizedSignerResponse =
        registry.recipient("operator-a", &signer).await.unwrap();
    assert!(signer.account.is_authorized_signer);
    assert_eq!(signer.account.company_name, "Exempel AB");
    assert_eq!(signer.account.possible_signers.len(), 3);

    let second = register_request(company.clone(), DOMAIN_A, &["bertil"]);
    let complete: RegisterResponse = registry.recipient("operator-a", &second).await.unwrap();
    assert_eq!(complete.result.status, Some(AuthorizationStatus::Complete));
    let status: IsReachableResponse = registry.recipient("intermediary", &asked).await.unwrap();
    assert!(!status.statuses[0].account.is_pending);
    assert!(status.statuses[0].accepts_sender);
}

#[tokio::test]
async fn a_pending_company_registration_can_be_deleted() {
    let registry = Registry::start().await;
    let company = RecipientId::Organisation(org(COMPANY));
    let first = register_request(company.clone(), DOMAIN_A, &["cecilia"]);
    let _: RegisterResponse = registry.recipient("operator-a", &first).await.unwrap();
    let delete = DeletePendingAccountRequest {
        recipient: company.clone(),
        user: user(CECILIA),
    };
    let _: DeletePendingAccountRequestResponse =
        registry.recipient("operator-a", &delete).await.unwrap();
    let asked = IsReachable::new(org(MUNICIPALITY), vec![company]).unwrap();
    let status: IsReachableResponse = registry.recipient("intermediary", &asked).await.unwrap();
    assert_eq!(status.statuses[0].account.account_type, AccountType::Not);
    let fault = registry
        .recipient::<DeletePendingAccountRequestResponse>("operator-a", &delete)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::OBJECT_NOT_FOUND);
}

#[tokio::test]
async fn a_company_of_an_unsupported_form_cannot_register() {
    let registry = Registry::start().await;
    let foundation = RecipientId::Organisation(org("8022000007"));
    let request = register_request(foundation, DOMAIN_A, &["anna"]);
    let fault = registry
        .recipient::<RegisterResponse>("operator-a", &request)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::COMPANY_FORM_NOT_SUPPORTED);
}

#[tokio::test]
async fn reachability_for_a_sender_needs_an_approved_intermediary() {
    let registry = Registry::start().await;
    let for_municipality = IsReachable::new(org(MUNICIPALITY), vec![person(ANNA)]).unwrap();
    let for_agency = IsReachable::new(org(AGENCY), vec![person(ANNA)]).unwrap();
    let _: IsReachableResponse = registry
        .recipient("intermediary", &for_municipality)
        .await
        .unwrap();
    let _: IsReachableResponse = registry
        .recipient("municipality", &for_municipality)
        .await
        .unwrap();
    let fault = registry
        .recipient::<IsReachableResponse>("intermediary", &for_agency)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::DISPATCHER_NOT_APPROVED);
    let fault = registry
        .recipient::<IsReachableResponse>("municipality", &for_agency)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::DISPATCHER_NOT_APPROVED);
    let unknown = IsReachable::new(org(STRANGER), vec![person(ANNA)]).unwrap();
    let fault = registry
        .recipient::<IsReachableResponse>("intermediary", &unknown)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::UNKNOWN_SENDER);
}

#[tokio::test]
async fn an_unknown_organisation_may_not_read_registrations() {
    let registry = Registry::start().await;
    let asked = IsRegistered {
        recipients: vec![person(ANNA)],
    };
    let fault = registry
        .recipient::<IsRegisteredResponse>("stranger", &asked)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
}
