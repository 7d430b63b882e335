//! The SQL implementation of [`RegistryStore`]: each method hands over to the module that owns
//! the tables it touches (`directory`, `profiles`, `companies`, `statistics`, `signatures`).

use std::collections::BTreeSet;

use async_trait::async_trait;
use kuvert_core::calendar::YearMonth;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use sqlx::AnyPool;
use sqlx::pool::PoolConnection;
use time::{Date, OffsetDateTime};

use super::{
    CompanySignatoryRule, DailyRegistrations, IntermediaryRecord, LetterCounts, MailboxCounts,
    NewCompanyRegistration, NewProfile, OperatorMailboxes, OperatorRecord,
    PendingCompanyRegistration, ProfileRecord, Reachability, ReceptionRules, Registration,
    RegistrationQuery, RegistrationSource, RegistryStore, SenderRecord, ServiceDomain,
    SignatureDigest, SignatureRecord, companies, directory, profiles, signatures, statistics,
};
use crate::database::Backend;
use crate::error::{SqlContext, StoreError};

/// The registry's tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlRegistryStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlRegistryStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    async fn connection(&self) -> Result<PoolConnection<sqlx::Any>, StoreError> {
        self.pool.acquire().await.context("acquire connection")
    }
}

#[async_trait]
impl RegistryStore for SqlRegistryStore {
    async fn upsert_operator(&self, operator: &OperatorRecord) -> Result<(), StoreError> {
        directory::upsert_operator(&self.pool, operator).await
    }

    async fn operator(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<OperatorRecord>, StoreError> {
        directory::operator_where(&self.pool, "o.organisation_number", id.as_str()).await
    }

    async fn operator_by_domain(
        &self,
        domain: &ServiceDomain,
    ) -> Result<Option<OperatorRecord>, StoreError> {
        directory::operator_where(&self.pool, "o.domain", domain.as_str()).await
    }

    async fn operators(&self) -> Result<Vec<OperatorRecord>, StoreError> {
        directory::operators(&self.pool).await
    }

    async fn upsert_sender(&self, sender: &SenderRecord) -> Result<(), StoreError> {
        directory::upsert_sender(&self.pool, sender).await
    }

    async fn sender(&self, id: &OrganisationNumber) -> Result<Option<SenderRecord>, StoreError> {
        directory::sender(&self.pool, id).await
    }

    async fn senders(&self) -> Result<Vec<SenderRecord>, StoreError> {
        directory::senders(&self.pool).await
    }

    async fn upsert_intermediary(
        &self,
        intermediary: &IntermediaryRecord,
    ) -> Result<(), StoreError> {
        directory::upsert_intermediary(&self.pool, self.backend, intermediary).await
    }

    async fn intermediary(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<IntermediaryRecord>, StoreError> {
        Ok(directory::intermediaries(&self.pool, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn intermediaries(&self) -> Result<Vec<IntermediaryRecord>, StoreError> {
        directory::intermediaries(&self.pool, None).await
    }

    async fn profile(&self, recipient: &RecipientId) -> Result<Option<ProfileRecord>, StoreError> {
        profiles::profile(&mut *self.connection().await?, recipient).await
    }

    async fn register_profile(
        &self,
        profile: NewProfile,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        profiles::register(&self.pool, self.backend, profile, signature).await
    }

    async fn change_operator(
        &self,
        recipient: &RecipientId,
        operator: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        profiles::change_operator(&self.pool, self.backend, recipient, operator, signature).await
    }

    async fn deregister_profile(
        &self,
        recipient: &RecipientId,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        profiles::deregister(&self.pool, self.backend, recipient, signature).await
    }

    async fn store_reception_rules(
        &self,
        recipient: &RecipientId,
        deselected: &BTreeSet<OrganisationNumber>,
        signature: SignatureRecord,
    ) -> Result<ReceptionRules, StoreError> {
        profiles::store_reception_rules(&self.pool, self.backend, recipient, deselected, signature)
            .await
    }

    async fn reception_rules(
        &self,
        recipient: &RecipientId,
    ) -> Result<Option<ReceptionRules>, StoreError> {
        profiles::reception_rules(&mut *self.connection().await?, recipient).await
    }

    async fn signatures(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<SignatureRecord>, StoreError> {
        profiles::signatures(&self.pool, recipient).await
    }

    async fn is_reachable(
        &self,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<Reachability>, StoreError> {
        profiles::is_reachable(&self.pool, sender, recipients).await
    }

    async fn registrations(
        &self,
        recipients: &[RecipientId],
    ) -> Result<Vec<Registration>, StoreError> {
        profiles::registrations(&self.pool, recipients).await
    }

    async fn upsert_company_signatory_rule(
        &self,
        rule: &CompanySignatoryRule,
    ) -> Result<(), StoreError> {
        companies::upsert_rule(&self.pool, self.backend, rule).await
    }

    async fn company_signatory_rule(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<CompanySignatoryRule>, StoreError> {
        companies::rule(&mut *self.connection().await?, company).await
    }

    async fn start_company_registration(
        &self,
        request: NewCompanyRegistration,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        companies::start(&self.pool, self.backend, request, signature).await
    }

    async fn add_company_signature(
        &self,
        company: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        companies::add_signature(&self.pool, self.backend, company, signature).await
    }

    async fn pending_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<PendingCompanyRegistration>, StoreError> {
        companies::pending(&mut *self.connection().await?, company).await
    }

    async fn cancel_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        companies::cancel(&self.pool, self.backend, company).await
    }

    async fn complete_company_registration(
        &self,
        company: &OrganisationNumber,
        completed_at: OffsetDateTime,
        source: Option<RegistrationSource>,
    ) -> Result<ProfileRecord, StoreError> {
        companies::complete(&self.pool, self.backend, company, completed_at, source).await
    }

    async fn registration_statistics(
        &self,
        query: &RegistrationQuery,
    ) -> Result<Vec<DailyRegistrations>, StoreError> {
        statistics::registration_statistics(&self.pool, query).await
    }

    async fn mailboxes_before(&self, day: Date) -> Result<MailboxCounts, StoreError> {
        statistics::mailboxes_before(&self.pool, day).await
    }

    async fn mailboxes_before_per_operator(
        &self,
        day: Date,
    ) -> Result<Vec<OperatorMailboxes>, StoreError> {
        statistics::mailboxes_before_per_operator(&self.pool, day).await
    }

    async fn add_letter_counts(&self, counts: &LetterCounts) -> Result<LetterCounts, StoreError> {
        statistics::add_letter_counts(&self.pool, self.backend, counts).await
    }

    async fn letter_statistics(
        &self,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<LetterCounts>, StoreError> {
        statistics::letter_statistics(&self.pool, from, to).await
    }

    async fn sender_count(&self) -> Result<u64, StoreError> {
        statistics::sender_count(&self.pool).await
    }

    async fn is_signature_used(&self, digest: &SignatureDigest) -> Result<bool, StoreError> {
        signatures::is_used(&self.pool, digest).await
    }

    async fn claim_signatures(
        &self,
        digests: &[SignatureDigest],
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        signatures::claim(&self.pool, self.backend, digests, at).await
    }
}
