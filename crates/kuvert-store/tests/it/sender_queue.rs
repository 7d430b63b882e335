//! Issue 15, the sender service's queue on SQLite and PostgreSQL: acceptance idempotent per
//! client and key, claims under a lease that only its holder may use, a timeline per letter
//! and a feed per client in sequence order.

use kuvert_core::lane::Lane;
use kuvert_core::message::MessageId;
use kuvert_store::StoreError;
use kuvert_store::sender::{
    Acceptance, ClientId, IdempotencyKey, LeaseHolder, LetterId, LetterState, NewLetter, Progress,
    SenderQueueStore, TimelineEvent,
};
use time::Duration;

use crate::support::{TestDatabase, now, organisation, person};

struct Sample {
    id: LetterId,
    key: IdempotencyKey,
    message_id: MessageId,
}

fn sample(key: &str) -> Sample {
    Sample {
        id: LetterId::new_v7(),
        key: IdempotencyKey::parse(key).unwrap(),
        message_id: MessageId::from_uuid(uuid::Uuid::new_v4()),
    }
}

async fn accept(
    queue: &dyn SenderQueueStore,
    client: &ClientId,
    sample: &Sample,
    digest: &str,
) -> Acceptance {
    accept_in(queue, client, sample, digest, Lane::Single).await
}

async fn accept_in(
    queue: &dyn SenderQueueStore,
    client: &ClientId,
    sample: &Sample,
    digest: &str,
    lane: Lane,
) -> Acceptance {
    let (sender, recipient) = (organisation(1), person(1));
    let new = NewLetter {
        id: sample.id,
        client,
        key: &sample.key,
        request_digest: digest,
        sender: &sender,
        recipient: &recipient,
        message_id: &sample.message_id,
        letter_json: "{\"subject\":\"Hej\"}",
        lane,
        at: now(),
    };
    queue.accept_letters(&[new]).await.unwrap().remove(0)
}

