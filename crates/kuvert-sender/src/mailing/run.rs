//! [`run`]: one pass over a manifest — the registry asked in batches, the unreachable put on
//! paper, the reachable sealed and delivered with at most N letters in flight per operator,
//! every outcome journaled; then the letters of the rows not yet counted reported to the
//! registry once (the journal module's counting rule).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::lane::Lane;
use kuvert_core::limits::{MAILING_BATCH_IDS_MAX, MAILING_CONCURRENCY_PER_OPERATOR_MAX};
use kuvert_core::message::{Body, DeliveryKey, Receipt};
use kuvert_core::report::error_chain;
use tokio::sync::Semaphore;

use super::journal::{Event, Journal};
use super::manifest::{BodySource, Manifest, ManifestFormat, ManifestRow};
use super::paper::{self, PaperLetters};
use super::{FailedRow, MailingError, MailingOptions, MailingReport, PaperRow, Progress};
use crate::archive::{PaperMailEntry, PaperMailList, ReceiptBatch};
use crate::error::SendError;
use crate::letter::{Letter, pdf_attachment};
use crate::reachability::{Destination, PaperReason, Reachability};
use crate::toolkit::Toolkit;

/// What a delivery task hands back.
type Delivered = (usize, RecipientId, Result<(Receipt, String), SendError>);

/// Mails every row of `manifest` that `journal` does not record as done, calling `progress`
/// after each row ends. Stops early after `options.max_rows` rows.
///
/// # Errors
/// [`MailingError`]: a bad option, the journal or the paper-mail list unwritable, or the
/// registry not answering a batch (the journal keeps what was done; run again to resume).
/// A letter that fails is a [`FailedRow`] of the report, not an error.
pub async fn run(
    toolkit: Arc<Toolkit>,
    manifest: &Manifest,
    journal: Arc<Journal>,
    options: &MailingOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<MailingReport, MailingError> {
    let concurrency = options.concurrency_per_operator;
    if !(1..=MAILING_CONCURRENCY_PER_OPERATOR_MAX).contains(&concurrency) {
        return Err(MailingError::Concurrency(concurrency));
    }
    let started = Instant::now();
    let mut counts = Progress {
        rows: manifest.rows.len(),
        ..Progress::default()
    };
    let mut pending = Vec::new();
    for row in &manifest.rows {
        if journal.last_event(row.line).is_some_and(Event::is_final) {
            counts.done_before += 1;
        } else {
            pending.push(row);
        }
    }
    let left = options
        .max_rows
        .map_or(0, |max| pending.len().saturating_sub(max));
    pending.truncate(pending.len() - left);
    let mut pass = Pass {
        toolkit,
        journal,
        options,
        limits: HashMap::new(),
        paper: Vec::new(),
        failed: Vec::new(),
        delivered: Vec::new(),
        lookup: Duration::ZERO,
    };
    progress(&counts);
    // One lookup ahead: the next batch's registry call runs while this batch is delivered,
    // so the letters do not stop at each batch's boundary. Memory stays two batches.
    let mut batches = pending.chunks(MAILING_BATCH_IDS_MAX);
    let mut next = batches.next().map(|rows| pass.look_up(rows));
    while let Some(mut lookup) = next.take() {
        let answers = pass.answers(&mut lookup).await?;
        next = batches.next().map(|rows| pass.look_up(rows));
        pass.batch(lookup.rows, answers, &mut counts, progress)
            .await?;
    }
    let paper_rows = paper_rows(manifest, &pass.journal, &pass.paper);
    let paper_list = write_paper_list(manifest.format, &paper_rows, options).await?;
    let paper_letters = write_paper_letters(&pass, manifest.format, paper_rows, options).await?;
    let letter_counts = report_counts(&pass, options).await;
    let elapsed = started.elapsed();
    let ended = pass.delivered.len() + pass.paper.len() + pass.failed.len();
    Ok(MailingReport {
        format: manifest.format,
        rows: manifest.rows.len(),
        done_before: counts.done_before,
        delivered: pass.delivered.len(),
        paper: pass.paper,
        failed: pass.failed,
        left,
        elapsed,
        lookup: pass.lookup,
        letters_per_second: ended as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        paper_list,
        paper_letters,
        letter_counts,
    })
}

/// The state of one run.
struct Pass<'a> {
    toolkit: Arc<Toolkit>,
    journal: Arc<Journal>,
    options: &'a MailingOptions,
    /// One semaphore per operator: its letters in flight.
    limits: HashMap<OrganisationNumber, Arc<Semaphore>>,
    paper: Vec<PaperRow>,
    failed: Vec<FailedRow>,
    /// The lines delivered in this run.
    delivered: Vec<usize>,
    lookup: Duration,
}

