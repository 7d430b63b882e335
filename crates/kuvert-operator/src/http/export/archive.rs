//! The export zip, written to an anonymous temporary file so a large mailbox never sits in
//! memory, in the format of `kuvert_wire::export` (the layout, the names and the manifest
//! `kuvert verify` reads): per letter its folder with the sealed delivery and the receipt
//! exactly as stored, then the manifest and `LASMIG.txt`.
//!
//! Synchronous on purpose: callers run it on a blocking thread, one page of letters at a time.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use kuvert_core::limits::{EXPORT_BYTES_MAX, EXPORT_LETTERS_MAX};
use kuvert_store::operator::ExportLetter;
use kuvert_wire::delivery::VerifiedLetter;
use kuvert_wire::export::{
    MANIFEST_FILE, Manifest, ManifestLetter, README_FILE, StoredLetter, letter_folder,
};
use time::OffsetDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

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
        let day = kuvert_core::calendar::stockholm_day(letter.received_at);
        let id = letter.id.to_string();
        let folder = letter_folder(day, &id);
        let stored = StoredLetter {
            id: &id,
            trans_id: letter.trans_id.as_str(),
            received_at: letter.received_at,
        };
        let listed = ManifestLetter::new(stored, verified, &folder);
        for (file, bytes) in listed.files.iter().zip([sealed_delivery, receipt]) {
            self.writer.start_file(file.as_str(), self.options)?;
            self.writer.write_all(bytes)?;
        }
        self.letters.push(listed);
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
        let letters = std::mem::take(&mut self.letters);
        let json = Manifest::new(mailbox, exported_at, letters).to_json()?;
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
