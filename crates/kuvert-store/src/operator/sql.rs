//! The SQL implementation of [`OperatorStore`]: each method hands over to the module that owns
//! the tables it touches (`deliveries`, `mailbox`, `notifications`, `access`).

use std::sync::Arc;

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use sqlx::AnyPool;
use time::{Duration, OffsetDateTime};

use super::{
    AuditEvent, CodeCheck, CodeIssue, ConfirmationCode, DeliveryId, Letter, LetterAccess,
    LetterPage, MailboxQuery, NewDelivery, NotificationAddress, NotificationChannel,
    NotificationId, NotificationRecord, NotificationSetting, OpenedLetter, OperatorStore,
    StoreOutcome, access, deliveries, mailbox, notifications,
};
use crate::blob::BlobStore;
use crate::database::Backend;
use crate::error::StoreError;

/// The operator's tables in a SQLite or PostgreSQL database, with sealed deliveries in a blob
/// store.
#[derive(Debug, Clone)]
pub(crate) struct SqlOperatorStore {
    pool: AnyPool,
    backend: Backend,
    blobs: Arc<dyn BlobStore>,
}

impl SqlOperatorStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend, blobs: Arc<dyn BlobStore>) -> Self {
        Self {
            pool,
            backend,
            blobs,
        }
    }
}

#[async_trait]
impl OperatorStore for SqlOperatorStore {
    #[tracing::instrument(skip_all, fields(delivery.trans_id = %delivery.trans_id.as_str()))]
    async fn store_delivery(&self, delivery: NewDelivery) -> Result<StoreOutcome, StoreError> {
        deliveries::store(&self.pool, self.backend, self.blobs.as_ref(), delivery).await
    }

    async fn letters(&self, query: &MailboxQuery) -> Result<LetterPage, StoreError> {
        mailbox::letters(&self.pool, query).await
    }

    async fn letter(&self, mailbox: &RecipientId, id: DeliveryId) -> Result<Letter, StoreError> {
        mailbox::letter(&self.pool, mailbox, id).await
    }

    async fn open_letter(&self, access: &LetterAccess) -> Result<OpenedLetter, StoreError> {
        mailbox::open_letter(&self.pool, self.blobs.as_ref(), access).await
    }

    async fn set_read(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_read: bool,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        mailbox::set_read(&self.pool, mailbox, id, is_read, at).await
    }

    async fn set_archived(
        &self,
        mailbox: &RecipientId,
        id: DeliveryId,
        is_archived: bool,
    ) -> Result<(), StoreError> {
        mailbox::set_archived(&self.pool, mailbox, id, is_archived).await
    }

    async fn reclaim_orphan_blobs(
        &self,
        written_before: OffsetDateTime,
        page_size: usize,
    ) -> Result<usize, StoreError> {
        deliveries::reclaim_orphans(&self.pool, self.blobs.as_ref(), written_before, page_size)
            .await
    }

    async fn set_notification_address(
        &self,
        recipient: &RecipientId,
        address: NotificationAddress,
        code: ConfirmationCode,
        at: OffsetDateTime,
    ) -> Result<NotificationSetting, StoreError> {
        let issued =
            notifications::issue_code(&self.pool, self.backend, recipient, &address, &code, at);
        match issued.await? {
            CodeIssue::Issued(setting) => Ok(setting),
            CodeIssue::DailyLimitReached { .. } => Err(StoreError::Conflict {
                what: "confirmation codes sent today",
            }),
        }
    }

    async fn confirm_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        at: OffsetDateTime,
    ) -> Result<NotificationSetting, StoreError> {
        let checked =
            notifications::check_code(&self.pool, self.backend, recipient, channel, code, at);
        match checked.await? {
            CodeCheck::Confirmed(setting) => Ok(setting),
            CodeCheck::NoCode => Err(StoreError::NotFound {
                what: "notification address",
            }),
            CodeCheck::Wrong { .. } | CodeCheck::Expired | CodeCheck::TriesUsedUp => {
                Err(StoreError::Conflict {
                    what: "confirmation code",
                })
            }
        }
    }

    async fn remove_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<(), StoreError> {
        notifications::remove_address(&self.pool, recipient, channel).await
    }

    async fn notification_settings(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<NotificationSetting>, StoreError> {
        notifications::settings(&self.pool, recipient).await
    }

    async fn claim_notifications(
        &self,
        now: OffsetDateTime,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        notifications::claim(&self.pool, now, limit, lease).await
    }

    async fn mark_notification_sent(
        &self,
        id: NotificationId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        notifications::mark_sent(&self.pool, id, at).await
    }

    async fn mark_notification_failed(
        &self,
        id: NotificationId,
        error: &str,
        now: OffsetDateTime,
    ) -> Result<NotificationRecord, StoreError> {
        notifications::mark_failed(&self.pool, self.backend, id, error, now).await
    }

    async fn notifications(
        &self,
        recipient: &RecipientId,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        notifications::list(&self.pool, recipient, limit).await
    }

    async fn audit_events(
        &self,
        mailbox: &RecipientId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        access::audit_events(&self.pool, mailbox, limit).await
    }

    async fn grant_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        access::grant_representation(&self.pool, company, person, at).await
    }

    async fn revoke_representation(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
    ) -> Result<(), StoreError> {
        access::revoke_representation(&self.pool, company, person).await
    }

    async fn represented_companies(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Vec<OrganisationNumber>, StoreError> {
        access::represented_companies(&self.pool, person).await
    }

    async fn issue_confirmation_code(
        &self,
        recipient: &RecipientId,
        address: &NotificationAddress,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeIssue, StoreError> {
        notifications::issue_code(&self.pool, self.backend, recipient, address, code, now).await
    }

    async fn check_confirmation_code(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeCheck, StoreError> {
        notifications::check_code(&self.pool, self.backend, recipient, channel, code, now).await
    }

    async fn postpone_notifications(
        &self,
        ids: &[NotificationId],
        until: OffsetDateTime,
    ) -> Result<(), StoreError> {
        notifications::postpone(&self.pool, self.backend, ids, until).await
    }

    async fn last_notification_sent_at(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        notifications::last_sent_at(&self.pool, recipient, channel).await
    }

    async fn export_letters(
        &self,
        mailbox: &RecipientId,
        after: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<super::ExportLetter>, StoreError> {
        super::export::export_letters(&self.pool, mailbox, after, limit).await
    }

    async fn audit_log(
        &self,
        query: &super::AuditLogQuery,
    ) -> Result<super::AuditLogPage, StoreError> {
        super::export::audit_log(&self.pool, query).await
    }
}
