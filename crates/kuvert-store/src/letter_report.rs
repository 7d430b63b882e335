//! [`LetterReportStore`]: which letters of the sender service (`sender_letters`) and of the
//! intermediary (`sender_distributions`) the registry's letter statistics have not yet counted
//! (issue 15, migration 0020), so that each service node reports them in the background.
//!
//! Several nodes may share the database, so a node counts only letters it has claimed: one
//! update claims up to `limits::LETTERS_REPORTED_PER_ROUND_MAX` letters that ended digital
//! (`delivered`) or on paper (`paper`), are not yet reported and are nobody else's running
//! claim, for a [`LeaseHolder`] until a given time. The node then reads what it holds, counted
//! per sender ([`UnreportedLetters`]), reports each sender's counts and marks exactly the
//! letters it held of that sender reported, and at the end of its round lets go of what it
//! still holds (a report that failed), so any node counts those again in a later round. A
//! node that died mid-round leaves its claims to lapse.
//!
//! **Invariants:** a letter is marked reported once, only by the holder of its claim, and a
//! reported letter is never claimed again; two nodes never hold a running claim on the same
//! letter (the claim is one conditional update, its conditions checked again on the row it
//! changes). **Not guaranteed:** a node that dies between the registry's answer and the mark,
//! or whose claim lapsed during its round and was taken by another node, leaves letters the
//! registry has counted unmarked: they are counted a second time (as a mailing whose run
//! stops between its report and its journal's `reported` marks).

use async_trait::async_trait;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::LETTERS_REPORTED_PER_ROUND_MAX;
use sqlx::{AnyPool, AssertSqlSafe};
use time::OffsetDateTime;

use crate::database::{get_count, get_parsed, get_text, to_millis};
use crate::error::{CorruptColumn, SqlContext, StoreError};
use crate::operator::LeaseHolder;

/// The letters of one sender a reporting node holds, not yet reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreportedLetters {
    /// The sender.
    pub sender: OrganisationNumber,
    /// Letters delivered to a digital mailbox.
    pub digital: u64,
    /// Letters put on paper.
    pub paper: u64,
}

/// A reporting node's claim on unreported letters.
#[derive(Debug, Clone, Copy)]
pub struct ReportClaim<'a> {
    /// The node's reporter.
    pub holder: &'a LeaseHolder,
    /// Now: another node's claim that ended by then has lapsed.
    pub now: OffsetDateTime,
    /// Until when the claim runs: longer than the round can take.
    pub until: OffsetDateTime,
    /// Letters to claim at most (≤ `limits::LETTERS_REPORTED_PER_ROUND_MAX`).
    pub limit: usize,
}

/// The letters of a service's table that the registry has not yet counted.
#[async_trait]
pub trait LetterReportStore: Send + Sync {
    /// Claims up to `claim.limit` letters that ended digital or on paper, are not reported
    /// and are held by no running claim of another holder; answers every unreported letter
    /// `claim.holder` now holds, counted per sender (ordered by sender). `TooMany` above
    /// `limits::LETTERS_REPORTED_PER_ROUND_MAX`.
    async fn claim_unreported(
        &self,
        claim: ReportClaim<'_>,
    ) -> Result<Vec<UnreportedLetters>, StoreError>;
    /// Marks as reported at `at` every unreported letter of `sender` that `holder` holds, and
    /// ends those claims; answers how many.
    async fn mark_reported(
        &self,
        holder: &LeaseHolder,
        sender: &OrganisationNumber,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError>;
    /// Ends `holder`'s claims on letters it has not marked reported (their report failed),
    /// so that any node claims them again at once; answers how many.
    async fn release_report_claims(&self, holder: &LeaseHolder) -> Result<u64, StoreError>;
}

/// Which service's table: its name and its id and state columns (both tables name the final
/// states `delivered` and `paper`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportedTable {
    table: &'static str,
    id: &'static str,
    state: &'static str,
}

impl ReportedTable {
    /// The sender service's letter queue (migration 0014).
    pub(crate) const SENDER_LETTERS: Self = Self {
        table: "sender_letters",
        id: "id",
        state: "state",
    };
    /// The intermediary's distributions (migration 0015).
    pub(crate) const DISTRIBUTIONS: Self = Self {
        table: "sender_distributions",
        id: "distribution_id",
        state: "status",
    };
}

