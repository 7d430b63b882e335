//! The SQL implementation of [`PortalStore`]: each method hands over to the module that owns
//! its tables (`visits`, `campaigns`).

use async_trait::async_trait;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::operator::OperatorSlug;
use sqlx::AnyPool;
use time::Date;

use super::{
    AnnualTarget, Campaign, Communicator, FunnelDay, NewCampaign, OperatorChoiceCount, PortalStore,
    Visit, VisitCount, campaigns, visits,
};
use crate::StoreError;
use crate::database::Backend;

/// The portal's tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlPortalStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlPortalStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }
}

#[async_trait]
impl PortalStore for SqlPortalStore {
    async fn record_visit(&self, visit: &Visit) -> Result<bool, StoreError> {
        visits::record_visit(&self.pool, self.backend, visit).await
    }

    async fn forget_visitors_before(&self, day: Date) -> Result<u64, StoreError> {
        visits::forget_visitors_before(&self.pool, day).await
    }

    async fn visit_counts(&self, from: Date, to: Date) -> Result<Vec<VisitCount>, StoreError> {
        visits::visit_counts(&self.pool, from, to).await
    }

    async fn record_operator_choice(
        &self,
        day: Date,
        operator_slug: &OperatorSlug,
        sender: Option<&OrganisationNumber>,
        campaign: Option<&CampaignCode>,
    ) -> Result<(), StoreError> {
        visits::record_operator_choice(&self.pool, day, operator_slug, sender, campaign).await
    }

    async fn operator_choice_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<OperatorChoiceCount>, StoreError> {
        visits::operator_choice_counts(&self.pool, from, to).await
    }

    async fn create_campaign(&self, campaign: &NewCampaign) -> Result<Campaign, StoreError> {
        campaigns::create_campaign(&self.pool, self.backend, campaign).await
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        campaigns::campaigns(&self.pool, None).await
    }

    async fn campaign(&self, code: &CampaignCode) -> Result<Option<Campaign>, StoreError> {
        Ok(campaigns::campaigns(&self.pool, Some(code))
            .await?
            .into_iter()
            .next())
    }

    async fn campaign_funnel(&self, code: &CampaignCode) -> Result<Vec<FunnelDay>, StoreError> {
        visits::campaign_funnel(&self.pool, code).await
    }

    async fn grant_communicator(
        &self,
        person: &PersonalIdentityNumber,
        senders: &[OrganisationNumber],
        is_admin: bool,
    ) -> Result<Communicator, StoreError> {
        campaigns::grant_communicator(&self.pool, self.backend, person, senders, is_admin).await
    }

    async fn revoke_communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError> {
        campaigns::revoke_communicator(&self.pool, person).await
    }

    async fn communicator(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Option<Communicator>, StoreError> {
        Ok(campaigns::communicators(&self.pool, Some(person))
            .await?
            .into_iter()
            .next())
    }

    async fn communicators(&self) -> Result<Vec<Communicator>, StoreError> {
        campaigns::communicators(&self.pool, None).await
    }

    async fn set_annual_target(
        &self,
        year: i32,
        target_percent_persons: f64,
    ) -> Result<(), StoreError> {
        campaigns::set_annual_target(&self.pool, year, target_percent_persons).await
    }

    async fn annual_targets(&self) -> Result<Vec<AnnualTarget>, StoreError> {
        campaigns::annual_targets(&self.pool).await
    }
}
