//! Record types of the operator store: deliveries and mailbox views, notification settings and
//! outbox entries, audit events. Store-made ids are UUIDv7, so they sort by creation time.

use std::fmt;

use bytes::Bytes;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    AttachmentContentType, ContentDigest, DeliveryKey, EmailAddress, Filename, MessageId, Receipt,
    SenderName, Subject, TransId,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// Why a constrained operator-store string is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorRecordError {
    /// Not `+` followed by 8..=15 digits (E.164).
    #[error("mobile number is not + followed by 8 to 15 digits")]
    InvalidMobileNumber,
    /// Not 4..=12 ASCII letters or digits.
    #[error("confirmation code is not 4 to 12 ASCII letters or digits")]
    InvalidConfirmationCode,
    /// Empty or longer than `limits::MAILBOX_SEARCH_CHARS_MAX` characters.
    #[error("search text is empty or longer than the longest subject")]
    InvalidSearchText,
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id as a UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the hyphenated UUID text form (for ids in URLs).
            pub fn parse(text: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(text).map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }
    };
}

uuid_id!(
    /// Id of a stored delivery (a letter in a mailbox).
    DeliveryId
);
uuid_id!(
    /// Id of a notification in the outbox.
    NotificationId
);

/// A verified delivery to store (PROTOCOL.md §11.6 step 4e).
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// Sender and message id: the idempotency key.
    pub key: DeliveryKey,
    /// SHA-256 of the canonical sender-signed content: a repeat under `key` is the same
    /// delivery only with the same digest.
    pub content_digest: ContentDigest,
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// The operator's id of this delivery, as put in the receipt.
    pub trans_id: TransId,
    /// When the operator received it (stored to the millisecond).
    pub received_at: OffsetDateTime,
    /// The sealed delivery exactly as received, kept so the letter stays verifiable.
    pub sealed_delivery: Bytes,
    /// The receipt document returned to the intermediary, returned again on a retry.
    pub receipt_xml: String,
    /// The letter's subject, for listings.
    pub subject: Subject,
    /// The sender's name, for listings and notifications.
    pub sender_name: SenderName,
    /// Attachment metadata in message order; the bytes stay in the sealed delivery.
    pub attachments: Vec<AttachmentInfo>,
}

/// An attachment as listed, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// The file name.
    pub filename: Filename,
    /// Its content type.
    pub content_type: AttachmentContentType,
    /// Decoded size in bytes.
    pub size_bytes: u64,
}

/// The receipt of a stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    /// The letter's id in the mailbox.
    pub delivery_id: DeliveryId,
    /// Trans id, recipient and delivered flag.
    pub receipt: Receipt,
    /// When the delivery was first received.
    pub received_at: OffsetDateTime,
    /// The receipt document as first returned.
    pub receipt_xml: String,
}

/// What `store_delivery` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Stored now; the blob is flushed and the row committed.
    Stored(StoredReceipt),
    /// The same sender and message id with the same content was stored before: the
    /// original receipt, nothing new.
    AlreadyStored(StoredReceipt),
    /// The same sender and message id was stored before with other content: nothing new,
    /// and nothing about the first letter (MM fault 5007).
    KeyConflict,
}

/// Which part of a mailbox to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// Letters not archived.
    Inbox,
    /// Archived letters.
    Archive,
}

/// Text to find in sender names and subjects (case-insensitive for ASCII).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

/// A listing request: one page of one folder, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxQuery {
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// Inbox or archive.
    pub folder: Folder,
    /// Only letters from this sender.
    pub sender: Option<OrganisationNumber>,
    /// Only letters whose sender name or subject contains this.
    pub search: Option<SearchText>,
    /// Zero-based page number.
    pub page: u32,
    /// Letters per page, 1..=`limits::LETTERS_PER_PAGE_MAX`.
    pub page_size: u32,
}

/// A letter as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterSummary {
    /// The letter's id.
    pub id: DeliveryId,
    /// The sender's organisation number.
    pub sender: OrganisationNumber,
    /// The sender's name.
    pub sender_name: SenderName,
    /// The subject.
    pub subject: Subject,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// Whether the holder marked it read.
    pub is_read: bool,
    /// Whether it is in the archive.
    pub is_archived: bool,
    /// Number of attachments.
    pub attachment_count: u32,
}

