//! The mailing journal: an append-only JSON Lines file next to the manifest recording what
//! became of each row, so a run stopped by a crash or Ctrl-C resumes where it stopped.
//!
//! Events (one JSON object a line, field `event`): `run` (the run id that fixes every row's
//! message id, the sender, the row count; one per start), `sealed` (the row's letter is
//! sealed and in the evidence archive, about to be delivered), `delivered` (with the
//! operator's `TransId`), `paper` (with the reason), `failed` (with the reason) and
//! `reported` (the rows whose letters the registry's statistics have counted).
//!
//! Resume rule: a row whose last event is `delivered` or `paper` is done and skipped; every
//! other row is sent again under the same message id (derived from the run id and the line),
//! and when its sealed delivery is already in the evidence archive those exact bytes are
//! resent, so the operator answers with the original receipt instead of storing the letter
//! twice. The journal is fsynced once per reachability batch; losing its tail costs nothing
//! but a resend of the same message ids. A torn last line (a crash mid-write) is cut off when
//! the journal is opened.
//!
//! Counting rule: a row's letter is reported to the registry's statistics once, by the first
//! run that ends with the row final (`delivered` or `paper`) and not yet named by a
//! `reported` event; after the registry takes the counts, the run journals `reported` for
//! those rows and fsyncs. A row resent because its receipt was lost from the journal is
//! therefore not counted again, and rows finished by a run that crashed before reporting
//! are counted by the next run. A row is counted twice only when the registry took the
//! counts but the run never learned it or never journaled it (the answer lost, a crash before
//! that fsync): counting is at least once, and the window is one call.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{MAILING_JOURNAL_BYTES_MAX, MAILING_JOURNAL_LINE_BYTES_MAX};
use kuvert_core::message::MessageId;
use serde::{Deserialize, Serialize};

use super::manifest::ManifestRow;

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A run started (or resumed).
    Run {
        /// Fixed by the first run; every row's message id derives from it.
        run_id: String,
        /// The sender's organisation number.
        sender: String,
        /// Rows in the manifest.
        rows: usize,
        /// When (RFC 3339).
        at: String,
    },
    /// Sealed and archived, about to be delivered.
    Sealed {
        /// The row's line.
        line: usize,
        /// The recipient, as on the wire.
        recipient: String,
    },
    /// Delivered; the operator's receipt.
    Delivered {
        /// The row's line.
        line: usize,
        /// The recipient, as on the wire.
        recipient: String,
        /// The receipt's `TransId`.
        trans_id: String,
        /// The operator's name.
        operator: String,
    },
    /// Not reachable digitally: on the paper-mail list.
    Paper {
        /// The row's line.
        line: usize,
        /// The recipient, as on the wire.
        recipient: String,
        /// `PaperReason::as_str`.
        reason: String,
    },
    /// The registry's statistics counted these rows' letters (at most
    /// `REPORTED_LINES_PER_EVENT` a line).
    Reported {
        /// The rows' lines.
        lines: Vec<usize>,
    },
    /// Not delivered this time; tried again on the next run.
    Failed {
        /// The row's line.
        line: usize,
        /// The recipient, as on the wire.
        recipient: String,
        /// Why.
        reason: String,
    },
}

impl Event {
    fn row(&self) -> Option<(usize, &str)> {
        match self {
            Self::Run { .. } | Self::Reported { .. } => None,
            Self::Sealed { line, recipient }
            | Self::Delivered {
                line, recipient, ..
            }
            | Self::Paper {
                line, recipient, ..
            }
            | Self::Failed {
                line, recipient, ..
            } => Some((*line, recipient)),
        }
    }

