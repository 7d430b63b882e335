//! The notification outbox: claim a bounded batch under a lease, then mark each sent or failed
//! with a doubling back-off; postpone what the sending policy holds back (quiet hours, the
//! hour that gathers several letters into one summary) without counting an attempt.
//!
//! Safe with any number of workers on one database (issue 16): a claim names its
//! [`LeaseHolder`], and marking sent or failed and renewing the lease are conditional on it,
//! so a worker whose lease ran out and was taken over changes nothing; the summary hour of an
//! address is taken with one conditional upsert (`notification_send_slots`), so two workers
//! never both send within it.

use async_trait::async_trait;
use kuvert_core::id::RecipientId;
use kuvert_core::limits::{NOTIFICATION_ATTEMPTS_MAX, NOTIFICATIONS_PER_BATCH_MAX};
use kuvert_core::message::SenderName;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use time::{Duration, OffsetDateTime};

use super::super::{
    DeliveryId, HourReservation, LeaseHolder, NotificationAddress, NotificationChannel,
    NotificationId, NotificationRecord, NotificationStatus, SqlOperatorStore,
};
use crate::database::{begin_write, get_count, get_optional_time, get_parsed, get_time, to_millis};
use crate::error::{SqlContext, StoreError};
use crate::operator::SummaryHour;

/// Wait before the first retry; each further failure doubles it.
const RETRY_DELAY_FIRST: Duration = Duration::minutes(1);

const NOTIFICATION_COLUMNS: &str = "id, recipient, delivery_id, channel, address, sender_name, \
     status, attempts, next_attempt_at, last_error, last_attempt_at, created_at, sent_at, \
     claimed_by";

