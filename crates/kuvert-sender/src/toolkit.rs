//! [`Toolkit`]: one intermediary with its senders' signing keys, an mTLS client, the evidence
//! archive and the paper-mail list; the operations of PROTOCOL.md §11.6–§11.7 as methods.

use std::fmt;
use std::sync::Arc;

use kuvert_core::calendar::YearMonth;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::lane::Lane;
use kuvert_core::limits::{
    DELIVERY_ATTEMPTS_MAX, ENVELOPE_BYTES_DEFAULT_MAX, MAILING_BATCH_IDS_MAX,
};
use kuvert_core::message::{MessageId, Receipt, SecureDelivery, SenderName};
use kuvert_web::client::soap::{SoapError, soap_call};
use kuvert_web::cpu_pool::CpuPool;
use kuvert_wire::envelope::BodyElement as _;
use kuvert_wire::recipient::{IsReachable, IsReachableResponse};
use kuvert_xmldsig::Verifier;
use kuvert_xmldsig::revocation::CrlSet;
use url::Url;

use crate::archive::{EvidenceArchive, PaperMailEntry, PaperMailList, ReceiptBatch, ReceiptRecord};
use crate::config::{RetryConfig, SenderConfig};
use crate::deliver::deliver_with_retry;
use crate::error::{Peer, SendError};
use crate::letter::{Letter, compose};
use crate::letter_report::{LetterReport, letters_url, post_report};
use crate::reachability::{Destination, PaperReason, Reachability, match_statuses};
use crate::sealing::{SealedDelivery, SignedDelivery};
use crate::setup::{self, Identities, SenderIdentity};
use crate::transport::answer_error;
use kuvert_core::report::error_chain;

/// The sender toolkit, ready to look up recipients and send letters. Cheap to share behind
/// an `Arc`; every method takes `&self`.
pub struct Toolkit {
    registry_url: Url,
    client: reqwest::Client,
    identities: Arc<Identities>,
    /// Where letters are signed and sealed: one per core, single letters first.
    cpu: CpuPool<OrganisationNumber>,
    archive: EvidenceArchive,
    paper_mail: PaperMailList,
    retry: RetryConfig,
}

/// What became of one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The operator accepted it and returned a receipt (*kvittens*).
    Delivered {
        /// The receipt.
        receipt: Receipt,
        /// The operator's name.
        operator: String,
        /// The letter's message id (the one given, or the UUID made for it).
        message_id: MessageId,
    },
    /// The recipient is not reachable digitally; the letter was added to the paper-mail list.
    Paper {
        /// Why.
        reason: PaperReason,
    },
}

impl Toolkit {
    /// Reads the certificates and keys named by `config` and builds the mutual-TLS client.
    ///
    /// # Errors
    /// [`SendError::ReadFile`] or [`SendError::Credential`] naming the file,
    /// [`SendError::Config`] naming the key, [`SendError::Client`] naming the CA file.
    pub fn build(config: &SenderConfig) -> Result<Self, SendError> {
        Self::build_with_crls(config, None)
    }

    /// [`Toolkit::build`] whose check of each fresh sender signature also consults `crls`:
    /// a sender whose signing certificate is revoked has no letter signed and sealed
    /// ([`SendError::SenderSignature`] naming the revocation).
    ///
    /// # Errors
    /// As [`Toolkit::build`].
    pub fn build_with_crls(config: &SenderConfig, crls: Option<CrlSet>) -> Result<Self, SendError> {
        let registry_url = Url::parse(&config.registry_url)
            .ok()
            .filter(|url| url.scheme() == "https")
            .ok_or_else(|| SendError::Config {
                key: "registry_url",
                reason: "not an https URL".to_owned(),
            })?;
        if !(1..=DELIVERY_ATTEMPTS_MAX).contains(&config.retry.attempts) {
            return Err(SendError::Config {
                key: "retry.attempts",
                reason: format!("must be 1..={DELIVERY_ATTEMPTS_MAX}"),
            });
        }
        let (identities, client) = setup::read(config, crls)?;
        Ok(Self {
            registry_url,
            client,
            identities: Arc::new(identities),
            cpu: CpuPool::per_core(),
            archive: EvidenceArchive::new(&config.archive_dir),
            paper_mail: PaperMailList::new(&config.paper_mail_path)
                .with_portal(config.portal_url.clone()),
            retry: config.retry,
        })
    }

