//! Storing deliveries durably and idempotently, and reclaiming blobs a crash left behind.

use std::collections::HashSet;

use async_trait::async_trait;
use kuvert_core::id::RecipientId;
use kuvert_core::message::{Receipt, TransId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe};
use time::OffsetDateTime;

use super::records::DeliveryId;
use super::{NewDelivery, NotificationStatus, SqlOperatorStore, StoreOutcome, StoredReceipt};
use crate::blob::{BlobDigest, BlobKey, BlobStore};
use crate::database::{
    Backend, begin_write, get_parsed, get_text, get_time, placeholders, to_millis,
    truncate_to_millis,
};
use crate::error::{SqlContext, StoreError};

/// The blob folder holding sealed deliveries.
pub(super) const DELIVERY_BLOB_PREFIX: &str = "deliveries";

/// The receipt columns of a delivery row, and the content digest it is matched by.
const RECEIPT_COLUMNS: &str = "id, recipient, trans_id, received_at, receipt_xml, content_digest";

/// Storing verified deliveries durably and idempotently, and reclaiming the blobs a crash
/// left behind. Part of [`OperatorStore`](super::OperatorStore).
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Stores a verified delivery durably (blob flushed, then row and notifications
    /// committed), or returns the original receipt when the key was stored before with the
    /// same content digest, or [`StoreOutcome::KeyConflict`] when with another.
    async fn store_delivery(&self, delivery: NewDelivery) -> Result<StoreOutcome, StoreError>;
    /// Deletes the blobs under `deliveries/` that no row refers to and that were written
    /// before `written_before` (so a delivery being stored right now is left alone), walking
    /// the blob store in pages of `page_size`. Returns how many were deleted.
    async fn reclaim_orphan_blobs(
        &self,
        written_before: OffsetDateTime,
        page_size: usize,
    ) -> Result<usize, StoreError>;
}

#[async_trait]
impl DeliveryStore for SqlOperatorStore {
    #[tracing::instrument(skip_all, fields(delivery.trans_id = %delivery.trans_id.as_str()))]
    async fn store_delivery(&self, delivery: NewDelivery) -> Result<StoreOutcome, StoreError> {
        // A retry usually finds the original at once and writes nothing.
        if let Some(original) = receipt_by_key(&self.pool, &delivery).await? {
            return Ok(original);
        }
        let delivery_id = DeliveryId::new();
        let blob_key = delivery_blob_key(delivery_id)?;
        let digest = self
            .blobs
            .put(&blob_key, &delivery.sealed_delivery)
            .await
            .map_err(|error| StoreError::internal("write sealed delivery", error))?;
        assert_eq!(
            digest,
            BlobDigest::of(&delivery.sealed_delivery),
            "blob digest differs"
        );
        let row = PreparedDelivery {
            delivery,
            delivery_id,
            blob_key,
            digest,
        };
        let inserted = self
            .group_commit
            .commit(&self.pool, self.backend, row.clone())
            .await;
        let (delivery, blob_key) = (&row.delivery, &row.blob_key);
        match inserted {
            Ok(Some(receipt)) => Ok(StoreOutcome::Stored(receipt)),
            Ok(None) => {
                discard_blob(self.blobs.as_ref(), blob_key).await;
                let original = receipt_by_key(&self.pool, delivery).await?;
                original.ok_or(StoreError::NotFound {
                    what: "original delivery",
                })
            }
            Err(error) => {
                discard_blob(self.blobs.as_ref(), blob_key).await;
                Err(error)
            }
        }
    }

    async fn reclaim_orphan_blobs(
        &self,
        written_before: OffsetDateTime,
        page_size: usize,
    ) -> Result<usize, StoreError> {
        assert!(page_size > 0, "a page of zero blobs would never advance");
        let prefix = BlobKey::parse(DELIVERY_BLOB_PREFIX)
            .map_err(|error| StoreError::internal("name delivery blob", error))?;
        let mut after: Option<BlobKey> = None;
        let mut deleted = 0;
        // Each round advances `after` past a full page, so the walk ends after the last blob.
        loop {
            let entries = self
                .blobs
                .list(&prefix, after.as_ref(), page_size)
                .await
                .map_err(|error| StoreError::internal("list delivery blobs", error))?;
            let is_last_page = entries.len() < page_size;
            after = entries.last().map(|entry| entry.key.clone());
            let candidates: Vec<BlobKey> = entries
                .into_iter()
                .filter(|entry| entry.modified_at < written_before)
                .map(|entry| entry.key)
                .collect();
            deleted += delete_unreferenced(&self.pool, self.blobs.as_ref(), &candidates).await?;
            if is_last_page {
                return Ok(deleted);
            }
        }
    }
}

