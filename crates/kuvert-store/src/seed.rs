//! Bulk statistics data for benchmarks (cargo feature `bench-seed`, never in a service):
//! millions of active profiles and the daily counters and letters that agree with them,
//! written with multi-row inserts in one transaction, so six million profiles take minutes
//! (see `examples/seed_statistics.rs`), and reception rules for some of them (the
//! reachability benchmark's deselected sender).
//!
//! Identity numbers are generated, Luhn-valid and distinct: persons born from 1920-01-01 on,
//! a thousand per birth day; companies `552`… to `559`… with their check digit. Every profile is
//! registered at 10:00 UTC (late morning in Sweden, so the same Swedish day) on one of the
//! seeded days, at the operators in turn; every tenth carries a sender's deep link and every
//! twentieth also a campaign.

use std::collections::BTreeMap;

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{SEED_DAYS_MAX, SEED_PROFILES_MAX};
use sqlx::{Any, AssertSqlSafe};
use time::macros::time;
use time::{Date, Duration, OffsetDateTime};

use crate::Database;
use crate::calendar::{day_text, key_text};
use crate::database::{Backend, begin_write, placeholders, to_millis};
use crate::error::{SqlContext, StoreError};

/// Daily counter rows per multi-row insert: 500 × 6 parameters stays under SQLite's and
/// PostgreSQL's bind limits.
const ROWS_PER_INSERT: usize = 500;
/// Profiles per literal multi-row insert (about 100 bytes each).
const PROFILES_PER_INSERT: usize = 5_000;

/// What to seed. The operators must exist; senders need not (sources are only text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsSeed {
    /// Person profiles to create.
    pub persons: u64,
    /// Company profiles to create.
    pub companies: u64,
    /// How many of all profiles are registered on the day before `first_day` (the mailboxes
    /// that already existed); the rest are spread over the days.
    pub registered_before: u64,
    /// Operators the profiles are spread over (at least one).
    pub operators: Vec<OrganisationNumber>,
    /// Senders whose deep links some profiles came from, and who get letter counts.
    pub senders: Vec<OrganisationNumber>,
    /// Campaigns some of those deep links named.
    pub campaigns: Vec<CampaignCode>,
    /// First day of registrations.
    pub first_day: Date,
    /// Days registrations are spread over (1..=[`SEED_DAYS_MAX`]).
    pub days: u32,
}

/// What a seed wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// Profile rows.
    pub profiles: u64,
    /// `registry_daily` rows.
    pub daily_rows: u64,
    /// `letter_statistics` rows.
    pub letter_rows: u64,
}