    /// The intermediary's organisation number.
    #[must_use]
    pub fn intermediary(&self) -> &OrganisationNumber {
        &self.identities.intermediary
    }

    /// The name `sender` signs its letters with (printed on its paper letters too).
    ///
    /// # Errors
    /// [`SendError::UnknownSender`] when the toolkit does not sign for `sender`.
    pub fn sender_name(&self, sender: &OrganisationNumber) -> Result<&SenderName, SendError> {
        Ok(&self.sender_identity(sender)?.name)
    }

    /// Refuses `sender` when its signing certificate is revoked by the configured CRLs, or its
    /// status is unknown and their policy refuses that: the check its letters' fresh
    /// signatures get before sealing, made when a letter is handed over, so that nothing is
    /// accepted that cannot be sent. The certificates above it are checked with the signature.
    /// Without CRLs there is nothing to check.
    ///
    /// # Errors
    /// [`SendError::UnknownSender`], or [`SendError::Revoked`] naming the revocation.
    pub fn check_revocation(&self, sender: &OrganisationNumber) -> Result<(), SendError> {
        let identity = self.sender_identity(sender)?;
        let Some(crls) = &self.identities.crls else {
            return Ok(());
        };
        crls.check(
            identity.signer.certificate(),
            time::OffsetDateTime::now_utc(),
        )
        .map(drop)
        .map_err(|source| SendError::Revoked {
            organisation: sender.clone(),
            source,
        })
    }

    /// The verifier of senders' signatures the toolkit checks its own fresh signatures with:
    /// the configured CA, RSA-SHA256 only, and the CRLs it was built with. The intermediary
    /// verifies the signed deliveries handed to it with the same one.
    pub(crate) fn sender_verifier(&self) -> &Verifier {
        &self.identities.verifier
    }

    /// The evidence archive.
    #[must_use]
    pub fn archive(&self) -> &EvidenceArchive {
        &self.archive
    }

    /// The paper-mail list.
    #[must_use]
    pub fn paper_mail(&self) -> &PaperMailList {
        &self.paper_mail
    }

