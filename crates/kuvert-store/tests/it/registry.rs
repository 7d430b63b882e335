//! RegistryStore: directory, profile changes with signatures, reception rules, reachability
//! in bulk, and company registrations.

use std::collections::BTreeSet;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, ProfileKind, ProfileStatus,
    RegistrationSource, SenderRecord, Signatory,
};
use kuvert_store::StoreError;
use kuvert_store::registry::{
    NewCompanyRegistration, NewProfile, RegistryStore, SignatureId, SignatureRecord, SignedAction,
};
use url::Url;

use crate::support::{TestDatabase, now, organisation, person, person_number};

pub(crate) fn operator_record(n: u32, domain: &str) -> OperatorRecord {
    OperatorRecord {
        id: organisation(n),
        name: format!("Operatör {n}"),
        service_address: Url::parse(&format!("https://{domain}/service/v3")).unwrap(),
        ui_address: Some(Url::parse(&format!("https://{domain}/")).unwrap()),
        domain: ServiceDomain::parse(domain).unwrap(),
    }
}

pub(crate) fn signature(
    recipient: &RecipientId,
    action: SignedAction,
    signatory: u32,
) -> SignatureRecord {
    let id = SignatureId::new();
    SignatureRecord {
        id,
        recipient: recipient.clone(),
        action,
        signatory: person_number(signatory),
        operator: organisation(1),
        agreement_text: "Jag godkänner villkoren".to_owned(),
        // Every signature is a new one: the store refuses a signature it accepted before.
        signature_base64: id.as_uuid().simple().to_string(),
        certificate: "MIIB".to_owned(),
        signed_at: now(),
    }
}

pub(crate) fn new_profile(recipient: &RecipientId, operator: &OrganisationNumber) -> NewProfile {
    NewProfile {
        recipient: recipient.clone(),
        operator: operator.clone(),
        status: ProfileStatus::Active,
        registered_at: now(),
        source: Some(RegistrationSource {
            sender: organisation(100),
            campaign: Some(CampaignCode::parse("var-2026").unwrap()),
        }),
    }
}

/// Two operators (1 and 2) and three senders (100..=102).
pub(crate) async fn seed(registry: &dyn RegistryStore) {
    registry
        .upsert_operator(&operator_record(1, "brevlada.example.se"))
        .await
        .unwrap();
    registry
        .upsert_operator(&operator_record(2, "annan.example.se"))
        .await
        .unwrap();
    for n in 100..=102 {
        let sender = SenderRecord {
            id: organisation(n),
            name: format!("Myndighet {n}"),
        };
        registry.upsert_sender(&sender).await.unwrap();
    }
}

#[tokio::test]
async fn directory_round_trips_operators_senders_and_intermediaries() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let first = operator_record(1, "brevlada.example.se");
        assert_eq!(
            registry.operator(&organisation(1)).await.unwrap(),
            Some(first.clone())
        );
        let domain = ServiceDomain::parse("brevlada.example.se").unwrap();
        assert_eq!(
            registry.operator_by_domain(&domain).await.unwrap(),
            Some(first)
        );
        assert_eq!(registry.operators().await.unwrap().len(), 2);
        let clash = operator_record(3, "brevlada.example.se");
        let result = registry.upsert_operator(&clash).await;
        assert!(
            matches!(result, Err(StoreError::Conflict { .. })),
            "{result:?}"
        );
        assert_eq!(registry.senders().await.unwrap().len(), 3);
        let sender = registry.sender(&organisation(101)).await.unwrap().unwrap();
        assert_eq!(sender.name, "Myndighet 101");

        let intermediary = IntermediaryRecord {
            id: organisation(200),
            name: "Förmedlaren".to_owned(),
            senders: [organisation(100), organisation(102)].into(),
        };
        registry.upsert_intermediary(&intermediary).await.unwrap();
        assert_eq!(
            registry.intermediary(&organisation(200)).await.unwrap(),
            Some(intermediary)
        );
        let unknown = IntermediaryRecord {
            id: organisation(201),
            name: "Okänd".to_owned(),
            senders: [organisation(999)].into(),
        };
        let result = registry.upsert_intermediary(&unknown).await;
        assert!(
            matches!(result, Err(StoreError::NotFound { what: "sender" })),
            "{result:?}"
        );
        assert_eq!(registry.intermediaries().await.unwrap().len(), 1);
        test.finish().await;
    }
}

