//! Issue 16, stateless nodes, on SQLite and PostgreSQL: web sessions as rows (liveness,
//! versioned changes, lookup, the bound), the portal's shared daily visitor salt, and the
//! outbox under several workers (leases held by one holder, the summary hour taken once).

use std::sync::Arc;

use kuvert_store::StoreError;
use kuvert_store::operator::{HourReservation, LeaseHolder, NotificationChannel, SummaryHour};
use kuvert_store::web_session::{
    Liveness, NewSession, SessionChange, SessionKey, SessionRow, WebSessionStore,
};
use time::Duration;

use crate::notifications::queued;
use crate::support::{TestDatabase, now, person};

const REALM: &str = "kuvert_test";

fn liveness(at: time::OffsetDateTime) -> Liveness {
    Liveness {
        now: at,
        idle: Duration::minutes(15),
        lifetime: Duration::hours(8),
    }
}

async fn create(rows: &dyn WebSessionStore, key: &SessionKey, lookup: Option<&SessionKey>) {
    let new = NewSession {
        row: SessionRow {
            realm: REALM,
            key,
            data: "{\"who\":1}",
            lookup,
        },
        liveness: liveness(now()),
        sessions_max: 2,
    };
    rows.create_session(new).await.unwrap();
}

#[tokio::test]
async fn web_sessions_are_versioned_found_by_lookup_bounded_and_end() {
    for test in TestDatabase::all().await {
        let rows = test.database.web_sessions();
        let (first, lookup) = (SessionKey::of_secret("a"), SessionKey::of_secret("state-1"));
        create(rows.as_ref(), &first, Some(&lookup)).await;
        let stored = rows
            .session(REALM, &first, liveness(now()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored.data.as_str(), stored.version), ("{\"who\":1}", 1));
        assert!(
            rows.session("other", &first, liveness(now()))
                .await
                .unwrap()
                .is_none()
        );
        let found = rows
            .session_by_lookup(REALM, &lookup, liveness(now()))
            .await
            .unwrap();
        assert_eq!(found.map(|found| found.key), Some(first.clone()));
        let row = SessionRow {
            realm: REALM,
            key: &first,
            data: "{\"who\":2}",
            lookup: None,
        };
        let change = |version| SessionChange {
            row,
            version,
            at: now(),
        };
        assert!(rows.change_session(change(1)).await.unwrap());
        assert!(
            !rows.change_session(change(1)).await.unwrap(),
            "a stale version"
        );
        let found = rows
            .session_by_lookup(REALM, &lookup, liveness(now()))
            .await
            .unwrap();
        assert!(found.is_none(), "the lookup went with the change");
        let big = "x".repeat(kuvert_core::limits::WEB_SESSION_DATA_BYTES_MAX + 1);
        let big_row = SessionRow { data: &big, ..row };
        let too_big = rows
            .change_session(SessionChange {
                row: big_row,
                ..change(2)
            })
            .await;
        assert!(
            matches!(too_big, Err(StoreError::OutOfBounds { .. })),
            "{too_big:?}"
        );
        for name in ["b", "c"] {
            create(rows.as_ref(), &SessionKey::of_secret(name), None).await;
        }
        let kept = [("a", false), ("b", true), ("c", true)];
        for (name, is_kept) in kept {
            let key = SessionKey::of_secret(name);
            let found = rows.session(REALM, &key, liveness(now())).await.unwrap();
            assert_eq!(
                found.is_some(),
                is_kept,
                "{name}: the bound of 2 keeps the newest"
            );
        }
        let later = liveness(now() + Duration::minutes(16));
        let key = SessionKey::of_secret("b");
        assert!(
            rows.session(REALM, &key, later).await.unwrap().is_none(),
            "idle"
        );
        assert_eq!(
            rows.sweep_sessions(REALM, later).await.unwrap(),
            1,
            "c, b went on read"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn visitor_salt_is_one_per_day_for_every_node_and_forgotten_with_the_day() {
    for test in TestDatabase::all().await {
        let (node_a, node_b) = (test.database.portal(), test.database.clone().portal());
        let monday = time::macros::date!(2026 - 11 - 30);
        let tuesday = monday.next_day().unwrap();
        let (first, second) =
            tokio::join!(node_a.visitor_salt(monday), node_b.visitor_salt(monday));
        let first = first.unwrap();
        assert_eq!(first, second.unwrap(), "created once, read by both");
        let next = node_b.visitor_salt(tuesday).await.unwrap();
        assert_ne!(next, first);
        node_a.forget_visitors_before(tuesday).await.unwrap();
        assert_eq!(node_a.visitor_salt(tuesday).await.unwrap(), next);
        let fresh = node_a.visitor_salt(monday).await.unwrap();
        assert_ne!(fresh, first, "monday's salt was deleted for good");
        assert_eq!(format!("{fresh:?}"), "VisitorSalt([redacted])");
        test.finish().await;
    }
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_can_neither_renew_nor_mark() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        queued(operator.as_ref(), &person(7), 1).await;
        let (slow, fast) = (LeaseHolder::new_random(), LeaseHolder::new_random());
        let (start, lease) = (now() + Duration::seconds(1), Duration::minutes(5));
        let claimed = operator
            .claim_notifications(&slow, start, 10, lease)
            .await
            .unwrap();
        let ids: Vec<_> = claimed.iter().map(|item| item.id).collect();
        let after = start + Duration::minutes(6);
        let taken = operator
            .claim_notifications(&fast, after, 10, lease)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1, "the lease ran out and was taken over");
        assert_eq!(
            operator
                .renew_notification_lease(&ids, &slow, after)
                .await
                .unwrap(),
            0
        );
        let late = operator.mark_notification_sent(ids[0], &slow, after).await;
        assert!(matches!(late, Err(StoreError::NotFound { .. })), "{late:?}");
        let failed = operator
            .mark_notification_failed(ids[0], &slow, "smtp", after)
            .await;
        assert!(
            matches!(failed, Err(StoreError::Conflict { .. })),
            "{failed:?}"
        );
        assert_eq!(
            operator
                .renew_notification_lease(&ids, &fast, after)
                .await
                .unwrap(),
            1
        );
        operator
            .mark_notification_sent(ids[0], &fast, after)
            .await
            .unwrap();
        test.finish().await;
    }
}

#[tokio::test]
async fn the_summary_hour_is_taken_by_exactly_one_of_racing_workers_and_given_back() {
    for test in TestDatabase::all().await {
        let recipient = person(8);
        let channel = NotificationChannel::Email;
        let hour = Duration::hours(1);
        let start = now();
        let slot = |channel, at| SummaryHour {
            recipient: &recipient,
            channel,
            at,
        };
        let stores: Vec<Arc<_>> = (0..8).map(|_| test.operator()).collect();
        let races = stores
            .iter()
            .map(|store| store.reserve_notification_hour(slot(channel, start), hour));
        let outcomes = futures::future::join_all(races).await;
        let reserved = outcomes
            .iter()
            .filter(|outcome| matches!(outcome, Ok(HourReservation::Reserved)))
            .count();
        assert_eq!(reserved, 1, "{outcomes:?}");
        let store = &stores[0];
        let soon = start + Duration::minutes(30);
        let taken = store
            .reserve_notification_hour(slot(channel, soon), hour)
            .await;
        assert_eq!(
            taken.unwrap(),
            HourReservation::Taken {
                last_sent_at: start
            }
        );
        store
            .release_notification_hour(slot(channel, start))
            .await
            .unwrap();
        let again = store
            .reserve_notification_hour(slot(channel, soon), hour)
            .await;
        assert_eq!(
            again.unwrap(),
            HourReservation::Reserved,
            "a failed send gave it back"
        );
        let sms = NotificationChannel::Sms;
        let other = store.reserve_notification_hour(slot(sms, soon), hour).await;
        assert_eq!(
            other.unwrap(),
            HourReservation::Reserved,
            "each channel has its hour"
        );
        test.finish().await;
    }
}
