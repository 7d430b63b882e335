//! Issue 15, the letters the sender service and the intermediary report to the registry's
//! statistics (migration 0020), on SQLite and PostgreSQL: only letters that ended digital or
//! on paper are claimed, counted per sender; a running claim keeps other nodes off; a mark
//! reports exactly the holder's letters of one sender, once; a released or lapsed claim is
//! taken by another node; the round's bound holds.

use kuvert_core::id::OrganisationNumber;
use kuvert_core::lane::Lane;
use kuvert_core::limits::LETTERS_REPORTED_PER_ROUND_MAX;
use kuvert_core::message::{DeliveryKey, MessageId, TransId};
use kuvert_store::StoreError;
use kuvert_store::distribution::{DistributionStatus, NewDistribution};
use kuvert_store::letter_report::{LetterReportStore, ReportClaim, UnreportedLetters};
use kuvert_store::sender::{
    ClientId, IdempotencyKey, LeaseHolder, LetterId, NewLetter, Progress, TimelineEvent,
};
use time::{Duration, OffsetDateTime};

use crate::support::{TestDatabase, content_digest, now, organisation, person};

/// How a stand-in letter ends: `None` stays in flight.
#[derive(Clone, Copy)]
enum End {
    Delivered,
    Paper,
    Failed,
}

/// Sender 1: two delivered, one on paper, one failed, one in flight; sender 2: one on paper.
const LETTERS: [(u32, Option<End>); 6] = [
    (1, Some(End::Delivered)),
    (1, Some(End::Paper)),
    (2, Some(End::Paper)),
    (1, Some(End::Delivered)),
    (1, Some(End::Failed)),
    (1, None),
];

fn expected() -> Vec<UnreportedLetters> {
    let mut counts = vec![counts(1, 2, 1), counts(2, 0, 1)];
    counts.sort_by(|one, other| one.sender.as_str().cmp(other.sender.as_str()));
    counts
}

fn counts(sender: u32, digital: u64, paper: u64) -> UnreportedLetters {
    UnreportedLetters {
        sender: organisation(sender),
        digital,
        paper,
    }
}

#[tokio::test]
async fn the_sender_services_final_letters_are_reported_once_per_claim() {
    for test in TestDatabase::all().await {
        queue_letters(&test).await;
        check_reporting(test.database.sender_letter_reports().as_ref()).await;
        test.finish().await;
    }
}

#[tokio::test]
async fn the_intermediarys_final_distributions_are_reported_once_per_claim() {
    for test in TestDatabase::all().await {
        record_distributions(&test).await;
        check_reporting(test.database.distribution_reports().as_ref()).await;
        test.finish().await;
    }
}

/// The rules every table keeps, over the letters of [`LETTERS`].
async fn check_reporting(store: &dyn LetterReportStore) {
    let (holder, rival) = (LeaseHolder::new_random(), LeaseHolder::new_random());
    let start = now();
    let claim = |holder, at: OffsetDateTime, limit| ReportClaim {
        holder,
        now: at,
        until: at + Duration::seconds(60),
        limit,
    };
    let too_many = store
        .claim_unreported(claim(&holder, start, LETTERS_REPORTED_PER_ROUND_MAX + 1))
        .await;
    assert!(
        matches!(too_many, Err(StoreError::TooMany { .. })),
        "{too_many:?}"
    );
    let one = store.claim_unreported(claim(&holder, start, 1)).await;
    let one = one.unwrap();
    let letters: u64 = one.iter().map(|sender| sender.digital + sender.paper).sum();
    assert_eq!(letters, 1, "the round's bound: {one:?}");
    assert_eq!(store.release_report_claims(&holder).await.unwrap(), 1);

    let all = store.claim_unreported(claim(&holder, start, 100)).await;
    assert_eq!(all.unwrap(), expected(), "final letters only, per sender");
    let none = store.claim_unreported(claim(&rival, start, 100)).await;
    assert_eq!(none.unwrap(), Vec::new(), "held by a running claim");
    assert_eq!(
        store
            .mark_reported(&rival, &organisation(1), start)
            .await
            .unwrap(),
        0,
        "only the holder marks"
    );
    let marked = store.mark_reported(&holder, &organisation(1), start).await;
    assert_eq!(marked.unwrap(), 3);
    assert_eq!(store.release_report_claims(&holder).await.unwrap(), 1);

    let left = store.claim_unreported(claim(&rival, start, 100)).await;
    assert_eq!(
        left.unwrap(),
        vec![counts(2, 0, 1)],
        "released: taken at once"
    );
    let later = start + Duration::seconds(61);
    let lapsed = store.claim_unreported(claim(&holder, later, 100)).await;
    assert_eq!(
        lapsed.unwrap(),
        vec![counts(2, 0, 1)],
        "a lapsed claim is taken"
    );
    let taken = store.mark_reported(&rival, &organisation(2), later).await;
    assert_eq!(
        taken.unwrap(),
        0,
        "taken over: the old holder marks nothing"
    );
    let marked = store.mark_reported(&holder, &organisation(2), later).await;
    assert_eq!(marked.unwrap(), 1);

    let much_later = start + Duration::hours(1);
    for node in [&holder, &rival] {
        let again = store.claim_unreported(claim(node, much_later, 100)).await;
        assert_eq!(
            again.unwrap(),
            Vec::new(),
            "reported letters are never claimed again"
        );
    }
}