    /// Whether `sender` can reach each of `recipients`, in the same order: one `isReachable`
    /// call per `MAILING_BATCH_IDS_MAX` ids, one after another.
    ///
    /// # Errors
    /// [`SendError::RegistryUnreachable`], [`SendError::Fault`] from the registry, or
    /// [`SendError::BadResponse`] when it does not answer each id once.
    #[tracing::instrument(skip_all, fields(sender = %sender, n_recipients = recipients.len()))]
    pub async fn reachability(
        &self,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<Reachability>, SendError> {
        let mut results = Vec::with_capacity(recipients.len());
        for batch in recipients.chunks(MAILING_BATCH_IDS_MAX) {
            let request = IsReachable::new(sender.clone(), batch.to_vec())
                .map_err(|error| SendError::Internal(error.to_string()))?;
            let response: IsReachableResponse = soap_call(
                &self.client,
                self.registry_url.as_str(),
                request.to_envelope(),
                ENVELOPE_BYTES_DEFAULT_MAX,
            )
            .await
            .map_err(|error| self.registry_soap_error(error))?;
            results.extend(match_statuses(batch, response.statuses)?);
        }
        Ok(results)
    }

    /// The `SecureDelivery` for `letter`, from a sender this toolkit signs for.
    ///
    /// # Errors
    /// [`SendError::UnknownSender`] or [`SendError::InvalidLetter`].
    pub fn compose(&self, letter: &Letter) -> Result<SecureDelivery, SendError> {
        compose(letter, &self.sender_identity(&letter.sender)?.name)
    }

    /// Signs `delivery` with its sender's certificate (RSA-SHA256) and checks the signature
    /// against the configured CA.
    ///
    /// # Errors
    /// [`SendError::UnknownSender`], [`SendError::Sign`] or [`SendError::SenderSignature`].
    pub fn sign(&self, delivery: &SecureDelivery) -> Result<SignedDelivery, SendError> {
        sign_with(&self.identities, delivery)
    }

    /// Seals `signed` with today's date and the intermediary's certificate.
    ///
    /// # Errors
    /// [`SendError::Sign`].
    pub fn seal(&self, signed: SignedDelivery) -> Result<SealedDelivery, SendError> {
        seal_with(&self.identities, signed)
    }

    /// [`Toolkit::sign`] then [`Toolkit::seal`] on the toolkit's CPU pool, waiting in `lane`
    /// with the sender's other letters: the async threads stay free for the network, every
    /// core signs, and a single letter goes before a mass mailing's waiting letters.
    ///
    /// # Errors
    /// As [`Toolkit::sign`] and [`Toolkit::seal`]; [`SendError::Internal`] when the signing
    /// thread panicked.
    pub async fn sign_and_seal(
        &self,
        delivery: SecureDelivery,
        lane: Lane,
    ) -> Result<SealedDelivery, SendError> {
        let identities = Arc::clone(&self.identities);
        let sender = delivery.header.sender.id.clone();
        self.cpu
            .run(lane, sender, move || {
                seal_with(&identities, sign_with(&identities, &delivery)?)
            })
            .await
            .map_err(|error| SendError::Internal(error.to_string()))?
    }

    /// [`Toolkit::seal`] on the toolkit's CPU pool, waiting in `lane`: an intermediary
    /// sealing a delivery its sender signed (`distributeSecure`).
    ///
    /// # Errors
    /// As [`Toolkit::seal`]; [`SendError::Internal`] when the sealing thread panicked.
    pub async fn seal_in(
        &self,
        signed: SignedDelivery,
        lane: Lane,
    ) -> Result<SealedDelivery, SendError> {
        let identities = Arc::clone(&self.identities);
        let sender = signed.key().sender.clone();
        self.cpu
            .run(lane, sender, move || seal_with(&identities, signed))
            .await
            .map_err(|error| SendError::Internal(error.to_string()))?
    }

    /// The CPU pool letters are signed and sealed on, for an intermediary's checks of the
    /// requests it receives (they wait in the same lanes).
    pub(crate) fn cpu(&self) -> &CpuPool<OrganisationNumber> {
        &self.cpu
    }

    /// Archives `sealed`, sends it to `destination` with bounded retries, and archives the
    /// receipt. The sealed file is durable before the first attempt, so a receipt never
    /// exists without its letter in the archive.
    ///
    /// # Errors
    /// [`SendError::Archive`], [`SendError::OperatorUnreachable`], [`SendError::Fault`] from
    /// the operator, [`SendError::NotDelivered`] or [`SendError::BadResponse`].
    pub async fn deliver(
        &self,
        sealed: &SealedDelivery,
        destination: &Destination,
        lane: Lane,
    ) -> Result<Receipt, SendError> {
        self.deliver_archived(sealed, destination, lane, None).await
    }

    /// [`Toolkit::deliver`], with the receipt written into `receipts`: it is durable, and may
    /// be recorded or reported, only once [`ReceiptBatch::finish`] has returned (a mass
    /// mailing's batch, one folder sync for all its receipts).
    ///
    /// # Errors
    /// As [`Toolkit::deliver`].
    pub async fn deliver_in_batch(
        &self,
        sealed: &SealedDelivery,
        destination: &Destination,
        lane: Lane,
        receipts: &Arc<ReceiptBatch>,
    ) -> Result<Receipt, SendError> {
        self.deliver_archived(sealed, destination, lane, Some(Arc::clone(receipts)))
            .await
    }

    #[tracing::instrument(skip_all, fields(
        sender = %sealed.key().sender,
        message_id = %sealed.key().message_id.as_str(),
        operator = %destination.operator_name,
    ))]
    async fn deliver_archived(
        &self,
        sealed: &SealedDelivery,
        destination: &Destination,
        lane: Lane,
        receipts: Option<Arc<ReceiptBatch>>,
    ) -> Result<Receipt, SendError> {
        let archive = self.archive.clone();
        let to_archive = sealed.clone();
        run_blocking(move || archive.write_sealed(&to_archive)).await?;
        let receipt = deliver_with_retry(
            &self.client,
            &destination.service_address,
            sealed,
            self.retry,
            lane,
        )
        .await?;
        let archive = self.archive.clone();
        let to_archive = sealed.clone();
        let (for_archive, operator) = (receipt.clone(), destination.operator_name.clone());
        let service_address = destination.service_address.to_string();
        run_blocking(move || {
            let record = ReceiptRecord {
                receipt: &for_archive,
                operator: &operator,
                service_address: &service_address,
            };
            match receipts {
                Some(batch) => batch.write(&to_archive, &record),
                None => archive.write_receipt(&to_archive, &record),
            }
        })
        .await?;
        tracing::info!(trans_id = receipt.trans_id.as_str(), "letter delivered");
        Ok(receipt)
    }

    /// The whole path of one letter: reachability, then either the paper-mail list or
    /// [`Toolkit::send_to`] the recipient's operator.
    ///
    /// # Errors
    /// Any error of [`Toolkit::reachability`] or [`Toolkit::send_to`]; the letter is composed
    /// before the registry is asked, so a bad letter costs no call.
    pub async fn send(&self, letter: &Letter) -> Result<Outcome, SendError> {
        let delivery = self.compose(letter)?;
        let reachability = self
            .reachability(&letter.sender, std::slice::from_ref(&letter.recipient))
            .await?;
        match reachability.into_iter().next() {
            Some(Reachability::Reachable(destination)) => {
                self.deliver_composed(delivery, &destination).await
            }
            Some(Reachability::Unreachable(reason)) => {
                let entry = PaperMailEntry {
                    sender: &letter.sender,
                    recipient: &letter.recipient,
                    reason,
                    message_id: Some(delivery.message.header().id.as_str()),
                    manifest_row: None,
                    reference: letter.reference.as_ref(),
                    subject: &letter.subject,
                };
                // One short line; its fsync is quick next to the registry call.
                self.paper_mail.append(&entry)?;
                tracing::info!(reason = reason.as_str(), "recipient gets paper mail");
                Ok(Outcome::Paper { reason })
            }
            None => Err(SendError::Internal(
                "no reachability for the recipient".into(),
            )),
        }
    }

    /// Compose → sign → seal → deliver to a `destination` already looked up (a mass mailing
    /// asks [`Toolkit::reachability`] once per batch and then sends each letter with this).
    ///
    /// # Errors
    /// As [`Toolkit::compose`], [`Toolkit::sign`], [`Toolkit::seal`] and
    /// [`Toolkit::deliver`].
    pub async fn send_to(
        &self,
        letter: &Letter,
        destination: &Destination,
    ) -> Result<Outcome, SendError> {
        let delivery = self.compose(letter)?;
        self.deliver_composed(delivery, destination).await
    }

    async fn deliver_composed(
        &self,
        delivery: SecureDelivery,
        destination: &Destination,
    ) -> Result<Outcome, SendError> {
        let message_id = delivery.message.header().id.clone();
        let sealed = self.sign_and_seal(delivery, Lane::Single).await?;
        let receipt = self.deliver(&sealed, destination, Lane::Single).await?;
        Ok(Outcome::Delivered {
            receipt,
            operator: destination.operator_name.clone(),
            message_id,
        })
    }

    /// Reports `digital` and `paper` letters of `sender` in `month` to the registry, which
    /// adds them to the month's totals and answers those. Call it after a mailing or a send
    /// with what went each way; a failed report never undoes a delivery.
    ///
    /// # Errors
    /// [`SendError::UnknownSender`] for a sender this toolkit does not serve,
    /// [`SendError::RegistryUnreachable`], [`SendError::Fault`] (the registry refused:
    /// unknown sender, intermediary not approved, a count over
    /// `limits::LETTERS_PER_REPORT_MAX`) or [`SendError::BadResponse`].
    #[tracing::instrument(skip_all, fields(sender = %sender, month = %month))]
    pub async fn report_letter_counts(
        &self,
        sender: &OrganisationNumber,
        month: YearMonth,
        digital: u64,
        paper: u64,
    ) -> Result<LetterReport, SendError> {
        self.sender_identity(sender)?;
        let report = LetterReport {
            sender: sender.clone(),
            month,
            digital,
            paper,
        };
        let url = letters_url(&self.registry_url);
        let totals = post_report(&self.client, &url, &report).await?;
        tracing::info!(digital, paper, "letter counts reported");
        Ok(totals)
    }

    /// The registry's letters report as this toolkit reaches it (its mutual-TLS client and the
    /// address), for a service's background reporter (`letter_report::reporter`). No signing
    /// identity is needed: the registry checks that the intermediary may report for the
    /// sender, and the intermediary service's sender systems sign themselves.
    pub(crate) fn letters_endpoint(&self) -> (reqwest::Client, Url) {
        (self.client.clone(), letters_url(&self.registry_url))
    }

    fn sender_identity(&self, sender: &OrganisationNumber) -> Result<&SenderIdentity, SendError> {
        sender_identity(&self.identities, sender)
    }

    fn registry_soap_error(&self, error: SoapError) -> SendError {
        match error {
            SoapError::Http(source) => {
                tracing::warn!(reason = %error_chain(&source), "isReachable failed");
                SendError::RegistryUnreachable {
                    url: self.registry_url.to_string(),
                    source,
                }
            }
            other => answer_error(Peer::Registry, other),
        }
    }
}

