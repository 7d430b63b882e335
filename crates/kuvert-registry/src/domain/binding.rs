//! Whether a verified e-ID signature may authorise *this* change now: the signed text must
//! name the change asked for, its mailbox and the calling operator, and be signed recently
//! (`kuvert_eid::signature::SigningBinding`, `limits::EID_SIGNATURE_AGE_SECS_MAX`). Together
//! with the store's record of used signatures this stops a signed document from being sent
//! again: later, for another mailbox, for another change, or by another operator.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{EID_SIGNATURE_AGE_SECS_MAX, EID_SIGNATURE_CLOCK_SKEW_SECS_MAX};
use kuvert_core::operator::ServiceDomain;
use kuvert_eid::signature::{BindingError, BoundAction, SigningBinding};
use time::{Duration, OffsetDateTime};

/// Why a valid signature does not authorise the change asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    /// The signed text does not say what it is for.
    #[error("the signed text does not name the change it authorises: {0}")]
    Unbound(#[source] BindingError),
    /// The text was signed for another change.
    #[error("the signature authorises {signed}, not {asked}")]
    OtherAction {
        /// The change in the signed text.
        signed: &'static str,
        /// The change asked for.
        asked: &'static str,
    },
    /// The text was signed for another mailbox.
    #[error("the signature authorises a change of another mailbox")]
    OtherRecipient,
    /// The text was signed for another operator.
    #[error("the signature authorises a change at operator {signed}, not at the caller")]
    OtherOperator {
        /// The operator domain in the signed text.
        signed: ServiceDomain,
    },
    /// Signed too long ago.
    #[error("the signature was made at {signed_at}, more than {age_secs_max} s ago")]
    TooOld {
        /// The signing time in the text.
        signed_at: OffsetDateTime,
        /// `limits::EID_SIGNATURE_AGE_SECS_MAX`.
        age_secs_max: i64,
    },
    /// Signed later than the registry's clock allows.
    #[error("the signature claims to be made at {signed_at}, which is in the future")]
    FromTheFuture {
        /// The signing time in the text.
        signed_at: OffsetDateTime,
    },
    /// The registry accepted this very signature before.
    #[error("the signature has already been used for a change; sign again")]
    Replayed,
}

/// The change a request asks for, as the binding must name it.
#[derive(Debug, Clone, Copy)]
pub struct AskedChange<'a> {
    /// The operation.
    pub action: BoundAction,
    /// The mailbox.
    pub recipient: &'a RecipientId,
    /// The calling operator's internet domain.
    pub operator_domain: &'a ServiceDomain,
}

/// Checks that `signed_text` is bound to `asked`, signed within the age bound before `now`.
/// Returns the agreement text without its binding lines.
///
/// # Errors
/// The first [`SignatureRefusal`] that applies, in the order of the variants.
pub fn check_binding<'t>(
    signed_text: &'t str,
    asked: AskedChange<'_>,
    now: OffsetDateTime,
) -> Result<&'t str, SignatureRefusal> {
    let (agreement, binding) =
        SigningBinding::split(signed_text).map_err(SignatureRefusal::Unbound)?;
    if binding.action != asked.action {
        return Err(SignatureRefusal::OtherAction {
            signed: binding.action.word(),
            asked: asked.action.word(),
        });
    }
    if &binding.recipient != asked.recipient {
        return Err(SignatureRefusal::OtherRecipient);
    }
    if binding.operator_domain != *asked.operator_domain {
        return Err(SignatureRefusal::OtherOperator {
            signed: binding.operator_domain,
        });
    }
    check_age(binding.signed_at, now)?;
    Ok(agreement)
}

/// A signing time is usable from the clock skew ahead of `now` back to the age bound.
fn check_age(signed_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), SignatureRefusal> {
    if signed_at > now + Duration::seconds(EID_SIGNATURE_CLOCK_SKEW_SECS_MAX) {
        return Err(SignatureRefusal::FromTheFuture { signed_at });
    }
    if now - signed_at > Duration::seconds(EID_SIGNATURE_AGE_SECS_MAX) {
        return Err(SignatureRefusal::TooOld {
            signed_at,
            age_secs_max: EID_SIGNATURE_AGE_SECS_MAX,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
