//! Unit tests for blob keys and digests.

use super::{BlobDigest, BlobKey, BlobKeyError};

#[track_caller]
fn check(key: &str, is_valid: bool) {
    assert_eq!(BlobKey::parse(key).is_ok(), is_valid, "key {key:?}");
}

#[test]
fn blob_key_accepts_only_safe_relative_paths() {
    check("deliveries/0191-abc.xml", true);
    check("a", true);
    check("", false);
    check("/etc/passwd", false);
    check("deliveries/../secret", false);
    check("deliveries//x", false);
    check("Deliveries/x", false);
    check("deliveries/x y", false);
    check(&"a".repeat(201), false);
}

#[test]
fn blob_digest_round_trips_through_hex_and_matches_sha256() {
    let digest = BlobDigest::of(b"abc");
    assert_eq!(
        digest.to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(BlobDigest::parse(&digest.to_hex()), Ok(digest));
    assert_eq!(BlobDigest::parse("zz"), Err(BlobKeyError::InvalidDigest));
}
