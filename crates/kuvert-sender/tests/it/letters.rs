//! Reporting letter counts: the toolkit posts one sender's month to the registry's
//! `/api/v1/statistics/letters` (same origin as its SOAP endpoint), reads the totals, and
//! turns a refusal (problem+json) into a fault; the intermediary's background reporter
//! reports its distributions again after a refused report.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{ContentDigest, DeliveryKey, MessageId, TransId};
use kuvert_sender::intermediary::{AuthorisedSender, IntermediaryConfig};
use kuvert_sender::{LetterReport, Peer, ReportRound, SendError, Toolkit};
use kuvert_store::distribution::{DistributionStatus, NewDistribution};
use serde_json::{Value, json};

use crate::support::{self, INTERMEDIARY, SENDER};

/// Reports the stand-in registry received, and the sender it refuses.
type Seen = Arc<Mutex<Vec<Value>>>;

async fn letters_handler(State(seen): State<Seen>, Json(report): Json<Value>) -> Response {
    seen.lock().unwrap().push(report.clone());
    if report["month"] == "2026-12" {
        let problem = json!({
            "type": "about:blank", "title": "Forbidden", "status": 403,
            "detail": "intermediary is not approved", "code": 6005,
            "call_id": "0123456789abcdef0123456789abcdef",
        });
        return (StatusCode::FORBIDDEN, problem.to_string()).into_response();
    }
    let seen = seen.lock().unwrap();
    let sum = |field: &str| seen.iter().map(|r| r[field].as_u64().unwrap()).sum::<u64>();
    let totals = json!({
        "sender": report["sender"], "month": report["month"],
        "digital": sum("digital"), "paper": sum("paper"),
    });
    Json(totals).into_response()
}

async fn toolkit_with_registry() -> (support::TestServer, Toolkit, Seen, tempfile::TempDir) {
    let seen = Seen::default();
    let router = Router::new()
        .route("/api/v1/statistics/letters", post(letters_handler))
        .with_state(Arc::clone(&seen));
    let server = support::start("registry", "/ec/Recipient/v3", router).await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&server.url, archive.path())).unwrap();
    (server, toolkit, seen, archive)
}

#[tokio::test]
async fn report_letter_counts_posts_the_month_and_reads_the_totals() {
    let (_server, toolkit, seen, _archive) = toolkit_with_registry().await;
    let sender = OrganisationNumber::parse(SENDER).unwrap();
    let month = YearMonth::parse("2026-11").unwrap();
    toolkit
        .report_letter_counts(&sender, month, 3, 1)
        .await
        .unwrap();
    let totals = toolkit
        .report_letter_counts(&sender, month, 2, 0)
        .await
        .unwrap();
    let expected = LetterReport {
        sender,
        month,
        digital: 5,
        paper: 1,
    };
    assert_eq!(totals, expected);
    let first = json!({ "sender": SENDER, "month": "2026-11", "digital": 3, "paper": 1 });
    assert_eq!(seen.lock().unwrap()[0], first);
}

#[tokio::test]
async fn report_letter_counts_turns_a_refusal_into_a_fault() {
    let (_server, toolkit, _seen, _archive) = toolkit_with_registry().await;
    let sender = OrganisationNumber::parse(SENDER).unwrap();
    let month = YearMonth::parse("2026-12").unwrap();
    let result = toolkit.report_letter_counts(&sender, month, 1, 1).await;
    match result {
        Err(SendError::Fault {
            peer: Peer::Registry,
            code,
            call_id,
            ..
        }) => {
            assert_eq!(code.number(), 6005);
            assert_eq!(call_id.as_str(), "0123456789abcdef0123456789abcdef");
        }
        other => panic!("expected a registry fault, got {other:?}"),
    }
}

