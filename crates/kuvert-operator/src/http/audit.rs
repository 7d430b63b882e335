//! `/installningar/logg`: the access log of the mailbox the person acts for, newest first and
//! paged: who opened which letter or attachment (or exported it), when in Swedish time, and
//! from which mailbox. Only the holder, or a representative of a company mailbox, reaches a
//! mailbox's log, because the page reads only `Holder::mailbox`.
//!
//! The log names people by their personal identity number only (that is what the e-ID login
//! gives the store), so others are shown masked (`19121212-****`) and the person themself as
//! "Du"/"You" with their name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::limits::{AUDIT_EVENTS_PER_PAGE_MAX, INBOX_PAGE_NUMBER_MAX};
use kuvert_store::operator::{AuditAction, AuditLogEntry, AuditLogQuery};
use serde::Deserialize;

use super::InboxState;
use super::auth::Holder;
use super::export::texts::{ExportTexts, export_texts};
use super::pages::{Failure, Layout, masked, render};

/// Events per page of the log.
const AUDIT_PAGE_SIZE: u32 = 50;
const _: () = assert!(AUDIT_PAGE_SIZE <= AUDIT_EVENTS_PER_PAGE_MAX);

/// `/installningar/logg`.
#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
    pub(super) layout: Layout,
    pub(super) e: &'static ExportTexts,
    pub(super) rows: Vec<AuditRow>,
    pub(super) page_number: u32,
    pub(super) previous_href: Option<String>,
    pub(super) next_href: Option<String>,
}

/// One line of the log as shown.
pub(super) struct AuditRow {
    pub(super) who: String,
    pub(super) when: String,
    pub(super) what: String,
    pub(super) mailbox: String,
}

/// `?sida=N` (1-based).
#[derive(Debug, Default, Deserialize)]
pub(super) struct LogQuery {
    sida: Option<u32>,
}

/// `GET /installningar/logg`.
pub(super) async fn page(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<LogQuery>,
) -> Result<Response, Failure> {
    let page_number = query.sida.unwrap_or(1).clamp(1, INBOX_PAGE_NUMBER_MAX);
    let log_query = AuditLogQuery {
        mailbox: holder.mailbox(),
        page: page_number - 1,
        page_size: AUDIT_PAGE_SIZE,
    };
    let log = state.shared.store.audit_log(&log_query).await?;
    let e = export_texts(holder.language);
    let layout = holder.layout();
    let rows = log
        .entries
        .iter()
        .map(|entry| AuditRow {
            who: who(entry, &holder, &layout, e),
            when: super::pages::date_time(entry.at),
            what: what(entry, e),
            mailbox: match &holder.company {
                Some(company) => format!("{} {}", e.company_mailbox, company.as_str()),
                None => e.own_mailbox.to_owned(),
            },
        })
        .collect();
    let href = |number: u32| format!("/installningar/logg?sida={number}");
    let page = AuditPage {
        layout,
        e,
        rows,
        page_number,
        previous_href: (page_number > 1).then(|| href(page_number - 1)),
        next_href: log.has_more.then(|| href(page_number + 1)),
    };
    Ok(render(StatusCode::OK, &page))
}

/// "Du (name)" for the person themself, else the masked number.
fn who(entry: &AuditLogEntry, holder: &Holder, layout: &Layout, e: &ExportTexts) -> String {
    if entry.actor != holder.person.person {
        return masked(&entry.actor);
    }
    match &layout.person_name {
        Some(name) => format!("{} ({name})", e.you),
        None => e.you.to_owned(),
    }
}

/// "Öppnade brevet: Beslut om bygglov (från Kommun A)".
fn what(entry: &AuditLogEntry, e: &ExportTexts) -> String {
    let subject = entry.subject.as_str();
    let sender = entry.sender_name.as_str();
    match entry.action {
        AuditAction::OpenedLetter => {
            format!(
                "{}: {subject} ({} {sender})",
                e.opened_letter, e.from_sender
            )
        }
        AuditAction::OpenedAttachment { .. } => {
            let attachment = entry
                .attachment
                .as_ref()
                .map_or("", |filename| filename.as_str());
            format!(
                "{}: {attachment} ({subject}, {} {sender})",
                e.opened_attachment, e.from_sender
            )
        }
        AuditAction::ExportedLetter => {
            format!(
                "{}: {subject} ({} {sender})",
                e.exported_letter, e.from_sender
            )
        }
    }
}

#[cfg(test)]
mod tests;
