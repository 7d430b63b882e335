//! [`SenderQueueStore`] over SQLite and PostgreSQL (migrations 0014, 0017): the queries only.

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::lane::Lane;
use kuvert_core::limits::{
    SENDER_EVENTS_PER_PAGE_MAX, SENDER_SERVICE_BATCH_LETTERS_MAX, SENDER_SERVICE_CLAIM_LETTERS_MAX,
};
use kuvert_core::message::MessageId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use time::{Duration, OffsetDateTime};

use super::{
    Acceptance, ClaimedLetter, ClientId, LeaseHolder, LetterId, LetterRecord, LetterState,
    NewLetter, Progress, SenderQueueStore, StoredEvent, TimelineEvent,
};
use crate::database::{Backend, begin_write, get_count, get_parsed, get_time, to_millis};
use crate::error::{SqlContext, StoreError};

const LETTER_COLUMNS: &str = "id, client_id, sender, recipient, message_id, state, lane, \
     rounds, created_at, updated_at";

const EVENT_COLUMNS: &str = "sequence, letter_id, kind, at, trans_id, operator, reason";

/// Characters of a postponed letter's last error kept.
const ERROR_CHARS_KEPT: usize = 1_000;

/// The sender service's tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlSenderQueueStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlSenderQueueStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }
}

#[async_trait]
impl SenderQueueStore for SqlSenderQueueStore {
    async fn accept_letters(
        &self,
        letters: &[NewLetter<'_>],
    ) -> Result<Vec<Acceptance>, StoreError> {
        if letters.len() > SENDER_SERVICE_BATCH_LETTERS_MAX {
            return Err(StoreError::TooMany {
                count: letters.len(),
                max: SENDER_SERVICE_BATCH_LETTERS_MAX,
            });
        }
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let mut answers = Vec::with_capacity(letters.len());
        for letter in letters {
            let answer = accept_one(&mut transaction, letter).await?;
            if answer == Acceptance::KeyConflict {
                // All or none: the transaction rolls back as it is dropped.
                return Ok(vec![Acceptance::KeyConflict]);
            }
            answers.push(answer);
        }
        transaction
            .commit()
            .await
            .context("commit accepted letters")?;
        Ok(answers)
    }

    async fn claim_letters(
        &self,
        holder: &LeaseHolder,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedLetter>, StoreError> {
        if limit > SENDER_SERVICE_CLAIM_LETTERS_MAX {
            return Err(StoreError::TooMany {
                count: limit,
                max: SENDER_SERVICE_CLAIM_LETTERS_MAX,
            });
        }
        let now_millis = to_millis(now);
        let sql = format!(
            "SELECT {LETTER_COLUMNS}, letter, claims FROM sender_letters \
             WHERE state IN ('accepted', 'sealed') AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY CASE lane WHEN 'single' THEN 0 ELSE 1 END, next_attempt_at, id LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(now_millis)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .context("find due letters")?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let record = letter_from_row(row)?;
            let taken = sqlx::query(
                "UPDATE sender_letters SET claimed_by = $1, claimed_until = $2, \
                 claims = claims + 1 WHERE id = $3 AND state IN ('accepted', 'sealed') \
                 AND (claimed_until IS NULL OR claimed_until <= $4)",
            )
            .bind(holder.as_db().to_owned())
            .bind(to_millis(now + lease))
            .bind(record.id.to_string())
            .bind(now_millis)
            .execute(&self.pool)
            .await
            .context("claim letter")?;
            if taken.rows_affected() == 1 {
                claimed.push(ClaimedLetter {
                    record,
                    letter_json: row.try_get("letter").context("read letter")?,
                    claims_before: get_count(row, "claims")?,
                });
            }
        }
        Ok(claimed)
    }

    async fn renew_letter_leases(
        &self,
        ids: &[LetterId],
        holder: &LeaseHolder,
        until: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        if ids.len() > SENDER_SERVICE_CLAIM_LETTERS_MAX {
            return Err(StoreError::TooMany {
                count: ids.len(),
                max: SENDER_SERVICE_CLAIM_LETTERS_MAX,
            });
        }
        let mut held = 0;
        for id in ids {
            let renewed = sqlx::query(
                "UPDATE sender_letters SET claimed_until = $1 WHERE id = $2 AND claimed_by = $3 \
                 AND state IN ('accepted', 'sealed')",
            )
            .bind(to_millis(until))
            .bind(id.to_string())
            .bind(holder.as_db().to_owned())
            .execute(&self.pool)
            .await
            .context("renew letter lease")?;
            held += usize::try_from(renewed.rows_affected()).unwrap_or(0);
        }
        Ok(held)
    }

    async fn record_progress(&self, progress: Progress<'_>) -> Result<StoredEvent, StoreError> {
        let state = progress.event.state();
        let at = to_millis(progress.at);
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let release = if state.is_final() {
            ", claimed_by = NULL, claimed_until = NULL"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE sender_letters SET state = $1, updated_at = $2{release} \
             WHERE id = $3 AND claimed_by = $4 AND state IN ('accepted', 'sealed')"
        );
        let updated = sqlx::query(AssertSqlSafe(sql))
            .bind(state.as_str())
            .bind(at)
            .bind(progress.id.to_string())
            .bind(progress.holder.as_db().to_owned())
            .execute(&mut *transaction)
            .await
            .context("record letter state")?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "letter lease",
            });
        }
        let client: String =
            sqlx::query_scalar("SELECT client_id FROM sender_letters WHERE id = $1")
                .bind(progress.id.to_string())
                .fetch_one(&mut *transaction)
                .await
                .context("read letter client")?;
        let sequence = next_sequences(&mut transaction, 1).await?;
        let stored = StoredEvent {
            sequence,
            letter_id: progress.id,
            at: crate::database::truncate_to_millis(progress.at),
            event: progress.event,
        };
        insert_event(&mut transaction, &client, &stored).await?;
        transaction.commit().await.context("commit letter event")?;
        Ok(stored)
    }

    async fn postpone_letter(
        &self,
        id: LetterId,
        holder: &LeaseHolder,
        error: &str,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(ERROR_CHARS_KEPT).collect();
        let updated = sqlx::query(
            "UPDATE sender_letters SET rounds = rounds + 1, last_error = $1, \
             next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL, updated_at = $2 \
             WHERE id = $3 AND claimed_by = $4 AND state IN ('accepted', 'sealed')",
        )
        .bind(error)
        .bind(to_millis(retry_at))
        .bind(id.to_string())
        .bind(holder.as_db().to_owned())
        .execute(&self.pool)
        .await
        .context("postpone letter")?;
        if updated.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                what: "letter lease",
            })
        }
    }

    async fn letter(
        &self,
        id: LetterId,
    ) -> Result<Option<(LetterRecord, Vec<StoredEvent>)>, StoreError> {
        let sql = format!("SELECT {LETTER_COLUMNS} FROM sender_letters WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .context("read letter")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM sender_letter_events WHERE letter_id = $1 \
             ORDER BY sequence"
        );
        let events = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await
            .context("read letter timeline")?;
        let events = events
            .iter()
            .map(event_from_row)
            .collect::<Result<_, _>>()?;
        Ok(Some((letter_from_row(&row)?, events)))
    }

    async fn events_after(
        &self,
        client: &ClientId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let limit = limit.min(SENDER_EVENTS_PER_PAGE_MAX);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM sender_letter_events WHERE client_id = $1 \
             AND sequence > $2 ORDER BY sequence LIMIT $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(client.as_str().to_owned())
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .context("read event feed")?;
        rows.iter().map(event_from_row).collect()
    }
}

