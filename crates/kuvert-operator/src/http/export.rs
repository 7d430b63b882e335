//! `/installningar/export`: "ladda ner alla brev". GET explains what the zip holds; POST (with
//! the CSRF token) builds it and sends it as `brev-YYYY-MM-DD.zip`.
//!
//! The export covers the mailbox the person acts for (their own, or a company's they
//! represent), read from this operator's store, so it works also after the person changed
//! mailbox to another operator. Each letter is read through `OperatorStore::open_letter`
//! with `AuditAction::ExportedLetter`: the export is in the access log letter by letter, and
//! every blob is digest-checked on the way out and read through
//! `kuvert_wire::delivery::read_verified` (the manifest names what verified; a letter that
//! no longer verifies stops the export as an internal error). The zip is written to a
//! temporary file one letter at a time (at most one sealed delivery in memory) and streamed
//! from there.

mod archive;
pub(super) mod texts;

use std::fs::File;

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt as _;
use kuvert_core::limits::LETTERS_PER_PAGE_MAX;
use kuvert_store::operator::{AuditAction, DeliveryId, ExportLetter, LetterAccess, OpenedLetter};
use kuvert_wire::delivery::{VerifiedLetter, read_verified};
use time::OffsetDateTime;
use tokio::io::AsyncReadExt as _;

use super::InboxState;
use super::auth::{CheckedHolder, Holder};
use super::pages::{Failure, Layout, MessagePage, render};
use archive::{ArchiveError, ExportArchive};
use texts::{ExportTexts, export_texts};

/// `/installningar/export`.
#[derive(Template)]
#[template(path = "export.html")]
pub(super) struct ExportPage {
    pub(super) layout: Layout,
    pub(super) e: &'static ExportTexts,
    /// The company's organisation number when the person acts for a company.
    pub(super) company: Option<String>,
}

/// Bytes read from the finished zip per chunk of the response.
const STREAM_CHUNK_BYTES: usize = 64 * 1024;

/// `GET /installningar/export`: what the zip holds and the button.
pub(super) async fn page(holder: Holder) -> Response {
    let page = ExportPage {
        layout: holder.layout(),
        e: export_texts(holder.language),
        company: holder
            .company
            .as_ref()
            .map(|company| company.as_str().to_owned()),
    };
    render(StatusCode::OK, &page)
}

/// `POST /installningar/export`: the zip of every letter in the mailbox.
pub(super) async fn download(
    State(state): State<InboxState>,
    CheckedHolder(holder): CheckedHolder,
) -> Response {
    let now = OffsetDateTime::now_utc();
    match build(&state, &holder, now).await {
        Ok((file, letter_count)) => {
            tracing::info!(letter_count, "mailbox exported");
            zip_response(file, now).await
        }
        Err(ExportFailure::TooLarge) => {
            let e = export_texts(holder.language);
            let layout = holder.layout();
            let page = MessagePage {
                heading: e.export_heading,
                text: e.export_too_large,
                call_id: None,
                link: Some(("/installningar", layout.t.nav_settings)),
                layout,
            };
            render(StatusCode::PAYLOAD_TOO_LARGE, &page)
        }
        Err(ExportFailure::Page(failure)) => failure.into_response(),
    }
}

/// Why an export was not made.
enum ExportFailure {
    /// Past `EXPORT_LETTERS_MAX` or `EXPORT_BYTES_MAX`.
    TooLarge,
    /// Anything else, as the inbox shows it.
    Page(Failure),
}

impl From<Failure> for ExportFailure {
    fn from(failure: Failure) -> Self {
        Self::Page(failure)
    }
}

impl From<kuvert_store::StoreError> for ExportFailure {
    fn from(error: kuvert_store::StoreError) -> Self {
        Self::Page(Failure::from(error))
    }
}

impl From<ArchiveError> for ExportFailure {
    fn from(error: ArchiveError) -> Self {
        match error {
            ArchiveError::TooLarge { .. } => Self::TooLarge,
            other => Self::Page(Failure::internal(other)),
        }
    }
}

/// Walks the mailbox a page at a time and writes each letter into the zip, in the mailbox's
/// order. Up to [`LETTERS_AHEAD`] letters are read (row, blob, audit event) and verified at
/// once, so a large mailbox's export waits on neither the database's nor the bucket's round
/// trips one letter at a time, and its verification uses every core.
async fn build(
    state: &InboxState,
    holder: &Holder,
    now: OffsetDateTime,
) -> Result<(File, usize), ExportFailure> {
    let store = &state.shared.store;
    let mailbox = holder.mailbox();
    let mut archive = blocking(move || ExportArchive::create(now)).await?;
    let mut after: Option<DeliveryId> = None;
    loop {
        let letters = store
            .export_letters(&mailbox, after, LETTERS_PER_PAGE_MAX)
            .await?;
        let is_last_page = letters.len() < usize::try_from(LETTERS_PER_PAGE_MAX).unwrap_or(0);
        after = letters.last().map(|letter| letter.id);
        let mut verified = futures::stream::iter(letters)
            .map(|letter| open_verified(state, holder, letter, now))
            .buffered(LETTERS_AHEAD);
        while let Some(next) = verified.next().await {
            let (letter, content, opened) = next?;
            archive = blocking(move || {
                archive.add_letter(&letter, &content, &opened.sealed_delivery)?;
                Ok(archive)
            })
            .await?;
        }
        if is_last_page {
            break;
        }
    }
    let letter_count = archive.letter_count();
    let mailbox_text = mailbox.to_wire();
    let file = blocking(move || archive.finish(&mailbox_text, now)).await?;
    Ok((file, letter_count))
}

/// Letters of an export read and verified ahead of the one being written.
const LETTERS_AHEAD: usize = 8;

/// Opens one letter for the export (audited as exported) and verifies it off the async
/// threads.
async fn open_verified(
    state: &InboxState,
    holder: &Holder,
    letter: ExportLetter,
    now: OffsetDateTime,
) -> Result<(ExportLetter, VerifiedLetter, OpenedLetter), ExportFailure> {
    let access = LetterAccess {
        mailbox: holder.mailbox(),
        delivery: letter.id,
        actor: holder.person.person.clone(),
        action: AuditAction::ExportedLetter,
        at: now,
    };
    let opened = state.shared.store.open_letter(&access).await?;
    let verifier = state.shared.verifier.clone();
    blocking(move || {
        let content =
            read_verified(&opened.sealed_delivery, &verifier).map_err(ArchiveError::Letter)?;
        Ok((letter, content, opened))
    })
    .await
}

/// Runs file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ArchiveError> + Send + 'static,
) -> Result<T, ExportFailure> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => Ok(result?),
        Err(error) => Err(ExportFailure::Page(Failure::internal(error))),
    }
}

/// The finished zip as a download, streamed from the temporary file.
async fn zip_response(file: File, now: OffsetDateTime) -> Response {
    let length = file.metadata().map(|metadata| metadata.len()).ok();
    let file = tokio::fs::File::from_std(file);
    let chunks = futures::stream::try_unfold(file, |mut file| async move {
        let mut buffer = vec![0; STREAM_CHUNK_BYTES];
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            return Ok::<_, std::io::Error>(None);
        }
        buffer.truncate(read);
        Ok(Some((Bytes::from(buffer), file)))
    });
    let day = kuvert_core::calendar::stockholm_day(now);
    let disposition = format!(
        "attachment; filename=\"brev-{:04}-{:02}-{:02}.zip\"",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
