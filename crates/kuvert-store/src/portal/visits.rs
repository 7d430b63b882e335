//! Visits and operator choices as aggregate counts per day and source, the day's visitor keys
//! that make `unique_visitors` possible (deleted by `forget_visitors_before`), and a
//! campaign's funnel read from both.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_lc_rs::digest;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::operator::OperatorSlug;
use sqlx::any::AnyRow;
use time::Date;

use super::{FunnelDay, OperatorChoice, OperatorChoiceCount, SqlPortalStore, Visit, VisitCount};
use crate::calendar::{check_range, day_text, get_day, get_key, key_text};
use crate::database::{begin_write, fetch_all_by, flag, get_count, get_flag, get_parsed, get_text};
use crate::error::{SqlContext, StoreError};

/// The text columns that key a visit count, as stored.
struct VisitKey {
    day: String,
    page: String,
    sender: String,
    campaign: String,
    campaign_known: i64,
    referrer_domain: String,
}

impl VisitKey {
    fn of(visit: &Visit) -> Self {
        let source = &visit.source;
        Self {
            day: day_text(visit.day),
            page: visit.page.clone(),
            sender: key_text(source.sender.as_ref().map(OrganisationNumber::as_str)),
            campaign: key_text(source.campaign.as_ref().map(CampaignCode::as_str)),
            campaign_known: flag(source.campaign_known),
            referrer_domain: source
                .referrer_domain
                .as_deref()
                .map(str::to_ascii_lowercase)
                .unwrap_or_default(),
        }
    }

    /// SHA-256 over the visitor hash and every key part, each length-prefixed so no two keys
    /// share an encoding: the same visitor gets unrelated keys on different pages.
    fn visitor_key(&self, visit: &Visit) -> String {
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(&visit.visitor.0);
        let known = self.campaign_known.to_string();
        let parts = [&self.day, &self.page, &self.sender, &self.campaign, &known];
        for part in parts.into_iter().chain([&self.referrer_domain]) {
            context.update(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
            context.update(part.as_bytes());
        }
        hex::encode(context.finish().as_ref())
    }
}

/// Visits and operator choices counted without tracking, and a campaign's funnel read from
/// both. Part of [`PortalStore`](super::PortalStore).
#[async_trait]
pub trait VisitStore: Send + Sync {
    /// Counts one page view; returns whether it is the visitor's first for this day, page and
    /// source (then `unique_visitors` went up too). `OutOfBounds` for a page or referrer
    /// domain beyond its limit.
    async fn record_visit(&self, visit: &Visit) -> Result<bool, StoreError>;
    /// Deletes the per-day visitor keys of every day before `day`; returns how many. Run at
    /// each day change (and at start-up) so yesterday's visitors become unlinkable.
    async fn forget_visitors_before(&self, day: Date) -> Result<u64, StoreError>;
    /// Visit counts of `from..=to`, by day, page and source. `OutOfBounds` for a backward
    /// range or one longer than `limits::STATISTICS_RANGE_DAYS_MAX` days.
    async fn visit_counts(&self, from: Date, to: Date) -> Result<Vec<VisitCount>, StoreError>;
    /// Counts one choice of an operator on the chooser (`/skaffa/{operator_slug}`).
    async fn record_operator_choice(&self, choice: &OperatorChoice) -> Result<(), StoreError>;
    /// Operator choices of `from..=to`, by day, operator and source (range as `visit_counts`).
    async fn operator_choice_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<OperatorChoiceCount>, StoreError>;
    /// The portal half of a campaign's funnel: per day with any activity, oldest first,
    /// visits and operator choices carrying the code.
    async fn campaign_funnel(&self, code: &CampaignCode) -> Result<Vec<FunnelDay>, StoreError>;
}

#[async_trait]
impl VisitStore for SqlPortalStore {
    async fn record_visit(&self, visit: &Visit) -> Result<bool, StoreError> {
        visit.check()?;
        let key = VisitKey::of(visit);
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let inserted = sqlx::query(
            "INSERT INTO portal_visitors (day, visit_key) VALUES ($1, $2) \
             ON CONFLICT (day, visit_key) DO NOTHING",
        )
        .bind(&key.day)
        .bind(key.visitor_key(visit))
        .execute(&mut *transaction)
        .await
        .context("record visitor key")?;
        let is_new = inserted.rows_affected() == 1;
        sqlx::query(
            "INSERT INTO portal_visits (day, page, sender, campaign, campaign_known, \
             referrer_domain, visits, unique_visitors) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) \
             ON CONFLICT (day, page, sender, campaign, campaign_known, referrer_domain) DO UPDATE \
             SET visits = portal_visits.visits + 1, \
             unique_visitors = portal_visits.unique_visitors + excluded.unique_visitors",
        )
        .bind(&key.day)
        .bind(&key.page)
        .bind(&key.sender)
        .bind(&key.campaign)
        .bind(key.campaign_known)
        .bind(&key.referrer_domain)
        .bind(i64::from(is_new))
        .execute(&mut *transaction)
        .await
        .context("count visit")?;
        transaction.commit().await.context("commit visit")?;
        Ok(is_new)
    }

