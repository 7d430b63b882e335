//! The export zip, written to an anonymous temporary file so a large mailbox never sits in
//! memory: per letter `<received-date>_<id>/forsegling.xml` (the sealed delivery exactly as
//! received) and `kvittens.xml` (the receipt exactly as returned), then `manifest.json` and
//! `LASMIG.txt`. This layout is a stable format: `kuvert verify` reads it.
//!
//! Synchronous on purpose: callers run it on a blocking thread, one page of letters at a time.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use kuvert_core::limits::{EXPORT_BYTES_MAX, EXPORT_LETTERS_MAX};
use kuvert_store::operator::ExportLetter;
use kuvert_wire::delivery::VerifiedLetter;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The sealed delivery's file name inside a letter's folder.
pub const SEALED_DELIVERY_FILE: &str = "forsegling.xml";
/// The receipt's file name inside a letter's folder.
pub const RECEIPT_FILE: &str = "kvittens.xml";
/// The list of letters.
pub const MANIFEST_FILE: &str = "manifest.json";
/// How to check the letters, in Swedish and English.
pub const README_FILE: &str = "LASMIG.txt";

/// An export being written.
pub(super) struct ExportArchive {
    writer: ZipWriter<File>,
    options: SimpleFileOptions,
    letters: Vec<ManifestLetter>,
    bytes_total: u64,
}

