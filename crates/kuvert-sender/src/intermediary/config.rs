//! [`IntermediaryConfig`]: what `kuvert intermediary serve` needs (figment: defaults → TOML →
//! `KUVERT_INTERMEDIARY__` environment). Only paths and values; the files are read by
//! [`super::build`].

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX;

use crate::config::SenderConfig;

/// The intermediary's Message v3 service: the toolkit it delivers with, its database and the
/// senders it distributes for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntermediaryConfig {
    /// The sender toolkit (`[toolkit]`, the keys of `sender.toml`): registry, CA,
    /// the intermediary's certificate and key (its TLS client identity, sealing key and the
    /// service's TLS server certificate), evidence archive, paper-mail list, retries. Its
    /// `senders` (signing identities) may stay empty: sender systems sign themselves.
    pub toolkit: SenderConfig,
    /// Where distributions are recorded: `sqlite:///path/intermediary.db?mode=rwc` or
    /// `postgres://…`. No default.
    pub database_url: String,
    /// The database connection pool. Every key has a default.
    #[serde(default)]
    pub database_pool: kuvert_store::pool::PoolConfig,
    /// The senders this intermediary distributes for, each with the sender systems allowed to
    /// hand over its letters; at most `limits::SENDERS_PER_INTERMEDIARY_MAX`. No default: a
    /// service that distributes for nobody is a mistake.
    pub senders: Vec<AuthorisedSender>,
    /// Largest request envelope accepted, in bytes. Default
    /// `limits::ENVELOPE_BYTES_DEFAULT_MAX` (2 MiB, PROTOCOL.md §6.3); at most
    /// `ENVELOPE_BYTES_CEILING`.
    #[serde(default = "default_envelope_bytes_max")]
    pub envelope_bytes_max: u64,
    /// Connection timeouts and rate limits per client certificate. Every key has a default.
    #[serde(default)]
    pub http: kuvert_web::HttpConfig,
    /// CRLs (`files`, `urls`, `refresh_secs`, `stale_crl`), consulted at the listener's
    /// handshake and on every sender signature, as the operator's `tls.crl`. Default none.
    #[serde(default)]
    pub crl: kuvert_web::crl::CrlConfig,
    /// The admin listener's address: `/healthz`, `/readyz` and `/metrics`, kept off the
    /// mutual-TLS service (`kuvert intermediary serve --admin-listen` overrides it). Default
    /// `127.0.0.1:9451`, reachable from this machine only.
    #[serde(default = "default_admin")]
    pub admin: std::net::SocketAddr,
}

/// Message v3 served beside the REST gateway, on its mutual-TLS listener
/// (`[service.message_v3]` of `kuvert sender serve`): the gateway's toolkit, database, CA and
/// CRLs, and these senders.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageV3Config {
    /// As [`IntermediaryConfig::senders`].
    pub senders: Vec<AuthorisedSender>,
    /// As [`IntermediaryConfig::envelope_bytes_max`]. Default 2 MiB.
    #[serde(default = "default_envelope_bytes_max")]
    pub envelope_bytes_max: u64,
}

/// A sender the intermediary distributes for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorisedSender {
    /// The sender's organisation number (`Header/Sender/Id`); its letters must be signed with
    /// a certificate carrying it.
    pub organisation_number: OrganisationNumber,
    /// Organisations whose client certificates may hand over this sender's letters and ask
    /// for their status, at most `limits::CLIENTS_PER_SENDER_MAX`. Default: the sender
    /// itself only.
    #[serde(default)]
    pub clients: Vec<OrganisationNumber>,
}

fn default_admin() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9451))
}

fn default_envelope_bytes_max() -> u64 {
    ENVELOPE_BYTES_DEFAULT_MAX
}
