//! Blobs in an S3 bucket: [`S3Settings`] (always compiled, so configurations parse in every
//! build) and, with the crate feature `s3`, [`S3BlobStore`] over `object_store`'s S3 client.
//!
//! [`open`] is the one way in: it builds the store, or says that this build has no S3 support.
//! Like [`super::LocalBlobStore`], every read is checked against the SHA-256 digest recorded at
//! write time, and both directions are bounded by `kuvert_core::limits::BLOB_BYTES_MAX`: an
//! object larger than the bound is refused before its body is read. A `put` returns only after
//! the S3 server answered the PUT with success, which is the durability S3 promises (for
//! Garage, configure `metadata_fsync` and `data_fsync`); the upload carries its SHA-256
//! checksum, so the server refuses bytes damaged on the way.

use std::sync::Arc;
use std::time::Duration;

use super::{BlobKey, BlobStore};

/// Where and how to reach the bucket. Built by the role's configuration from typed values.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// The S3 endpoint (`https://s3.example:3900`); `None` is AWS's own endpoint of `region`.
    pub endpoint: Option<url::Url>,
    /// The bucket, which must exist.
    pub bucket: String,
    /// The region the requests are signed for (`garage` for Garage's default).
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: secrecy::SecretString,
    /// A key prefix inside the bucket (one operator's letters when operators share a bucket).
    pub key_prefix: Option<BlobKey>,
    /// Whether a plain `http://` endpoint is allowed (a loopback test server only).
    pub is_http_allowed: bool,
    /// PEM root certificate(s) of the endpoint's TLS, added to the system's roots.
    pub root_ca_pem: Option<Vec<u8>>,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time one request may take, body included.
    pub request_timeout: Duration,
}

/// Why an S3 blob store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum S3OpenError {
    /// This binary was built without the `s3` feature.
    #[error("this build has no S3 blob store; build kuvert with `--features s3`")]
    NotBuilt,
    /// A setting was refused by the S3 client (endpoint, certificate, credentials).
    #[error("S3 blob store settings refused: {0}")]
    Settings(String),
}

/// Builds the S3 blob store of `settings`.
///
/// # Errors
/// [`S3OpenError::NotBuilt`] without the `s3` feature; [`S3OpenError::Settings`] when the S3
/// client refuses a setting. No request is made: an unreachable endpoint shows at first use.
pub fn open(settings: &S3Settings) -> Result<Arc<dyn BlobStore>, S3OpenError> {
    #[cfg(feature = "s3")]
    {
        Ok(Arc::new(S3BlobStore::connect(settings)?))
    }
    #[cfg(not(feature = "s3"))]
    {
        let _ = settings;
        Err(S3OpenError::NotBuilt)
    }
}

#[cfg(feature = "s3")]
pub use client::S3BlobStore;

#[cfg(feature = "s3")]
mod client {
    //! The `object_store` client behind [`S3BlobStore`].

    use async_trait::async_trait;
    use bytes::{Bytes, BytesMut};
    use futures::{StreamExt, TryStreamExt};
    use kuvert_core::limits::BLOB_S3_RETRIES_MAX;
    use object_store::aws::{AmazonS3, AmazonS3Builder};
    use object_store::path::Path as ObjectPath;
    use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
    use secrecy::ExposeSecret;
    use time::OffsetDateTime;

    use super::{S3OpenError, S3Settings};
    use crate::blob::{BlobDigest, BlobEntry, BlobError, BlobKey, BlobStore, check_size};

    /// Blobs as objects in one S3 bucket, under an optional key prefix.
    #[derive(Debug)]
    pub struct S3BlobStore {
        bucket: AmazonS3,
        key_prefix: Option<BlobKey>,
    }

    impl S3BlobStore {
        /// A client for the bucket of `settings`, with its timeouts and bounded retries.
        ///
        /// # Errors
        /// [`S3OpenError::Settings`] when the client refuses a setting.
        pub fn connect(settings: &S3Settings) -> Result<Self, S3OpenError> {
            let refused = |error: object_store::Error| S3OpenError::Settings(error.to_string());
            let mut options = ClientOptions::new()
                .with_connect_timeout(settings.connect_timeout)
                .with_timeout(settings.request_timeout)
                .with_allow_http(settings.is_http_allowed);
            if let Some(pem) = &settings.root_ca_pem {
                let certificates =
                    object_store::Certificate::from_pem_bundle(pem).map_err(refused)?;
                for certificate in certificates {
                    options = options.with_root_certificate(certificate);
                }
            }
            let retry = RetryConfig {
                max_retries: BLOB_S3_RETRIES_MAX,
                retry_timeout: settings.request_timeout,
                ..RetryConfig::default()
            };
            let mut builder = AmazonS3Builder::new()
                .with_bucket_name(&settings.bucket)
                .with_region(&settings.region)
                .with_access_key_id(&settings.access_key_id)
                .with_secret_access_key(settings.secret_access_key.expose_secret())
                .with_allow_http(settings.is_http_allowed)
                .with_checksum_algorithm(object_store::aws::Checksum::SHA256)
                .with_client_options(options)
                .with_retry(retry);
            if let Some(endpoint) = &settings.endpoint {
                builder = builder
                    .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                    .with_virtual_hosted_style_request(false);
            }
            Ok(Self {
                bucket: builder.build().map_err(refused)?,
                key_prefix: settings.key_prefix.clone(),
            })
        }