#[tokio::test]
async fn letters_are_accepted_once_per_key_and_claimed_under_a_lease() {
    for test in TestDatabase::all().await {
        let queue = test.database.sender_queue();
        let (alpha, beta) = (
            ClientId::parse("alpha").unwrap(),
            ClientId::parse("beta").unwrap(),
        );
        let first = sample("key-1");
        let Acceptance::Queued(record) = accept(queue.as_ref(), &alpha, &first, "d1").await else {
            panic!("a new key queues the letter");
        };
        assert_eq!((record.id, record.state), (first.id, LetterState::Accepted));
        // The same key and content: the same letter; other content: refused; another
        // client's same key: a letter of its own.
        let replay = sample("key-1");
        let Acceptance::Replayed(again) = accept(queue.as_ref(), &alpha, &replay, "d1").await
        else {
            panic!("a replay answers the earlier letter");
        };
        assert_eq!(again.id, first.id);
        assert_eq!(
            accept(queue.as_ref(), &alpha, &replay, "other").await,
            Acceptance::KeyConflict
        );
        let theirs = sample("key-1");
        assert!(matches!(
            accept(queue.as_ref(), &beta, &theirs, "d1").await,
            Acceptance::Queued(_)
        ));

        let (holder, rival) = (LeaseHolder::new_random(), LeaseHolder::new_random());
        let claimed = queue
            .claim_letters(&holder, now(), 10, Duration::seconds(30))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 2, "both queued letters, once each");
        assert_eq!(claimed[0].claims_before, 0);
        assert!(
            claimed
                .iter()
                .all(|letter| letter.letter_json.contains("Hej"))
        );
        let none = queue.claim_letters(&rival, now(), 10, Duration::seconds(30));
        assert!(
            none.await.unwrap().is_empty(),
            "leased letters are not claimed twice"
        );

        let sealed = Progress {
            id: first.id,
            holder: &rival,
            event: TimelineEvent::Sealed,
            at: now(),
        };
        let refused = queue.record_progress(sealed.clone()).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict { .. })),
            "{refused:?}"
        );
        let step = queue
            .record_progress(Progress {
                holder: &holder,
                ..sealed
            })
            .await
            .unwrap();
        let delivered = TimelineEvent::Delivered {
            trans_id: "T-1".into(),
            operator: "Demobrevlådan".into(),
        };
        let last = queue
            .record_progress(Progress {
                id: first.id,
                holder: &holder,
                event: delivered.clone(),
                at: now(),
            })
            .await
            .unwrap();
        assert!(last.sequence > step.sequence);

        // The other letter: postponed, then claimed again once its lease and wait ended.
        let other = claimed
            .iter()
            .find(|letter| letter.record.id != first.id)
            .unwrap();
        queue
            .postpone_letter(other.record.id, &holder, "operator unreachable", now())
            .await
            .unwrap();
        let later = now() + Duration::seconds(1);
        let again = queue
            .claim_letters(&rival, later, 10, Duration::seconds(30))
            .await
            .unwrap();
        assert_eq!(again.len(), 1, "a delivered letter is never claimed again");
        assert_eq!((again[0].record.rounds, again[0].claims_before), (1, 1));
        let expired = now() + Duration::seconds(40);
        let taken_over = queue
            .claim_letters(&holder, expired, 10, Duration::seconds(30))
            .await
            .unwrap();
        assert_eq!(taken_over.len(), 1, "a lease that ran out is taken over");
        let ids = [other.record.id];
        let renewed = queue.renew_letter_leases(&ids, &rival, expired).await;
        assert_eq!(renewed.unwrap(), 0, "the old holder holds nothing");

        let (record, timeline) = queue.letter(first.id).await.unwrap().unwrap();
        assert_eq!(record.state, LetterState::Delivered);
        let kinds: Vec<_> = timeline.iter().map(|event| event.event.clone()).collect();
        assert_eq!(
            kinds,
            [TimelineEvent::Accepted, TimelineEvent::Sealed, delivered]
        );

        let feed = queue.events_after(&alpha, 0, 100).await.unwrap();
        assert_eq!(feed.len(), 3, "alpha sees its own letter's events only");
        assert!(
            feed.windows(2)
                .all(|pair| pair[0].sequence < pair[1].sequence)
        );
        let rest = queue
            .events_after(&alpha, feed[0].sequence, 1)
            .await
            .unwrap();
        assert_eq!(rest, feed[1..2]);
        assert_eq!(queue.events_after(&beta, 0, 100).await.unwrap().len(), 1);
        test.finish().await;
    }
}

#[tokio::test]
async fn single_letters_are_claimed_before_bulk_letters_queued_earlier() {
    for test in TestDatabase::all().await {
        let queue = test.database.sender_queue();
        let client = ClientId::parse("alpha").unwrap();
        let (bulk, single) = (sample("batch/0"), sample("single"));
        let queued = accept_in(queue.as_ref(), &client, &bulk, "b", Lane::Bulk).await;
        let Acceptance::Queued(record) = queued else {
            panic!("a new key queues the letter");
        };
        assert_eq!(record.lane, Lane::Bulk);
        accept(queue.as_ref(), &client, &single, "s").await;
        let holder = LeaseHolder::new_random();
        let later = now() + Duration::seconds(1);
        let first = queue
            .claim_letters(&holder, later, 1, Duration::seconds(30))
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].record.id, first[0].record.lane),
            (single.id, Lane::Single)
        );
        let next = queue
            .claim_letters(&holder, later, 1, Duration::seconds(30))
            .await
            .unwrap();
        assert_eq!(
            (next[0].record.id, next[0].record.lane),
            (bulk.id, Lane::Bulk)
        );
        let (stored, _) = queue.letter(bulk.id).await.unwrap().unwrap();
        assert_eq!(stored.lane, Lane::Bulk, "the lane is kept with the letter");
    }
}
