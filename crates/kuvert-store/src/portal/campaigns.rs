//! Campaigns with their owning senders, communicators with the senders they work for, and
//! the annual targets of the connection rate.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::CAMPAIGNS_MAX;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use time::OffsetDateTime;

use super::records::check_communicator_senders;
use super::{AnnualTarget, Campaign, Communicator, NewCampaign, SqlPortalStore};
use crate::calendar::{day_text, get_day};
use crate::database::{
    begin_write, flag, get_count, get_flag, get_parsed, get_text, get_time, to_millis,
};
use crate::error::{SqlContext, StoreError};

/// Years a target may be set for.
const TARGET_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Campaigns, communicators and the annual targets. Part of [`PortalStore`](super::PortalStore).
#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Creates a campaign. `Conflict { what: "campaign" }` when the code is taken,
    /// `OutOfBounds` for a field beyond its limit or more than `limits::CAMPAIGNS_MAX`.
    async fn create_campaign(&self, campaign: &NewCampaign) -> Result<Campaign, StoreError>;
    /// Every campaign, newest start first.
    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError>;
    /// One campaign by code.
    async fn campaign(&self, code: &CampaignCode) -> Result<Option<Campaign>, StoreError>;
    /// Gives `person` the communicator role for `senders` (replacing what they had).
    /// `OutOfBounds` above `limits::COMMUNICATOR_SENDERS_MAX` senders.
    async fn grant_communicator(
        &self,
        person: &PersonalIdentityNumber,
        senders: &[OrganisationNumber],
        is_admin: bool,
    ) -> Result<Communicator, StoreError>;
    /// Takes the role away; returns whether the person had it.
    async fn revoke_communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError>;
    /// The person's communicator role, if any.
    async fn communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Option<Communicator>, StoreError>;
    /// Every communicator, by personal identity number.
    async fn communicators(&self) -> Result<Vec<Communicator>, StoreError>;
    /// Sets the year's target (per cent of persons with a mailbox at the year's end; kept to
    /// two decimals). `OutOfBounds` for a year outside 2000–2100 or a percentage outside
    /// 0–100.
    async fn set_annual_target(
        &self,
        year: i32,
        target_percent_persons: f64,
    ) -> Result<(), StoreError>;
    /// Every year's target, by year.
    async fn annual_targets(&self) -> Result<Vec<AnnualTarget>, StoreError>;
}

