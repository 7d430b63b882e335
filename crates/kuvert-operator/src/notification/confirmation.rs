//! Confirmation codes for notification addresses: a new random 6-digit code ([`new_code`]),
//! sent at once by the very channel it confirms ([`CodeSender`]), outside the outbox: the
//! person is waiting for it at the settings page, so neither the sending hours nor the summary
//! hour apply. The store keeps only the code's hash.

use std::sync::Arc;

use kuvert_store::operator::{ConfirmationCode, NotificationAddress};
use lettre::message::Mailbox;

use super::NotificationError;
use super::email::EmailTransport;
use super::sms::SmsGateway;
use super::text::NotificationText;

/// Digits of a confirmation code: short enough to type from a phone, and with
/// `limits::CONFIRMATION_CODE_TRIES_MAX` tries a guess succeeds 5 times in a million.
const CODE_DIGITS: usize = 6;

/// Sends confirmation codes through the operator's e-mail transport and SMS gateway.
#[derive(Clone)]
pub struct CodeSender {
    pub(super) email: EmailTransport,
    pub(super) email_from: Mailbox,
    pub(super) sms: Option<Arc<dyn SmsGateway>>,
    pub(super) text: NotificationText,
}

impl std::fmt::Debug for CodeSender {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CodeSender")
            .field("email", &self.email)
            .field("sms", &self.sms)
            .finish_non_exhaustive()
    }
}

impl CodeSender {
    /// Sends `code` to `address` by its own channel.
    ///
    /// # Errors
    /// [`NotificationError`] when the e-mail or SMS could not be handed over.
    pub async fn send(
        &self,
        address: &NotificationAddress,
        code: &ConfirmationCode,
    ) -> Result<(), NotificationError> {
        match address {
            NotificationAddress::Email(email) => {
                let (subject, body) = self.text.code_email(code.as_str());
                self.email
                    .send(&self.email_from, email.as_str(), subject, body)
                    .await
            }
            NotificationAddress::Sms(number) => {
                let gateway = self.sms.as_ref().ok_or(NotificationError::NoSmsGateway)?;
                gateway
                    .send(number, &self.text.code_sms(code.as_str()))
                    .await
            }
        }
    }
}

/// A new code of six random digits, from the operating system's generator (through a v4
/// UUID's 122 random bits, so the modulo bias is negligible).
#[must_use]
pub fn new_code() -> ConfirmationCode {
    let digits = format!(
        "{:0width$}",
        uuid::Uuid::new_v4().as_u128() % 1_000_000,
        width = CODE_DIGITS
    );
    assert_eq!(digits.len(), CODE_DIGITS);
    ConfirmationCode::parse(&digits).expect("six ASCII digits are a valid confirmation code")
}
