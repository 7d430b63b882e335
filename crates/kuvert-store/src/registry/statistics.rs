//! Registration and letter statistics of the registry: the daily counters kept beside every
//! profile change ([`super::counters`]) read back per day, the mailboxes active before a day
//! summed from them, and the letters senders report per month.
//!
//! Everything here reads the small aggregate tables (`registry_daily`, `letter_statistics`),
//! never the profiles, so a dashboard over six million profiles costs a few thousand rows.

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::LETTERS_PER_REPORT_MAX;
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::Date;

use super::ProfileKind;
use crate::calendar::{check_range, day_text, get_day, get_key, get_month};
use crate::database::{Backend, begin_write, get_count, get_parsed};
use crate::error::{SqlContext, StoreError};

/// One day's changes for one operator, kind of recipient and source (deep link sender and
/// campaign of the profile). A change of operator counts `moved_out` at the old operator and
/// `moved_in` at the new one; it changes no total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRegistrations {
    /// The Swedish calendar day ([`kuvert_core::calendar::stockholm_day`]).
    pub day: Date,
    /// The operator the change happened at.
    pub operator: OrganisationNumber,
    /// Person or company mailboxes.
    pub kind: ProfileKind,
    /// The sender whose deep link led to the profile's registration.
    pub source_sender: Option<OrganisationNumber>,
    /// The campaign that led to the profile's registration.
    pub source_campaign: Option<CampaignCode>,
    /// Profiles that became active (registered, or a company registration completed).
    pub registered: u64,
    /// Active profiles removed.
    pub deregistered: u64,
    /// Active profiles that moved here from another operator.
    pub moved_in: u64,
    /// Active profiles that moved from here to another operator.
    pub moved_out: u64,
}

/// Active mailboxes of persons and of companies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailboxCounts {
    /// Persons (personnummer, samordningsnummer).
    pub person: u64,
    /// Companies.
    pub company: u64,
}

/// Active mailboxes at one operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorMailboxes {
    /// The operator.
    pub operator: OrganisationNumber,
    /// Its active mailboxes.
    pub mailboxes: MailboxCounts,
}

/// Letters one sender sent in one month, as reported by the sender's toolkit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCounts {
    /// The sender.
    pub sender: OrganisationNumber,
    /// The month.
    pub month: YearMonth,
    /// Delivered to a digital mailbox.
    pub digital: u64,
    /// Sent on paper.
    pub paper: u64,
}

pub(super) async fn registration_statistics(
    pool: &AnyPool,
    from: Date,
    to: Date,
) -> Result<Vec<DailyRegistrations>, StoreError> {
    check_range(from, to)?;
    let rows = sqlx::query(
        "SELECT day, operator, kind, source_sender, source_campaign, registered, deregistered, \
         moved_in, moved_out FROM registry_daily WHERE day >= $1 AND day <= $2 \
         ORDER BY day, operator, kind, source_sender, source_campaign",
    )
    .bind(day_text(from))
    .bind(day_text(to))
    .fetch_all(pool)
    .await
    .context("read registration statistics")?;
    rows.iter().map(daily_from_row).collect()
}

fn daily_from_row(row: &AnyRow) -> Result<DailyRegistrations, StoreError> {
    Ok(DailyRegistrations {
        day: get_day(row, "day")?,
        operator: get_parsed(row, "operator", OrganisationNumber::parse)?,
        kind: get_parsed(row, "kind", |text| ProfileKind::from_db(text).ok_or(()))?,
        source_sender: get_key(row, "source_sender", OrganisationNumber::parse)?,
        source_campaign: get_key(row, "source_campaign", CampaignCode::parse)?,
        registered: get_count(row, "registered")?,
        deregistered: get_count(row, "deregistered")?,
        moved_in: get_count(row, "moved_in")?,
        moved_out: get_count(row, "moved_out")?,
    })
}

pub(super) async fn mailboxes_before(
    pool: &AnyPool,
    day: Date,
) -> Result<MailboxCounts, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, CAST(SUM(registered - deregistered) AS BIGINT) AS mailboxes \
         FROM registry_daily WHERE day < $1 GROUP BY kind",
    )
    .bind(day_text(day))
    .fetch_all(pool)
    .await
    .context("sum mailboxes")?;
    let mut counts = MailboxCounts::default();
    for row in &rows {
        add_kind(&mut counts, row)?;
    }
    Ok(counts)
}