#[async_trait]
impl CampaignStore for SqlPortalStore {
    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        read_campaigns(&self.pool, None).await
    }

    async fn campaign(&self, code: &CampaignCode) -> Result<Option<Campaign>, StoreError> {
        Ok(read_campaigns(&self.pool, Some(code))
            .await?
            .into_iter()
            .next())
    }

    async fn communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Option<Communicator>, StoreError> {
        Ok(read_communicators(&self.pool, Some(person))
            .await?
            .into_iter()
            .next())
    }

    async fn communicators(&self) -> Result<Vec<Communicator>, StoreError> {
        read_communicators(&self.pool, None).await
    }
    async fn create_campaign(&self, campaign: &NewCampaign) -> Result<Campaign, StoreError> {
        campaign.check()?;
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let row = sqlx::query("SELECT COUNT(*) AS campaigns FROM portal_campaigns")
            .fetch_one(&mut *transaction)
            .await
            .context("count campaigns")?;
        if get_count(&row, "campaigns")? >= u64::try_from(CAMPAIGNS_MAX).unwrap_or(u64::MAX) {
            return Err(StoreError::OutOfBounds { what: "campaigns" });
        }
        let inserted = sqlx::query(
            "INSERT INTO portal_campaigns (code, name, channel, starts_on, ends_on, \
         goal_registrations, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (code) DO NOTHING",
        )
        .bind(campaign.code.as_str())
        .bind(&campaign.name)
        .bind(&campaign.channel)
        .bind(day_text(campaign.starts_on))
        .bind(day_text(campaign.ends_on))
        .bind(i64::try_from(campaign.goal_registrations).unwrap_or(i64::MAX))
        .bind(to_millis(OffsetDateTime::now_utc()))
        .execute(&mut *transaction)
        .await
        .context("insert campaign")?;
        if inserted.rows_affected() != 1 {
            return Err(StoreError::Conflict { what: "campaign" });
        }
        let owners: BTreeSet<&OrganisationNumber> = campaign.owners.iter().collect();
        for owner in owners {
            sqlx::query("INSERT INTO portal_campaign_owners (code, sender) VALUES ($1, $2)")
                .bind(campaign.code.as_str())
                .bind(owner.as_str())
                .execute(&mut *transaction)
                .await
                .context("insert campaign owner")?;
        }
        transaction.commit().await.context("commit campaign")?;
        read_campaigns(&self.pool, Some(&campaign.code))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { what: "campaign" })
    }

    async fn grant_communicator(
        &self,
        person: &PersonalIdentityNumber,
        senders: &[OrganisationNumber],
        is_admin: bool,
    ) -> Result<Communicator, StoreError> {
        check_communicator_senders(senders)?;
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        sqlx::query(
            "INSERT INTO portal_communicators (person, is_admin, granted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (person) DO UPDATE SET is_admin = excluded.is_admin, \
         granted_at = excluded.granted_at",
        )
        .bind(person.as_str())
        .bind(flag(is_admin))
        .bind(to_millis(OffsetDateTime::now_utc()))
        .execute(&mut *transaction)
        .await
        .context("store communicator")?;
        sqlx::query("DELETE FROM portal_communicator_senders WHERE person = $1")
            .bind(person.as_str())
            .execute(&mut *transaction)
            .await
            .context("clear communicator senders")?;
        let senders: BTreeSet<&OrganisationNumber> = senders.iter().collect();
        for sender in senders {
            sqlx::query("INSERT INTO portal_communicator_senders (person, sender) VALUES ($1, $2)")
                .bind(person.as_str())
                .bind(sender.as_str())
                .execute(&mut *transaction)
                .await
                .context("store communicator sender")?;
        }
        transaction.commit().await.context("commit communicator")?;
        read_communicators(&self.pool, Some(person))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound {
                what: "communicator",
            })
    }

    async fn revoke_communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError> {
        // The senders go with the row (ON DELETE CASCADE; SQLite has foreign keys on).
        sqlx::query("DELETE FROM portal_communicator_senders WHERE person = $1")
            .bind(person.as_str())
            .execute(&self.pool)
            .await
            .context("delete communicator senders")?;
        let deleted = sqlx::query("DELETE FROM portal_communicators WHERE person = $1")
            .bind(person.as_str())
            .execute(&self.pool)
            .await
            .context("delete communicator")?;
        Ok(deleted.rows_affected() == 1)
    }

    async fn set_annual_target(
        &self,
        year: i32,
        target_percent_persons: f64,
    ) -> Result<(), StoreError> {
        if !TARGET_YEARS.contains(&year) {
            return Err(StoreError::OutOfBounds {
                what: "target year",
            });
        }
        if !(0.0..=100.0).contains(&target_percent_persons) {
            return Err(StoreError::OutOfBounds {
                what: "target percentage",
            });
        }
        // In range 0..=10000 after the check above, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let hundredths = (target_percent_persons * 100.0).round() as i64;
        sqlx::query(
            "INSERT INTO portal_annual_targets (year, target_hundredths) VALUES ($1, $2) \
         ON CONFLICT (year) DO UPDATE SET target_hundredths = excluded.target_hundredths",
        )
        .bind(i64::from(year))
        .bind(hundredths)
        .execute(&self.pool)
        .await
        .context("store annual target")?;
        Ok(())
    }

    async fn annual_targets(&self) -> Result<Vec<AnnualTarget>, StoreError> {
        let rows =
            sqlx::query("SELECT year, target_hundredths FROM portal_annual_targets ORDER BY year")
                .fetch_all(&self.pool)
                .await
                .context("read annual targets")?;
        rows.iter()
            .map(|row| {
                let year: i64 = row.try_get("year").context("read target year")?;
                let hundredths = get_count(row, "target_hundredths")?;
                Ok(AnnualTarget {
                    year: i32::try_from(year).map_err(|_| StoreError::OutOfBounds {
                        what: "target year",
                    })?,
                    #[allow(clippy::cast_precision_loss)]
                    target_percent_persons: hundredths as f64 / 100.0,
                })
            })
            .collect()
    }
}

