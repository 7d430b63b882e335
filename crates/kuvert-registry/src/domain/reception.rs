//! Reception rules (mottagningsregler, PROTOCOL.md §11.5).
//!
//! The wire carries a positive list, `AcceptedSenders`; DIGG says that by default every public
//! sender may send and the recipient deselects senders. PROTOCOL.md §14 open question 1 asks
//! what an empty list means and whether senders that connect later are accepted. Kuvert's
//! answer: the registry stores the **deselected** senders, so a sender that connects later is
//! accepted until the recipient deselects it. At the edge, `AcceptedSenders` is read as "every
//! registered sender not in this list is deselected" and written as "every registered sender
//! not deselected". An empty list therefore deselects every sender connected at that moment.

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::registry::SenderRecord;

/// Why an `AcceptedSenders` list cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceptionError {
    /// An entry is a person, not an organisation.
    #[error("AcceptedSenders holds a personal identity number; senders are organisations")]
    PersonAsSender,
    /// An entry is not a registered sender.
    #[error("AcceptedSenders names {0}, which is not a registered sender")]
    UnknownSender(OrganisationNumber),
}

/// The deselected senders that an `AcceptedSenders` list means, given every registered sender.
///
/// # Errors
/// [`ReceptionError`] for a person or an unregistered organisation in the list.
pub fn deselected_from_accepted(
    all_senders: &[SenderRecord],
    accepted: &[RecipientId],
) -> Result<BTreeSet<OrganisationNumber>, ReceptionError> {
    let mut accepted_set = BTreeSet::new();
    for entry in accepted {
        let RecipientId::Organisation(number) = entry else {
            return Err(ReceptionError::PersonAsSender);
        };
        if !all_senders.iter().any(|sender| &sender.id == number) {
            return Err(ReceptionError::UnknownSender(number.clone()));
        }
        accepted_set.insert(number.clone());
    }
    Ok(all_senders
        .iter()
        .filter(|sender| !accepted_set.contains(&sender.id))
        .map(|sender| sender.id.clone())
        .collect())
}

/// The registered senders a profile accepts: all except the deselected ones, in the order of
/// `all_senders`.
#[must_use]
pub fn accepted_senders<'a>(
    all_senders: &'a [SenderRecord],
    deselected: &BTreeSet<OrganisationNumber>,
) -> Vec<&'a SenderRecord> {
    all_senders
        .iter()
        .filter(|sender| !deselected.contains(&sender.id))
        .collect()
}
