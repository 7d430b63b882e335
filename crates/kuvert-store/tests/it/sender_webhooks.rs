//! Issue 15, the sender service's webhooks on SQLite and PostgreSQL: an endpoint's events
//! after its cursor by its filter, in sequence order; claims under a lease that only its
//! holder may use; the cursor moved only forward and only by the holder; the dead-letter list
//! seen and queued again only for its senders.

use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::MessageId;
use kuvert_store::StoreError;
use kuvert_store::sender::webhook::{
    Attempt, DeadLetterState, EndpointId, EndpointLease, EventFilter, WebhookStore,
};
use kuvert_store::sender::{
    ClientId, IdempotencyKey, LeaseHolder, LetterId, NewLetter, SenderQueueStore,
};
use time::Duration;

use crate::support::{TestDatabase, now, organisation, person};

/// Accepts one letter of `client` for `sender`: its `accepted` event.
async fn accept(queue: &dyn SenderQueueStore, client: &ClientId, sender: &OrganisationNumber) {
    let (id, key) = (LetterId::new_v7(), IdempotencyKey::parse(&uuid()).unwrap());
    let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
    let recipient = person(1);
    let new = NewLetter {
        id,
        client,
        key: &key,
        request_digest: "d",
        sender,
        recipient: &recipient,
        message_id: &message_id,
        letter_json: "{}",
        at: now(),
        lane: kuvert_core::lane::Lane::Single,
    };
    queue.accept_letters(&[new]).await.unwrap();
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn webhook_cursor_moves_in_order_under_a_lease_and_dead_letters_stay_with_their_senders() {
    for test in TestDatabase::all().await {
        let (queue, hooks) = (
            test.database.sender_queue(),
            test.database.sender_webhooks(),
        );
        let (alpha, beta) = (
            ClientId::parse("alpha").unwrap(),
            ClientId::parse("beta").unwrap(),
        );
        let (ours, theirs) = (organisation(1), organisation(2));
        for client in [&alpha, &beta, &alpha, &beta, &alpha] {
            let sender = if *client == alpha { &ours } else { &theirs };
            accept(queue.as_ref(), client, sender).await;
        }
        let filter = EventFilter {
            clients: std::slice::from_ref(&alpha),
            senders: &[],
        };
        let batch = hooks.events_for(filter, 0, 100).await.unwrap();
        let events = batch.events;
        assert_eq!(events.len(), 3, "alpha's events only");
        assert_eq!(
            batch.scanned_to, 5,
            "a whole read looked to the newest event"
        );
        let page = hooks.events_for(filter, 0, 2).await.unwrap();
        assert_eq!(page.events, events[..2]);
        assert_eq!(
            page.scanned_to, events[1].event.sequence,
            "a full page, to its last"
        );
        assert!(events.iter().all(|event| event.client == alpha));
        assert!(
            events
                .windows(2)
                .all(|pair| pair[0].event.sequence < pair[1].event.sequence)
        );
        let by_sender = EventFilter {
            clients: &[],
            senders: std::slice::from_ref(&theirs),
        };
        let theirs_events = hooks.events_for(by_sender, 0, 100).await.unwrap();
        assert_eq!(theirs_events.events.len(), 2, "beta's sender's events");
        let both = EventFilter {
            clients: std::slice::from_ref(&alpha),
            senders: std::slice::from_ref(&theirs),
        };
        assert_eq!(
            hooks.events_for(both, 0, 100).await.unwrap().events.len(),
            5
        );
        let after_first = hooks.events_for(filter, events[0].event.sequence, 100);
        assert_eq!(
            after_first.await.unwrap().events,
            events[1..],
            "after a cursor"
        );

        check_leases_and_cursor(hooks.as_ref(), &events, &ours, &theirs).await;
        check_start_now(hooks.as_ref(), queue.as_ref(), &alpha, &ours).await;
        test.finish().await;
    }
}

/// An endpoint started now begins after the newest event, once: later starts keep its cursor.
async fn check_start_now(
    hooks: &dyn WebhookStore,
    queue: &dyn SenderQueueStore,
    client: &ClientId,
    sender: &OrganisationNumber,
) {
    let everyone = EventFilter {
        clients: std::slice::from_ref(client),
        senders: std::slice::from_ref(sender),
    };
    let newest = hooks.events_for(everyone, 0, 100).await.unwrap().scanned_to;
    assert!(newest > 0);
    let endpoint = EndpointId::parse("fran-nu").unwrap();
    let holder = LeaseHolder::new_random();
    let lease = EndpointLease {
        endpoint: &endpoint,
        holder: &holder,
        lease: Duration::seconds(30),
    };
    hooks.start_endpoint_now(&endpoint, now()).await.unwrap();
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(
        (cursor.after, cursor.attempts),
        (newest, 0),
        "skips the log"
    );
    accept(queue, client, sender).await;
    hooks.start_endpoint_now(&endpoint, now()).await.unwrap();
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(cursor.after, newest, "a started endpoint keeps its cursor");
    let later = hooks.events_for(everyone, cursor.after, 100).await.unwrap();
    assert_eq!(later.events.len(), 1, "the letter accepted after the start");
}

async fn check_leases_and_cursor(
    hooks: &dyn WebhookStore,
    events: &[kuvert_store::sender::webhook::WebhookEvent],
    ours: &OrganisationNumber,
    theirs: &OrganisationNumber,
) {
    let endpoint = EndpointId::parse("mottagaren").unwrap();
    let (holder, rival) = (LeaseHolder::new_random(), LeaseHolder::new_random());
    let lease = EndpointLease {
        endpoint: &endpoint,
        holder: &holder,
        lease: Duration::seconds(30),
    };
    let rivals = EndpointLease {
        holder: &rival,
        ..lease
    };
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(
        (cursor.after, cursor.attempts),
        (0, 0),
        "a new endpoint starts at 0"
    );
    assert!(
        hooks.claim_endpoint(rivals, now()).await.unwrap().is_none(),
        "held"
    );
    assert!(
        hooks.claim_endpoint(lease, now()).await.unwrap().is_some(),
        "renewed"
    );

    let failed = Attempt::Failed {
        attempts: 1,
        retry_at: now() + Duration::seconds(5),
        error: "HTTP 503".into(),
    };
    hooks
        .record_attempt(lease, &events[0], failed, now())
        .await
        .unwrap();
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(
        (cursor.after, cursor.attempts),
        (0, 1),
        "a failure keeps the cursor"
    );
    assert!(cursor.next_attempt_at > now());
    let by_rival = hooks.record_attempt(rivals, &events[0], Attempt::Delivered, now());
    assert!(
        matches!(by_rival.await, Err(StoreError::Conflict { .. })),
        "not the holder"
    );
    hooks
        .record_attempt(lease, &events[0], Attempt::Delivered, now())
        .await
        .unwrap();
    let again = hooks.record_attempt(lease, &events[0], Attempt::Delivered, now());
    assert!(
        matches!(again.await, Err(StoreError::Conflict { .. })),
        "already past"
    );
    let gave_up = Attempt::GaveUp {
        attempts: 3,
        error: "HTTP 503".into(),
    };
    hooks
        .record_attempt(lease, &events[1], gave_up, now())
        .await
        .unwrap();
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(
        (cursor.after, cursor.attempts),
        (events[1].event.sequence, 0)
    );

    let listed = hooks
        .dead_letters(std::slice::from_ref(ours), None, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let dead = &listed[0];
    assert_eq!((dead.state, dead.attempts), (DeadLetterState::Dead, 3));
    assert_eq!(dead.event, events[1].event);
    let others = hooks
        .dead_letters(std::slice::from_ref(theirs), None, 10)
        .await;
    assert!(
        others.unwrap().is_empty(),
        "another sender's caller sees none"
    );
    let page_after = hooks
        .dead_letters(std::slice::from_ref(ours), Some(dead.id), 10)
        .await;
    assert!(page_after.unwrap().is_empty());
    let wrong = hooks
        .queue_dead_letter(dead.id, std::slice::from_ref(theirs), now())
        .await;
    assert!(
        wrong.unwrap().is_none(),
        "not queued for another sender's caller"
    );
    assert!(
        hooks
            .due_dead_letter(&endpoint, now())
            .await
            .unwrap()
            .is_none()
    );
    let queued = hooks
        .queue_dead_letter(dead.id, std::slice::from_ref(ours), now())
        .await;
    let queued = queued.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.attempts),
        (DeadLetterState::Queued, 0)
    );
    let due = hooks
        .due_dead_letter(&endpoint, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(due.id, dead.id);
    let by_rival = hooks.record_dead_letter_attempt(rivals, dead.id, Attempt::Delivered, now());
    assert!(matches!(by_rival.await, Err(StoreError::Conflict { .. })));
    hooks
        .record_dead_letter_attempt(lease, dead.id, Attempt::Delivered, now())
        .await
        .unwrap();
    let listed = hooks
        .dead_letters(std::slice::from_ref(ours), None, 10)
        .await
        .unwrap();
    assert_eq!(listed[0].state, DeadLetterState::Resent);

    // Past another client's event after the last one sent; never back.
    let skipped = events[1].event.sequence + 1;
    hooks.skip_to(lease, skipped, now()).await.unwrap();
    hooks.skip_to(lease, 1, now()).await.unwrap();
    let cursor = hooks.claim_endpoint(lease, now()).await.unwrap().unwrap();
    assert_eq!(cursor.after, skipped, "skipped forward only");

    // The lease ran out: the rival takes the endpoint over, and the old holder moves nothing.
    let later = now() + Duration::seconds(31);
    let taken = hooks.claim_endpoint(rivals, later).await.unwrap().unwrap();
    assert_eq!(taken.after, skipped, "the cursor survives a takeover");
    let stale = hooks.record_attempt(lease, &events[2], Attempt::Delivered, later);
    assert!(
        matches!(stale.await, Err(StoreError::Conflict { .. })),
        "the old holder"
    );
}
