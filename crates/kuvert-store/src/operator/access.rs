//! Who may use and who did use a mailbox: the audit log of letter access and representation
//! (a person acting for a company's mailbox).

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::limits::AUDIT_EVENTS_PER_PAGE_MAX;
use sqlx::AnyPool;
use sqlx::Row;
use time::OffsetDateTime;

use super::{AuditAction, AuditEvent, DeliveryId, LetterAccess, SqlOperatorStore};
use crate::database::{get_parsed, get_time, to_millis};
use crate::error::{SqlContext, StoreError};

pub(super) async fn insert_audit_event(
    pool: &AnyPool,
    access: &LetterAccess,
) -> Result<(), StoreError> {
    let (action, position) = access.action.to_db();
    sqlx::query(
        "INSERT INTO audit_events (id, mailbox, actor, action, delivery_id, \
         attachment_position, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(access.mailbox.to_wire())
    .bind(access.actor.as_str())
    .bind(action)
    .bind(access.delivery.to_string())
    .bind(position)
    .bind(to_millis(access.at))
    .execute(pool)
    .await
    .context("record audit event")?;
    Ok(())
}

/// Who may use a mailbox (representatives of a company) and who read what (the audit
/// events). Part of [`OperatorStore`](super::OperatorStore).
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// The mailbox's access log, newest first, at most `limit`
    /// (≤ `limits::AUDIT_EVENTS_PER_PAGE_MAX`).
    async fn audit_events(
        &self,
        mailbox: &RecipientId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;
    /// Lets `person` use `company`'s mailbox (an authorised representative).
    async fn grant_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Withdraws a representation; withdrawing a missing one succeeds.
    async fn revoke_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
    ) -> Result<(), StoreError>;
    /// The companies whose mailboxes `person` may use.
    async fn represented_companies(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Vec<OrganisationNumber>, StoreError>;
}

#[async_trait]
impl AccessStore for SqlOperatorStore {
    async fn audit_events(
        &self,
        mailbox: &RecipientId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        if limit > AUDIT_EVENTS_PER_PAGE_MAX {
            let count = usize::try_from(limit).unwrap_or(usize::MAX);
            let max = usize::try_from(AUDIT_EVENTS_PER_PAGE_MAX).unwrap_or(usize::MAX);
            return Err(StoreError::TooMany { count, max });
        }
        let rows = sqlx::query(
            "SELECT mailbox, actor, action, delivery_id, attachment_position, at FROM audit_events \
             WHERE mailbox = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(mailbox.to_wire())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("list audit events")?;
        rows.iter()
            .map(|row| {
                let position: Option<i64> = row
                    .try_get("attachment_position")
                    .context("read audit event")?;
                Ok(AuditEvent {
                    mailbox: get_parsed(row, "mailbox", RecipientId::parse)?,
                    actor: get_parsed(row, "actor", PersonalIdentityNumber::parse)?,
                    action: get_parsed(row, "action", |text| {
                        AuditAction::from_db(text, position).ok_or(())
                    })?,
                    delivery: get_parsed(row, "delivery_id", DeliveryId::parse)?,
                    at: get_time(row, "at")?,
                })
            })
            .collect()
    }

    async fn grant_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO representations (company, person, granted_at) VALUES ($1, $2, $3) \
             ON CONFLICT (company, person) DO NOTHING",
        )
        .bind(company.as_str())
        .bind(person.as_str())
        .bind(to_millis(at))
        .execute(&self.pool)
        .await
        .context("grant representation")?;
        Ok(())
    }

    async fn revoke_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM representations WHERE company = $1 AND person = $2")
            .bind(company.as_str())
            .bind(person.as_str())
            .execute(&self.pool)
            .await
            .context("revoke representation")?;
        Ok(())
    }

    async fn represented_companies(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Vec<OrganisationNumber>, StoreError> {
        let rows =
            sqlx::query("SELECT company FROM representations WHERE person = $1 ORDER BY company")
                .bind(person.as_str())
                .fetch_all(&self.pool)
                .await
                .context("list represented companies")?;
        rows.iter()
            .map(|row| get_parsed(row, "company", OrganisationNumber::parse))
            .collect()
    }
}
