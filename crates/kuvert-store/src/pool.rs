//! [`PoolConfig`]: the `database_pool` section every role's configuration shares — how many
//! connections the pool keeps and how long a request waits for one. TLS to PostgreSQL is set
//! in the database URL itself (`sslmode=verify-full&sslrootcert=/etc/kuvert/pg-ca.pem`, the
//! libpq names), so one string says where and how securely to connect.

use std::time::Duration;

use kuvert_core::limits::{
    DATABASE_ACQUIRE_TIMEOUT_MS_MAX, DATABASE_POOL_CONNECTIONS_DEFAULT,
    DATABASE_POOL_CONNECTIONS_MAX,
};

/// The connection pool's size and waits. Every key has a default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    /// Connections the pool opens at most. Default 8
    /// (`kuvert_core::limits::DATABASE_POOL_CONNECTIONS_DEFAULT`), at most 100
    /// (`DATABASE_POOL_CONNECTIONS_MAX`). SQLite serialises writers whatever the size.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Milliseconds a request waits for a free connection before failing instead of queueing
    /// forever. Default 30000, at most 300000.
    #[serde(default = "default_acquire_timeout_ms")]
    pub acquire_timeout_ms: u64,
    /// Seconds an unused connection stays open. Default 600.
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
}

/// A [`PoolConfig`] value outside its range; names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("database_pool.{key} {reason}")]
pub struct PoolConfigError {
    /// The offending key inside `database_pool`.
    pub key: &'static str,
    /// What its value must be.
    pub reason: String,
}

/// The checked pool settings [`crate::Database::connect_with`] opens the pool with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) idle_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(),
            acquire_timeout_ms: default_acquire_timeout_ms(),
            idle_timeout_secs: default_idle_timeout_secs(),
        }
    }
}

impl Default for PoolSettings {
    fn default() -> Self {
        // The defaults are inside every range.
        PoolConfig::default()
            .checked()
            .expect("the default pool configuration is valid")
    }
}

impl PoolConfig {
    /// The settings, each value checked against its range.
    ///
    /// # Errors
    /// [`PoolConfigError`] naming the first key out of range.
    pub fn checked(&self) -> Result<PoolSettings, PoolConfigError> {
        let out_of_range = |key, reason: String| PoolConfigError { key, reason };
        if !(1..=DATABASE_POOL_CONNECTIONS_MAX).contains(&self.max_connections) {
            let reason = format!("must be 1..={DATABASE_POOL_CONNECTIONS_MAX}");
            return Err(out_of_range("max_connections", reason));
        }
        if !(1..=DATABASE_ACQUIRE_TIMEOUT_MS_MAX).contains(&self.acquire_timeout_ms) {
            let reason = format!("must be 1..={DATABASE_ACQUIRE_TIMEOUT_MS_MAX} milliseconds");
            return Err(out_of_range("acquire_timeout_ms", reason));
        }
        if self.idle_timeout_secs == 0 {
            return Err(out_of_range(
                "idle_timeout_secs",
                "must be at least 1".to_owned(),
            ));
        }
        Ok(PoolSettings {
            max_connections: self.max_connections,
            acquire_timeout: Duration::from_millis(self.acquire_timeout_ms),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
        })
    }
}

fn default_max_connections() -> u32 {
    DATABASE_POOL_CONNECTIONS_DEFAULT
}

fn default_acquire_timeout_ms() -> u64 {
    30_000
}

fn default_idle_timeout_secs() -> u64 {
    600
}

#[cfg(test)]
mod tests;
