//! [`WebhookConfig`]: one `[[service.webhooks]]` endpoint of the sender configuration, and
//! its check at start (`check`), which names the key at fault. Only paths are held here; the
//! secret and the CA are read by `webhook::build`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{
    WEBHOOK_ATTEMPTS_MAX, WEBHOOK_BACKOFF_MS_MAX, WEBHOOK_BACKOFF_MS_MIN, WEBHOOK_ENDPOINTS_MAX,
    WEBHOOK_REQUEST_TIMEOUT_MS_MAX, WEBHOOK_SENDERS_MAX,
};
use kuvert_store::sender::ClientId;
use kuvert_store::sender::webhook::EndpointId;
use kuvert_web::StartError;

use super::signature::RetryPolicy;

/// An endpoint the sender service pushes its events to, each signed with HMAC-SHA256.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The endpoint's id (`Kuvert-Webhook` header, dead letters): 1–64 of
    /// `A-Z a-z 0-9 . _ -`, unique.
    pub id: String,
    /// Where events are posted: `https://…`, or `http://` to a loopback address only.
    pub url: url::Url,
    /// File with 64 hex digits (`openssl rand -hex 32`): the HMAC-SHA256 key (the 32 bytes
    /// they stand for), shared with the receiver. Never in the configuration itself.
    pub secret_path: PathBuf,
    /// Senders whose letters' events it receives.
    #[serde(default)]
    pub senders: Vec<OrganisationNumber>,
    /// Clients (`[[service.clients]]` ids) whose letters' events it receives. With
    /// `senders`: the events of either; at least one of the two is needed.
    #[serde(default)]
    pub clients: Vec<String>,
    /// PEM CA(s) the `https` endpoint's certificate is checked against (no system roots).
    /// Default: the toolkit's `ca_path`.
    #[serde(default)]
    pub ca_path: Option<PathBuf>,
    /// A client certificate (PEM chain, leaf first) presented to an endpoint that asks for
    /// mutual TLS, with `client_key_path`; both or neither. Default none.
    #[serde(default)]
    pub client_certificate_path: Option<PathBuf>,
    /// The PKCS#8 PEM key of `client_certificate_path`.
    #[serde(default)]
    pub client_key_path: Option<PathBuf>,
    /// Where a new endpoint's cursor starts, the first time the service sees it:
    /// `"beginning"` (every event in the log, also those from before the endpoint was
    /// configured) or `"now"` (only events after that). Afterwards the cursor is durable and
    /// this has no effect. Default `"beginning"`.
    #[serde(default)]
    pub start: WebhookStart,
    /// Attempts at one event before it goes to the dead-letter list,
    /// 1..=`limits::WEBHOOK_ATTEMPTS_MAX`. Default 20.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// The wait after the first failed attempt, doubled after each (with jitter: half of it
    /// fixed, half random), in milliseconds, `WEBHOOK_BACKOFF_MS_MIN..=MAX`. Default 1 000.
    #[serde(default = "default_backoff_initial_ms")]
    pub backoff_initial_ms: u64,
    /// The longest wait, at least `backoff_initial_ms`. Default 600 000 (ten minutes).
    #[serde(default = "default_backoff_max_ms")]
    pub backoff_max_ms: u64,
    /// Milliseconds one request may take, connection included, below the service's
    /// `lease_secs`, at most `WEBHOOK_REQUEST_TIMEOUT_MS_MAX`. Default 10 000.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
}

/// Where a new endpoint's cursor starts ([`WebhookConfig::start`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStart {
    /// At the first event of the log.
    #[default]
    Beginning,
    /// After the newest event when the endpoint is first seen.
    Now,
}

/// An endpoint's configuration, checked: typed values only.
#[derive(Debug, Clone)]
pub(crate) struct CheckedEndpoint {
    pub(crate) id: EndpointId,
    pub(crate) url: url::Url,
    pub(crate) clients: Vec<ClientId>,
    pub(crate) senders: Vec<OrganisationNumber>,
    pub(crate) policy: RetryPolicy,
    pub(crate) request_timeout: Duration,
}

/// What an endpoint's configuration is checked against.
pub(crate) struct Known<'a> {
    /// The configured clients' ids.
    pub(crate) clients: &'a HashSet<ClientId>,
    /// Whether the toolkit signs for a sender.
    pub(crate) signs_for: &'a dyn Fn(&OrganisationNumber) -> bool,
    /// The service's lease: a request must end within it.
    pub(crate) lease_secs: u64,
}

/// Checks every endpoint, naming the key at fault.
pub(crate) fn check(
    configs: &[WebhookConfig],
    known: &Known<'_>,
) -> Result<Vec<CheckedEndpoint>, StartError> {
    if configs.len() > WEBHOOK_ENDPOINTS_MAX {
        return Err(StartError::invalid("service.webhooks")(format!(
            "at most {WEBHOOK_ENDPOINTS_MAX} endpoints"
        )));
    }
    let mut ids = HashSet::new();
    let mut checked = Vec::with_capacity(configs.len());
    for config in configs {
        let endpoint = check_one(config, known)?;
        if !ids.insert(endpoint.id.clone()) {
            return Err(StartError::invalid("service.webhooks.id")(format!(
                "{} twice",
                config.id
            )));
        }
        checked.push(endpoint);
    }
    Ok(checked)
}

