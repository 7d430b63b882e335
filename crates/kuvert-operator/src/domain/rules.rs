//! Pure checks of a verified delivery against the registry's answers (PROTOCOL.md §8, §9.4
//! last line, §11.6 step 4): no I/O, so every rule is unit-tested on its own.

use kuvert_core::id::OrganisationNumber;

use crate::error::Error;
use crate::registry_client::{Directory, RecipientProfile};

/// The organisations a verified sealed delivery names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    /// Organisation of the seal signature (the intermediary).
    pub sealer: OrganisationNumber,
    /// Organisation of the `SignedDelivery` signature.
    pub signer: OrganisationNumber,
    /// `Header/Sender/Id`.
    pub sender: OrganisationNumber,
}

/// Whether the directory lets these parties deliver: the sender is connected, the sealer is
/// the sender itself or an intermediary approved for it, and the inner signature is the
/// sender's or the sealer's (an intermediary may sign both layers, PROTOCOL.md §7).
///
/// # Errors
/// [`Error::UnknownSender`], then [`Error::IntermediaryNotAuthorised`], then
/// [`Error::SignerNotSender`].
pub fn authorise_parties(directory: &Directory, parties: &Parties) -> Result<(), Error> {
    if !directory.senders.contains(&parties.sender) {
        return Err(Error::UnknownSender(parties.sender.clone()));
    }
    let is_sealer_approved = parties.sealer == parties.sender
        || directory
            .intermediaries
            .get(&parties.sealer)
            .is_some_and(|senders| senders.contains(&parties.sender));
    if !is_sealer_approved {
        return Err(Error::IntermediaryNotAuthorised {
            intermediary: parties.sealer.clone(),
            sender: parties.sender.clone(),
        });
    }
    if parties.signer != parties.sender && parties.signer != parties.sealer {
        return Err(Error::SignerNotSender {
            signer: parties.signer.clone(),
            sender: parties.sender.clone(),
        });
    }
    Ok(())
}

/// Whether the recipient's mailbox is at `operator` and accepts `sender`.
///
/// # Errors
/// [`Error::RecipientNotHere`] without an active profile at this operator;
/// [`Error::SenderDeselected`] when the reception rules leave the sender out.
pub fn check_recipient(
    profile: &RecipientProfile,
    operator: &OrganisationNumber,
    sender: &OrganisationNumber,
) -> Result<(), Error> {
    if !profile.is_active || profile.operator.as_ref() != Some(operator) {
        return Err(Error::RecipientNotHere);
    }
    match &profile.accepted_senders {
        Some(accepted) if !accepted.contains(sender) => {
            Err(Error::SenderDeselected(sender.clone()))
        }
        _ => Ok(()),
    }
}
