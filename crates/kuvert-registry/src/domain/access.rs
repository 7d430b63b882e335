//! Caller authorisation (PROTOCOL.md §8 "Identification"): the calling organisation comes only
//! from its verified client certificate, and FaR answers it according to the role registered
//! for that organisation number (sender, intermediary, operator).

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, ProfileRecord, SenderRecord,
};

/// Why a caller may not do what it asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// `isReachable` named an organisation that is not a registered sender.
    #[error("sender {0} is not registered as an authorised sender")]
    UnknownSender(OrganisationNumber),
    /// The caller is not registered as an intermediary for the sender it asks for.
    #[error("intermediary {intermediary} is not approved to deliver for sender {sender}")]
    IntermediaryNotApproved {
        /// The calling organisation.
        intermediary: OrganisationNumber,
        /// The sender it asked on behalf of.
        sender: OrganisationNumber,
    },
    /// Profile operations are for mailbox operators only.
    #[error("organisation {0} is not a registered mailbox operator")]
    NotAnOperator(OrganisationNumber),
    /// The profile is held by another operator than the caller.
    #[error("the profile is held by another operator than {caller}")]
    NotHoldingOperator {
        /// The calling operator.
        caller: OrganisationNumber,
        /// The mailbox holder (never shown: it may be a personnummer).
        recipient: RecipientId,
    },
    /// The caller is known to the registry in no role at all.
    #[error("organisation {0} is not known to the registry")]
    UnknownCaller(OrganisationNumber),
    /// The acting person (`UserIdentity`) may not act for this recipient.
    #[error("the acting person (UserIdentity) may not act for this recipient")]
    UserNotEntitled(RecipientId),
    /// An operator may only register or move profiles to itself.
    #[error("operator {caller} may not register profiles at another operator")]
    OtherOperator {
        /// The calling operator.
        caller: OrganisationNumber,
    },
}

/// The roles a calling organisation holds in the registry, looked up by its number.
#[derive(Debug, Clone, Default)]
pub struct CallerRoles {
    /// Its sender record, if it is a sender.
    pub sender: Option<SenderRecord>,
    /// Its intermediary record, if it is one.
    pub intermediary: Option<IntermediaryRecord>,
    /// Its operator record, if it is one.
    pub operator: Option<OperatorRecord>,
}

impl CallerRoles {
    /// Whether the registry knows the caller in any role.
    #[must_use]
    pub fn is_known(&self) -> bool {
        self.sender.is_some() || self.intermediary.is_some() || self.operator.is_some()
    }
}

/// May `caller` ask reachability on behalf of `sender`? Only for a registered sender, and only
/// when the caller is that sender itself (a sender is its own intermediary) or an intermediary
/// registered to deliver for it.
///
/// # Errors
/// [`AccessError::UnknownSender`] before anything else, so a caller learns that its input is
/// wrong; then [`AccessError::IntermediaryNotApproved`].
pub fn authorize_reachability(
    caller: &OrganisationNumber,
    sender: &OrganisationNumber,
    sender_record: Option<&SenderRecord>,
    intermediary: Option<&IntermediaryRecord>,
) -> Result<(), AccessError> {
    if sender_record.is_none() {
        return Err(AccessError::UnknownSender(sender.clone()));
    }
    if caller == sender {
        return Ok(());
    }
    let is_approved = intermediary.is_some_and(|record| {
        assert_eq!(
            &record.id, caller,
            "the intermediary record must be the caller's"
        );
        record.senders.contains(sender)
    });
    if is_approved {
        Ok(())
    } else {
        Err(AccessError::IntermediaryNotApproved {
            intermediary: caller.clone(),
            sender: sender.clone(),
        })
    }
}

/// What an authorised `isReachable` caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReachabilityView {
    /// The sender or its intermediary: every row as it is.
    Full,
    /// An operator checking a delivery (issue 14: one batched call for many letters instead
    /// of `isRegistered` and `getAccountPreferences` per letter): the reception rules only of
    /// the profiles it holds, which `getAccountPreferences` shows it anyway. A profile held
    /// elsewhere is answered as `isRegistered` answers any known organisation, with the
    /// sender not accepted and not reachable (through this operator).
    HeldBy(OrganisationNumber),
}

