//! [`SenderConfig`]: what the toolkit needs to start, as the binary loads it (figment:
//! defaults → TOML → `KUVERT_` environment). Only paths are held here; the files are read by
//! [`crate::Toolkit::build`], so a library never reads configuration on its own.

use std::path::PathBuf;

use kuvert_core::id::OrganisationNumber;

/// The sender toolkit's configuration: one intermediary and the senders it signs for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderConfig {
    /// The registry's Recipient v3 endpoint, e.g. `https://far.example/ec/Recipient/v3`.
    /// No default: the toolkit must be told which registry to trust.
    pub registry_url: String,
    /// PEM file with the CA certificate(s) trusted for every TLS server (registry and
    /// operators). System roots are never trusted.
    pub ca_path: PathBuf,
    /// The intermediary (förmedlare): TLS client identity and sealing key.
    pub intermediary: IdentityConfig,
    /// The senders (avsändare) the intermediary signs for, at most
    /// `kuvert_core::limits::SENDERS_PER_INTERMEDIARY_MAX`.
    pub senders: Vec<SenderIdentityConfig>,
    /// Folder of the evidence archive: `<dir>/<sender orgnr>/<message id>.sealed.xml` and
    /// `.receipt.json`. No default: evidence must land where the operator of the toolkit
    /// keeps it.
    pub archive_dir: PathBuf,
    /// CSV file that unreachable recipients are appended to (the paper-mail list).
    pub paper_mail_path: PathBuf,
    /// The public portal's address (`https://brevlada.example/`). When set, each paper-mail
    /// row carries the text and deep link to print on that letter
    /// (`kuvert_web::deep_link::paper_letter_text`). Default none: that column stays empty.
    #[serde(default)]
    pub portal_url: Option<url::Url>,
    /// Retries of `deliverSecure`. Default: 4 attempts, 500 ms first pause.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Bound on connecting (TLS included), in milliseconds. Default 10 000.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Bound on one whole request, in milliseconds. Default 60 000 (a 2 MB letter to a slow
    /// operator).
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// The sender service (`kuvert sender serve`); only that command needs it.
    #[serde(default)]
    pub service: Option<crate::service::ServiceConfig>,
}

/// An organisation's certificate and key files.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// The organisation number the certificate's subject `serialNumber` must carry.
    pub organisation_number: OrganisationNumber,
    /// PEM certificate (leaf first; intermediates may follow).
    pub certificate_path: PathBuf,
    /// PEM PKCS#8 RSA private key.
    pub key_path: PathBuf,
}

/// A sender the intermediary signs for: its identity and the name shown to recipients.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderIdentityConfig {
    /// The sender's organisation number (`sndr:Id`); the certificate must carry it.
    pub organisation_number: OrganisationNumber,
    /// `sndr:Name`: shown to the recipient, 2..256 characters.
    pub name: String,
    /// PEM signing certificate (leaf first).
    pub certificate_path: PathBuf,
    /// PEM PKCS#8 RSA private key.
    pub key_path: PathBuf,
}

/// How often and how patiently `deliverSecure` is retried.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts in all, 1..=`kuvert_core::limits::DELIVERY_ATTEMPTS_MAX`. Default 4.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// Pause before the second attempt in milliseconds; it doubles per attempt up to
    /// `kuvert_core::limits::DELIVERY_BACKOFF_MS_MAX`. Default 500.
    #[serde(default = "default_first_backoff_ms")]
    pub first_backoff_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            attempts: default_attempts(),
            first_backoff_ms: default_first_backoff_ms(),
        }
    }
}

impl SenderConfig {
    /// A configuration with every default.
    #[must_use]
    pub fn new(
        registry_url: impl Into<String>,
        ca_path: impl Into<PathBuf>,
        intermediary: IdentityConfig,
        archive_dir: impl Into<PathBuf>,
    ) -> Self {
        let archive_dir = archive_dir.into();
        Self {
            registry_url: registry_url.into(),
            ca_path: ca_path.into(),
            intermediary,
            senders: Vec::new(),
            paper_mail_path: archive_dir.join("paper-mail.csv"),
            portal_url: None,
            archive_dir,
            retry: RetryConfig::default(),
            connect_timeout_ms: default_connect_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
            service: None,
        }
    }
}

fn default_attempts() -> u32 {
    4
}

fn default_first_backoff_ms() -> u64 {
    500
}

fn default_connect_timeout_ms() -> u64 {
    10_000
}

fn default_request_timeout_ms() -> u64 {
    60_000
}
