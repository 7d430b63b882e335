//! [`Config`]: everything a mailbox operator needs to start, as the binary loads it (figment:
//! defaults → TOML → `KUVERT_` environment). File paths are read by [`crate::build`]; the
//! library never reads files or the environment on its own.

use std::path::PathBuf;
use std::time::Duration;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{
    BLOB_S3_CONNECT_TIMEOUT_MS_DEFAULT, BLOB_S3_REQUEST_TIMEOUT_MS_DEFAULT, BLOB_S3_TIMEOUT_MS_MAX,
    ENVELOPE_BYTES_CEILING, ENVELOPE_BYTES_DEFAULT_MAX,
};
use kuvert_core::operator::ServiceDomain;
use kuvert_store::blob::BlobKey;
use kuvert_store::blob::s3::S3Settings;

/// The operator's configuration.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The operator's organisation number (the `serialNumber` of its certificate). Required.
    pub organisation_number: OrganisationNumber,
    /// The operator's name as recipients know it ("Demobrevlådan"), used in notifications.
    /// Required.
    pub name: String,
    /// The operator's `ServiceSupplier` value in the registry (`demobrevladan.example`).
    /// Required.
    pub domain: ServiceDomain,
    /// The operator's organisation certificate, key and CA (`tls.certificate_path`,
    /// `tls.key_path`, `tls.organisation_ca_path`) and CRLs (`tls.crl`). Required.
    pub tls: kuvert_web::registry_client::TlsConfig,
    /// Base URL of the registry (`https://far.example:8443`); the Recipient and Authority
    /// services are at `/ec/Recipient/v3` and `/ec/Authority` below it. Required.
    pub registry_url: String,
    /// Database URL (`sqlite:///var/lib/kuvert/operator.db?mode=rwc` or `postgres://…`).
    /// Required.
    pub database_url: String,
    /// The database connection pool: `max_connections`, `acquire_timeout_ms`,
    /// `idle_timeout_secs` (`kuvert_store::pool::PoolConfig`). Every key has a default.
    #[serde(default)]
    pub database_pool: kuvert_store::pool::PoolConfig,
    /// Directory of the local blob store holding the sealed deliveries. Exactly one of this
    /// and `blob_s3` is set.
    #[serde(default)]
    pub blob_dir: Option<PathBuf>,
    /// An S3 bucket holding the sealed deliveries instead of `blob_dir` (a build with the
    /// `s3` feature: `cargo build --features s3`). Default none.
    #[serde(default)]
    pub blob_s3: Option<S3BlobConfig>,
    /// Largest `deliverSecure` envelope accepted, in bytes. Default
    /// `kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX` (2 MiB, PROTOCOL.md §6.3); at most
    /// `ENVELOPE_BYTES_CEILING`.
    #[serde(default = "default_envelope_bytes_max")]
    pub envelope_bytes_max: u64,
    /// Accept RSA-SHA1 signatures and SHA-1 digests (PROTOCOL.md §9.1: legacy peers still
    /// send them). Default `true`.
    #[serde(default = "default_true")]
    pub is_sha1_allowed: bool,
    /// How long the registry's sender and intermediary lists are trusted before they are
    /// fetched again, in seconds (a miss refreshes them earlier). Default 300.
    #[serde(default = "default_directory_cache_secs")]
    pub directory_cache_secs: u64,
    /// How long a recipient's profile and reception rules are trusted, in seconds. Short,
    /// because a deselected sender must stop reaching the mailbox soon. Default 30.
    #[serde(default = "default_recipient_cache_secs")]
    pub recipient_cache_secs: u64,
    /// Notifications (e-mail, SMS). Required, for the e-mail transport.
    pub notification: NotificationConfig,
    /// The web inbox.
    pub web: WebConfig,
    /// Connection timeouts of both listeners and rate limits: per client certificate on the
    /// service listener, per address on the web inbox. Every key has a default.
    #[serde(default)]
    pub http: kuvert_web::HttpConfig,
    /// The admin listener's address: `/healthz`, `/readyz` and `/metrics`, kept off the
    /// public ones (`kuvert operator serve --admin-listen` overrides it). Default
    /// `127.0.0.1:9443`, reachable from this machine only.
    #[serde(default = "default_admin")]
    pub admin: std::net::SocketAddr,
}

fn default_admin() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9443))
}

