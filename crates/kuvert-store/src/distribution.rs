//! [`DistributionStore`]: the intermediary's record of each signed delivery a sender system
//! handed over with `distributeSecure` (PROTOCOL.md §5.4, issue 15; migration 0015), so that
//! `checkDistributionStatus` can say what became of it and a retry never sends it twice
//! (migration 0019: the claim and the paper mark).
//!
//! **Invariants:** `(sender, message id)` is unique: [`DistributionStore::begin_distribution`]
//! inserts at most one row per key and answers the existing one for the same signed content
//! and [`Begun::KeyConflict`] for other content; the row exists before the letter is sent, so
//! a crash leaves it `Pending` or `Delivering` and a retry resumes it. Only the request that
//! holds a distribution's claim ([`Begun::New`], [`Begun::Resume`]) carries it out: a claim
//! is taken by one atomic update, so two requests at once never both send it; it ends with a
//! final status or [`DistributionStore::release_distribution`], or lapses when its holder
//! died.

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{ContentDigest, DeliveryKey, MessageId, TransId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row as _};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::database::{get_parsed, get_text, get_time, to_millis};
use crate::error::{CorruptColumn, SqlContext, StoreError};

/// What is known of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistributionStatus {
    /// Taken; the registry has not yet been asked.
    Pending,
    /// The recipient is reachable; the letter is being sealed and delivered.
    Delivering,
    /// The operator returned its receipt.
    Delivered {
        /// The receipt's `TransId`.
        trans_id: TransId,
    },
    /// The operator refused the letter or could not be reached; a retry tries again.
    Failed,
    /// The recipient is not reachable digitally; the letter is on the paper-mail list.
    Paper,
}

/// A distribution as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// The distribution id answered to the sender system.
    pub id: Uuid,
    /// Sender and message id.
    pub key: DeliveryKey,
    /// SHA-256 of the content the sender signed.
    pub content_digest: ContentDigest,
    /// The one recipient.
    pub recipient: RecipientId,
    /// The organisation of the client certificate that handed it over.
    pub client: OrganisationNumber,
    /// What became of it.
    pub status: DistributionStatus,
    /// When it was first handed over.
    pub created_at: OffsetDateTime,
    /// When its status last changed.
    pub updated_at: OffsetDateTime,
    /// Its row may be on the paper-mail list already: appending it had begun
    /// ([`DistributionStore::mark_paper_begun`]).
    pub paper_begun: bool,
}

/// A distribution to record, `Pending`.
#[derive(Debug, Clone, Copy)]
pub struct NewDistribution<'a> {
    /// The id to give it (UUIDv7).
    pub id: Uuid,
    /// Sender and message id.
    pub key: &'a DeliveryKey,
    /// SHA-256 of the content the sender signed.
    pub content_digest: &'a ContentDigest,
    /// The one recipient.
    pub recipient: &'a RecipientId,
    /// The client certificate's organisation.
    pub client: &'a OrganisationNumber,
    /// Now.
    pub at: OffsetDateTime,
    /// Until when the request that records it holds its claim: longer than carrying it out
    /// can take.
    pub claim_until: OffsetDateTime,
}

/// What [`DistributionStore::begin_distribution`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// A new row, `Pending`, claimed by this request.
    New(Distribution),
    /// The same sender, message id and signed content were handed over before and not yet
    /// delivered or put on paper, and nobody carries it out: now claimed by this request,
    /// which resumes it.
    Resume(Distribution),
    /// The same sender, message id and signed content were handed over before, and it is
    /// delivered, on paper, or being carried out by another request: answer its id.
    Existing(Distribution),
    /// The sender and message id were handed over before with other content.
    KeyConflict,
}