fn sender_identity<'a>(
    identities: &'a Identities,
    sender: &OrganisationNumber,
) -> Result<&'a SenderIdentity, SendError> {
    identities
        .senders
        .get(sender)
        .ok_or_else(|| SendError::UnknownSender(sender.clone()))
}

fn sign_with(
    identities: &Identities,
    delivery: &SecureDelivery,
) -> Result<SignedDelivery, SendError> {
    let identity = sender_identity(identities, &delivery.header.sender.id)?;
    SignedDelivery::sign(delivery, &identity.signer, &identities.verifier)
}

fn seal_with(identities: &Identities, signed: SignedDelivery) -> Result<SealedDelivery, SendError> {
    SealedDelivery::seal(signed, &identities.sealer, &identities.intermediary)
}

/// Runs file writes (with their fsyncs) off the async worker threads.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SendError> + Send + 'static,
) -> Result<T, SendError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| SendError::Internal(format!("archive task failed: {error}")))?
}

impl fmt::Debug for Toolkit {
    /// Organisation numbers and paths only: never keys.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Toolkit")
            .field("registry_url", &self.registry_url.as_str())
            .field("intermediary", &self.identities.intermediary)
            .field(
                "senders",
                &self.identities.senders.keys().collect::<Vec<_>>(),
            )
            .field("archive", &self.archive)
            .field("paper_mail", &self.paper_mail.path())
            .field("retry", &self.retry)
            .finish()
    }
}
