//! Mailbox views: listing with paging, search and unread count, one letter with its
//! attachments, opening a letter (audited), read and archive flags.

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::LETTERS_PER_PAGE_MAX;
use kuvert_core::message::{
    AttachmentContentType, Filename, MessageId, SenderName, Subject, TransId,
};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::access::insert_audit_event;
use super::{
    AttachmentInfo, DeliveryId, Folder, Letter, LetterAccess, LetterPage, LetterSummary,
    MailboxQuery, OpenedLetter, SqlOperatorStore,
};
use crate::blob::{BlobDigest, BlobKey};
use crate::database::{
    flag, get_count, get_flag, get_optional_time, get_parsed, get_time, to_millis,
};
use crate::error::{SqlContext, StoreError};

const LETTER_COLUMNS: &str = "id, sender, sender_name, subject, received_at, is_read, \
     is_archived, attachment_count, recipient, message_id, trans_id, read_at";

/// The filter shared by the page and its count: `$1` recipient, `$2` archived flag, `$3`
/// sender or NULL, `$4` lowercase LIKE pattern or NULL (`!` escapes wildcards).
const LETTER_FILTER: &str = "recipient = $1 AND is_archived = $2 \
     AND ($3 IS NULL OR sender = $3) \
     AND ($4 IS NULL OR LOWER(subject) LIKE $4 ESCAPE '!' \
     OR LOWER(sender_name) LIKE $4 ESCAPE '!')";

