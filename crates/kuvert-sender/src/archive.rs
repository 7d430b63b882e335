//! The evidence archive and the paper-mail list.
//!
//! Layout (a stable format, read later by `kuvert verify`):
//! `<dir>/<sender orgnr>/<message id>.sealed.xml` is the signed and sealed `SealedDelivery`
//! exactly as sent, written and fsynced *before* the first `deliverSecure` attempt, so that
//! every receipt has its letter; `<message id>.receipt.json` is the operator's receipt,
//! written and fsynced after it arrives. Files are written to a temporary name, fsynced and
//! renamed, and the folder is fsynced, so a crash never leaves half a file under the final
//! name. A mass mailing writes a batch's receipts through a [`ReceiptBatch`]: one folder sync
//! for the batch, and no receipt recorded before it (the crash argument is on the type).

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kuvert_core::id::RecipientId;
use kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX;
use kuvert_core::message::{DeliveryKey, Receipt, Reference, Subject};
use kuvert_store::durable::{DurableBatch, FolderSyncs, count_syncs};

use crate::error::SendError;
use crate::mailing::RowPlace;
use crate::reachability::PaperReason;
use crate::sealing::SealedDelivery;

/// The evidence archive folder.
#[derive(Debug, Clone)]
pub struct EvidenceArchive {
    dir: PathBuf,
    /// Concurrent letters of a mailing share their folder's sync.
    syncs: FolderSyncs,
}

/// Facts about a receipt that the archive keeps beside it.
#[derive(Debug, Clone)]
pub struct ReceiptRecord<'a> {
    /// The receipt itself.
    pub receipt: &'a Receipt,
    /// The operator's name.
    pub operator: &'a str,
    /// The service address the letter went to.
    pub service_address: &'a str,
}

/// Receipts written one by one as they arrive (each file fsynced and renamed into place), with
/// the folder synced once, by [`ReceiptBatch::finish`], for all of them.
///
/// Crash argument: a receipt is evidence only once it is durable, and until `finish` has
/// returned the rename of a receipt written here may be lost in a crash. So the caller
/// neither records (journals) nor reports a receipt of the batch before `finish` returned.
/// A crash before that loses at most the batch's receipt files, never a letter: each letter's
/// sealed delivery was made durable before its first attempt ([`EvidenceArchive::write_sealed`]),
/// nothing says it was delivered, so a resumed run resends those archived bytes under the
/// same message id and the operator answers with its original receipt, written again here.
#[derive(Debug)]
pub struct ReceiptBatch {
    archive: EvidenceArchive,
    files: DurableBatch,
}

impl ReceiptBatch {
    /// Writes the receipt for `sealed` and fsyncs the file; durable after
    /// [`ReceiptBatch::finish`].
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file.
    pub fn write(
        &self,
        sealed: &SealedDelivery,
        record: &ReceiptRecord<'_>,
    ) -> Result<PathBuf, SendError> {
        let path = self.archive.receipt_path(sealed);
        let json = receipt_json(sealed, record)?;
        self.files
            .write(&path, json.as_bytes())
            .map_err(|source| SendError::Archive {
                path: path.clone(),
                source,
            })?;
        Ok(path)
    }

    /// Syncs the folders of every receipt written so far: then they are durable.
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the archive: none of the batch's receipts is promised.
    pub fn finish(&self) -> Result<(), SendError> {
        self.files.finish().map_err(|source| SendError::Archive {
            path: self.archive.dir.clone(),
            source,
        })
    }
}

/// The paper-mail list: a CSV file that unreachable recipients are appended to.
#[derive(Debug)]
pub struct PaperMailList {
    path: PathBuf,
    portal_url: Option<url::Url>,
    lock: Mutex<()>,
}

/// The CSV header line of the paper-mail list. `paper_letter_notice` is the text with the
/// sender's deep link to print on the letter (empty without a configured portal);
/// `manifest_row` is where a mailing's row is in its manifest (`line 3` in CSV, `index 2` in
/// JSON; empty for a single letter), and `reference` and `subject` are the letter's, so each
/// row can be matched back to the letter it replaces (issue 11).
pub const PAPER_MAIL_HEADER: &str = "sender,recipient,reason,message_id,date,paper_letter_notice,\
    manifest_row,reference,subject";

