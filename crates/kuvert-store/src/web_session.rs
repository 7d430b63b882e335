//! [`WebSessionStore`]: the web sessions of every role with logged-in pages (the inbox's, the
//! communicators'), as rows, so that every node of a role serves every session and a restart
//! logs nobody out (issue 16).
//!
//! A row is found by the SHA-256 of the session id ([`SessionKey`]), never by the id itself,
//! so a copy of the table opens no session. What a session holds is the role's business: the
//! store keeps it as opaque text (`data`, at most `limits::WEB_SESSION_DATA_BYTES_MAX` bytes)
//! beside an optional lookup key (the hashed state a signing service posts back without the
//! cookie). Every change is conditional on the version read, so two nodes changing one
//! session at once cannot overwrite each other unseen.
//!
//! **Invariants:** a session past its idle timeout or lifetime ([`Liveness`]) is never
//! answered, and is deleted when met or swept; after [`WebSessionStore::create_session`] a
//! realm holds at most `sessions_max` rows (ended ones go first, then the least recently used).

use async_trait::async_trait;
use kuvert_core::limits::WEB_SESSION_DATA_BYTES_MAX;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use time::{Duration, OffsetDateTime};

use crate::database::{get_count, get_time, to_millis};
use crate::error::{SqlContext, StoreError};

/// Hex SHA-256 of a secret (a session id, a signing's state): how the store names a session
/// and finds it by its lookup value, without keeping the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(String);

/// When a session counts as live: a request within `idle` and created within `lifetime`,
/// both measured back from `now`.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    /// The time now.
    pub now: OffsetDateTime,
    /// Longest time without a request.
    pub idle: Duration,
    /// Longest time since the session was created.
    pub lifetime: Duration,
}

/// What a session's row holds, written when it is created or changed.
#[derive(Debug, Clone, Copy)]
pub struct SessionRow<'a> {
    /// The realm (the session cookie's name).
    pub realm: &'a str,
    /// The hashed session id.
    pub key: &'a SessionKey,
    /// What the session holds (JSON).
    pub data: &'a str,
    /// The hashed lookup value, if the session has one.
    pub lookup: Option<&'a SessionKey>,
}

/// A new session.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// Its row.
    pub row: SessionRow<'a>,
    /// Now, and which sessions of the realm have ended.
    pub liveness: Liveness,
    /// Sessions the realm keeps at most; at least 1.
    pub sessions_max: usize,
}

/// A live session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The hashed session id.
    pub key: SessionKey,
    /// What the session holds (JSON).
    pub data: String,
    /// Grows with every change; a change names the version it was made from.
    pub version: u64,
    /// When the session was created.
    pub created_at: OffsetDateTime,
    /// When its last request was recorded.
    pub last_seen_at: OffsetDateTime,
}

/// A session's new content, written only if the row is still at `version`.
#[derive(Debug, Clone, Copy)]
pub struct SessionChange<'a> {
    /// The row as it is to be.
    pub row: SessionRow<'a>,
    /// The version the change was made from.
    pub version: u64,
    /// The time of the request making the change.
    pub at: OffsetDateTime,
}

