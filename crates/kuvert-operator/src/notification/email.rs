//! E-mail notifications through lettre: SMTP to a configured relay (plain `host:port`, or a
//! URL with STARTTLS or TLS and credentials, [`SmtpSettings`]), or `.eml` files in a
//! directory for the demo ([`EmailTransport`]). The body is plain text, 8-bit UTF-8 where
//! its lines allow.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::NotificationError;

/// Time an SMTP exchange may take before it counts as failed (and is retried later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// An SMTP server given by URL (`notification.smtp_url`), read at start.
pub struct SmtpSettings<'a> {
    /// `smtp://host:port`, `smtp://host:port?tls=required` or `smtps://host:port`, perhaps
    /// with `user:password@`.
    pub url: &'a SecretString,
    /// The password of the URL's user, from `notification.smtp_password_file`.
    pub password: Option<SecretString>,
    /// CA certificate(s) (PEM) trusted besides the system's roots.
    pub ca_pem: Option<&'a [u8]>,
}

/// How e-mails leave the operator.
#[derive(Clone)]
pub enum EmailTransport {
    /// Plain SMTP to a relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per e-mail in a directory.
    Directory(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for EmailTransport {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => formatter.write_str("EmailTransport::Smtp"),
            Self::Directory(_) => formatter.write_str("EmailTransport::Directory"),
        }
    }
}

impl EmailTransport {
    /// SMTP to `address` (`host:port`).
    ///
    /// # Errors
    /// A reason when `address` is not `host:port`.
    pub fn smtp(address: &str) -> Result<Self, String> {
        let (host, port) = address.rsplit_once(':').ok_or("is not host:port")?;
        let port: u16 = port.parse().map_err(|_| "has no valid port number")?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self::Smtp(transport))
    }

    /// SMTP to the server of `settings.url`, with its TLS mode and credentials.
    ///
    /// # Errors
    /// A reason (never the URL, which may hold a password) when the URL is not usable, the
    /// CA is not PEM, or a password comes without a user name.
    pub fn smtp_url(settings: &SmtpSettings<'_>) -> Result<Self, String> {
        let text = settings.url.expose_secret();
        let url = url::Url::parse(text).map_err(|error| format!("is not a URL: {error}"))?;
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(text)
            .map_err(|error| format!("is not an SMTP URL: {error}"))?;
        let mut builder = builder.timeout(Some(SMTP_TIMEOUT));
        if let Some(ca_pem) = settings.ca_pem {
            builder = builder.tls(tls_with_ca(&url, ca_pem)?);
        }
        if let Some(password) = &settings.password {
            if url.username().is_empty() {
                return Err("names no user for notification.smtp_password_file".to_owned());
            }
            let user = percent_decoded(url.username());
            let password = password.expose_secret().to_owned();
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self::Smtp(builder.build()))
    }

    /// Files in `directory`, which must exist.
    #[must_use]
    pub fn directory(directory: PathBuf) -> Self {
        Self::Directory(AsyncFileTransport::<Tokio1Executor>::new(directory))
    }

    /// Sends one plain-text e-mail.
    ///
    /// # Errors
    /// [`NotificationError::EmailNotBuilt`] for an unusable address,
    /// [`NotificationError::EmailRefused`] when the server refused it for good, and
    /// [`NotificationError::EmailServerUnreachable`] when it could not be handed over now.
    pub async fn send(
        &self,
        from: &Mailbox,
        to: &str,
        subject: String,
        text: String,
    ) -> Result<(), NotificationError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| NotificationError::EmailNotBuilt("address not usable".into()))?;
        // 8-bit keeps the text readable as written; a line too long for it (a very long
        // sender name) falls back to the encoding lettre chooses.
        let body = Body::new_with_encoding(text.clone(), ContentTransferEncoding::EightBit)
            .unwrap_or_else(|_| Body::new(text));
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| NotificationError::EmailNotBuilt(error.to_string()))?;
        match self {
            Self::Smtp(transport) => transport.send(message).await.map(drop).map_err(|error| {
                if error.is_permanent() {
                    NotificationError::EmailRefused(error.to_string())
                } else {
                    NotificationError::EmailServerUnreachable(error.to_string())
                }
            }),
            Self::Directory(transport) => {
                transport.send(message).await.map(drop).map_err(|error| {
                    NotificationError::EmailServerUnreachable(format!("file: {error}"))
                })
            }
        }
    }
}
/// The URL's TLS mode with `ca_pem` trusted besides the system's roots.
fn tls_with_ca(url: &url::Url, ca_pem: &[u8]) -> Result<Tls, String> {
    let mode = url.query_pairs().find(|(name, _)| name == "tls");
    let wrap: fn(TlsParameters) -> Tls =
        match (url.scheme(), mode.as_ref().map(|(_, v)| v.as_ref())) {
            ("smtps", _) => Tls::Wrapper,
            ("smtp", Some("required")) => Tls::Required,
            ("smtp", Some("opportunistic")) => Tls::Opportunistic,
            _ => {
                return Err(
                    "uses no TLS, so a CA means nothing: use smtps:// or ?tls=required".into(),
                );
            }
        };
    // lettre's reader skips what is not a certificate, so a file without one is refused here.
    if !String::from_utf8_lossy(ca_pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err("CA is not PEM: notification.smtp_ca_path holds no certificate".to_owned());
    }
    let host = url.host_str().ok_or("names no host")?.to_owned();
    let certificate =
        Certificate::from_pem(ca_pem).map_err(|error| format!("CA is not PEM: {error}"))?;
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(certificate)
        .build_rustls()
        .map_err(|error| format!("TLS parameters: {error}"))?;
    Ok(wrap(parameters))
}

/// A URL's user name as written before percent-encoding.
fn percent_decoded(text: &str) -> String {
    // Form decoding reads `+` as a space; in a URL's user name it is itself.
    let text = text.replace('+', "%2B");
    url::form_urlencoded::parse(format!("u={text}").as_bytes())
        .next()
        .map_or(text, |(_, value)| value.into_owned())
}