/// The intermediary's distributions.
#[async_trait]
pub trait DistributionStore: Send + Sync {
    /// Records `new` unless its key exists, or claims the existing one when it may be
    /// resumed; answers the row for its key.
    async fn begin_distribution(&self, new: NewDistribution<'_>) -> Result<Begun, StoreError>;
    /// Sets the status of distribution `id` at `at`; `Delivered`, `Paper` and `Failed` end
    /// its claim. `NotFound` when there is no such row.
    async fn set_distribution_status(
        &self,
        id: Uuid,
        status: &DistributionStatus,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Ends the claim on distribution `id` without a status (its request failed), so a
    /// retry resumes it at once.
    async fn release_distribution(&self, id: Uuid) -> Result<(), StoreError>;
    /// Notes that distribution `id`'s row is about to be appended to the paper-mail list.
    async fn mark_paper_begun(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError>;
    /// Distribution `id` of `sender`; `None` when it does not exist or is another sender's.
    async fn distribution(
        &self,
        sender: &OrganisationNumber,
        id: Uuid,
    ) -> Result<Option<Distribution>, StoreError>;
}

const COLUMNS: &str = "distribution_id, sender, message_id, content_digest, recipient, client, \
    status, trans_id, created_at, updated_at, paper_begun_at";

/// The distributions' table in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlDistributionStore {
    pool: AnyPool,
}

impl SqlDistributionStore {
    pub(crate) fn new(pool: AnyPool) -> Self {
        Self { pool }
    }

    async fn by_key(&self, key: &DeliveryKey) -> Result<Option<Distribution>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sender_distributions WHERE sender = $1 AND message_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key.sender.as_str().to_owned())
            .bind(key.message_id.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .context("read distribution by key")?;
        row.as_ref().map(read_row).transpose()
    }

    /// Claims `existing` when it is neither delivered nor on paper and nobody's claim on it
    /// is running at `new.at`; answers whether this request got it.
    async fn claim(
        &self,
        existing: &Distribution,
        new: &NewDistribution<'_>,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE sender_distributions SET claimed_until = $1 \
             WHERE distribution_id = $2 AND status NOT IN ('delivered', 'paper') \
             AND (claimed_until IS NULL OR claimed_until <= $3)",
        )
        .bind(to_millis(new.claim_until))
        .bind(existing.id.hyphenated().to_string())
        .bind(to_millis(new.at))
        .execute(&self.pool)
        .await
        .context("claim distribution")?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn update_one(
        &self,
        what: &'static str,
        sql: &'static str,
        id: Uuid,
        at: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut query = sqlx::query(sql);
        if let Some(at) = at {
            query = query.bind(at);
        }
        let changed = query
            .bind(id.hyphenated().to_string())
            .execute(&self.pool)
            .await
            .context(what)?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "distribution",
            });
        }
        Ok(())
    }
}

#[async_trait]
impl DistributionStore for SqlDistributionStore {
    async fn begin_distribution(&self, new: NewDistribution<'_>) -> Result<Begun, StoreError> {
        let at = to_millis(new.at);
        let inserted = sqlx::query(
            "INSERT INTO sender_distributions (distribution_id, sender, message_id, \
             content_digest, recipient, client, status, trans_id, created_at, updated_at, \
             claimed_until) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', NULL, $7, $7, $8) \
             ON CONFLICT (sender, message_id) DO NOTHING",
        )
        .bind(new.id.hyphenated().to_string())
        .bind(new.key.sender.as_str().to_owned())
        .bind(new.key.message_id.as_str().to_owned())
        .bind(new.content_digest.to_hex())
        .bind(new.recipient.to_wire())
        .bind(new.client.as_str().to_owned())
        .bind(at)
        .bind(to_millis(new.claim_until))
        .execute(&self.pool)
        .await
        .context("insert distribution")?
        .rows_affected();
        let stored = self.by_key(new.key).await?.ok_or_else(|| {
            StoreError::internal("read distribution", CorruptColumn { column: "sender" })
        })?;
        Ok(if inserted == 1 {
            Begun::New(stored)
        } else if &stored.content_digest != new.content_digest {
            Begun::KeyConflict
        } else if self.claim(&stored, &new).await? {
            Begun::Resume(stored)
        } else {
            Begun::Existing(stored)
        })
    }

