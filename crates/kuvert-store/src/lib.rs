//! Storage behind traits: the only crate that knows SQL.
//!
//! [`Database::connect`] opens SQLite (default) or PostgreSQL through sqlx's `any` driver and
//! runs one set of portable migrations. Roles reach their tables only through
//! [`RegistryStore`](registry::RegistryStore) (FaR),
//! [`OperatorStore`](operator::OperatorStore) (a mailbox operator) and
//! [`PortalStore`](portal::PortalStore) (the public portal) and
//! [`WebSessionStore`](web_session::WebSessionStore) (the web sessions of every role with
//! logged-in pages, so that any node serves them) and
//! [`DistributionStore`](distribution::DistributionStore) (an intermediary's
//! `distributeSecure` record) and [`SenderQueueStore`](sender::SenderQueueStore) (the sender
//! service's letter queue and timelines) and [`WebhookStore`](sender::webhook::WebhookStore)
//! (its webhooks' cursors and dead letters) and
//! [`LetterReportStore`](letter_report::LetterReportStore) (both services' letters not yet
//! counted by the registry's letter statistics), held as `Arc<dyn …>`, with
//! typed values in and typed records out; callers see [`StoreError`], never SQL. Bytes such as
//! sealed deliveries live in a [`BlobStore`](blob::BlobStore).
//!
//! **Invariants:** a delivery row exists only if its blob was written and flushed first, so a
//! receipt (returned after the commit) always has its letter on disk; `(sender, message id)`
//! is unique, so a retried delivery returns the original receipt; every profile change is
//! committed together with the signature that authorised it. Timestamps are kept to the
//! millisecond (BIGINT unix milliseconds, UTC).

pub mod backup;
pub mod blob;
mod calendar;
mod database;
pub mod distribution;
pub mod durable;
mod error;
pub mod letter_report;
pub mod operator;
pub mod pool;
pub mod portal;
mod provision;
pub mod registry;
#[cfg(feature = "bench-seed")]
pub mod seed;
pub mod sender;
pub mod web_session;

use std::sync::Arc;

pub use error::StoreError;
pub use provision::{create_database_sql, ensure_postgres_database};

use database::Backend;

/// An open database: a connection pool with migrations applied.
#[derive(Debug, Clone)]
pub struct Database {
    pool: sqlx::AnyPool,
    backend: Backend,
}

impl Database {
    /// Connects to `url` and brings the schema up to date.
    ///
    /// SQLite: `sqlite:///path/kuvert.db?mode=rwc` (WAL, `synchronous=FULL`, foreign keys on,
    /// busy timeout). PostgreSQL: `postgres://user@host:port/database`.
    /// PostgreSQL over TLS, server certificate and name checked:
    /// `postgres://user@host/database?sslmode=verify-full&sslrootcert=/path/ca.pem`. The pool
    /// has the defaults of [`pool::PoolConfig`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, pool::PoolSettings::default()).await
    }

    /// [`Database::connect`] with the pool's size and waits from the configuration.
    pub async fn connect_with(url: &str, pool: pool::PoolSettings) -> Result<Self, StoreError> {
        let (pool, backend) = database::open(url, pool).await?;
        Ok(Self { pool, backend })
    }

    /// The registry's storage.
    pub fn registry(&self) -> Arc<dyn registry::RegistryStore> {
        Arc::new(registry::SqlRegistryStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// A mailbox operator's storage, keeping sealed deliveries in `blobs`.
    pub fn operator(&self, blobs: Arc<dyn blob::BlobStore>) -> Arc<dyn operator::OperatorStore> {
        Arc::new(operator::SqlOperatorStore::new(
            self.pool.clone(),
            self.backend,
            blobs,
        ))
    }

    /// The portal's storage: visits, operator choices, campaigns, communicators, targets.
    pub fn portal(&self) -> Arc<dyn portal::PortalStore> {
        Arc::new(portal::SqlPortalStore::new(self.pool.clone(), self.backend))
    }

    /// The communicators' network on the portal: senders' brands, page feedback, A/B tests.
    pub fn portal_network(&self) -> Arc<dyn portal::network::NetworkStore> {
        Arc::new(portal::network::SqlNetworkStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// The editor workflow on the portal: the editor role and communicators' submissions.
    pub fn portal_editorial(&self) -> Arc<dyn portal::editorial::EditorialStore> {
        Arc::new(portal::editorial::SqlEditorialStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// The web sessions of the roles with logged-in pages, each role in its realm.
    pub fn web_sessions(&self) -> Arc<dyn web_session::WebSessionStore> {
        Arc::new(web_session::SqlWebSessionStore::new(self.pool.clone()))
    }

    /// The sender service's durable letter queue and each letter's timeline (issue 15).
    pub fn sender_queue(&self) -> Arc<dyn sender::SenderQueueStore> {
        Arc::new(sender::SqlSenderQueueStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// The sender service's webhook endpoints (their cursors over the event log and their
    /// leases) and the dead-letter list (issue 15).
    pub fn sender_webhooks(&self) -> Arc<dyn sender::webhook::WebhookStore> {
        Arc::new(sender::webhook::SqlWebhookStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// The intermediary's record of the signed deliveries sender systems handed over
    /// (`distributeSecure`).
    pub fn distributions(&self) -> Arc<dyn distribution::DistributionStore> {
        Arc::new(distribution::SqlDistributionStore::new(self.pool.clone()))
    }

    /// The sender service's letters the registry's letter statistics have not yet counted.
    pub fn sender_letter_reports(&self) -> Arc<dyn letter_report::LetterReportStore> {
        Arc::new(letter_report::SqlLetterReportStore::new(
            self.pool.clone(),
            letter_report::ReportedTable::SENDER_LETTERS,
        ))
    }

    /// The intermediary's distributions the registry's letter statistics have not yet
    /// counted.
    pub fn distribution_reports(&self) -> Arc<dyn letter_report::LetterReportStore> {
        Arc::new(letter_report::SqlLetterReportStore::new(
            self.pool.clone(),
            letter_report::ReportedTable::DISTRIBUTIONS,
        ))
    }

    /// The annual plans on the portal and the editor's review of each campaign.
    pub fn portal_plans(&self) -> Arc<dyn portal::plans::PlanStore> {
        Arc::new(portal::plans::SqlPlanStore::new(
            self.pool.clone(),
            self.backend,
        ))
    }

    /// Asks the database for nothing (`SELECT 1`) through the pool, so it fails when no
    /// connection can be had: the admin listener's `/readyz`, which bounds the wait itself.
    pub async fn ping(&self) -> Result<(), StoreError> {
        use error::SqlContext;
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("ping database")
            .map(drop)
    }

    /// Closes every connection; waits for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
