//! S3BlobStore against a real S3 server (Garage in CI, `KUVERT_TEST_S3_*`): round trip, digest
//! checked on read, absent blobs, listing after a cursor, the size bound, a wrong key refused.
//! Each test works under its own key prefix in the shared bucket.

use std::time::Duration;

use kuvert_store::blob::s3::{S3BlobStore, S3Settings};
use kuvert_store::blob::{BlobDigest, BlobError, BlobKey, BlobStore};

/// A store on the test bucket under a fresh prefix, or `None` when the test skips.
fn store(purpose: &str) -> Option<S3BlobStore> {
    let bucket = kuvert_testenv::s3_bucket(purpose)?;
    Some(S3BlobStore::connect(&settings(&bucket, &bucket.secret_key)).unwrap())
}

fn settings(bucket: &kuvert_testenv::S3Bucket, secret_key: &str) -> S3Settings {
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    S3Settings {
        endpoint: Some(url::Url::parse(&bucket.endpoint).unwrap()),
        bucket: bucket.bucket.clone(),
        region: bucket.region.clone(),
        access_key_id: bucket.access_key.clone(),
        secret_access_key: secret_key.to_owned().into(),
        key_prefix: Some(BlobKey::parse(&prefix).unwrap()),
        is_http_allowed: true,
        root_ca_pem: None,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn s3_blob_store_round_trips_and_detects_changed_bytes() {
    let Some(store) = store("S3 blob put and digest-checked get") else {
        return;
    };
    let key = BlobKey::parse("deliveries/a.xml").unwrap();
    let digest = store.put(&key, b"<SealedDelivery/>").await.unwrap();
    assert_eq!(digest, BlobDigest::of(b"<SealedDelivery/>"));
    let read = store.get(&key, &digest).await.unwrap();
    assert_eq!(read.as_ref(), b"<SealedDelivery/>");

    // The object changed behind the store's back: the recorded digest no longer matches.
    store.put(&key, b"<Tampered/>").await.unwrap();
    let tampered = store.get(&key, &digest).await;
    assert!(
        matches!(tampered, Err(BlobError::DigestMismatch { .. })),
        "{tampered:?}"
    );
    store.delete(&key).await.unwrap();
    let deleted = store.get(&key, &digest).await;
    assert!(
        matches!(deleted, Err(BlobError::NotFound { .. })),
        "{deleted:?}"
    );
}

#[tokio::test]
async fn s3_blob_store_reports_absent_blobs_and_deletes_them_quietly() {
    let Some(store) = store("S3 blob absent cases") else {
        return;
    };
    let missing = BlobKey::parse("deliveries/never-written.xml").unwrap();
    let result = store.get(&missing, &BlobDigest::of(b"x")).await;
    assert!(
        matches!(result, Err(BlobError::NotFound { .. })),
        "{result:?}"
    );
    store.delete(&missing).await.unwrap();
    let empty = BlobKey::parse("nothing").unwrap();
    assert!(store.list(&empty, None, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn s3_blob_store_lists_direct_children_in_key_order_after_a_cursor() {
    let Some(store) = store("S3 blob listing") else {
        return;
    };
    for name in [
        "deliveries/c.xml",
        "deliveries/a.xml",
        "deliveries/b.xml",
        "other/d.xml",
    ] {
        let key = BlobKey::parse(name).unwrap();
        store.put(&key, name.as_bytes()).await.unwrap();
    }
    let nested = BlobKey::parse("deliveries/nested/e.xml").unwrap();
    store.put(&nested, b"e").await.unwrap();
    let prefix = BlobKey::parse("deliveries").unwrap();
    let first = store.list(&prefix, None, 2).await.unwrap();
    let names: Vec<_> = first.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(names, ["deliveries/a.xml", "deliveries/b.xml"]);
    let next = store.list(&prefix, Some(&first[1].key), 2).await.unwrap();
    let names: Vec<_> = next.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(names, ["deliveries/c.xml"]);
    assert!(store.list(&prefix, None, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn s3_blob_store_refuses_a_blob_over_the_bound_before_sending_it() {
    let Some(store) = store("S3 blob size bound") else {
        return;
    };
    let key = BlobKey::parse("deliveries/huge.xml").unwrap();
    let too_large = vec![b'x'; usize::try_from(kuvert_core::limits::BLOB_BYTES_MAX).unwrap() + 1];
    let result = store.put(&key, &too_large).await;
    assert!(
        matches!(result, Err(BlobError::TooLarge { .. })),
        "{result:?}"
    );
    let digest = BlobDigest::of(&too_large);
    let result = store.get(&key, &digest).await;
    assert!(
        matches!(result, Err(BlobError::NotFound { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn s3_blob_store_fails_clearly_with_a_wrong_secret() {
    let Some(bucket) = kuvert_testenv::s3_bucket("S3 credentials refused") else {
        return;
    };
    let store = S3BlobStore::connect(&settings(&bucket, "not-the-secret")).unwrap();
    let key = BlobKey::parse("deliveries/a.xml").unwrap();
    let result = store.put(&key, b"<SealedDelivery/>").await;
    assert!(
        matches!(
            result,
            Err(BlobError::Io {
                operation: "written",
                ..
            })
        ),
        "{result:?}"
    );
}
