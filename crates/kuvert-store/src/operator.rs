//! `OperatorStore`: what a mailbox operator keeps (PROTOCOL.md §11.6 step 4, §11.8).
//!
//! A delivery is stored in two steps in a fixed order: the sealed delivery is written to the
//! blob store and flushed, then the row is committed. A row therefore exists only if its blob
//! does; a crash between the steps leaves an orphan blob, which is harmless and reclaimed by
//! [`OperatorStore::reclaim_orphan_blobs`]. The UNIQUE `(sender, message_id)` constraint makes
//! `store_delivery` idempotent, also under concurrent retries, and the content digest stored
//! with it tells a retry (same digest: the original receipt) from another letter under the
//! same key ([`StoreOutcome::KeyConflict`]). Notifications for a delivery
//! are queued in the same transaction as its row, so a stored letter is never left
//! unannounced.

mod access;
mod deliveries;
mod export;
mod mailbox;
mod notifications;
mod records;
mod sql;

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use time::{Duration, OffsetDateTime};

use crate::StoreError;

pub use export::{AuditLogEntry, AuditLogPage, AuditLogQuery, ExportLetter};
pub use notifications::{CodeCheck, CodeIssue};
pub use records::{
    AttachmentInfo, AuditAction, AuditEvent, ConfirmationCode, DeliveryId, Folder, Letter,
    LetterAccess, LetterPage, LetterSummary, MailboxQuery, MobileNumber, NewDelivery,
    NotificationAddress, NotificationChannel, NotificationId, NotificationRecord,
    NotificationSetting, NotificationStatus, OpenedLetter, OperatorRecordError, PendingCode,
    SearchText, StoreOutcome, StoredReceipt,
};
pub(crate) use sql::SqlOperatorStore;

/// A mailbox operator's storage. Held as `Arc<dyn OperatorStore>` by `kuvert-operator`.
///
/// Every method that reads or changes a letter takes the mailbox (`RecipientId`) it must be in
/// and answers `NotFound` for a letter in another mailbox, so a handler cannot leak letters by
/// forgetting a check.
#[async_trait]
pub trait OperatorStore: Send + Sync {
    /// Stores a verified delivery durably (blob flushed, then row and notifications
    /// committed), or returns the original receipt when the key was stored before with the
    /// same content digest, or [`StoreOutcome::KeyConflict`] when with another.
    async fn store_delivery(&self, delivery: NewDelivery) -> Result<StoreOutcome, StoreError>;

