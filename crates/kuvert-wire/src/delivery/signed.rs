//! The one reader of a sender's signed delivery as an intermediary receives it
//! (`distributeSecure`, PROTOCOL.md §5.4, §11.6 step 3a): [`SignedDocument::locate`] finds it
//! on its one path with the profile's shape checks (`strict::locate_signed`), and
//! [`SignedDocument::verify`] verifies the sender's signature with
//! `kuvert_xmldsig::Verifier::verify_signed_delivery` exactly as an operator does, then reads
//! the letter from the very nodes that verified.
//!
//! The verified element is handed on as [`VerifiedSignedLetter::signed_delivery_xml`]: its
//! prefix-free canonical form named `msg3:SignedDelivery` (signature included), the form an
//! intermediary seals. Both signatures' digests and the `SignedInfo` are computed over that
//! same prefix-free view (§9.2), so the operator verifies the sender's signature on it as the
//! intermediary did.

use aws_lc_rs::digest;
use kuvert_core::message::{ContentDigest, SecureDelivery};
use kuvert_xmldsig::Verifier;
use kuvert_xmldsig::c14n::View;
use roxmltree::Document;

use super::read_secure_delivery;
use super::strict::{LocatedSigned, locate_signed};
use super::verified::{LetterError, Party};
use crate::ns::MESSAGE3 as M3;

/// A sender's letter whose signature verified, read from the verified tree.
#[derive(Debug, Clone)]
pub struct VerifiedSignedLetter {
    /// The letter.
    pub delivery: SecureDelivery,
    /// Who signed it (the signature's certificate).
    pub signer: Party,
    /// SHA-256 of the canonical content the sender signed, as the operator computes it.
    pub content_digest: ContentDigest,
    /// The signed delivery as `msg3:SignedDelivery`, prefix-free and canonical, signature
    /// included: what the intermediary seals.
    pub signed_delivery_xml: String,
    /// The signer's certificate accepted although its revocation status is unknown; the
    /// caller logs it.
    pub revocation_warning: Option<kuvert_xmldsig::revocation::RevocationError>,
}

/// A signed delivery found on its one path in a `distributeSecure` envelope; not yet
/// verified.
#[derive(Debug, Clone, Copy)]
pub struct SignedDocument<'a, 'input> {
    located: LocatedSigned<'a, 'input>,
}

impl<'a, 'input> SignedDocument<'a, 'input> {
    /// Finds the `signedDelivery` of a `distributeSecure` request envelope and checks its
    /// shape: no delivery element anywhere else, none in `soap:Header`, only an `Id`
    /// attribute on it and none on the letter's elements, bounded attributes.
    ///
    /// # Errors
    /// [`LetterError::Shape`] naming the first thing out of place.
    pub fn locate(document: &'a Document<'input>) -> Result<Self, LetterError> {
        locate_signed(document)
            .map(|located| Self { located })
            .map_err(LetterError::Shape)
    }

    /// Verifies the sender's signature and reads the letter from the verified node.
    ///
    /// # Errors
    /// [`LetterError::SenderSignature`], [`LetterError::Certificate`] or
    /// [`LetterError::Letter`].
    pub fn verify(&self, verifier: &Verifier) -> Result<VerifiedSignedLetter, LetterError> {
        let located = &self.located;
        let signature = verifier
            .verify_signed_delivery(located.signed_delivery)
            .map_err(LetterError::SenderSignature)?;
        let delivery =
            read_secure_delivery(located.signed_delivery).map_err(LetterError::Letter)?;
        let canonical = View::new(located.signed_delivery)
            .prefix_free()
            .with_apex_name(M3, "SignedDelivery");
        let mut content = canonical.excluding(located.sender_signature);
        if signature.is_whitespace_ignored {
            content = content.without_whitespace_text();
        }
        let mut digest_bytes = [0_u8; 32];
        digest_bytes.copy_from_slice(content.digest(&digest::SHA256).as_ref());
        // Canonical XML is UTF-8 by definition; the check keeps a broken writer from passing.
        let signed_delivery_xml = String::from_utf8(canonical.to_vec()).map_err(|_| {
            LetterError::Shape(crate::error::WireError::NotAnEnvelope {
                reason: "the canonical signed delivery is not utf-8".to_owned(),
            })
        })?;
        Ok(VerifiedSignedLetter {
            signer: Party::of(&signature, "sender")?,
            revocation_warning: signature.revocation_warning.clone(),
            content_digest: ContentDigest::from_bytes(digest_bytes),
            signed_delivery_xml,
            delivery,
        })
    }
}
