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

#[test]
fn match_statuses_gives_each_recipient_its_own_operators_address_when_many_share_one() {
    // Issue 14: the answer's service addresses are parsed once each, not once a status.
    let people = [
        "191212121212",
        "198101052382",
        "199001011239",
        "199507074566",
    ];
    let other = "https://127.0.0.1:9445/service/v3";
    let statuses = vec![
        status(people[0], AccountType::Secure, Some(ADDRESS)),
        status(people[1], AccountType::Secure, Some(&format!(" {other} "))),
        status(people[2], AccountType::Secure, Some("http://127.0.0.1/x")),
        status(people[3], AccountType::Secure, Some(ADDRESS)),
    ];
    let asked: Vec<RecipientId> = people.iter().rev().map(|id| recipient(id)).collect();
    let addresses: Vec<Option<String>> = match_statuses(&asked, statuses)
        .unwrap()
        .into_iter()
        .map(|reachability| match reachability {
            Reachability::Reachable(destination) => Some(destination.service_address.into()),
            Reachability::Unreachable(reason) => {
                assert_eq!(reason, PaperReason::NoServiceAddress);
                None
            }
        })
        .collect();
    let expected = [Some(ADDRESS), None, Some(other), Some(ADDRESS)];
    assert_eq!(
        addresses,
        expected.map(|address| address.map(str::to_owned))
    );
}
