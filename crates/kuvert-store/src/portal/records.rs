//! Record types of the portal store and the bounds every input is checked against before it
//! reaches SQL (`limits` in kuvert-core).

use std::collections::BTreeSet;
use std::fmt;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{
    CAMPAIGN_CHANNEL_CHARS_MAX, CAMPAIGN_NAME_CHARS_MAX, CAMPAIGN_OWNERS_MAX,
    COMMUNICATOR_SENDERS_MAX, PORTAL_PAGE_CHARS_MAX, REFERRER_DOMAIN_CHARS_MAX,
};
use kuvert_core::operator::OperatorSlug;
use time::{Date, OffsetDateTime};

use crate::StoreError;

/// A visitor's hash for one day: SHA-256 over (the day's secret salt, address, user agent),
/// made by the portal. It cannot be traced back once the salt is gone at the day's end.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VisitorHash(pub [u8; 32]);

impl fmt::Debug for VisitorHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("VisitorHash(..)")
    }
}

/// Where a visit came from: a deep link's sender and campaign, and the referring site.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitSource {
    /// The sender named by the deep link (`avsandare=`).
    pub sender: Option<OrganisationNumber>,
    /// The campaign code of the deep link (`kampanj=`), known or not.
    pub campaign: Option<CampaignCode>,
    /// Whether `campaign` names a campaign the portal knows; unknown codes are still counted.
    pub campaign_known: bool,
    /// The referring site's domain, e.g. `www.kommun.se` (at most
    /// `limits::REFERRER_DOMAIN_CHARS_MAX` characters); `None` for none or the portal itself.
    pub referrer_domain: Option<String>,
}

/// One page view to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The Swedish calendar day of the visit.
    pub day: Date,
    /// The page, by route (`/`, `/skaffa`, …; at most `limits::PORTAL_PAGE_CHARS_MAX`).
    pub page: String,
    /// The visitor's hash for this day.
    pub visitor: VisitorHash,
    /// Where the visit came from.
    pub source: VisitSource,
}

/// One choice of an operator on the chooser to count, with the deep link it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorChoice {
    /// The Swedish calendar day of the choice.
    pub day: Date,
    /// The operator chosen (`/skaffa/{operator_slug}`).
    pub operator_slug: OperatorSlug,
    /// The sender named by the deep link.
    pub sender: Option<OrganisationNumber>,
    /// The campaign code of the deep link.
    pub campaign: Option<CampaignCode>,
}

/// Visits for one day, page and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitCount {
    /// The Swedish calendar day.
    pub day: Date,
    /// The page.
    pub page: String,
    /// Deep link sender.
    pub sender: Option<OrganisationNumber>,
    /// Deep link campaign.
    pub campaign: Option<CampaignCode>,
    /// Whether the campaign was known when visited.
    pub campaign_known: bool,
    /// Referring site.
    pub referrer_domain: Option<String>,
    /// Page views.
    pub visits: u64,
    /// Distinct visitors among them (per day, page and source).
    pub unique_visitors: u64,
}

/// Operator choices (`/skaffa/{operator}`) for one day, operator and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorChoiceCount {
    /// The Swedish calendar day.
    pub day: Date,
    /// The operator's short name in portal addresses.
    pub operator_slug: OperatorSlug,
    /// Deep link sender.
    pub sender: Option<OrganisationNumber>,
    /// Deep link campaign.
    pub campaign: Option<CampaignCode>,
    /// Times the operator was chosen.
    pub choices: u64,
}

/// A campaign to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    /// Its code, the `kampanj=` of its deep links.
    pub code: CampaignCode,
    /// Name shown to communicators (1..=`limits::CAMPAIGN_NAME_CHARS_MAX` characters).
    pub name: String,
    /// The senders running it (1..=`limits::CAMPAIGN_OWNERS_MAX`).
    pub owners: Vec<OrganisationNumber>,
    /// Channel, e.g. "brev" or "webb" (1..=`limits::CAMPAIGN_CHANNEL_CHARS_MAX` characters).
    pub channel: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (not before `starts_on`).
    pub ends_on: Date,
    /// Registrations it aims for.
    pub goal_registrations: u64,
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    /// Its code.
    pub code: CampaignCode,
    /// Name shown to communicators.
    pub name: String,
    /// The senders running it, by organisation number.
    pub owners: BTreeSet<OrganisationNumber>,
    /// Channel.
    pub channel: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Registrations it aims for.
    pub goal_registrations: u64,
    /// When it was created (to the millisecond).
    pub created_at: OffsetDateTime,
}

/// One day of a campaign's funnel on the portal side; registrations come from the registry's
/// feed by `source_campaign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelDay {
    /// The Swedish calendar day.
    pub day: Date,
    /// Page views with the campaign's code.
    pub visits: u64,
    /// Distinct visitors with the code (summed over pages and referrers).
    pub unique_visitors: u64,
    /// Operators chosen with the code.
    pub operator_choices: u64,
}

/// A person allowed to see and run campaigns for some senders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Communicator {
    /// The person (from e-ID login).
    pub person: PersonalIdentityNumber,
    /// Senders whose campaigns and figures the person works with.
    pub senders: BTreeSet<OrganisationNumber>,
    /// May work for every sender and enter annual targets.
    pub is_admin: bool,
    /// When the role was (last) given.
    pub granted_at: OffsetDateTime,
}

/// The year's target for the connection rate, from the annual communication plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnnualTarget {
    /// The year.
    pub year: i32,
    /// Persons with a mailbox at the end of the year, in per cent (two decimals kept).
    pub target_percent_persons: f64,
}

/// `OutOfBounds { what }` unless `text` has `1..=max` characters.
pub(super) fn check_text(text: &str, max: usize, what: &'static str) -> Result<(), StoreError> {
    let length = text.chars().count();
    if length == 0 || length > max {
        return Err(StoreError::OutOfBounds { what });
    }
    Ok(())
}

impl Visit {
    pub(super) fn check(&self) -> Result<(), StoreError> {
        check_text(&self.page, PORTAL_PAGE_CHARS_MAX, "page")?;
        if let Some(domain) = &self.source.referrer_domain {
            check_text(domain, REFERRER_DOMAIN_CHARS_MAX, "referrer domain")?;
        }
        Ok(())
    }
}

impl NewCampaign {
    pub(super) fn check(&self) -> Result<(), StoreError> {
        check_text(&self.name, CAMPAIGN_NAME_CHARS_MAX, "campaign name")?;
        check_text(
            &self.channel,
            CAMPAIGN_CHANNEL_CHARS_MAX,
            "campaign channel",
        )?;
        if self.owners.is_empty() || self.owners.len() > CAMPAIGN_OWNERS_MAX {
            return Err(StoreError::OutOfBounds {
                what: "campaign owners",
            });
        }
        if self.ends_on < self.starts_on {
            return Err(StoreError::OutOfBounds {
                what: "campaign period",
            });
        }
        if i64::try_from(self.goal_registrations).is_err() {
            return Err(StoreError::OutOfBounds {
                what: "campaign goal",
            });
        }
        Ok(())
    }
}

pub(super) fn check_communicator_senders(senders: &[OrganisationNumber]) -> Result<(), StoreError> {
    if senders.len() > COMMUNICATOR_SENDERS_MAX {
        return Err(StoreError::OutOfBounds {
            what: "communicator senders",
        });
    }
    Ok(())
}
