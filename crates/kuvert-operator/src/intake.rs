//! [`Intake`]: accepting one sealed delivery (PROTOCOL.md §11.6 step 4) in a fixed order:
//! verify both signatures on the parsed tree, match the sealer with the TLS caller, read the
//! letter from that same tree ([`Intake::verify`], synchronous, so the tree never crosses an
//! await; the rules are `domain::intake::verify`); then ask the registry who may deliver for
//! whom and whether the recipient is here (`domain::rules`), store durably and only then
//! build the receipt ([`Intake::accept`]). The shell around the pure rules: the clock, the
//! registry and the store are reached only here.
//!
//! **Invariant:** a receipt is returned only from a committed `store_delivery` (blob flushed,
//! row and notifications committed); a retry of the same (sender, message Id) with the same
//! signed content returns the original receipt and stores nothing new; other content under
//! that key is refused with 5007 and learns nothing about the first letter.

use std::sync::Arc;

use bytes::Bytes;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::{Receipt, TransId};
use kuvert_store::operator::{AttachmentInfo, NewDelivery, OperatorStore, StoreOutcome};
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_xmldsig::Verifier;
use roxmltree::Document;
use time::OffsetDateTime;

use crate::domain::intake::{self, VerifiedDelivery};
use crate::domain::rules::{self, Parties};
use crate::error::Error;
use crate::registry_client::RegistryClient;

/// The intake of sealed deliveries. Clones share the store, registry client and verifier.
#[derive(Clone)]
pub struct Intake {
    store: Arc<dyn OperatorStore>,
    registry: RegistryClient,
    verifier: Verifier,
    own_number: OrganisationNumber,
}

/// What [`Intake::accept`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The receipt envelope to return (the original one on a retry).
    pub receipt_xml: String,
    /// Whether this delivery was stored before (a retry).
    pub is_repeat: bool,
}

impl Intake {
    /// An intake storing into `store`, asking `registry`, verifying with `verifier` (anchored
    /// at the organisation CA), on behalf of the operator `own_number`.
    #[must_use]
    pub fn new(
        store: Arc<dyn OperatorStore>,
        registry: RegistryClient,
        verifier: Verifier,
        own_number: OrganisationNumber,
    ) -> Self {
        Self {
            store,
            registry,
            verifier,
            own_number,
        }
    }

    /// Verifies the request `document` now ([`intake::verify`]).
    ///
    /// # Errors
    /// As [`intake::verify`].
    pub fn verify(
        &self,
        document: &Document<'_>,
        caller: &OrganisationNumber,
    ) -> Result<VerifiedDelivery, Error> {
        intake::verify(document, &self.verifier, caller, OffsetDateTime::now_utc())
    }

    /// Authorises the parties and the recipient against the registry, stores the delivery
    /// (`envelope` is the received request, byte for byte, kept so the letter stays
    /// verifiable) and returns the receipt.
    ///
    /// # Errors
    /// The refusals of [`rules`]; [`Error::Registry`] when the registry cannot be asked;
    /// [`Error::Internal`] when storing fails.
    #[tracing::instrument(
        skip_all,
        fields(
            sealer = verified.parties.sealer.as_str(),
            signer = verified.parties.signer.as_str(),
            sender = verified.parties.sender.as_str(),
        )
    )]
    pub async fn accept(
        &self,
        verified: VerifiedDelivery,
        envelope: Bytes,
    ) -> Result<Accepted, Error> {
        self.authorise(&verified.parties).await?;
        let recipient = &verified.delivery.header.recipient;
        let profile = match self
            .registry
            .recipient_for(&verified.parties.sender, recipient)
            .await
        {
            Ok(profile) => profile,
            // The registry refused to answer for this sender (no longer a sender, say) while
            // the cached directory still lists it: judge the parties on a fresh directory, so
            // the sender is refused for what it is rather than told to retry.
            Err(error) if error.is_refusal() => {
                self.authorise_fresh(&verified.parties).await?;
                return Err(Error::Registry(error));
            }
            Err(error) => return Err(Error::Registry(error)),
        };
        rules::check_recipient(&profile, &self.own_number, &verified.parties.sender)?;
        let outcome = self
            .store
            .store_delivery(new_delivery(verified, envelope))
            .await?;
        Ok(match outcome {
            StoreOutcome::Stored(receipt) => {
                metrics::counter!("kuvert_operator_deliveries_accepted_total").increment(1);
                tracing::info!(delivery_id = %receipt.delivery_id, "delivery stored");
                Accepted {
                    receipt_xml: receipt.receipt_xml,
                    is_repeat: false,
                }
            }
            StoreOutcome::AlreadyStored(receipt) => {
                tracing::info!(delivery_id = %receipt.delivery_id, "delivery repeated");
                Accepted {
                    receipt_xml: receipt.receipt_xml,
                    is_repeat: true,
                }
            }
            StoreOutcome::KeyConflict => return Err(Error::KeyConflict),
        })
    }

    /// The party rules against the cached directory, and once more against a fresh copy
    /// when they fail (the registry may have learnt of a new sender or intermediary).
    async fn authorise(&self, parties: &Parties) -> Result<(), Error> {
        let directory = self.registry.directory().await.map_err(Error::Registry)?;
        if rules::authorise_parties(&directory, parties).is_ok() {
            return Ok(());
        }
        self.authorise_fresh(parties).await
    }

    /// The party rules against a fresh copy of the directory (at most one fetch per
    /// `DIRECTORY_REFRESH_GAP`).
    async fn authorise_fresh(&self, parties: &Parties) -> Result<(), Error> {
        let directory = self
            .registry
            .directory_after_miss()
            .await
            .map_err(Error::Registry)?;
        rules::authorise_parties(&directory, parties)
    }
}

/// The row to store: a fresh TransId and the receipt document built from it.
fn new_delivery(verified: VerifiedDelivery, envelope: Bytes) -> NewDelivery {
    let delivery = verified.delivery;
    let trans_id = TransId::from_uuid(uuid::Uuid::new_v4());
    let receipt = Receipt {
        trans_id: trans_id.clone(),
        recipient: delivery.header.recipient.clone(),
        is_delivered: true,
    };
    let receipt_xml = DeliverSecureResponse { receipt }.to_envelope();
    let message = &delivery.message;
    let attachments = message
        .attachments()
        .iter()
        .map(|attachment| AttachmentInfo {
            filename: attachment.filename().clone(),
            content_type: attachment.content_type(),
            size_bytes: u64::try_from(attachment.content().len()).unwrap_or(u64::MAX),
        })
        .collect();
    NewDelivery {
        key: delivery.key(),
        content_digest: verified.content_digest,
        recipient: delivery.header.recipient.clone(),
        trans_id,
        received_at: OffsetDateTime::now_utc(),
        sealed_delivery: envelope,
        receipt_xml,
        subject: message.header().subject.clone(),
        sender_name: delivery.header.sender.name.clone(),
        attachments,
    }
}