fn check_one(config: &WebhookConfig, known: &Known<'_>) -> Result<CheckedEndpoint, StartError> {
    let name = &config.id;
    let id = EndpointId::parse(name)
        .map_err(|error| StartError::invalid("service.webhooks.id")(format!("{name}: {error}")))?;
    check_url(&config.url).map_err(|reason| {
        StartError::invalid("service.webhooks.url")(format!("{name}: {reason}"))
    })?;
    let invalid_senders = StartError::invalid("service.webhooks.senders");
    if config.senders.is_empty() && config.clients.is_empty() {
        return Err(invalid_senders(format!(
            "{name}: name the senders or clients whose events it receives"
        )));
    }
    if config.senders.len() > WEBHOOK_SENDERS_MAX {
        return Err(invalid_senders(format!(
            "{name}: at most {WEBHOOK_SENDERS_MAX} senders"
        )));
    }
    if let Some(sender) = config
        .senders
        .iter()
        .find(|sender| !(known.signs_for)(sender))
    {
        return Err(invalid_senders(format!(
            "{name}: the toolkit has no signing identity for {sender}"
        )));
    }
    let mut clients = Vec::with_capacity(config.clients.len());
    for client in &config.clients {
        let parsed = ClientId::parse(client)
            .ok()
            .filter(|id| known.clients.contains(id));
        let parsed = parsed.ok_or_else(|| {
            StartError::invalid("service.webhooks.clients")(format!(
                "{name}: {client} is not a configured client"
            ))
        })?;
        clients.push(parsed);
    }
    if config.client_certificate_path.is_some() != config.client_key_path.is_some() {
        return Err(StartError::invalid("service.webhooks.client_key_path")(
            format!("{name}: give client_certificate_path and client_key_path together"),
        ));
    }
    let policy = check_policy(config)?;
    let request_timeout = check_timeout(config, known.lease_secs)?;
    Ok(CheckedEndpoint {
        id,
        url: config.url.clone(),
        clients,
        senders: config.senders.clone(),
        policy,
        request_timeout,
    })
}

/// `https`, or plain `http` to this machine only (a local receiver, a test).
fn check_url(url: &url::Url) -> Result<(), &'static str> {
    let is_loopback = match url.host() {
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback => Ok(()),
        "http" => Err("plain http only to a loopback address: use https"),
        _ => Err("must be an https URL"),
    }
}

fn check_policy(config: &WebhookConfig) -> Result<RetryPolicy, StartError> {
    let name = &config.id;
    if !(1..=WEBHOOK_ATTEMPTS_MAX).contains(&config.attempts) {
        return Err(StartError::invalid("service.webhooks.attempts")(format!(
            "{name}: must be 1..={WEBHOOK_ATTEMPTS_MAX}"
        )));
    }
    let range = WEBHOOK_BACKOFF_MS_MIN..=WEBHOOK_BACKOFF_MS_MAX;
    if !range.contains(&config.backoff_initial_ms) {
        return Err(StartError::invalid("service.webhooks.backoff_initial_ms")(
            format!("{name}: must be {WEBHOOK_BACKOFF_MS_MIN}..={WEBHOOK_BACKOFF_MS_MAX}"),
        ));
    }
    if !(config.backoff_initial_ms..=WEBHOOK_BACKOFF_MS_MAX).contains(&config.backoff_max_ms) {
        return Err(StartError::invalid("service.webhooks.backoff_max_ms")(
            format!("{name}: must be backoff_initial_ms..={WEBHOOK_BACKOFF_MS_MAX}"),
        ));
    }
    Ok(RetryPolicy {
        attempts: config.attempts,
        initial: Duration::from_millis(config.backoff_initial_ms),
        max: Duration::from_millis(config.backoff_max_ms),
    })
}

fn check_timeout(config: &WebhookConfig, lease_secs: u64) -> Result<Duration, StartError> {
    let max =
        WEBHOOK_REQUEST_TIMEOUT_MS_MAX.min(lease_secs.saturating_mul(1_000).saturating_sub(1));
    if !(1..=max).contains(&config.request_timeout_ms) {
        return Err(StartError::invalid("service.webhooks.request_timeout_ms")(
            format!(
                "{}: must be 1..={max} (below service.lease_secs)",
                config.id
            ),
        ));
    }
    Ok(Duration::from_millis(config.request_timeout_ms))
}

fn default_attempts() -> u32 {
    20
}

fn default_backoff_initial_ms() -> u64 {
    1_000
}

fn default_backoff_max_ms() -> u64 {
    600_000
}

fn default_request_timeout_ms() -> u64 {
    10_000
}

#[cfg(test)]
mod tests;
