//! [`WebhookStore`] over SQLite and PostgreSQL (migration 0016): the queries only.

use async_trait::async_trait;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX, WEBHOOK_EVENTS_PER_READ_MAX};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe};
use time::OffsetDateTime;

use super::{
    Attempt, DeadLetter, DeadLetterId, DeadLetterState, EndpointCursor, EndpointId, EndpointLease,
    EventBatch, EventFilter, WebhookEvent, WebhookStore,
};
use crate::database::{
    Backend, begin_write, get_count, get_parsed, get_text, get_time, placeholders, to_millis,
};
use crate::error::{SqlContext, StoreError};
use crate::sender::ClientId;
use crate::sender::sql::event_from_row;

/// A dead letter with its event (the event's columns under the feed's names).
const DEAD_LETTER_SELECT: &str = "SELECT d.id, d.endpoint_id, d.sender, d.state, d.attempts, \
     d.next_attempt_at, d.last_error, d.created_at, d.updated_at, e.sequence, e.letter_id, \
     e.kind, e.at, e.trans_id, e.operator, e.reason FROM sender_webhook_dead_letters d \
     JOIN sender_letter_events e ON e.sequence = d.sequence";

/// Characters of an attempt's error kept.
const ERROR_CHARS_KEPT: usize = 1_000;

/// The webhook tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlWebhookStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlWebhookStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    /// Sets the endpoint's lease to `lease.holder` when it is free, ran out or is the
    /// holder's; whether it did.
    async fn take_endpoint(
        &self,
        lease: EndpointLease<'_>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE sender_webhook_endpoints SET claimed_by = $1, claimed_until = $2 \
             WHERE endpoint_id = $3 AND (claimed_by = $1 OR claimed_until IS NULL \
             OR claimed_until <= $4)",
        )
        .bind(lease.holder.as_db().to_owned())
        .bind(to_millis(now + lease.lease))
        .bind(lease.endpoint.as_str().to_owned())
        .bind(to_millis(now))
        .execute(&self.pool)
        .await
        .context("claim webhook endpoint")?;
        Ok(claimed.rows_affected() == 1)
    }
}

