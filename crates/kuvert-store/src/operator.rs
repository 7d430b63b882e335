//! `OperatorStore`: what a mailbox operator keeps (PROTOCOL.md §11.6 step 4, §11.8).
//!
//! A delivery is stored in two steps in a fixed order: the sealed delivery is written to the
//! blob store and flushed, then the row is committed. A row therefore exists only if its blob
//! does; a crash between the steps leaves an orphan blob, which is harmless and reclaimed by
//! [`DeliveryStore::reclaim_orphan_blobs`]. The UNIQUE `(sender, message_id)` constraint makes
//! `store_delivery` idempotent, also under concurrent retries, and the content digest stored
//! with it tells a retry (same digest: the original receipt) from another letter under the
//! same key ([`StoreOutcome::KeyConflict`]). Notifications for a delivery
//! are queued in the same transaction as its row, so a stored letter is never left
//! unannounced.

mod access;
mod deliveries;
mod export;
mod group_commit;
mod mailbox;
mod notifications;
mod records;

use std::sync::Arc;

use sqlx::AnyPool;

use crate::blob::BlobStore;
use crate::database::Backend;

pub use access::AccessStore;
pub use deliveries::DeliveryStore;
pub use export::{AuditLogEntry, AuditLogPage, AuditLogQuery, ExportLetter, ExportStore};
pub use mailbox::MailboxStore;
pub use notifications::{AddressStore, CodeCheck, CodeIssue, OutboxStore};
pub use records::{
    AttachmentInfo, AuditAction, AuditEvent, ConfirmationCode, DeliveryId, Folder, HourReservation,
    LeaseHolder, Letter, LetterAccess, LetterPage, LetterSummary, MailboxQuery, MobileNumber,
    NewDelivery, NotificationAddress, NotificationChannel, NotificationId, NotificationRecord,
    NotificationSetting, NotificationStatus, OpenedLetter, OperatorRecordError, PendingCode,
    SearchText, StoreOutcome, StoredReceipt, SummaryHour,
};

/// A mailbox operator's storage. Held as `Arc<dyn OperatorStore>` by `kuvert-operator`.
///
/// One trait per concern, each declared and implemented in the module that owns its tables:
/// [`DeliveryStore`], [`MailboxStore`], [`AddressStore`], [`OutboxStore`],
/// [`AccessStore`] and [`ExportStore`]. Anything that implements them all is an
/// `OperatorStore`.
///
/// Every method that reads or changes a letter takes the mailbox (`RecipientId`) it must be in
/// and answers `NotFound` for a letter in another mailbox, so a handler cannot leak letters by
/// forgetting a check.
pub trait OperatorStore:
    DeliveryStore + MailboxStore + AddressStore + OutboxStore + AccessStore + ExportStore
{
}

impl<T> OperatorStore for T where
    T: DeliveryStore
        + MailboxStore
        + AddressStore
        + OutboxStore
        + AccessStore
        + ExportStore
        + ?Sized
{
}

/// The operator's tables in a SQLite or PostgreSQL database, with sealed deliveries in a blob
/// store: implements every part of [`OperatorStore`], each in its topic module.
#[derive(Debug, Clone)]
pub(crate) struct SqlOperatorStore {
    pool: AnyPool,
    backend: Backend,
    blobs: Arc<dyn BlobStore>,
    /// Shared by clones, so every handle of one store commits in the same groups.
    group_commit: Arc<group_commit::GroupCommit>,
}

impl SqlOperatorStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend, blobs: Arc<dyn BlobStore>) -> Self {
        Self {
            pool,
            backend,
            blobs,
            group_commit: Arc::default(),
        }
    }
}

#[cfg(test)]
mod tests;
