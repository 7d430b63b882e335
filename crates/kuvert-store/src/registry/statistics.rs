//! Registration and letter statistics of the registry: the daily counters kept beside every
//! profile change ([`super::counters`]) read back per day, the mailboxes active before a day
//! summed from them, and the letters senders report per month.
//!
//! Everything here reads the small aggregate tables (`registry_daily` by source,
//! `registry_daily_totals` without, `letter_statistics`), never the profiles, so a dashboard
//! over six million profiles costs a few thousand rows: the public dashboards read the
//! totals, a campaign's page only that campaign's rows (index `registry_daily_by_campaign`).

use async_trait::async_trait;
use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{LETTERS_PER_REPORT_MAX, STATISTICS_CAMPAIGNS_MAX};
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe};
use time::Date;

use super::records::DbText;
use super::{ProfileKind, SqlRegistryStore};
use crate::calendar::{check_range, day_text, get_day, get_key, get_month};
use crate::database::{begin_write, get_count, get_parsed, placeholders};
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

/// How the daily counters are grouped by the source of the profiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SourceGrouping {
    /// By day, operator and kind only; both sources are `None` (the public dashboards).
    None,
    /// By day, operator, kind and campaign, for rows with a campaign only; the sender is
    /// `None` (campaign results).
    Campaign,
    /// Every counter row, by sender and campaign.
    #[default]
    All,
}

/// Which daily registration counters to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationQuery {
    /// First Swedish day.
    pub from: Date,
    /// Last Swedish day (included).
    pub to: Date,
    /// How rows are grouped by source.
    pub sources: SourceGrouping,
    /// Only these campaigns' rows (empty: every row). At most
    /// `limits::STATISTICS_CAMPAIGNS_MAX`; not with [`SourceGrouping::None`], which has no
    /// campaign to filter on.
    pub campaigns: Vec<CampaignCode>,
}

impl RegistrationQuery {
    /// Every counter row of `from..=to`, by source.
    #[must_use]
    pub fn all(from: Date, to: Date) -> Self {
        Self {
            from,
            to,
            sources: SourceGrouping::All,
            campaigns: Vec::new(),
        }
    }
}

const COUNTER_COLUMNS: &str = "registered, deregistered, moved_in, moved_out";
const SUMMED_COLUMNS: &str = "CAST(SUM(registered) AS BIGINT) AS registered, \
     CAST(SUM(deregistered) AS BIGINT) AS deregistered, \
     CAST(SUM(moved_in) AS BIGINT) AS moved_in, CAST(SUM(moved_out) AS BIGINT) AS moved_out";

