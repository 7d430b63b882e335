//! One `distributeSecure` after its signature verified (PROTOCOL.md §11.6 steps 3–5), in a
//! fixed order: the parties are checked ([`Senders::check_letter`]), the distribution is
//! recorded (`Pending`) before anything is sent, the registry is asked, and the letter is
//! either sealed and delivered through the [`Toolkit`] (`Delivering`, then `Delivered` with
//! the receipt's TransId, or `Failed`) or put on the paper-mail list (`Paper`).
//!
//! **Invariant:** one row per sender and message id. A retry of the same signed delivery
//! answers the first distribution id; one that was delivered or put on paper is not sent
//! again, and one left `Pending`, `Delivering` or `Failed` is resumed with the same signed
//! content, which the operator stores once (its idempotency on sender, message id and
//! content). Other content under the key is refused (5007).

use std::sync::Arc;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::lane::Lane;
use kuvert_core::message::SecureDelivery;
use kuvert_store::distribution::DistributionStore;
use kuvert_store::distribution::{Begun, Distribution, DistributionStatus, NewDistribution};
use kuvert_wire::delivery::VerifiedSignedLetter;
use time::OffsetDateTime;
use uuid::Uuid;

use super::error::Error;
use super::rules::{Parties, Senders};
use crate::archive::PaperMailEntry;
use crate::reachability::{Destination, PaperReason, Reachability};
use crate::sealing::SignedDelivery;
use crate::toolkit::Toolkit;

/// What a distribution needs: the toolkit, the record and the configured senders.
pub(crate) struct Distributor {
    pub(crate) toolkit: Toolkit,
    pub(crate) store: Arc<dyn DistributionStore>,
    pub(crate) senders: Senders,
    /// Verifies the senders' signatures (the configured CA and CRLs).
    pub(crate) verifier: kuvert_xmldsig::Verifier,
}

impl Distributor {
    /// Distributes a verified letter that `client` handed over, in `lane`; answers its
    /// distribution id.
    ///
    /// # Errors
    /// The refusals of [`Senders::check_letter`], [`Error::KeyConflict`],
    /// [`Error::RegistryRefused`] or [`Error::Registry`] when the registry refuses or cannot be
    /// asked (the row stays `Pending`; a retry resumes it), [`Error::Internal`] when storing or
    /// sealing fails.
    #[tracing::instrument(skip_all, fields(
        client = %client,
        sender = %letter.delivery.header.sender.id,
    ))]
    pub(crate) async fn distribute(
        &self,
        client: &OrganisationNumber,
        letter: VerifiedSignedLetter,
        lane: Lane,
    ) -> Result<Uuid, Error> {
        let delivery = &letter.delivery;
        let sender = &delivery.header.sender.id;
        self.senders.check_letter(Parties {
            client,
            sender,
            signer: &letter.signer.organisation_number,
        })?;
        if let Some(warning) = &letter.revocation_warning {
            tracing::warn!(%warning, "sender certificate accepted without a revocation status");
        }
        let key = delivery.key();
        let new = NewDistribution {
            id: Uuid::now_v7(),
            key: &key,
            content_digest: &letter.content_digest,
            recipient: &delivery.header.recipient,
            client,
            at: OffsetDateTime::now_utc(),
        };
        let distribution = match self.store.begin_distribution(new).await? {
            Begun::New(distribution) => distribution,
            Begun::Existing(distribution) if is_settled(&distribution.status) => {
                tracing::info!(distribution_id = %distribution.id, "distribution repeated");
                return Ok(distribution.id);
            }
            Begun::Existing(distribution) => distribution,
            Begun::KeyConflict => return Err(Error::KeyConflict),
        };
        let reachability = self
            .toolkit
            .reachability(sender, std::slice::from_ref(&delivery.header.recipient))
            .await
            .map_err(Error::registry)?;
        let status = match reachability.into_iter().next() {
            Some(Reachability::Reachable(destination)) => {
                self.set(&distribution, &DistributionStatus::Delivering)
                    .await?;
                self.deliver(letter, &destination, lane).await?
            }
            Some(Reachability::Unreachable(reason)) => self.paper(delivery, reason)?,
            None => {
                let reason = "the registry answered no reachability";
                return Err(Error::internal(std::io::Error::other(reason)));
            }
        };
        self.set(&distribution, &status).await?;
        metrics::counter!("kuvert_intermediary_distributions_total", "status" => label(&status))
            .increment(1);
        Ok(distribution.id)
    }

    /// Seals the sender's signed delivery and delivers it; the operator's refusal or
    /// silence is the distribution's `Failed` (the sender asks `checkDistributionStatus`),
    /// while a failure here (sealing, the evidence archive) is an error for the caller.
    async fn deliver(
        &self,
        letter: VerifiedSignedLetter,
        destination: &Destination,
        lane: Lane,
    ) -> Result<DistributionStatus, Error> {
        let delivery = letter.delivery;
        let signed = SignedDelivery::from_verified(
            delivery.key(),
            delivery.header.recipient,
            letter.signed_delivery_xml,
        );
        let sealed = self
            .toolkit
            .seal_in(signed, lane)
            .await
            .map_err(Error::internal)?;
        match self.toolkit.deliver(&sealed, destination, lane).await {
            Ok(receipt) => Ok(DistributionStatus::Delivered {
                trans_id: receipt.trans_id,
            }),
            Err(error @ (crate::SendError::Archive { .. } | crate::SendError::Internal(_))) => {
                Err(Error::internal(error))
            }
            Err(error) => {
                let reason = kuvert_core::report::error_chain(&error);
                tracing::warn!(%reason, "delivery to the operator failed");
                Ok(DistributionStatus::Failed)
            }
        }
    }

    /// Appends the letter to the paper-mail list.
    fn paper(
        &self,
        delivery: &SecureDelivery,
        reason: PaperReason,
    ) -> Result<DistributionStatus, Error> {
        let message = &delivery.message;
        let entry = PaperMailEntry {
            sender: &delivery.header.sender.id,
            recipient: &delivery.header.recipient,
            reason,
            message_id: Some(message.header().id.as_str()),
            manifest_row: None,
            reference: delivery.header.reference.as_ref(),
            subject: &message.header().subject,
        };
        // One short line; its fsync is quick next to the registry call (as `Toolkit::send`).
        self.toolkit
            .paper_mail()
            .append(&entry)
            .map_err(Error::internal)?;
        tracing::info!(reason = reason.as_str(), "recipient gets paper mail");
        Ok(DistributionStatus::Paper)
    }

    async fn set(
        &self,
        distribution: &Distribution,
        status: &DistributionStatus,
    ) -> Result<(), Error> {
        let at = OffsetDateTime::now_utc();
        self.store
            .set_distribution_status(distribution.id, status, at)
            .await
            .map_err(Error::from)
    }
}

/// Delivered and on paper are final: a retry answers them without sending anything.
fn is_settled(status: &DistributionStatus) -> bool {
    matches!(
        status,
        DistributionStatus::Delivered { .. } | DistributionStatus::Paper
    )
}

fn label(status: &DistributionStatus) -> &'static str {
    match status {
        DistributionStatus::Pending => "pending",
        DistributionStatus::Delivering => "delivering",
        DistributionStatus::Delivered { .. } => "delivered",
        DistributionStatus::Failed => "failed",
        DistributionStatus::Paper => "paper",
    }
}