/// The notification outbox: claimed in leased batches by the sender, marked sent or failed,
/// postponed. Part of [`OperatorStore`](crate::operator::OperatorStore).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` (≤ `limits::NOTIFICATIONS_PER_BATCH_MAX`) due notifications for
    /// `holder` for `lease`; another worker cannot claim them until the lease ends.
    async fn claim_notifications(
        &self,
        holder: &LeaseHolder,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<NotificationRecord>, StoreError>;
    /// Extends `holder`'s lease on `ids` (≤ `limits::NOTIFICATIONS_PER_BATCH_MAX`) to
    /// `until`, returning how many it still held (pending, claimed by `holder`): send only
    /// when that is all of them.
    async fn renew_notification_lease(
        &self,
        ids: &[NotificationId],
        holder: &LeaseHolder,
        until: OffsetDateTime,
    ) -> Result<usize, StoreError>;
    /// Marks a notification `holder` claimed sent. `NotFound` unless it is pending and still
    /// `holder`'s.
    async fn mark_notification_sent(
        &self,
        id: NotificationId,
        holder: &LeaseHolder,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Records a failed attempt: retried after a doubling back-off from one minute, or marked
    /// `Failed` after `limits::NOTIFICATION_ATTEMPTS_MAX` attempts. `error` must hold no
    /// letter content (it is cut to 1000 characters). `Conflict` unless it is pending and
    /// still `holder`'s.
    async fn mark_notification_failed(
        &self,
        id: NotificationId,
        holder: &LeaseHolder,
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
    /// Takes `hour`, unless a notification on its channel was sent (or is being sent) within
    /// `window` before its time: one statement, so of workers racing for one address exactly
    /// one gets it.
    async fn reserve_notification_hour(
        &self,
        hour: SummaryHour<'_>,
        window: Duration,
    ) -> Result<HourReservation, StoreError>;
    /// Gives back `hour` (as reserved) after the send failed, so the retry is not held back
    /// by a notification that never went out.
    async fn release_notification_hour(&self, hour: SummaryHour<'_>) -> Result<(), StoreError>;
}

#[async_trait]
impl OutboxStore for SqlOperatorStore {
    /// Picks due notifications, then takes each with a conditional update; a row another worker
    /// took in between updates nothing and is skipped. Portable: no `SKIP LOCKED` needed.
    async fn claim_notifications(
        &self,
        holder: &LeaseHolder,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        if limit > NOTIFICATIONS_PER_BATCH_MAX {
            return Err(StoreError::TooMany {
                count: limit,
                max: NOTIFICATIONS_PER_BATCH_MAX,
            });
        }
        assert!(lease.is_positive(), "a lease must last some time");
        let now_millis = to_millis(now);
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE status = $1 \
             AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) \
             ORDER BY next_attempt_at, id LIMIT $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(NotificationStatus::Pending.as_db())
            .bind(now_millis)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .context("find due notifications")?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let record = notification_from_row(row)?;
            let taken = sqlx::query(
                "UPDATE notifications SET claimed_until = $1, claimed_by = $5 WHERE id = $2 \
                 AND status = $3 AND (claimed_until IS NULL OR claimed_until <= $4)",
            )
            .bind(to_millis(now + lease))
            .bind(record.id.to_string())
            .bind(NotificationStatus::Pending.as_db())
            .bind(now_millis)
            .bind(holder.as_db().to_owned())
            .execute(&self.pool)
            .await
            .context("claim notification")?;
            if taken.rows_affected() == 1 {
                claimed.push(record);
            }
        }
        Ok(claimed)
    }

    async fn renew_notification_lease(
        &self,
        ids: &[NotificationId],
        holder: &LeaseHolder,
        until: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        if ids.len() > NOTIFICATIONS_PER_BATCH_MAX {
            return Err(StoreError::TooMany {
                count: ids.len(),
                max: NOTIFICATIONS_PER_BATCH_MAX,
            });
        }
        let mut held = 0;
        for id in ids {
            let is_held = self.update_held("claimed_until = $1", until, *id, holder);
            held += usize::from(is_held.await?);
        }
        Ok(held)
    }

    async fn mark_notification_sent(
        &self,
        id: NotificationId,
        holder: &LeaseHolder,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let set = format!(
            "status = '{}', sent_at = $1, claimed_until = NULL, claimed_by = NULL",
            NotificationStatus::Sent.as_db()
        );
        if self.update_held(&set, at, id, holder).await? {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: "notification",
            })
        }
    }

    async fn mark_notification_failed(
        &self,
        id: NotificationId,
        holder: &LeaseHolder,
        error: &str,
        now: OffsetDateTime,
    ) -> Result<NotificationRecord, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let sql = format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(id.to_string())
            .fetch_optional(&mut *transaction)
            .await
            .context("read notification")?
            .ok_or(StoreError::NotFound {
                what: "notification",
            })?;
        let current = notification_from_row(&row)?;
        let claimed_by: Option<String> = row.try_get("claimed_by").context("read notification")?;
        if claimed_by.as_deref() != Some(holder.as_db()) {
            return Err(StoreError::Conflict {
                what: "notification lease held by another worker",
            });
        }
        if current.status != NotificationStatus::Pending {
            return Err(StoreError::Conflict {
                what: "notification already sent or failed",
            });
        }
        let attempts = current.attempts.saturating_add(1);
        let status = if attempts >= NOTIFICATION_ATTEMPTS_MAX {
            NotificationStatus::Failed
        } else {
            NotificationStatus::Pending
        };
        sqlx::query(
            "UPDATE notifications SET attempts = $1, status = $2, next_attempt_at = $3, \
             last_error = $4, last_attempt_at = $5, claimed_until = NULL, claimed_by = NULL \
             WHERE id = $6",
        )
        .bind(i64::from(attempts))
        .bind(status.as_db())
        .bind(to_millis(now + retry_delay(attempts)))
        .bind(error.chars().take(1_000).collect::<String>())
        .bind(to_millis(now))
        .bind(id.to_string())
        .execute(&mut *transaction)
        .await
        .context("record notification failure")?;
        let updated = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_one(&mut *transaction)
            .await
            .context("read notification")?;
        transaction
            .commit()
            .await
            .context("commit notification failure")?;
        notification_from_row(&updated)
    }

    async fn notifications(
        &self,
        recipient: &RecipientId,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE recipient = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(recipient.to_wire())
            .bind(i64::from(
                limit.min(kuvert_core::limits::LETTERS_PER_PAGE_MAX),
            ))
            .fetch_all(&self.pool)
            .await
            .context("list notifications")?;
        rows.iter().map(notification_from_row).collect()
    }

    /// Moves claimed, pending notifications to `until` and ends their lease; not an attempt.
    async fn postpone_notifications(
        &self,
        ids: &[NotificationId],
        until: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if ids.len() > NOTIFICATIONS_PER_BATCH_MAX {
            return Err(StoreError::TooMany {
                count: ids.len(),
                max: NOTIFICATIONS_PER_BATCH_MAX,
            });
        }
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        for id in ids {
            sqlx::query(
                "UPDATE notifications SET next_attempt_at = $1, claimed_until = NULL \
                 WHERE id = $2 AND status = $3",
            )
            .bind(to_millis(until))
            .bind(id.to_string())
            .bind(NotificationStatus::Pending.as_db())
            .execute(&mut *transaction)
            .await
            .context("postpone notification")?;
        }
        transaction
            .commit()
            .await
            .context("commit postponed notifications")
    }

    /// When a notification to `recipient` on `channel` was last sent, if ever.
    async fn last_notification_sent_at(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(sent_at) AS last_sent_at FROM notifications \
             WHERE recipient = $1 AND channel = $2 AND status = $3",
        )
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .bind(NotificationStatus::Sent.as_db())
        .fetch_one(&self.pool)
        .await
        .context("read last notification sent")?;
        get_optional_time(&row, "last_sent_at")
    }

    async fn reserve_notification_hour(
        &self,
        hour: SummaryHour<'_>,
        window: Duration,
    ) -> Result<HourReservation, StoreError> {
        assert!(window.is_positive(), "a summary window lasts some time");
        let SummaryHour {
            recipient,
            channel,
            at: now,
        } = hour;
        let reserved = sqlx::query(
            "INSERT INTO notification_send_slots (recipient, channel, sent_at, previous_sent_at) \
             VALUES ($1, $2, $3, NULL) ON CONFLICT (recipient, channel) DO UPDATE \
             SET previous_sent_at = notification_send_slots.sent_at, sent_at = excluded.sent_at \
             WHERE notification_send_slots.sent_at IS NULL \
             OR notification_send_slots.sent_at <= $4",
        )
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .bind(to_millis(now))
        .bind(to_millis(now - window))
        .execute(&self.pool)
        .await
        .context("reserve notification hour")?;
        if reserved.rows_affected() == 1 {
            return Ok(HourReservation::Reserved);
        }
        let row = sqlx::query(
            "SELECT sent_at FROM notification_send_slots WHERE recipient = $1 AND channel = $2",
        )
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .fetch_one(&self.pool)
        .await
        .context("read notification hour")?;
        let last_sent_at = get_optional_time(&row, "sent_at")?.unwrap_or(now);
        Ok(HourReservation::Taken { last_sent_at })
    }

    async fn release_notification_hour(&self, hour: SummaryHour<'_>) -> Result<(), StoreError> {
        let SummaryHour {
            recipient,
            channel,
            at: reserved_at,
        } = hour;
        sqlx::query(
            "UPDATE notification_send_slots SET sent_at = previous_sent_at, \
             previous_sent_at = NULL WHERE recipient = $1 AND channel = $2 AND sent_at = $3",
        )
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .bind(to_millis(reserved_at))
        .execute(&self.pool)
        .await
        .context("release notification hour")?;
        Ok(())
    }
}