/// One page of a mailbox listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterPage {
    /// The letters, newest first.
    pub letters: Vec<LetterSummary>,
    /// Letters matching the query across all pages.
    pub total: u64,
    /// Unread letters in the whole mailbox (inbox and archive, no filter).
    pub unread: u64,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// A letter's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// What the listing shows.
    pub summary: LetterSummary,
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// The sender's message id.
    pub message_id: MessageId,
    /// The receipt's trans id.
    pub trans_id: TransId,
    /// When it was first marked read.
    pub read_at: Option<OffsetDateTime>,
    /// Attachments in message order.
    pub attachments: Vec<AttachmentInfo>,
}

/// A letter opened by a person, with the sealed delivery to render or export from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedLetter {
    /// The letter's details.
    pub letter: Letter,
    /// The sealed delivery as received, digest-checked.
    pub sealed_delivery: Bytes,
}

/// A person reading a letter: checked against the mailbox and written to the audit log.
///
/// The store checks only that the letter is in `mailbox`; the caller has already checked that
/// `actor` holds the mailbox or represents it (`OperatorStore::represented_companies`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterAccess {
    /// The mailbox the letter is in (the holder, or the company a representative acts for).
    pub mailbox: RecipientId,
    /// The letter.
    pub delivery: DeliveryId,
    /// The person, from the e-ID login.
    pub actor: PersonalIdentityNumber,
    /// What the person did.
    pub action: AuditAction,
    /// When.
    pub at: OffsetDateTime,
}

/// Audited actions on letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// Opened the letter.
    OpenedLetter,
    /// Opened or downloaded an attachment (zero-based position).
    OpenedAttachment {
        /// Position in the message.
        position: u32,
    },
    /// Exported the letter with its seal.
    ExportedLetter,
}

/// One line of a mailbox's access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The mailbox.
    pub mailbox: RecipientId,
    /// Who acted.
    pub actor: PersonalIdentityNumber,
    /// What they did.
    pub action: AuditAction,
    /// On which letter.
    pub delivery: DeliveryId,
    /// When.
    pub at: OffsetDateTime,
}

/// A Swedish or foreign mobile number in E.164 form, `+46701234567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

/// A code sent to a new address to prove the holder controls it.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

/// Channels for notifications (*avisering*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationChannel {
    /// E-mail (SMTP).
    Email,
    /// SMS (HTTP gateway).
    Sms,
}

/// Where a notification goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationAddress {
    /// An e-mail address.
    Email(EmailAddress),
    /// A mobile number.
    Sms(MobileNumber),
}

/// A recipient's notification address on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSetting {
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// Where to notify.
    pub address: NotificationAddress,
    /// The outstanding confirmation code, if one was sent and not yet used (its value is kept
    /// only as a salted hash).
    pub pending_code: Option<PendingCode>,
    /// Whether the holder confirmed; only confirmed addresses get notifications.
    pub is_confirmed: bool,
    /// When the address was set or confirmed.
    pub updated_at: OffsetDateTime,
}

/// What is known of an outstanding confirmation code without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCode {
    /// When it stops working (`limits::CONFIRMATION_CODE_MINUTES_MAX` after it was sent).
    pub expires_at: OffsetDateTime,
    /// Wrong entries so far (it stops working at `limits::CONFIRMATION_CODE_TRIES_MAX`).
    pub wrong_tries: u32,
    /// Codes sent on this channel in the current day-long window
    /// (at most `limits::CONFIRMATION_CODES_PER_DAY_MAX`).
    pub codes_sent: u32,
}

/// State of a notification in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStatus {
    /// Waiting to be sent or retried.
    Pending,
    /// Sent.
    Sent,
    /// Given up after `limits::NOTIFICATION_ATTEMPTS_MAX` attempts; shown to the holder.
    Failed,
}

/// Who holds the lease of claimed notifications: one random value per claim of a worker.
/// Only the holder may mark them sent or failed or renew the lease, so a worker whose lease
/// ran out and was taken over by another cannot act on them twice.
#[derive(Clone, PartialEq, Eq)]
pub struct LeaseHolder(String);

impl LeaseHolder {
    /// A fresh holder (a random UUID).
    #[must_use]
    pub fn new_random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// As stored.
    pub(crate) fn as_db(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LeaseHolder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "LeaseHolder({})", self.0)
    }
}

