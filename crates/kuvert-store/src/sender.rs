//! [`SenderQueueStore`]: the sender service's durable letter queue and each letter's timeline
//! (issue 15, migration 0014; each letter's [`Lane`], migration 0017).
//!
//! A letter a sender system hands over REST is a row from the moment it is accepted: the
//! caller's [`IdempotencyKey`] is unique per [`ClientId`], so a replay answers the same letter
//! (and other content under the key is refused); its message id is fixed at acceptance, so
//! every later attempt — after a restart too — sends under the same operator idempotency key.
//! Workers claim due letters under a lease ([`LeaseHolder`]); only the holder may record what
//! became of a letter, so a worker whose lease ran out and was taken over changes nothing.
//!
//! Every step is a [`TimelineEvent`] numbered by one global sequence, taken inside the writing
//! transaction from a single counter row: writers are ordered by its lock, so a reader of the
//! feed (events after a cursor, by sequence) never meets an event committed later under a
//! smaller number.
//!
//! **Invariants:** a letter is accepted together with its `accepted` event, and reaches a
//! final state (`delivered`, `paper`, `failed`) together with that event, in one transaction
//! each; a final letter is never claimed again.

mod sql;
pub mod webhook;

use std::fmt;

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::lane::Lane;
use kuvert_core::limits::IDEMPOTENCY_KEY_CHARS_MAX;
use kuvert_core::message::MessageId;
use time::{Duration, OffsetDateTime};

pub use crate::operator::LeaseHolder;
pub(crate) use sql::SqlSenderQueueStore;

use crate::error::StoreError;

/// The id the sender service gives a letter (UUIDv7: ordered by acceptance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LetterId(uuid::Uuid);

/// A configured caller of the sender service: 1–64 of `A-Z a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

/// A caller's `Idempotency-Key`: 1..=`IDEMPOTENCY_KEY_CHARS_MAX` visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a [`ClientId`] or [`IdempotencyKey`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Empty, too long, or a character outside the allowed set.
    #[error("must be 1 to {max} characters of {allowed}")]
    Invalid {
        /// The longest allowed.
        max: usize,
        /// The characters allowed, in words.
        allowed: &'static str,
    },
}

/// Where a letter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterState {
    /// Queued, not yet sealed.
    Accepted,
    /// Signed and sealed (in the evidence archive), not yet delivered.
    Sealed,
    /// The operator returned a receipt.
    Delivered,
    /// The recipient is not reachable digitally: a paper letter.
    Paper,
    /// Given up on; the timeline's last event says why.
    Failed,
}

/// One step of a letter's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineEvent {
    /// Accepted into the queue.
    Accepted,
    /// Signed and sealed.
    Sealed,
    /// Delivered: the operator's receipt.
    Delivered {
        /// The receipt's TransId.
        trans_id: String,
        /// The operator's name.
        operator: String,
    },
    /// Put on paper.
    Paper {
        /// Why it is not digital (`PaperReason::as_str`).
        reason: String,
    },
    /// Given up on.
    Failed {
        /// Why, without letter content.
        reason: String,
    },
}

/// An event as stored, with its place in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The global sequence number: the feed's cursor.
    pub sequence: u64,
    /// The letter.
    pub letter_id: LetterId,
    /// When it happened.
    pub at: OffsetDateTime,
    /// What happened.
    pub event: TimelineEvent,
}

/// A letter to accept.
#[derive(Debug, Clone, Copy)]
pub struct NewLetter<'a> {
    /// Its new id.
    pub id: LetterId,
    /// Who handed it over.
    pub client: &'a ClientId,
    /// The caller's key for it.
    pub key: &'a IdempotencyKey,
    /// Hex SHA-256 of the letter as accepted (tells a replay from other content).
    pub request_digest: &'a str,
    /// The sender (avsändare).
    pub sender: &'a OrganisationNumber,
    /// The recipient.
    pub recipient: &'a RecipientId,
    /// The message id every attempt sends under.
    pub message_id: &'a MessageId,
    /// The service's JSON of the letter.
    pub letter_json: &'a str,
    /// `Single` for a letter posted alone, `Bulk` for one of a batch or a mailing: single
    /// letters are claimed first and signed and delivered in their lane (migration 0017).
    pub lane: Lane,
    /// Now.
    pub at: OffsetDateTime,
}

/// What accepting one letter did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acceptance {
    /// Queued now, under this id.
    Queued(LetterRecord),
    /// The key was used before with the same content: that letter, unchanged.
    Replayed(LetterRecord),
    /// The key was used before with other content; nothing changed.
    KeyConflict,
}

/// A letter's row, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRecord {
    /// Its id.
    pub id: LetterId,
    /// Who handed it over.
    pub client: ClientId,
    /// The sender.
    pub sender: OrganisationNumber,
    /// The recipient.
    pub recipient: RecipientId,
    /// The message id it is sent under.
    pub message_id: MessageId,
    /// Where it is.
    pub state: LetterState,
    /// The lane it is worked in.
    pub lane: Lane,
    /// Rounds that could not reach the registry or operator.
    pub rounds: u32,
    /// When it was accepted.
    pub created_at: OffsetDateTime,
    /// When its row last changed.
    pub updated_at: OffsetDateTime,
}

