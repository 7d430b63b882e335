//! Who may hand over whose letters (PROTOCOL.md §11.6 step 3a): pure checks over the
//! configured senders, the verified client certificate's organisation and the verified
//! signer. No I/O, so each rule is unit-tested on its own.

use std::collections::{BTreeMap, BTreeSet};

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{CLIENTS_PER_SENDER_MAX, SENDERS_PER_INTERMEDIARY_MAX};

use super::config::AuthorisedSender;
use super::error::Error;

/// The senders an intermediary distributes for, each with the organisations whose sender
/// systems may hand over its letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Senders {
    clients_by_sender: BTreeMap<OrganisationNumber, BTreeSet<OrganisationNumber>>,
}

/// The organisations one `distributeSecure` names, all verified.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    /// The client certificate's organisation.
    pub client: &'a OrganisationNumber,
    /// `Header/Sender/Id`.
    pub sender: &'a OrganisationNumber,
    /// The organisation of the sender signature's certificate.
    pub signer: &'a OrganisationNumber,
}

impl Senders {
    /// The configured senders; a sender without `clients` is its own only client.
    ///
    /// # Errors
    /// A reason naming the bound or the sender listed twice.
    pub fn new(configured: &[AuthorisedSender]) -> Result<Self, String> {
        if configured.is_empty() || configured.len() > SENDERS_PER_INTERMEDIARY_MAX {
            return Err(format!(
                "must list 1..={SENDERS_PER_INTERMEDIARY_MAX} senders"
            ));
        }
        let mut clients_by_sender = BTreeMap::new();
        for sender in configured {
            if sender.clients.len() > CLIENTS_PER_SENDER_MAX {
                return Err(format!(
                    "sender {} lists more than {CLIENTS_PER_SENDER_MAX} clients",
                    sender.organisation_number
                ));
            }
            let clients: BTreeSet<_> = if sender.clients.is_empty() {
                BTreeSet::from([sender.organisation_number.clone()])
            } else {
                sender.clients.iter().cloned().collect()
            };
            let number = sender.organisation_number.clone();
            if clients_by_sender.insert(number, clients).is_some() {
                return Err(format!(
                    "sender {} is listed twice",
                    sender.organisation_number
                ));
            }
        }
        Ok(Self { clients_by_sender })
    }

    /// Whether `client` may hand over letters for any sender: checked before a request's body
    /// is read, so an unknown client costs no parsing.
    ///
    /// # Errors
    /// [`Error::ClientNotAuthorised`].
    pub fn check_client(&self, client: &OrganisationNumber) -> Result<(), Error> {
        let is_known = self
            .clients_by_sender
            .values()
            .any(|clients| clients.contains(client));
        if is_known {
            Ok(())
        } else {
            Err(Error::ClientNotAuthorised(client.clone()))
        }
    }

    /// Whether `client` may act for `sender` (hand over its letters, ask for their status).
    ///
    /// # Errors
    /// [`Error::SenderNotServed`] for a sender this intermediary does not distribute for,
    /// then [`Error::ClientNotForSender`].
    pub fn check_sender(
        &self,
        client: &OrganisationNumber,
        sender: &OrganisationNumber,
    ) -> Result<(), Error> {
        let clients = self
            .clients_by_sender
            .get(sender)
            .ok_or_else(|| Error::SenderNotServed(sender.clone()))?;
        if clients.contains(client) {
            Ok(())
        } else {
            Err(Error::ClientNotForSender {
                client: client.clone(),
                sender: sender.clone(),
            })
        }
    }

    /// [`Senders::check_sender`], and the letter must be signed by the sender itself: the
    /// intermediary seals only what the sender signed (PROTOCOL.md §7).
    ///
    /// # Errors
    /// As [`Senders::check_sender`], then [`Error::SignerNotSender`].
    pub fn check_letter(&self, parties: Parties<'_>) -> Result<(), Error> {
        self.check_sender(parties.client, parties.sender)?;
        if parties.signer == parties.sender {
            Ok(())
        } else {
            Err(Error::SignerNotSender {
                signer: parties.signer.clone(),
                sender: parties.sender.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests;
