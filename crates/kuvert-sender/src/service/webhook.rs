//! Webhooks of the sender service (issue 15): every event of the feed pushed to each
//! configured endpoint (`[[service.webhooks]]`) whose senders or clients it concerns, as the
//! feed's own JSON (`EventJson`), HMAC-SHA256-signed (`signature`), in feed order, retried
//! with back-off and, after the last attempt, put on the dead-letter list, which callers read
//! and send again over REST (`api`).
//!
//! Each endpoint has a durable cursor over the event log (`kuvert_store::sender::webhook`)
//! and is pushed by one task per node (`delivery`) that holds its lease, so of several nodes
//! on one database only one pushes an endpoint at a time, and a restart goes on from the
//! cursor. Headers: `Kuvert-Event-Id` (the event's sequence: receivers dedupe on it, since an
//! event may arrive twice when a node dies between the receiver's answer and the cursor's
//! commit, or when a dead letter is sent again), `Kuvert-Webhook` (the endpoint's id),
//! `Kuvert-Attempt` (1 for the first) and `Kuvert-Signature`.
//!
//! **Invariants:** an endpoint gets an event only after every earlier event of its filter was
//! accepted or put on the dead-letter list; every request is bounded by the endpoint's
//! timeout, below the lease.

mod api;
mod config;
mod delivery;
mod signature;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use aws_lc_rs::hmac;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::Database;
use kuvert_store::sender::ClientId;
use kuvert_store::sender::webhook::WebhookStore;
use kuvert_web::start::{read_config_file, read_key_file};
use kuvert_web::{Shutdown, StartError};
use secrecy::SecretString;
use time::Duration;

pub(crate) use api::{WebhookApiDoc, routes};
pub use config::{WebhookConfig, WebhookStart};

use super::ServiceConfig;
use crate::config::SenderConfig;
use config::{CheckedEndpoint, Known};

/// The configured endpoints and their store.
pub(crate) struct Webhooks {
    store: Arc<dyn WebhookStore>,
    endpoints: Vec<Arc<Endpoint>>,
    /// Each client's senders: whose dead letters it sees and may send again.
    senders_of: HashMap<ClientId, Vec<OrganisationNumber>>,
    lease: Duration,
}

/// One endpoint, ready to push to.
struct Endpoint {
    checked: CheckedEndpoint,
    key: hmac::Key,
    http: reqwest::Client,
}

/// Checks the `[[service.webhooks]]` endpoints and reads their secrets and CAs.
///
/// # Errors
/// [`StartError`] naming the key at fault.
pub(crate) async fn build(
    config: &SenderConfig,
    service: &ServiceConfig,
    database: &Database,
    signs_for: &dyn Fn(&OrganisationNumber) -> bool,
) -> Result<Webhooks, StartError> {
    let mut senders_of = HashMap::new();
    for client in &service.clients {
        if let Ok(id) = ClientId::parse(&client.id) {
            senders_of.insert(id, client.senders.clone());
        }
    }
    let clients: HashSet<ClientId> = senders_of.keys().cloned().collect();
    let known = Known {
        clients: &clients,
        signs_for,
        lease_secs: service.lease_secs,
    };
    let checked = config::check(&service.webhooks, &known)?;
    let store = database.sender_webhooks();
    let mut endpoints = Vec::with_capacity(checked.len());
    for (checked, webhook) in checked.into_iter().zip(&service.webhooks) {
        let secret = read_key_file(&webhook.secret_path, "service.webhooks.secret_path").await?;
        let http = endpoint_client(config, webhook, &checked).await?;
        if webhook.start == WebhookStart::Now {
            let now = time::OffsetDateTime::now_utc();
            (store.start_endpoint_now(&checked.id, now).await).map_err(StartError::database)?;
        }
        endpoints.push(Arc::new(Endpoint {
            checked,
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            http,
        }));
    }
    Ok(Webhooks {
        store,
        endpoints,
        senders_of,
        lease: Duration::seconds(i64::try_from(service.lease_secs).unwrap_or(i64::MAX)),
    })
}

/// The endpoint's HTTPS client: its CA (default the toolkit's), its client certificate when
/// configured, its timeout.
async fn endpoint_client(
    config: &SenderConfig,
    webhook: &WebhookConfig,
    checked: &CheckedEndpoint,
) -> Result<reqwest::Client, StartError> {
    let ca_path = webhook.ca_path.as_ref().unwrap_or(&config.ca_path);
    let ca_pem = read_config_file(ca_path, "service.webhooks.ca_path").await?;
    let identity = match (&webhook.client_certificate_path, &webhook.client_key_path) {
        (Some(certificate), Some(key)) => Some((
            read_config_file(certificate, "service.webhooks.client_certificate_path").await?,
            SecretString::from(read_config_file(key, "service.webhooks.client_key_path").await?),
        )),
        _ => None,
    };
    kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem,
        identity,
        connect_timeout: checked.request_timeout,
        request_timeout: checked.request_timeout,
    })
    .map_err(|error| {
        StartError::invalid("service.webhooks")(format!(
            "{}: {}",
            checked.id.as_str(),
            kuvert_core::report::error_chain(&error)
        ))
    })
}

impl Webhooks {
    /// Starts one pushing task per endpoint, each until `shutdown`.
    pub(crate) fn spawn(self: &Arc<Self>, shutdown: &Shutdown) -> tokio::task::JoinSet<()> {
        let mut tasks = tokio::task::JoinSet::new();
        for endpoint in &self.endpoints {
            let (webhooks, endpoint) = (Arc::clone(self), Arc::clone(endpoint));
            tasks.spawn(delivery::run(webhooks, endpoint, shutdown.clone()));
        }
        tasks
    }

    /// The senders whose dead letters `client` sees.
    fn senders_of(&self, client: &ClientId) -> &[OrganisationNumber] {
        self.senders_of.get(client).map_or(&[], Vec::as_slice)
    }
}

/// How long an endpoint with nothing to send (or held by another node) waits before looking
/// again; also the longest pause between two claims, so the lease is renewed well within it.
const IDLE_POLL: StdDuration = StdDuration::from_millis(500);