    async fn set_distribution_status(
        &self,
        id: Uuid,
        status: &DistributionStatus,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (name, trans_id) = status_columns(status);
        // A final status, or `failed` (which a retry resumes), ends the claim.
        let claim_ends = !matches!(
            status,
            DistributionStatus::Pending | DistributionStatus::Delivering
        );
        let changed = sqlx::query(
            "UPDATE sender_distributions SET status = $1, trans_id = $2, updated_at = $3, \
             claimed_until = CASE WHEN $4 = 1 THEN NULL ELSE claimed_until END \
             WHERE distribution_id = $5",
        )
        .bind(name)
        .bind(trans_id)
        .bind(to_millis(at))
        .bind(i64::from(claim_ends))
        .bind(id.hyphenated().to_string())
        .execute(&self.pool)
        .await
        .context("update distribution")?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "distribution",
            });
        }
        Ok(())
    }

    async fn release_distribution(&self, id: Uuid) -> Result<(), StoreError> {
        let sql = "UPDATE sender_distributions SET claimed_until = NULL WHERE distribution_id = $1";
        self.update_one("release distribution", sql, id, None).await
    }

    async fn mark_paper_begun(&self, id: Uuid, at: OffsetDateTime) -> Result<(), StoreError> {
        let sql = "UPDATE sender_distributions SET paper_begun_at = $1 WHERE distribution_id = $2";
        self.update_one("mark paper begun", sql, id, Some(to_millis(at)))
            .await
    }

    async fn distribution(
        &self,
        sender: &OrganisationNumber,
        id: Uuid,
    ) -> Result<Option<Distribution>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sender_distributions \
             WHERE distribution_id = $1 AND sender = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.hyphenated().to_string())
            .bind(sender.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await
            .context("read distribution")?;
        row.as_ref().map(read_row).transpose()
    }
}

/// The `status` and `trans_id` columns of a status.
fn status_columns(status: &DistributionStatus) -> (&'static str, Option<String>) {
    match status {
        DistributionStatus::Pending => ("pending", None),
        DistributionStatus::Delivering => ("delivering", None),
        DistributionStatus::Delivered { trans_id } => {
            ("delivered", Some(trans_id.as_str().to_owned()))
        }
        DistributionStatus::Failed => ("failed", None),
        DistributionStatus::Paper => ("paper", None),
    }
}

fn read_row(row: &AnyRow) -> Result<Distribution, StoreError> {
    let corrupt = |column| StoreError::internal("decode distribution", CorruptColumn { column });
    let trans_id: Option<String> = row.try_get("trans_id").context("read trans_id")?;
    let status = match (get_text(row, "status")?.as_str(), trans_id) {
        ("pending", None) => DistributionStatus::Pending,
        ("delivering", None) => DistributionStatus::Delivering,
        ("delivered", Some(trans_id)) => DistributionStatus::Delivered {
            trans_id: TransId::parse(&trans_id).map_err(|_| corrupt("trans_id"))?,
        },
        ("failed", None) => DistributionStatus::Failed,
        ("paper", None) => DistributionStatus::Paper,
        _ => return Err(corrupt("status")),
    };
    Ok(Distribution {
        id: get_parsed(row, "distribution_id", Uuid::parse_str)?,
        key: DeliveryKey {
            sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
            message_id: get_parsed(row, "message_id", MessageId::parse)?,
        },
        content_digest: get_parsed(row, "content_digest", ContentDigest::parse_hex)?,
        recipient: get_parsed(row, "recipient", RecipientId::parse)?,
        client: get_parsed(row, "client", OrganisationNumber::parse)?,
        status,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        paper_begun: row
            .try_get::<Option<i64>, _>("paper_begun_at")
            .context("read paper_begun_at")?
            .is_some(),
    })
}