/// The `blob_s3` table: an S3 bucket (AWS, Garage, MinIO, …) for the sealed deliveries.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3BlobConfig {
    /// The S3 endpoint (`https://s3.example:3900`); path-style requests. Default none: AWS's
    /// own endpoint of `region`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The bucket, which must exist. Required.
    pub bucket: String,
    /// The region requests are signed for (`garage` for Garage's default). Required.
    pub region: String,
    /// The access key id. Required.
    pub access_key_id: String,
    /// The secret access key (`KUVERT_OPERATOR__BLOB_S3__SECRET_ACCESS_KEY`). Required.
    pub secret_access_key: secrecy::SecretString,
    /// A key prefix inside the bucket (`demobrevladan`), so operators may share one bucket.
    /// Default none: keys at the bucket's root.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Allow a plain `http://` endpoint (a loopback test server only). Default false.
    #[serde(default)]
    pub allow_http: bool,
    /// PEM root certificate(s) of the endpoint's TLS, added to the system's. Default none.
    #[serde(default)]
    pub ca_path: Option<PathBuf>,
    /// Time to open a connection, in milliseconds. Default 5000
    /// (`kuvert_core::limits::BLOB_S3_CONNECT_TIMEOUT_MS_DEFAULT`).
    #[serde(default = "default_s3_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Time one request may take, body included, in milliseconds; a delivery's receipt waits
    /// for its write. Default 30000; at most `BLOB_S3_TIMEOUT_MS_MAX` (300000).
    #[serde(default = "default_s3_request_timeout_ms")]
    pub request_timeout_ms: u64,
}

/// Where notifications go out.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationConfig {
    /// The `From` address of notification e-mails. Required.
    pub email_from: String,
    /// SMTP server `host:port` (plain SMTP to a local relay). Exactly one of this,
    /// `smtp_url` and `mail_dir` is set.
    #[serde(default)]
    pub smtp_address: Option<String>,
    /// SMTP server as a URL (lettre's `AsyncSmtpTransport::from_url`): `smtp://host:port`
    /// (plain), `smtp://host:587?tls=required` (STARTTLS, refused without it),
    /// `smtps://host:465` (TLS from the start); a user and password may be in the URL
    /// (`smtps://user:password@host`) or the password in `smtp_password_file`. Default none.
    #[serde(default)]
    pub smtp_url: Option<secrecy::SecretString>,
    /// File holding the SMTP password for the user named in `smtp_url` (surrounding white
    /// space ignored), so the URL in the configuration holds no secret. Default none.
    #[serde(default)]
    pub smtp_password_file: Option<PathBuf>,
    /// CA certificate(s) (PEM) trusted for the SMTP server's TLS certificate besides the
    /// system's roots (an internal relay's CA). Default none: the system's roots only.
    #[serde(default)]
    pub smtp_ca_path: Option<PathBuf>,
    /// Directory that receives each e-mail as an `.eml` file instead of sending it (the demo).
    #[serde(default)]
    pub mail_dir: Option<PathBuf>,
    /// URL of an HTTP SMS gateway taking `POST {"to": "+46…", "text": "…"}`. Default none:
    /// SMS notifications fail visibly ("no SMS gateway configured").
    #[serde(default)]
    pub sms_gateway_url: Option<String>,
    /// File holding the SMS gateway's API token (surrounding white space ignored), sent as
    /// `Authorization: Bearer …` with every message. Default none: no `Authorization`.
    #[serde(default)]
    pub sms_gateway_token_file: Option<PathBuf>,
    /// Pause between outbox rounds of the background worker, in milliseconds. Default 5000.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Whether notifications keep 07:00-21:00 Swedish time and at most one per channel per
    /// hour (`notification::schedule`). Default true; a demo or a cross-role test may turn it
    /// off so a letter's notification goes out at once, whatever the hour.
    #[serde(default = "default_keeps_sending_hours")]
    pub keeps_sending_hours: bool,
}