    /// One page of a mailbox, newest first, with totals and the unread count.
    async fn letters(&self, query: &MailboxQuery) -> Result<LetterPage, StoreError>;
    /// A letter's details, without audit (no content).
    async fn letter(&self, mailbox: &RecipientId, id: DeliveryId) -> Result<Letter, StoreError>;
    /// Reads a letter for a person: records the audit event, then returns the letter with its
    /// digest-checked sealed delivery. No audit record, no content.
    async fn open_letter(&self, access: &LetterAccess) -> Result<OpenedLetter, StoreError>;
    /// Marks a letter read (keeping the first read time) or unread.
    async fn set_read(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_read: bool,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Moves a letter to the archive or back to the inbox.
    async fn set_archived(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_archived: bool,
    ) -> Result<(), StoreError>;
    /// Deletes the blobs under `deliveries/` that no row refers to and that were written
    /// before `written_before` (so a delivery being stored right now is left alone), walking
    /// the blob store in pages of `page_size`. Returns how many were deleted.
    async fn reclaim_orphan_blobs(
        &self,
        written_before: OffsetDateTime,
        page_size: usize,
    ) -> Result<usize, StoreError>;

    /// Sets (or replaces) the address on its channel, unconfirmed, with a new code (kept only
    /// as a hash). `Conflict { what: "confirmation codes sent today" }` when the day's codes
    /// are used up; [`OperatorStore::issue_confirmation_code`] says so as a value.
    async fn set_notification_address(
        &self,
        recipient: &RecipientId,
        address: NotificationAddress,
        code: ConfirmationCode,
        at: OffsetDateTime,
    ) -> Result<NotificationSetting, StoreError>;
    /// Confirms an address with the code sent to it. `NotFound` without an address or code on
    /// the channel, `Conflict { what: "confirmation code" }` for a wrong, expired or used-up
    /// code; [`OperatorStore::check_confirmation_code`] tells these apart.
    async fn confirm_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        at: OffsetDateTime,
    ) -> Result<NotificationSetting, StoreError>;
    /// Removes the address on a channel; removing a missing one succeeds.
    async fn remove_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<(), StoreError>;
    /// The holder's addresses, e-mail first.
    async fn notification_settings(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<NotificationSetting>, StoreError>;

    /// Claims up to `limit` (≤ `limits::NOTIFICATIONS_PER_BATCH_MAX`) due notifications for
    /// `lease`; another worker cannot claim them until the lease ends.
    async fn claim_notifications(
        &self,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<NotificationRecord>, StoreError>;
    /// Marks a claimed notification sent. `NotFound` unless it is pending.
    async fn mark_notification_sent(
        &self,
        id: NotificationId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Records a failed attempt: retried after a doubling back-off from one minute, or marked
    /// `Failed` after `limits::NOTIFICATION_ATTEMPTS_MAX` attempts. `error` must hold no
    /// letter content (it is cut to 1000 characters). `Conflict` unless it is pending.
    async fn mark_notification_failed(
        &self,
        id: NotificationId,
        error: &str,
        now: OffsetDateTime,
    ) -> Result<NotificationRecord, StoreError>;
    /// The holder's notifications, newest first, at most `limit` (capped at
    /// `limits::LETTERS_PER_PAGE_MAX`).
    async fn notifications(
        &self,
        recipient: &RecipientId,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError>;

    /// The mailbox's access log, newest first, at most `limit`
    /// (≤ `limits::AUDIT_EVENTS_PER_PAGE_MAX`).
    async fn audit_events(
        &self,
        mailbox: &RecipientId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    /// Lets `person` use `company`'s mailbox (an authorised representative).
    async fn grant_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Withdraws a representation; withdrawing a missing one succeeds.
    async fn revoke_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
    ) -> Result<(), StoreError>;
    /// The companies whose mailboxes `person` may use.
    async fn represented_companies(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Vec<OrganisationNumber>, StoreError>;

    /// Stores `address` on its channel with a new confirmation code's salted hash, valid for
    /// `limits::CONFIRMATION_CODE_MINUTES_MAX` minutes; the address is unconfirmed unless it is
    /// the confirmed one already (then this is a re-send). Refused as a value, changing
    /// nothing, once `limits::CONFIRMATION_CODES_PER_DAY_MAX` codes went to the channel within
    /// a day.
    async fn issue_confirmation_code(
        &self,
        recipient: &RecipientId,
        address: &NotificationAddress,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeIssue, StoreError>;
    /// Checks an entered code: the right one confirms the address; a wrong one counts towards
    /// `limits::CONFIRMATION_CODE_TRIES_MAX`; an expired or used-up code never confirms.
    async fn check_confirmation_code(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeCheck, StoreError>;
    /// Moves claimed notifications (≤ `limits::NOTIFICATIONS_PER_BATCH_MAX`) still pending to
    /// `until` and ends their lease, without counting an attempt: quiet hours, or the hour
    /// that gathers several letters into one summary.
    async fn postpone_notifications(
        &self,
        ids: &[NotificationId],
        until: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// When a notification to `recipient` on `channel` was last sent, if ever.
    async fn last_notification_sent_at(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<Option<OffsetDateTime>, StoreError>;

    /// Up to `limit` (≤ `limits::LETTERS_PER_PAGE_MAX`) letters of `mailbox`, inbox and
    /// archive, in a stable order after `after` (the last id of the previous page): the
    /// export walks a mailbox with it. No content and no audit; the export opens each letter
    /// through [`OperatorStore::open_letter`].
    async fn export_letters(
        &self,
        mailbox: &RecipientId,
        after: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<ExportLetter>, StoreError>;
    /// One page of the mailbox's access log, newest first, each event with the letter's
    /// subject and sender and the attachment's file name.
    async fn audit_log(&self, query: &AuditLogQuery) -> Result<AuditLogPage, StoreError>;
}

#[cfg(test)]
mod tests;