/// The key of one daily counter: day, operator, kind, source sender, source campaign.
type DailyKey = (String, String, &'static str, String, String);

impl Database {
    /// Writes `seed` in one transaction: profiles, their `registry_daily` counters and a
    /// month of letters per sender for every month the days touch.
    ///
    /// # Errors
    /// `OutOfBounds` for no operator, too many profiles or days, or `registered_before` above
    /// the total; `Conflict` (from the database) when profiles already exist; `Internal`.
    pub async fn seed_statistics(&self, seed: &StatisticsSeed) -> Result<SeedSummary, StoreError> {
        self.seed_statistics_reporting(seed, &|_| {}).await
    }

    /// [`Database::seed_statistics`], calling `progress` with the number of profiles written
    /// so far after each multi-row insert (every [`PROFILES_PER_INSERT`] profiles and the
    /// last, shorter one), so a benchmark can show how far a seed of millions has come.
    ///
    /// # Errors
    /// As [`Database::seed_statistics`].
    pub async fn seed_statistics_reporting(
        &self,
        seed: &StatisticsSeed,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<SeedSummary, StoreError> {
        let total = seed.persons.saturating_add(seed.companies);
        let bounded = !seed.operators.is_empty()
            && total <= SEED_PROFILES_MAX
            && (1..=SEED_DAYS_MAX).contains(&seed.days)
            && seed.registered_before <= total;
        if !bounded {
            return Err(StoreError::OutOfBounds {
                what: "statistics seed",
            });
        }
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let mut daily: BTreeMap<DailyKey, i64> = BTreeMap::new();
        let mut batch: Vec<ProfileRow> = Vec::with_capacity(PROFILES_PER_INSERT);
        for index in 0..total {
            let row = profile_row(seed, index);
            *daily.entry(row.daily_key()).or_default() += 1;
            batch.push(row);
            if batch.len() == PROFILES_PER_INSERT {
                insert_profiles(&mut transaction, &batch).await?;
                batch.clear();
                progress(index + 1);
            }
        }
        if !batch.is_empty() {
            insert_profiles(&mut transaction, &batch).await?;
            progress(total);
        }
        let daily_rows = insert_daily(&mut transaction, &daily).await?;
        let letter_rows = insert_letters(&mut transaction, seed).await?;
        transaction
            .commit()
            .await
            .context("commit statistics seed")?;
        self.settle().await?;
        Ok(SeedSummary {
            profiles: total,
            daily_rows,
            letter_rows,
        })
    }

    /// Makes profile number 0, `every`, 2 × `every`, … of `seed` deselect `sender` (reception
    /// rules changed at `at`), in one transaction with multi-row inserts; returns how many.
    /// The profiles must have been seeded from the same `seed`.
    ///
    /// # Errors
    /// `OutOfBounds` for `every` 0; `Conflict` (from the database) when one of them already
    /// deselected `sender`; `Internal`.
    pub async fn seed_deselections(
        &self,
        seed: &StatisticsSeed,
        sender: &OrganisationNumber,
        every: u64,
        at: OffsetDateTime,
    ) -> Result<u64, StoreError> {
        let step = usize::try_from(every).unwrap_or(0);
        if step == 0 {
            return Err(StoreError::OutOfBounds {
                what: "deselection seed",
            });
        }
        let total = seed.persons.saturating_add(seed.companies);
        let recipients: Vec<String> = (0..total)
            .step_by(step)
            .filter_map(|index| seeded_recipient(seed, index))
            .map(|recipient| recipient.to_wire())
            .collect();
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        for chunk in recipients.chunks(PROFILES_PER_INSERT) {
            insert_deselections(&mut transaction, chunk, sender).await?;
        }
        sqlx::query(
            "UPDATE profiles SET reception_changed_at = $1 WHERE recipient IN \
             (SELECT recipient FROM deselected_senders WHERE sender = $2)",
        )
        .bind(to_millis(at))
        .bind(sender.as_str())
        .execute(&mut *transaction)
        .await
        .context("seed reception rules time")?;
        transaction
            .commit()
            .await
            .context("commit deselection seed")?;
        self.settle().await?;
        Ok(u64::try_from(recipients.len()).unwrap_or(u64::MAX))
    }

    /// Brings the seeded tables to the state a registry in service has them in, so a
    /// benchmark measures that and not the aftermath of a bulk load. On PostgreSQL,
    /// `VACUUM (ANALYZE)`: fresh planner statistics (not plans made for an empty table), the
    /// visibility map and hint bits set (else the first read of each page writes it), and
    /// no autovacuum of millions of rows running beside the timed calls; autovacuum would
    /// do the same soon after a real load. On SQLite, a checkpoint that moves the write-ahead
    /// log into the file (`wal_checkpoint(TRUNCATE)`): a page still in the log is read with
    /// a copy, not through the memory map, and SQLite's automatic checkpoints would have
    /// moved it long since.
    async fn settle(&self) -> Result<(), StoreError> {
        let statement = match self.backend {
            Backend::Postgres => "VACUUM (ANALYZE) profiles, deselected_senders",
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        };
        sqlx::query(statement)
            .execute(&self.pool)
            .await
            .context("settle seeded tables")?;
        Ok(())
    }
}

/// One generated profile, as stored.
struct ProfileRow {
    recipient: String,
    operator: String,
    kind: &'static str,
    day: Date,
    source_sender: Option<String>,
    source_campaign: Option<String>,
}

impl ProfileRow {
    fn daily_key(&self) -> DailyKey {
        (
            day_text(self.day),
            self.operator.clone(),
            self.kind,
            key_text(self.source_sender.as_deref()),
            key_text(self.source_campaign.as_deref()),
        )
    }
}

/// The recipient a seed creates as profile number `index` (persons first, then companies).
#[must_use]
pub fn seeded_recipient(seed: &StatisticsSeed, index: u64) -> Option<RecipientId> {
    let text = if index < seed.persons {
        person_number(index)
    } else if index < seed.persons.saturating_add(seed.companies) {
        format!("16{}", company_number(index - seed.persons))
    } else {
        return None;
    };
    RecipientId::parse(&text).ok()
}

fn profile_row(seed: &StatisticsSeed, index: u64) -> ProfileRow {
    let is_person = index < seed.persons;
    let recipient = if is_person {
        person_number(index)
    } else {
        format!("16{}", company_number(index - seed.persons))
    };
    let day = if index < seed.registered_before {
        seed.first_day - Duration::days(1)
    } else {
        seed.first_day + Duration::days(i64::try_from(index % u64::from(seed.days)).unwrap_or(0))
    };
    let pick =
        |items: usize, salt: u64| usize::try_from((index / salt) % items as u64).unwrap_or(0);
    let source_sender = (index.is_multiple_of(10) && !seed.senders.is_empty()).then(|| {
        seed.senders[pick(seed.senders.len(), 10)]
            .as_str()
            .to_owned()
    });
    let source_campaign = (index.is_multiple_of(20)
        && source_sender.is_some()
        && !seed.campaigns.is_empty())
    .then(|| {
        seed.campaigns[pick(seed.campaigns.len(), 20)]
            .as_str()
            .to_owned()
    });
    ProfileRow {
        recipient,
        operator: seed.operators[pick(seed.operators.len(), 1)]
            .as_str()
            .to_owned(),
        kind: if is_person { "person" } else { "company" },
        day,
        source_sender,
        source_campaign,
    }
}

/// The 12-digit personnummer number `index`: born 1920-01-01 + `index / 1000` days, serial
/// `index % 1000`, Luhn check digit.
pub(crate) fn person_number(index: u64) -> String {
    let epoch =
        Date::from_calendar_date(1920, time::Month::January, 1).expect("1920-01-01 is a date");
    let birth = epoch + Duration::days(i64::try_from(index / 1000).unwrap_or(0));
    let nine = format!(
        "{:02}{:02}{:02}{:03}",
        birth.year() % 100,
        u8::from(birth.month()),
        birth.day(),
        index % 1000
    );
    format!("{}{nine}{}", birth.year() / 100, luhn(&nine))
}

/// The 10-digit organisationsnummer number `index`: `55`, seven digits from 2000000 (the
/// third digit of an organisation number is 2 or more), Luhn check digit.
pub(crate) fn company_number(index: u64) -> String {
    let nine = format!("55{:07}", 2_000_000 + index % 8_000_000);
    format!("{nine}{}", luhn(&nine))
}

/// The Luhn check digit of nine digits (PROTOCOL.md §4).
fn luhn(nine: &str) -> u32 {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(position, digit)| {
            let value = u32::from(digit - b'0') * if position % 2 == 0 { 2 } else { 1 };
            if value > 9 { value - 9 } else { value }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// One multi-row insert of generated profiles. The values are written into the SQL as
/// literals, which is several times faster than thousands of binds through the `any` driver;
/// that is safe because every value is made here from digits or comes from a parsed
/// organisation number or campaign code, whose characters are only `[0-9A-Z_-]`.
async fn insert_profiles(
    connection: &mut sqlx::AnyConnection,
    rows: &[ProfileRow],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let literal = |value: &Option<String>| match value {
        Some(text) => format!("'{text}'"),
        None => "NULL".to_owned(),
    };
    let mut sql = String::with_capacity(rows.len() * 96);
    sql.push_str(
        "INSERT INTO profiles (recipient, operator, kind, status, registered_at, \
         source_sender, source_campaign) VALUES ",
    );
    for (position, row) in rows.iter().enumerate() {
        assert!(is_literal_safe(&row.recipient) && is_literal_safe(&row.operator));
        let registered_at = to_millis(OffsetDateTime::new_utc(row.day, time!(10:00)));
        if position > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "('{}', '{}', '{}', 'active', {registered_at}, {}, {})",
            row.recipient,
            row.operator,
            row.kind,
            literal(&row.source_sender),
            literal(&row.source_campaign),
        ));
    }
    sqlx::query::<Any>(AssertSqlSafe(sql))
        .execute(connection)
        .await
        .context("seed profiles")?;
    Ok(())
}

/// Only characters that need no quoting in an SQL string literal.
fn is_literal_safe(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One multi-row insert of deselections of `sender`, literal as in [`insert_profiles`]:
/// the recipients are generated wire forms and the sender a parsed organisation number.
async fn insert_deselections(
    connection: &mut sqlx::AnyConnection,
    recipients: &[String],
    sender: &OrganisationNumber,
) -> Result<(), StoreError> {
    if recipients.is_empty() {
        return Ok(());
    }
    assert!(is_literal_safe(sender.as_str()));
    let values = recipients
        .iter()
        .map(|recipient| {
            assert!(is_literal_safe(recipient));
            format!("('{recipient}', '{}')", sender.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("INSERT INTO deselected_senders (recipient, sender) VALUES {values}");
    sqlx::query::<Any>(AssertSqlSafe(sql))
        .execute(connection)
        .await
        .context("seed deselections")?;
    Ok(())
}

async fn insert_daily(
    connection: &mut sqlx::AnyConnection,
    daily: &BTreeMap<DailyKey, i64>,
) -> Result<u64, StoreError> {
    let entries: Vec<_> = daily.iter().collect();
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let values = (0..chunk.len())
            .map(|row| format!("({}, 0, 0, 0)", placeholders(row * 6 + 1, 6)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO registry_daily (day, operator, kind, source_sender, source_campaign, \
             registered, deregistered, moved_in, moved_out) VALUES {values} \
             ON CONFLICT (day, operator, kind, source_sender, source_campaign) DO UPDATE SET \
             registered = registry_daily.registered + excluded.registered"
        );
        let mut query = sqlx::query::<Any>(AssertSqlSafe(sql));
        for ((day, operator, kind, sender, campaign), count) in chunk {
            query = query
                .bind(day.clone())
                .bind(operator.clone())
                .bind(*kind)
                .bind(sender.clone())
                .bind(campaign.clone())
                .bind(**count);
        }
        query
            .execute(&mut *connection)
            .await
            .context("seed daily counters")?;
    }
    // The totals without sources agree with the rows by source, as the counter upkeep keeps
    // them (migration 0006): summed again whole, inside the seed's transaction.
    sqlx::query("DELETE FROM registry_daily_totals")
        .execute(&mut *connection)
        .await
        .context("seed daily totals")?;
    sqlx::query(
        "INSERT INTO registry_daily_totals (day, operator, kind, registered, deregistered, \
         moved_in, moved_out) SELECT day, operator, kind, SUM(registered), SUM(deregistered), \
         SUM(moved_in), SUM(moved_out) FROM registry_daily GROUP BY day, operator, kind",
    )
    .execute(&mut *connection)
    .await
    .context("seed daily totals")?;
    Ok(u64::try_from(entries.len()).unwrap_or(u64::MAX))
}

/// Letters per sender for every month the seeded days touch: more digital month by month.
async fn insert_letters(
    connection: &mut sqlx::AnyConnection,
    seed: &StatisticsSeed,
) -> Result<u64, StoreError> {
    let last_day = seed.first_day + Duration::days(i64::from(seed.days) - 1);
    let mut months = vec![YearMonth::of(seed.first_day)];
    while let Some(&month) = months.last() {
        let next = YearMonth::of(month.last_day() + Duration::days(1));
        if next > YearMonth::of(last_day) {
            break;
        }
        months.push(next);
    }
    let mut rows = 0_u64;
    for (sender_index, sender) in seed.senders.iter().enumerate() {
        for (month_index, month) in months.iter().enumerate() {
            let base = 1_000 * (i64::try_from(sender_index).unwrap_or(0) + 1);
            let digital = base + 100 * i64::try_from(month_index).unwrap_or(0);
            sqlx::query(
                "INSERT INTO letter_statistics (sender, month, digital, paper) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (sender, month) DO UPDATE SET \
                 digital = excluded.digital, paper = excluded.paper",
            )
            .bind(sender.as_str())
            .bind(month.to_string())
            .bind(digital)
            .bind(2 * base - digital / 2)
            .execute(&mut *connection)
            .await
            .context("seed letters")?;
            rows += 1;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