/// Queues [`LETTERS`] in the sender service's queue and ends each as it says.
async fn queue_letters(test: &TestDatabase) {
    let queue = test.database.sender_queue();
    let client = ClientId::parse("kommunsystemet").unwrap();
    let worker = LeaseHolder::new_random();
    let mut ids = Vec::new();
    for (idx, (sender, end)) in LETTERS.iter().enumerate() {
        let (sender, recipient) = (organisation(*sender), person(1));
        let key = IdempotencyKey::parse(&format!("brev-{idx}")).unwrap();
        let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
        let id = LetterId::new_v7();
        ids.push((id, *end));
        let new = NewLetter {
            id,
            client: &client,
            key: &key,
            request_digest: "d",
            sender: &sender,
            recipient: &recipient,
            message_id: &message_id,
            letter_json: "{}",
            lane: Lane::Single,
            at: now(),
        };
        queue.accept_letters(&[new]).await.unwrap();
    }
    let claimed = queue
        .claim_letters(&worker, now(), 100, Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(claimed.len(), LETTERS.len());
    for (id, end) in ids {
        let event = match end {
            Some(End::Delivered) => TimelineEvent::Delivered {
                trans_id: "T-1".into(),
                operator: "Demobrevlådan".into(),
            },
            Some(End::Paper) => TimelineEvent::Paper {
                reason: "no_profile".into(),
            },
            Some(End::Failed) => TimelineEvent::Failed {
                reason: "refused".into(),
            },
            None => TimelineEvent::Sealed,
        };
        let progress = Progress {
            id,
            holder: &worker,
            event,
            at: now(),
        };
        queue.record_progress(progress).await.unwrap();
    }
}

/// Records [`LETTERS`] as the intermediary's distributions, each with its status.
async fn record_distributions(test: &TestDatabase) {
    let store = test.database.distributions();
    for (idx, (sender, end)) in LETTERS.iter().enumerate() {
        let message_id = format!("brev-{idx}");
        let key = DeliveryKey {
            sender: organisation(*sender),
            message_id: MessageId::parse(&message_id).unwrap(),
        };
        let client: OrganisationNumber = organisation(*sender);
        let id = uuid::Uuid::now_v7();
        let new = NewDistribution {
            id,
            key: &key,
            content_digest: &content_digest(&message_id),
            recipient: &person(1),
            client: &client,
            at: now(),
            claim_until: now() + Duration::minutes(15),
        };
        store.begin_distribution(new).await.unwrap();
        let status = match end {
            Some(End::Delivered) => DistributionStatus::Delivered {
                trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
            },
            Some(End::Paper) => DistributionStatus::Paper,
            Some(End::Failed) => DistributionStatus::Failed,
            None => DistributionStatus::Delivering,
        };
        store
            .set_distribution_status(id, &status, now())
            .await
            .unwrap();
    }
}
