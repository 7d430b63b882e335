//! The one reader of a sealed delivery: [`SealedDocument::locate`] finds it on its one path
//! (the profile's shape checks in `strict`), [`SealedDocument::verify`] verifies both
//! signatures with `kuvert_xmldsig::Verifier::verify_sealed_delivery` and reads the letter
//! and the seal from the very nodes that verified, and [`read_verified`] does both for stored
//! bytes. The operator's intake, its inbox, attachments and export, and the offline evidence
//! check (`kuvert verify`) all read letters here and nowhere else, so what a person reads is
//! what was verified and what was accepted verifies again offline (issue 10).

use aws_lc_rs::digest;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::ENVELOPE_BYTES_CEILING;
use kuvert_core::message::{ContentDigest, Seal, SealDate, SecureDelivery};
use kuvert_xmldsig::c14n::View;
use kuvert_xmldsig::certificate::CertificateError;
use kuvert_xmldsig::{ParseError, ParseLimits, VerifiedSignature, Verifier, VerifyError};
use roxmltree::{Document, Node};
use time::OffsetDateTime;

use super::strict::{Located, locate};
use super::{read_seal_element, read_secure_delivery};
use crate::error::WireError;

/// A letter read from a sealed delivery whose two signatures verified.
#[derive(Debug, Clone)]
pub struct VerifiedLetter {
    /// The letter, read from the verified `SignedDelivery`.
    pub delivery: SecureDelivery,
    /// The seal, read from the verified `Seal`.
    pub seal: Seal,
    /// Who signed the letter (the `SignedDelivery` signature's certificate).
    pub signer: Party,
    /// Who sealed it (the `SealedDelivery` signature's certificate).
    pub sealer: Party,
    /// SHA-256 of the canonical content the sender signed (idempotency by content).
    pub content_digest: ContentDigest,
    /// Certificates accepted although their revocation status is unknown (no CRL, or a stale
    /// one, under `stale_crl = "accept_with_warning"`), by role (`sender`, `seal`): the caller
    /// logs them.
    pub revocation_warnings: Vec<(&'static str, kuvert_xmldsig::revocation::RevocationError)>,
}

/// A signing organisation, as its certificate names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Subject `serialNumber` (`16` + organisation number, PROTOCOL.md §8).
    pub organisation_number: OrganisationNumber,
    /// Subject `O`, when the certificate has one.
    pub name: Option<String>,
    /// The whole subject, as the certificate gives it.
    pub subject: String,
}