impl EvidenceArchive {
    /// An archive rooted at `dir` (created on first write).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            syncs: FolderSyncs::new("archive"),
        }
    }

    /// Where the sealed delivery of `sealed` is kept.
    #[must_use]
    pub fn sealed_path(&self, sealed: &SealedDelivery) -> PathBuf {
        self.sender_dir(sealed)
            .join(format!("{}.sealed.xml", file_stem(sealed)))
    }

    /// Where the receipt for `sealed` is kept.
    #[must_use]
    pub fn receipt_path(&self, sealed: &SealedDelivery) -> PathBuf {
        self.sender_dir(sealed)
            .join(format!("{}.receipt.json", file_stem(sealed)))
    }

    /// Writes the sealed delivery durably, replacing an earlier file of the same message id
    /// (a letter sent again).
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file.
    pub fn write_sealed(&self, sealed: &SealedDelivery) -> Result<PathBuf, SendError> {
        let path = self.sealed_path(sealed);
        write_durably(&self.syncs, &path, sealed.xml().as_bytes())?;
        Ok(path)
    }

    /// Writes the receipt as JSON durably.
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file.
    pub fn write_receipt(
        &self,
        sealed: &SealedDelivery,
        record: &ReceiptRecord<'_>,
    ) -> Result<PathBuf, SendError> {
        let path = self.receipt_path(sealed);
        write_durably(&self.syncs, &path, receipt_json(sealed, record)?.as_bytes())?;
        Ok(path)
    }

    /// A batch of receipts whose folder syncs wait for [`ReceiptBatch::finish`]: a mass
    /// mailing's batch syncs the archive folder once instead of once a letter.
    #[must_use]
    pub fn receipt_batch(&self) -> ReceiptBatch {
        ReceiptBatch {
            archive: self.clone(),
            files: DurableBatch::new(&self.syncs),
        }
    }

    /// The sealed delivery archived under `key` for `recipient`, if any: a resumed mailing
    /// resends these bytes so the operator sees the same letter (its idempotency holds).
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file, also when it is larger than a letter may be.
    pub(crate) fn read_sealed(
        &self,
        key: &DeliveryKey,
        recipient: &RecipientId,
    ) -> Result<Option<SealedDelivery>, SendError> {
        let path = self.dir.join(key.sender.as_str()).join(format!(
            "{}.sealed.xml",
            safe_file_stem(key.message_id.as_str())
        ));
        let archive_error = |source| SendError::Archive {
            path: path.clone(),
            source,
        };
        let bytes = match fs::metadata(&path) {
            Ok(metadata) => metadata.len(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(archive_error(error)),
        };
        if bytes > ENVELOPE_BYTES_DEFAULT_MAX {
            return Err(archive_error(std::io::Error::other("larger than a letter")));
        }
        let xml = fs::read_to_string(&path).map_err(archive_error)?;
        Ok(Some(SealedDelivery::from_archive(
            key.clone(),
            recipient.clone(),
            xml,
        )))
    }

    fn sender_dir(&self, sealed: &SealedDelivery) -> PathBuf {
        self.dir.join(sealed.key().sender.as_str())
    }
}

/// One unreachable recipient, as a row of the paper-mail list.
#[derive(Debug, Clone)]
pub struct PaperMailEntry<'a> {
    /// The sender's organisation number.
    pub sender: &'a kuvert_core::id::OrganisationNumber,
    /// The recipient who gets the letter on paper.
    pub recipient: &'a kuvert_core::id::RecipientId,
    /// Why.
    pub reason: PaperReason,
    /// The letter's message id, when one was given.
    pub message_id: Option<&'a str>,
    /// Where the letter is in a mailing's manifest; `None` for a single letter.
    pub manifest_row: Option<RowPlace>,
    /// The sender's reference of the letter, if any.
    pub reference: Option<&'a Reference>,
    /// The letter's subject.
    pub subject: &'a Subject,
}

