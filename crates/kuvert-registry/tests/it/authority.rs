//! Authority (PROTOCOL.md §5.2): the directory and the company signatory checks.

use kuvert_core::id::RecipientId;
use kuvert_wire::authority::{
    AccountAction, GetDispatchers, GetDispatchersResponse, GetSenders, GetSendersResponse,
    GetUserAccessRights, GetUserAccessRightsResponse, IsSenderAccepted, IsSenderAcceptedResponse,
    TestNewSigner, TestNewSignerResponse, VerifyAuthorizedSignatures,
    VerifyAuthorizedSignaturesResponse,
};
use kuvert_wire::fault::FaultCode;
use kuvert_wire::types::Person;
use kuvert_wire::values::{AuthorizationStatus, SignatoryId, UserIdentity};

use crate::harness::*;

#[tokio::test]
async fn get_senders_and_dispatchers_list_the_directory() {
    let registry = Registry::start().await;
    let senders: GetSendersResponse = registry.authority("operator-a", &GetSenders).await.unwrap();
    assert_eq!(senders.senders.len(), 2);
    let dispatchers: GetDispatchersResponse = registry
        .authority("intermediary", &GetDispatchers)
        .await
        .unwrap();
    assert_eq!(dispatchers.intermediaries.len(), 1);
    assert_eq!(
        dispatchers.intermediaries[0].senders,
        vec![org(MUNICIPALITY)]
    );
}

#[tokio::test]
async fn the_directory_is_not_answered_to_strangers() {
    let registry = Registry::start().await;
    let fault = registry
        .authority::<GetSendersResponse>("stranger", &GetSenders)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
}

#[tokio::test]
async fn is_sender_accepted_knows_connected_senders() {
    let registry = Registry::start().await;
    let known = IsSenderAccepted {
        sender: RecipientId::Organisation(org(AGENCY)),
    };
    let answer: IsSenderAcceptedResponse = registry.authority("operator-a", &known).await.unwrap();
    assert!(answer.is_accepted);
    let unknown = IsSenderAccepted {
        sender: RecipientId::Organisation(org(STRANGER)),
    };
    let answer: IsSenderAcceptedResponse =
        registry.authority("operator-a", &unknown).await.unwrap();
    assert!(!answer.is_accepted);
}

fn signatory(id: &str) -> Person {
    Person {
        id: SignatoryId::parse(id).unwrap(),
        name: "Testperson".to_owned(),
    }
}

#[tokio::test]
async fn test_new_signer_judges_the_company_rule() {
    let registry = Registry::start().await;
    let company = RecipientId::Organisation(org(COMPANY));
    let one = TestNewSigner {
        company: company.clone(),
        signers: vec![],
        candidate: Some(SignatoryId::parse(ANNA).unwrap()),
        action: AccountAction::Ownership,
    };
    let answer: TestNewSignerResponse = registry.authority("operator-a", &one).await.unwrap();
    assert_eq!(answer.result.status, Some(AuthorizationStatus::Incomplete));
    let two = TestNewSigner {
        signers: vec![signatory(BERTIL)],
        ..one
    };
    let answer: TestNewSignerResponse = registry.authority("operator-a", &two).await.unwrap();
    assert_eq!(answer.result.status, Some(AuthorizationStatus::Complete));
    let fault = registry
        .authority::<TestNewSignerResponse>("municipality", &two)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
}

#[tokio::test]
async fn verify_authorized_signatures_checks_signatures_and_rule() {
    let registry = Registry::start().await;
    let company = RecipientId::Organisation(org(COMPANY));
    let request = VerifyAuthorizedSignatures {
        company,
        signatures: vec![sign("anna", AGREEMENT), sign("cecilia", AGREEMENT)],
        signed_data: AGREEMENT.as_bytes().to_vec(),
        action: AccountAction::Ownership,
    };
    let answer: VerifyAuthorizedSignaturesResponse =
        registry.authority("operator-a", &request).await.unwrap();
    assert_eq!(answer.result.status, Some(AuthorizationStatus::Complete));
    assert_eq!(answer.result.signed_by.len(), 2);
    let forged = VerifyAuthorizedSignatures {
        signed_data: b"annan text".to_vec(),
        ..request
    };
    let fault = registry
        .authority::<VerifyAuthorizedSignaturesResponse>("operator-a", &forged)
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::SIGNATURE_ERROR);
}

#[tokio::test]
async fn user_access_rights_report_that_the_data_is_missing() {
    let registry = Registry::start().await;
    let request = GetUserAccessRights {
        user: UserIdentity::parse(ANNA).unwrap(),
    };
    let answer: GetUserAccessRightsResponse =
        registry.authority("operator-a", &request).await.unwrap();
    assert!(answer.result.rights.is_empty());
    assert_eq!(answer.result.problems.len(), 1);
}
