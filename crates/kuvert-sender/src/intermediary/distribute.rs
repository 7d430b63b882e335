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
//! content). Other content under the key is refused (5007). Only the request holding the
//! distribution's claim carries it out, so the same letter handed over twice at once is sent
//! (or put on paper) by one of them; the other answers the id at once. A paper row is marked
//! in the record before it is appended, and a resumed distribution so marked looks in the
//! list first: a crash between the append and the status leaves the row there once.

use std::sync::Arc;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::lane::Lane;
use kuvert_core::message::SecureDelivery;
use kuvert_store::distribution::DistributionStore;
use kuvert_store::distribution::{Begun, Distribution, DistributionStatus, NewDistribution};
use kuvert_wire::delivery::VerifiedSignedLetter;
use std::time::Duration;
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
    pub(crate) toolkit: Arc<Toolkit>,
    pub(crate) store: Arc<dyn DistributionStore>,
    pub(crate) senders: Senders,
    /// Verifies the senders' signatures (the configured CA and CRLs).
    pub(crate) verifier: kuvert_xmldsig::Verifier,
    /// How long a request holds a distribution's claim: longer than asking the registry and
    /// delivering with every retry can take ([`claim_duration`]).
    pub(crate) claim: Duration,
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
        let at = OffsetDateTime::now_utc();
        let new = NewDistribution {
            id: Uuid::now_v7(),
            key: &key,
            content_digest: &letter.content_digest,
            recipient: &delivery.header.recipient,
            client,
            at,
            claim_until: at + self.claim,
        };
        let distribution = match self.store.begin_distribution(new).await? {
            Begun::New(distribution) | Begun::Resume(distribution) => distribution,
            Begun::Existing(distribution) => {
                tracing::info!(
                    distribution_id = %distribution.id,
                    status = label(&distribution.status),
                    "distribution repeated"
                );
                return Ok(distribution.id);
            }
            Begun::KeyConflict => return Err(Error::KeyConflict),
        };
        let carried = self.carry_out(&distribution, letter, lane).await;
        if carried.is_err()
            && let Err(error) = self.store.release_distribution(distribution.id).await
        {
            // The claim then lapses on its own; the caller gets the first error.
            tracing::warn!(%error, "releasing a failed distribution's claim");
        }
        carried
    }

    /// Asks the registry and delivers or puts on paper the claimed `distribution`.
    async fn carry_out(
        &self,
        distribution: &Distribution,
        letter: VerifiedSignedLetter,
        lane: Lane,
    ) -> Result<Uuid, Error> {
        let delivery = &letter.delivery;
        let sender = &delivery.header.sender.id;
        let reachability = self
            .toolkit
            .reachability(sender, std::slice::from_ref(&delivery.header.recipient))
            .await
            .map_err(Error::registry)?;
        let status = match reachability.into_iter().next() {
            Some(Reachability::Reachable(destination)) => {
                self.set(distribution, &DistributionStatus::Delivering)
                    .await?;
                self.deliver(letter, &destination, lane).await?
            }
            Some(Reachability::Unreachable(reason)) => {
                self.paper(distribution, delivery, reason).await?
            }
            None => {
                let reason = "the registry answered no reachability";
                return Err(Error::internal(std::io::Error::other(reason)));
            }
        };
        self.set(distribution, &status).await?;
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

    /// Appends the letter to the paper-mail list, once: the record is marked first, and a
    /// distribution already marked (its earlier run died after the mark) is appended only
    /// when the list does not hold its row.
    async fn paper(
        &self,
        distribution: &Distribution,
        delivery: &SecureDelivery,
        reason: PaperReason,
    ) -> Result<DistributionStatus, Error> {
        let paper_mail = self.toolkit.paper_mail();
        if distribution.paper_begun {
            let key = &distribution.key;
            if paper_mail
                .holds(&key.sender, key.message_id.as_str())
                .map_err(Error::internal)?
            {
                tracing::info!("paper row found from an earlier run");
                return Ok(DistributionStatus::Paper);
            }
        } else {
            self.store
                .mark_paper_begun(distribution.id, OffsetDateTime::now_utc())
                .await?;
        }
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
        paper_mail.append(&entry).map_err(Error::internal)?;
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

/// What a claim allows beyond the calls' own bounds: sealing (waiting for the CPU pool
/// included) and writing the record.
const CLAIM_MARGIN_MS: u64 = 60_000;

/// How long a request holds a distribution's claim under `toolkit`'s timeouts: one registry
/// call and every delivery attempt at its longest, each followed by the longest back-off,
/// plus [`CLAIM_MARGIN_MS`] for sealing and the record. A claim that ran out while its request
/// still worked would let a retry send the letter a second time (the operator would still store
/// it once); one too long only delays resuming after a crash.
pub(crate) fn claim_duration(toolkit: &crate::SenderConfig) -> Duration {
    let call = toolkit
        .connect_timeout_ms
        .saturating_add(toolkit.request_timeout_ms);
    let attempt = call.saturating_add(kuvert_core::limits::DELIVERY_BACKOFF_MS_MAX);
    let attempts = u64::from(toolkit.retry.attempts);
    let millis = call
        .saturating_add(attempt.saturating_mul(attempts))
        .saturating_add(CLAIM_MARGIN_MS);
    Duration::from_millis(millis)
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