#[tokio::test]
async fn report_letter_counts_refuses_a_sender_the_toolkit_does_not_serve() {
    let (_server, toolkit, seen, _archive) = toolkit_with_registry().await;
    let stranger = OrganisationNumber::parse(INTERMEDIARY).unwrap();
    let month = YearMonth::parse("2026-11").unwrap();
    let result = toolkit.report_letter_counts(&stranger, month, 1, 0).await;
    assert!(
        matches!(result, Err(SendError::UnknownSender(_))),
        "{result:?}"
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}

/// Reports the stand-in registry received, and whether it refuses them now.
type Switched = (Seen, Arc<AtomicBool>);

async fn switched_handler(
    State((seen, is_refusing)): State<Switched>,
    Json(report): Json<Value>,
) -> Response {
    seen.lock().unwrap().push(report.clone());
    if is_refusing.load(Ordering::SeqCst) {
        let problem = json!({
            "type": "about:blank", "title": "Service Unavailable", "status": 503,
            "detail": "try again", "code": 9000,
            "call_id": "0123456789abcdef0123456789abcdef",
        });
        return (StatusCode::SERVICE_UNAVAILABLE, problem.to_string()).into_response();
    }
    Json(report).into_response()
}

/// Issue 15: the intermediary's reporter counts each distribution that ended digital or on
/// paper under the month of the report; a report the registry refuses is a failed sender of
/// the round, and the next round reports the same letters, after which none is left.
#[tokio::test]
async fn intermediary_reports_its_letters_again_after_a_refused_report() {
    let (seen, is_refusing) = (Seen::default(), Arc::new(AtomicBool::new(true)));
    let router = Router::new()
        .route("/api/v1/statistics/letters", post(switched_handler))
        .with_state((Arc::clone(&seen), Arc::clone(&is_refusing)));
    let server = support::start("registry", "/ec/Recipient/v3", router).await;
    let dir = tempfile::tempdir().unwrap();
    let sender = OrganisationNumber::parse(SENDER).unwrap();
    let database_url = format!("sqlite://{}/intermediary.db?mode=rwc", dir.path().display());
    let config = IntermediaryConfig {
        toolkit: support::config(&server.url, &dir.path().join("archive")),
        database_url: database_url.clone(),
        database_pool: Default::default(),
        senders: vec![AuthorisedSender {
            organisation_number: sender.clone(),
            clients: Vec::new(),
        }],
        envelope_bytes_max: kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX,
        http: Default::default(),
        crl: Default::default(),
        admin: "127.0.0.1:0".parse().unwrap(),
    };
    let service = kuvert_sender::intermediary::build(config).await.unwrap();
    let database = kuvert_store::Database::connect(&database_url)
        .await
        .unwrap();
    let trans_id = || TransId::from_uuid(uuid::Uuid::new_v4());
    let ends = [
        DistributionStatus::Delivered {
            trans_id: trans_id(),
        },
        DistributionStatus::Paper,
        DistributionStatus::Delivered {
            trans_id: trans_id(),
        },
        DistributionStatus::Failed,
    ];
    for (idx, status) in ends.iter().enumerate() {
        record_distribution(&database, &sender, idx, status).await;
    }
    let month = YearMonth::of(stockholm_day(time::OffsetDateTime::now_utc()));

    let refused = service.report_letters_once().await.unwrap();
    let expected = ReportRound {
        reported: Vec::new(),
        failed: 1,
    };
    assert_eq!(refused, expected);
    is_refusing.store(false, Ordering::SeqCst);
    let reported = service.report_letters_once().await.unwrap();
    let counts = LetterReport {
        sender,
        month,
        digital: 2,
        paper: 1,
    };
    let expected = ReportRound {
        reported: vec![counts],
        failed: 0,
    };
    assert_eq!(reported, expected, "the refused letters, again");
    let after = service.report_letters_once().await.unwrap();
    assert_eq!(after, ReportRound::default(), "each letter once");
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "one refused report, one taken"
    );
}

/// Records distribution `idx` of `sender` and sets it to `status`.
async fn record_distribution(
    database: &kuvert_store::Database,
    sender: &OrganisationNumber,
    idx: usize,
    status: &DistributionStatus,
) {
    let store = database.distributions();
    let key = DeliveryKey {
        sender: sender.clone(),
        message_id: MessageId::parse(&format!("brev-{idx}")).unwrap(),
    };
    let (id, now) = (uuid::Uuid::now_v7(), time::OffsetDateTime::now_utc());
    let recipient = RecipientId::parse(support::REACHABLE).unwrap();
    let new = NewDistribution {
        id,
        key: &key,
        content_digest: &ContentDigest::from_bytes([u8::try_from(idx).unwrap(); 32]),
        recipient: &recipient,
        client: sender,
        at: now,
        claim_until: now + time::Duration::minutes(15),
    };
    store.begin_distribution(new).await.unwrap();
    store
        .set_distribution_status(id, status, now)
        .await
        .unwrap();
}
