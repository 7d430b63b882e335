//! `PortalStore`: what the public portal keeps (issue 5) — visits counted without tracking,
//! operator choices, campaigns, communicators and annual targets.
//!
//! **Invariant:** no address, user agent or stable visitor id is ever stored. A visit adds to
//! aggregate counts per (day, page, source); to count distinct visitors the store keeps, for
//! the current day only, a SHA-256 over the portal's daily visitor hash and the count's key,
//! and [`VisitStore::forget_visitors_before`] deletes those at the day's end. Registrations
//! are not counted here: they come from the registry's statistics feed by campaign.

mod campaigns;
pub mod editorial;
pub mod network;
pub mod plans;
mod records;
mod visits;

use sqlx::AnyPool;

use crate::database::Backend;

pub use campaigns::CampaignStore;
pub use records::{
    AnnualTarget, Campaign, Communicator, FunnelDay, NewCampaign, OperatorChoice,
    OperatorChoiceCount, Visit, VisitCount, VisitSource, VisitorHash,
};
pub use visits::VisitStore;

/// The portal's storage. Held as `Arc<dyn PortalStore>` by `kuvert-portal`.
///
/// One trait per concern, each declared and implemented in the module that owns its tables:
/// [`VisitStore`] and [`CampaignStore`]. Anything that implements both is a `PortalStore`.
pub trait PortalStore: VisitStore + CampaignStore {}

impl<T: VisitStore + CampaignStore + ?Sized> PortalStore for T {}

/// The portal's tables in a SQLite or PostgreSQL database: implements every part of
/// [`PortalStore`], each in its topic module.
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
