//! [`Config`]: what the portal shows and where it keeps and fetches its data, as the binary
//! loads it (figment: defaults → TOML → `KUVERT_PORTAL__…`). File paths are read by
//! [`crate::build`]; the library never reads files or the environment on its own.

use kuvert_core::limits::{PORTAL_OPERATORS_MAX, PORTAL_PUBLIC_URL_CHARS_MAX};
use kuvert_core::operator::OperatorSlug;
use kuvert_web::StartError;
use kuvert_web::registry_client::TlsConfig;

/// The portal's configuration.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The portal's public address (`https://brevlada.example/`): the base of every deep
    /// link and QR code it prints. Required.
    pub public_url: url::Url,
    /// Database URL for visits, operator choices and campaigns
    /// (`sqlite:///var/lib/kuvert/portal.db?mode=rwc` or `postgres://…`). Default
    /// [`DATABASE_URL_DEFAULT`]: a SQLite file in the working directory.
    #[serde(default = "default_database_url")]
    pub database_url: String,
    /// The database connection pool: `max_connections`, `acquire_timeout_ms`,
    /// `idle_timeout_secs` (`kuvert_store::pool::PoolConfig`). Every key has a default.
    #[serde(default)]
    pub database_pool: kuvert_store::pool::PoolConfig,
    /// Base URL of the registry's REST API (`https://far.example:8443`), asked for the
    /// senders and the statistics feed over mutual TLS. Required.
    pub registry_url: url::Url,
    /// The portal's organisation certificate towards the registry (`tls.certificate_path`,
    /// `tls.key_path`, `tls.organisation_ca_path`). Required. CRL sources (`tls.crl`) are
    /// refused: the portal verifies no client certificate or signature.
    pub tls: TlsConfig,
    /// How long the registry's list of senders is shown before it is fetched again, in
    /// seconds. Default 60.
    #[serde(default = "default_senders_cache_secs")]
    pub senders_cache_secs: u64,
    /// The request header that carries the client's address when the portal sits behind a
    /// proxy (`x-forwarded-for`; the last address in it is used), for counting unique
    /// visitors. Default none: the TCP peer's address.
    #[serde(default)]
    pub client_address_header: Option<String>,
    /// The constants behind the dashboards' derived figures (population, savings factors);
    /// every key has a documented default ([`crate::StatisticsConfig`]).
    #[serde(default)]
    pub statistics: crate::StatisticsConfig,
    /// The e-ID login of the communicators' pages (`/kommunikator`); without it those pages
    /// are not served. Default none.
    #[serde(default)]
    pub communicators: Option<crate::CommunicatorConfig>,
    /// Who publishes the portal, named in the accessibility statement
    /// ("Myndigheten för digital förvaltning"). Required.
    pub publisher_name: String,
    /// E-mail address for accessibility reports and questions about the portal. Required.
    pub contact_email: String,
    /// The connected mailbox operators, in the order the chooser shows them. Required: a
    /// portal without operators cannot help anyone get a mailbox.
    pub operators: Vec<PortalOperator>,
    /// Connection timeouts of the listener and the rate limit per client address (the TCP
    /// peer's: behind a proxy, raise or turn off `http.address_requests_per_second`). Every
    /// key has a default.
    #[serde(default)]
    pub http: kuvert_web::HttpConfig,
    /// The admin listener's address: `/healthz`, `/readyz` and `/metrics`, kept off the
    /// public ones (`kuvert portal serve --admin-listen` overrides it). Default
    /// `127.0.0.1:9442`, reachable from this machine only.
    #[serde(default = "default_admin")]
    pub admin: std::net::SocketAddr,
}

fn default_admin() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9442))
}

/// One mailbox operator as the chooser shows it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalOperator {
    /// The operator's short name in the portal's addresses (`/skaffa/{slug}`), e.g.
    /// `demobrevladan`; also how operator choices are counted.
    pub slug: OperatorSlug,
    /// The operator's name, e.g. "Demobrevlådan".
    pub name: String,
    /// One or two sentences in Swedish about the operator's mailbox.
    pub description_sv: String,
    /// The same in English.
    pub description_en: String,
    /// Where the operator's sign-up ("skaffa digital brevlåda") starts; the portal appends
    /// `avsandare` and `kampanj` when a deep link named them.
    pub signup_url: url::Url,
}

/// The default of [`Config::database_url`].
pub const DATABASE_URL_DEFAULT: &str = "sqlite://kuvert-portal.db?mode=rwc";

fn default_database_url() -> String {
    DATABASE_URL_DEFAULT.to_owned()
}

fn default_senders_cache_secs() -> u64 {
    60
}

impl Config {
    /// Checks what serde cannot: the operators' count, unique slugs and http(s) addresses.
    pub(crate) fn check(&self) -> Result<(), StartError> {
        let invalid = |key, reason: String| Err(StartError::Config { key, reason });
        if self.tls.crl.is_enabled() {
            return invalid(
                "tls.crl",
                "the portal verifies no client certificate or signature".to_owned(),
            );
        }
        if self.operators.is_empty() {
            return invalid(
                "operators",
                "at least one mailbox operator is needed".to_owned(),
            );
        }
        if self.operators.len() > PORTAL_OPERATORS_MAX {
            return invalid(
                "operators",
                format!("at most {PORTAL_OPERATORS_MAX} operators"),
            );
        }
        for (index, operator) in self.operators.iter().enumerate() {
            if !is_http(&operator.signup_url) {
                let reason = format!("{} is not an http(s) address", operator.signup_url);
                return invalid("operators.signup_url", reason);
            }
            if self.operators[..index]
                .iter()
                .any(|earlier| earlier.slug == operator.slug)
            {
                return invalid("operators.slug", format!("{} is used twice", operator.slug));
            }
        }
        if !is_http(&self.public_url) || self.public_url.cannot_be_a_base() {
            return invalid(
                "public_url",
                format!("{} is not an http(s) address", self.public_url),
            );
        }
        if self.publisher_name.trim().is_empty() {
            return invalid(
                "publisher_name",
                "must name who publishes the portal".to_owned(),
            );
        }
        if !self.contact_email.contains('@') || self.contact_email.chars().any(char::is_whitespace)
        {
            return invalid(
                "contact_email",
                format!("{} is not an e-mail address", self.contact_email),
            );
        }
        if self.public_url.as_str().len() > PORTAL_PUBLIC_URL_CHARS_MAX {
            let reason = format!("at most {PORTAL_PUBLIC_URL_CHARS_MAX} characters (QR codes)");
            return invalid("public_url", reason);
        }
        if let Some(name) = &self.client_address_header
            && axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
        {
            return invalid(
                "client_address_header",
                format!("{name} is not a header name"),
            );
        }
        if let Some((key, reason)) = self.statistics.problem() {
            return invalid(key, reason);
        }
        if self.senders_cache_secs == 0 {
            return invalid("senders_cache_secs", "must be at least 1".to_owned());
        }
        Ok(())
    }
}

fn is_http(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}
