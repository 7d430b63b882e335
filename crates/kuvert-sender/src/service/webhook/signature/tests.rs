//! The webhook signature against a known HMAC-SHA256 vector, its refusals, and the back-off's
//! bounds.

use std::time::Duration;

use aws_lc_rs::hmac;
use kuvert_store::sender::webhook::Attempt;
use time::OffsetDateTime;

use super::{RetryPolicy, jitter, signature, verify};

fn key() -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, &[0x0b; 32])
}

const TOLERANCE: Duration = Duration::from_secs(300);

#[test]
fn signature_is_hmac_sha256_of_timestamp_dot_body() {
    // Computed with OpenSSL: printf '1700000000.{"a":1}' | openssl dgst -sha256 -mac HMAC
    //   -macopt hexkey:0b0b…0b (32 bytes of 0x0b).
    assert_eq!(
        signature(&key(), 1_700_000_000, br#"{"a":1}"#),
        "t=1700000000,v1=83604725aec31f39ae0b1b0f1e1f87e46d9cd48606467e66828569c0a46004d3"
    );
}

#[test]
fn verify_accepts_the_signature_and_refuses_changes() {
    let body = br#"{"sequence":7,"kind":"delivered"}"#;
    let header = signature(&key(), 1_700_000_000, body);
    let now = 1_700_000_100;
    assert!(verify(&key(), &header, body, now, TOLERANCE));
    let other_body = br#"{"sequence":8,"kind":"delivered"}"#;
    assert!(!verify(&key(), &header, other_body, now, TOLERANCE), "body");
    let other_key = hmac::Key::new(hmac::HMAC_SHA256, &[0x0c; 32]);
    assert!(!verify(&other_key, &header, body, now, TOLERANCE), "key");
    let replayed_later = 1_700_000_000 + 301;
    assert!(
        !verify(&key(), &header, body, replayed_later, TOLERANCE),
        "an old timestamp (a replay)"
    );
    let moved = header.replace("t=1700000000", "t=1700000100");
    assert!(!verify(&key(), &moved, body, now, TOLERANCE), "timestamp");
    assert!(
        !verify(&key(), "v1=00", body, now, TOLERANCE),
        "no timestamp"
    );
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 5,
        initial: Duration::from_millis(100),
        max: Duration::from_millis(1_000),
    }
}

#[test]
fn backoff_doubles_within_half_and_whole_and_stops_at_max() {
    #[track_caller]
    fn check(failed: u32, full_ms: u64) {
        let full = Duration::from_millis(full_ms);
        assert_eq!(
            policy().backoff(failed, 0.0),
            full / 2,
            "failed {failed}, no jitter"
        );
        assert_eq!(
            policy().backoff(failed, 1.0),
            full,
            "failed {failed}, all jitter"
        );
        let wait = policy().backoff(failed, jitter());
        assert!(
            full / 2 <= wait && wait <= full,
            "failed {failed}: {wait:?}"
        );
    }
    check(1, 100);
    check(2, 200);
    check(3, 400);
    check(4, 800);
    check(5, 1_000);
    check(40, 1_000);
    check(u32::MAX, 1_000);
}

#[test]
fn outcome_retries_until_the_last_attempt_then_gives_up() {
    let now = OffsetDateTime::UNIX_EPOCH;
    assert_eq!(policy().outcome(3, Ok(()), now, 0.5), Attempt::Delivered);
    let failed = policy().outcome(0, Err("HTTP 503".to_owned()), now, 0.0);
    assert_eq!(
        failed,
        Attempt::Failed {
            attempts: 1,
            retry_at: now + Duration::from_millis(50),
            error: "HTTP 503".to_owned(),
        }
    );
    let last = policy().outcome(4, Err("HTTP 503".to_owned()), now, 0.0);
    assert_eq!(
        last,
        Attempt::GaveUp {
            attempts: 5,
            error: "HTTP 503".to_owned(),
        }
    );
}

#[test]
fn jitter_is_a_fraction() {
    for _ in 0..100 {
        let value = jitter();
        assert!((0.0..1.0).contains(&value), "{value}");
    }
}