/// A verified delivery with the id, blob and digest it is stored under: one row to commit.
#[derive(Debug, Clone)]
pub(super) struct PreparedDelivery {
    pub(super) delivery: NewDelivery,
    pub(super) delivery_id: DeliveryId,
    pub(super) blob_key: BlobKey,
    pub(super) digest: BlobDigest,
}

/// Inserts `row` in a transaction of its own ([`insert_in`]); `None` when a delivery with the
/// same key won the race.
pub(super) async fn insert(
    pool: &AnyPool,
    backend: Backend,
    row: &PreparedDelivery,
) -> Result<Option<StoredReceipt>, StoreError> {
    let mut transaction = begin_write(pool, backend).await?;
    let stored = insert_in(&mut transaction, row).await?;
    transaction.commit().await.context("commit delivery")?;
    crate::durable::count_syncs("database", "delivery_commit", 1);
    Ok(stored)
}

/// Inserts the row, its attachments and its notifications inside `connection`'s transaction;
/// `None` when a delivery with the same key is there already (stored earlier, or earlier in
/// the same group).
pub(super) async fn insert_in(
    connection: &mut AnyConnection,
    row: &PreparedDelivery,
) -> Result<Option<StoredReceipt>, StoreError> {
    let PreparedDelivery {
        delivery,
        delivery_id,
        blob_key,
        digest,
    } = row;
    let delivery_id = *delivery_id;
    let received_at = truncate_to_millis(delivery.received_at);
    let inserted = sqlx::query(
        "INSERT INTO deliveries (id, sender, message_id, recipient, trans_id, received_at, \
         blob_key, blob_digest, blob_bytes, receipt_xml, subject, sender_name, \
         attachment_count, is_read, read_at, is_archived, content_digest) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, NULL, 0, $14) \
         ON CONFLICT (sender, message_id) DO NOTHING",
    )
    .bind(delivery_id.to_string())
    .bind(delivery.key.sender.as_str())
    .bind(delivery.key.message_id.as_str())
    .bind(delivery.recipient.to_wire())
    .bind(delivery.trans_id.as_str())
    .bind(to_millis(received_at))
    .bind(blob_key.as_str())
    .bind(digest.to_hex())
    .bind(i64::try_from(delivery.sealed_delivery.len()).unwrap_or(i64::MAX))
    .bind(&delivery.receipt_xml)
    .bind(delivery.subject.as_str())
    .bind(delivery.sender_name.as_str())
    .bind(i64::try_from(delivery.attachments.len()).unwrap_or(i64::MAX))
    .bind(delivery.content_digest.to_hex())
    .execute(&mut *connection)
    .await
    .context("insert delivery")?;
    if inserted.rows_affected() == 0 {
        return Ok(None);
    }
    insert_attachments(connection, delivery_id, delivery).await?;
    queue_notifications(connection, delivery_id, delivery, received_at).await?;
    Ok(Some(StoredReceipt {
        delivery_id,
        receipt: Receipt {
            trans_id: delivery.trans_id.clone(),
            recipient: delivery.recipient.clone(),
            is_delivered: true,
        },
        received_at,
        receipt_xml: delivery.receipt_xml.clone(),
    }))
}

async fn insert_attachments(
    connection: &mut AnyConnection,
    delivery_id: DeliveryId,
    delivery: &NewDelivery,
) -> Result<(), StoreError> {
    for (position, attachment) in delivery.attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attachments (delivery_id, position, filename, content_type, size_bytes) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(delivery_id.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(attachment.filename.as_str())
        .bind(attachment.content_type.as_str())
        .bind(i64::try_from(attachment.size_bytes).unwrap_or(i64::MAX))
        .execute(&mut *connection)
        .await
        .context("insert attachment")?;
    }
    Ok(())
}

