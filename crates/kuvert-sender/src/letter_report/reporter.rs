//! The background reporter of the sender service (`kuvert sender serve`) and the intermediary
//! (`kuvert intermediary serve`): every letter that ended digital or on paper is reported to
//! the registry's letter statistics once, per sender and month (issue 15), as `kuvert send`
//! and `kuvert mailing` report theirs.
//!
//! One task per service node runs a round every [`REPORT_EVERY`] and, at shutdown, one last
//! round bounded by [`LAST_ROUND_TIMEOUT`] (best effort: what it misses, the next start
//! reports). A round claims the unreported letters in the database
//! (`kuvert_store::letter_report`: at most `LETTERS_REPORTED_PER_ROUND_MAX`, none another node
//! is counting), posts each sender's counts under the month of the report (Stockholm time, as
//! the mailing does), marks exactly that sender's claimed letters reported, and lets go of the
//! rest, whose report failed: it is logged and a later round, on any node, tries again. The
//! round runs beside the deliveries and never holds or undoes one.
//!
//! **Counted twice, rarely:** a node that stops between the registry's answer and the mark
//! (or whose claim of [`CLAIM_SECS`] lapsed mid-round and was taken by another node) leaves
//! letters the registry has counted unmarked, and they are counted again, as with a mailing
//! that stops between its report and its journal's `reported` marks.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_core::limits::LETTERS_REPORTED_PER_ROUND_MAX;
use kuvert_core::report::error_chain;
use kuvert_store::StoreError;
use kuvert_store::letter_report::{LetterReportStore, ReportClaim};
use kuvert_store::sender::LeaseHolder;
use kuvert_web::Shutdown;
use time::{Duration, OffsetDateTime};
use url::Url;

use super::{LetterReport, post_report};
use crate::toolkit::Toolkit;

/// How often a node reports the letters that ended since its last round.
pub(crate) const REPORT_EVERY: StdDuration = StdDuration::from_secs(5);

/// How long the last round at shutdown may take.
pub(crate) const LAST_ROUND_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// How long a round's claim runs: far beyond a round's registry calls, each bounded by the
/// toolkit's timeouts; a round stops posting at half of it.
const CLAIM_SECS: i64 = 600;

/// What one round reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRound {
    /// Each sender's counts the registry added, under the month of the report.
    pub reported: Vec<LetterReport>,
    /// Senders whose report failed (logged; their letters are reported in a later round).
    pub failed: usize,
}

/// A service node's reporter: its tables of letters, the registry and its claims' holder.
pub(crate) struct Reporter {
    /// The node's tables of letters (the sender service's queue and, when it serves Message
    /// v3 beside, its distributions; the intermediary's distributions).
    stores: Vec<Arc<dyn LetterReportStore>>,
    client: reqwest::Client,
    url: Url,
    holder: LeaseHolder,
    /// `sender_service` or `intermediary`, for logs and metrics.
    service: &'static str,
    /// Held through a round: one node's rounds (its task's, the last one, a test's) never
    /// overlap, as they share the holder and so each other's claims.
    round: tokio::sync::Mutex<()>,
}

impl Reporter {
    /// A reporter of the letters in `stores` to the registry `toolkit` reaches.
    pub(crate) fn new(
        toolkit: &Toolkit,
        stores: Vec<Arc<dyn LetterReportStore>>,
        service: &'static str,
    ) -> Self {
        let (client, url) = toolkit.letters_endpoint();
        Self {
            stores,
            client,
            url,
            holder: LeaseHolder::new_random(),
            service,
            round: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs a round every [`REPORT_EVERY`] until `shutdown`; the caller runs the last round
    /// ([`Reporter::last_round`]) once the deliveries have stopped.
    pub(crate) async fn run(self: Arc<Self>, shutdown: Shutdown) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(REPORT_EVERY) => {}
                () = shutdown.wait() => return,
            }
            if let Err(error) = self.report_once().await {
                tracing::warn!(service = self.service, error = %error_chain(&error),
                    "cannot read the letters to report");
            }
        }
    }

    /// The round at shutdown, within [`LAST_ROUND_TIMEOUT`].
    pub(crate) async fn last_round(&self) {
        match tokio::time::timeout(LAST_ROUND_TIMEOUT, self.report_once()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(service = self.service,
                error = %error_chain(&error), "cannot read the letters to report at shutdown"),
            Err(_) => tracing::warn!(
                service = self.service,
                "the last letter report did not finish: the next start reports the rest"
            ),
        }
    }

    /// One round over every table: claim, report per sender, mark, let go of the rest.
    ///
    /// # Errors
    /// [`StoreError`] when the letters cannot be claimed; a sender's failed report is
    /// counted in [`ReportRound::failed`] instead.
    pub(crate) async fn report_once(&self) -> Result<ReportRound, StoreError> {
        let _round = self.round.lock().await;
        let mut round = ReportRound::default();
        for store in &self.stores {
            self.report_table(store.as_ref(), &mut round).await?;
        }
        Ok(round)
    }

    /// One table's part of a round, added to `round`.
    async fn report_table(
        &self,
        store: &dyn LetterReportStore,
        round: &mut ReportRound,
    ) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        let claim = ReportClaim {
            holder: &self.holder,
            now,
            until: now + Duration::seconds(CLAIM_SECS),
            limit: LETTERS_REPORTED_PER_ROUND_MAX,
        };
        let senders = store.claim_unreported(claim).await?;
        let month = YearMonth::of(stockholm_day(now));
        let stop_posting_at = now + Duration::seconds(CLAIM_SECS / 2);
        for letters in senders {
            if OffsetDateTime::now_utc() > stop_posting_at {
                round.failed += 1;
                continue;
            }
            let report = LetterReport {
                sender: letters.sender,
                month,
                digital: letters.digital,
                paper: letters.paper,
            };
            if self.report(store, &report).await {
                round.reported.push(report);
            } else {
                round.failed += 1;
            }
        }
        if let Err(error) = store.release_report_claims(&self.holder).await {
            // The claims lapse on their own; their letters wait until then.
            tracing::warn!(service = self.service, error = %error_chain(&error),
                "cannot let go of unreported letters");
        }
        Ok(())
    }

    /// Posts one sender's counts and marks its letters; whether the registry counted them.
    async fn report(&self, store: &dyn LetterReportStore, report: &LetterReport) -> bool {
        let (service, sender, month) = (self.service, report.sender.as_str(), report.month);
        if let Err(error) = post_report(&self.client, &self.url, report).await {
            metrics::counter!("kuvert_sender_letter_reports_total",
                "service" => self.service, "outcome" => "failed")
            .increment(1);
            tracing::warn!(service, sender, month = %month,
                error = %error_chain(&error), "letter report failed: retried later");
            return false;
        }
        metrics::counter!("kuvert_sender_letter_reports_total",
            "service" => self.service, "outcome" => "reported")
        .increment(1);
        let marked = store
            .mark_reported(&self.holder, &report.sender, OffsetDateTime::now_utc())
            .await;
        match marked {
            Ok(marked) if marked == report.digital + report.paper => {
                tracing::info!(service, sender, month = %month,
                    digital = report.digital, paper = report.paper, "letter counts reported");
            }
            Ok(marked) => tracing::warn!(
                service,
                sender,
                marked,
                digital = report.digital,
                paper = report.paper,
                "reported letters were taken over by another node: they may count twice"
            ),
            Err(error) => tracing::error!(service, sender,
                error = %error_chain(&error),
                "the registry counted letters that cannot be marked: they will count twice"),
        }
        true
    }
}
