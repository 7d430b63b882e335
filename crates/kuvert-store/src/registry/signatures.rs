//! Used e-ID signatures (replay protection): the digest of every signature the registry
//! accepted, so that the same signed document cannot authorise a change twice.
//!
//! Every [`SignatureRecord`] stored with a change is claimed in that change's transaction
//! (`profiles::insert_signature` calls [`claim_in`]), so a crash can never leave a change
//! without its claim, nor a claim accepted twice: the digest is the primary key, and two
//! racing requests cannot both insert it. Each claim also forgets digests older than
//! `limits::EID_SIGNATURE_USED_KEEP_SECS`, whose signatures the registry refuses as too old
//! anyway, so the table holds at most the signatures of that window.

use async_trait::async_trait;
use aws_lc_rs::digest::{SHA256, digest};
use kuvert_core::limits::EID_SIGNATURE_USED_KEEP_SECS;
use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime};

use super::{SignatureRecord, SqlRegistryStore};
use crate::database::{begin_write, to_millis};
use crate::error::{SqlContext, StoreError};

/// What `StoreError::Conflict` names when a signature was already used.
pub const USED_SIGNATURE: &str = "used signature";

/// SHA-256 (lowercase hex) of a signature as the registry stores it: its standard, padded
/// base64 (`SignatureRecord::signature_base64`), which the registry makes from the decoded
/// bytes, so one signature has exactly one digest however it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignatureDigest(String);

impl SignatureDigest {
    /// The digest of a signature given as the registry's base64 of its bytes.
    #[must_use]
    pub fn of_base64(signature_base64: &str) -> Self {
        Self(hex::encode(digest(&SHA256, signature_base64.as_bytes())))
    }

    /// The hex text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Claims the signature of `record` inside the caller's transaction, and forgets expired
/// digests. `Conflict { what: USED_SIGNATURE }` when it was used before.
pub(super) async fn claim_in(
    connection: &mut AnyConnection,
    record: &SignatureRecord,
) -> Result<(), StoreError> {
    forget_expired(connection, record.signed_at).await?;
    let digest = SignatureDigest::of_base64(&record.signature_base64);
    claim_digest(connection, &digest, record.signed_at).await
}

/// Used e-ID signatures (replay protection): every `SignatureRecord` a change stores is also
/// claimed in that change's transaction, and refused with `Conflict { what: USED_SIGNATURE }`
/// when it was used before. Part of [`RegistryStore`](super::RegistryStore).
#[async_trait]
pub trait SignatureStore: Send + Sync {
    /// Whether a signature with `digest` was accepted within the last
    /// `limits::EID_SIGNATURE_USED_KEEP_SECS` (the registry's early, clear refusal; the
    /// claim in the change's transaction is what guarantees it).
    async fn is_signature_used(&self, digest: &SignatureDigest) -> Result<bool, StoreError>;
    /// Claims signatures that no change records (a company's further signatories in one
    /// request), all or none, at `at`. `Conflict { what: USED_SIGNATURE }` when one was used.
    async fn claim_signatures(
        &self,
        digests: &[SignatureDigest],
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl SignatureStore for SqlRegistryStore {
    /// Whether `digest` was claimed and not yet forgotten.
    async fn is_signature_used(&self, digest: &SignatureDigest) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT used_at FROM registry_used_signatures WHERE digest = $1")
            .bind(digest.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("read used signature")?;
        Ok(row.is_some())
    }

    /// Claims signatures that no change records (further signatories of one request), in one
    /// transaction of their own: all or none.
    async fn claim_signatures(
        &self,
        digests: &[SignatureDigest],
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        forget_expired(&mut transaction, at).await?;
        for digest in digests {
            claim_digest(&mut transaction, digest, at).await?;
        }
        transaction
            .commit()
            .await
            .context("commit used signatures")?;
        Ok(())
    }
}

/// Forgets digests claimed longer than `EID_SIGNATURE_USED_KEEP_SECS` before `at`: once per
/// claiming transaction, however many digests it claims.
async fn forget_expired(
    connection: &mut AnyConnection,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let forget_before = at - Duration::seconds(EID_SIGNATURE_USED_KEEP_SECS);
    sqlx::query("DELETE FROM registry_used_signatures WHERE used_at < $1")
        .bind(to_millis(forget_before))
        .execute(&mut *connection)
        .await
        .context("forget expired used signatures")?;
    Ok(())
}

/// Inserts `digest`; `Conflict { what: USED_SIGNATURE }` when it is there already.
async fn claim_digest(
    connection: &mut AnyConnection,
    digest: &SignatureDigest,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO registry_used_signatures (digest, used_at) VALUES ($1, $2) \
         ON CONFLICT (digest) DO NOTHING",
    )
    .bind(digest.as_str())
    .bind(to_millis(at))
    .execute(&mut *connection)
    .await
    .context("claim used signature")?;
    if inserted.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            what: USED_SIGNATURE,
        });
    }
    Ok(())
}