/// [`authorize_reachability`], and else an operator's own view: who may ask `isReachable`
/// for `sender`, and what it sees. `caller_operator` is the caller's operator record.
///
/// # Errors
/// As [`authorize_reachability`] for a caller that is no operator.
pub fn reachability_view(
    caller: &OrganisationNumber,
    sender: &OrganisationNumber,
    sender_record: Option<&SenderRecord>,
    intermediary: Option<&IntermediaryRecord>,
    caller_operator: Option<&OperatorRecord>,
) -> Result<ReachabilityView, AccessError> {
    match authorize_reachability(caller, sender, sender_record, intermediary) {
        Ok(()) => Ok(ReachabilityView::Full),
        Err(AccessError::IntermediaryNotApproved { .. })
            if caller_operator.is_some_and(|record| &record.id == caller) =>
        {
            Ok(ReachabilityView::HeldBy(caller.clone()))
        }
        Err(error) => Err(error),
    }
}

/// Directory reads over SOAP (`getSenders`, `getDispatchers`, `isSenderAccepted`,
/// `isRegistered`) and the REST lists of intermediaries and operators are answered to any
/// organisation the registry knows, never to strangers.
///
/// The REST list of connected senders (`GET /api/v1/senders`) is the one exception: who
/// sends digital mail is public information — the portal shows it to everyone on
/// `/avsandare`, and the statistics feed already counts the senders for any verified
/// caller — so it is answered to any organisation whose client certificate the TLS layer
/// verified against the federation's organisation CA, known to the registry or not (the
/// portal has no role in the registry). The SOAP `getSenders` keeps this rule.
///
/// # Errors
/// [`AccessError::UnknownCaller`].
pub fn require_known(caller: &OrganisationNumber, roles: &CallerRoles) -> Result<(), AccessError> {
    if roles.is_known() {
        Ok(())
    } else {
        Err(AccessError::UnknownCaller(caller.clone()))
    }
}

/// Profile reads and changes are for mailbox operators only.
///
/// # Errors
/// [`AccessError::NotAnOperator`].
pub fn require_operator(
    caller: &OrganisationNumber,
    operator: Option<OperatorRecord>,
) -> Result<OperatorRecord, AccessError> {
    operator.ok_or_else(|| AccessError::NotAnOperator(caller.clone()))
}

/// Only the operator that holds a profile may read its reception rules, change them or close
/// the mailbox; a new operator moves it with `changeServiceSupplier` instead.
///
/// # Errors
/// [`AccessError::NotHoldingOperator`].
pub fn require_holding_operator(
    caller: &OperatorRecord,
    profile: &ProfileRecord,
) -> Result<(), AccessError> {
    if profile.operator == caller.id {
        Ok(())
    } else {
        Err(AccessError::NotHoldingOperator {
            caller: caller.id.clone(),
            recipient: profile.recipient.clone(),
        })
    }
}

/// An operator registers and moves profiles only to itself: the `ServiceSupplier` a request
/// names must be the calling operator.
///
/// # Errors
/// [`AccessError::OtherOperator`].
pub fn require_same_operator(
    caller: &OperatorRecord,
    target: &OperatorRecord,
) -> Result<(), AccessError> {
    if caller.id == target.id {
        Ok(())
    } else {
        Err(AccessError::OtherOperator {
            caller: caller.id.clone(),
        })
    }
}

/// May the acting person (`UserIdentity`) act for `recipient`? A person acts for themself; for
/// a company, any of its authorised signatories may.
///
/// # Errors
/// [`AccessError::UserNotEntitled`].
pub fn authorize_user(
    recipient: &RecipientId,
    user: &PersonalIdentityNumber,
    rule: Option<&CompanySignatoryRule>,
) -> Result<(), AccessError> {
    let is_entitled = match recipient {
        RecipientId::Person(person) => person == user,
        RecipientId::Organisation(_) => rule.is_some_and(|rule| {
            rule.signatories
                .iter()
                .any(|signatory| &signatory.id == user)
        }),
    };
    if is_entitled {
        Ok(())
    } else {
        Err(AccessError::UserNotEntitled(recipient.clone()))
    }
}