/// A batch's registry lookup, running on its own task; dropping it stops the task.
struct Lookup<'rows> {
    rows: &'rows [&'rows ManifestRow],
    task: tokio::task::JoinHandle<Result<Vec<Reachability>, SendError>>,
}

impl Drop for Lookup<'_> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A batch's delivered letters whose receipts are not durable yet: line, recipient, receipt
/// and operator.
type Received = Vec<(usize, RecipientId, (Receipt, String))>;

impl<'rows> Pass<'_> {
    /// Starts the registry call for `rows` on its own task.
    fn look_up(&self, rows: &'rows [&'rows ManifestRow]) -> Lookup<'rows> {
        let ids: Vec<RecipientId> = rows.iter().map(|row| row.recipient.clone()).collect();
        let (toolkit, sender) = (Arc::clone(&self.toolkit), self.options.sender.clone());
        let task = tokio::spawn(async move { toolkit.reachability(&sender, &ids).await });
        Lookup { rows, task }
    }

    /// Waits for `lookup`'s answers; only the wait counts as lookup time.
    async fn answers(
        &mut self,
        lookup: &mut Lookup<'rows>,
    ) -> Result<Vec<Reachability>, MailingError> {
        let waited = Instant::now();
        let answer = (&mut lookup.task)
            .await
            .map_err(|error| MailingError::Task(error.to_string()))?;
        self.lookup += waited.elapsed();
        answer.map_err(|source| MailingError::Registry {
            first_line: lookup.rows.first().map_or(0, |row| row.line),
            source,
        })
    }
}

impl Pass<'_> {
    /// The letters of `rows` with the registry's `answers`; the receipts are made durable
    /// together, then journaled, and the journal is fsynced at the end.
    async fn batch(
        &mut self,
        rows: &[&ManifestRow],
        answers: Vec<Reachability>,
        counts: &mut Progress,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(), MailingError> {
        let receipts = Arc::new(self.toolkit.archive().receipt_batch());
        let mut tasks = tokio::task::JoinSet::new();
        for (row, answer) in rows.iter().zip(answers) {
            match answer {
                Reachability::Unreachable(reason) => {
                    if self.unreachable(row, reason)? {
                        counts.paper += 1;
                    } else {
                        counts.failed += 1;
                    }
                    progress(counts);
                }
                Reachability::Reachable(destination) => {
                    let job = self.job(row, destination, &receipts);
                    let limit = self.limit(&job.destination.operator_id);
                    tasks.spawn(async move {
                        let _permit = limit.acquire_owned().await;
                        job.deliver().await
                    });
                }
            }
        }
        let mut received = Received::new();
        while let Some(joined) = tasks.join_next().await {
            let (line, recipient, result) =
                joined.map_err(|error| MailingError::Task(error.to_string()))?;
            match result {
                Ok(delivered) => received.push((line, recipient, delivered)),
                Err(error) => {
                    self.settle(line, recipient, Err(error_chain(&error)))?;
                    counts.failed += 1;
                    progress(counts);
                }
            }
        }
        self.settle_received(received, &receipts, counts, progress)
            .await?;
        self.journal.sync()?;
        Ok(())
    }

    /// Makes the batch's receipts durable (one folder sync), and only then journals them and
    /// counts them as delivered: no receipt is recorded before its evidence is durable
    /// (`ReceiptBatch` has the crash argument).
    async fn settle_received(
        &mut self,
        received: Received,
        receipts: &Arc<ReceiptBatch>,
        counts: &mut Progress,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(), MailingError> {
        let batch = Arc::clone(receipts);
        tokio::task::spawn_blocking(move || batch.finish())
            .await
            .map_err(|error| MailingError::Task(error.to_string()))?
            .map_err(MailingError::Archive)?;
        for (line, recipient, delivered) in received {
            if self.settle(line, recipient, Ok(delivered))? {
                counts.delivered += 1;
            } else {
                counts.failed += 1;
            }
            progress(counts);
        }
        Ok(())
    }

    fn job(
        &self,
        row: &ManifestRow,
        destination: Destination,
        receipts: &Arc<ReceiptBatch>,
    ) -> Job {
        Job {
            toolkit: Arc::clone(&self.toolkit),
            journal: Arc::clone(&self.journal),
            row: row.clone(),
            sender: self.options.sender.clone(),
            support: self.options.support_info.clone(),
            destination,
            receipts: Arc::clone(receipts),
        }
    }

    /// The semaphore of `operator`'s letters in flight.
    fn limit(&mut self, operator: &OrganisationNumber) -> Arc<Semaphore> {
        let concurrency = self.options.concurrency_per_operator;
        Arc::clone(
            self.limits
                .entry(operator.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(concurrency))),
        )
    }

    /// Puts an unreachable row on paper (`true`), unless an earlier run sealed its letter:
    /// then the operator may hold it already, and a paper copy could be a second letter, so
    /// the row fails with a reason that says so (`false`) for the operator to settle.
    fn unreachable(
        &mut self,
        row: &ManifestRow,
        reason: PaperReason,
    ) -> Result<bool, MailingError> {
        let key = DeliveryKey {
            sender: self.options.sender.clone(),
            message_id: self.journal.message_id(row.line),
        };
        let sealed_before = self
            .toolkit
            .archive()
            .read_sealed(&key, &row.recipient)
            .map_err(MailingError::Archive)?
            .is_some();
        if sealed_before {
            let reason = format!(
                "not reachable now ({}), but its letter was sealed in an earlier run and may \
                 have been delivered (message id {}): ask the operator before sending it on paper",
                reason.as_str(),
                key.message_id.as_str(),
            );
            self.settle(row.line, row.recipient.clone(), Err(reason))?;
            return Ok(false);
        }
        self.journal.record(&Event::Paper {
            line: row.line,
            recipient: row.recipient.to_wire(),
            reason: reason.as_str().to_owned(),
        })?;
        self.paper.push(PaperRow {
            line: row.line,
            recipient: row.recipient.clone(),
            reason,
        });
        Ok(true)
    }

    /// Journals one delivery's outcome; `true` when the letter was delivered.
    fn settle(
        &mut self,
        line: usize,
        recipient: RecipientId,
        result: Result<(Receipt, String), String>,
    ) -> Result<bool, MailingError> {
        match result {
            Ok((receipt, operator)) => {
                self.journal.record(&Event::Delivered {
                    line,
                    recipient: recipient.to_wire(),
                    trans_id: receipt.trans_id.as_str().to_owned(),
                    operator,
                })?;
                self.delivered.push(line);
                Ok(true)
            }
            Err(reason) => {
                tracing::warn!(line, reason = %reason, "letter of the mailing not delivered");
                self.journal.record(&Event::Failed {
                    line,
                    recipient: recipient.to_wire(),
                    reason: reason.clone(),
                })?;
                self.failed.push(FailedRow {
                    line,
                    recipient,
                    reason,
                });
                Ok(false)
            }
        }
    }
}

