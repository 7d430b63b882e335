//! Notifications (*avisering*, PROTOCOL.md §11.8): the outbox worker. `store_delivery` queues
//! one notification per confirmed address of the recipient in the same transaction as the
//! letter; [`NotificationWorker::run_once`] claims a bounded batch and gathers it per address.
//! Each address gets one message: the letter's own notification, or one summary naming the
//! senders when several letters are waiting ([`text`]). What [`schedule`] holds back (outside
//! 07:00-21:00 Swedish time, or within the hour after the last notification on the channel)
//! is postponed, not attempted. A failed send is retried by the store with a doubling back-off
//! and marked failed after `NOTIFICATION_ATTEMPTS_MAX` attempts; the holder sees both on the
//! settings page in plain words ([`FailureReason`]). Confirmation codes go out at once through
//! [`confirmation::CodeSender`]. A recipient without addresses has nothing queued.

pub mod confirmation;
pub mod email;
pub mod schedule;
pub mod sms;
pub mod text;

use std::sync::Arc;
use std::time::Duration;

use kuvert_core::limits::NOTIFICATIONS_PER_BATCH_MAX;
use kuvert_store::StoreError;
use kuvert_store::operator::{
    HourReservation, LeaseHolder, NotificationAddress, NotificationRecord, OperatorStore,
    SummaryHour,
};
use kuvert_web::Shutdown;
use lettre::message::Mailbox;
use time::OffsetDateTime;

use confirmation::CodeSender;
use email::EmailTransport;
use sms::SmsGateway;
use text::{NotificationText, Senders};

/// How long a claimed batch is reserved for this worker: far longer than sending a batch
/// takes, so only a worker that died loses its lease.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(5);

/// Why one notification could not be sent. The text is stored with the attempt and shown to
/// the mailbox holder, so it never holds letter content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The e-mail server could not be reached or did not take the e-mail now.
    #[error("e-mail server not reached: {0}")]
    EmailServerUnreachable(String),
    /// The e-mail server refused the e-mail for good (a 5xx answer).
    #[error("e-mail refused by the server: {0}")]
    EmailRefused(String),
    /// The e-mail could not be built (the stored address is not usable).
    #[error("e-mail not built: {0}")]
    EmailNotBuilt(String),
    /// The SMS gateway could not be reached.
    #[error("sms gateway not reached: {0}")]
    SmsGatewayUnreachable(String),
    /// The SMS gateway did not take the message.
    #[error("sms refused by the gateway: {0}")]
    SmsRefused(String),
    /// SMS notifications are queued but no gateway is configured.
    #[error("no sms gateway is configured")]
    NoSmsGateway,
}

/// Why a notification failed, in the terms the settings page explains to the holder. Read
/// back from the stored error text, whose beginning is the [`NotificationError`] variant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    /// The e-mail server was not reached.
    EmailServerUnreachable,
    /// The e-mail server refused the e-mail.
    EmailRefused,
    /// The e-mail address could not be used.
    EmailNotBuilt,
    /// The SMS gateway was not reached.
    SmsGatewayUnreachable,
    /// The SMS gateway refused the message.
    SmsRefused,
    /// This operator sends no SMS.
    NoSmsGateway,
    /// Stored text of another form (an older version's).
    Other,
}

impl NotificationError {
    /// The plain-language reason.
    #[must_use]
    pub fn reason(&self) -> FailureReason {
        match self {
            Self::EmailServerUnreachable(_) => FailureReason::EmailServerUnreachable,
            Self::EmailRefused(_) => FailureReason::EmailRefused,
            Self::EmailNotBuilt(_) => FailureReason::EmailNotBuilt,
            Self::SmsGatewayUnreachable(_) => FailureReason::SmsGatewayUnreachable,
            Self::SmsRefused(_) => FailureReason::SmsRefused,
            Self::NoSmsGateway => FailureReason::NoSmsGateway,
        }
    }
}

impl FailureReason {
    /// The reason of a stored error text (`NotificationRecord::last_error`).
    #[must_use]
    pub fn of_stored(last_error: &str) -> Self {
        let empty = String::new;
        let kinds = [
            NotificationError::EmailServerUnreachable(empty()),
            NotificationError::EmailRefused(empty()),
            NotificationError::EmailNotBuilt(empty()),
            NotificationError::SmsGatewayUnreachable(empty()),
            NotificationError::SmsRefused(empty()),
            NotificationError::NoSmsGateway,
        ];
        kinds
            .iter()
            .find(|kind| last_error.starts_with(kind.to_string().trim_end()))
            .map_or(Self::Other, NotificationError::reason)
    }
}

