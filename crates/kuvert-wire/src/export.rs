//! The mailbox export format (`kuvert-export-1`), beside the evidence reader that checks it:
//! a zip with one folder per letter, `<received-date>_<id>/forsegling.xml` (the sealed
//! delivery exactly as received) and `kvittens.xml` (the receipt exactly as returned), then
//! `manifest.json` ([`Manifest`]) and `LASMIG.txt`. The operator writes it (its export page),
//! `kuvert verify` reads it; both take the layout, the names and the manifest from here, so
//! they cannot drift apart. This is a stable format: change it only with a new
//! [`FORMAT`].
//!
//! The manifest is not signed; it only names which receipt belongs to which letter, and the
//! letters themselves are proven by their signatures. [`ManifestLetter::check`] holds a
//! verified letter ([`EvidenceReport`]) against its entry, so receipts swapped between two
//! letters fail.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::delivery::VerifiedLetter;
use crate::evidence::EvidenceReport;

/// The manifest's `format`.
pub const FORMAT: &str = "kuvert-export-1";
/// The sealed delivery's file name inside a letter's folder.
pub const SEALED_DELIVERY_FILE: &str = "forsegling.xml";
/// The receipt's file name inside a letter's folder.
pub const RECEIPT_FILE: &str = "kvittens.xml";
/// The list of letters.
pub const MANIFEST_FILE: &str = "manifest.json";
/// How to check the letters, in Swedish and English.
pub const README_FILE: &str = "LASMIG.txt";

/// `manifest.json`. Read leniently: only `letters` is needed to check an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    #[serde(default)]
    pub format: String,
    /// The mailbox (recipient, wire form) the letters were exported from.
    #[serde(default)]
    pub mailbox: String,
    /// When the export was made (RFC 3339).
    #[serde(default)]
    pub exported_at: String,
    /// Every letter, in the order they were written.
    pub letters: Vec<ManifestLetter>,
}

/// One letter in `manifest.json`. Sender, recipient, message id and subject are read from
/// the verified letter; `kuvert verify` checks them, and each receipt, against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestLetter {
    /// The operator's delivery id.
    pub id: String,
    /// The sender's organisation number.
    pub sender: String,
    /// The recipient (wire form); absent in exports made before issue 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The sender's name as the letter gives it.
    pub sender_name: String,
    /// The letter's subject.
    pub subject: String,
    /// The sender's message id.
    pub message_id: String,
    /// The receipt's TransId.
    pub trans_id: String,
    /// When the operator received the letter (RFC 3339).
    pub received_at: String,
    /// The letter's two files, sealed delivery first.
    pub files: Vec<String>,
}

/// A verified letter that is not the one its manifest entry lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is {verified}, but manifest.json lists {listed} for this letter")]
pub struct ManifestMismatch {
    /// What differs (`the sender`, `the message id`, …).
    pub what: &'static str,
    /// The value the verified letter or its receipt has.
    pub verified: String,
    /// The value the manifest lists.
    pub listed: String,
}

/// What an entry of an export zip is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// [`MANIFEST_FILE`].
    Manifest,
    /// [`README_FILE`].
    Readme,
    /// A letter folder's [`SEALED_DELIVERY_FILE`].
    SealedDelivery {
        /// The folder's name.
        folder: &'a str,
    },
    /// A letter folder's [`RECEIPT_FILE`].
    Receipt {
        /// The folder's name.
        folder: &'a str,
    },
    /// Nothing an export has.
    Unknown,
}

impl<'a> Entry<'a> {
    /// Classifies the zip entry `name`.
    #[must_use]
    pub fn of(name: &'a str) -> Self {
        match name {
            MANIFEST_FILE => Self::Manifest,
            README_FILE => Self::Readme,
            _ => match name.split_once('/') {
                Some((folder, SEALED_DELIVERY_FILE)) if !folder.is_empty() => {
                    Self::SealedDelivery { folder }
                }
                Some((folder, RECEIPT_FILE)) if !folder.is_empty() => Self::Receipt { folder },
                _ => Self::Unknown,
            },
        }
    }
}

