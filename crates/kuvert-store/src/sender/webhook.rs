//! [`WebhookStore`]: where each webhook endpoint of the sender service stands in the event log
//! and its dead-letter list (issue 15, migration 0016).
//!
//! Webhooks push the same events the feed serves (`sender_letter_events`, one global
//! sequence). Each endpoint keeps a durable cursor, the last sequence done: an event is done
//! when the endpoint accepted it or when it went to the dead-letter list after the last
//! attempt. Events are read after the cursor by sequence and sent one by one, so an endpoint
//! gets every event of its senders or clients once, in feed order (hence in order per letter),
//! across restarts — the one exception being the crash window between the receiver's answer
//! and the cursor's commit, in which the event is sent again under the same event id
//! (at-least-once on the wire).
//!
//! Several nodes may share the database: a node pushes an endpoint only under its lease
//! ([`LeaseHolder`], as the letter queue's workers), and every step it records is conditional
//! on still holding it, so a node whose lease ran out and was taken over moves nothing.
//!
//! **Invariants:** the cursor only moves forward, by the holder; an event goes to the
//! dead-letter list and past the cursor in one transaction; a dead letter is seen and queued
//! again only by callers allowed its sender.

mod sql;

use std::fmt;

use async_trait::async_trait;
use kuvert_core::id::OrganisationNumber;
use time::{Duration, OffsetDateTime};

pub(crate) use sql::SqlWebhookStore;

use super::{ClientId, KeyError, LeaseHolder, StoredEvent};
use crate::error::StoreError;

/// A configured webhook endpoint's id: 1–64 of `A-Z a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EndpointId(String);

/// A dead letter's id (UUIDv7: ordered by when the event was given up on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeadLetterId(uuid::Uuid);

/// The events an endpoint receives: those of letters handed over by one of `clients` or sent
/// for one of `senders`.
#[derive(Debug, Clone, Copy)]
pub struct EventFilter<'a> {
    /// Clients whose letters' events it receives.
    pub clients: &'a [ClientId],
    /// Senders whose letters' events it receives.
    pub senders: &'a [OrganisationNumber],
}

/// An event as an endpoint receives it, with its letter's client and sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The event, as the feed has it.
    pub event: StoredEvent,
    /// Who handed the letter over.
    pub client: ClientId,
    /// The letter's sender.
    pub sender: OrganisationNumber,
}

/// Events read for an endpoint, and how far the read looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBatch {
    /// The filter's events, by sequence.
    pub events: Vec<WebhookEvent>,
    /// Every event of the filter up to this sequence is in `events`: with none left to send,
    /// the cursor may move here past other senders' and clients' events, so the next read
    /// does not look at them again. (No event can commit later under a smaller sequence: the
    /// sequence is taken under the writers' lock.)
    pub scanned_to: u64,
}

/// A node's claim on an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct EndpointLease<'a> {
    /// The endpoint.
    pub endpoint: &'a EndpointId,
    /// The node's worker.
    pub holder: &'a LeaseHolder,
    /// How long the claim lasts unless renewed (every recorded attempt renews it).
    pub lease: Duration,
}

/// Where a claimed endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointCursor {
    /// The last sequence done.
    pub after: u64,
    /// Failed attempts at the next event.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: OffsetDateTime,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The endpoint accepted the event (a 2xx answer).
    Delivered,
    /// Refused or unanswered; try again at `retry_at`.
    Failed {
        /// Failed attempts so far, this one included.
        attempts: u32,
        /// When to try again.
        retry_at: OffsetDateTime,
        /// Why (no letter content).
        error: String,
    },
    /// Refused through the last attempt: onto the dead-letter list.
    GaveUp {
        /// Failed attempts, this one included.
        attempts: u32,
        /// Why the last one failed.
        error: String,
    },
}

/// Where a dead letter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLetterState {
    /// Given up on.
    Dead,
    /// Asked to be sent again; being tried.
    Queued,
    /// Sent again and accepted.
    Resent,
}

/// An event an endpoint refused through its last attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Its id.
    pub id: DeadLetterId,
    /// The endpoint that refused it.
    pub endpoint: EndpointId,
    /// The event.
    pub event: StoredEvent,
    /// The letter's sender.
    pub sender: OrganisationNumber,
    /// Where it is.
    pub state: DeadLetterState,
    /// Failed attempts (counted anew when queued again).
    pub attempts: u32,
    /// When it is due while queued.
    pub next_attempt_at: OffsetDateTime,
    /// Why the last attempt failed.
    pub last_error: String,
    /// When it was given up on.
    pub created_at: OffsetDateTime,
    /// When its row last changed.
    pub updated_at: OffsetDateTime,
}

