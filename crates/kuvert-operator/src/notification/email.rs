//! E-mail notifications through lettre: SMTP to a configured relay, or `.eml` files in a
//! directory for the demo ([`EmailTransport`]). The body is plain text, 8-bit UTF-8 where
//! its lines allow.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::NotificationError;

/// Time an SMTP exchange may take before it counts as failed (and is retried later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

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