/// Whether the worker keeps the sending hours and the summary hour ([`schedule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendingPolicy {
    /// 07:00-21:00 Swedish time, at most one notification per channel per hour. The default.
    #[default]
    Respectful,
    /// Everything due goes out at once (still one summary per address and round): for a
    /// demo whose visitors expect to see the notification of the letter they just sent.
    Immediate,
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
    /// Held back by the sending hours or the summary hour, not attempted.
    pub postponed: usize,
    /// E-mails and SMS handed over: one per address, however many letters it announced.
    pub messages: usize,
}

/// The outbox worker. Clones share the store and transports. Any number of workers (threads,
/// nodes) may run on one store: each round claims under its own [`LeaseHolder`] and marks
/// only what it still holds, and the summary hour of an address is taken atomically in the
/// store, so no notification is sent twice and no address gets two within the hour.
#[derive(Clone)]
pub struct NotificationWorker {
    parts: WorkerParts,
    policy: SendingPolicy,
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

/// What became of one address's group in a round.
enum GroupOutcome {
    Sent,
    Failed,
    Postponed,
    /// Another worker holds the group now (this one's lease ran out); left to it.
    LeaseLost,
}

impl NotificationWorker {
    /// A worker from its parts.
    #[must_use]
    pub fn new(parts: WorkerParts) -> Self {
        Self {
            parts,
            policy: SendingPolicy::default(),
        }
    }