#[async_trait]
impl WebhookStore for SqlWebhookStore {
    async fn claim_endpoint(
        &self,
        lease: EndpointLease<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<EndpointCursor>, StoreError> {
        // Most claims renew an existing row; the first one makes it.
        if !self.take_endpoint(lease, now).await? {
            sqlx::query(
                "INSERT INTO sender_webhook_endpoints (endpoint_id, after_sequence, attempts, \
                 next_attempt_at, updated_at) VALUES ($1, 0, 0, $2, $2) \
                 ON CONFLICT (endpoint_id) DO NOTHING",
            )
            .bind(lease.endpoint.as_str().to_owned())
            .bind(to_millis(now))
            .execute(&self.pool)
            .await
            .context("make webhook endpoint")?;
            if !self.take_endpoint(lease, now).await? {
                return Ok(None);
            }
        }
        let row = sqlx::query(
            "SELECT after_sequence, attempts, next_attempt_at FROM sender_webhook_endpoints \
             WHERE endpoint_id = $1 AND claimed_by = $2",
        )
        .bind(lease.endpoint.as_str().to_owned())
        .bind(lease.holder.as_db().to_owned())
        .fetch_optional(&self.pool)
        .await
        .context("read webhook endpoint")?;
        row.map(|row| {
            Ok(EndpointCursor {
                after: get_count(&row, "after_sequence")?,
                attempts: u32::try_from(get_count(&row, "attempts")?).unwrap_or(u32::MAX),
                next_attempt_at: get_time(&row, "next_attempt_at")?,
            })
        })
        .transpose()
    }

    async fn start_endpoint_now(
        &self,
        endpoint: &EndpointId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // `WHERE true` keeps SQLite from reading `ON CONFLICT` as a join's `ON`.
        sqlx::query(
            "INSERT INTO sender_webhook_endpoints (endpoint_id, after_sequence, attempts, \
             next_attempt_at, updated_at) SELECT $1, COALESCE(MAX(sequence), 0), 0, $2, $2 \
             FROM sender_letter_events WHERE true ON CONFLICT (endpoint_id) DO NOTHING",
        )
        .bind(endpoint.as_str().to_owned())
        .bind(to_millis(now))
        .execute(&self.pool)
        .await
        .context("start webhook endpoint now")?;
        Ok(())
    }

    async fn events_for(
        &self,
        filter: EventFilter<'_>,
        after: u64,
        limit: u32,
    ) -> Result<EventBatch, StoreError> {
        // The newest event first: every event up to it has committed (see `EventBatch`).
        let newest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(sequence) FROM sender_letter_events")
                .fetch_one(&self.pool)
                .await
                .context("read newest event")?;
        let newest = newest
            .and_then(|newest| u64::try_from(newest).ok())
            .unwrap_or(0);
        let limit = limit.min(WEBHOOK_EVENTS_PER_READ_MAX);
        let (clients, senders) = (filter.clients.len(), filter.senders.len());
        let mut wanted = Vec::new();
        if clients > 0 {
            wanted.push(format!("l.client_id IN ({})", placeholders(4, clients)));
        }
        if senders > 0 {
            let list = placeholders(4 + clients, senders);
            wanted.push(format!("l.sender IN ({list})"));
        }
        if wanted.is_empty() || newest <= after {
            return Ok(EventBatch {
                events: Vec::new(),
                scanned_to: newest.max(after),
            });
        }
        let sql = format!(
            "SELECT e.sequence, e.letter_id, e.kind, e.at, e.trans_id, e.operator, e.reason, \
             l.client_id AS letter_client, l.sender AS letter_sender \
             FROM sender_letter_events e JOIN sender_letters l ON l.id = e.letter_id \
             WHERE e.sequence > $1 AND e.sequence <= $3 AND ({}) ORDER BY e.sequence LIMIT $2",
            wanted.join(" OR ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .bind(i64::try_from(newest).unwrap_or(i64::MAX));
        for client in filter.clients {
            query = query.bind(client.as_str().to_owned());
        }
        for sender in filter.senders {
            query = query.bind(sender.as_str().to_owned());
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .context("read webhook events")?;
        let events = rows
            .iter()
            .map(|row| {
                Ok(WebhookEvent {
                    event: event_from_row(row)?,
                    client: get_parsed(row, "letter_client", ClientId::parse)?,
                    sender: get_parsed(row, "letter_sender", OrganisationNumber::parse)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let is_whole = events.len() < usize::try_from(limit).unwrap_or(usize::MAX);
        let scanned_to = match events.last() {
            Some(last) if !is_whole => last.event.sequence,
            _ => newest,
        };
        Ok(EventBatch { events, scanned_to })
    }

    async fn skip_to(
        &self,
        lease: EndpointLease<'_>,
        to: u64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sender_webhook_endpoints SET after_sequence = $1, claimed_until = $2, \
             updated_at = $3 WHERE endpoint_id = $4 AND claimed_by = $5 \
             AND after_sequence < $1 AND attempts = 0",
        )
        .bind(i64::try_from(to).unwrap_or(i64::MAX))
        .bind(to_millis(now + lease.lease))
        .bind(to_millis(now))
        .bind(lease.endpoint.as_str().to_owned())
        .bind(lease.holder.as_db().to_owned())
        .execute(&self.pool)
        .await
        .context("move webhook cursor past other events")
        .map(drop)
    }

    async fn record_attempt(
        &self,
        lease: EndpointLease<'_>,
        event: &WebhookEvent,
        attempt: Attempt,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let sequence = event.event.sequence;
        let step = match &attempt {
            Attempt::Delivered => Step::Past {
                sequence,
                error: None,
            },
            Attempt::GaveUp { error, .. } => Step::Past {
                sequence,
                error: Some(error),
            },
            Attempt::Failed {
                attempts,
                retry_at,
                error,
            } => Step::Retry {
                sequence,
                attempts: *attempts,
                retry_at: *retry_at,
                error,
            },
        };
        update_endpoint(&mut transaction, lease, step, now).await?;
        if let Attempt::GaveUp { attempts, error } = attempt {
            insert_dead_letter(
                &mut transaction,
                lease.endpoint,
                event,
                attempts,
                &error,
                now,
            )
            .await?;
        }
        transaction.commit().await.context("commit webhook attempt")
    }

    async fn due_dead_letter(
        &self,
        endpoint: &EndpointId,
        now: OffsetDateTime,
    ) -> Result<Option<DeadLetter>, StoreError> {
        let sql = format!(
            "{DEAD_LETTER_SELECT} WHERE d.endpoint_id = $1 AND d.state = 'queued' \
             AND d.next_attempt_at <= $2 ORDER BY d.next_attempt_at, d.id LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(endpoint.as_str().to_owned())
            .bind(to_millis(now))
            .fetch_optional(&self.pool)
            .await
            .context("find due dead letter")?;
        row.as_ref().map(dead_letter_from_row).transpose()
    }

    async fn record_dead_letter_attempt(
        &self,
        lease: EndpointLease<'_>,
        id: DeadLetterId,
        attempt: Attempt,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let renewed = sqlx::query(
            "UPDATE sender_webhook_endpoints SET claimed_until = $1 \
             WHERE endpoint_id = $2 AND claimed_by = $3",
        )
        .bind(to_millis(now + lease.lease))
        .bind(lease.endpoint.as_str().to_owned())
        .bind(lease.holder.as_db().to_owned())
        .execute(&mut *transaction)
        .await
        .context("renew webhook lease")?;
        let (state, attempts, retry_at, error) = match attempt {
            Attempt::Delivered => (DeadLetterState::Resent, None, now, None),
            Attempt::Failed {
                attempts,
                retry_at,
                error,
            } => (
                DeadLetterState::Queued,
                Some(attempts),
                retry_at,
                Some(error),
            ),
            Attempt::GaveUp { attempts, error } => {
                (DeadLetterState::Dead, Some(attempts), now, Some(error))
            }
        };
        let updated = sqlx::query(
            "UPDATE sender_webhook_dead_letters SET state = $1, \
             attempts = COALESCE($2, attempts), next_attempt_at = $3, \
             last_error = COALESCE($4, last_error), updated_at = $5 \
             WHERE id = $6 AND endpoint_id = $7 AND state = 'queued'",
        )
        .bind(state.as_str())
        .bind(attempts.map(i64::from))
        .bind(to_millis(retry_at))
        .bind(error.map(|error| error.chars().take(ERROR_CHARS_KEPT).collect::<String>()))
        .bind(to_millis(now))
        .bind(id.to_string())
        .bind(lease.endpoint.as_str().to_owned())
        .execute(&mut *transaction)
        .await
        .context("record dead letter attempt")?;
        if renewed.rows_affected() != 1 || updated.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "webhook lease",
            });
        }
        transaction
            .commit()
            .await
            .context("commit dead letter attempt")
    }

    async fn dead_letters(
        &self,
        senders: &[OrganisationNumber],
        after: Option<DeadLetterId>,
        limit: u32,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        if senders.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{DEAD_LETTER_SELECT} WHERE d.id > $1 AND d.sender IN ({}) ORDER BY d.id LIMIT $2",
            placeholders(3, senders.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(after.map_or_else(String::new, |id| id.to_string()))
            .bind(i64::from(limit.min(WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX)));
        for sender in senders {
            query = query.bind(sender.as_str().to_owned());
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .context("read dead letters")?;
        rows.iter().map(dead_letter_from_row).collect()
    }

    async fn queue_dead_letter(
        &self,
        id: DeadLetterId,
        senders: &[OrganisationNumber],
        now: OffsetDateTime,
    ) -> Result<Option<DeadLetter>, StoreError> {
        if senders.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "UPDATE sender_webhook_dead_letters SET state = 'queued', attempts = 0, \
             next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND sender IN ({})",
            placeholders(3, senders.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(to_millis(now))
            .bind(id.to_string());
        for sender in senders {
            query = query.bind(sender.as_str().to_owned());
        }
        let queued = query
            .execute(&self.pool)
            .await
            .context("queue dead letter")?;
        if queued.rows_affected() != 1 {
            return Ok(None);
        }
        let sql = format!("{DEAD_LETTER_SELECT} WHERE d.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .context("read dead letter")?;
        row.as_ref().map(dead_letter_from_row).transpose()
    }
}

/// How an attempt moves the endpoint's row.
enum Step<'a> {
    /// Done with `sequence`: the cursor moves to it, the attempts start again.
    Past {
        sequence: u64,
        error: Option<&'a str>,
    },
    /// Not done: count the attempt and wait.
    Retry {
        sequence: u64,
        attempts: u32,
        retry_at: OffsetDateTime,
        error: &'a str,
    },
}

/// Moves the endpoint's row for one attempt, renewing the lease; `Conflict` unless the holder
/// still has it and the cursor is still before the event.
async fn update_endpoint(
    connection: &mut AnyConnection,
    lease: EndpointLease<'_>,
    step: Step<'_>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let kept = |error: &str| error.chars().take(ERROR_CHARS_KEPT).collect::<String>();
    let (sequence, after, attempts, next_attempt_at, error) = match step {
        Step::Past { sequence, error } => (sequence, sequence, 0, now, error.map(kept)),
        Step::Retry {
            sequence,
            attempts,
            retry_at,
            error,
        } => (sequence, 0, attempts, retry_at, Some(kept(error))),
    };
    let sequence = i64::try_from(sequence).unwrap_or(i64::MAX);
    let updated = sqlx::query(
        "UPDATE sender_webhook_endpoints SET \
         after_sequence = CASE WHEN $1 > 0 THEN $1 ELSE after_sequence END, \
         attempts = $2, next_attempt_at = $3, last_error = $4, claimed_until = $5, \
         updated_at = $6 WHERE endpoint_id = $7 AND claimed_by = $8 AND after_sequence < $9",
    )
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .bind(i64::from(attempts))
    .bind(to_millis(next_attempt_at))
    .bind(error)
    .bind(to_millis(now + lease.lease))
    .bind(to_millis(now))
    .bind(lease.endpoint.as_str().to_owned())
    .bind(lease.holder.as_db().to_owned())
    .bind(sequence)
    .execute(&mut *connection)
    .await
    .context("record webhook attempt")?;
    if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            what: "webhook lease",
        })
    }
}

async fn insert_dead_letter(
    connection: &mut AnyConnection,
    endpoint: &EndpointId,
    event: &WebhookEvent,
    attempts: u32,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let error: String = error.chars().take(ERROR_CHARS_KEPT).collect();
    sqlx::query(
        "INSERT INTO sender_webhook_dead_letters (id, endpoint_id, sequence, sender, state, \
         attempts, next_attempt_at, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'dead', $5, $6, $7, $6, $6) \
         ON CONFLICT (endpoint_id, sequence) DO NOTHING",
    )
    .bind(DeadLetterId::new_v7().to_string())
    .bind(endpoint.as_str().to_owned())
    .bind(i64::try_from(event.event.sequence).unwrap_or(i64::MAX))
    .bind(event.sender.as_str().to_owned())
    .bind(i64::from(attempts))
    .bind(to_millis(now))
    .bind(error)
    .execute(&mut *connection)
    .await
    .context("insert dead letter")
    .map(drop)
}

fn dead_letter_from_row(row: &AnyRow) -> Result<DeadLetter, StoreError> {
    Ok(DeadLetter {
        id: get_parsed(row, "id", DeadLetterId::parse)?,
        endpoint: get_parsed(row, "endpoint_id", EndpointId::parse)?,
        event: event_from_row(row)?,
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        state: get_parsed(row, "state", DeadLetterState::parse)?,
        attempts: u32::try_from(get_count(row, "attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: get_time(row, "next_attempt_at")?,
        last_error: get_text(row, "last_error")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}
