//! The §11.6 3b rule, one case per paper reason, and answers matched to the ids asked.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_wire::types::{AccountStatus, Operator, ReachabilityStatus};
use kuvert_wire::values::AccountType;

use super::{PaperReason, Reachability, classify, match_statuses};

fn recipient(text: &str) -> RecipientId {
    RecipientId::parse(text).unwrap()
}

fn status(
    id: &str,
    account_type: AccountType,
    service_address: Option<&str>,
) -> ReachabilityStatus {
    ReachabilityStatus {
        account: AccountStatus {
            recipient: recipient(id),
            account_type,
            is_pending: false,
            operator: service_address.map(|address| Operator {
                id: OrganisationNumber::parse("5599000014").unwrap(),
                name: "Demobrevlådan".to_owned(),
                logo: None,
                service_address: address.to_owned(),
                ui_address: None,
            }),
            last_registration: None,
        },
        accepts_sender: true,
        last_sender_accept_change: None,
    }
}

const PERSON: &str = "191212121212";
const ADDRESS: &str = "https://127.0.0.1:9443/service/v3";

#[track_caller]
fn check(status: &ReachabilityStatus, expected: Option<PaperReason>) {
    match (classify(status), expected) {
        (Reachability::Reachable(destination), None) => {
            assert_eq!(destination.service_address.as_str(), ADDRESS);
        }
        (Reachability::Unreachable(reason), Some(expected)) => assert_eq!(reason, expected),
        (found, expected) => panic!("{found:?} is not {expected:?}"),
    }
}

#[test]
fn classify_follows_the_deliverable_rule_for_each_reason() {
    check(&status(PERSON, AccountType::Secure, Some(ADDRESS)), None);
    check(
        &status(PERSON, AccountType::Not, None),
        Some(PaperReason::NoMailbox),
    );
    check(
        &status(PERSON, AccountType::Anonymous, Some(ADDRESS)),
        Some(PaperReason::NoMailbox),
    );
    let mut pending = status(PERSON, AccountType::Secure, Some(ADDRESS));
    pending.account.is_pending = true;
    check(&pending, Some(PaperReason::Pending));
    let mut deselected = status(PERSON, AccountType::Secure, Some(ADDRESS));
    deselected.accepts_sender = false;
    check(&deselected, Some(PaperReason::SenderDeselected));
    check(
        &status(PERSON, AccountType::Secure, None),
        Some(PaperReason::NoServiceAddress),
    );
    check(
        &status(PERSON, AccountType::Secure, Some("  ")),
        Some(PaperReason::NoServiceAddress),
    );
    check(
        &status(
            PERSON,
            AccountType::Secure,
            Some("http://127.0.0.1/service/v3"),
        ),
        Some(PaperReason::NoServiceAddress),
    );
}

#[test]
fn match_statuses_orders_answers_as_asked_and_refuses_missing_ones() {
    let other = "198101052382";
    let asked = [recipient(other), recipient(PERSON)];
    let statuses = vec![
        status(PERSON, AccountType::Secure, Some(ADDRESS)),
        status(other, AccountType::Not, None),
    ];
    let results = match_statuses(&asked, statuses).unwrap();
    assert_eq!(
        results[0],
        Reachability::Unreachable(PaperReason::NoMailbox)
    );
    assert!(matches!(results[1], Reachability::Reachable(_)));

    let wrong = vec![
        status(PERSON, AccountType::Secure, Some(ADDRESS)),
        status(PERSON, AccountType::Secure, Some(ADDRESS)),
    ];
    assert!(match_statuses(&asked, wrong).is_err());
    assert!(match_statuses(&asked, Vec::new()).is_err());
}
