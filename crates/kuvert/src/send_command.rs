//! `kuvert send`: one letter through the sender toolkit (`kuvert-sender`), with the
//! intermediary and senders of a running demo (`--demo DIR`, read from `demo.json`) or of a
//! configuration file (`--config FILE`, `KUVERT_SENDER__…`). After sending, the letter is
//! reported to the registry's statistics of the month.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{Body, BodyContentType, Subject, SupportInfo, SupportText};
use kuvert_core::report::error_chain;
use kuvert_sender::{Letter, Outcome, SenderConfig, Toolkit};

use crate::config::{self, Role};
use crate::demo::Manifest;
use crate::seed;

/// What `kuvert send` was asked to send.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// Sender key of the seed (`exempelkommun`) or organisation number.
    pub sender: String,
    /// Recipient: personnummer or organisation number.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// File with the body; `.html`/`.htm` is sent as `text/html`, anything else as text.
    pub body: PathBuf,
    /// PDF files to attach.
    pub attachments: Vec<PathBuf>,
}

/// The toolkit configuration of a running demo: the `sender.toml` it wrote (its
/// intermediary signs and seals for both senders, evidence in `DIR/sender-archive`, paper
/// mail with the portal's text), then `KUVERT_SENDER__…` variables as for `--config`.
///
/// # Errors
/// When `demo.json` is missing (the demo is not running there) or the file is invalid.
pub fn demo_sender_config(data_dir: &Path) -> anyhow::Result<SenderConfig> {
    // Read first for its hint when the demo has never run in `data_dir`.
    let manifest = Manifest::read(data_dir)?;
    let file = if manifest.sender_config.as_os_str().is_empty() {
        data_dir.join(crate::demo::SENDER_CONFIG_FILE)
    } else {
        manifest.sender_config
    };
    Ok(config::load(Role::Sender, Some(&file))?)
}

/// The toolkit configuration from `--demo DIR` or `--config FILE`.
///
/// # Errors
/// As [`demo_sender_config`] or [`config::load`].
pub fn sender_config(demo: Option<&Path>, file: Option<&Path>) -> anyhow::Result<SenderConfig> {
    match demo {
        Some(dir) => demo_sender_config(dir),
        None => Ok(config::load(Role::Sender, file)?),
    }
}

/// Reads the files, builds the letter and sends it.
///
/// # Errors
/// Unreadable files, invalid values (naming the flag) and every `SendError`.
pub async fn send(config: &SenderConfig, request: &SendRequest) -> anyhow::Result<Outcome> {
    let toolkit = Toolkit::build(config).context("starting the sender toolkit")?;
    let letter = letter(config, request)?;
    let outcome = toolkit.send(&letter).await?;
    report_letter(&toolkit, &letter.sender, &outcome).await;
    Ok(outcome)
}

/// Adds the letter to the registry's statistics for this month (digital or paper). A failed
/// report is logged and does not fail the command: the letter has already gone.
async fn report_letter(toolkit: &Toolkit, sender: &OrganisationNumber, outcome: &Outcome) {
    let (digital, paper) = match outcome {
        Outcome::Delivered { .. } => (1, 0),
        Outcome::Paper { .. } => (0, 1),
    };
    let month = YearMonth::of(stockholm_day(time::OffsetDateTime::now_utc()));
    if let Err(error) = toolkit
        .report_letter_counts(sender, month, digital, paper)
        .await
    {
        tracing::warn!(error = %error_chain(&error), "letter counts not reported to the registry");
    }
}

fn letter(config: &SenderConfig, request: &SendRequest) -> anyhow::Result<Letter> {
    let (sender, sender_name) = sender_identity(config, &request.sender)?;
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let recipient = RecipientId::parse_written(&request.recipient, today)
        .with_context(|| format!("--to {:?}", request.recipient))?;
    let content = std::fs::read(&request.body)
        .with_context(|| format!("--body {}", request.body.display()))?;
    let is_html = request
        .body
        .extension()
        .is_some_and(|ext| ext == "html" || ext == "htm");
    let content_type = if is_html {
        BodyContentType::TextHtml
    } else {
        BodyContentType::TextPlain
    };
    let body = Body::new(content_type, content).context("--body")?;
    let mut attachments = Vec::new();
    for path in &request.attachments {
        let bytes = std::fs::read(path).with_context(|| format!("--attach {}", path.display()))?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        attachments.push(kuvert_sender::pdf_attachment(&name, bytes)?);
    }
    let support = format!("Frågor om brevet besvarar {sender_name}.");
    Ok(Letter {
        sender,
        recipient,
        subject: Subject::parse(&request.subject).context("--subject")?,
        body,
        attachments,
        support_info: SupportInfo {
            text: SupportText::parse(&support).context("support text")?,
            url: None,
            phone: None,
            email: None,
        },
        message_id: None,
        reference: None,
    })
}

/// The sender named by `--as` (`kuvert send`, `kuvert mailing`): a seed key or an
/// organisation number this toolkit signs for, with its name.
///
/// # Errors
/// When `text` names no sender of this toolkit; the message lists the senders it knows
/// (issue 11: `--as nosuch` must not answer with a rule about identity numbers alone).
pub(crate) fn sender_identity(
    config: &SenderConfig,
    text: &str,
) -> anyhow::Result<(OrganisationNumber, String)> {
    let known = || known_senders(config);
    let number = match seed::organisation(text.trim()) {
        Some(organisation) => organisation.organisation_number(),
        None => OrganisationNumber::parse_written(text).map_err(|error| {
            anyhow::anyhow!(
                "--as {text:?} is no sender of this toolkit and no organisation number \
                 ({error}); {}",
                known()
            )
        })?,
    };
    let name = config
        .senders
        .iter()
        .find(|identity| identity.organisation_number == number)
        .map(|identity| identity.name.clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--as {text:?}: organisation number {number} is not a sender of this \
                 toolkit; {}",
                known()
            )
        })?;
    Ok((number, name))
}

/// "the senders are exempelkommun (2120000159, Exempelkommun), …": what `--as` accepts.
fn known_senders(config: &SenderConfig) -> String {
    if config.senders.is_empty() {
        return "this toolkit signs for no sender (see [[senders]] in its configuration)"
            .to_owned();
    }
    let senders: Vec<String> = config
        .senders
        .iter()
        .map(|identity| {
            let number = &identity.organisation_number;
            let key = seed::organisations()
                .find(|seeded| &seeded.organisation_number() == number)
                .map(|seeded| format!("{} ", seeded.key))
                .unwrap_or_default();
            format!("{key}({number}, {})", identity.name)
        })
        .collect();
    format!(
        "--as takes one of: {} (a name or the organisation number)",
        senders.join(", ")
    )
}

#[cfg(test)]
mod tests;