/// Reading a mailbox: pages of letters, one letter, opening it (audit first), read and
/// archived marks. Part of [`OperatorStore`](super::OperatorStore).
#[async_trait]
pub trait MailboxStore: Send + Sync {
    /// One page of a mailbox, newest first, with totals and the unread count.
    async fn letters(&self, query: &MailboxQuery) -> Result<LetterPage, StoreError>;
    /// A letter's details, without audit (no content).
    async fn letter(&self, mailbox: &RecipientId, id: DeliveryId) -> Result<Letter, StoreError>;
    /// Reads a letter for a person: records the audit event, then returns the letter with its
    /// digest-checked sealed delivery. No audit record, no content.
    async fn open_letter(&self, access: &LetterAccess) -> Result<OpenedLetter, StoreError>;
    /// Marks a letter read at `read_at` (keeping the first read time), or unread for `None`.
    async fn set_read(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        read_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError>;
    /// Moves a letter to the archive or back to the inbox.
    async fn set_archived(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_archived: bool,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl MailboxStore for SqlOperatorStore {
    async fn letters(&self, query: &MailboxQuery) -> Result<LetterPage, StoreError> {
        let max = usize::try_from(LETTERS_PER_PAGE_MAX).unwrap_or(usize::MAX);
        let size = usize::try_from(query.page_size).unwrap_or(usize::MAX);
        if size == 0 || size > max {
            return Err(StoreError::TooMany { count: size, max });
        }
        let archived = flag(query.folder == Folder::Archive);
        let sender = query
            .sender
            .as_ref()
            .map(|sender| sender.as_str().to_owned());
        let pattern = query
            .search
            .as_ref()
            .map(|search| like_pattern(search.as_str()));
        let page_sql = format!(
            "SELECT {LETTER_COLUMNS} FROM deliveries WHERE {LETTER_FILTER} \
             ORDER BY received_at DESC, id DESC LIMIT $5 OFFSET $6"
        );
        let rows = sqlx::query(AssertSqlSafe(page_sql))
            .bind(query.recipient.to_wire())
            .bind(archived)
            .bind(sender.clone())
            .bind(pattern.clone())
            .bind(i64::from(query.page_size))
            .bind(i64::from(query.page) * i64::from(query.page_size))
            .fetch_all(&self.pool)
            .await
            .context("list letters")?;
        let count_sql = format!("SELECT COUNT(*) AS total FROM deliveries WHERE {LETTER_FILTER}");
        let total_row = sqlx::query(AssertSqlSafe(count_sql))
            .bind(query.recipient.to_wire())
            .bind(archived)
            .bind(sender)
            .bind(pattern)
            .fetch_one(&self.pool)
            .await
            .context("count letters")?;
        let unread_row = sqlx::query(
            "SELECT COUNT(*) AS unread FROM deliveries WHERE recipient = $1 AND is_read = 0",
        )
        .bind(query.recipient.to_wire())
        .fetch_one(&self.pool)
        .await
        .context("count unread letters")?;
        let letters = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let total = get_count(&total_row, "total")?;
        let shown = u64::from(query.page) * u64::from(query.page_size) + letters.len() as u64;
        Ok(LetterPage {
            letters,
            total,
            unread: get_count(&unread_row, "unread")?,
            has_more: shown < total,
        })
    }

    async fn letter(&self, mailbox: &RecipientId, id: DeliveryId) -> Result<Letter, StoreError> {
        Ok(letter_with_blob(&self.pool, mailbox, id).await?.0)
    }

    /// Reads the blob first and records the access before returning any content, so content is
    /// never handed out without its audit record.
    async fn open_letter(&self, access: &LetterAccess) -> Result<OpenedLetter, StoreError> {
        let (letter, blob_key, digest) =
            letter_with_blob(&self.pool, &access.mailbox, access.delivery).await?;
        let sealed_delivery = self
            .blobs
            .get(&blob_key, &digest)
            .await
            .map_err(|error| StoreError::internal("read sealed delivery", error))?;
        insert_audit_event(&self.pool, access).await?;
        Ok(OpenedLetter {
            letter,
            sealed_delivery,
        })
    }

    async fn set_read(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        read_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE deliveries SET is_read = $3, \
             read_at = CASE WHEN $3 = 1 THEN COALESCE(read_at, $4) ELSE read_at END \
             WHERE id = $1 AND recipient = $2";
        let update = letter_query(sql, mailbox, id)
            .bind(flag(read_at.is_some()))
            .bind(read_at.map(to_millis));
        update_letter(&self.pool, update, "mark letter read").await
    }

    async fn set_archived(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_archived: bool,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE deliveries SET is_archived = $3 WHERE id = $1 AND recipient = $2";
        let update = letter_query(sql, mailbox, id).bind(flag(is_archived));
        update_letter(&self.pool, update, "archive letter").await
    }
}

/// `sql` about one of `mailbox`'s letters, with `$1` the letter and `$2` the mailbox bound;
/// the caller binds the rest. Naming both keeps a holder to their own letters.
fn letter_query<'q>(
    sql: &'static str,
    mailbox: &RecipientId,
    id: DeliveryId,
) -> Query<'q, Any, AnyArguments> {
    sqlx::query(sql)
        .bind(id.to_string())
        .bind(mailbox.to_wire())
}

/// Runs an update made by [`letter_query`]; `NotFound` when no such letter is in the mailbox.
async fn update_letter(
    pool: &AnyPool,
    update: Query<'_, Any, AnyArguments>,
    context: &'static str,
) -> Result<(), StoreError> {
    let updated = update.execute(pool).await.context(context)?;
    match updated.rows_affected() {
        1 => Ok(()),
        _ => Err(StoreError::NotFound { what: "letter" }),
    }
}

async fn letter_with_blob(
    pool: &AnyPool,
    mailbox: &RecipientId,
    id: DeliveryId,
) -> Result<(Letter, BlobKey, BlobDigest), StoreError> {
    let sql = format!(
        "SELECT {LETTER_COLUMNS}, blob_key, blob_digest FROM deliveries \
         WHERE id = $1 AND recipient = $2"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(mailbox.to_wire())
        .fetch_optional(pool)
        .await
        .context("read letter")?
        .ok_or(StoreError::NotFound { what: "letter" })?;
    let attachment_rows = sqlx::query(
        "SELECT filename, content_type, size_bytes FROM attachments WHERE delivery_id = $1 \
         ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .context("read attachments")?;
    let attachments = attachment_rows
        .iter()
        .map(attachment_from_row)
        .collect::<Result<_, _>>()?;
    let letter = Letter {
        summary: summary_from_row(&row)?,
        recipient: get_parsed(&row, "recipient", RecipientId::parse)?,
        message_id: get_parsed(&row, "message_id", MessageId::parse)?,
        trans_id: get_parsed(&row, "trans_id", TransId::parse)?,
        read_at: get_optional_time(&row, "read_at")?,
        attachments,
    };
    let blob_key = get_parsed(&row, "blob_key", BlobKey::parse)?;
    let digest = get_parsed(&row, "blob_digest", BlobDigest::parse)?;
    Ok((letter, blob_key, digest))
}

fn summary_from_row(row: &AnyRow) -> Result<LetterSummary, StoreError> {
    let attachment_count: i64 = row.try_get("attachment_count").context("read letter")?;
    Ok(LetterSummary {
        id: get_parsed(row, "id", DeliveryId::parse)?,
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        sender_name: get_parsed(row, "sender_name", SenderName::parse)?,
        subject: get_parsed(row, "subject", Subject::parse_stored)?,
        received_at: get_time(row, "received_at")?,
        is_read: get_flag(row, "is_read")?,
        is_archived: get_flag(row, "is_archived")?,
        attachment_count: u32::try_from(attachment_count).unwrap_or(u32::MAX),
    })
}

fn attachment_from_row(row: &AnyRow) -> Result<AttachmentInfo, StoreError> {
    Ok(AttachmentInfo {
        filename: get_parsed(row, "filename", Filename::parse)?,
        content_type: get_parsed(row, "content_type", |text| {
            AttachmentContentType::parse(text).ok_or(())
        })?,
        size_bytes: get_count(row, "size_bytes")?,
    })
}

/// `%text%` in lowercase with `!`, `%` and `_` escaped by `!`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for character in text.to_lowercase().chars() {
        if matches!(character, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}