/// Statistics (issue 5): the daily counters every profile change keeps, and letters per
/// sender and month. Part of [`RegistryStore`](super::RegistryStore).
#[async_trait]
pub trait StatisticsStore: Send + Sync {
    /// The daily registration counters of `query.from..=query.to` (Swedish days), grouped
    /// and filtered as `query` says, ordered by day, operator, kind and source.
    /// `OutOfBounds` for a backward range or one longer than
    /// `limits::STATISTICS_RANGE_DAYS_MAX` days, more than `limits::STATISTICS_CAMPAIGNS_MAX`
    /// campaigns, or a campaign filter with [`SourceGrouping::None`].
    async fn registration_statistics(
        &self,
        query: &RegistrationQuery,
    ) -> Result<Vec<DailyRegistrations>, StoreError>;
    /// Active mailboxes at the start of `day`, summed from the daily counters (never counted
    /// over the profiles, so it stays fast with millions of them).
    async fn mailboxes_before(&self, day: Date) -> Result<MailboxCounts, StoreError>;
    /// The same per operator (moves included), by organisation number; operators without
    /// counters are left out.
    async fn mailboxes_before_per_operator(
        &self,
        day: Date,
    ) -> Result<Vec<OperatorMailboxes>, StoreError>;
    /// Adds a report of letters to the sender's month and returns the month's new totals.
    /// `NotFound { what: "sender" }` for an unknown sender, `OutOfBounds` above
    /// `limits::LETTERS_PER_REPORT_MAX` in one report.
    async fn add_letter_counts(&self, counts: &LetterCounts) -> Result<LetterCounts, StoreError>;
    /// Letters per sender and month for the months `from..=to`, by month and sender.
    /// `OutOfBounds` as for `registration_statistics`.
    async fn letter_statistics(
        &self,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<LetterCounts>, StoreError>;
    /// Senders connected to Mina meddelanden.
    async fn sender_count(&self) -> Result<u64, StoreError>;
}

#[async_trait]
impl StatisticsStore for SqlRegistryStore {
    async fn registration_statistics(
        &self,
        query: &RegistrationQuery,
    ) -> Result<Vec<DailyRegistrations>, StoreError> {
        check_range(query.from, query.to)?;
        let filtered = !query.campaigns.is_empty();
        if query.campaigns.len() > STATISTICS_CAMPAIGNS_MAX
            || (filtered && query.sources == SourceGrouping::None)
        {
            return Err(StoreError::OutOfBounds {
                what: "statistics campaign filter",
            });
        }
        // Placeholders $1, $2 are the days, $3… the campaign codes; nothing else is spliced.
        let campaign_filter = if filtered {
            format!(
                " AND source_campaign IN ({})",
                placeholders(3, query.campaigns.len())
            )
        } else {
            String::new()
        };
        let range = "day >= $1 AND day <= $2";
        let sql = match query.sources {
            SourceGrouping::None => format!(
                "SELECT day, operator, kind, '' AS source_sender, '' AS source_campaign, \
                 {COUNTER_COLUMNS} FROM registry_daily_totals WHERE {range} \
                 ORDER BY day, operator, kind"
            ),
            SourceGrouping::Campaign => format!(
                "SELECT day, operator, kind, '' AS source_sender, source_campaign, \
                 {SUMMED_COLUMNS} FROM registry_daily \
                 WHERE {range} AND source_campaign <> ''{campaign_filter} \
                 GROUP BY day, operator, kind, source_campaign \
                 ORDER BY day, operator, kind, source_campaign"
            ),
            SourceGrouping::All => format!(
                "SELECT day, operator, kind, source_sender, source_campaign, {COUNTER_COLUMNS} \
                 FROM registry_daily WHERE {range}{campaign_filter} \
                 ORDER BY day, operator, kind, source_sender, source_campaign"
            ),
        };
        let mut statement = sqlx::query::<Any>(AssertSqlSafe(sql))
            .bind(day_text(query.from))
            .bind(day_text(query.to));
        for campaign in &query.campaigns {
            statement = statement.bind(campaign.as_str().to_owned());
        }
        let rows = statement
            .fetch_all(&self.pool)
            .await
            .context("read registration statistics")?;
        rows.iter().map(daily_from_row).collect()
    }

    async fn mailboxes_before(&self, day: Date) -> Result<MailboxCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, CAST(SUM(registered - deregistered) AS BIGINT) AS mailboxes \
             FROM registry_daily_totals WHERE day < $1 GROUP BY kind",
        )
        .bind(day_text(day))
        .fetch_all(&self.pool)
        .await
        .context("sum mailboxes")?;
        let mut counts = MailboxCounts::default();
        for row in &rows {
            add_kind(&mut counts, row)?;
        }
        Ok(counts)
    }

    async fn mailboxes_before_per_operator(
        &self,
        day: Date,
    ) -> Result<Vec<OperatorMailboxes>, StoreError> {
        let rows = sqlx::query(
            "SELECT operator, kind, \
             CAST(SUM(registered - deregistered + moved_in - moved_out) AS BIGINT) AS mailboxes \
             FROM registry_daily_totals WHERE day < $1 GROUP BY operator, kind \
             ORDER BY operator, kind",
        )
        .bind(day_text(day))
        .fetch_all(&self.pool)
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

    async fn add_letter_counts(&self, counts: &LetterCounts) -> Result<LetterCounts, StoreError> {
        if counts.digital > LETTERS_PER_REPORT_MAX || counts.paper > LETTERS_PER_REPORT_MAX {
            return Err(StoreError::OutOfBounds {
                what: "letters in one report",
            });
        }
        let mut transaction = begin_write(&self.pool, self.backend).await?;
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

    async fn letter_statistics(
        &self,
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
        .fetch_all(&self.pool)
        .await
        .context("read letter statistics")?;
        rows.iter().map(letters_from_row).collect()
    }

    async fn sender_count(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS senders FROM senders")
            .fetch_one(&self.pool)
            .await
            .context("count senders")?;
        get_count(&row, "senders")
    }
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

/// Adds a `(kind, mailboxes)` row to `counts`.
fn add_kind(counts: &mut MailboxCounts, row: &AnyRow) -> Result<(), StoreError> {
    let mailboxes = get_count(row, "mailboxes")?;
    match get_parsed(row, "kind", |text| ProfileKind::from_db(text).ok_or(()))? {
        ProfileKind::Person => counts.person += mailboxes,
        ProfileKind::Company => counts.company += mailboxes,
    }
    Ok(())
}

fn letters_from_row(row: &AnyRow) -> Result<LetterCounts, StoreError> {
    Ok(LetterCounts {
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        month: get_month(row, "month")?,
        digital: get_count(row, "digital")?,
        paper: get_count(row, "paper")?,
    })
}
