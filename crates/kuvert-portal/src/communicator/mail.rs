//! Telling the editor (issue 13 §3, §4): an e-mail to the editorial desk as soon as a
//! communicator submits a text, plans an activity or creates a campaign, through a real SMTP
//! relay or, for the demo, as `.eml` files in a folder. A failed e-mail is logged and never
//! stands in the way of the communicator's step: the editor's pages list everything anyway.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use kuvert_web::StartError;

/// How long one e-mail to the editor may take.
const MAIL_TIMEOUT: Duration = Duration::from_secs(20);

/// The `communicators.editor_mail` section: where the editor is told.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorMailConfig {
    /// The editorial desk's address (`redaktion@…`). Required.
    pub to: String,
    /// The `From` address. Required.
    pub from: String,
    /// SMTP relay `host:port` (plain SMTP). Exactly one of this and `mail_dir` is set.
    #[serde(default)]
    pub smtp_address: Option<String>,
    /// A folder receiving each e-mail as an `.eml` file instead (the demo); made if missing.
    #[serde(default)]
    pub mail_dir: Option<PathBuf>,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>),
}

/// The editor's e-mail, ready to send.
pub(crate) struct EditorMail {
    to: Mailbox,
    from: Mailbox,
    transport: Transport,
}

/// One message to the editor: subject and plain text.
pub(crate) struct Notice {
    pub(crate) subject: String,
    pub(crate) text: String,
}

impl EditorMail {
    /// Checks the section.
    ///
    /// # Errors
    /// [`StartError::Config`] naming the `communicators.editor_mail.*` key that is unusable.
    pub(crate) fn build(config: &EditorMailConfig) -> Result<Self, StartError> {
        let bad = |key, reason: &str| StartError::Config {
            key,
            reason: reason.to_owned(),
        };
        let to = config
            .to
            .parse()
            .map_err(|_| bad("communicators.editor_mail.to", "is not an e-mail address"))?;
        let from = config
            .from
            .parse()
            .map_err(|_| bad("communicators.editor_mail.from", "is not an e-mail address"))?;
        let transport = match (&config.smtp_address, &config.mail_dir) {
            (Some(address), None) => {
                let key = "communicators.editor_mail.smtp_address";
                let (host, port) = address
                    .rsplit_once(':')
                    .ok_or(bad(key, "is not host:port"))?;
                let port = port.parse().map_err(|_| bad(key, "has no port number"))?;
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                        .port(port)
                        .timeout(Some(MAIL_TIMEOUT))
                        .build(),
                )
            }
            (None, Some(folder)) => {
                std::fs::create_dir_all(folder).map_err(|error| {
                    bad("communicators.editor_mail.mail_dir", &error.to_string())
                })?;
                Transport::Folder(AsyncFileTransport::new(folder.clone()))
            }
            _ => {
                let reason = "set exactly one of smtp_address and mail_dir";
                return Err(bad("communicators.editor_mail", reason));
            }
        };
        Ok(Self {
            to,
            from,
            transport,
        })
    }

    /// Sends `notice` to the editor; a failure is logged, not returned.
    pub(crate) async fn tell(&self, notice: Notice) {
        let message = Message::builder()
            .from(self.from.clone())
            .to(self.to.clone())
            .subject(notice.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(
                // 8-bit keeps the Swedish text readable as written.
                Body::new_with_encoding(notice.text.clone(), ContentTransferEncoding::EightBit)
                    .unwrap_or_else(|_| Body::new(notice.text)),
            );
        let message = match message {
            Ok(message) => message,
            Err(error) => return tracing::error!(%error, "e-mail to the editor not built"),
        };
        let sent = match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Transport::Folder(folder) => folder
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        };
        if let Err(error) = sent {
            tracing::warn!(%error, "e-mail to the editor not sent");
        }
    }
}
