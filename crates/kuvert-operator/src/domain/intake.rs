//! The pure part of accepting one sealed delivery (PROTOCOL.md §11.6 step 4): [`verify`]
//! checks both signatures on the parsed tree at a given instant, matches the sealer with the
//! TLS caller and reads the letter from that same tree, through the one reader of sealed
//! deliveries (`kuvert_wire::delivery::SealedDocument`). No clock, store or registry: the
//! shell (`crate::intake::Intake`) brings those.

use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::{ContentDigest, SecureDelivery};
use kuvert_wire::delivery::{SealedDocument, judged_at};
use kuvert_xmldsig::Verifier;
use roxmltree::Document;
use time::OffsetDateTime;

use crate::domain::rules::Parties;
use crate::error::Error;

/// A sealed delivery whose signatures verified and whose letter was read from the verified
/// tree; not yet authorised against the registry.
#[derive(Debug, Clone)]
pub struct VerifiedDelivery {
    /// Sealer, inner signer and named sender.
    pub parties: Parties,
    /// The letter.
    pub delivery: SecureDelivery,
    /// SHA-256 of the canonical content the sender signed.
    pub content_digest: ContentDigest,
}

/// Reads the request `document` through the one reader of sealed deliveries (the one path
/// to the sealed delivery, the profile's shape checks, both signatures judged at `now` and at
/// the seal's date, the letter from the verified nodes) and checks that `caller` made the
/// seal.
///
/// # Errors
/// [`Error::Wire`] for a shape the profile does not allow or a letter that does not fit
/// the model (5019 for an unsupported attachment type); [`Error::Signature`] or
/// [`Error::SignerWithoutNumber`] for a signature that does not verify;
/// [`Error::SealerNotCaller`].
pub fn verify(
    document: &Document<'_>,
    verifier: &Verifier,
    caller: &OrganisationNumber,
    now: OffsetDateTime,
) -> Result<VerifiedDelivery, Error> {
    let sealed = SealedDocument::locate(document)?;
    let letter = sealed.verify(&verifier.at(now))?;
    // The evidence check (`kuvert verify`, the export) judges certificates on the seal's
    // date, so the intake checks that instant too: what is accepted verifies offline
    // (a seal dated before a certificate was valid is refused here, not found later).
    sealed.verify(&verifier.at(judged_at(sealed.seal_date()?)))?;
    for (role, warning) in &letter.revocation_warnings {
        tracing::warn!(%warning, "{role} certificate accepted without a revocation status");
    }
    let sealer = letter.sealer.organisation_number;
    if &sealer != caller {
        return Err(Error::SealerNotCaller {
            sealer,
            caller: caller.clone(),
        });
    }
    let signer = letter.signer.organisation_number;
    let delivery = letter.delivery;
    let sender = delivery.header.sender.id.clone();
    Ok(VerifiedDelivery {
        parties: Parties {
            sealer,
            signer,
            sender,
        },
        delivery,
        content_digest: letter.content_digest,
    })
}
