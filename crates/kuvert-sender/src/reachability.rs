//! Reachability (PROTOCOL.md §5.1 `isReachable`, §11.6 step 3b, §11.7): which recipients a
//! sender can reach digitally, and why the others must get paper mail.
//!
//! [`classify`] is the pure rule; [`Toolkit::reachability`](crate::Toolkit::reachability)
//! asks the registry in batches of at most `MAILING_BATCH_IDS_MAX` ids per call.

use std::collections::HashMap;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_wire::types::ReachabilityStatus;
use kuvert_wire::values::AccountType;
use url::Url;

use crate::error::{Peer, SendError};

/// Whether one recipient can be reached digitally by one sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    /// Deliver with `deliverSecure` to this operator.
    Reachable(Destination),
    /// Send on paper, for this reason.
    Unreachable(PaperReason),
}

/// The operator holding a reachable recipient's mailbox, and where to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The operator's organisation number.
    pub operator_id: OrganisationNumber,
    /// The operator's name as the registry gives it.
    pub operator_name: String,
    /// The operator's Service v3 endpoint (always `https`).
    pub service_address: Url,
}

/// Why a recipient gets paper mail (§11.6 3b rules, checked in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaperReason {
    /// No secure mailbox (`Type` is not `Secure`).
    NoMailbox,
    /// The mailbox is still pending (a company waiting for signatories).
    Pending,
    /// The recipient's reception rules do not accept this sender.
    SenderDeselected,
    /// The registry names no operator or no usable `https` service address.
    NoServiceAddress,
}

impl PaperReason {
    /// The stable word written to the paper-mail list.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoMailbox => "no_mailbox",
            Self::Pending => "pending",
            Self::SenderDeselected => "sender_deselected",
            Self::NoServiceAddress => "no_service_address",
        }
    }

    /// The reason whose [`PaperReason::as_str`] is `text` (read back from a journal or list).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::NoMailbox,
            Self::Pending,
            Self::SenderDeselected,
            Self::NoServiceAddress,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }
}

/// The §11.6 3b rule: deliverable when the type is `Secure`, not pending, the sender is
/// accepted and an operator with a non-blank `https` service address is named.
#[must_use]
pub fn classify(status: &ReachabilityStatus) -> Reachability {
    classify_with(status, &mut ServiceAddresses::default())
}

/// The service addresses of one registry answer, each parsed once: a thousand statuses name
/// a handful of operators, and parsing a URL per status was 5.6 % of a mailing's lookups.
#[derive(Debug, Default)]
struct ServiceAddresses {
    parsed: HashMap<String, Option<Url>>,
}

impl ServiceAddresses {
    /// `address` as a usable service address: `https` with a host, else `None`.
    fn get(&mut self, address: &str) -> Option<Url> {
        let address = address.trim();
        if let Some(parsed) = self.parsed.get(address) {
            return parsed.clone();
        }
        let parsed = Url::parse(address)
            .ok()
            .filter(|url| url.scheme() == "https" && url.host().is_some());
        self.parsed.insert(address.to_owned(), parsed.clone());
        parsed
    }
}

fn classify_with(status: &ReachabilityStatus, addresses: &mut ServiceAddresses) -> Reachability {
    let account = &status.account;
    if account.account_type != AccountType::Secure {
        return Reachability::Unreachable(PaperReason::NoMailbox);
    }
    if account.is_pending {
        return Reachability::Unreachable(PaperReason::Pending);
    }
    if !status.accepts_sender {
        return Reachability::Unreachable(PaperReason::SenderDeselected);
    }
    let Some(operator) = &account.operator else {
        return Reachability::Unreachable(PaperReason::NoServiceAddress);
    };
    match addresses.get(&operator.service_address) {
        Some(url) => Reachability::Reachable(Destination {
            operator_id: operator.id.clone(),
            operator_name: operator.name.clone(),
            service_address: url,
        }),
        None => Reachability::Unreachable(PaperReason::NoServiceAddress),
    }
}

/// Puts the registry's statuses in the order of `asked`, one per id; the registry must
/// answer every id it was asked about and nothing else.
pub(crate) fn match_statuses(
    asked: &[RecipientId],
    statuses: Vec<ReachabilityStatus>,
) -> Result<Vec<Reachability>, SendError> {
    if statuses.len() != asked.len() {
        return Err(bad_registry_answer(format!(
            "{} statuses for {} recipients",
            statuses.len(),
            asked.len()
        )));
    }
    let mut addresses = ServiceAddresses::default();
    let by_recipient: HashMap<RecipientId, Reachability> = statuses
        .into_iter()
        .map(|status| {
            let reachability = classify_with(&status, &mut addresses);
            (status.account.recipient, reachability)
        })
        .collect();
    asked
        .iter()
        .map(|recipient| {
            by_recipient.get(recipient).cloned().ok_or_else(|| {
                bad_registry_answer("a recipient asked about has no status".to_owned())
            })
        })
        .collect()
}

fn bad_registry_answer(reason: String) -> SendError {
    SendError::BadResponse {
        peer: Peer::Registry,
        reason,
    }
}

#[cfg(test)]
mod tests;
