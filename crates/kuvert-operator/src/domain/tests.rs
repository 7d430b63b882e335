//! Unit tests of the delivery rules.

use std::collections::{HashMap, HashSet};

use kuvert_core::id::OrganisationNumber;

use super::rules::{Parties, authorise_parties, check_recipient};
use crate::error::Error;
use crate::registry_client::{Directory, RecipientProfile};

fn number(text: &str) -> OrganisationNumber {
    OrganisationNumber::parse(text).unwrap()
}

const SENDER: &str = "2120000142";
const INTERMEDIARY: &str = "5560360793";
const OTHER: &str = "2021005489";

fn directory() -> Directory {
    Directory {
        senders: HashSet::from([number(SENDER)]),
        intermediaries: HashMap::from([(number(INTERMEDIARY), HashSet::from([number(SENDER)]))]),
    }
}

fn parties(sealer: &str, signer: &str, sender: &str) -> Parties {
    Parties {
        sealer: number(sealer),
        signer: number(signer),
        sender: number(sender),
    }
}

#[test]
fn authorise_parties_accepts_sender_signing_and_intermediary_sealing() {
    assert!(authorise_parties(&directory(), &parties(INTERMEDIARY, SENDER, SENDER)).is_ok());
}

#[test]
fn authorise_parties_accepts_intermediary_signing_both_layers() {
    let both = parties(INTERMEDIARY, INTERMEDIARY, SENDER);
    assert!(authorise_parties(&directory(), &both).is_ok());
}

#[test]
fn authorise_parties_accepts_sender_sealing_itself() {
    assert!(authorise_parties(&directory(), &parties(SENDER, SENDER, SENDER)).is_ok());
}

#[test]
fn authorise_parties_rejects_unknown_sender_first() {
    let result = authorise_parties(&directory(), &parties(OTHER, OTHER, OTHER));
    assert!(matches!(result, Err(Error::UnknownSender(_))));
}

#[test]
fn authorise_parties_rejects_unlisted_intermediary() {
    let result = authorise_parties(&directory(), &parties(OTHER, SENDER, SENDER));
    assert!(matches!(
        result,
        Err(Error::IntermediaryNotAuthorised { .. })
    ));
}

#[test]
fn authorise_parties_rejects_third_party_inner_signature() {
    let result = authorise_parties(&directory(), &parties(INTERMEDIARY, OTHER, SENDER));
    assert!(matches!(result, Err(Error::SignerNotSender { .. })));
}

fn profile(operator: &str, accepted: Option<&[&str]>) -> RecipientProfile {
    RecipientProfile {
        is_active: true,
        operator: Some(number(operator)),
        accepted_senders: accepted.map(|list| list.iter().map(|text| number(text)).collect()),
    }
}

#[test]
fn check_recipient_accepts_profile_here_accepting_sender() {
    let here = profile(INTERMEDIARY, Some(&[SENDER]));
    assert!(check_recipient(&here, &number(INTERMEDIARY), &number(SENDER)).is_ok());
}

#[test]
fn check_recipient_rejects_profile_at_another_operator() {
    let there = profile(OTHER, Some(&[SENDER]));
    let result = check_recipient(&there, &number(INTERMEDIARY), &number(SENDER));
    assert!(matches!(result, Err(Error::RecipientNotHere)));
}

#[test]
fn check_recipient_rejects_inactive_profile() {
    let mut pending = profile(INTERMEDIARY, None);
    pending.is_active = false;
    let result = check_recipient(&pending, &number(INTERMEDIARY), &number(SENDER));
    assert!(matches!(result, Err(Error::RecipientNotHere)));
}

#[test]
fn check_recipient_rejects_deselected_sender() {
    let deselected = profile(INTERMEDIARY, Some(&[]));
    let result = check_recipient(&deselected, &number(INTERMEDIARY), &number(SENDER));
    assert!(matches!(result, Err(Error::SenderDeselected(_))));
}
