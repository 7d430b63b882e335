//! The mailing's print-ready paper letters: one PDF per row on the paper-mail list
//! (`paper_letter::render`), written into a folder beside the list and named by the row's
//! place in the manifest (`line-3.pdf`, `index-2.pdf`), so a print house matches each to its
//! list row. Rewritten with the list on every run, each file durably (temporary name, fsync,
//! rename), so a letter is there once however often the mailing resumed.

use std::path::{Path, PathBuf};

use kuvert_core::calendar::stockholm_day;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::SenderName;

use super::manifest::{BodySource, ManifestFormat, ManifestRow};
use crate::error::SendError;
use crate::paper_letter::{DeepLinkQr, PaperLetter, body_text, render_with};
use kuvert_store::durable::DurableBatch;

/// What a run wrote for the print house.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaperLetters {
    /// The folder of the PDFs.
    pub folder: PathBuf,
    /// The mailing's letters in the folder: one per paper row, this run's and earlier runs'.
    pub written: usize,
    /// Of which this run rendered; the others an earlier run of the mailing left there
    /// (complete: a letter appears under its name only when durably written) and are kept, so
    /// a resumed national mailing does not render its paper letters again.
    pub rendered: usize,
    /// Of which without a postal address (the manifest gave none): the PDF says so where the
    /// address goes, and the print house must add it.
    pub without_address: usize,
}

/// Who sends the letters and where the portal is.
pub(super) struct Sender {
    pub(super) number: OrganisationNumber,
    pub(super) name: SenderName,
    pub(super) portal_url: Option<url::Url>,
}

/// Writes one PDF per row into `folder`, except the rows whose PDF an earlier run wrote; the
/// files are synced one by one and the folder once at the end.
pub(super) fn write_letters(
    rows: &[ManifestRow],
    format: ManifestFormat,
    sender: &Sender,
    folder: &Path,
) -> Result<PaperLetters, SendError> {
    let deep_link = match &sender.portal_url {
        Some(portal) => kuvert_web::deep_link::deep_link(portal, &sender.number, None)
            .map_err(|error| tracing::warn!(%error, "paper letters without a deep link"))
            .ok(),
        None => None,
    };
    let qr = deep_link
        .as_ref()
        .map(DeepLinkQr::new)
        .transpose()
        .map_err(|error| SendError::Internal(error.to_string()))?;
    let date = stockholm_day(time::OffsetDateTime::now_utc());
    let syncs = kuvert_store::durable::FolderSyncs::new("paper_letters");
    let mut letters = PaperLetters {
        folder: folder.to_owned(),
        ..PaperLetters::default()
    };
    let batch = DurableBatch::new(&syncs);
    for row in rows {
        letters.written += 1;
        letters.without_address += usize::from(row.address.is_none());
        let path = folder.join(paper_letter_file_name(format, row.line));
        if path.is_file() {
            continue;
        }
        let text = match &row.body {
            BodySource::Inline(text) => text.clone(),
            BodySource::File { path, content_type } => {
                let content = std::fs::read(path).map_err(|source| SendError::ReadFile {
                    path: path.clone(),
                    source,
                })?;
                body_text(*content_type, &content)
            }
        };
        let attachments: Vec<String> = row
            .attachments
            .iter()
            .filter_map(|path| path.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        let letter = PaperLetter {
            sender_name: &sender.name,
            sender: &sender.number,
            address: row.address.as_ref(),
            date,
            subject: &row.subject,
            reference: row.reference.as_ref(),
            text: &text,
            attachments: &attachments,
            deep_link: deep_link.as_ref(),
        };
        let pdf = render_with(&letter, qr.as_ref())
            .map_err(|error| SendError::Internal(error.to_string()))?;
        batch
            .write(&path, &pdf)
            .map_err(|source| SendError::Archive { path, source })?;
        letters.rendered += 1;
    }
    batch.finish().map_err(|source| SendError::Archive {
        path: folder.to_owned(),
        source,
    })?;
    Ok(letters)
}

/// `line-3.pdf` for a CSV row starting on line 3, `index-2.pdf` for a JSON row at index 2.
#[must_use]
pub fn paper_letter_file_name(format: ManifestFormat, line: usize) -> String {
    format!("{}.pdf", format.place(line).to_string().replace(' ', "-"))
}