    async fn forget_visitors_before(&self, day: Date) -> Result<u64, StoreError> {
        let deleted = sqlx::query("DELETE FROM portal_visitors WHERE day < $1")
            .bind(day_text(day))
            .execute(&self.pool)
            .await
            .context("forget visitors")?;
        Ok(deleted.rows_affected())
    }

    async fn visit_counts(&self, from: Date, to: Date) -> Result<Vec<VisitCount>, StoreError> {
        let sql = "SELECT day, page, sender, campaign, campaign_known, referrer_domain, visits, \
             unique_visitors FROM portal_visits WHERE day >= $1 AND day <= $2 \
             ORDER BY day, page, sender, campaign, campaign_known, referrer_domain";
        let rows = self
            .rows_in_range(sql, from, to, "read visit counts")
            .await?;
        rows.iter().map(visit_count_from_row).collect()
    }

    async fn record_operator_choice(&self, choice: &OperatorChoice) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO portal_operator_choices (day, operator_slug, sender, campaign, choices) \
         VALUES ($1, $2, $3, $4, 1) ON CONFLICT (day, operator_slug, sender, campaign) \
         DO UPDATE SET choices = portal_operator_choices.choices + 1",
        )
        .bind(day_text(choice.day))
        .bind(choice.operator_slug.as_str())
        .bind(key_text(
            choice.sender.as_ref().map(OrganisationNumber::as_str),
        ))
        .bind(key_text(choice.campaign.as_ref().map(CampaignCode::as_str)))
        .execute(&self.pool)
        .await
        .context("count operator choice")?;
        Ok(())
    }

    async fn operator_choice_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<OperatorChoiceCount>, StoreError> {
        let sql = "SELECT day, operator_slug, sender, campaign, choices \
             FROM portal_operator_choices WHERE day >= $1 AND day <= $2 \
             ORDER BY day, operator_slug, sender, campaign";
        let rows = self
            .rows_in_range(sql, from, to, "read operator choices")
            .await?;
        rows.iter()
            .map(|row| {
                Ok(OperatorChoiceCount {
                    day: get_day(row, "day")?,
                    operator_slug: get_parsed(row, "operator_slug", OperatorSlug::parse)?,
                    sender: get_key(row, "sender", OrganisationNumber::parse)?,
                    campaign: get_key(row, "campaign", CampaignCode::parse)?,
                    choices: get_count(row, "choices")?,
                })
            })
            .collect()
    }

    async fn campaign_funnel(&self, code: &CampaignCode) -> Result<Vec<FunnelDay>, StoreError> {
        let code = [code.as_str()];
        let visits = "SELECT day, CAST(SUM(visits) AS BIGINT) AS visits, \
             CAST(SUM(unique_visitors) AS BIGINT) AS unique_visitors FROM portal_visits \
             WHERE campaign = $1 GROUP BY day";
        let visit_rows = fetch_all_by(&self.pool, visits, &code, "read campaign visits").await?;
        let choices = "SELECT day, CAST(SUM(choices) AS BIGINT) AS choices \
             FROM portal_operator_choices WHERE campaign = $1 GROUP BY day";
        let context = "read campaign operator choices";
        let choice_rows = fetch_all_by(&self.pool, choices, &code, context).await?;
        let mut days: BTreeMap<Date, FunnelDay> = BTreeMap::new();
        let empty = |day| FunnelDay {
            day,
            visits: 0,
            unique_visitors: 0,
            operator_choices: 0,
        };
        for row in &visit_rows {
            let day = get_day(row, "day")?;
            let entry = days.entry(day).or_insert_with(|| empty(day));
            entry.visits += get_count(row, "visits")?;
            entry.unique_visitors += get_count(row, "unique_visitors")?;
        }
        for row in &choice_rows {
            let day = get_day(row, "day")?;
            days.entry(day)
                .or_insert_with(|| empty(day))
                .operator_choices += get_count(row, "choices")?;
        }
        Ok(days.into_values().collect())
    }
}

impl SqlPortalStore {
    /// The rows of `sql` for the days `from..=to` (`$1`, `$2`), after checking the range.
    async fn rows_in_range(
        &self,
        sql: &'static str,
        from: Date,
        to: Date,
        context: &'static str,
    ) -> Result<Vec<AnyRow>, StoreError> {
        check_range(from, to)?;
        let days = [day_text(from), day_text(to)];
        fetch_all_by(&self.pool, sql, &[&days[0], &days[1]], context).await
    }
}

fn visit_count_from_row(row: &AnyRow) -> Result<VisitCount, StoreError> {
    Ok(VisitCount {
        day: get_day(row, "day")?,
        page: get_text(row, "page")?,
        sender: get_key(row, "sender", OrganisationNumber::parse)?,
        campaign: get_key(row, "campaign", CampaignCode::parse)?,
        campaign_known: get_flag(row, "campaign_known")?,
        referrer_domain: get_key(row, "referrer_domain", |text| Ok::<_, ()>(text.to_owned()))?,
        visits: get_count(row, "visits")?,
        unique_visitors: get_count(row, "unique_visitors")?,
    })
}
