//! Issue 15, the intermediary's `distributeSecure` record (migration 0015), on SQLite and
//! PostgreSQL: one row per sender and message id, the same content answered with the first
//! row, other content a conflict, status changes read back, and another sender's row unseen;
//! only one request at a time holds a distribution's claim (migration 0019).

use kuvert_core::message::{DeliveryKey, MessageId, TransId};
use kuvert_store::StoreError;
use kuvert_store::distribution::{Begun, DistributionStatus, NewDistribution};

use crate::support::{TestDatabase, content_digest, now, organisation, person};

#[tokio::test]
async fn distributions_are_taken_once_per_key_and_keep_their_status() {
    for test in TestDatabase::all().await {
        let store = test.database.distributions();
        let key = DeliveryKey {
            sender: organisation(1),
            message_id: MessageId::parse("brev-1").unwrap(),
        };
        let (digest, recipient, client) = (content_digest("brev-1"), person(1), organisation(1));
        let new = |id| NewDistribution {
            id,
            key: &key,
            content_digest: &digest,
            recipient: &recipient,
            client: &client,
            at: now(),
            claim_until: now() + time::Duration::minutes(15),
        };
        let first_id = uuid::Uuid::now_v7();
        let Begun::New(first) = store.begin_distribution(new(first_id)).await.unwrap() else {
            panic!("a new distribution");
        };
        assert_eq!(first.id, first_id);
        assert_eq!(first.status, DistributionStatus::Pending);

        let retry = store.begin_distribution(new(uuid::Uuid::now_v7())).await;
        assert_eq!(
            retry.unwrap(),
            Begun::Existing(first.clone()),
            "claimed by the first request: answered, not resumed"
        );
        store.release_distribution(first_id).await.unwrap();
        let resumed = store.begin_distribution(new(uuid::Uuid::now_v7())).await;
        assert_eq!(resumed.unwrap(), Begun::Resume(first.clone()));
        let again = store.begin_distribution(new(uuid::Uuid::now_v7())).await;
        assert_eq!(
            again.unwrap(),
            Begun::Existing(first.clone()),
            "one claim at a time"
        );
        let other_digest = content_digest("brev-2");
        let other = NewDistribution {
            content_digest: &other_digest,
            ..new(uuid::Uuid::now_v7())
        };
        assert_eq!(
            store.begin_distribution(other).await.unwrap(),
            Begun::KeyConflict
        );

        let delivered = DistributionStatus::Delivered {
            trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
        };
        store
            .set_distribution_status(first_id, &delivered, now())
            .await
            .unwrap();
        let read = store.distribution(&key.sender, first_id).await.unwrap();
        assert_eq!(read.unwrap().status, delivered);
        let settled = store
            .begin_distribution(new(uuid::Uuid::now_v7()))
            .await
            .unwrap();
        assert!(
            matches!(&settled, Begun::Existing(found) if found.status == delivered),
            "a delivered one is never claimed again: {settled:?}"
        );
        let unseen = store
            .distribution(&organisation(2), first_id)
            .await
            .unwrap();
        assert_eq!(
            unseen, None,
            "another sender's distribution is not answered"
        );
        let missing = store
            .set_distribution_status(uuid::Uuid::now_v7(), &DistributionStatus::Paper, now())
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        test.finish().await;
    }
}

/// A claim whose holder died lapses; a failed one is free at once; the paper mark is kept.
#[tokio::test]
async fn a_lapsed_or_ended_claim_is_taken_by_the_next_request() {
    for test in TestDatabase::all().await {
        let store = test.database.distributions();
        let key = DeliveryKey {
            sender: organisation(1),
            message_id: MessageId::parse("brev-claim").unwrap(),
        };
        let (digest, recipient, client) = (content_digest("c"), person(1), organisation(1));
        let at = now();
        let new = |claim_until| NewDistribution {
            id: uuid::Uuid::now_v7(),
            key: &key,
            content_digest: &digest,
            recipient: &recipient,
            client: &client,
            at,
            claim_until,
        };
        let Begun::New(first) = store.begin_distribution(new(at)).await.unwrap() else {
            panic!("a new distribution");
        };
        assert!(!first.paper_begun);
        store.mark_paper_begun(first.id, at).await.unwrap();
        let later = at + time::Duration::minutes(15);
        let Begun::Resume(lapsed) = store.begin_distribution(new(later)).await.unwrap() else {
            panic!("a claim that ran out is taken over");
        };
        assert!(lapsed.paper_begun, "the paper mark is read back");
        store
            .set_distribution_status(first.id, &DistributionStatus::Failed, at)
            .await
            .unwrap();
        let retried = store.begin_distribution(new(later)).await.unwrap();
        assert!(matches!(retried, Begun::Resume(_)), "{retried:?}");
        let missing = store.release_distribution(uuid::Uuid::now_v7()).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound { .. })),
            "{missing:?}"
        );
        test.finish().await;
    }
}