/// The web sessions of all roles that have logged-in pages, each role in its realm.
#[async_trait]
pub trait WebSessionStore: Send + Sync {
    /// Stores a new session, deletes the realm's ended ones and, past `sessions_max`, the
    /// least recently used. `OutOfBounds` when `data` is over the bound.
    async fn create_session(&self, new: NewSession<'_>) -> Result<(), StoreError>;
    /// The live session `key`; an ended one is deleted and not answered.
    async fn session(
        &self,
        realm: &str,
        key: &SessionKey,
        liveness: Liveness,
    ) -> Result<Option<StoredSession>, StoreError>;
    /// The live session whose lookup value is `lookup` (ended ones are not answered).
    async fn session_by_lookup(
        &self,
        realm: &str,
        lookup: &SessionKey,
        liveness: Liveness,
    ) -> Result<Option<StoredSession>, StoreError>;
    /// Writes `change` if the row is still at its version, bumping the version and the last
    /// request time; false when the session is gone or was changed meanwhile.
    /// `OutOfBounds` when `data` is over the bound.
    async fn change_session(&self, change: SessionChange<'_>) -> Result<bool, StoreError>;
    /// Records a request to the session at `at` (its idle timeout starts again).
    async fn touch_session(
        &self,
        realm: &str,
        key: &SessionKey,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Deletes the session; false when there was none.
    async fn remove_session(&self, realm: &str, key: &SessionKey) -> Result<bool, StoreError>;
    /// Deletes the realm's ended sessions, returning how many.
    async fn sweep_sessions(&self, realm: &str, liveness: Liveness) -> Result<u64, StoreError>;
}

impl SessionKey {
    /// The key of `secret` (a session id, a lookup value).
    #[must_use]
    pub fn of_secret(secret: &str) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
        Self(hex::encode(digest.as_ref()))
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SessionKey([redacted])")
    }
}

impl Liveness {
    /// The oldest last request time (exclusive) and creation time a live session may have.
    fn bounds(&self) -> (i64, i64) {
        (
            to_millis(self.now - self.idle),
            to_millis(self.now - self.lifetime),
        )
    }
}

const SESSION_COLUMNS: &str = "session_key, data, version, created_at, last_seen_at";

/// The web sessions' table in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlWebSessionStore {
    pool: AnyPool,
}

impl SqlWebSessionStore {
    pub(crate) fn new(pool: AnyPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl WebSessionStore for SqlWebSessionStore {
    async fn create_session(&self, new: NewSession<'_>) -> Result<(), StoreError> {
        assert!(new.sessions_max > 0, "a realm keeps at least one session");
        let row = new.row;
        check_data(row.data)?;
        let at = to_millis(new.liveness.now);
        sqlx::query(
            "INSERT INTO web_sessions (session_key, realm, data, lookup_key, version, \
             created_at, last_seen_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
        )
        .bind(row.key.0.clone())
        .bind(row.realm.to_owned())
        .bind(row.data.to_owned())
        .bind(row.lookup.map(|lookup| lookup.0.clone()))
        .bind(at)
        .execute(&self.pool)
        .await
        .context("create web session")?;
        self.sweep_sessions(row.realm, new.liveness).await?;
        self.trim(row.realm, new.sessions_max).await
    }

    async fn session(
        &self,
        realm: &str,
        key: &SessionKey,
        liveness: Liveness,
    ) -> Result<Option<StoredSession>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM web_sessions WHERE realm = $1 AND session_key = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(realm.to_owned())
            .bind(key.0.clone())
            .fetch_optional(&self.pool)
            .await
            .context("read web session")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let session = session_from_row(&row)?;
        if is_live(&session, liveness) {
            return Ok(Some(session));
        }
        self.remove_session(realm, key).await?;
        Ok(None)
    }

    async fn session_by_lookup(
        &self,
        realm: &str,
        lookup: &SessionKey,
        liveness: Liveness,
    ) -> Result<Option<StoredSession>, StoreError> {
        let (idle_bound, lifetime_bound) = liveness.bounds();
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM web_sessions WHERE realm = $1 AND lookup_key = $2 \
             AND last_seen_at >= $3 AND created_at >= $4"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(realm.to_owned())
            .bind(lookup.0.clone())
            .bind(idle_bound)
            .bind(lifetime_bound)
            .fetch_optional(&self.pool)
            .await
            .context("find web session by lookup")?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn change_session(&self, change: SessionChange<'_>) -> Result<bool, StoreError> {
        let row = change.row;
        check_data(row.data)?;
        let version = i64::try_from(change.version).unwrap_or(i64::MAX);
        let updated = sqlx::query(
            "UPDATE web_sessions SET data = $1, lookup_key = $2, version = version + 1, \
             last_seen_at = $3 WHERE realm = $4 AND session_key = $5 AND version = $6",
        )
        .bind(row.data.to_owned())
        .bind(row.lookup.map(|lookup| lookup.0.clone()))
        .bind(to_millis(change.at))
        .bind(row.realm.to_owned())
        .bind(row.key.0.clone())
        .bind(version)
        .execute(&self.pool)
        .await
        .context("change web session")?;
        Ok(updated.rows_affected() == 1)
    }

    async fn touch_session(
        &self,
        realm: &str,
        key: &SessionKey,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE web_sessions SET last_seen_at = $1 WHERE realm = $2 AND session_key = $3 \
             AND last_seen_at < $1",
        )
        .bind(to_millis(at))
        .bind(realm.to_owned())
        .bind(key.0.clone())
        .execute(&self.pool)
        .await
        .context("touch web session")?;
        Ok(())
    }

    async fn remove_session(&self, realm: &str, key: &SessionKey) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM web_sessions WHERE realm = $1 AND session_key = $2")
            .bind(realm.to_owned())
            .bind(key.0.clone())
            .execute(&self.pool)
            .await
            .context("remove web session")?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn sweep_sessions(&self, realm: &str, liveness: Liveness) -> Result<u64, StoreError> {
        let (idle_bound, lifetime_bound) = liveness.bounds();
        let deleted = sqlx::query(
            "DELETE FROM web_sessions WHERE realm = $1 \
             AND (last_seen_at < $2 OR created_at < $3)",
        )
        .bind(realm.to_owned())
        .bind(idle_bound)
        .bind(lifetime_bound)
        .execute(&self.pool)
        .await
        .context("sweep web sessions")?;
        Ok(deleted.rows_affected())
    }
}

impl SqlWebSessionStore {
    /// Past `sessions_max` rows in `realm`, deletes all but the most recently used ones.
    /// Two nodes trimming at once both leave at most `sessions_max`.
    async fn trim(&self, realm: &str, sessions_max: usize) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM web_sessions WHERE realm = $1")
            .bind(realm.to_owned())
            .fetch_one(&self.pool)
            .await
            .context("count web sessions")?;
        let count = get_count(&row, "n")?;
        let max = i64::try_from(sessions_max).unwrap_or(i64::MAX);
        if count <= u64::try_from(max).unwrap_or(u64::MAX) {
            return Ok(());
        }
        sqlx::query(
            "DELETE FROM web_sessions WHERE realm = $1 AND session_key NOT IN \
             (SELECT session_key FROM web_sessions WHERE realm = $1 \
             ORDER BY last_seen_at DESC, session_key LIMIT $2)",
        )
        .bind(realm.to_owned())
        .bind(max)
        .execute(&self.pool)
        .await
        .context("trim web sessions")?;
        Ok(())
    }
}

fn check_data(data: &str) -> Result<(), StoreError> {
    if data.len() > WEB_SESSION_DATA_BYTES_MAX {
        return Err(StoreError::OutOfBounds {
            what: "web session data",
        });
    }
    Ok(())
}

fn is_live(session: &StoredSession, liveness: Liveness) -> bool {
    let (idle_bound, lifetime_bound) = liveness.bounds();
    to_millis(session.last_seen_at) >= idle_bound && to_millis(session.created_at) >= lifetime_bound
}

fn session_from_row(row: &AnyRow) -> Result<StoredSession, StoreError> {
    let context = "read web session";
    Ok(StoredSession {
        key: SessionKey(row.try_get("session_key").context(context)?),
        data: row.try_get("data").context(context)?,
        version: get_count(row, "version")?,
        created_at: get_time(row, "created_at")?,
        last_seen_at: get_time(row, "last_seen_at")?,
    })
}
