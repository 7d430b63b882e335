//! What a signature of a profile change is for, written into the signed text itself.
//!
//! An agreement text alone ("Jag vill avregistrera mig …") names neither the mailbox, nor the
//! operator, nor when it was signed, so a signature of it could be sent again later, for
//! another mailbox of a company signatory, or by another operator. The operator therefore
//! ends every text it asks a person to sign with a bracket the person reads and signs:
//!
//! ```text
//! <agreement text> [Åtgärd: avregistrering; Brevlådeinnehavare: 197203033456;
//! Brevlådeoperatör: operator-a.kuvert.test; Signeringstid: 2026-11-29T10:40:00Z]
//! ```
//!
//! (one line: no line breaks, since a browser posting a form turns every line feed into
//! CR LF, and the signature is over the exact bytes.)
//!
//! The registry reads them back with [`SigningBinding::split`] from the same text the
//! signature was verified over, and refuses the change unless they name the change asked for,
//! its mailbox, the calling operator and a recent time (`kuvert_core::limits`).

use kuvert_core::id::RecipientId;
use kuvert_core::operator::ServiceDomain;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The change a signature authorises (the four signed Recipient operations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundAction {
    /// `register`, for a person or as one signatory of a company.
    Register,
    /// `changeServiceSupplier`.
    ChangeOperator,
    /// `deregister`.
    Deregister,
    /// `storeAccountPreferences`.
    ReceptionRules,
}

/// The lines that tie a signed text to one change (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBinding {
    /// The change.
    pub action: BoundAction,
    /// The mailbox it changes.
    pub recipient: RecipientId,
    /// The internet domain of the operator that asks for it (`ServiceSupplier`).
    pub operator_domain: ServiceDomain,
    /// When the operator asked the person to sign (whole seconds, UTC).
    pub signed_at: OffsetDateTime,
}

/// Why a signed text carries no readable binding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// The text does not end with the bracket naming action, mailbox, operator and time.
    #[error("the signed text does not end with [Åtgärd: …; Brevlådeinnehavare: …; …]")]
    Missing,
    /// A binding field is there but its value cannot be read.
    #[error("the signed text's field {label:?} has an unreadable value")]
    Value {
        /// The field's label.
        label: &'static str,
    },
}

const ACTION: &str = "Åtgärd";
const RECIPIENT: &str = "Brevlådeinnehavare";
const OPERATOR: &str = "Brevlådeoperatör";
const SIGNED_AT: &str = "Signeringstid";

impl BoundAction {
    /// The Swedish word the person reads (TERMS.md).
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Register => "registrering",
            Self::ChangeOperator => "byte av brevlåda",
            Self::Deregister => "avregistrering",
            Self::ReceptionRules => "mottagningsregler",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        [
            Self::Register,
            Self::ChangeOperator,
            Self::Deregister,
            Self::ReceptionRules,
        ]
        .into_iter()
        .find(|action| action.word() == word)
    }
}

impl SigningBinding {
    /// A binding signed now (truncated to whole seconds, as it is written).
    #[must_use]
    pub fn now(
        action: BoundAction,
        recipient: RecipientId,
        operator_domain: &ServiceDomain,
    ) -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            action,
            recipient,
            operator_domain: operator_domain.clone(),
            signed_at: now.replace_nanosecond(0).unwrap_or(now),
        }
    }

    /// `agreement_text`, a space, then the bracket naming the change: the text to sign.
    #[must_use]
    pub fn bind(&self, agreement_text: &str) -> String {
        // Rfc3339 formats every UTC time of years 0..=9999; the fallback is never shown.
        let time = self
            .signed_at
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default();
        format!(
            "{agreement_text} [{ACTION}: {}; {RECIPIENT}: {}; {OPERATOR}: {}; {SIGNED_AT}: {time}]",
            self.action.word(),
            self.recipient.to_wire(),
            self.operator_domain,
        )
    }

    /// Splits a signed text into its agreement text and its binding.
    ///
    /// # Errors
    /// [`BindingError::Missing`] without the closing bracket of four fields;
    /// [`BindingError::Value`] when one of them cannot be read.
    pub fn split(signed_text: &str) -> Result<(&str, Self), BindingError> {
        let opening = format!(" [{ACTION}: ");
        let start = signed_text.rfind(&opening).ok_or(BindingError::Missing)?;
        let agreement = &signed_text[..start];
        let trailer = signed_text[start + 2..]
            .strip_suffix(']')
            .ok_or(BindingError::Missing)?;
        let fields: Vec<&str> = trailer.split("; ").collect();
        let [action, recipient, operator, signed_at] = fields.as_slice() else {
            return Err(BindingError::Missing);
        };
        let action = value(action, ACTION)?;
        let action = BoundAction::from_word(action).ok_or(BindingError::Value { label: ACTION })?;
        let recipient = RecipientId::parse(value(recipient, RECIPIENT)?)
            .map_err(|_| BindingError::Value { label: RECIPIENT })?;
        // A person may read the domain in any case; the domain itself is lowercase.
        let operator_domain =
            ServiceDomain::parse(&value(operator, OPERATOR)?.to_ascii_lowercase())
                .map_err(|_| BindingError::Value { label: OPERATOR })?;
        let signed_at = OffsetDateTime::parse(value(signed_at, SIGNED_AT)?, &Rfc3339)
            .map_err(|_| BindingError::Value { label: SIGNED_AT })?;
        let binding = Self {
            action,
            recipient,
            operator_domain,
            signed_at,
        };
        Ok((agreement, binding))
    }
}

/// The value of a `label: value` field; another label means the binding is missing.
fn value<'a>(line: &'a str, label: &'static str) -> Result<&'a str, BindingError> {
    line.strip_prefix(label)
        .and_then(|rest| rest.strip_prefix(": "))
        .ok_or(BindingError::Missing)
}