/// One reachable row's letter, ready to run on its own task.
struct Job {
    toolkit: Arc<Toolkit>,
    journal: Arc<Journal>,
    row: ManifestRow,
    sender: OrganisationNumber,
    support: kuvert_core::message::SupportInfo,
    destination: Destination,
    /// The batch's receipts, durable together when the batch ends.
    receipts: Arc<ReceiptBatch>,
}

impl Job {
    async fn deliver(self) -> Delivered {
        let result = self.seal_and_deliver().await;
        (self.row.line, self.row.recipient, result)
    }

    /// Resends the archived sealed delivery of this row's message id when there is one
    /// (an earlier run sealed it), else composes, signs and seals the letter afresh.
    async fn seal_and_deliver(&self) -> Result<(Receipt, String), SendError> {
        let key = DeliveryKey {
            sender: self.sender.clone(),
            message_id: self.journal.message_id(self.row.line),
        };
        let sealed = match self
            .toolkit
            .archive()
            .read_sealed(&key, &self.row.recipient)?
        {
            Some(sealed) => sealed,
            None => {
                let letter = self.letter(&key).await?;
                let delivery = self.toolkit.compose(&letter)?;
                self.toolkit.sign_and_seal(delivery, Lane::Bulk).await?
            }
        };
        self.journal
            .record(&Event::Sealed {
                line: self.row.line,
                recipient: self.row.recipient.to_wire(),
            })
            .map_err(|error| SendError::Internal(error.to_string()))?;
        let receipt = self
            .toolkit
            .deliver_in_batch(&sealed, &self.destination, Lane::Bulk, &self.receipts)
            .await?;
        Ok((receipt, self.destination.operator_name.clone()))
    }

    async fn letter(&self, key: &DeliveryKey) -> Result<Letter, SendError> {
        let row = &self.row;
        let body = match &row.body {
            BodySource::Inline(text) => Body::new(
                kuvert_core::message::BodyContentType::TextPlain,
                text.clone().into_bytes(),
            ),
            BodySource::File { path, content_type } => Body::new(*content_type, read(path).await?),
        }
        .map_err(SendError::InvalidLetter)?;
        let mut attachments = Vec::with_capacity(row.attachments.len());
        for path in &row.attachments {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            attachments.push(pdf_attachment(
                &name.unwrap_or_default(),
                read(path).await?,
            )?);
        }
        Ok(Letter {
            sender: key.sender.clone(),
            recipient: row.recipient.clone(),
            subject: row.subject.clone(),
            body,
            attachments,
            support_info: self.support.clone(),
            message_id: Some(key.message_id.clone()),
            reference: row.reference.clone(),
        })
    }
}

