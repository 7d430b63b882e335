//! What a mailbox holder takes away and looks back at: the letters of a mailbox with their
//! receipts, walked in pages for an export, and the access log with what each event was
//! about (the letter's subject and the attachment's file name), for the holder to read.
//!
//! The sealed delivery itself is not read here: the export opens each letter through
//! `OperatorStore::open_letter` with `AuditAction::ExportedLetter`, so every exported letter
//! is audited and its blob digest-checked like any other opening.

use async_trait::async_trait;
use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::limits::{AUDIT_EVENTS_PER_PAGE_MAX, LETTERS_PER_PAGE_MAX};
use kuvert_core::message::{Filename, SenderName, Subject, TransId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::{AuditAction, DeliveryId, SqlOperatorStore};
use crate::database::{get_optional_parsed, get_parsed, get_text, get_time};
use crate::error::{SqlContext, StoreError};

/// One letter of a mailbox as the export lists it (no content): only what the store alone
/// knows. Who sent the letter and what it is about the archive reads from the sealed delivery
/// itself, verified, never from these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLetter {
    /// The letter.
    pub id: DeliveryId,
    /// The operator's id in the receipt.
    pub trans_id: TransId,
    /// When the operator stored it.
    pub received_at: OffsetDateTime,
    /// The receipt envelope exactly as it was returned.
    pub receipt_xml: String,
}

/// A query for one page of a mailbox's access log, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLogQuery {
    /// The mailbox.
    pub mailbox: RecipientId,
    /// Zero-based page number.
    pub page: u32,
    /// Events per page, 1..=`limits::AUDIT_EVENTS_PER_PAGE_MAX`.
    pub page_size: u32,
}

/// One page of a mailbox's access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLogPage {
    /// The events, newest first.
    pub entries: Vec<AuditLogEntry>,
    /// Whether older events follow.
    pub has_more: bool,
}

/// One access, with what it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLogEntry {
    /// Who acted (from their e-ID login).
    pub actor: PersonalIdentityNumber,
    /// What they did.
    pub action: AuditAction,
    /// When.
    pub at: OffsetDateTime,
    /// The letter.
    pub delivery: DeliveryId,
    /// The letter's subject.
    pub subject: Subject,
    /// The sender's name.
    pub sender_name: SenderName,
    /// The attachment's file name, for an opened attachment.
    pub attachment: Option<Filename>,
}

/// What the holder's export and access log read. Part of [`OperatorStore`](super::OperatorStore).
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Up to `limit` (≤ `limits::LETTERS_PER_PAGE_MAX`) letters of `mailbox`, inbox and
    /// archive, in a stable order after `after` (the last id of the previous page): the
    /// export walks a mailbox with it. No content and no audit; the export opens each letter
    /// through [`MailboxStore::open_letter`](super::MailboxStore::open_letter).
    async fn export_letters(
        &self,
        mailbox: &RecipientId,
        after: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<ExportLetter>, StoreError>;
    /// One page of the mailbox's access log, newest first, each event with the letter's
    /// subject and sender and the attachment's file name.
    async fn audit_log(&self, query: &AuditLogQuery) -> Result<AuditLogPage, StoreError>;
}

#[async_trait]
impl ExportStore for SqlOperatorStore {
    /// Up to `limit` letters of `mailbox` (inbox and archive), in id order after `after`.
    async fn export_letters(
        &self,
        mailbox: &RecipientId,
        after: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<ExportLetter>, StoreError> {
        check_size(limit, LETTERS_PER_PAGE_MAX)?;
        let rows = sqlx::query(
            "SELECT id, trans_id, received_at, receipt_xml FROM deliveries \
             WHERE recipient = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
        )
        .bind(mailbox.to_wire())
        .bind(after.map(|id| id.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("list letters to export")?;
        rows.iter().map(export_letter).collect()
    }

    /// One page of `query.mailbox`'s access log, newest first.
    async fn audit_log(&self, query: &AuditLogQuery) -> Result<AuditLogPage, StoreError> {
        check_size(query.page_size, AUDIT_EVENTS_PER_PAGE_MAX)?;
        // One row more than asked tells whether another page follows.
        let rows = sqlx::query(
            "SELECT a.actor, a.action, a.attachment_position, a.at, a.delivery_id, d.subject, \
             d.sender_name, f.filename FROM audit_events a \
             JOIN deliveries d ON d.id = a.delivery_id \
             LEFT JOIN attachments f ON f.delivery_id = a.delivery_id \
             AND f.position = a.attachment_position \
             WHERE a.mailbox = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(query.mailbox.to_wire())
        .bind(i64::from(query.page_size) + 1)
        .bind(i64::from(query.page) * i64::from(query.page_size))
        .fetch_all(&self.pool)
        .await
        .context("list audit log")?;
        let mut entries = rows
            .iter()
            .map(audit_log_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let page_size = usize::try_from(query.page_size).unwrap_or(usize::MAX);
        let has_more = entries.len() > page_size;
        entries.truncate(page_size);
        Ok(AuditLogPage { entries, has_more })
    }
}

fn check_size(size: u32, max: u32) -> Result<(), StoreError> {
    if size == 0 || size > max {
        let count = usize::try_from(size).unwrap_or(usize::MAX);
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        return Err(StoreError::TooMany { count, max });
    }
    Ok(())
}

fn export_letter(row: &AnyRow) -> Result<ExportLetter, StoreError> {
    Ok(ExportLetter {
        id: get_parsed(row, "id", DeliveryId::parse)?,
        trans_id: get_parsed(row, "trans_id", TransId::parse)?,
        received_at: get_time(row, "received_at")?,
        receipt_xml: get_text(row, "receipt_xml")?,
    })
}

fn audit_log_entry(row: &AnyRow) -> Result<AuditLogEntry, StoreError> {
    let position: Option<i64> = row
        .try_get("attachment_position")
        .context("read audit event")?;
    Ok(AuditLogEntry {
        actor: get_parsed(row, "actor", PersonalIdentityNumber::parse)?,
        action: get_parsed(row, "action", |text| {
            AuditAction::from_db(text, position).ok_or(())
        })?,
        at: get_time(row, "at")?,
        delivery: get_parsed(row, "delivery_id", DeliveryId::parse)?,
        subject: get_parsed(row, "subject", Subject::parse_stored)?,
        sender_name: get_parsed(row, "sender_name", SenderName::parse)?,
        attachment: get_optional_parsed(row, "filename", Filename::parse)?,
    })
}
