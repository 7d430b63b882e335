//! [`Config`]: everything the registry needs to start, as the binary loads it (figment:
//! defaults → TOML → `KUVERT_` environment). File paths are read by [`crate::build`].

use std::path::PathBuf;

use kuvert_core::limits::{ENVELOPE_BYTES_CEILING, ENVELOPE_BYTES_DEFAULT_MAX};

/// The registry's configuration.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Database URL (`sqlite:///var/lib/kuvert/registry.db?mode=rwc` or `postgres://…`).
    /// No default: the binary must say where profiles live.
    pub database_url: String,
    /// The database connection pool: `max_connections`, `acquire_timeout_ms`,
    /// `idle_timeout_secs` (`kuvert_store::pool::PoolConfig`). Every key has a default.
    #[serde(default)]
    pub database_pool: kuvert_store::pool::PoolConfig,
    /// PEM file with the trusted e-ID CA certificate(s) that person signatures must chain to.
    pub eid_ca_path: PathBuf,
    /// TLS server certificate chain (PEM) used by the binary's listener; `None` in tests that
    /// call the router in-process.
    #[serde(default)]
    pub tls_certificate_path: Option<PathBuf>,
    /// TLS server private key (PEM, PKCS#8), used by the binary's listener.
    #[serde(default)]
    pub tls_key_path: Option<PathBuf>,
    /// PEM file with the CA(s) whose client certificates identify calling organisations.
    #[serde(default)]
    pub client_ca_path: Option<PathBuf>,
    /// The registry's public base URL (shown in the OpenAPI document's `servers`).
    /// Default `https://localhost:8443`.
    #[serde(default = "default_public_url")]
    pub public_url: String,
    /// Largest request body accepted, SOAP or JSON. Default
    /// `kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX` (2 MiB); at most
    /// `ENVELOPE_BYTES_CEILING`.
    #[serde(default = "default_envelope_bytes_max")]
    pub envelope_bytes_max: u64,
    /// Revocation of client certificates at the handshake: CRLs of the CA(s) of
    /// `client_ca_path` (which must then be set). Keys `files`, `urls`, `refresh_secs` (3600)
    /// and `stale_crl` (`refuse` or `accept_with_warning`; default `refuse`). Default: no
    /// CRL, nothing checked.
    #[serde(default)]
    pub crl: kuvert_web::crl::CrlConfig,
    /// Connection timeouts of the listener and the rate limit per client certificate. Every
    /// key has a default.
    #[serde(default)]
    pub http: kuvert_web::HttpConfig,
    /// The admin listener's address: `/healthz`, `/readyz` and `/metrics`, kept off the
    /// public one (`kuvert registry serve --admin-listen` overrides it). Default
    /// `127.0.0.1:9440`, reachable from this machine only.
    #[serde(default = "default_admin")]
    pub admin: std::net::SocketAddr,
}

fn default_admin() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9440))
}

fn default_public_url() -> String {
    "https://localhost:8443".to_owned()
}

fn default_envelope_bytes_max() -> u64 {
    ENVELOPE_BYTES_DEFAULT_MAX
}

impl Config {
    /// A configuration with every default, for the given database and e-ID CA file.
    #[must_use]
    pub fn new(database_url: impl Into<String>, eid_ca_path: impl Into<PathBuf>) -> Self {
        Self {
            database_url: database_url.into(),
            database_pool: kuvert_store::pool::PoolConfig::default(),
            admin: default_admin(),
            eid_ca_path: eid_ca_path.into(),
            tls_certificate_path: None,
            tls_key_path: None,
            client_ca_path: None,
            public_url: default_public_url(),
            envelope_bytes_max: default_envelope_bytes_max(),
            crl: kuvert_web::crl::CrlConfig::default(),
            http: kuvert_web::HttpConfig::default(),
        }
    }

    /// The envelope bound as a `usize`, checked against the ceiling.
    pub(crate) fn checked_envelope_bytes_max(&self) -> Result<usize, String> {
        if self.envelope_bytes_max == 0 || self.envelope_bytes_max > ENVELOPE_BYTES_CEILING {
            return Err(format!("must be 1..={ENVELOPE_BYTES_CEILING} bytes"));
        }
        usize::try_from(self.envelope_bytes_max).map_err(|_| "does not fit in memory".to_owned())
    }
}