/// The summary hour of one recipient's channel, taken (or given back) at `at`.
#[derive(Debug, Clone, Copy)]
pub struct SummaryHour<'a> {
    /// The mailbox holder.
    pub recipient: &'a RecipientId,
    /// The channel, whose address gets at most one notification in the hour.
    pub channel: NotificationChannel,
    /// When the hour is taken (the send's time).
    pub at: OffsetDateTime,
}

/// Whether a worker may send on a channel now, or another notification took the hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HourReservation {
    /// The hour is this worker's: send now (or give it back if sending fails).
    Reserved,
    /// A notification on the channel was sent (or is being sent) at `last_sent_at`, within
    /// the window: wait until the window has passed.
    Taken {
        /// When the hour was taken.
        last_sent_at: OffsetDateTime,
    },
}

/// A notification ("you have new mail from X", never the content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Its id.
    pub id: NotificationId,
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// The letter it announces.
    pub delivery: DeliveryId,
    /// Where it goes.
    pub address: NotificationAddress,
    /// The sender named in the text.
    pub sender_name: SenderName,
    /// Pending, sent or failed.
    pub status: NotificationStatus,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Earliest time of the next attempt.
    pub next_attempt_at: OffsetDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the last failed attempt was made.
    pub last_attempt_at: Option<OffsetDateTime>,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it was sent.
    pub sent_at: Option<OffsetDateTime>,
}

impl StoreOutcome {
    /// The receipt, new or original; `None` for a [`StoreOutcome::KeyConflict`].
    pub fn receipt(&self) -> Option<&StoredReceipt> {
        match self {
            Self::Stored(receipt) | Self::AlreadyStored(receipt) => Some(receipt),
            Self::KeyConflict => None,
        }
    }
}

impl SearchText {
    /// Accepts 1..=`limits::MAILBOX_SEARCH_CHARS_MAX` characters, trimmed.
    pub fn parse(text: &str) -> Result<Self, OperatorRecordError> {
        let trimmed = text.trim();
        let length = trimmed.chars().count();
        if length == 0 || length > kuvert_core::limits::MAILBOX_SEARCH_CHARS_MAX {
            return Err(OperatorRecordError::InvalidSearchText);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The search text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MobileNumber {
    /// Parses `+` followed by 8..=15 digits.
    pub fn parse(text: &str) -> Result<Self, OperatorRecordError> {
        let digits = text
            .strip_prefix('+')
            .ok_or(OperatorRecordError::InvalidMobileNumber)?;
        if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(OperatorRecordError::InvalidMobileNumber);
        }
        Ok(Self(text.to_owned()))
    }

    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ConfirmationCode {
    /// Parses 4..=12 ASCII letters or digits.
    pub fn parse(text: &str) -> Result<Self, OperatorRecordError> {
        if !(4..=12).contains(&text.len()) || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(OperatorRecordError::InvalidConfirmationCode);
        }
        Ok(Self(text.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ConfirmationCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ConfirmationCode(****)")
    }
}

impl NotificationAddress {
    /// The channel this address belongs to.
    pub fn channel(&self) -> NotificationChannel {
        match self {
            Self::Email(_) => NotificationChannel::Email,
            Self::Sms(_) => NotificationChannel::Sms,
        }
    }

    /// The address text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Sms(number) => number.as_str(),
        }
    }

    pub(crate) fn from_db(channel: &str, address: &str) -> Option<Self> {
        match channel {
            "email" => EmailAddress::parse(address).ok().map(Self::Email),
            "sms" => MobileNumber::parse(address).ok().map(Self::Sms),
            _ => None,
        }
    }
}

impl NotificationChannel {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

impl NotificationStatus {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn from_db(text: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|status| status.as_db() == text)
    }
}

impl AuditAction {
    /// The action and attachment position as stored.
    pub(crate) fn to_db(self) -> (&'static str, Option<i64>) {
        match self {
            Self::OpenedLetter => ("opened_letter", None),
            Self::OpenedAttachment { position } => ("opened_attachment", Some(i64::from(position))),
            Self::ExportedLetter => ("exported_letter", None),
        }
    }

    pub(crate) fn from_db(action: &str, position: Option<i64>) -> Option<Self> {
        match (action, position) {
            ("opened_letter", None) => Some(Self::OpenedLetter),
            ("opened_attachment", Some(position)) => u32::try_from(position)
                .ok()
                .map(|position| Self::OpenedAttachment { position }),
            ("exported_letter", None) => Some(Self::ExportedLetter),
            _ => None,
        }
    }
}