    /// Whether the row needs nothing more.
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Delivered { .. } | Self::Paper { .. })
    }
}

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("cannot use the journal {}", path.display())]
    Io {
        /// The journal.
        path: PathBuf,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a journal event (or too long).
    #[error("the journal {} is damaged at line {line}: {reason}", path.display())]
    Damaged {
        /// The journal.
        path: PathBuf,
        /// The journal's line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The journal was written for another manifest or sender.
    #[error("the journal {} belongs to another mailing: {reason}", path.display())]
    OtherMailing {
        /// The journal.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
}

/// An open journal: what earlier runs recorded, and the file to append to.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    run_id: uuid::Uuid,
    last: HashMap<usize, Event>,
    reported: HashSet<usize>,
    writer: Mutex<BufWriter<File>>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for `sender` and `rows`, checks that earlier
    /// events are this mailing's (same sender, each row's recipient the manifest's), and
    /// appends a `run` event.
    ///
    /// # Errors
    /// [`JournalError`].
    pub fn open(
        path: &Path,
        sender: &OrganisationNumber,
        rows: &[ManifestRow],
    ) -> Result<Self, JournalError> {
        let (events, complete) = read_events(path)?;
        let earlier = Earlier::check(events, path, sender, rows)?;
        let run_id = earlier.run_id.unwrap_or_else(uuid::Uuid::new_v4);
        let file = open_for_append(path, complete)?;
        let journal = Self {
            path: path.to_owned(),
            run_id,
            last: earlier.last,
            reported: earlier.reported,
            writer: Mutex::new(BufWriter::new(file)),
        };
        journal.record(&Event::Run {
            run_id: run_id.hyphenated().to_string(),
            sender: sender.as_str().to_owned(),
            rows: rows.len(),
            at: now_rfc3339(),
        })?;
        journal.sync()?;
        Ok(journal)
    }

    /// The journal's file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The last event of the row at `line` recorded by an earlier run.
    #[must_use]
    pub fn last_event(&self, line: usize) -> Option<&Event> {
        self.last.get(&line)
    }

    /// Whether an earlier run reported the row's letter to the registry's statistics.
    #[must_use]
    pub fn is_reported(&self, line: usize) -> bool {
        self.reported.contains(&line)
    }

    /// Journals and fsyncs that the registry counted the letters of the rows at `lines`, in
    /// events of at most `REPORTED_LINES_PER_EVENT` lines each.
    ///
    /// # Errors
    /// [`JournalError::Io`].
    pub fn record_reported(&self, lines: &[usize]) -> Result<(), JournalError> {
        for chunk in lines.chunks(REPORTED_LINES_PER_EVENT) {
            self.record(&Event::Reported {
                lines: chunk.to_vec(),
            })?;
        }
        self.sync()
    }

    /// Every row's last event from earlier runs.
    pub fn last_events(&self) -> impl Iterator<Item = &Event> {
        self.last.values()
    }

    /// The message id of the row at `line`: the same in every run of this journal, distinct
    /// for each line — the run id with the line number XORed into its low bits (lines stay
    /// below 2^32, far from the version and variant bits), in the UUID form senders use.
    #[must_use]
    pub fn message_id(&self, line: usize) -> MessageId {
        let line = u128::try_from(line).unwrap_or(u128::MAX) & u128::from(u32::MAX);
        MessageId::from_uuid(uuid::Uuid::from_u128(self.run_id.as_u128() ^ line))
    }

    /// Appends `event` (buffered; [`Journal::sync`] makes it durable).
    ///
    /// # Errors
    /// [`JournalError::Io`].
    pub fn record(&self, event: &Event) -> Result<(), JournalError> {
        let mut line = serde_json::to_string(event).map_err(|error| self.io(error.into()))?;
        if line.len() >= MAILING_JOURNAL_LINE_BYTES_MAX {
            line = shortened(event);
        }
        line.push('\n');
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer
            .write_all(line.as_bytes())
            .map_err(|error| self.io(error))
    }

    /// Writes the buffered events and fsyncs the file.
    ///
    /// # Errors
    /// [`JournalError::Io`].
    pub fn sync(&self) -> Result<(), JournalError> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer.flush().map_err(|error| self.io(error))?;
        writer
            .get_ref()
            .sync_data()
            .map_err(|error| self.io(error))?;
        kuvert_store::durable::count_syncs("journal", "file", 1);
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> JournalError {
        JournalError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Lines named by one `reported` event: at most 20 bytes each in JSON, so an event stays
/// well within `MAILING_JOURNAL_LINE_BYTES_MAX`.
const REPORTED_LINES_PER_EVENT: usize = 150;
const _: () = assert!(REPORTED_LINES_PER_EVENT * 21 + 64 < MAILING_JOURNAL_LINE_BYTES_MAX);

/// A `failed` event whose reason is cut so the line stays within the bound.
fn shortened(event: &Event) -> String {
    let mut event = event.clone();
    if let Event::Failed { reason, .. } = &mut event {
        let keep = reason
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .take_while(|end| *end <= MAILING_JOURNAL_LINE_BYTES_MAX / 2)
            .last()
            .unwrap_or(0);
        reason.truncate(keep);
        reason.push('…');
    }
    serde_json::to_string(&event).unwrap_or_default()
}

/// What earlier runs recorded, checked to be this mailing's.
struct Earlier {
    /// The first run's id, kept by every later run.
    run_id: Option<uuid::Uuid>,
    last: HashMap<usize, Event>,
    reported: HashSet<usize>,
}

impl Earlier {
    /// Checks `events` (read from the journal at `path`) against `sender` and the manifest's
    /// `rows`: every run was `sender`'s, every row event names the recipient of its row.
    fn check(
        events: Vec<Event>,
        path: &Path,
        sender: &OrganisationNumber,
        rows: &[ManifestRow],
    ) -> Result<Self, JournalError> {
        let other = |reason: String| JournalError::OtherMailing {
            path: path.to_owned(),
            reason,
        };
        let mut earlier = Self {
            run_id: None,
            last: HashMap::new(),
            reported: HashSet::new(),
        };
        let by_line: HashMap<usize, &RecipientId> =
            rows.iter().map(|row| (row.line, &row.recipient)).collect();
        for event in events {
            if let Event::Run {
                run_id: id,
                sender: from,
                ..
            } = &event
            {
                if from != sender.as_str() {
                    return Err(other(format!("sender {from}, not {sender}")));
                }
                if earlier.run_id.is_none() {
                    let parsed = uuid::Uuid::parse_str(id)
                        .map_err(|_| other(format!("run id {id:?} is not a UUID")))?;
                    earlier.run_id = Some(parsed);
                }
                continue;
            }
            if let Event::Reported { lines } = &event {
                if let Some(line) = lines.iter().find(|line| !by_line.contains_key(line)) {
                    return Err(other(format!("line {line} is not a row of the manifest")));
                }
                earlier.reported.extend(lines);
                continue;
            }
            if let Some((line, recipient)) = event.row() {
                let expected = by_line.get(&line).map(|id| id.to_wire());
                if expected.as_deref() != Some(recipient) {
                    return Err(other(format!("line {line} is not a row for {recipient}")));
                }
                earlier.last.insert(line, event);
            }
        }
        Ok(earlier)
    }
}

/// The journal file opened to append, a torn last line (past `complete` bytes) cut first.
fn open_for_append(path: &Path, complete: u64) -> Result<File, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_owned(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.set_len(complete).map_err(io)?;
    Ok(file)
}

/// Every complete event of the journal at `path` (none when it does not exist yet), and the
/// length of the file up to the end of its last complete line.
fn read_events(path: &Path) -> Result<(Vec<Event>, u64), JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = match std::fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(error) => return Err(io(error)),
    };
    if bytes > MAILING_JOURNAL_BYTES_MAX {
        let reason = format!("{bytes} bytes, at most {MAILING_JOURNAL_BYTES_MAX}");
        return Err(damaged(path, 0, reason));
    }
    let text = std::fs::read(path).map_err(io)?;
    let mut events = Vec::new();
    let mut complete = 0;
    let mut lines = text
        .split_inclusive(|byte| *byte == b'\n')
        .enumerate()
        .peekable();
    while let Some((index, line)) = lines.next() {
        let is_torn = lines.peek().is_none() && !line.ends_with(b"\n");
        if is_torn {
            // A crash mid-write leaves at most the last line torn; it is cut off.
            break;
        }
        let parsed = std::str::from_utf8(line)
            .map_err(|error| error.to_string())
            .and_then(|line| parse_line(line.trim_end()));
        match parsed {
            Ok(event) => {
                events.extend(event);
                complete += line.len();
            }
            Err(reason) => return Err(damaged(path, index + 1, reason)),
        }
    }
    Ok((events, complete as u64))
}

/// One line's event; `None` for a blank line.
fn parse_line(line: &str) -> Result<Option<Event>, String> {
    if line.is_empty() {
        return Ok(None);
    }
    if line.len() > MAILING_JOURNAL_LINE_BYTES_MAX {
        return Err("line too long".to_owned());
    }
    serde_json::from_str(line)
        .map(Some)
        .map_err(|error| error.to_string())
}

fn damaged(path: &Path, line: usize, reason: String) -> JournalError {
    JournalError::Damaged {
        path: path.to_owned(),
        line,
        reason,
    }
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
