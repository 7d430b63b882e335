//! Evidence: checking a stored letter long after it arrived, offline, from nothing but the
//! sealed delivery as the operator received it and the receipt it answered with.
//!
//! This is what `kuvert verify` and the mailbox export rely on. It reads the exact received
//! bytes through the same reader as the operator's intake ([`SealedDocument`]: the one path,
//! the profile's shape checks, both signatures, the letter from the verified tree), so what an
//! operator accepted verifies here. Two things differ from the intake, because evidence is
//! judged later:
//! - Certificates are judged at the seal's date (`Seal/ReceivedTime`, signed by the
//!   intermediary), not at the time of checking: a letter stays evidence after its signing
//!   certificate expired.
//! - Trust anchors are optional. Without them, each signature is checked with the
//!   certificate it carries (pinned), which proves the content is unchanged since signing
//!   but not who owns the key; [`EvidenceReport::chains`] then says
//!   [`ChainCheck::NotChecked`].
//!
//! The receipt (`svc:DeliveryResult`) is not signed in Mina meddelanden (PROTOCOL.md §7), so
//! it is checked for what it can show: it is a receipt, it says `Delivered=true`, and it is
//! about this delivery's recipient ([`ReceiptFacts`]).

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{MessageId, SealDate, SenderName, Subject, TransId};
use kuvert_xmldsig::certificate::{Certificate, CertificateError};
use kuvert_xmldsig::trust::{TrustAnchors, TrustError};
use kuvert_xmldsig::{ParseError, Verifier, VerifyError};
use roxmltree::Node;

use crate::delivery::{LetterError, SealedDocument, VerifiedLetter, parse_stored};
pub use crate::delivery::{Party, judged_at};
use crate::envelope::BodyElement;
use crate::error::WireError;
use crate::ns::XMLDSIG;
use crate::service::DeliverSecureResponse;

/// What a letter's evidence proves, read from the verified tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceReport {
    /// The organisation that signed the letter (`SignedDelivery` signature).
    pub signer: Party,
    /// The intermediary that sealed it (`SealedDelivery` signature).
    pub sealer: Party,
    /// The sender the letter names (`Header/Sender`); the signer is this sender or an
    /// intermediary signing on its behalf (PROTOCOL.md §7).
    pub sender: OrganisationNumber,
    /// The sender's name as the letter gives it.
    pub sender_name: SenderName,
    /// The recipient (`Header/Recipient`).
    pub recipient: RecipientId,
    /// `Seal/ReceivedTime`: the day the intermediary received the letter.
    pub received_on: SealDate,
    /// The sender's message id.
    pub message_id: MessageId,
    /// The letter's subject.
    pub subject: Subject,
    /// What the receipt says.
    pub receipt: ReceiptFacts,
    /// Whether the certificates were chained to trust anchors.
    pub chains: ChainCheck,
}

/// The receipt's content. It carries no signature of its own (PROTOCOL.md §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFacts {
    /// The operator's id of the accepted delivery.
    pub trans_id: TransId,
    /// The recipient the receipt is about (equal to the delivery's, or the check fails).
    pub recipient: RecipientId,
}

/// How far certificates were checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainCheck {
    /// Both certificates chain to the given anchors and were valid on the seal's date.
    Checked,
    /// No anchors were given: signatures were checked with the certificates they carry.
    NotChecked,
}

