//! Replay protection in the registry store: a signature recorded with one change is refused
//! with any other, the refused change leaves nothing behind, further signatories' signatures
//! are claimed all or none, and digests are forgotten once their signatures are too old.

use kuvert_core::limits::EID_SIGNATURE_USED_KEEP_SECS;
use kuvert_core::registry::ProfileStatus;
use kuvert_store::StoreError;
use kuvert_store::registry::{SignatureDigest, SignedAction, USED_SIGNATURE};
use time::Duration;

use crate::registry::{new_profile, seed, signature};
use crate::support::{TestDatabase, organisation, person};

fn is_used_signature<T: std::fmt::Debug>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict { what }) if *what == USED_SIGNATURE)
}

#[tokio::test]
async fn a_signature_recorded_with_a_registration_cannot_authorise_a_second_change() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let recipient = person(1);
        let register = signature(&recipient, SignedAction::Register, 1);
        let digest = SignatureDigest::of_base64(&register.signature_base64);
        assert!(!registry.is_signature_used(&digest).await.unwrap());
        let profile = new_profile(&recipient, &organisation(1));
        registry
            .register_profile(profile, register.clone())
            .await
            .unwrap();
        assert!(registry.is_signature_used(&digest).await.unwrap());

        // The same signature again, now as a deregistration: refused, nothing changes.
        let mut replayed = register.clone();
        replayed.id = kuvert_store::registry::SignatureId::new();
        replayed.action = SignedAction::Deregister;
        let result = registry.deregister_profile(&recipient, replayed).await;
        assert!(is_used_signature(&result), "{result:?}");
        let kept = registry.profile(&recipient).await.unwrap().unwrap();
        assert_eq!(kept.status, ProfileStatus::Active);
        assert_eq!(registry.signatures(&recipient).await.unwrap().len(), 1);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_refused_change_leaves_its_signature_unused() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let recipient = person(2);
        // An unknown operator: the registration fails, and so does its claim.
        let refused = signature(&recipient, SignedAction::Register, 2);
        let digest = SignatureDigest::of_base64(&refused.signature_base64);
        let profile = new_profile(&recipient, &organisation(9));
        let result = registry.register_profile(profile, refused.clone()).await;
        assert!(result.is_err());
        assert!(!registry.is_signature_used(&digest).await.unwrap());
        let profile = new_profile(&recipient, &organisation(1));
        registry.register_profile(profile, refused).await.unwrap();
        assert!(registry.is_signature_used(&digest).await.unwrap());
        test.finish().await;
    }
}

#[tokio::test]
async fn claim_signatures_takes_all_or_none() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        let now = crate::support::now();
        let first = SignatureDigest::of_base64("Zmlyc3Q=");
        let second = SignatureDigest::of_base64("c2Vjb25k");
        registry
            .claim_signatures(std::slice::from_ref(&first), now)
            .await
            .unwrap();
        let result = registry
            .claim_signatures(&[second.clone(), first.clone()], now)
            .await;
        assert!(is_used_signature(&result), "{result:?}");
        assert!(!registry.is_signature_used(&second).await.unwrap());
        registry
            .claim_signatures(std::slice::from_ref(&second), now)
            .await
            .unwrap();
        assert!(registry.is_signature_used(&second).await.unwrap());
        test.finish().await;
    }
}

#[tokio::test]
async fn used_signatures_are_forgotten_once_they_would_be_too_old_anyway() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        let now = crate::support::now();
        let keep = Duration::seconds(EID_SIGNATURE_USED_KEEP_SECS);
        let old = SignatureDigest::of_base64("b2xk");
        let recent = SignatureDigest::of_base64("cmVjZW50");
        let old_at = now - keep - Duration::seconds(1);
        registry
            .claim_signatures(std::slice::from_ref(&old), old_at)
            .await
            .unwrap();
        registry
            .claim_signatures(std::slice::from_ref(&recent), now - keep)
            .await
            .unwrap();
        // The next write forgets what is past the bound, and only that.
        let next = SignatureDigest::of_base64("bmV4dA==");
        registry
            .claim_signatures(std::slice::from_ref(&next), now)
            .await
            .unwrap();
        assert!(!registry.is_signature_used(&old).await.unwrap());
        assert!(registry.is_signature_used(&recent).await.unwrap());
        assert!(registry.is_signature_used(&next).await.unwrap());
        test.finish().await;
    }
}

#[tokio::test]
async fn of_two_changes_racing_with_one_signature_exactly_one_is_stored() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let (first, second) = (person(3), person(4));
        let signed = signature(&first, SignedAction::Register, 3);
        let mut copied = signature(&second, SignedAction::Register, 3);
        copied.signature_base64 = signed.signature_base64.clone();
        let (one, other) = tokio::join!(
            registry.register_profile(new_profile(&first, &organisation(1)), signed),
            registry.register_profile(new_profile(&second, &organisation(1)), copied),
        );
        assert_eq!(
            usize::from(one.is_ok()) + usize::from(other.is_ok()),
            1,
            "{one:?} {other:?}"
        );
        assert!(is_used_signature(&one) || is_used_signature(&other));
        let stored = [
            registry.profile(&first).await.unwrap(),
            registry.profile(&second).await.unwrap(),
        ];
        assert_eq!(stored.iter().flatten().count(), 1);
        test.finish().await;
    }
}
