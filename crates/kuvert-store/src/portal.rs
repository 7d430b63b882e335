//! `PortalStore`: what the public portal keeps (issue 5) — visits counted without tracking,
//! operator choices, campaigns, communicators and annual targets.
//!
//! **Invariant:** no address, user agent or stable visitor id is ever stored. A visit adds to
//! aggregate counts per (day, page, source); to count distinct visitors the store keeps, for
//! the current day only, a SHA-256 over the portal's daily visitor hash and the count's key,
//! and [`PortalStore::forget_visitors_before`] deletes those at the day's end. Registrations
//! are not counted here: they come from the registry's statistics feed by campaign.

mod campaigns;
mod records;
mod sql;
mod visits;

use async_trait::async_trait;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::operator::OperatorSlug;
use time::Date;

use crate::StoreError;

pub use records::{
    AnnualTarget, Campaign, Communicator, FunnelDay, NewCampaign, OperatorChoiceCount, Visit,
    VisitCount, VisitSource, VisitorHash,
};
pub(crate) use sql::SqlPortalStore;

/// The portal's storage. Held as `Arc<dyn PortalStore>` by `kuvert-portal`.
#[async_trait]
pub trait PortalStore: Send + Sync {
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
    async fn record_operator_choice(
        &self,
        day: Date,
        operator_slug: &OperatorSlug,
        sender: Option<&OrganisationNumber>,
        campaign: Option<&CampaignCode>,
    ) -> Result<(), StoreError>;
    /// Operator choices of `from..=to`, by day, operator and source (range as `visit_counts`).
    async fn operator_choice_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<OperatorChoiceCount>, StoreError>;

    /// Creates a campaign. `Conflict { what: "campaign" }` when the code is taken,
    /// `OutOfBounds` for a field beyond its limit or more than `limits::CAMPAIGNS_MAX`.
    async fn create_campaign(&self, campaign: &NewCampaign) -> Result<Campaign, StoreError>;
    /// Every campaign, newest start first.
    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError>;
    /// One campaign by code.
    async fn campaign(&self, code: &CampaignCode) -> Result<Option<Campaign>, StoreError>;
    /// The portal half of a campaign's funnel: per day with any activity, oldest first,
    /// visits and operator choices carrying the code.
    async fn campaign_funnel(&self, code: &CampaignCode) -> Result<Vec<FunnelDay>, StoreError>;

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
