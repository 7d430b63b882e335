//! `isReachable` over mutual TLS: batching and the mapping of each paper reason.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_sender::{Outcome, PaperReason, Peer, Reachability, SendError, Toolkit};
use kuvert_wire::fault::{Fault, FaultCode};

use crate::support::{self, DESELECTED, NO_ADDRESS, NO_MAILBOX, PENDING, REACHABLE, SENDER};

#[tokio::test]
async fn reachability_asks_2500_ids_in_three_calls_in_order() {
    let (registry, log) = support::start_registry("https://127.0.0.1:1/service/v3").await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();
    let people = support::many_people(2_500);
    let sender = OrganisationNumber::parse(SENDER).unwrap();

    let results = toolkit.reachability(&sender, &people).await.unwrap();

    assert_eq!(*log.0.lock().unwrap(), vec![1_000, 1_000, 500]);
    assert_eq!(results.len(), 2_500);
    assert!(
        results
            .iter()
            .all(|result| matches!(result, Reachability::Reachable(_)))
    );
}

#[tokio::test]
async fn reachability_maps_each_paper_reason() {
    let (registry, _log) = support::start_registry("https://127.0.0.1:1/service/v3").await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();
    let ids = [NO_MAILBOX, PENDING, DESELECTED, NO_ADDRESS, REACHABLE]
        .map(|id| RecipientId::parse(id).unwrap());
    let sender = OrganisationNumber::parse(SENDER).unwrap();

    let results = toolkit.reachability(&sender, &ids).await.unwrap();

    let expected = [
        PaperReason::NoMailbox,
        PaperReason::Pending,
        PaperReason::SenderDeselected,
        PaperReason::NoServiceAddress,
    ];
    for (result, reason) in results.iter().zip(expected) {
        assert_eq!(*result, Reachability::Unreachable(reason));
    }
    let Reachability::Reachable(destination) = &results[4] else {
        panic!("the last recipient is reachable");
    };
    assert_eq!(destination.operator_name, "Demobrevlådan");
    assert_eq!(
        destination.service_address.as_str(),
        "https://127.0.0.1:1/service/v3"
    );
}

#[tokio::test]
async fn send_to_unreachable_recipient_appends_the_paper_mail_list() {
    let (registry, _log) = support::start_registry("https://127.0.0.1:1/service/v3").await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();

    let first = toolkit.send(&support::letter(DESELECTED)).await.unwrap();
    let second = toolkit.send(&support::letter(NO_MAILBOX)).await.unwrap();

    assert_eq!(
        first,
        Outcome::Paper {
            reason: PaperReason::SenderDeselected
        }
    );
    assert_eq!(
        second,
        Outcome::Paper {
            reason: PaperReason::NoMailbox
        }
    );
    let csv = std::fs::read_to_string(toolkit.paper_mail().path()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], kuvert_sender::PAPER_MAIL_HEADER);
    assert!(lines[1].starts_with(&format!("{SENDER},{DESELECTED},sender_deselected,")));
    assert!(lines[2].starts_with(&format!("{SENDER},{NO_MAILBOX},no_mailbox,")));
    assert_eq!(lines.len(), 3);
}

#[tokio::test]
async fn reachability_reports_an_unreachable_registry() {
    let archive = tempfile::tempdir().unwrap();
    let url = "https://127.0.0.1:1/ec/Recipient/v3";
    let toolkit = Toolkit::build(&support::config(url, archive.path())).unwrap();
    let sender = OrganisationNumber::parse(SENDER).unwrap();
    let error = toolkit
        .reachability(&sender, &[RecipientId::parse(REACHABLE).unwrap()])
        .await
        .unwrap_err();
    assert!(
        matches!(error, SendError::RegistryUnreachable { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn registry_fault_is_typed_with_code_and_call_id() {
    let fault = Fault::new(
        FaultCode::DISPATCHER_NOT_APPROVED,
        "not an approved intermediary",
    );
    let answer = fault.to_envelope();
    let router = Router::new().route(
        "/ec/Recipient/v3",
        post(move || async move { (StatusCode::INTERNAL_SERVER_ERROR, answer) }),
    );
    let registry = support::start("registry", "/ec/Recipient/v3", router).await;
    let archive = tempfile::tempdir().unwrap();
    let toolkit = Toolkit::build(&support::config(&registry.url, archive.path())).unwrap();

    let error = toolkit.send(&support::letter(REACHABLE)).await.unwrap_err();

    let SendError::Fault {
        peer,
        code,
        call_id,
        ..
    } = error
    else {
        panic!("a fault, not {error}");
    };
    assert_eq!(peer, Peer::Registry);
    assert_eq!(code, FaultCode::DISPATCHER_NOT_APPROVED);
    assert_eq!(call_id, fault.call_id);
}