/// The web inbox: where browsers reach it and the e-ID services it uses (`crate::http`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// The inbox's public URL (`https://demobrevladan.example/`), named in notifications.
    /// Its scheme decides whether the session cookie is `Secure`; `inloggad` and
    /// `skaffa/signerad` below it are the redirect URIs to register at the e-ID provider.
    /// Required.
    pub public_url: String,
    /// Issuer URL of the OpenID provider people log in with (e-legitimation). Required.
    pub oidc_issuer: String,
    /// The client id registered at the provider; also presented to the signing service.
    /// Required.
    pub oidc_client_id: String,
    /// The client secret registered at the provider. Required.
    pub oidc_client_secret: secrecy::SecretString,
    /// The e-ID signing service (the test e-ID's `/sign` in the demo). Required.
    pub signing_service_url: String,
    /// CA certificate(s) (PEM) trusted for the provider's TLS. Default none: the
    /// organisation CA of `tls.organisation_ca_path` (enough for a plain-HTTP test provider).
    #[serde(default)]
    pub eid_ca_path: Option<PathBuf>,
    /// Seconds a logged-in session lives without a request. Default 900 (15 minutes).
    /// Sessions are rows in `database_url`, so every node of the operator serves them.
    #[serde(default = "default_session_idle_secs")]
    pub session_idle_secs: u64,
    /// File holding the key that seals the `kuvert_login` cookie of a login in progress: 64
    /// hex digits (`openssl rand -hex 32`). Default none: a fresh key at each start, which
    /// suits one node only; give every node the same file so a login started on one finishes
    /// on another.
    #[serde(default)]
    pub cookie_key_file: Option<PathBuf>,
    /// File holding the key of the forms' CSRF tokens, as `cookie_key_file`. Default none: a
    /// fresh key at each start (one node only); give every node the same file so a form
    /// shown by one node is accepted by another and after a restart.
    #[serde(default)]
    pub csrf_key_file: Option<PathBuf>,
}

fn default_s3_connect_timeout_ms() -> u64 {
    BLOB_S3_CONNECT_TIMEOUT_MS_DEFAULT
}

fn default_s3_request_timeout_ms() -> u64 {
    BLOB_S3_REQUEST_TIMEOUT_MS_DEFAULT
}

fn default_session_idle_secs() -> u64 {
    900
}

fn default_envelope_bytes_max() -> u64 {
    ENVELOPE_BYTES_DEFAULT_MAX
}

fn default_true() -> bool {
    true
}

fn default_directory_cache_secs() -> u64 {
    300
}

fn default_recipient_cache_secs() -> u64 {
    30
}

fn default_poll_interval_ms() -> u64 {
    5_000
}

fn default_keeps_sending_hours() -> bool {
    true
}

impl Config {
    /// The envelope bound as a `usize`, checked against the ceiling.
    pub(crate) fn checked_envelope_bytes_max(&self) -> Result<usize, String> {
        if self.envelope_bytes_max == 0 || self.envelope_bytes_max > ENVELOPE_BYTES_CEILING {
            return Err(format!("must be 1..={ENVELOPE_BYTES_CEILING} bytes"));
        }
        usize::try_from(self.envelope_bytes_max).map_err(|_| "does not fit in memory".to_owned())
    }
}

impl S3BlobConfig {
    /// The typed settings, with the CA file read; `Err` names the key and the reason.
    pub(crate) async fn settings(&self) -> Result<S3Settings, (&'static str, String)> {
        let endpoint = self
            .endpoint
            .as_deref()
            .map(url::Url::parse)
            .transpose()
            .map_err(|error| ("blob_s3.endpoint", error.to_string()))?;
        let key_prefix = self
            .key_prefix
            .as_deref()
            .map(BlobKey::parse)
            .transpose()
            .map_err(|error| ("blob_s3.key_prefix", error.to_string()))?;
        let root_ca_pem =
            match &self.ca_path {
                Some(path) => Some(tokio::fs::read(path).await.map_err(|error| {
                    ("blob_s3.ca_path", format!("{}: {error}", path.display()))
                })?),
                None => None,
            };
        Ok(S3Settings {
            endpoint,
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            key_prefix,
            is_http_allowed: self.allow_http,
            root_ca_pem,
            connect_timeout: s3_timeout("blob_s3.connect_timeout_ms", self.connect_timeout_ms)?,
            request_timeout: s3_timeout("blob_s3.request_timeout_ms", self.request_timeout_ms)?,
        })
    }
}

fn s3_timeout(key: &'static str, millis: u64) -> Result<Duration, (&'static str, String)> {
    if millis == 0 || millis > BLOB_S3_TIMEOUT_MS_MAX {
        return Err((
            key,
            format!("must be 1..={BLOB_S3_TIMEOUT_MS_MAX} milliseconds"),
        ));
    }
    Ok(Duration::from_millis(millis))
}
