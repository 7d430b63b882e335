//! `RegistryStore`: what the registry (FaR) keeps, as typed records (PROTOCOL.md §5.1, §11).
//!
//! Reception rules are stored as "accepts every sender except the deselected ones" (DIGG: by
//! default all public senders may send; the recipient deselects). The registry crate maps this
//! to and from the protocol's positive `AcceptedSenders` list. Each profile change (register,
//! change operator, deregister, reception rules) is one transaction together with its
//! [`SignatureRecord`], so a change never exists without the signature that authorised it,
//! and with its daily statistics counter ([`DailyRegistrations`]), so the counters always agree
//! with the profiles. Each recorded signature is claimed there too ([`SignatureDigest`]), so
//! the same signed document cannot authorise a second change.

mod batch;
mod companies;
mod counters;
mod directory;
mod profiles;
mod records;
mod signatures;
mod statistics;

use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, ProfileKind, ProfileRecord,
    ProfileStatus, Reachability, ReachableProfile, Registration, RegistrationSource, SenderRecord,
    Signatory,
};
use sqlx::AnyPool;
use sqlx::pool::PoolConnection;

use crate::StoreError;
use crate::database::Backend;
use crate::error::SqlContext;

pub use companies::CompanyStore;
pub use directory::DirectoryStore;
pub use profiles::ProfileStore;
pub use records::{
    NewCompanyRegistration, NewProfile, PendingCompanyRegistration, ReceptionRules, SignatureId,
    SignatureRecord, SignedAction,
};
pub use signatures::{SignatureDigest, SignatureStore, USED_SIGNATURE};
pub use statistics::{
    DailyRegistrations, LetterCounts, MailboxCounts, OperatorMailboxes, RegistrationQuery,
    SourceGrouping, StatisticsStore,
};

/// The registry's storage. Held as `Arc<dyn RegistryStore>` by `kuvert-registry`.
///
/// One trait per concern, each declared and implemented in the module that owns its tables:
/// [`DirectoryStore`], [`ProfileStore`], [`CompanyStore`], [`StatisticsStore`] and
/// [`SignatureStore`]. Anything that implements them all is a `RegistryStore`.
pub trait RegistryStore:
    DirectoryStore + ProfileStore + CompanyStore + StatisticsStore + SignatureStore
{
}

impl<T> RegistryStore for T where
    T: DirectoryStore + ProfileStore + CompanyStore + StatisticsStore + SignatureStore + ?Sized
{
}

/// The registry's tables in a SQLite or PostgreSQL database: implements every part of
/// [`RegistryStore`], each in its topic module.
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

    /// Starts writing a change signed by `signature`, which must be the recipient's own: the
    /// registry's domain pairs them, so a mismatch is a programmer error, not bad input.
    async fn begin_signed(
        &self,
        recipient: &kuvert_core::id::RecipientId,
        signature: &SignatureRecord,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        assert_eq!(
            &signature.recipient, recipient,
            "signature is for another recipient"
        );
        crate::database::begin_write(&self.pool, self.backend).await
    }
}