impl PaperMailList {
    /// A list kept at `path` (created with its header on first append).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            portal_url: None,
            lock: Mutex::new(()),
        }
    }

    /// The same list, with each row naming the deep link on the portal at `portal_url`.
    #[must_use]
    pub fn with_portal(mut self, portal_url: Option<url::Url>) -> Self {
        self.portal_url = portal_url;
        self
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one row and fsyncs. Rows from concurrent sends never interleave.
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file.
    pub fn append(&self, entry: &PaperMailEntry<'_>) -> Result<(), SendError> {
        let archive_error = |source| self.error(source);
        let _guard = self.locked();
        if let Some(parent) = self
            .path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            fs::create_dir_all(parent).map_err(archive_error)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(archive_error)?;
        let is_new = file.metadata().map_err(archive_error)?.len() == 0;
        let mut text = String::new();
        if is_new {
            text.push_str(PAPER_MAIL_HEADER);
            text.push('\n');
        }
        text.push_str(&self.line(entry, time::OffsetDateTime::now_utc().date()));
        file.write_all(text.as_bytes()).map_err(archive_error)?;
        file.sync_all().map_err(archive_error)?;
        count_syncs("paper_list", "file", 1);
        Ok(())
    }

    /// Writes the whole list anew: the header and one row per entry, in one durable write
    /// (one file sync and one folder sync, not one a row), replacing what was there. A
    /// mailing writes its list so each run, and a row is on it once however often it resumed.
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file.
    pub fn write_whole(&self, entries: &[PaperMailEntry<'_>]) -> Result<(), SendError> {
        let today = time::OffsetDateTime::now_utc().date();
        let mut text = format!("{PAPER_MAIL_HEADER}\n");
        for entry in entries {
            text.push_str(&self.line(entry, today));
        }
        let _guard = self.locked();
        write_durably(&FolderSyncs::new("paper_list"), &self.path, text.as_bytes())
    }

    /// Whether the list holds a row of `sender` with `message_id`. It reads the whole list,
    /// so it is for the rare resume after a crash, never for every letter.
    ///
    /// # Errors
    /// [`SendError::Archive`] naming the file when it cannot be read or is not the list's
    /// CSV.
    pub fn holds(
        &self,
        sender: &kuvert_core::id::OrganisationNumber,
        message_id: &str,
    ) -> Result<bool, SendError> {
        let archive_error = |source| self.error(source);
        let _guard = self.locked();
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(archive_error(error)),
        };
        let records = crate::mailing::csv::records(&text).map_err(|error| {
            archive_error(std::io::Error::new(std::io::ErrorKind::InvalidData, error))
        })?;
        Ok(records.iter().skip(1).any(|record| {
            record.fields.first().map(String::as_str) == Some(sender.as_str())
                && record.fields.get(3).map(String::as_str) == Some(message_id)
        }))
    }

    /// The list to itself: rows from concurrent sends never interleave.
    fn locked(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn error(&self, source: std::io::Error) -> SendError {
        SendError::Archive {
            path: self.path.clone(),
            source,
        }
    }

    /// One row of the list, its line break included.
    fn line(&self, entry: &PaperMailEntry<'_>, today: time::Date) -> String {
        // The first three fields are digit strings and a fixed word; every free text is
        // quoted so a comma, quote or line break in one cannot shift the columns.
        let place = entry.manifest_row.map(|place| place.to_string());
        format!(
            "{},{},{},{},{today},{},{},{},{}\n",
            entry.sender.as_str(),
            entry.recipient.to_wire(),
            entry.reason.as_str(),
            quoted(entry.message_id.unwrap_or("")),
            quoted(&self.notice(entry.sender)),
            quoted(place.as_deref().unwrap_or("")),
            quoted(entry.reference.map_or("", Reference::as_str)),
            quoted(entry.subject.as_str()),
        )
    }
}

impl PaperMailList {
    /// The text to print on `sender`'s paper letter, or `""` without a usable portal address.
    fn notice(&self, sender: &kuvert_core::id::OrganisationNumber) -> String {
        let Some(portal_url) = &self.portal_url else {
            return String::new();
        };
        match kuvert_web::deep_link::deep_link(portal_url, sender, None) {
            Ok(link) => kuvert_web::deep_link::paper_letter_text(&link),
            Err(error) => {
                tracing::warn!(%error, "no deep link for the paper-mail list");
                String::new()
            }
        }
    }
}

/// A CSV field in quotes, its quotes doubled (RFC 4180).
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Message ids are free text (PROTOCOL.md §6.3), so the file name keeps only characters that
/// are safe in every file system; a UUID passes unchanged.
fn file_stem(sealed: &SealedDelivery) -> String {
    safe_file_stem(sealed.key().message_id.as_str())
}

fn safe_file_stem(message_id: &str) -> String {
    message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `bytes` durably ([`kuvert_store::durable::write_durably`]: concurrent writes
/// share their folder's sync).
pub(crate) fn write_durably(
    syncs: &FolderSyncs,
    path: &Path,
    bytes: &[u8],
) -> Result<(), SendError> {
    kuvert_store::durable::write_durably(syncs, path, bytes).map_err(|source| SendError::Archive {
        path: path.to_owned(),
        source,
    })
}

/// The receipt file's JSON: the receipt and where it came from.
fn receipt_json(sealed: &SealedDelivery, record: &ReceiptRecord<'_>) -> Result<String, SendError> {
    let key = sealed.key();
    let json = serde_json::json!({
        "sender": key.sender.as_str(),
        "message_id": key.message_id.as_str(),
        "trans_id": record.receipt.trans_id.as_str(),
        "recipient": record.receipt.recipient.to_wire(),
        "is_delivered": record.receipt.is_delivered,
        "operator": record.operator,
        "service_address": record.service_address,
        "received_at": now_rfc3339(),
    });
    serde_json::to_string_pretty(&json).map_err(|error| SendError::Internal(error.to_string()))
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