#[tokio::test]
async fn profile_changes_are_stored_with_their_signatures() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let recipient = person(1);
        let registered = registry
            .register_profile(
                new_profile(&recipient, &organisation(1)),
                signature(&recipient, SignedAction::Register, 1),
            )
            .await
            .unwrap();
        assert_eq!(registered.kind, ProfileKind::Person);
        assert_eq!(
            registry.profile(&recipient).await.unwrap(),
            Some(registered.clone())
        );
        let again = registry
            .register_profile(
                new_profile(&recipient, &organisation(2)),
                signature(&recipient, SignedAction::Register, 1),
            )
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { what: "profile" })),
            "{again:?}"
        );

        let moved = registry
            .change_operator(
                &recipient,
                &organisation(2),
                signature(&recipient, SignedAction::ChangeOperator, 1),
            )
            .await
            .unwrap();
        assert_eq!(moved.operator, organisation(2));
        assert_eq!(moved.source, registered.source);

        test.finish().await;
    }
}

#[tokio::test]
async fn deregister_removes_the_profile_but_keeps_its_signatures() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let recipient = person(1);
        let register = signature(&recipient, SignedAction::Register, 1);
        let profile = new_profile(&recipient, &organisation(1));
        registry.register_profile(profile, register).await.unwrap();
        let change = signature(&recipient, SignedAction::ChangeOperator, 1);
        registry
            .change_operator(&recipient, &organisation(2), change)
            .await
            .unwrap();
        let removed = registry
            .deregister_profile(
                &recipient,
                signature(&recipient, SignedAction::Deregister, 1),
            )
            .await
            .unwrap();
        assert_eq!(removed.operator, organisation(2));
        assert_eq!(registry.profile(&recipient).await.unwrap(), None);
        let actions: Vec<_> = registry
            .signatures(&recipient)
            .await
            .unwrap()
            .into_iter()
            .map(|signature| signature.action)
            .collect();
        assert_eq!(
            actions,
            [
                SignedAction::Register,
                SignedAction::ChangeOperator,
                SignedAction::Deregister
            ]
        );
        let missing = registry
            .change_operator(
                &recipient,
                &organisation(1),
                signature(&recipient, SignedAction::ChangeOperator, 1),
            )
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn register_profile_rejects_unknown_operator_and_leaves_no_signature() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        let recipient = person(2);
        let result = registry
            .register_profile(
                new_profile(&recipient, &organisation(9)),
                signature(&recipient, SignedAction::Register, 2),
            )
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound { what: "operator" })),
            "{result:?}"
        );
        assert!(registry.signatures(&recipient).await.unwrap().is_empty());
        test.finish().await;
    }
}

#[tokio::test]
async fn reception_rules_replace_the_deselected_senders() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let recipient = person(3);
        registry
            .register_profile(
                new_profile(&recipient, &organisation(1)),
                signature(&recipient, SignedAction::Register, 3),
            )
            .await
            .unwrap();
        let initial = registry.reception_rules(&recipient).await.unwrap().unwrap();
        assert!(initial.deselected.is_empty());
        assert_eq!(initial.last_change_at, None);

        let first: BTreeSet<_> = [organisation(100), organisation(101)].into();
        let change = signature(&recipient, SignedAction::ReceptionRules, 3);
        let signed_at = change.signed_at;
        let stored = registry
            .store_reception_rules(&recipient, &first, change)
            .await
            .unwrap();
        assert_eq!(stored.deselected, first);
        assert_eq!(stored.last_change_at, Some(signed_at));
        let second: BTreeSet<_> = [organisation(102)].into();
        let change = signature(&recipient, SignedAction::ReceptionRules, 3);
        registry
            .store_reception_rules(&recipient, &second, change)
            .await
            .unwrap();
        let read = registry.reception_rules(&recipient).await.unwrap().unwrap();
        assert_eq!(read.deselected, second);
        assert_eq!(registry.reception_rules(&person(4)).await.unwrap(), None);
        test.finish().await;
    }
}