/// Every campaign, or the one with `code`; newest start first.
async fn read_campaigns(
    pool: &AnyPool,
    code: Option<&CampaignCode>,
) -> Result<Vec<Campaign>, StoreError> {
    let filter = code.map_or_else(String::new, |code| code.as_str().to_owned());
    let rows = sqlx::query(
        "SELECT code, name, channel, starts_on, ends_on, goal_registrations, created_at \
         FROM portal_campaigns WHERE $1 = '' OR code = $1 ORDER BY starts_on DESC, code",
    )
    .bind(&filter)
    .fetch_all(pool)
    .await
    .context("read campaigns")?;
    let owner_rows =
        sqlx::query("SELECT code, sender FROM portal_campaign_owners WHERE $1 = '' OR code = $1")
            .bind(&filter)
            .fetch_all(pool)
            .await
            .context("read campaign owners")?;
    let mut owners: BTreeMap<String, BTreeSet<OrganisationNumber>> = BTreeMap::new();
    for row in &owner_rows {
        owners
            .entry(get_text(row, "code")?)
            .or_default()
            .insert(get_parsed(row, "sender", OrganisationNumber::parse)?);
    }
    rows.iter()
        .map(|row| campaign_from_row(row, &mut owners))
        .collect()
}

fn campaign_from_row(
    row: &AnyRow,
    owners: &mut BTreeMap<String, BTreeSet<OrganisationNumber>>,
) -> Result<Campaign, StoreError> {
    let code = get_parsed(row, "code", CampaignCode::parse)?;
    Ok(Campaign {
        owners: owners.remove(code.as_str()).unwrap_or_default(),
        code,
        name: get_text(row, "name")?,
        channel: get_text(row, "channel")?,
        starts_on: get_day(row, "starts_on")?,
        ends_on: get_day(row, "ends_on")?,
        goal_registrations: get_count(row, "goal_registrations")?,
        created_at: get_time(row, "created_at")?,
    })
}

/// Every communicator, or the one who is `person`.
async fn read_communicators(
    pool: &AnyPool,
    person: Option<&PersonalIdentityNumber>,
) -> Result<Vec<Communicator>, StoreError> {
    let filter = person.map_or_else(String::new, |person| person.as_str().to_owned());
    let rows = sqlx::query(
        "SELECT person, is_admin, granted_at FROM portal_communicators \
         WHERE $1 = '' OR person = $1 ORDER BY person",
    )
    .bind(&filter)
    .fetch_all(pool)
    .await
    .context("read communicators")?;
    let sender_rows = sqlx::query(
        "SELECT person, sender FROM portal_communicator_senders WHERE $1 = '' OR person = $1",
    )
    .bind(&filter)
    .fetch_all(pool)
    .await
    .context("read communicator senders")?;
    let mut senders: BTreeMap<String, BTreeSet<OrganisationNumber>> = BTreeMap::new();
    for row in &sender_rows {
        senders
            .entry(get_text(row, "person")?)
            .or_default()
            .insert(get_parsed(row, "sender", OrganisationNumber::parse)?);
    }
    rows.iter()
        .map(|row| {
            let person = get_parsed(row, "person", PersonalIdentityNumber::parse)?;
            Ok(Communicator {
                senders: senders.remove(person.as_str()).unwrap_or_default(),
                person,
                is_admin: get_flag(row, "is_admin")?,
                granted_at: get_time(row, "granted_at")?,
            })
        })
        .collect()
}
