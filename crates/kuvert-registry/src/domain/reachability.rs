//! Reachability (PROTOCOL.md §11.7, TERMS.md "nåbar"): a recipient is reachable for a sender
//! when it has an active profile at an operator and has not deselected that sender.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::registry::Registration;
use kuvert_core::registry::{OperatorRecord, ProfileStatus, Reachability, ReachableProfile};
use time::OffsetDateTime;

/// What FaR answers about one recipient, before it is written in any wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachabilityAnswer {
    /// The recipient asked about.
    pub recipient: RecipientId,
    /// The profile, when there is one (`Type=Secure`); `None` is `Type=Not` (paper mail).
    pub account: Option<AccountAnswer>,
    /// `SenderAccepted`: the profile exists and the sender is not deselected.
    pub accepts_sender: bool,
    /// `LastSenderAcceptChange`: when the reception rules last changed.
    pub last_sender_accept_change: Option<OffsetDateTime>,
    /// Whether a letter from the sender can go digitally now (active, at an operator,
    /// sender accepted): exactly the test a förmedlare applies (§11.6 step 3b).
    pub is_reachable: bool,
}

/// A profile as the registry shows it to senders and operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAnswer {
    /// `Pending`: a company registration still awaiting signatories.
    pub is_pending: bool,
    /// `ServiceSupplier`: the operator holding the mailbox.
    pub operator: OperatorRecord,
    /// `LastRegistration`.
    pub registered_at: OffsetDateTime,
}

/// The answer for one `isReachable` row of the store.
#[must_use]
pub fn answer_reachability(row: Reachability) -> ReachabilityAnswer {
    match row.profile {
        None => not_registered(row.recipient),
        Some(found) => answer_profile(row.recipient, found),
    }
}

/// `answer` as the operator `viewer` may see it ([`ReachabilityView::HeldBy`]): unchanged for
/// a profile it holds; else without the reception rules, the sender not accepted.
///
/// [`ReachabilityView::HeldBy`]: crate::domain::access::ReachabilityView::HeldBy
#[must_use]
pub fn as_seen_by(answer: ReachabilityAnswer, viewer: &OrganisationNumber) -> ReachabilityAnswer {
    let is_held = answer
        .account
        .as_ref()
        .is_some_and(|account| &account.operator.id == viewer);
    if is_held {
        return answer;
    }
    ReachabilityAnswer {
        accepts_sender: false,
        last_sender_accept_change: None,
        is_reachable: false,
        ..answer
    }
}

/// The answer for one `isRegistered` row: sender acceptance does not apply, so it reports
/// `accepts_sender` as whether the profile is active.
#[must_use]
pub fn answer_registration(row: Registration) -> ReachabilityAnswer {
    match row.profile {
        None => not_registered(row.recipient),
        Some((profile, operator)) => {
            let is_active = profile.status == ProfileStatus::Active;
            ReachabilityAnswer {
                recipient: row.recipient,
                account: Some(AccountAnswer {
                    is_pending: !is_active,
                    operator,
                    registered_at: profile.registered_at,
                }),
                accepts_sender: is_active,
                last_sender_accept_change: None,
                is_reachable: is_active,
            }
        }
    }
}

fn answer_profile(recipient: RecipientId, found: ReachableProfile) -> ReachabilityAnswer {
    assert_eq!(
        found.profile.recipient, recipient,
        "the store answers for the id asked"
    );
    assert_eq!(
        found.profile.operator, found.operator.id,
        "a profile's operator is joined"
    );
    let is_active = found.profile.status == ProfileStatus::Active;
    let accepts_sender = !found.is_sender_deselected;
    ReachabilityAnswer {
        recipient,
        account: Some(AccountAnswer {
            is_pending: !is_active,
            operator: found.operator,
            registered_at: found.profile.registered_at,
        }),
        accepts_sender,
        last_sender_accept_change: found.reception_changed_at,
        is_reachable: is_active && accepts_sender,
    }
}

fn not_registered(recipient: RecipientId) -> ReachabilityAnswer {
    ReachabilityAnswer {
        recipient,
        account: None,
        accepts_sender: false,
        last_sender_accept_change: None,
        is_reachable: false,
    }
}
