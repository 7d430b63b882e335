//! Reporting letter counts: the toolkit posts one sender's month to the registry's
//! `/api/v1/statistics/letters` (same origin as its SOAP endpoint), reads the totals, and
//! turns a refusal (problem+json) into a fault.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kuvert_core::calendar::YearMonth;
use kuvert_core::id::OrganisationNumber;
use kuvert_sender::{LetterReport, Peer, SendError, Toolkit};
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
