//! LocalBlobStore: durable writes, digest checked on every read, listing for reclaim.

use kuvert_store::blob::{BlobDigest, BlobError, BlobKey, BlobStore, LocalBlobStore};

#[tokio::test]
async fn local_blob_store_round_trips_and_detects_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).unwrap();
    let key = BlobKey::parse("deliveries/a.xml").unwrap();
    let digest = store.put(&key, b"<SealedDelivery/>").await.unwrap();
    assert_eq!(digest, BlobDigest::of(b"<SealedDelivery/>"));
    assert_eq!(
        store.get(&key, &digest).await.unwrap().as_ref(),
        b"<SealedDelivery/>"
    );

    std::fs::write(dir.path().join("deliveries/a.xml"), b"<Tampered/>").unwrap();
    let tampered = store.get(&key, &digest).await;
    assert!(
        matches!(tampered, Err(BlobError::DigestMismatch { .. })),
        "{tampered:?}"
    );

    let missing = BlobKey::parse("deliveries/b.xml").unwrap();
    let result = store.get(&missing, &digest).await;
    assert!(
        matches!(result, Err(BlobError::NotFound { .. })),
        "{result:?}"
    );
    store.delete(&missing).await.unwrap();
}

#[tokio::test]
async fn local_blob_store_lists_in_key_order_after_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).unwrap();
    for name in ["c", "a", "b"] {
        let key = BlobKey::parse(&format!("deliveries/{name}.xml")).unwrap();
        store.put(&key, name.as_bytes()).await.unwrap();
    }
    std::fs::write(dir.path().join("deliveries/.tmp-crashed"), b"partial").unwrap();
    let prefix = BlobKey::parse("deliveries").unwrap();
    let names = |entries: Vec<kuvert_store::blob::BlobEntry>| {
        entries
            .into_iter()
            .map(|e| e.key.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    let first = store.list(&prefix, None, 2).await.unwrap();
    assert_eq!(
        names(first.clone()),
        ["deliveries/a.xml", "deliveries/b.xml"]
    );
    let next = store.list(&prefix, Some(&first[1].key), 2).await.unwrap();
    assert_eq!(names(next), ["deliveries/c.xml"]);
    let key = BlobKey::parse("deliveries/a.xml").unwrap();
    store.delete(&key).await.unwrap();
    assert_eq!(store.list(&prefix, None, 10).await.unwrap().len(), 2);
    let empty = BlobKey::parse("nothing").unwrap();
    assert!(store.list(&empty, None, 10).await.unwrap().is_empty());
}