/// Inserts one letter and its `accepted` event, or answers the earlier letter of its key.
async fn accept_one(
    connection: &mut AnyConnection,
    letter: &NewLetter<'_>,
) -> Result<Acceptance, StoreError> {
    let sql = format!(
        "SELECT {LETTER_COLUMNS}, request_digest FROM sender_letters \
         WHERE client_id = $1 AND idempotency_key = $2"
    );
    let earlier = sqlx::query(AssertSqlSafe(sql))
        .bind(letter.client.as_str().to_owned())
        .bind(letter.key.as_str().to_owned())
        .fetch_optional(&mut *connection)
        .await
        .context("find letter by idempotency key")?;
    if let Some(row) = earlier {
        let digest: String = row.try_get("request_digest").context("read digest")?;
        return Ok(if digest == letter.request_digest {
            Acceptance::Replayed(letter_from_row(&row)?)
        } else {
            Acceptance::KeyConflict
        });
    }
    let at = to_millis(letter.at);
    sqlx::query(
        "INSERT INTO sender_letters (id, client_id, idempotency_key, request_digest, sender, \
         recipient, message_id, letter, state, lane, rounds, claims, next_attempt_at, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'accepted', $10, 0, 0, $9, $9, $9)",
    )
    .bind(letter.id.to_string())
    .bind(letter.client.as_str().to_owned())
    .bind(letter.key.as_str().to_owned())
    .bind(letter.request_digest.to_owned())
    .bind(letter.sender.as_str().to_owned())
    .bind(letter.recipient.to_wire())
    .bind(letter.message_id.as_str().to_owned())
    .bind(letter.letter_json.to_owned())
    .bind(at)
    .bind(lane_text(letter.lane))
    .execute(&mut *connection)
    .await
    .context("insert letter")?;
    let sequence = next_sequences(connection, 1).await?;
    let event = StoredEvent {
        sequence,
        letter_id: letter.id,
        at: crate::database::truncate_to_millis(letter.at),
        event: TimelineEvent::Accepted,
    };
    insert_event(connection, letter.client.as_str(), &event).await?;
    Ok(Acceptance::Queued(LetterRecord {
        id: letter.id,
        client: letter.client.clone(),
        sender: letter.sender.clone(),
        recipient: letter.recipient.clone(),
        message_id: letter.message_id.clone(),
        state: LetterState::Accepted,
        lane: letter.lane,
        rounds: 0,
        created_at: event.at,
        updated_at: event.at,
    }))
}

