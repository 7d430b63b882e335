//! The statistics feed the portal's dashboards read (issue 5) and the letter counts senders
//! report after a mailing. The feed holds only aggregates, so any organisation with a
//! verified certificate may read it; letters are reported by the sender itself or an
//! intermediary registered for it, exactly as for `isReachable`.

use kuvert_core::calendar::YearMonth;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::registry::OperatorRecord;
use kuvert_store::registry::{
    DailyRegistrations, LetterCounts, MailboxCounts, OperatorMailboxes, RegistrationQuery,
};
use time::Date;

use super::Registry;
use crate::domain::access;
use crate::error::Error;

/// Everything a dashboard needs from the registry for `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsFeed {
    /// First day (Swedish calendar day).
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The daily registration counters of the range, grouped and filtered as asked.
    pub registrations: Vec<DailyRegistrations>,
    /// Letters per sender for the months the range touches (empty when not asked for).
    pub letters: Vec<LetterCounts>,
    /// Active mailboxes at the start of `from`.
    pub mailboxes_before: MailboxCounts,
    /// The same per operator.
    pub mailboxes_before_per_operator: Vec<OperatorMailboxes>,
    /// Connected senders now.
    pub senders: u64,
    /// The operators, for their names.
    pub operators: Vec<OperatorRecord>,
}

impl Registry {
    /// The statistics of `query.from..=query.to` for any identified organisation: the
    /// registration counters as `query` groups and filters them, and the letters of the
    /// months the range touches when `with_letters` (a campaign's page shows none).
    ///
    /// # Errors
    /// `InvalidInput` for a backward range or one longer than
    /// `limits::STATISTICS_RANGE_DAYS_MAX` days, or a campaign filter the store refuses
    /// (see `RegistryStore::registration_statistics`).
    #[tracing::instrument(skip_all, fields(caller = %caller, from = %query.from, to = %query.to))]
    pub async fn statistics(
        &self,
        caller: &OrganisationNumber,
        query: &RegistrationQuery,
        with_letters: bool,
    ) -> Result<StatisticsFeed, Error> {
        let (from, to) = (query.from, query.to);
        let store = &self.store;
        let letters = async {
            if with_letters {
                store
                    .letter_statistics(YearMonth::of(from), YearMonth::of(to))
                    .await
            } else {
                Ok(Vec::new())
            }
        };
        // Independent reads, asked at once: each is one small query on its own connection.
        let (registrations, letters, before, per_operator, senders, operators) = tokio::try_join!(
            store.registration_statistics(query),
            letters,
            store.mailboxes_before(from),
            store.mailboxes_before_per_operator(from),
            store.sender_count(),
            store.operators(),
        )?;
        let feed = StatisticsFeed {
            from,
            to,
            registrations,
            letters,
            mailboxes_before: before,
            mailboxes_before_per_operator: per_operator,
            senders,
            operators,
        };
        tracing::info!(
            target: "audit",
            caller = %caller,
            from = %from,
            to = %to,
            sources = ?query.sources,
            campaigns = query.campaigns.len(),
            rows = feed.registrations.len(),
            "statistics read"
        );
        Ok(feed)
    }

    /// Adds a sender's letters of one month; returns the month's totals.
    ///
    /// # Errors
    /// `UnknownSender`; `IntermediaryNotApproved` when the caller is neither the sender nor
    /// registered to deliver for it; `InvalidInput` above `limits::LETTERS_PER_REPORT_MAX`.
    #[tracing::instrument(skip_all, fields(caller = %caller, sender = %counts.sender))]
    pub async fn report_letters(
        &self,
        caller: &OrganisationNumber,
        counts: &LetterCounts,
    ) -> Result<LetterCounts, Error> {
        let sender_record = self.store.sender(&counts.sender).await?;
        let intermediary = self.store.intermediary(caller).await?;
        access::authorize_reachability(
            caller,
            &counts.sender,
            sender_record.as_ref(),
            intermediary.as_ref(),
        )?;
        let totals = self.store.add_letter_counts(counts).await?;
        metrics::counter!("kuvert_registry_letters_reported_total")
            .increment(counts.digital.saturating_add(counts.paper));
        tracing::info!(
            target: "audit",
            caller = %caller,
            sender = %counts.sender,
            month = %counts.month,
            digital = counts.digital,
            paper = counts.paper,
            "letter counts reported"
        );
        Ok(totals)
    }
}