#[tokio::test]
async fn is_reachable_answers_1000_ids_in_input_order() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        // Every third id has a profile; every ninth deselected sender 100.
        for n in (0..1000).step_by(3) {
            let recipient = person(n);
            registry
                .register_profile(
                    new_profile(&recipient, &organisation(1 + n % 2)),
                    signature(&recipient, SignedAction::Register, n),
                )
                .await
                .unwrap();
            if n % 9 == 0 {
                let deselected: BTreeSet<_> = [organisation(100)].into();
                let change = signature(&recipient, SignedAction::ReceptionRules, n);
                registry
                    .store_reception_rules(&recipient, &deselected, change)
                    .await
                    .unwrap();
            }
        }
        let ids: Vec<_> = (0..1000).rev().map(person).collect();
        let answers = registry
            .is_reachable(&organisation(100), &ids)
            .await
            .unwrap();
        assert_eq!(answers.len(), 1000);
        for (answer, n) in answers.iter().zip((0..1000).rev()) {
            assert_eq!(answer.recipient, person(n));
            match &answer.profile {
                None => assert_ne!(n % 3, 0, "id {n} should have a profile"),
                Some(found) => {
                    assert_eq!(n % 3, 0, "id {n} should have no profile");
                    assert_eq!(found.operator.id, organisation(1 + n % 2));
                    assert_eq!(found.is_sender_deselected, n % 9 == 0);
                    assert_eq!(found.reception_changed_at.is_some(), n % 9 == 0);
                }
            }
        }
        let other = registry
            .is_reachable(&organisation(101), &ids[..10])
            .await
            .unwrap();
        assert!(
            other
                .iter()
                .flat_map(|a| &a.profile)
                .all(|p| !p.is_sender_deselected)
        );
        let registered = registry.registrations(&ids).await.unwrap();
        assert_eq!(
            registered.iter().filter(|r| r.profile.is_some()).count(),
            334
        );
        // The batch answers with the whole stored profile and operator, the same as one read.
        let stored = registry.profile(&person(9)).await.unwrap().unwrap();
        let operator = registry.operator(&stored.operator).await.unwrap().unwrap();
        let asked = [person(9), person(1), person(9)];
        let answers = registry
            .is_reachable(&organisation(100), &asked)
            .await
            .unwrap();
        let recipients: Vec<_> = answers.iter().map(|a| a.recipient.clone()).collect();
        assert_eq!(
            recipients, asked,
            "a repeated id is answered each time it is asked"
        );
        for answer in [&answers[0], &answers[2]] {
            let found = answer.profile.as_ref().unwrap();
            assert_eq!((&found.profile, &found.operator), (&stored, &operator));
            assert!(found.is_sender_deselected);
        }
        assert_eq!(answers[1].profile, None);
        let registered = registry.registrations(&asked[..2]).await.unwrap();
        assert_eq!(registered[0].profile, Some((stored, operator)));
        assert_eq!(registered[1].profile, None);
        let none = registry
            .is_reachable(&organisation(100), &[])
            .await
            .unwrap();
        assert!(none.is_empty());
        test.finish().await;
    }
}

#[tokio::test]
async fn is_reachable_rejects_1001_ids() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        let ids: Vec<_> = (0..1001).map(person).collect();
        let result = registry.is_reachable(&organisation(100), &ids).await;
        assert!(
            matches!(
                result,
                Err(StoreError::TooMany {
                    count: 1001,
                    max: 1000
                })
            ),
            "{result:?}"
        );
        test.finish().await;
    }
}