    /// The same worker keeping `policy`.
    #[must_use]
    pub fn with_policy(mut self, policy: SendingPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// What the settings page sends confirmation codes with.
    #[must_use]
    pub fn code_sender(&self) -> CodeSender {
        CodeSender {
            email: self.parts.email.clone(),
            email_from: self.parts.email_from.clone(),
            sms: self.parts.sms.clone(),
            text: self.parts.text.clone(),
        }
    }

    /// One round now; see [`NotificationWorker::run_once_at`].
    ///
    /// # Errors
    /// [`StoreError`] when the outbox cannot be read or updated.
    pub async fn run_once(&self) -> Result<Round, StoreError> {
        self.run_once_at(OffsetDateTime::now_utc()).await
    }

    /// One round as of `now`: claims up to `NOTIFICATIONS_PER_BATCH_MAX` due notifications,
    /// gathers them per address, and sends one message per address that the policy lets go
    /// out now; the rest is postponed to when it may.
    ///
    /// # Errors
    /// [`StoreError`] when the outbox cannot be read or updated.
    pub async fn run_once_at(&self, now: OffsetDateTime) -> Result<Round, StoreError> {
        let holder = LeaseHolder::new_random();
        let store = &self.parts.store;
        let claimed = store
            .claim_notifications(&holder, now, NOTIFICATIONS_PER_BATCH_MAX, CLAIM_LEASE)
            .await?;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        for group in per_address(claimed) {
            let count = group.len();
            match self.handle_group(&group, &holder, now).await? {
                GroupOutcome::Sent => {
                    metrics::counter!("kuvert_operator_notifications_sent_total")
                        .increment(count as u64);
                    round.sent += count;
                    round.messages += 1;
                }
                GroupOutcome::Failed => round.failed += count,
                GroupOutcome::Postponed => round.postponed += count,
                GroupOutcome::LeaseLost => {}
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
                () = tokio::time::sleep(self.parts.poll_interval) => {}
                () = shutdown.wait() => return,
            }
        }
    }

    /// One address's group: postponed while the policy holds it back, else sent once by the
    /// worker that still holds its lease and (under [`SendingPolicy::Respectful`]) took the
    /// address's summary hour.
    async fn handle_group(
        &self,
        group: &[NotificationRecord],
        holder: &LeaseHolder,
        now: OffsetDateTime,
    ) -> Result<GroupOutcome, StoreError> {
        let Some(first) = group.first() else {
            return Ok(GroupOutcome::Postponed);
        };
        let store = &self.parts.store;
        let ids: Vec<_> = group.iter().map(|notification| notification.id).collect();
        let held = store
            .renew_notification_lease(&ids, holder, now + CLAIM_LEASE)
            .await?;
        if held < ids.len() {
            return Ok(GroupOutcome::LeaseLost);
        }
        let hour = SummaryHour {
            recipient: &first.recipient,
            channel: first.address.channel(),
            at: now,
        };
        if self.policy == SendingPolicy::Respectful {
            let send_at = schedule::within_sending_hours(now);
            let reservation = if send_at > now {
                None
            } else {
                let window = schedule::SUMMARY_WINDOW;
                Some(store.reserve_notification_hour(hour, window))
            };
            let send_at = match reservation {
                None => send_at,
                Some(reservation) => match reservation.await? {
                    HourReservation::Reserved => now,
                    HourReservation::Taken { last_sent_at } => {
                        schedule::next_send_time(now, Some(last_sent_at))
                    }
                },
            };
            if send_at > now {
                store.postpone_notifications(&ids, send_at).await?;
                return Ok(GroupOutcome::Postponed);
            }
        }
        match self.send(group).await {
            Ok(()) => {
                self.mark_sent(&ids, holder, now).await?;
                Ok(GroupOutcome::Sent)
            }
            Err(error) => {
                if self.policy == SendingPolicy::Respectful {
                    store.release_notification_hour(hour).await?;
                }
                self.record_failure(&ids, holder, &error, now).await?;
                Ok(GroupOutcome::Failed)
            }
        }
    }

    /// Marks the sent group; one whose lease was taken over meanwhile (the worker stalled
    /// past it) stays the new holder's and is only logged.
    async fn mark_sent(
        &self,
        ids: &[kuvert_store::operator::NotificationId],
        holder: &LeaseHolder,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        for id in ids {
            match self
                .parts
                .store
                .mark_notification_sent(*id, holder, now)
                .await
            {
                Ok(()) => {}
                Err(StoreError::NotFound { .. }) => {
                    tracing::warn!(notification_id = %id, "sent after its lease was taken over");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn record_failure(
        &self,
        ids: &[kuvert_store::operator::NotificationId],
        holder: &LeaseHolder,
        error: &NotificationError,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let reason = error.to_string();
        for id in ids {
            let record = self
                .parts
                .store
                .mark_notification_failed(*id, holder, &reason, now)
                .await?;
            tracing::warn!(
                notification_id = %record.id,
                attempts = record.attempts,
                status = ?record.status,
                error = %reason,
                "notification not sent"
            );
        }
        metrics::counter!("kuvert_operator_notifications_failed_total").increment(ids.len() as u64);
        Ok(())
    }

    /// One message to the group's address: the letter's own notification, or a summary.
    async fn send(&self, group: &[NotificationRecord]) -> Result<(), NotificationError> {
        let Some(first) = group.first() else {
            return Ok(());
        };
        let senders = Senders::new(group.iter().map(|item| item.sender_name.as_str()));
        let single = (group.len() == 1).then(|| first.sender_name.as_str());
        match &first.address {
            NotificationAddress::Email(address) => {
                let (subject, body) = match single {
                    Some(sender) => (
                        self.parts.text.email_subject(sender),
                        self.parts.text.email_body(sender),
                    ),
                    None => (
                        self.parts.text.summary_email_subject(&senders),
                        self.parts.text.summary_email_body(&senders),
                    ),
                };
                self.parts
                    .email
                    .send(&self.parts.email_from, address.as_str(), subject, body)
                    .await
            }
            NotificationAddress::Sms(number) => {
                let gateway = self
                    .parts
                    .sms
                    .as_ref()
                    .ok_or(NotificationError::NoSmsGateway)?;
                let text = match single {
                    Some(sender) => self.parts.text.sms(sender),
                    None => self.parts.text.summary_sms(&senders),
                };
                gateway.send(number, &text).await
            }
        }
    }
}

/// The claimed notifications gathered per recipient and address, in order of first arrival.
fn per_address(claimed: Vec<NotificationRecord>) -> Vec<Vec<NotificationRecord>> {
    let mut groups: Vec<Vec<NotificationRecord>> = Vec::new();
    for notification in claimed {
        let same_address = |group: &&mut Vec<NotificationRecord>| {
            group.first().is_some_and(|first| {
                first.recipient == notification.recipient && first.address == notification.address
            })
        };
        match groups.iter_mut().find(same_address) {
            Some(group) => group.push(notification),
            None => groups.push(vec![notification]),
        }
    }
    groups
}

#[cfg(test)]
mod tests;