/// The webhook endpoints' cursors and the dead-letter list.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Claims the endpoint for `lease.holder` until `now + lease.lease` when it is free, its
    /// lease ran out or the holder has it already (a renewal); answers where it stands, or
    /// `None` when another node holds it. The first claim makes its row, cursor at 0.
    async fn claim_endpoint(
        &self,
        lease: EndpointLease<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<EndpointCursor>, StoreError>;
    /// Makes the endpoint's row with its cursor at the newest event of the log when it has no
    /// row yet, so that a new endpoint configured to start now gets only later events; an
    /// endpoint that has a row keeps its cursor. Call it before the endpoint's first claim.
    async fn start_endpoint_now(
        &self,
        endpoint: &EndpointId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The events of `filter` after `after` by sequence, at most `limit` (capped at
    /// `limits::WEBHOOK_EVENTS_PER_READ_MAX`), with how far the read looked.
    async fn events_for(
        &self,
        filter: EventFilter<'_>,
        after: u64,
        limit: u32,
    ) -> Result<EventBatch, StoreError>;
    /// Moves the cursor of an endpoint with no failed attempt pending forward to `to`, past
    /// events that are not its own ([`EventBatch::scanned_to`]), renewing the lease. Does
    /// nothing when the cursor is there already or the holder lost the lease.
    async fn skip_to(
        &self,
        lease: EndpointLease<'_>,
        to: u64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Records the attempt at `event`, the next one after the endpoint's cursor, and renews
    /// the lease: `Delivered` and `GaveUp` (with its dead letter, in the same transaction)
    /// move the cursor to it. `Conflict` when the holder lost the lease or the cursor is
    /// already past it.
    async fn record_attempt(
        &self,
        lease: EndpointLease<'_>,
        event: &WebhookEvent,
        attempt: Attempt,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The endpoint's oldest queued dead letter due at `now`, if any.
    async fn due_dead_letter(
        &self,
        endpoint: &EndpointId,
        now: OffsetDateTime,
    ) -> Result<Option<DeadLetter>, StoreError>;
    /// Records an attempt at a queued dead letter: `Delivered` makes it `resent`, `GaveUp`
    /// `dead` again. `Conflict` when the holder lost the endpoint's lease or it is not queued.
    async fn record_dead_letter_attempt(
        &self,
        lease: EndpointLease<'_>,
        id: DeadLetterId,
        attempt: Attempt,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Dead letters of `senders` after `after` by id, at most `limit` (capped at
    /// `limits::WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX`).
    async fn dead_letters(
        &self,
        senders: &[OrganisationNumber],
        after: Option<DeadLetterId>,
        limit: u32,
    ) -> Result<Vec<DeadLetter>, StoreError>;
    /// Queues the dead letter `id` to be sent again now, its attempts counted anew, when its
    /// sender is one of `senders`; `None` when there is no such dead letter for them.
    async fn queue_dead_letter(
        &self,
        id: DeadLetterId,
        senders: &[OrganisationNumber],
        now: OffsetDateTime,
    ) -> Result<Option<DeadLetter>, StoreError>;
}

impl EndpointId {
    /// Parses a configured endpoint's id (the rules of [`ClientId`]).
    ///
    /// # Errors
    /// [`KeyError::Invalid`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        ClientId::parse(text).map(|id| Self(id.as_str().to_owned()))
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl DeadLetterId {
    /// A fresh id (UUIDv7).
    #[must_use]
    pub fn new_v7() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    /// Parses the text form (a UUID).
    ///
    /// # Errors
    /// When `text` is not a UUID.
    pub fn parse(text: &str) -> Result<Self, uuid::Error> {
        uuid::Uuid::parse_str(text).map(Self)
    }
}

impl fmt::Display for DeadLetterId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl DeadLetterState {
    /// The state's name, in the API and the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dead => "dead",
            Self::Queued => "queued",
            Self::Resent => "resent",
        }
    }

    fn parse(text: &str) -> Result<Self, KeyError> {
        match text {
            "dead" => Ok(Self::Dead),
            "queued" => Ok(Self::Queued),
            "resent" => Ok(Self::Resent),
            _ => Err(KeyError::Invalid {
                max: 6,
                allowed: "a dead letter's state",
            }),
        }
    }
}
