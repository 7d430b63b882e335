//! [`VisitCounter`]: counts page views and operator choices in the portal's store without
//! tracking anyone. A visit is stored as a count under (day, page, deep-link sender,
//! campaign and whether it is known, referrer domain); the visitor is a daily-salted hash
//! ([`crate::domain::visitor`]) used only to count unique visitors that day, and the day's
//! hashes are deleted when the Stockholm day changes. No address, user agent, full referrer
//! or cookie is ever kept.

use std::sync::Arc;
use std::time::Duration;

use kuvert_core::calendar::stockholm_day;
use kuvert_core::limits::REFERRER_DOMAIN_CHARS_MAX;
use kuvert_core::operator::OperatorSlug;
use kuvert_store::StoreError;
use kuvert_store::portal::network::NetworkStore;
use kuvert_store::portal::{OperatorChoice, PortalStore, Visit, VisitSource, VisitorHash};
use kuvert_web::Shutdown;
use time::OffsetDateTime;

use crate::domain::deep_link::DeepLink;
use crate::domain::visitor::VisitorSalts;

/// How often the day-change task looks at the clock: yesterday's salt is gone at most this
/// long after midnight in Stockholm.
const DAY_CHANGE_CHECK: Duration = Duration::from_secs(60);

/// Records visits and operator choices. Clones share the salt.
#[derive(Clone)]
pub(crate) struct VisitCounter {
    store: Arc<dyn PortalStore>,
    /// The A/B tests' visitor variants, forgotten with the visit keys.
    network: Arc<dyn NetworkStore>,
    salts: Arc<VisitorSalts>,
    /// The portal's own host: navigation inside the portal is not a referrer.
    own_host: Option<String>,
}

/// What one request tells about its visitor, read at the HTTP edge.
#[derive(Debug, Clone, Default)]
pub(crate) struct VisitFacts {
    /// The client's address (TCP peer or the configured proxy header), `""` when unknown.
    pub(crate) address: String,
    /// The `User-Agent` header, `""` when absent.
    pub(crate) user_agent: String,
    /// The `Referer` header as sent; only its host is kept.
    pub(crate) referrer: Option<String>,
}

impl std::fmt::Debug for VisitCounter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("VisitCounter")
            .field("own_host", &self.own_host)
            .finish_non_exhaustive()
    }
}

impl VisitCounter {
    pub(crate) fn new(
        store: Arc<dyn PortalStore>,
        network: Arc<dyn NetworkStore>,
        public_url: &url::Url,
    ) -> Self {
        Self {
            store,
            network,
            salts: Arc::new(VisitorSalts::new()),
            own_host: public_url.host_str().map(str::to_ascii_lowercase),
        }
    }

    /// The portal's store, for the pages that read it.
    pub(crate) fn store(&self) -> &Arc<dyn PortalStore> {
        &self.store
    }

    /// Counts a view of `page` (the route, e.g. `/skaffa`) today. Returns whether the visitor
    /// was new for this page and source today.
    pub(crate) async fn record_visit(
        &self,
        page: &str,
        deep_link: &DeepLink,
        facts: &VisitFacts,
    ) -> Result<bool, StoreError> {
        let today = stockholm_day(OffsetDateTime::now_utc());
        let visitor = self.salts.visitor(today, &facts.address, &facts.user_agent);
        if visitor.is_new_day {
            self.forget_before(today).await?;
        }
        let campaign_known = match &deep_link.campaign {
            Some(code) => self.store.campaign(code).await?.is_some(),
            None => false,
        };
        let visit = Visit {
            day: today,
            page: page.to_owned(),
            visitor: VisitorHash(visitor.hash),
            source: VisitSource {
                sender: deep_link.sender.clone(),
                campaign: deep_link.campaign.clone(),
                campaign_known,
                referrer_domain: facts
                    .referrer
                    .as_deref()
                    .and_then(|referrer| referrer_domain(referrer, self.own_host.as_deref())),
            },
        };
        let is_new_visitor = self.store.record_visit(&visit).await?;
        metrics::counter!("kuvert_portal_page_views_total").increment(1);
        Ok(is_new_visitor)
    }

    /// Counts that a person chose `operator` today, with the deep link they came with.
    pub(crate) async fn record_operator_choice(
        &self,
        operator: &OperatorSlug,
        deep_link: &DeepLink,
    ) -> Result<(), StoreError> {
        let today = stockholm_day(OffsetDateTime::now_utc());
        let choice = OperatorChoice {
            day: today,
            operator_slug: operator.clone(),
            sender: deep_link.sender.clone(),
            campaign: deep_link.campaign.clone(),
        };
        self.store.record_operator_choice(&choice).await?;
        metrics::counter!("kuvert_portal_operator_choices_total").increment(1);
        Ok(())
    }

    /// Today and the visitor's hash for today: the same key the visit counter uses, for the
    /// A/B tests' cookieless assignment.
    pub(crate) async fn visitor_today(
        &self,
        facts: &VisitFacts,
    ) -> Result<(time::Date, VisitorHash), StoreError> {
        let today = stockholm_day(OffsetDateTime::now_utc());
        let visitor = self.salts.visitor(today, &facts.address, &facts.user_agent);
        if visitor.is_new_day {
            self.forget_before(today).await?;
        }
        Ok((today, VisitorHash(visitor.hash)))
    }

    /// Deletes the visit keys and the A/B variants of every day before `today`.
    pub(crate) async fn forget_before(&self, today: time::Date) -> Result<(), StoreError> {
        self.store.forget_visitors_before(today).await?;
        self.network.forget_ab_visitors_before(today).await?;
        Ok(())
    }

    /// Until `shutdown`: at each Stockholm day change, drops yesterday's salt and deletes the
    /// stored visitor hashes of earlier days, even when nobody visits.
    pub(crate) async fn run_day_change(self, shutdown: Shutdown) {
        loop {
            tokio::select! {
                () = shutdown.wait() => return,
                () = tokio::time::sleep(DAY_CHANGE_CHECK) => {}
            }
            let today = stockholm_day(OffsetDateTime::now_utc());
            if self.salts.forget_unless(today)
                && let Err(error) = self.forget_before(today).await
            {
                tracing::error!(
                    error = %kuvert_core::report::error_chain(&error),
                    "forgetting earlier visitor hashes failed; retried at the next visit"
                );
            }
        }
    }
}

/// The host of `referrer`, lower case, unless it is the portal itself (`own_host`), not
/// http(s), or longer than a DNS name can be. Path and query are never kept: they may name a
/// person's case or search.
fn referrer_domain(referrer: &str, own_host: Option<&str>) -> Option<String> {
    let url = url::Url::parse(referrer).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let is_own = own_host == Some(host.as_str());
    (!is_own && host.len() <= REFERRER_DOMAIN_CHARS_MAX).then_some(host)
}

#[cfg(test)]
mod tests;
