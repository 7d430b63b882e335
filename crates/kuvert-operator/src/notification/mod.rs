//! Notifications (*avisering*, PROTOCOL.md §11.8): the outbox worker. `store_delivery` queues
//! one notification per confirmed address of the recipient in the same transaction as the
//! letter; [`NotificationWorker::run_once`] claims a bounded batch, sends each by e-mail
//! ([`email`]) or SMS ([`sms`]) in the words of [`text`], and marks it sent or failed (the
//! store schedules the retry with a doubling back-off and gives up after
//! `NOTIFICATION_ATTEMPTS_MAX`). A recipient without addresses has nothing queued.

pub mod email;
pub mod sms;
pub mod text;

use std::sync::Arc;
use std::time::Duration;

use kuvert_core::limits::NOTIFICATIONS_PER_BATCH_MAX;
use kuvert_store::StoreError;
use kuvert_store::operator::{NotificationAddress, NotificationRecord, OperatorStore};
use kuvert_web::Shutdown;
use lettre::message::Mailbox;
use time::OffsetDateTime;

use email::EmailTransport;
use sms::SmsGateway;
use text::NotificationText;

/// How long a claimed batch is reserved for this worker: far longer than sending a batch
/// takes, so only a worker that died loses its lease.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(5);

/// Why one notification could not be sent. The text is stored with the attempt and shown to
/// the mailbox holder, so it never holds letter content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The e-mail could not be built or sent.
    #[error("e-mail not sent: {0}")]
    Email(String),
    /// The SMS gateway did not take the message.
    #[error("sms not sent: {0}")]
    Sms(String),
    /// SMS notifications are queued but no gateway is configured.
    #[error("no sms gateway is configured")]
    NoSmsGateway,
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Round {
    /// Notifications claimed.
    pub claimed: usize,
    /// Sent and marked sent.
    pub sent: usize,
    /// Failed and recorded (retried later, or given up).
    pub failed: usize,
}

/// The outbox worker. Clones share the store and transports.
#[derive(Clone)]
pub struct NotificationWorker {
    store: Arc<dyn OperatorStore>,
    email: EmailTransport,
    email_from: Mailbox,
    sms: Option<Arc<dyn SmsGateway>>,
    text: NotificationText,
    poll_interval: Duration,
}

/// What a [`NotificationWorker`] is made of.
#[derive(Clone)]
pub struct WorkerParts {
    /// The outbox.
    pub store: Arc<dyn OperatorStore>,
    /// E-mail transport.
    pub email: EmailTransport,
    /// `From` of every e-mail.
    pub email_from: Mailbox,
    /// SMS gateway, when configured.
    pub sms: Option<Arc<dyn SmsGateway>>,
    /// The operator's words.
    pub text: NotificationText,
    /// Pause between rounds of [`NotificationWorker::run`].
    pub poll_interval: Duration,
}

impl NotificationWorker {
    /// A worker from its parts.
    #[must_use]
    pub fn new(parts: WorkerParts) -> Self {
        let WorkerParts {
            store,
            email,
            email_from,
            sms,
            text,
            poll_interval,
        } = parts;
        Self {
            store,
            email,
            email_from,
            sms,
            text,
            poll_interval,
        }
    }

    /// One round: claims up to `NOTIFICATIONS_PER_BATCH_MAX` due notifications and sends
    /// each once.
    ///
    /// # Errors
    /// [`StoreError`] when the outbox cannot be read or updated.
    pub async fn run_once(&self) -> Result<Round, StoreError> {
        let now = OffsetDateTime::now_utc();
        let claimed = self
            .store
            .claim_notifications(now, NOTIFICATIONS_PER_BATCH_MAX, CLAIM_LEASE)
            .await?;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        for notification in claimed {
            match self.send(&notification).await {
                Ok(()) => {
                    let at = OffsetDateTime::now_utc();
                    self.store
                        .mark_notification_sent(notification.id, at)
                        .await?;
                    metrics::counter!("kuvert_operator_notifications_sent_total").increment(1);
                    round.sent += 1;
                }
                Err(error) => {
                    let at = OffsetDateTime::now_utc();
                    let reason = error.to_string();
                    let record = self
                        .store
                        .mark_notification_failed(notification.id, &reason, at)
                        .await?;
                    tracing::warn!(
                        notification_id = %record.id,
                        attempts = record.attempts,
                        status = ?record.status,
                        error = %reason,
                        "notification not sent"
                    );
                    metrics::counter!("kuvert_operator_notifications_failed_total").increment(1);
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }

    /// Runs rounds at `poll_interval` until `shutdown`; a round that fails is logged and
    /// the next one tries again.
    pub async fn run(self, shutdown: Shutdown) {
        loop {
            if let Err(error) = self.run_once().await {
                let error = kuvert_core::report::error_chain(&error);
                tracing::error!(error = %error, "outbox round failed");
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll_interval) => {}
                () = shutdown.wait() => return,
            }
        }
    }

    async fn send(&self, notification: &NotificationRecord) -> Result<(), NotificationError> {
        let sender_name = notification.sender_name.as_str();
        match &notification.address {
            NotificationAddress::Email(address) => {
                let subject = self.text.email_subject(sender_name);
                let body = self.text.email_body(sender_name);
                self.email
                    .send(&self.email_from, address.as_str(), subject, body)
                    .await
            }
            NotificationAddress::Sms(number) => {
                let gateway = self.sms.as_ref().ok_or(NotificationError::NoSmsGateway)?;
                gateway.send(number, &self.text.sms(sender_name)).await
            }
        }
    }
}

#[cfg(test)]
mod tests;
