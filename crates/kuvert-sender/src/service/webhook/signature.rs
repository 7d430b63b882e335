//! The two pure rules of a webhook: its signature and its back-off.
//!
//! **Signature.** `Kuvert-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
//! HMAC-SHA256 under the endpoint's 32-byte key of `<t>.<body>` — the timestamp's decimal
//! digits, a full stop, then the body's exact bytes. The receiver recomputes it over the bytes
//! it received, compares in constant time and refuses a timestamp far from its clock (five
//! minutes is usual), which stops a recorded request from being replayed later.
//!
//! **Back-off.** After the n-th failed attempt the next waits `min(max, initial · 2ⁿ⁻¹)`, half
//! of it fixed and half random ("equal jitter"), so receivers coming back are not met by every
//! endpoint's retries at once; after `attempts` failures the event is given up on.

use std::time::Duration;

use aws_lc_rs::hmac;
use kuvert_store::sender::webhook::Attempt;
use time::OffsetDateTime;

/// The header carrying the signature.
pub(crate) const SIGNATURE_HEADER: &str = "Kuvert-Signature";

/// How often and how patiently one endpoint is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Attempts at one event before it is given up on (at least 1).
    pub(crate) attempts: u32,
    /// The wait after the first failure.
    pub(crate) initial: Duration,
    /// The longest wait.
    pub(crate) max: Duration,
}

/// The `Kuvert-Signature` value of `body` sent at `timestamp` (unix seconds).
pub(crate) fn signature(key: &hmac::Key, timestamp: i64, body: &[u8]) -> String {
    let mut context = hmac::Context::with_key(key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("t={timestamp},v1={}", hex::encode(context.sign().as_ref()))
}

/// Whether `header` is a valid signature of `body` under `key`, made within `tolerance` of
/// `now` (unix seconds): what a receiver checks, here for the tests and as the reference.
#[cfg(test)]
pub(crate) fn verify(
    key: &hmac::Key,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> bool {
    let mut timestamp = None;
    let mut tag = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => tag = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(tag)) = (timestamp, tag) else {
        return false;
    };
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if (now - timestamp).abs() > tolerance {
        return false;
    }
    let mut message = timestamp.to_string().into_bytes();
    message.push(b'.');
    message.extend_from_slice(body);
    hmac::verify(key, &message, &tag).is_ok()
}

impl RetryPolicy {
    /// The wait after `failed` failed attempts (1 after the first), `jitter` in `0.0..1.0`
    /// choosing within the random half.
    pub(crate) fn backoff(&self, failed: u32, jitter: f64) -> Duration {
        let doublings = failed.saturating_sub(1).min(31);
        let full = self
            .initial
            .saturating_mul(1_u32 << doublings)
            .min(self.max);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// What an attempt came to, `failed_before` attempts having failed before it: delivered,
    /// to be retried after the back-off, or given up on after the last attempt.
    pub(crate) fn outcome(
        &self,
        failed_before: u32,
        result: Result<(), String>,
        now: OffsetDateTime,
        jitter: f64,
    ) -> Attempt {
        let attempts = failed_before.saturating_add(1);
        match result {
            Ok(()) => Attempt::Delivered,
            Err(error) if attempts >= self.attempts => Attempt::GaveUp { attempts, error },
            Err(error) => Attempt::Failed {
                attempts,
                retry_at: now + self.backoff(attempts, jitter),
                error,
            },
        }
    }
}

/// A random fraction in `0.0..1.0` for the jitter (0.5 if the system's generator fails).
pub(crate) fn jitter() -> f64 {
    let mut bytes = [0_u8; 4];
    match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests;