/// A letter a worker holds, with its content.
#[derive(Debug, Clone)]
pub struct ClaimedLetter {
    /// Its row.
    pub record: LetterRecord,
    /// The service's JSON of the letter.
    pub letter_json: String,
    /// Times it was claimed before this claim (more than 0: an earlier worker may have done
    /// part of the work).
    pub claims_before: u64,
}

/// A step of a held letter to record.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    /// The letter.
    pub id: LetterId,
    /// The worker holding it.
    pub holder: &'a LeaseHolder,
    /// What happened; a final event ends the lease.
    pub event: TimelineEvent,
    /// When.
    pub at: OffsetDateTime,
}

/// The sender service's letter queue and timelines.
#[async_trait]
pub trait SenderQueueStore: Send + Sync {
    /// Accepts each letter with its `accepted` event, in one transaction (at most
    /// `limits::SENDER_SERVICE_BATCH_LETTERS_MAX`); answers in the same order. When a key
    /// was used before for other content, nothing is accepted and the one answer is
    /// [`Acceptance::KeyConflict`].
    async fn accept_letters(
        &self,
        letters: &[NewLetter<'_>],
    ) -> Result<Vec<Acceptance>, StoreError>;
    /// Claims up to `limit` (≤ `limits::SENDER_SERVICE_CLAIM_LETTERS_MAX`) due letters not in
    /// a final state for `holder` for `lease`: `Single` letters before `Bulk` ones, then the
    /// oldest first.
    async fn claim_letters(
        &self,
        holder: &LeaseHolder,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedLetter>, StoreError>;
    /// Extends `holder`'s lease on `ids` to `until`; how many it still held.
    async fn renew_letter_leases(
        &self,
        ids: &[LetterId],
        holder: &LeaseHolder,
        until: OffsetDateTime,
    ) -> Result<usize, StoreError>;
    /// Records a step of a letter `holder` holds, with its new state. `Conflict` when the
    /// letter is no longer `holder`'s (its lease ran out and another worker took it).
    async fn record_progress(&self, progress: Progress<'_>) -> Result<StoredEvent, StoreError>;
    /// Gives a held letter back after a round that could not reach the registry or operator:
    /// counts the round, keeps `error` (no letter content, cut to 1 000 characters) and makes
    /// it due again at `retry_at`. `Conflict` when it is no longer `holder`'s.
    async fn postpone_letter(
        &self,
        id: LetterId,
        holder: &LeaseHolder,
        error: &str,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The letter and its timeline in order, if it exists.
    async fn letter(
        &self,
        id: LetterId,
    ) -> Result<Option<(LetterRecord, Vec<StoredEvent>)>, StoreError>;
    /// `client`'s events after `after` by sequence, at most `limit` (capped at
    /// `limits::SENDER_EVENTS_PER_PAGE_MAX`).
    async fn events_after(
        &self,
        client: &ClientId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;
}

impl LetterId {
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

impl fmt::Display for LetterId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl ClientId {
    /// Parses a configured client's id.
    ///
    /// # Errors
    /// [`KeyError::Invalid`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if (1..=64).contains(&text.len()) && text.chars().all(allowed) {
            Ok(Self(text.to_owned()))
        } else {
            Err(KeyError::Invalid {
                max: 64,
                allowed: "A-Z, a-z, 0-9, '.', '_' and '-'",
            })
        }
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl IdempotencyKey {
    /// Parses a caller's key.
    ///
    /// # Errors
    /// [`KeyError::Invalid`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let is_valid = (1..=IDEMPOTENCY_KEY_CHARS_MAX).contains(&text.len())
            && text.bytes().all(|byte| byte.is_ascii_graphic());
        if is_valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(KeyError::Invalid {
                max: IDEMPOTENCY_KEY_CHARS_MAX,
                allowed: "visible ASCII",
            })
        }
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl LetterState {
    /// The state's name, in the API and the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Sealed => "sealed",
            Self::Delivered => "delivered",
            Self::Paper => "paper",
            Self::Failed => "failed",
        }
    }

    /// Whether nothing more happens to the letter.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Paper | Self::Failed)
    }

    fn parse(text: &str) -> Result<Self, KeyError> {
        Ok(match text {
            "accepted" => Self::Accepted,
            "sealed" => Self::Sealed,
            "delivered" => Self::Delivered,
            "paper" => Self::Paper,
            "failed" => Self::Failed,
            _ => {
                return Err(KeyError::Invalid {
                    max: 9,
                    allowed: "a letter state",
                });
            }
        })
    }
}

impl TimelineEvent {
    /// The state a letter is in after this event.
    #[must_use]
    pub fn state(&self) -> LetterState {
        match self {
            Self::Accepted => LetterState::Accepted,
            Self::Sealed => LetterState::Sealed,
            Self::Delivered { .. } => LetterState::Delivered,
            Self::Paper { .. } => LetterState::Paper,
            Self::Failed { .. } => LetterState::Failed,
        }
    }
}
