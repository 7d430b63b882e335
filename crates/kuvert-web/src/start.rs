//! [`StartError`]: why a role's `build` failed, the one error every role's start-up returns
//! (STYLE.md §8: on failure, name the offending key); [`read_config_file`]: a file named by a
//! configuration key, read as text, its failure naming that key; [`read_key_file`]: a
//! secret key of 32 bytes from a file, so that several nodes share it; [`open_database`]: a
//! role's database with its configured pool.

use std::path::Path;

/// Why a role could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration value is unusable; names the key.
    #[error("invalid configuration {key}: {reason}")]
    Config {
        /// The configuration key.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The database could not be opened or migrated (the source is the store's error).
    #[error("cannot open the database")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StartError {
    /// [`StartError::Config`] for `key` from the reason a check gave, for `map_err`.
    pub fn invalid(key: &'static str) -> impl FnOnce(String) -> Self {
        move |reason| Self::Config { key, reason }
    }

    /// [`StartError::Database`] with `error` as its source, for `map_err`.
    pub fn database(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Database(Box::new(error))
    }
}

/// Reads the text file at `path`, which the configuration key `key` names.
///
/// # Errors
/// [`StartError::Config`] naming `key`, with the path and the operating system's reason.
pub async fn read_config_file(path: &Path, key: &'static str) -> Result<String, StartError> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|error| StartError::Config {
            key,
            reason: format!("{}: {error}", path.display()),
        })
}

/// Reads a secret key of 32 bytes, written as 64 hex digits (`openssl rand -hex 32`;
/// surrounding white space ignored), from the file at `path` that the key `key` names.
///
/// # Errors
/// [`StartError::Config`] naming `key` when the file cannot be read or holds anything else.
pub async fn read_key_file(path: &Path, key: &'static str) -> Result<[u8; 32], StartError> {
    let text = read_config_file(path, key).await?;
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
    bytes.ok_or_else(|| StartError::Config {
        key,
        reason: format!(
            "{}: must hold 64 hex digits (32 random bytes, `openssl rand -hex 32`)",
            path.display()
        ),
    })
}

/// Opens (and migrates) the database at `url` with the pool the role's `database_pool`
/// section sets, as every role does at start.
///
/// # Errors
/// [`StartError::Config`] naming `database_pool` when its values are out of bounds;
/// [`StartError::Database`] when the database cannot be opened.
pub async fn open_database(
    url: &str,
    pool: &kuvert_store::pool::PoolConfig,
) -> Result<kuvert_store::Database, StartError> {
    let settings = pool
        .checked()
        .map_err(|error| StartError::invalid("database_pool")(error.to_string()))?;
    kuvert_store::Database::connect_with(url, settings)
        .await
        .map_err(StartError::database)
}