/// [`LetterReportStore`] over one table of a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlLetterReportStore {
    pool: AnyPool,
    table: ReportedTable,
}

impl SqlLetterReportStore {
    pub(crate) fn new(pool: AnyPool, table: ReportedTable) -> Self {
        Self { pool, table }
    }
}

#[async_trait]
impl LetterReportStore for SqlLetterReportStore {
    async fn claim_unreported(
        &self,
        claim: ReportClaim<'_>,
    ) -> Result<Vec<UnreportedLetters>, StoreError> {
        if claim.limit > LETTERS_REPORTED_PER_ROUND_MAX {
            return Err(StoreError::TooMany {
                count: claim.limit,
                max: LETTERS_REPORTED_PER_ROUND_MAX,
            });
        }
        let ReportedTable { table, id, state } = self.table;
        // The conditions stand twice: PostgreSQL checks the outer ones again on a row another
        // node's claim changed while this one waited for it, so no row is claimed by two.
        let claimable = format!(
            "{state} IN ('delivered', 'paper') AND reported_at IS NULL \
             AND (report_claimed_until IS NULL OR report_claimed_until <= $3 \
             OR report_claimed_by = $1)"
        );
        let sql = format!(
            "UPDATE {table} SET report_claimed_by = $1, report_claimed_until = $2 \
             WHERE {id} IN (SELECT {id} FROM {table} WHERE {claimable} ORDER BY {id} LIMIT $4) \
             AND {claimable}"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(claim.holder.as_db().to_owned())
            .bind(to_millis(claim.until))
            .bind(to_millis(claim.now))
            .bind(i64::try_from(claim.limit).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await
            .context("claim unreported letters")?;
        let sql = format!(
            "SELECT sender, {state} AS final_state, COUNT(*) AS letters FROM {table} \
             WHERE report_claimed_by = $1 AND reported_at IS NULL \
             GROUP BY sender, {state} ORDER BY sender"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(claim.holder.as_db().to_owned())
            .fetch_all(&self.pool)
            .await
            .context("count claimed letters")?;
        let mut counts: Vec<UnreportedLetters> = Vec::new();
        for row in &rows {
            let sender = get_parsed(row, "sender", OrganisationNumber::parse)?;
            let letters = get_count(row, "letters")?;
            let (digital, paper) = match get_text(row, "final_state")?.as_str() {
                "delivered" => (letters, 0),
                "paper" => (0, letters),
                _ => {
                    let column = "final_state";
                    let corrupt = CorruptColumn { column };
                    return Err(StoreError::internal("count claimed letters", corrupt));
                }
            };
            match counts.last_mut() {
                Some(last) if last.sender == sender => {
                    last.digital += digital;
                    last.paper += paper;
                }
                _ => counts.push(UnreportedLetters {
                    sender,
                    digital,
                    paper,
                }),
            }
        }
        Ok(counts)
    }

    async fn mark_reported(
        &self,
        holder: &LeaseHolder,
        sender: &OrganisationNumber,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let table = self.table.table;
        let sql = format!(
            "UPDATE {table} SET reported_at = $1, report_claimed_by = NULL, \
             report_claimed_until = NULL \
             WHERE report_claimed_by = $2 AND sender = $3 AND reported_at IS NULL"
        );
        let marked = sqlx::query(AssertSqlSafe(sql))
            .bind(to_millis(at))
            .bind(holder.as_db().to_owned())
            .bind(sender.as_str().to_owned())
            .execute(&self.pool)
            .await
            .context("mark letters reported")?;
        Ok(marked.rows_affected())
    }

    async fn release_report_claims(&self, holder: &LeaseHolder) -> Result<u64, StoreError> {
        let table = self.table.table;
        let sql = format!(
            "UPDATE {table} SET report_claimed_by = NULL, report_claimed_until = NULL \
             WHERE report_claimed_by = $1 AND reported_at IS NULL"
        );
        let released = sqlx::query(AssertSqlSafe(sql))
            .bind(holder.as_db().to_owned())
            .execute(&self.pool)
            .await
            .context("release report claims")?;
        Ok(released.rows_affected())
    }
}
