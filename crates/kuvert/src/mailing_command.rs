//! `kuvert mailing`: a mass mailing from a CSV or JSON manifest through the sender toolkit
//! (`kuvert_sender::mailing`), with the intermediary and senders of a running demo
//! (`--demo DIR`) or of a configuration file (`--config FILE`), as `kuvert send`.
//!
//! The journal (`MANIFEST.journal` unless `--journal` names another file) makes the command
//! resumable: run it again after a crash or Ctrl-C and it finishes the rows left, sending no
//! letter twice. The paper-mail list of the unreachable is `MANIFEST.paper.csv`, their
//! print-ready letters `MANIFEST.paper/line-N.pdf` (`index-N.pdf` for a JSON manifest).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::limits::MAILING_ROW_ERRORS_SHOWN_MAX;
use kuvert_core::message::{SupportInfo, SupportText};
use kuvert_core::plural::Plural;
use kuvert_sender::mailing::{self, Journal, MailingOptions, MailingReport, Manifest, Progress};
use kuvert_sender::{SenderConfig, Toolkit};

use crate::send_command;

/// What `kuvert mailing` was asked to do.
#[derive(Debug, Clone)]
pub struct MailingRequest {
    /// Sender key of the seed (`exempelkommun`) or organisation number.
    pub sender: String,
    /// The manifest (JSON when it ends in `.json`, else CSV).
    pub manifest: PathBuf,
    /// The journal; `MANIFEST.journal` when `None`.
    pub journal: Option<PathBuf>,
    /// Letters in flight per operator.
    pub concurrency: usize,
    /// At most this many rows this run.
    pub max_rows: Option<usize>,
}

impl MailingRequest {
    /// The journal file: given, or beside the manifest.
    #[must_use]
    pub fn journal_path(&self) -> PathBuf {
        self.journal
            .clone()
            .unwrap_or_else(|| beside(&self.manifest, "journal"))
    }

    /// The mailing's paper-mail list, beside the manifest.
    #[must_use]
    pub fn paper_list_path(&self) -> PathBuf {
        beside(&self.manifest, "paper.csv")
    }

    /// The folder of the mailing's print-ready paper letters, beside its paper-mail list.
    #[must_use]
    pub fn paper_letters_path(&self) -> PathBuf {
        beside(&self.manifest, "paper")
    }
}

fn beside(manifest: &Path, suffix: &str) -> PathBuf {
    let name = manifest
        .file_name()
        .map_or_else(|| "mailing".into(), |name| name.to_string_lossy());
    manifest.with_file_name(format!("{name}.{suffix}"))
}

/// Reads and checks the manifest (nothing is sent when a row is bad), opens the journal and
/// runs the mailing, calling `progress` after each row.
///
/// # Errors
/// A bad manifest (every bad row by line), an unusable journal, an unknown sender, and
/// every `MailingError`.
pub async fn mailing(
    config: &SenderConfig,
    request: &MailingRequest,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<MailingReport> {
    let (sender, sender_name) = send_command::sender_identity(config, &request.sender)?;
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let manifest = Manifest::read(&request.manifest, today)?;
    let toolkit = Arc::new(Toolkit::build(config).context("starting the sender toolkit")?);
    let journal = Arc::new(Journal::open(
        &request.journal_path(),
        &sender,
        &manifest.rows,
    )?);
    let support = format!("Frågor om brevet besvarar {sender_name}.");
    let options = MailingOptions {
        sender,
        support_info: SupportInfo {
            text: SupportText::parse(&support).context("support text")?,
            url: None,
            phone: None,
            email: None,
        },
        concurrency_per_operator: request.concurrency,
        paper_list: request.paper_list_path(),
        paper_letters: request.paper_letters_path(),
        portal_url: config.portal_url.clone(),
        max_rows: request.max_rows,
    };
    Ok(mailing::run(toolkit, &manifest, journal, &options, progress).await?)
}

/// "1 row", "2 rows".
const ROWS: Plural = Plural::new("row", "rows");
/// "1 more failed row", "2 more failed rows".
const MORE_FAILED_ROWS: Plural = Plural::new("more failed row", "more failed rows");

/// One progress line: `412/2000 rows: 300 delivered, 100 paper, 2 failed (10 done before)`.
#[must_use]
pub fn progress_line(progress: &Progress) -> String {
    format!(
        "{}/{}: {} delivered, {} paper, {} failed ({} done before)",
        progress.ended(),
        ROWS.count(progress.rows),
        progress.delivered,
        progress.paper,
        progress.failed,
        progress.done_before,
    )
}

/// The final report: counts, time, letters per second, paper rows per reason (the list file
/// names each) and the first `MAILING_ROW_ERRORS_SHOWN_MAX` failures with their reasons.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_report(out: &mut impl Write, report: &MailingReport) -> io::Result<()> {
    writeln!(out, "mailing report")?;
    writeln!(out, "  rows          {}", report.rows)?;
    writeln!(out, "  done before   {}", report.done_before)?;
    writeln!(out, "  delivered     {}", report.delivered)?;
    writeln!(out, "  paper         {}", report.paper.len())?;
    writeln!(out, "  failed        {}", report.failed.len())?;
    if report.left > 0 {
        writeln!(out, "  not yet tried {} (run again)", report.left)?;
    }
    writeln!(
        out,
        "  time          {:.1} s (registry lookups {:.1} s), {:.1} letters/s",
        report.elapsed.as_secs_f64(),
        report.lookup.as_secs_f64(),
        report.letters_per_second,
    )?;
    writeln!(out, "  paper list    {}", report.paper_list.display())?;
    let letters = &report.paper_letters;
    writeln!(
        out,
        "  paper letters {} PDF in {}{}{}",
        letters.written,
        letters.folder.display(),
        match letters.written - letters.rendered.min(letters.written) {
            0 => String::new(),
            kept => format!(" ({kept} kept from an earlier run)"),
        },
        match letters.without_address {
            0 => String::new(),
            missing => format!(" ({missing} without an address: add it before printing)"),
        }
    )?;
    if let Err(reason) = &report.letter_counts {
        writeln!(
            out,
            "  letter counts not reported to the registry: {reason}"
        )?;
    }
    let mut reasons = std::collections::BTreeMap::new();
    for row in &report.paper {
        *reasons.entry(row.reason.as_str()).or_insert(0_usize) += 1;
    }
    for (reason, count) in reasons {
        writeln!(out, "  paper, {reason}: {count}")?;
    }
    for row in report.failed.iter().take(MAILING_ROW_ERRORS_SHOWN_MAX) {
        let place = report.format.place(row.line);
        writeln!(out, "  failed  {place}: {}", row.reason)?;
    }
    let more = report
        .failed
        .len()
        .saturating_sub(MAILING_ROW_ERRORS_SHOWN_MAX);
    if more > 0 {
        writeln!(
            out,
            "  … and {} (the journal names each)",
            MORE_FAILED_ROWS.count(more)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