/// Why a sealed delivery cannot be read as a verified letter; each variant names the part.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The bytes are not UTF-8 text.
    #[error("sealed delivery is not utf-8 text")]
    NotText,
    /// The text is not acceptable XML (or exceeds the parser's bounds).
    #[error("sealed delivery is not acceptable xml")]
    Xml(#[source] ParseError),
    /// The document has no sealed delivery on the one path, or its shape breaks the profile.
    #[error("sealed delivery breaks the profile")]
    Shape(#[source] WireError),
    /// The sender's signature (`SignedDelivery`) does not verify.
    #[error("the sender's signature does not verify")]
    SenderSignature(#[source] VerifyError),
    /// The intermediary's seal (`SealedDelivery`) does not verify.
    #[error("the seal does not verify")]
    Seal(#[source] VerifyError),
    /// A signing certificate names no organisation.
    #[error("the {role} certificate is unusable")]
    Certificate {
        /// `sender` or `seal`.
        role: &'static str,
        /// Why.
        #[source]
        source: CertificateError,
    },
    /// The verified letter does not fit the message model.
    #[error("the signed letter cannot be read")]
    Letter(#[source] WireError),
}

/// A sealed delivery found on its one path in a parsed document; not yet verified.
#[derive(Debug, Clone, Copy)]
pub struct SealedDocument<'a, 'input> {
    located: Located<'a, 'input>,
}

impl<'a, 'input> SealedDocument<'a, 'input> {
    /// Finds the sealed delivery of a `deliverSecure` request envelope or a bare
    /// `SealedDelivery` document and checks its shape (see `strict`).
    ///
    /// # Errors
    /// [`LetterError::Shape`] naming the first thing out of place.
    pub fn locate(document: &'a Document<'input>) -> Result<Self, LetterError> {
        locate(document)
            .map(|located| Self { located })
            .map_err(LetterError::Shape)
    }

    /// `Seal/ReceivedTime`, read before verification only to choose the instant
    /// certificates are judged at; [`SealedDocument::verify`] reads it again from the
    /// verified seal.
    ///
    /// # Errors
    /// [`LetterError::Shape`] when the date is not an `xs:date`.
    pub fn seal_date(&self) -> Result<SealDate, LetterError> {
        read_seal_element(self.located.seal)
            .map(|seal| seal.received_date)
            .map_err(LetterError::Shape)
    }

    /// Verifies the sender's signature, then the seal (so a changed letter is reported as
    /// the sender's signature failing), and reads the letter and the seal from the nodes
    /// the verifier returns.
    ///
    /// # Errors
    /// [`LetterError::SenderSignature`], [`LetterError::Seal`], [`LetterError::Certificate`]
    /// or [`LetterError::Letter`].
    pub fn verify(&self, verifier: &Verifier) -> Result<VerifiedLetter, LetterError> {
        let located = &self.located;
        verifier
            .verify_signed_delivery(located.signed_delivery)
            .map_err(LetterError::SenderSignature)?;
        let verified = verifier
            .verify_sealed_delivery(located.sealed)
            .map_err(LetterError::Seal)?;
        let signed_delivery = verified.signed_delivery();
        // The verifier finds the letter and the seal by the same rules as `locate`; should they
        // ever disagree, nothing is read (a refusal, never a panic on input).
        if signed_delivery != located.signed_delivery || verified.seal() != located.seal {
            return Err(LetterError::Shape(WireError::MisplacedDelivery {
                path: "SealedDelivery".to_owned(),
                name: "SignedDelivery".to_owned(),
            }));
        }
        let delivery = read_secure_delivery(signed_delivery).map_err(LetterError::Letter)?;
        let seal = read_seal_element(verified.seal()).map_err(LetterError::Letter)?;
        let revocation_warnings = [("sender", &verified.sender), ("seal", &verified.sealer)]
            .into_iter()
            .filter_map(|(role, signature)| Some((role, signature.revocation_warning.clone()?)))
            .collect();
        Ok(VerifiedLetter {
            revocation_warnings,
            content_digest: content_digest(located, &verified.sender),
            signer: Party::of(&verified.sender, "sender")?,
            sealer: Party::of(&verified.sealer, "seal")?,
            delivery,
            seal,
        })
    }

    /// The element signed as `SealedDelivery`, for the evidence check's pinned certificates.
    pub(crate) fn sealed_node(&self) -> Node<'a, 'input> {
        self.located.sealed
    }

    /// The `SignedDelivery`, for the evidence check's pinned certificates.
    pub(crate) fn signed_delivery_node(&self) -> Node<'a, 'input> {
        self.located.signed_delivery
    }
}

/// Reads a stored sealed delivery (the bytes exactly as received): parse with the largest
/// bound any operator may have accepted, [`SealedDocument::locate`], and
/// [`SealedDocument::verify`] with `verifier` judging certificates on the seal's date
/// ([`judged_at`]), so a letter stays readable after its certificates expired.
///
/// # Errors
/// A [`LetterError`] naming the first part that failed.
pub fn read_verified(stored: &[u8], verifier: &Verifier) -> Result<VerifiedLetter, LetterError> {
    let text = std::str::from_utf8(stored).map_err(|_| LetterError::NotText)?;
    let document = parse_stored(text)?;
    let sealed = SealedDocument::locate(&document)?;
    let at = judged_at(sealed.seal_date()?);
    sealed.verify(&verifier.at(at))
}

/// Parses stored or archived sealed-delivery text with the largest envelope any operator may
/// have accepted.
///
/// # Errors
/// [`LetterError::Xml`].
pub fn parse_stored(text: &str) -> Result<Document<'_>, LetterError> {
    let limits = ParseLimits {
        bytes_max: ENVELOPE_BYTES_CEILING,
        ..ParseLimits::default()
    };
    kuvert_xmldsig::parse_document_with(text, &limits).map_err(LetterError::Xml)
}

/// Noon UTC of the seal's day: the seal gives only a date, and noon keeps the instant on
/// that day in every Swedish offset.
#[must_use]
pub fn judged_at(received_on: SealDate) -> OffsetDateTime {
    received_on
        .date()
        .with_time(time::macros::time!(12:00))
        .assume_utc()
}

impl Party {
    /// The organisation a verified signature's certificate names.
    pub(crate) fn of(
        signature: &VerifiedSignature,
        role: &'static str,
    ) -> Result<Self, LetterError> {
        let certificate = &signature.certificate;
        let organisation_number = certificate
            .organisation_number()
            .map_err(|source| LetterError::Certificate { role, source })?;
        Ok(Self {
            organisation_number,
            name: organisation_name(certificate.subject_name()),
            subject: certificate.subject_name().to_owned(),
        })
    }
}

/// SHA-256 over the canonical form the sender's signature covers: the `SignedDelivery`
/// prefix-free, without its signature, whitespace-only text dropped exactly when the
/// signature verified that way.
fn content_digest(located: &Located<'_, '_>, sender: &VerifiedSignature) -> ContentDigest {
    let mut view = View::new(located.signed_delivery)
        .prefix_free()
        .excluding(located.sender_signature);
    if sender.is_whitespace_ignored {
        view = view.without_whitespace_text();
    }
    let digest = view.digest(&digest::SHA256);
    let mut bytes = [0_u8; 32];
    bytes.copy_from_slice(digest.as_ref());
    ContentDigest::from_bytes(bytes)
}

/// The `O` attribute of a subject written as `C=SE, O=Kommun A, CN=…` (RDNs separated by
/// `, `, multi-valued ones by ` + `).
fn organisation_name(subject: &str) -> Option<String> {
    subject
        .split(", ")
        .flat_map(|rdn| rdn.split(" + "))
        .find_map(|attribute| attribute.strip_prefix("O="))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests;