pub(super) async fn mailboxes_before_per_operator(
    pool: &AnyPool,
    day: Date,
) -> Result<Vec<OperatorMailboxes>, StoreError> {
    let rows = sqlx::query(
        "SELECT operator, kind, \
         CAST(SUM(registered - deregistered + moved_in - moved_out) AS BIGINT) AS mailboxes \
         FROM registry_daily WHERE day < $1 GROUP BY operator, kind ORDER BY operator, kind",
    )
    .bind(day_text(day))
    .fetch_all(pool)
    .await
    .context("sum mailboxes per operator")?;
    let mut result: Vec<OperatorMailboxes> = Vec::new();
    for row in &rows {
        let operator = get_parsed(row, "operator", OrganisationNumber::parse)?;
        if result.last().is_none_or(|last| last.operator != operator) {
            result.push(OperatorMailboxes {
                operator,
                mailboxes: MailboxCounts::default(),
            });
        }
        if let Some(last) = result.last_mut() {
            add_kind(&mut last.mailboxes, row)?;
        }
    }
    Ok(result)
}

/// Adds a `(kind, mailboxes)` row to `counts`.
fn add_kind(counts: &mut MailboxCounts, row: &AnyRow) -> Result<(), StoreError> {
    let mailboxes = get_count(row, "mailboxes")?;
    match get_parsed(row, "kind", |text| ProfileKind::from_db(text).ok_or(()))? {
        ProfileKind::Person => counts.person += mailboxes,
        ProfileKind::Company => counts.company += mailboxes,
    }
    Ok(())
}

pub(super) async fn add_letter_counts(
    pool: &AnyPool,
    backend: Backend,
    counts: &LetterCounts,
) -> Result<LetterCounts, StoreError> {
    if counts.digital > LETTERS_PER_REPORT_MAX || counts.paper > LETTERS_PER_REPORT_MAX {
        return Err(StoreError::OutOfBounds {
            what: "letters in one report",
        });
    }
    let mut transaction = begin_write(pool, backend).await?;
    let sender =
        sqlx::query("SELECT organisation_number FROM senders WHERE organisation_number = $1")
            .bind(counts.sender.as_str())
            .fetch_optional(&mut *transaction)
            .await
            .context("read sender")?;
    if sender.is_none() {
        return Err(StoreError::NotFound { what: "sender" });
    }
    let count = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO letter_statistics (sender, month, digital, paper) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sender, month) DO UPDATE SET \
         digital = letter_statistics.digital + excluded.digital, \
         paper = letter_statistics.paper + excluded.paper",
    )
    .bind(counts.sender.as_str())
    .bind(counts.month.to_string())
    .bind(count(counts.digital))
    .bind(count(counts.paper))
    .execute(&mut *transaction)
    .await
    .context("add letter counts")?;
    let row = sqlx::query(
        "SELECT sender, month, digital, paper FROM letter_statistics \
         WHERE sender = $1 AND month = $2",
    )
    .bind(counts.sender.as_str())
    .bind(counts.month.to_string())
    .fetch_one(&mut *transaction)
    .await
    .context("read letter counts")?;
    let totals = letters_from_row(&row)?;
    transaction.commit().await.context("commit letter counts")?;
    Ok(totals)
}

pub(super) async fn letter_statistics(
    pool: &AnyPool,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<LetterCounts>, StoreError> {
    check_range(from.first_day(), to.first_day())?;
    let rows = sqlx::query(
        "SELECT sender, month, digital, paper FROM letter_statistics \
         WHERE month >= $1 AND month <= $2 ORDER BY month, sender",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await
    .context("read letter statistics")?;
    rows.iter().map(letters_from_row).collect()
}

fn letters_from_row(row: &AnyRow) -> Result<LetterCounts, StoreError> {
    Ok(LetterCounts {
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        month: get_month(row, "month")?,
        digital: get_count(row, "digital")?,
        paper: get_count(row, "paper")?,
    })
}

pub(super) async fn sender_count(pool: &AnyPool) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS senders FROM senders")
        .fetch_one(pool)
        .await
        .context("count senders")?;
    get_count(&row, "senders")
}