pub(crate) fn two_jointly(company: &OrganisationNumber) -> CompanySignatoryRule {
    CompanySignatoryRule {
        company: company.clone(),
        company_name: "Exempel AB".to_owned(),
        rule_text: "Två i förening".to_owned(),
        signatures_required: 2,
        signatories: vec![
            Signatory {
                id: person_number(10),
                name: "Anna".to_owned(),
            },
            Signatory {
                id: person_number(11),
                name: "Bo".to_owned(),
            },
        ],
    }
}

#[tokio::test]
async fn company_registration_collects_signatures_until_completed() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let company = organisation(300);
        let recipient = RecipientId::Organisation(company.clone());
        registry
            .upsert_company_signatory_rule(&two_jointly(&company))
            .await
            .unwrap();
        let rule = registry.company_signatory_rule(&company).await.unwrap();
        assert_eq!(rule, Some(two_jointly(&company)));

        let request = NewCompanyRegistration {
            company: company.clone(),
            operator: organisation(1),
            agreement_text: "Villkor".to_owned(),
            requested_at: now(),
        };
        let first = signature(&recipient, SignedAction::CompanyRegistration, 10);
        let pending = registry
            .start_company_registration(request.clone(), first)
            .await
            .unwrap();
        assert_eq!(pending.signatures.len(), 1);
        assert_eq!(pending.rule, Some(two_jointly(&company)));
        let profile = registry.profile(&recipient).await.unwrap().unwrap();
        assert_eq!(profile.status, ProfileStatus::Pending);
        assert_eq!(profile.kind, ProfileKind::Company);
        let again = signature(&recipient, SignedAction::CompanyRegistration, 10);
        let twice = registry.start_company_registration(request, again).await;
        assert!(
            matches!(twice, Err(StoreError::Conflict { .. })),
            "{twice:?}"
        );
        let same = signature(&recipient, SignedAction::CompanyRegistration, 10);
        let duplicate = registry.add_company_signature(&company, same).await;
        assert!(
            matches!(duplicate, Err(StoreError::Conflict { .. })),
            "{duplicate:?}"
        );

        let second = signature(&recipient, SignedAction::CompanyRegistration, 11);
        let pending = registry
            .add_company_signature(&company, second)
            .await
            .unwrap();
        let signers: Vec<_> = pending
            .signatures
            .iter()
            .map(|s| s.signatory.clone())
            .collect();
        assert_eq!(signers, [person_number(10), person_number(11)]);
        let active = registry
            .complete_company_registration(&company, now(), None)
            .await
            .unwrap();
        assert_eq!(active.status, ProfileStatus::Active);
        assert_eq!(active.operator, organisation(1));
        assert_eq!(active.source, None);
        assert_eq!(
            registry
                .pending_company_registration(&company)
                .await
                .unwrap(),
            None
        );
        assert_eq!(registry.signatures(&recipient).await.unwrap().len(), 2);
        test.finish().await;
    }
}

#[tokio::test]
async fn cancelled_company_registration_removes_its_pending_profile() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let company = organisation(301);
        let recipient = RecipientId::Organisation(company.clone());
        let request = NewCompanyRegistration {
            company: company.clone(),
            operator: organisation(2),
            agreement_text: "Villkor".to_owned(),
            requested_at: now(),
        };
        let first = signature(&recipient, SignedAction::CompanyRegistration, 12);
        registry
            .start_company_registration(request, first)
            .await
            .unwrap();
        let cancelled = registry
            .cancel_company_registration(&company)
            .await
            .unwrap();
        assert_eq!(cancelled.operator, organisation(2));
        assert_eq!(cancelled.rule, None);
        assert_eq!(registry.profile(&recipient).await.unwrap(), None);
        let missing = registry.cancel_company_registration(&company).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        let late = signature(&recipient, SignedAction::CompanyRegistration, 13);
        let result = registry.add_company_signature(&company, late).await;
        assert!(
            matches!(result, Err(StoreError::NotFound { .. })),
            "{result:?}"
        );
        test.finish().await;
    }
}