/// Why the export could not be written.
#[derive(Debug, thiserror::Error)]
pub(super) enum ArchiveError {
    /// More letters or bytes than one export holds.
    #[error("export exceeds {what} (at most {max})")]
    TooLarge {
        /// `letters` or `bytes`.
        what: &'static str,
        /// The bound.
        max: u64,
    },
    /// Writing the temporary file failed.
    #[error("export file could not be written")]
    Io(#[from] std::io::Error),
    /// The zip writer failed.
    #[error("export zip could not be written")]
    Zip(#[from] zip::result::ZipError),
    /// The manifest could not be serialised.
    #[error("export manifest could not be written")]
    Manifest(#[from] serde_json::Error),
    /// A stored letter no longer reads as a verified letter.
    #[error("a stored letter does not verify")]
    Letter(#[source] kuvert_wire::delivery::LetterError),
}

/// `manifest.json`.
#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    mailbox: &'a str,
    exported_at: String,
    letters: &'a [ManifestLetter],
}

/// One letter in `manifest.json`. Sender, recipient, message id and subject are read from
/// the verified letter; `kuvert verify` checks them, and each receipt, against it.
#[derive(Serialize)]
struct ManifestLetter {
    id: String,
    sender: String,
    recipient: String,
    sender_name: String,
    subject: String,
    message_id: String,
    trans_id: String,
    received_at: String,
    files: [String; 2],
}

impl ExportArchive {
    /// A new export in an anonymous temporary file, stamped with `exported_at`.
    pub(super) fn create(exported_at: OffsetDateTime) -> Result<Self, ArchiveError> {
        let file = tempfile::tempfile()?;
        let stamp = DateTime::from_date_and_time(
            u16::try_from(exported_at.year()).unwrap_or(1980),
            u8::from(exported_at.month()),
            exported_at.day(),
            exported_at.hour(),
            exported_at.minute(),
            exported_at.second(),
        )
        .unwrap_or_default();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        Ok(Self {
            writer: ZipWriter::new(file),
            options,
            letters: Vec::new(),
            bytes_total: 0,
        })
    }

    /// Adds one letter: its sealed delivery (exactly as stored, `verified` read from it) and
    /// its receipt.
    pub(super) fn add_letter(
        &mut self,
        letter: &ExportLetter,
        verified: &VerifiedLetter,
        sealed_delivery: &[u8],
    ) -> Result<(), ArchiveError> {
        if self.letters.len() >= EXPORT_LETTERS_MAX {
            return Err(ArchiveError::TooLarge {
                what: "letters",
                max: u64::try_from(EXPORT_LETTERS_MAX).unwrap_or(u64::MAX),
            });
        }
        let receipt = letter.receipt_xml.as_bytes();
        let size = u64::try_from(sealed_delivery.len() + receipt.len()).unwrap_or(u64::MAX);
        self.bytes_total = self.bytes_total.saturating_add(size);
        if self.bytes_total > EXPORT_BYTES_MAX {
            return Err(ArchiveError::TooLarge {
                what: "bytes",
                max: EXPORT_BYTES_MAX,
            });
        }
        let folder = letter_folder(letter);
        let files = [
            format!("{folder}/{SEALED_DELIVERY_FILE}"),
            format!("{folder}/{RECEIPT_FILE}"),
        ];
        self.writer.start_file(files[0].as_str(), self.options)?;
        self.writer.write_all(sealed_delivery)?;
        self.writer.start_file(files[1].as_str(), self.options)?;
        self.writer.write_all(receipt)?;
        let header = &verified.delivery.header;
        let message_header = verified.delivery.message.header();
        self.letters.push(ManifestLetter {
            id: letter.id.to_string(),
            sender: header.sender.id.as_str().to_owned(),
            recipient: header.recipient.to_wire(),
            sender_name: header.sender.name.as_str().to_owned(),
            subject: message_header.subject.as_str().to_owned(),
            message_id: message_header.id.as_str().to_owned(),
            trans_id: letter.trans_id.as_str().to_owned(),
            received_at: rfc3339(letter.received_at),
            files,
        });
        Ok(())
    }

    /// How many letters were added.
    pub(super) fn letter_count(&self) -> usize {
        self.letters.len()
    }

    /// Writes `manifest.json` and `LASMIG.txt`, closes the zip and returns the file, rewound.
    pub(super) fn finish(
        mut self,
        mailbox: &str,
        exported_at: OffsetDateTime,
    ) -> Result<File, ArchiveError> {
        let manifest = Manifest {
            format: "kuvert-export-1",
            mailbox,
            exported_at: rfc3339(exported_at),
            letters: &self.letters,
        };
        let json = serde_json::to_vec_pretty(&manifest)?;
        self.writer.start_file(MANIFEST_FILE, self.options)?;
        self.writer.write_all(&json)?;
        self.writer.start_file(README_FILE, self.options)?;
        self.writer.write_all(README_TEXT.as_bytes())?;
        let mut file = self.writer.finish()?;
        file.flush()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// `<received-date>_<id>`: the Swedish calendar day the operator received the letter, so the
/// folders sort by date, and the delivery id, which is unique.
fn letter_folder(letter: &ExportLetter) -> String {
    let day = kuvert_core::calendar::stockholm_day(letter.received_at);
    format!(
        "{:04}-{:02}-{:02}_{}",
        day.year(),
        u8::from(day.month()),
        day.day(),
        letter.id
    )
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `LASMIG.txt`: what the files are and how to check them, Swedish first.
const README_TEXT: &str = "\
Dina brev från den digitala brevlådan
=====================================

Varje mapp är ett brev: ÅÅÅÅ-MM-DD_id, där datumet är dagen brevet kom fram.
- forsegling.xml är den förseglade försändelsen precis som brevlådeoperatören tog emot den:
  brevet med bilagor, avsändarens signatur och förmedlarens försegling.
- kvittens.xml är kvittensen som brevlådeoperatören gav förmedlaren.
manifest.json listar breven (avsändare, ämne, när de kom fram).

Så kontrollerar du breven (utan internet):
    kuvert verify brev-ÅÅÅÅ-MM-DD.zip
eller, för att också kontrollera certifikaten mot en utfärdare du litar på:
    kuvert verify brev-ÅÅÅÅ-MM-DD.zip --ca utfardare.pem
För varje brev skrivs vem som signerade, vem som förseglade och när det kom fram, eller FEL
och varför. Ett enda ändrat tecken i ett brev gör att kontrollen misslyckas för det brevet.

Your letters from the digital mailbox
=====================================

Each folder is one letter: YYYY-MM-DD_id, the date being the day the letter arrived.
- forsegling.xml is the sealed delivery exactly as the mailbox operator received it: the
  letter with its attachments, the sender's signature and the intermediary's seal.
- kvittens.xml is the receipt the mailbox operator gave the intermediary.
manifest.json lists the letters (sender, subject, when they arrived).

How to check the letters (offline):
    kuvert verify brev-YYYY-MM-DD.zip
or, to also check the certificates against an issuer you trust:
    kuvert verify brev-YYYY-MM-DD.zip --ca issuer.pem
For each letter it prints who signed, who sealed and when it arrived, or FAIL and why. A
single changed character in a letter makes the check fail for that letter.
";