/// One pending notification per confirmed address of the recipient, due at once.
async fn queue_notifications(
    connection: &mut AnyConnection,
    delivery_id: DeliveryId,
    delivery: &NewDelivery,
    received_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let settings = sqlx::query(
        "SELECT channel, address FROM notification_settings \
         WHERE recipient = $1 AND is_confirmed = 1 ORDER BY channel",
    )
    .bind(delivery.recipient.to_wire())
    .fetch_all(&mut *connection)
    .await
    .context("read notification settings")?;
    for setting in &settings {
        sqlx::query(
            "INSERT INTO notifications (id, recipient, delivery_id, channel, address, \
             sender_name, status, attempts, next_attempt_at, claimed_until, last_error, \
             created_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL, NULL, $8, \
             NULL)",
        )
        .bind(super::NotificationId::new().to_string())
        .bind(delivery.recipient.to_wire())
        .bind(delivery_id.to_string())
        .bind(get_text(setting, "channel")?)
        .bind(get_text(setting, "address")?)
        .bind(delivery.sender_name.as_str())
        .bind(NotificationStatus::Pending.as_db())
        .bind(to_millis(received_at))
        .execute(&mut *connection)
        .await
        .context("queue notification")?;
    }
    Ok(())
}

/// The outcome for a delivery whose key is already stored: the original receipt when the
/// content digest matches, else a conflict that says nothing about the original.
async fn receipt_by_key(
    pool: &AnyPool,
    delivery: &NewDelivery,
) -> Result<Option<StoreOutcome>, StoreError> {
    let sql =
        format!("SELECT {RECEIPT_COLUMNS} FROM deliveries WHERE sender = $1 AND message_id = $2");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(delivery.key.sender.as_str())
        .bind(delivery.key.message_id.as_str())
        .fetch_optional(pool)
        .await
        .context("read delivery by key")?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored_digest = get_text(&row, "content_digest")?;
    if stored_digest != delivery.content_digest.to_hex() {
        return Ok(Some(StoreOutcome::KeyConflict));
    }
    receipt_from_row(&row).map(|receipt| Some(StoreOutcome::AlreadyStored(receipt)))
}

fn receipt_from_row(row: &AnyRow) -> Result<StoredReceipt, StoreError> {
    Ok(StoredReceipt {
        delivery_id: get_parsed(row, "id", DeliveryId::parse)?,
        receipt: Receipt {
            trans_id: get_parsed(row, "trans_id", TransId::parse)?,
            recipient: get_parsed(row, "recipient", RecipientId::parse)?,
            is_delivered: true,
        },
        received_at: get_time(row, "received_at")?,
        receipt_xml: get_text(row, "receipt_xml")?,
    })
}

pub(super) fn delivery_blob_key(id: DeliveryId) -> Result<BlobKey, StoreError> {
    BlobKey::parse(&format!("{DELIVERY_BLOB_PREFIX}/{id}.xml"))
        .map_err(|error| StoreError::internal("name delivery blob", error))
}

/// Removes a blob no row will refer to. A failure only leaves an orphan for
/// `reclaim_orphan_blobs`, so it is logged, not returned.
async fn discard_blob(blobs: &dyn BlobStore, key: &BlobKey) {
    if let Err(error) = blobs.delete(key).await {
        tracing::warn!(error = %error, "could not remove unused delivery blob");
    }
}

async fn delete_unreferenced(
    pool: &AnyPool,
    blobs: &dyn BlobStore,
    candidates: &[BlobKey],
) -> Result<usize, StoreError> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT blob_key FROM deliveries WHERE blob_key IN ({})",
        placeholders(1, candidates.len())
    );
    let mut query = sqlx::query::<sqlx::Any>(AssertSqlSafe(sql));
    for key in candidates {
        query = query.bind(key.as_str().to_owned());
    }
    let rows = query
        .fetch_all(pool)
        .await
        .context("find referenced blobs")?;
    let referenced: HashSet<String> = rows
        .iter()
        .map(|row| get_text(row, "blob_key"))
        .collect::<Result<_, _>>()?;
    let mut deleted = 0;
    for key in candidates
        .iter()
        .filter(|key| !referenced.contains(key.as_str()))
    {
        blobs
            .delete(key)
            .await
            .map_err(|error| StoreError::internal("delete orphan blob", error))?;
        deleted += 1;
    }
    Ok(deleted)
}
