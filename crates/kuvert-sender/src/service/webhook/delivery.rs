//! The task that pushes one endpoint: claim it (or renew the claim), send a queued dead
//! letter that is due, else wait out the back-off, else read the next events after the cursor
//! and send them one by one, recording each attempt (which also renews the lease) before the
//! next; a failure stops the round, so nothing overtakes the event being retried. A round that
//! sent everything it read moves the cursor past the other endpoints' events it looked at.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use http::header::CONTENT_TYPE;
use kuvert_core::limits::WEBHOOK_EVENTS_PER_READ_MAX;
use kuvert_core::report::error_chain;
use kuvert_store::StoreError;
use kuvert_store::sender::webhook::{Attempt, EndpointLease, EventFilter};
use kuvert_store::sender::{LeaseHolder, StoredEvent};
use kuvert_web::Shutdown;
use time::OffsetDateTime;

use super::signature::{SIGNATURE_HEADER, jitter, signature};
use super::{Endpoint, IDLE_POLL, Webhooks};
use crate::service::model::EventJson;

/// Bytes of a receiver's answer read (and then dropped), so the connection can be reused.
const ANSWER_BYTES_READ: u64 = 4 * 1024;

/// Pushes `endpoint` until `shutdown`.
pub(super) async fn run(webhooks: Arc<Webhooks>, endpoint: Arc<Endpoint>, shutdown: Shutdown) {
    let holder = LeaseHolder::new_random();
    let id = endpoint.checked.id.as_str();
    while !shutdown.is_triggered() {
        let pause = match round(&webhooks, &endpoint, &holder, &shutdown).await {
            Ok(pause) => pause,
            Err(StoreError::Conflict { .. }) => {
                tracing::warn!(webhook = id, "webhook lease lost: another node has it");
                IDLE_POLL
            }
            Err(error) => {
                tracing::warn!(webhook = id, error = %error_chain(&error), "webhook round failed");
                IDLE_POLL
            }
        };
        if pause.is_zero() {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(pause.min(IDLE_POLL)) => {}
            () = shutdown.wait() => {}
        }
    }
}

/// One claim's work; answers how long to pause before the next claim.
async fn round(
    webhooks: &Webhooks,
    endpoint: &Endpoint,
    holder: &LeaseHolder,
    shutdown: &Shutdown,
) -> Result<StdDuration, StoreError> {
    let store = &webhooks.store;
    let checked = &endpoint.checked;
    let lease = EndpointLease {
        endpoint: &checked.id,
        holder,
        lease: webhooks.lease,
    };
    let now = OffsetDateTime::now_utc();
    let Some(cursor) = store.claim_endpoint(lease, now).await? else {
        return Ok(IDLE_POLL);
    };
    if let Some(dead) = store.due_dead_letter(&checked.id, now).await? {
        let result = endpoint.send(&dead.event, dead.attempts + 1).await;
        let attempt =
            checked
                .policy
                .outcome(dead.attempts, result, OffsetDateTime::now_utc(), jitter());
        log(endpoint, dead.event.sequence, &attempt);
        let now = OffsetDateTime::now_utc();
        store
            .record_dead_letter_attempt(lease, dead.id, attempt, now)
            .await?;
        return Ok(StdDuration::ZERO);
    }
    let wait = cursor.next_attempt_at - now;
    if wait.is_positive() {
        return Ok(wait.unsigned_abs());
    }
    let filter = EventFilter {
        clients: &checked.clients,
        senders: &checked.senders,
    };
    let batch = store
        .events_for(filter, cursor.after, WEBHOOK_EVENTS_PER_READ_MAX)
        .await?;
    let mut failed_before = cursor.attempts;
    let mut done_to = cursor.after;
    for event in &batch.events {
        if shutdown.is_triggered() {
            return Ok(StdDuration::ZERO);
        }
        let result = endpoint.send(&event.event, failed_before + 1).await;
        let attempt =
            checked
                .policy
                .outcome(failed_before, result, OffsetDateTime::now_utc(), jitter());
        log(endpoint, event.event.sequence, &attempt);
        let is_retried = matches!(attempt, Attempt::Failed { .. });
        let now = OffsetDateTime::now_utc();
        store.record_attempt(lease, event, attempt, now).await?;
        if is_retried {
            return Ok(StdDuration::ZERO);
        }
        (failed_before, done_to) = (0, event.event.sequence);
    }
    if batch.scanned_to > done_to {
        let now = OffsetDateTime::now_utc();
        store.skip_to(lease, batch.scanned_to, now).await?;
    }
    Ok(if batch.events.is_empty() {
        IDLE_POLL
    } else {
        StdDuration::ZERO
    })
}

impl Endpoint {
    /// Posts `event` once; `Err` with why when it was not accepted (a 2xx answer).
    async fn send(&self, event: &StoredEvent, attempt: u32) -> Result<(), String> {
        let body = serde_json::to_vec(&EventJson::of(event)).map_err(|error| error.to_string())?;
        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        let response = self
            .http
            .post(self.checked.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("Kuvert-Event-Id", event.sequence.to_string())
            .header("Kuvert-Webhook", self.checked.id.as_str())
            .header("Kuvert-Attempt", attempt.to_string())
            .header(SIGNATURE_HEADER, signature(&self.key, timestamp, &body))
            .body(body)
            .send()
            .await
            .map_err(|error| error_chain(&error))?;
        let status = response.status();
        // The answer itself means nothing; reading a little lets the connection be reused.
        drop(kuvert_web::client::read_body(response, ANSWER_BYTES_READ).await);
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the endpoint answered HTTP {}", status.as_u16()))
        }
    }
}

fn log(endpoint: &Endpoint, sequence: u64, attempt: &Attempt) {
    let id = endpoint.checked.id.as_str();
    match attempt {
        Attempt::Delivered => {
            metrics::counter!("kuvert_sender_webhook_events_total", "outcome" => "delivered")
                .increment(1);
        }
        Attempt::Failed {
            attempts, error, ..
        } => {
            metrics::counter!("kuvert_sender_webhook_events_total", "outcome" => "retried")
                .increment(1);
            tracing::info!(webhook = id, sequence, attempts, %error, "webhook attempt failed");
        }
        Attempt::GaveUp { attempts, error } => {
            metrics::counter!("kuvert_sender_webhook_events_total", "outcome" => "dead_letter")
                .increment(1);
            tracing::warn!(webhook = id, sequence, attempts, %error, "webhook event dead-lettered");
        }
    }
}
