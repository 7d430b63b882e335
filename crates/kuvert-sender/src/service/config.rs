//! [`ServiceConfig`]: the `[service]` section of the sender configuration, read by
//! `kuvert sender serve` — the queue's database, the listeners' certificate, the callers and
//! the senders each may send for. Only paths and hashes are held here; `service::build`
//! reads the files.

use std::path::PathBuf;

use kuvert_core::id::OrganisationNumber;
use kuvert_store::pool::PoolConfig;
use kuvert_web::HttpConfig;
use kuvert_web::crl::CrlConfig;

/// The sender service: REST for sender systems in front of the toolkit.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The queue's database: `sqlite:///path/sender.db?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// The database pool. Default: `PoolConfig`'s defaults.
    #[serde(default)]
    pub database_pool: PoolConfig,
    /// The service's public address, the OpenAPI document's server
    /// (`https://avsandare.example/`).
    pub public_url: url::Url,
    /// PEM certificate chain of both listeners. Default: the intermediary's certificate.
    #[serde(default)]
    pub certificate_path: Option<PathBuf>,
    /// Its PEM PKCS#8 key. Default: the intermediary's key.
    #[serde(default)]
    pub key_path: Option<PathBuf>,
    /// PEM CA(s) whose client certificates the mutual-TLS listener accepts. Default: the
    /// toolkit's `ca_path`.
    #[serde(default)]
    pub client_ca_path: Option<PathBuf>,
    /// File with 64 hex digits (`openssl rand -hex 32`): the key OAuth 2 access tokens are
    /// signed with (HS256). Every node of one service reads the same file. Required when a
    /// client has a `secret_hash`.
    #[serde(default)]
    pub token_key_path: Option<PathBuf>,
    /// Seconds an access token is valid, 1..=`limits::OAUTH_TOKEN_LIFETIME_SECS_MAX`.
    /// Default 300.
    #[serde(default = "default_token_lifetime_secs")]
    pub token_lifetime_secs: u64,
    /// Letters handled at once by this node's worker. Default 16.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Seconds a worker's claim on a letter lasts without renewal; after a crash another
    /// node (or the restarted one) takes the letter over once it ends. Default 60.
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    /// Folder of the print-ready paper letters, one `<letter id>.pdf` each. Default:
    /// `paper-letters` in the toolkit's `archive_dir`.
    #[serde(default)]
    pub paper_letter_dir: Option<PathBuf>,
    /// Timeouts and rate limits of the listeners.
    #[serde(default)]
    pub http: HttpConfig,
    /// CRLs (`files`, `urls`, `refresh_secs`, `stale_crl`), signed by a CA of
    /// `client_ca_path` or `ca_path`: a revoked client certificate is refused at the
    /// mutual-TLS handshake, and a sender whose signing certificate is revoked has no letter
    /// signed (it fails). Default none: nothing is checked for revocation.
    #[serde(default)]
    pub crl: CrlConfig,
    /// The callers, at most `limits::SENDER_SERVICE_CLIENTS_MAX`.
    pub clients: Vec<ClientConfig>,
    /// Endpoints every event of their senders or clients is pushed to, at most
    /// `limits::WEBHOOK_ENDPOINTS_MAX`. Default: none.
    #[serde(default)]
    pub webhooks: Vec<super::WebhookConfig>,
    /// The protocol's own sender → intermediary service (Message v3 `distributeSecure`,
    /// `checkDistributionStatus`; Notification v3) at `/Message/v3` and `/Notification/v3`
    /// of the mutual-TLS listener, beside REST, for sender systems that already speak it:
    /// the senders it distributes for, each with the client certificates' organisations
    /// allowed to hand over its letters. Default none (`kuvert intermediary serve` runs it
    /// alone).
    #[serde(default)]
    pub message_v3: Option<crate::intermediary::MessageV3Config>,
}

/// One caller: a sender system, known by its client certificate, its OAuth 2 client
/// credentials, or both.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client's id (`client_id` for OAuth 2): 1–64 of `A-Z a-z 0-9 . _ -`.
    pub id: String,
    /// The organisation number in the subject `serialNumber` of the client certificate this
    /// client calls the mutual-TLS listener with (PROTOCOL.md §8).
    #[serde(default)]
    pub certificate_organisation: Option<OrganisationNumber>,
    /// The client secret's Argon2id hash as a PHC string (`kuvert sender hash-secret`).
    #[serde(default)]
    pub secret_hash: Option<String>,
    /// The senders (avsändare) it may send for; each must be one the toolkit signs for.
    pub senders: Vec<OrganisationNumber>,
}

fn default_token_lifetime_secs() -> u64 {
    300
}

fn default_concurrency() -> usize {
    16
}

fn default_lease_secs() -> u64 {
    60
}