async fn read(path: &std::path::Path) -> Result<Vec<u8>, SendError> {
    tokio::fs::read(path)
        .await
        .map_err(|source| SendError::ReadFile {
            path: path.to_owned(),
            source,
        })
}

/// The rows of the whole mailing that go on paper (this run's and earlier runs', from the
/// journal), each with its reason and message id, in manifest order.
fn paper_rows(
    manifest: &Manifest,
    journal: &Journal,
    this_run: &[PaperRow],
) -> Vec<(ManifestRow, PaperReason, String)> {
    let mut rows: BTreeMap<usize, PaperReason> = journal
        .last_events()
        .filter_map(|event| match event {
            Event::Paper { line, reason, .. } => Some((*line, PaperReason::parse(reason)?)),
            _ => None,
        })
        .collect();
    rows.extend(this_run.iter().map(|row| (row.line, row.reason)));
    manifest
        .rows
        .iter()
        .filter_map(|row| {
            let reason = rows.get(&row.line)?;
            let id = journal.message_id(row.line).as_str().to_owned();
            Some((row.clone(), *reason, id))
        })
        .collect()
}

/// Writes the paper-mail list of the whole mailing anew each run, so a row is on it once
/// however often the run resumed.
async fn write_paper_list(
    format: ManifestFormat,
    entries: &[(ManifestRow, PaperReason, String)],
    options: &MailingOptions,
) -> Result<std::path::PathBuf, MailingError> {
    let entries = entries.to_vec();
    let (path, portal, sender) = (
        options.paper_list.clone(),
        options.portal_url.clone(),
        options.sender.clone(),
    );
    let written = path.clone();
    tokio::task::spawn_blocking(move || {
        let rows: Vec<PaperMailEntry<'_>> = entries
            .iter()
            .map(|(row, reason, message_id)| PaperMailEntry {
                sender: &sender,
                recipient: &row.recipient,
                reason: *reason,
                message_id: Some(message_id),
                manifest_row: Some(format.place(row.line)),
                reference: row.reference.as_ref(),
                subject: &row.subject,
            })
            .collect();
        PaperMailList::new(&path)
            .with_portal(portal)
            .write_whole(&rows)
    })
    .await
    .map_err(|error| MailingError::Task(error.to_string()))?
    .map_err(MailingError::PaperList)?;
    Ok(written)
}

/// Writes the print-ready letter of every paper row into `options.paper_letters`.
async fn write_paper_letters(
    pass: &Pass<'_>,
    format: ManifestFormat,
    entries: Vec<(ManifestRow, PaperReason, String)>,
    options: &MailingOptions,
) -> Result<PaperLetters, MailingError> {
    let sender = paper::Sender {
        number: options.sender.clone(),
        name: pass
            .toolkit
            .sender_name(&options.sender)
            .map_err(MailingError::PaperList)?
            .clone(),
        portal_url: options.portal_url.clone(),
    };
    let folder = options.paper_letters.clone();
    let rows: Vec<ManifestRow> = entries.into_iter().map(|(row, ..)| row).collect();
    tokio::task::spawn_blocking(move || paper::write_letters(&rows, format, &sender, &folder))
        .await
        .map_err(|error| MailingError::Task(error.to_string()))?
        .map_err(MailingError::PaperList)
}

/// Reports the letters of every final row no run has reported yet — this run's, and those of
/// an earlier run that stopped before reporting — then journals those rows as reported (the
/// journal module's counting rule). A failure is kept in the report: the letters have gone
/// either way, and the next run reports them.
async fn report_counts(pass: &Pass<'_>, options: &MailingOptions) -> Result<(), String> {
    let journal = &pass.journal;
    let (mut digital, mut paper) = (Vec::new(), Vec::new());
    for event in journal.last_events() {
        match event {
            Event::Delivered { line, .. } => digital.push(*line),
            Event::Paper { line, .. } => paper.push(*line),
            _ => {}
        }
    }
    digital.extend(&pass.delivered);
    paper.extend(pass.paper.iter().map(|row| row.line));
    digital.retain(|line| !journal.is_reported(*line));
    paper.retain(|line| !journal.is_reported(*line));
    if digital.is_empty() && paper.is_empty() {
        return Ok(());
    }
    let month = YearMonth::of(stockholm_day(time::OffsetDateTime::now_utc()));
    pass.toolkit
        .report_letter_counts(
            &options.sender,
            month,
            digital.len() as u64,
            paper.len() as u64,
        )
        .await
        .map_err(|error| error_chain(&error))?;
    let mut lines = digital;
    lines.extend(paper);
    lines.sort_unstable();
    journal.record_reported(&lines).map_err(|error| {
        format!(
            "the registry counted them, but the journal cannot keep that (the next run \
             counts them again): {}",
            error_chain(&error)
        )
    })
}