/// `<received-date>_<id>`: the Swedish calendar day the operator received the letter, so the
/// folders sort by date, and the delivery id, which is unique.
#[must_use]
pub fn letter_folder(received_day: Date, delivery_id: &str) -> String {
    format!(
        "{:04}-{:02}-{:02}_{delivery_id}",
        received_day.year(),
        u8::from(received_day.month()),
        received_day.day(),
    )
}

/// An instant as the manifest writes it (RFC 3339).
#[must_use]
pub fn manifest_time(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// What the operator knows of a stored letter besides its verified content.
#[derive(Debug, Clone, Copy)]
pub struct StoredLetter<'a> {
    /// The operator's delivery id.
    pub id: &'a str,
    /// The receipt's TransId.
    pub trans_id: &'a str,
    /// When the operator received it.
    pub received_at: OffsetDateTime,
}

impl ManifestLetter {
    /// The entry of `stored`, its names read from the verified letter, its files in `folder`.
    #[must_use]
    pub fn new(stored: StoredLetter<'_>, verified: &VerifiedLetter, folder: &str) -> Self {
        let header = &verified.delivery.header;
        let message_header = verified.delivery.message.header();
        Self {
            id: stored.id.to_owned(),
            sender: header.sender.id.as_str().to_owned(),
            recipient: Some(header.recipient.to_wire()),
            sender_name: header.sender.name.as_str().to_owned(),
            subject: message_header.subject.as_str().to_owned(),
            message_id: message_header.id.as_str().to_owned(),
            trans_id: stored.trans_id.to_owned(),
            received_at: manifest_time(stored.received_at),
            files: vec![
                format!("{folder}/{SEALED_DELIVERY_FILE}"),
                format!("{folder}/{RECEIPT_FILE}"),
            ],
        }
    }

    /// The folder the entry's files are in; `None` for an entry without files.
    #[must_use]
    pub fn folder(&self) -> Option<&str> {
        self.files
            .first()
            .and_then(|file| file.split_once('/'))
            .map(|(folder, _)| folder)
    }

    /// The verified letter and its receipt are the ones this entry lists: sender, message id,
    /// recipient (when listed) and the receipt's TransId.
    ///
    /// # Errors
    /// [`ManifestMismatch`] naming the first that differs.
    pub fn check(&self, report: &EvidenceReport) -> Result<(), ManifestMismatch> {
        let recipient = report.recipient.to_wire();
        let pairs = [
            (
                "the sender",
                report.sender.as_str(),
                Some(self.sender.as_str()),
            ),
            (
                "the message id",
                report.message_id.as_str(),
                Some(self.message_id.as_str()),
            ),
            (
                "the recipient",
                recipient.as_str(),
                self.recipient.as_deref(),
            ),
            (
                "the receipt's TransId",
                report.receipt.trans_id.as_str(),
                Some(self.trans_id.as_str()),
            ),
        ];
        for (what, verified, listed) in pairs {
            if let Some(listed) = listed
                && verified != listed
            {
                return Err(ManifestMismatch {
                    what,
                    verified: verified.to_owned(),
                    listed: listed.to_owned(),
                });
            }
        }
        Ok(())
    }
}

impl Manifest {
    /// The manifest of an export of `mailbox` made at `exported_at`.
    #[must_use]
    pub fn new(mailbox: &str, exported_at: OffsetDateTime, letters: Vec<ManifestLetter>) -> Self {
        Self {
            format: FORMAT.to_owned(),
            mailbox: mailbox.to_owned(),
            exported_at: manifest_time(exported_at),
            letters,
        }
    }

    /// `manifest.json` as written: pretty JSON.
    ///
    /// # Errors
    /// When serialising fails (it does not for these string fields).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec_pretty(self)
    }

    /// Reads `manifest.json`.
    ///
    /// # Errors
    /// When the bytes are not a manifest.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests;
