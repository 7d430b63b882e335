//! `deliverSecure` with bounded retries (PROTOCOL.md §11.6 step 3d).
//!
//! A transport error or a 5xx answer without an MM fault is retried with doubling back-off,
//! always with the *same* sealed delivery: its message id is the operator's idempotency key,
//! so a letter that arrived before the connection broke gets its original receipt and is not
//! stored twice. An MM fault is the operator's considered answer and is never retried.

use kuvert_core::report::error_chain;
use std::time::Duration;

use kuvert_core::lane::Lane;
use kuvert_core::limits::{
    DELIVERY_ATTEMPTS_MAX, DELIVERY_BACKOFF_MS_MAX, ENVELOPE_BYTES_DEFAULT_MAX,
};
use kuvert_core::message::{MessageError, Receipt};
use kuvert_web::client::soap::{SoapError, soap_call_in};
use kuvert_wire::service::{DeliverSecureResponse, deliver_secure_request};
use url::Url;

use crate::config::RetryConfig;
use crate::error::{Peer, SendError};
use crate::sealing::SealedDelivery;
use crate::transport::{answer_error, is_server_error};

/// Posts `sealed` to `service_address` until a receipt or a fault arrives, at most
/// `retry.attempts` times.
pub(crate) async fn deliver_with_retry(
    client: &reqwest::Client,
    service_address: &Url,
    sealed: &SealedDelivery,
    retry: RetryConfig,
    lane: Lane,
) -> Result<Receipt, SendError> {
    let envelope = deliver_secure_request(sealed.xml())
        .map_err(|error| SendError::Internal(format!("sealed delivery does not embed: {error}")))?;
    let bytes = envelope.len() as u64;
    if bytes > ENVELOPE_BYTES_DEFAULT_MAX {
        return Err(SendError::InvalidLetter(MessageError::TooLarge {
            bytes,
            max: ENVELOPE_BYTES_DEFAULT_MAX,
        }));
    }
    let attempts = retry.attempts.clamp(1, DELIVERY_ATTEMPTS_MAX);
    let mut backoff_ms = retry.first_backoff_ms.min(DELIVERY_BACKOFF_MS_MAX);
    let mut last_failure = String::new();
    for attempt in 1..=attempts {
        if attempt > 1 {
            tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
            backoff_ms = backoff_ms.saturating_mul(2).min(DELIVERY_BACKOFF_MS_MAX);
        }
        let answer = soap_call_in::<DeliverSecureResponse>(
            lane,
            client,
            service_address.as_str(),
            envelope.clone(),
            ENVELOPE_BYTES_DEFAULT_MAX,
        )
        .await;
        match answer {
            Ok(response) => return check_receipt(response.receipt, sealed),
            Err(SoapError::Http(error)) => last_failure = error_chain(&error),
            Err(error) if is_server_error(&error) => {
                last_failure = error
                    .status()
                    .map(|status| format!("http {status}"))
                    .unwrap_or_default();
            }
            Err(error) => return Err(answer_error(Peer::Operator, error)),
        }
        tracing::warn!(attempt, reason = %last_failure, "deliverSecure failed, will retry");
    }
    Err(SendError::OperatorUnreachable {
        url: service_address.to_string(),
        attempts,
        reason: last_failure,
    })
}

/// A receipt must be about this letter's recipient and say it was delivered.
fn check_receipt(receipt: Receipt, sealed: &SealedDelivery) -> Result<Receipt, SendError> {
    if &receipt.recipient != sealed.recipient() {
        return Err(SendError::BadResponse {
            peer: Peer::Operator,
            reason: "the receipt names another recipient".to_owned(),
        });
    }
    if !receipt.is_delivered {
        return Err(SendError::NotDelivered {
            trans_id: receipt.trans_id,
        });
    }
    Ok(receipt)
}