impl SqlOperatorStore {
    /// Runs `UPDATE notifications SET {set}` (its `$1` is `at`) on notification `id` only
    /// while it is pending and `holder`'s lease; whether it was. `set` is code, never data.
    async fn update_held(
        &self,
        set: &str,
        at: OffsetDateTime,
        id: NotificationId,
        holder: &LeaseHolder,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE notifications SET {set} WHERE id = $2 AND status = $3 AND claimed_by = $4"
        );
        let updated = sqlx::query(AssertSqlSafe(sql))
            .bind(to_millis(at))
            .bind(id.to_string())
            .bind(NotificationStatus::Pending.as_db())
            .bind(holder.as_db().to_owned())
            .execute(&self.pool)
            .await
            .context("update held notification")?;
        Ok(updated.rows_affected() == 1)
    }
}

/// One minute after the first failure, doubling each time.
fn retry_delay(attempts: u32) -> Duration {
    RETRY_DELAY_FIRST * 2_i32.saturating_pow(attempts.saturating_sub(1).min(16))
}

fn notification_from_row(row: &AnyRow) -> Result<NotificationRecord, StoreError> {
    let channel: String = row.try_get("channel").context("read notification")?;
    let attempts = get_count(row, "attempts")?;
    Ok(NotificationRecord {
        id: get_parsed(row, "id", NotificationId::parse)?,
        recipient: get_parsed(row, "recipient", RecipientId::parse)?,
        delivery: get_parsed(row, "delivery_id", DeliveryId::parse)?,
        address: get_parsed(row, "address", |text| {
            NotificationAddress::from_db(&channel, text).ok_or(())
        })?,
        sender_name: get_parsed(row, "sender_name", SenderName::parse)?,
        status: get_parsed(row, "status", |text| {
            NotificationStatus::from_db(text).ok_or(())
        })?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: get_time(row, "next_attempt_at")?,
        last_error: row.try_get("last_error").context("read notification")?,
        last_attempt_at: get_optional_time(row, "last_attempt_at")?,
        created_at: get_time(row, "created_at")?,
        sent_at: get_optional_time(row, "sent_at")?,
    })
}
