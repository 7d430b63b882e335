//! Blob storage for sealed deliveries and other bytes that do not belong in SQL rows.
//!
//! Every blob is addressed by a [`BlobKey`] and checked against its SHA-256 [`BlobDigest`]:
//! the digest is computed before the write and recorded by the caller, and every read checks
//! it again, so silent corruption on disk surfaces as an error instead of a wrong letter.
//! [`LocalBlobStore`] makes a write durable before returning (temp file, fsync, rename, fsync
//! of the directory shared by concurrent writes, [`crate::durable`]), which lets callers
//! commit a row only after its blob is safely stored;
//! [`s3::S3BlobStore`] (feature `s3`) keeps them in an S3 bucket with the same checks.

use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use kuvert_core::limits::{BLOB_BYTES_MAX, BLOB_KEY_CHARS_MAX};
use time::OffsetDateTime;

use crate::durable::{FolderSyncs, write_durably};

pub mod s3;

/// Where a blob lives: `/`-separated segments of `[a-z0-9_.-]`, no empty or dot-only segment.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

/// SHA-256 of a blob's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobDigest([u8; 32]);

/// A blob found by [`BlobStore::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobEntry {
    /// The blob's key.
    pub key: BlobKey,
    /// When the blob was last written.
    pub modified_at: OffsetDateTime,
}

/// Why a blob key or digest text is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobKeyError {
    /// The key is empty, too long, or has a character or segment outside the allowed set.
    #[error(
        "blob key is not 1..={BLOB_KEY_CHARS_MAX} characters of /-separated [a-z0-9_.-] segments"
    )]
    InvalidKey,
    /// The digest is not 64 lowercase hex digits.
    #[error("blob digest is not 64 hex digits")]
    InvalidDigest,
}

/// Why a blob operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No blob is stored under the key.
    #[error("blob {key} not found")]
    NotFound {
        /// The missing key.
        key: BlobKey,
    },
    /// The bytes read do not hash to the digest recorded at write time.
    #[error("blob {key} has digest {actual}, expected {expected}")]
    DigestMismatch {
        /// The blob's key.
        key: BlobKey,
        /// The digest recorded when the blob was written.
        expected: BlobDigest,
        /// The digest of the bytes read now.
        actual: BlobDigest,
    },
    /// The blob is larger than [`BLOB_BYTES_MAX`]; an object that large is refused unread.
    #[error("blob {key} has {bytes} bytes, more than {max}")]
    TooLarge {
        /// The blob's key.
        key: BlobKey,
        /// Its size, or the bytes read when the bound was passed.
        bytes: u64,
        /// [`BLOB_BYTES_MAX`].
        max: u64,
    },
    /// The file system or object store failed.
    #[error("blob {key} could not be {operation}")]
    Io {
        /// The blob's key.
        key: BlobKey,
        /// `"written"`, `"read"`, `"deleted"` or `"listed"`.
        operation: &'static str,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
}

/// Durable, digest-checked byte storage.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Stores `bytes` under `key` and returns their digest, computed before the write. When
    /// this returns `Ok`, the blob survives a crash.
    async fn put(&self, key: &BlobKey, bytes: &[u8]) -> Result<BlobDigest, BlobError>;

    /// Reads the blob under `key` and checks it against `expected`.
    async fn get(&self, key: &BlobKey, expected: &BlobDigest) -> Result<Bytes, BlobError>;

    /// Removes the blob under `key`; removing a missing blob succeeds.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// Up to `limit` blobs whose keys start with `prefix` (a whole segment, e.g.
    /// `deliveries`), in key order after `after`, for reclaiming orphans.
    async fn list(
        &self,
        prefix: &BlobKey,
        after: Option<&BlobKey>,
        limit: usize,
    ) -> Result<Vec<BlobEntry>, BlobError>;

    /// Whether the store answers at all: lists at most one blob under `deliveries` (for a
    /// bucket, one request to the server). The admin listener's `/readyz` asks it.
    async fn probe(&self) -> Result<(), BlobError> {
        let prefix = BlobKey(PROBE_PREFIX.to_owned());
        self.list(&prefix, None, 1).await.map(drop)
    }
}

/// The segment [`BlobStore::probe`] lists: where the operator keeps its letters.
const PROBE_PREFIX: &str = "deliveries";

/// Blobs as files under one directory, each written durably.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
    /// Concurrent writes share their folder's sync.
    syncs: FolderSyncs,
}