/// Takes the next `count` sequence numbers and answers the first: the counter row's lock
/// holds every other writer until this transaction ends.
async fn next_sequences(connection: &mut AnyConnection, count: i64) -> Result<u64, StoreError> {
    sqlx::query(
        "INSERT INTO sender_event_sequence (id, last_sequence) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET last_sequence = sender_event_sequence.last_sequence + $1",
    )
    .bind(count)
    .execute(&mut *connection)
    .await
    .context("take event sequence")?;
    let last: i64 =
        sqlx::query_scalar("SELECT last_sequence FROM sender_event_sequence WHERE id = 1")
            .fetch_one(&mut *connection)
            .await
            .context("read event sequence")?;
    u64::try_from(last - count + 1)
        .map_err(|error| StoreError::internal("read event sequence", error))
}

async fn insert_event(
    connection: &mut AnyConnection,
    client: &str,
    event: &StoredEvent,
) -> Result<(), StoreError> {
    let (kind, trans_id, operator, reason) = match &event.event {
        TimelineEvent::Accepted => ("accepted", None, None, None),
        TimelineEvent::Sealed => ("sealed", None, None, None),
        TimelineEvent::Delivered { trans_id, operator } => (
            "delivered",
            Some(trans_id.clone()),
            Some(operator.clone()),
            None,
        ),
        TimelineEvent::Paper { reason } => ("paper", None, None, Some(reason.clone())),
        TimelineEvent::Failed { reason } => ("failed", None, None, Some(reason.clone())),
    };
    sqlx::query(
        "INSERT INTO sender_letter_events (sequence, letter_id, client_id, kind, at, trans_id, \
         operator, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(i64::try_from(event.sequence).unwrap_or(i64::MAX))
    .bind(event.letter_id.to_string())
    .bind(client.to_owned())
    .bind(kind)
    .bind(to_millis(event.at))
    .bind(trans_id)
    .bind(operator)
    .bind(reason)
    .execute(&mut *connection)
    .await
    .context("insert letter event")
    .map(drop)
}

fn letter_from_row(row: &AnyRow) -> Result<LetterRecord, StoreError> {
    let rounds = get_count(row, "rounds")?;
    Ok(LetterRecord {
        id: get_parsed(row, "id", LetterId::parse)?,
        client: get_parsed(row, "client_id", ClientId::parse)?,
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        recipient: get_parsed(row, "recipient", RecipientId::parse)?,
        message_id: get_parsed(row, "message_id", MessageId::parse)?,
        state: get_parsed(row, "state", LetterState::parse)?,
        lane: get_parsed(row, "lane", lane_of)?,
        rounds: u32::try_from(rounds).unwrap_or(u32::MAX),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// The `lane` column's text of a lane.
fn lane_text(lane: Lane) -> &'static str {
    match lane {
        Lane::Single => "single",
        Lane::Bulk => "bulk",
    }
}

/// The lane of the `lane` column's text.
fn lane_of(text: &str) -> Result<Lane, String> {
    match text {
        "single" => Ok(Lane::Single),
        "bulk" => Ok(Lane::Bulk),
        other => Err(format!("unknown lane {other:?}")),
    }
}

pub(in crate::sender) fn event_from_row(row: &AnyRow) -> Result<StoredEvent, StoreError> {
    let kind: String = row.try_get("kind").context("read event kind")?;
    let text = |column: &'static str| -> Result<String, StoreError> {
        let value: Option<String> = row.try_get(column).context("read event column")?;
        Ok(value.unwrap_or_default())
    };
    let event = match kind.as_str() {
        "accepted" => TimelineEvent::Accepted,
        "sealed" => TimelineEvent::Sealed,
        "delivered" => TimelineEvent::Delivered {
            trans_id: text("trans_id")?,
            operator: text("operator")?,
        },
        "paper" => TimelineEvent::Paper {
            reason: text("reason")?,
        },
        _ => TimelineEvent::Failed {
            reason: text("reason")?,
        },
    };
    Ok(StoredEvent {
        sequence: get_count(row, "sequence")?,
        letter_id: get_parsed(row, "letter_id", LetterId::parse)?,
        at: get_time(row, "at")?,
        event,
    })
}