        fn path(&self, key: &BlobKey) -> ObjectPath {
            match &self.key_prefix {
                Some(prefix) => ObjectPath::from(format!("{prefix}/{key}")),
                None => ObjectPath::from(key.as_str()),
            }
        }

        /// The blob key of an object listed under the prefix; `None` for foreign objects.
        fn key_of(&self, path: &ObjectPath) -> Option<BlobKey> {
            let text = path.as_ref();
            let text = match &self.key_prefix {
                Some(prefix) => text.strip_prefix(prefix.as_str())?.strip_prefix('/')?,
                None => text,
            };
            BlobKey::parse(text).ok()
        }
    }

    #[async_trait]
    impl BlobStore for S3BlobStore {
        async fn put(&self, key: &BlobKey, bytes: &[u8]) -> Result<BlobDigest, BlobError> {
            check_size(key, bytes.len() as u64)?;
            let digest = BlobDigest::of(bytes);
            let payload = PutPayload::from(Bytes::copy_from_slice(bytes));
            self.bucket
                .put(&self.path(key), payload)
                .await
                .map_err(|error| s3_error(key, "written", error))?;
            Ok(digest)
        }

        async fn get(&self, key: &BlobKey, expected: &BlobDigest) -> Result<Bytes, BlobError> {
            let found = match self.bucket.get(&self.path(key)).await {
                Ok(found) => found,
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(BlobError::NotFound { key: key.clone() });
                }
                Err(error) => return Err(s3_error(key, "read", error)),
            };
            check_size(key, found.meta.size)?;
            let bytes = read_bounded(key, found.into_stream()).await?;
            let actual = BlobDigest::of(&bytes);
            if actual != *expected {
                return Err(BlobError::DigestMismatch {
                    key: key.clone(),
                    expected: *expected,
                    actual,
                });
            }
            Ok(bytes)
        }

        async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
            match self.bucket.delete(&self.path(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(error) => Err(s3_error(key, "deleted", error)),
            }
        }

        async fn list(
            &self,
            prefix: &BlobKey,
            after: Option<&BlobKey>,
            limit: usize,
        ) -> Result<Vec<BlobEntry>, BlobError> {
            let directory = self.path(prefix);
            let listing = match after {
                Some(after) => self
                    .bucket
                    .list_with_offset(Some(&directory), &self.path(after)),
                None => self.bucket.list(Some(&directory)),
            };
            let mut found = Vec::new();
            let mut listing = listing;
            while found.len() < limit
                && let Some(meta) = listing.next().await
            {
                let meta = meta.map_err(|error| s3_error(prefix, "listed", error))?;
                // Only the prefix's direct children, as the local store lists one folder.
                let Some(key) = self.key_of(&meta.location) else {
                    continue;
                };
                let is_direct_child = key
                    .as_str()
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| !name.contains('/'));
                if !is_direct_child || after.is_some_and(|after| key <= *after) {
                    continue;
                }
                let modified_at = OffsetDateTime::from_unix_timestamp_nanos(
                    i128::from(meta.last_modified.timestamp_millis()) * 1_000_000,
                )
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
                found.push(BlobEntry { key, modified_at });
            }
            found.sort_by(|left, right| left.key.cmp(&right.key));
            Ok(found)
        }
    }

    /// Reads a body with a running bound, whatever its announced length was.
    async fn read_bounded(
        key: &BlobKey,
        stream: futures::stream::BoxStream<'static, object_store::Result<Bytes>>,
    ) -> Result<Bytes, BlobError> {
        let mut stream = stream.map_err(|error| s3_error(key, "read", error));
        let mut bytes = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            check_size(key, (bytes.len() + chunk.len()) as u64)?;
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes.freeze())
    }

    fn s3_error(key: &BlobKey, operation: &'static str, error: object_store::Error) -> BlobError {
        BlobError::Io {
            key: key.clone(),
            operation,
            source: std::io::Error::other(error),
        }
    }
}
