//! Mass mailing from a manifest (`kuvert mailing`): a CSV or JSON [`Manifest`] of letters, a
//! resumable [`Journal`], reachability asked in batches, bounded concurrency per operator,
//! progress counts, a final [`MailingReport`] and the paper-mail list of the unreachable.
//!
//! A run: [`Manifest::read`] (every row checked before anything is sent), [`Journal::open`]
//! (next to the manifest; what earlier runs finished is skipped), then [`run`]. Each row's
//! message id is fixed by the journal (the run id with the line XORed in), so however often a
//! mailing is stopped and resumed, an operator sees each letter once: a row sealed but not
//! known to be delivered is resent with the same bytes from the evidence archive and the
//! operator answers with its original receipt. Beside the paper-mail list, each paper row gets
//! its print-ready letter (`paper`, [`crate::paper_letter`]).

pub(crate) mod csv;
mod journal;
mod json;
mod manifest;
mod paper;
mod row;
mod run;

use std::path::PathBuf;
use std::time::Duration;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::MAILING_CONCURRENCY_PER_OPERATOR_MAX;
use kuvert_core::message::SupportInfo;

pub use journal::{Event, Journal, JournalError};
pub use manifest::{
    BodySource, Manifest, ManifestError, ManifestFormat, ManifestRow, RowError, RowPlace,
};
pub use paper::{PaperLetters, paper_letter_file_name};
pub use run::run;

pub(crate) use manifest::{Fields, read_fields, read_text};
pub(crate) use row::{RowCheck, check_row};

use crate::error::SendError;
use crate::reachability::PaperReason;

/// How to run a mailing.
#[derive(Debug, Clone)]
pub struct MailingOptions {
    /// The sender (avsändare) of every letter; the toolkit must sign for it.
    pub sender: OrganisationNumber,
    /// Where recipients get help (`SupportInfo`), the same on every letter.
    pub support_info: SupportInfo,
    /// Letters in flight to one operator at a time, `1..=MAILING_CONCURRENCY_PER_OPERATOR_MAX`
    /// (default `MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT`).
    pub concurrency_per_operator: usize,
    /// The mailing's paper-mail list (CSV, `PAPER_MAIL_HEADER`), rewritten each run.
    pub paper_list: PathBuf,
    /// The folder of the print-ready paper letters, one PDF per row of the paper-mail list
    /// (`paper_letter_file_name`), rewritten each run.
    pub paper_letters: PathBuf,
    /// The portal, for the deep link printed on paper letters.
    pub portal_url: Option<url::Url>,
    /// At most this many rows this run (the rest on the next); `None` for all.
    pub max_rows: Option<usize>,
}

/// Counts so far, handed to the progress callback after each row ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows in the manifest.
    pub rows: usize,
    /// Rows an earlier run finished (skipped).
    pub done_before: usize,
    /// Delivered in this run.
    pub delivered: usize,
    /// Put on the paper-mail list in this run.
    pub paper: usize,
    /// Failed in this run (tried again on the next).
    pub failed: usize,
}

impl Progress {
    /// Rows finished or failed, including earlier runs' finished rows.
    #[must_use]
    pub fn ended(&self) -> usize {
        self.done_before + self.delivered + self.paper + self.failed
    }
}

/// A row that goes on paper, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperRow {
    /// The manifest line.
    pub line: usize,
    /// The recipient.
    pub recipient: RecipientId,
    /// Why not digitally.
    pub reason: PaperReason,
}

/// A row not delivered this run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    /// The manifest line.
    pub line: usize,
    /// The recipient.
    pub recipient: RecipientId,
    /// The error, outermost cause first.
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct MailingReport {
    /// The manifest's format, which says how a row's `line` is shown (`ManifestFormat::place`).
    pub format: ManifestFormat,
    /// Rows in the manifest.
    pub rows: usize,
    /// Rows an earlier run finished.
    pub done_before: usize,
    /// Delivered in this run.
    pub delivered: usize,
    /// Put on paper in this run.
    pub paper: Vec<PaperRow>,
    /// Failed in this run.
    pub failed: Vec<FailedRow>,
    /// Rows not tried because of `max_rows`.
    pub left: usize,
    /// The whole run.
    pub elapsed: Duration,
    /// Of which waiting for the registry's `isReachable`: a batch's lookup runs while the
    /// batch before it is delivered, so only the time the letters waited for it counts.
    pub lookup: Duration,
    /// Rows ended in this run per second.
    pub letters_per_second: f64,
    /// The paper-mail list written.
    pub paper_list: PathBuf,
    /// The print-ready letters written beside it.
    pub paper_letters: PaperLetters,
    /// Whether the registry took the counts of the final rows no run had reported yet (the
    /// error chain if not; the next run reports them).
    pub letter_counts: Result<(), String>,
}

impl MailingReport {
    /// Whether every row of the manifest is delivered or on paper.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.left == 0
    }
}

/// Why a run stopped; the journal keeps what was done, and a new run resumes.
#[derive(Debug, thiserror::Error)]
pub enum MailingError {
    /// The concurrency is out of bounds.
    #[error(
        "concurrency {0} per operator is not within 1..={MAILING_CONCURRENCY_PER_OPERATOR_MAX}"
    )]
    Concurrency(usize),
    /// The journal could not be written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The registry did not answer a batch's reachability.
    #[error("the registry did not answer for the rows from line {first_line}")]
    Registry {
        /// The batch's first manifest line.
        first_line: usize,
        /// What failed.
        #[source]
        source: SendError,
    },
    /// The paper-mail list could not be written.
    #[error("cannot write the paper-mail list")]
    PaperList(#[source] SendError),
    /// The evidence archive could not be read.
    #[error("cannot read the evidence archive")]
    Archive(#[source] SendError),
    /// A delivery task ended abnormally.
    #[error("a delivery task failed: {0}")]
    Task(String),
}

#[cfg(test)]
mod tests;