/// Why a letter's evidence does not hold; each variant names the part that failed.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The sealed delivery file holds no sealed delivery (or its seal is unreadable).
    #[error("sealed delivery file holds no sealed delivery")]
    NotSealedDelivery(#[source] WireError),
    /// The sealed delivery cannot be read or does not verify: the reader's own reasons
    /// (not text, not acceptable XML, a signature, a certificate, the letter).
    #[error(transparent)]
    Delivery(LetterError),
    /// The trust anchors cannot be used.
    #[error("trust anchors are unusable")]
    Anchors(#[source] TrustError),
    /// The receipt file is not UTF-8 text.
    #[error("receipt is not utf-8 text")]
    ReceiptNotText,
    /// The receipt file is not acceptable XML (or exceeds the bounds).
    #[error("receipt is not acceptable xml")]
    ReceiptXml(#[source] ParseError),
    /// The receipt file is not a `deliverSecure` receipt.
    #[error("receipt is not a deliverSecure receipt")]
    Receipt(#[source] WireError),
    /// The receipt says the letter was not delivered.
    #[error("receipt says the delivery was not delivered")]
    ReceiptNotDelivered,
    /// The receipt is about another recipient than the delivery.
    #[error("receipt is about recipient {receipt}, the delivery is to {delivery}")]
    ReceiptMismatch {
        /// The recipient the receipt names (wire form).
        receipt: String,
        /// The recipient the delivery names (wire form).
        delivery: String,
    },
}

/// Verifies a letter's evidence: `sealed_delivery` is the sealed delivery exactly as received
/// (a `deliverSecure` request envelope, or a bare `SealedDelivery` document such as the
/// sender toolkit's evidence archive keeps), `receipt` the operator's `deliverSecure`
/// response envelope. With `anchors`, both certificates must chain to them.
///
/// # Errors
/// An [`EvidenceError`] naming the first part that failed.
pub fn verify_evidence(
    sealed_delivery: &[u8],
    receipt: &[u8],
    anchors: Option<&TrustAnchors>,
) -> Result<EvidenceReport, EvidenceError> {
    let receipt = read_receipt(receipt)?;
    let sealed_text = std::str::from_utf8(sealed_delivery).map_err(|_| LetterError::NotText)?;
    let document = parse_stored(sealed_text)?;
    let sealed = SealedDocument::locate(&document)?;
    let (anchors, chains) = match anchors {
        Some(anchors) => (anchors.clone(), ChainCheck::Checked),
        None => (pinned_leaves(&sealed)?, ChainCheck::NotChecked),
    };
    let policy = kuvert_xmldsig::VerifyPolicy {
        is_sha1_allowed: true,
        now: judged_at(sealed.seal_date()?),
    };
    let letter = sealed.verify(&Verifier::new(anchors, policy))?;
    check_receipt(&receipt, &letter.delivery.header.recipient)?;
    Ok(report(letter, receipt, chains))
}

fn report(
    letter: VerifiedLetter,
    receipt: kuvert_core::message::Receipt,
    chains: ChainCheck,
) -> EvidenceReport {
    let VerifiedLetter {
        delivery,
        seal,
        signer,
        sealer,
        ..
    } = letter;
    let header = delivery.message.header();
    EvidenceReport {
        signer,
        sealer,
        sender: delivery.header.sender.id.clone(),
        sender_name: delivery.header.sender.name.clone(),
        recipient: delivery.header.recipient.clone(),
        received_on: seal.received_date,
        message_id: header.id.clone(),
        subject: header.subject.clone(),
        receipt: ReceiptFacts {
            trans_id: receipt.trans_id,
            recipient: receipt.recipient,
        },
        chains,
    }
}

/// A sealed delivery whose shape breaks the profile is, as evidence, a file that holds no
/// sealed delivery; every other reason of the reader is reported as it gives it.
impl From<LetterError> for EvidenceError {
    fn from(error: LetterError) -> Self {
        match error {
            LetterError::Shape(source) => Self::NotSealedDelivery(source),
            other => Self::Delivery(other),
        }
    }
}

fn read_receipt(receipt: &[u8]) -> Result<kuvert_core::message::Receipt, EvidenceError> {
    let receipt_text = std::str::from_utf8(receipt).map_err(|_| EvidenceError::ReceiptNotText)?;
    let document = parse_stored(receipt_text).map_err(|error| match error {
        LetterError::Xml(source) => EvidenceError::ReceiptXml(source),
        other => EvidenceError::from(other),
    })?;
    let response =
        DeliverSecureResponse::from_envelope(&document).map_err(EvidenceError::Receipt)?;
    Ok(response.receipt)
}

fn check_receipt(
    receipt: &kuvert_core::message::Receipt,
    recipient: &RecipientId,
) -> Result<(), EvidenceError> {
    if !receipt.is_delivered {
        return Err(EvidenceError::ReceiptNotDelivered);
    }
    if &receipt.recipient != recipient {
        return Err(EvidenceError::ReceiptMismatch {
            receipt: receipt.recipient.to_wire(),
            delivery: recipient.to_wire(),
        });
    }
    Ok(())
}

/// Each signature's own leaf certificate as an anchor (the verifier trusts a byte-identical
/// anchor directly), for a check without trust anchors.
fn pinned_leaves(sealed: &SealedDocument<'_, '_>) -> Result<TrustAnchors, EvidenceError> {
    let holders = [
        (sealed.signed_delivery_node(), "sender"),
        (sealed.sealed_node(), "seal"),
    ];
    let leaves = holders
        .into_iter()
        .filter_map(|(element, role)| leaf_certificate(element).map(|der| (der, role)))
        .map(|(der, role)| {
            let der = crate::base64_decode(der).map_err(|reason| LetterError::Certificate {
                role,
                source: CertificateError::Der {
                    reason: reason.to_owned(),
                },
            })?;
            Certificate::from_der(&der).map_err(|source| LetterError::Certificate { role, source })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // No certificate at all is reported by the verifier as a missing certificate.
    if leaves.is_empty() {
        return Err(LetterError::SenderSignature(VerifyError::MissingCertificate).into());
    }
    TrustAnchors::from_certificates(leaves).map_err(EvidenceError::Anchors)
}

/// The text of the first `X509Certificate` of the `ds:Signature` child of `element`.
fn leaf_certificate<'a>(element: Node<'a, '_>) -> Option<&'a str> {
    let signature = element
        .children()
        .find(|child| child.has_tag_name((XMLDSIG, "Signature")))?;
    signature
        .descendants()
        .find(|node| node.has_tag_name((XMLDSIG, "X509Certificate")))
        .and_then(|node| node.text())
}

#[cfg(test)]
mod tests;
