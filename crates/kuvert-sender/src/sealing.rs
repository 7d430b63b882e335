//! Signing (avsändare) and sealing (förmedlare), PROTOCOL.md §7 and §9.3: the typed stages
//! [`SignedDelivery`] → [`SealedDelivery`], so a letter cannot be sealed unsigned or sent
//! unsealed.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{DeliveryKey, Seal, SealDate, SecureDelivery};
use kuvert_xmldsig::{SignatureAlgorithm, Signer, Verifier};

use crate::error::SendError;

/// A `msg3:SignedDelivery` signed with the sender's certificate (prefix-free, compact).
#[derive(Debug, Clone)]
pub struct SignedDelivery {
    key: DeliveryKey,
    recipient: RecipientId,
    xml: String,
}

/// A `msg3:SealedDelivery`: the signed delivery, the `Seal` and the intermediary's signature.
/// This exact text goes on the wire (inside `deliverSecure`) and into the evidence archive;
/// a retry resends it unchanged.
#[derive(Debug, Clone)]
pub struct SealedDelivery {
    key: DeliveryKey,
    recipient: RecipientId,
    xml: String,
}

impl SignedDelivery {
    /// Signs `delivery` with the sender's `signer` (RSA-SHA256) and verifies the result with
    /// `verifier`, as an intermediary checks a sender's signature before sealing it
    /// (PROTOCOL.md §11.6 step 3a), so the seal's `SignaturesOK=true` is true.
    ///
    /// # Errors
    /// [`SendError::Sign`] when the key cannot sign, [`SendError::SenderSignature`] when the
    /// signature does not verify (for example a certificate from another CA, or expired).
    pub fn sign(
        delivery: &SecureDelivery,
        signer: &Signer,
        verifier: &Verifier,
    ) -> Result<Self, SendError> {
        let sender = &delivery.header.sender.id;
        let unsigned = kuvert_wire::delivery::unsigned_signed_delivery(delivery);
        let xml = sign_xml(&unsigned, signer, sender)?;
        let signature_error = |source| SendError::SenderSignature {
            organisation: sender.clone(),
            source,
        };
        let document = kuvert_xmldsig::parse_document(&xml).map_err(|error| {
            SendError::Internal(format!("signed delivery does not parse: {error}"))
        })?;
        verifier
            .at(time::OffsetDateTime::now_utc())
            .verify_signed_delivery(document.root_element())
            .map_err(signature_error)?;
        Ok(Self {
            key: delivery.key(),
            recipient: delivery.header.recipient.clone(),
            xml,
        })
    }

    /// The signed XML.
    #[must_use]
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// Sender and message id: the idempotency key.
    #[must_use]
    pub fn key(&self) -> &DeliveryKey {
        &self.key
    }

    /// A sender's signed delivery that an intermediary received and verified
    /// (`kuvert_wire::delivery::SignedDocument`), in its canonical prefix-free form, to seal.
    pub(crate) fn from_verified(key: DeliveryKey, recipient: RecipientId, xml: String) -> Self {
        Self {
            key,
            recipient,
            xml,
        }
    }
}

impl SealedDelivery {
    /// Seals `signed` with today's date (UTC) and the intermediary's `sealer`.
    ///
    /// # Errors
    /// [`SendError::Sign`] when the key cannot sign.
    pub fn seal(
        signed: SignedDelivery,
        sealer: &Signer,
        intermediary: &OrganisationNumber,
    ) -> Result<Self, SendError> {
        let today = time::OffsetDateTime::now_utc().date();
        let seal = Seal {
            received_date: SealDate::new(today, Some(time::UtcOffset::UTC)),
            signatures_ok: true,
        };
        let unsealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed.xml, &seal);
        let xml = sign_xml(&unsealed, sealer, intermediary)?;
        Ok(Self {
            key: signed.key,
            recipient: signed.recipient,
            xml,
        })
    }

    /// The sealed delivery kept in the evidence archive under `key`, to resend its exact
    /// bytes (a resumed mass mailing); the archive wrote them, so they are not checked again.
    pub(crate) fn from_archive(key: DeliveryKey, recipient: RecipientId, xml: String) -> Self {
        Self {
            key,
            recipient,
            xml,
        }
    }

    /// Sender and message id: the idempotency key.
    #[must_use]
    pub fn key(&self) -> &DeliveryKey {
        &self.key
    }

    /// The one recipient.
    #[must_use]
    pub fn recipient(&self) -> &RecipientId {
        &self.recipient
    }

    /// The sealed XML (`msg3:SealedDelivery`, prefix-free).
    #[must_use]
    pub fn xml(&self) -> &str {
        &self.xml
    }
}

fn sign_xml(
    xml: &str,
    signer: &Signer,
    organisation: &OrganisationNumber,
) -> Result<String, SendError> {
    signer
        .sign(xml, SignatureAlgorithm::RsaSha256)
        .map_err(|source| SendError::Sign {
            organisation: organisation.clone(),
            source,
        })
}