impl BlobKey {
    /// Parses a key; see the type's documentation for the allowed form.
    pub fn parse(text: &str) -> Result<Self, BlobKeyError> {
        let is_valid_segment = |segment: &str| {
            !segment.is_empty()
                && segment.chars().any(|c| c != '.')
                && segment.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')
                })
        };
        if text.is_empty()
            || text.len() > BLOB_KEY_CHARS_MAX
            || !text.split('/').all(is_valid_segment)
        {
            return Err(BlobKeyError::InvalidKey);
        }
        Ok(Self(text.to_owned()))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "BlobKey({})", self.0)
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl BlobDigest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
        let mut out = [0_u8; 32];
        out.copy_from_slice(digest.as_ref());
        Self(out)
    }

    /// Parses 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, BlobKeyError> {
        let mut out = [0_u8; 32];
        hex::decode_to_slice(text, &mut out).map_err(|_| BlobKeyError::InvalidDigest)?;
        Ok(Self(out))
    }

    /// The 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for BlobDigest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "BlobDigest({})", self.to_hex())
    }
}

impl fmt::Display for BlobDigest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_hex())
    }
}

impl LocalBlobStore {
    /// A store rooted at `root`, which is created if missing.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            syncs: FolderSyncs::new("blobs"),
        })
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.as_str())
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, key: &BlobKey, bytes: &[u8]) -> Result<BlobDigest, BlobError> {
        check_size(key, bytes.len() as u64)?;
        let digest = BlobDigest::of(bytes);
        let path = self.path(key);
        let owned = bytes.to_vec();
        let syncs = self.syncs.clone();
        run_blocking(key, "written", move || write_durably(&syncs, &path, &owned)).await?;
        Ok(digest)
    }

    async fn get(&self, key: &BlobKey, expected: &BlobDigest) -> Result<Bytes, BlobError> {
        let path = self.path(key);
        match tokio::fs::metadata(&path).await {
            Ok(metadata) => check_size(key, metadata.len())?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound { key: key.clone() });
            }
            Err(source) => return Err(io_error(key, "read", source)),
        }
        let read = tokio::fs::read(&path).await;
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound { key: key.clone() });
            }
            Err(source) => return Err(io_error(key, "read", source)),
        };
        let actual = BlobDigest::of(&bytes);
        if actual != *expected {
            return Err(BlobError::DigestMismatch {
                key: key.clone(),
                expected: *expected,
                actual,
            });
        }
        Ok(Bytes::from(bytes))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(io_error(key, "deleted", source)),
        }
    }

    async fn list(
        &self,
        prefix: &BlobKey,
        after: Option<&BlobKey>,
        limit: usize,
    ) -> Result<Vec<BlobEntry>, BlobError> {
        let directory = self.path(prefix);
        let prefix_owned = prefix.clone();
        let after = after.cloned();
        run_blocking(prefix, "listed", move || {
            list_directory(&directory, &prefix_owned, after.as_ref(), limit)
        })
        .await
    }

    /// The root folder must still be a folder: listing a missing segment finds nothing
    /// rather than failing, so it would not notice a lost mount.
    async fn probe(&self) -> Result<(), BlobError> {
        let prefix = BlobKey(PROBE_PREFIX.to_owned());
        let metadata = tokio::fs::metadata(&self.root).await;
        match metadata {
            Ok(metadata) if metadata.is_dir() => Ok(()),
            Ok(_) => Err(io_error(
                &prefix,
                "listed",
                std::io::Error::new(std::io::ErrorKind::NotADirectory, "the root is no folder"),
            )),
            Err(source) => Err(io_error(&prefix, "listed", source)),
        }
    }
}

/// Runs file work off the async threads and maps its error to the key.
async fn run_blocking<T: Send + 'static>(
    key: &BlobKey,
    operation: &'static str,
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, BlobError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|source| io_error(key, operation, source)),
        Err(join_error) => Err(io_error(key, operation, std::io::Error::other(join_error))),
    }
}

/// Refuses a blob larger than [`BLOB_BYTES_MAX`], before it is written or read.
fn check_size(key: &BlobKey, bytes: u64) -> Result<(), BlobError> {
    if bytes > BLOB_BYTES_MAX {
        return Err(BlobError::TooLarge {
            key: key.clone(),
            bytes,
            max: BLOB_BYTES_MAX,
        });
    }
    Ok(())
}

fn io_error(key: &BlobKey, operation: &'static str, source: std::io::Error) -> BlobError {
    BlobError::Io {
        key: key.clone(),
        operation,
        source,
    }
}

/// Lists regular files directly in `directory` whose names sort after `after`.
fn list_directory(
    directory: &Path,
    prefix: &BlobKey,
    after: Option<&BlobKey>,
    limit: usize,
) -> std::io::Result<Vec<BlobEntry>> {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(key) = BlobKey::parse(&format!("{}/{name}", prefix.as_str())) else {
            continue;
        };
        let metadata = entry.metadata()?;
        if name.starts_with(".tmp-") || !metadata.is_file() || after.is_some_and(|a| key <= *a) {
            continue;
        }
        let modified_at = OffsetDateTime::from(metadata.modified()?);
        found.push(BlobEntry { key, modified_at });
    }
    found.sort_by(|left, right| left.key.cmp(&right.key));
    found.truncate(limit);
    Ok(found)
}

#[cfg(test)]
mod tests;
