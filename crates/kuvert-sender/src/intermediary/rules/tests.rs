//! The intermediary's party rules: which client may act for which sender, and that the
//! letter is signed by its sender.

use kuvert_core::id::OrganisationNumber;

use super::{Parties, Senders};
use crate::intermediary::config::AuthorisedSender;
use crate::intermediary::error::Error;

fn number(text: &str) -> OrganisationNumber {
    OrganisationNumber::parse(text).unwrap()
}

fn senders() -> Senders {
    Senders::new(&[
        AuthorisedSender {
            organisation_number: number("2120000159"),
            clients: Vec::new(),
        },
        AuthorisedSender {
            organisation_number: number("2021004748"),
            clients: vec![number("5560360793")],
        },
    ])
    .unwrap()
}

#[test]
fn a_sender_without_clients_is_its_own_only_client() {
    let senders = senders();
    let kommun = number("2120000159");
    assert!(senders.check_client(&kommun).is_ok());
    assert!(senders.check_sender(&kommun, &kommun).is_ok());
    let provider = number("5560360793");
    assert!(matches!(
        senders.check_sender(&provider, &kommun),
        Err(Error::ClientNotForSender { .. })
    ));
}

#[test]
fn a_listed_client_acts_only_for_its_sender_and_others_are_refused() {
    let senders = senders();
    let (provider, myndighet) = (number("5560360793"), number("2021004748"));
    assert!(senders.check_sender(&provider, &myndighet).is_ok());
    assert!(matches!(
        senders.check_sender(&myndighet, &myndighet),
        Err(Error::ClientNotForSender { .. })
    ));
    let stranger = number("5590000013");
    assert!(matches!(
        senders.check_client(&stranger),
        Err(Error::ClientNotAuthorised(_))
    ));
    assert!(matches!(
        senders.check_sender(&provider, &stranger),
        Err(Error::SenderNotServed(_))
    ));
}

#[test]
fn a_letter_must_be_signed_by_its_sender() {
    let senders = senders();
    let kommun = number("2120000159");
    let provider = number("5560360793");
    let signed_by = |signer| Parties {
        client: &kommun,
        sender: &kommun,
        signer,
    };
    assert!(senders.check_letter(signed_by(&kommun)).is_ok());
    assert!(matches!(
        senders.check_letter(signed_by(&provider)),
        Err(Error::SignerNotSender { .. })
    ));
}

#[test]
fn configurations_without_senders_or_with_a_sender_twice_are_refused() {
    assert!(Senders::new(&[]).is_err());
    let twice = AuthorisedSender {
        organisation_number: number("2120000159"),
        clients: Vec::new(),
    };
    assert!(Senders::new(&[twice.clone(), twice]).is_err());
}
