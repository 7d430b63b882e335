//! Verifying enveloped signatures in the Mina meddelanden profile (PROTOCOL.md §9.4),
//! including the three quirks of §9.2, strictly: every deviation from the profile is refused
//! with its own [`VerifyError`] variant, so signature-wrapping tricks fail loudly.
//!
//! Verification reads the caller's `roxmltree::Document` and never re-parses: the data a
//! caller reads afterwards comes from the very nodes whose canonical form was digested.

mod checks;
mod structure;

use std::collections::HashSet;

use aws_lc_rs::signature::{self, VerificationAlgorithm};
use kuvert_core::id::OrganisationNumber;
use roxmltree::Node;
use time::OffsetDateTime;

use crate::c14n::View;
use crate::certificate::{Certificate, CertificateError, PublicKey};
use crate::profile::{self, DSIG_NS, MESSAGE_NS, MESSAGE_V3_NS, SERVICE_V3_NS, SignatureAlgorithm};
use crate::revocation::{CrlSet, RevocationError};
use crate::trust::{TrustAnchors, TrustError};
pub use checks::{CertificateRefusal, SignerRole};
use structure::SignatureParts;

/// What a verifier accepts beyond the fixed profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// Accept SHA-1 digests and RSA-SHA1 signatures (legacy peers such as Skatteverket's Java
    /// library and Kivra still send them; PROTOCOL.md §9.1 says both must be accepted).
    pub is_sha1_allowed: bool,
    /// The instant certificates must be valid at. It is a fixed value: a long-lived
    /// [`Verifier`] should be used through [`Verifier::at`] with the current time per request.
    pub now: OffsetDateTime,
}

impl Default for VerifyPolicy {
    /// SHA-1 allowed, certificates checked at the current time.
    fn default() -> Self {
        VerifyPolicy {
            is_sha1_allowed: true,
            now: OffsetDateTime::now_utc(),
        }
    }
}

/// Verifies MM enveloped signatures against configured trust anchors.
#[derive(Clone, Debug)]
pub struct Verifier {
    anchors: TrustAnchors,
    policy: VerifyPolicy,
    crls: Option<CrlSet>,
}

/// A signature that verified: who signed, and how.
#[derive(Clone, Debug)]
pub struct VerifiedSignature {
    /// The signing certificate (from `KeyInfo`), chained to a trust anchor.
    pub certificate: Certificate,
    /// The `SignatureMethod`.
    pub algorithm: SignatureAlgorithm,
    /// True when the digest matched only with whitespace-only text left out (PROTOCOL.md
    /// §9.2, the .NET `PreserveWhitespace=false` behaviour).
    pub is_whitespace_ignored: bool,
    /// Set when the revocation status of the certificate path is unknown (no CRL, or a
    /// stale one) and the CRL policy accepts that: the caller logs it.
    pub revocation_warning: Option<RevocationError>,
}

impl VerifiedSignature {
    /// The signer's organisation number, from the certificate's subject `serialNumber`.
    pub fn organisation_number(&self) -> Result<OrganisationNumber, CertificateError> {
        self.certificate.organisation_number()
    }
}

/// A verified `SealedDelivery`: the förmedlare's seal and the sender's signature, plus the
/// nodes a caller reads the letter from (in the tree that was verified).
#[derive(Clone, Debug)]
pub struct VerifiedSeal<'a, 'input> {
    /// The seal signature (förmedlare).
    pub sealer: VerifiedSignature,
    /// The `SignedDelivery` signature (sender, or a förmedlare on its behalf).
    pub sender: VerifiedSignature,
    signed_delivery: Node<'a, 'input>,
    seal: Node<'a, 'input>,
}

impl<'a, 'input> VerifiedSeal<'a, 'input> {
    /// The verified `SignedDelivery` element.
    pub fn signed_delivery(&self) -> Node<'a, 'input> {
        self.signed_delivery
    }

    /// The verified `Seal` element.
    pub fn seal(&self) -> Node<'a, 'input> {
        self.seal
    }
}

/// Why a signature was refused. Callers answer every variant with MM fault 5002/5012; the
/// variants exist so logs and tests say exactly which rule failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The element has no `ds:Signature` child.
    #[error("element {element} has no ds:Signature child")]
    MissingSignature {
        /// Local name of the element.
        element: String,
    },
    /// The element has more than one `ds:Signature` child.
    #[error("element {element} has {count} ds:Signature children, where one is allowed")]
    SecondSignature {
        /// Local name of the element.
        element: String,
        /// How many were found.
        count: usize,
    },
    /// The `ds:Signature` is followed by other content (the XSD puts it last).
    #[error("ds:Signature is not the last child of {element}")]
    SignatureNotLast {
        /// Local name of the element.
        element: String,
    },
    /// The signature has an element, text or attribute the profile does not allow.
    #[error("signature element {element} is malformed: {reason}")]
    MalformedSignature {
        /// Where (local names).
        element: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// `SignedInfo` has zero or several `Reference`s.
    #[error("SignedInfo has {count} references, where exactly one is allowed")]
    ReferenceCount {
        /// How many were found.
        count: usize,
    },
    /// The reference points at something other than the element holding the signature.
    #[error("signature reference {uri} does not name the signed element")]
    ReferenceTarget {
        /// The URI found.
        uri: String,
    },
    /// A transform outside {enveloped-signature, exc-c14n}.
    #[error("transform {algorithm} is not allowed")]
    UnsupportedTransform {
        /// The algorithm URI.
        algorithm: String,
    },
    /// The enveloped-signature transform is missing.
    #[error("reference lacks the enveloped-signature transform")]
    MissingEnvelopedTransform,
    /// A canonicalization method other than exclusive C14N without comments.
    #[error("canonicalization method {algorithm} is not allowed")]
    UnsupportedCanonicalization {
        /// The algorithm URI.
        algorithm: String,
    },
    /// A digest method other than SHA-256 or SHA-1.
    #[error("digest method {algorithm} is not supported")]
    UnsupportedDigestAlgorithm {
        /// The algorithm URI.
        algorithm: String,
    },
    /// A signature method other than RSA-SHA256 or RSA-SHA1.
    #[error("signature method {algorithm} is not supported")]
    UnsupportedSignatureAlgorithm {
        /// The algorithm URI.
        algorithm: String,
    },
    /// SHA-1 used while the policy forbids it.
    #[error("SHA-1 signatures are not accepted by this verifier's policy")]
    Sha1NotAllowed,
    /// Two elements in the document carry the same `Id`/`ID` value (signature wrapping aid).
    #[error("Id value {id} occurs more than once in the document")]
    DuplicateId {
        /// The repeated value.
        id: String,
    },
    /// A comment inside the signed element (comments vanish in C14N and can split text).
    #[error("signed element {element} contains a comment")]
    CommentInSignedContent {
        /// Local name of the signed element.
        element: String,
    },
    /// The canonical content does not hash to `DigestValue`.
    #[error("digest of {element} does not match the signature's DigestValue")]
    DigestMismatch {
        /// Local name of the signed element.
        element: String,
    },
    /// `SignatureValue` does not verify over `SignedInfo` with the certificate's key.
    #[error("SignatureValue does not verify with the certificate's key")]
    SignatureMismatch,
    /// No `X509Certificate` in `KeyInfo`.
    #[error("signature carries no X509Certificate")]
    MissingCertificate,
    /// More certificates in `KeyInfo` than a chain may have.
    #[error("signature carries more than {max} certificates")]
    TooManyCertificates {
        /// The bound.
        max: usize,
    },
    /// An `X509Certificate` does not parse.
    #[error("signature certificate is invalid")]
    Certificate(#[source] CertificateError),
    /// The certificate does not chain to a trust anchor, or has expired.
    #[error("signature certificate is not trusted")]
    Untrusted(#[source] TrustError),
    /// The certificate chains to an anchor but may not sign (key usage), is revoked, or its
    /// revocation status is unknown under a refusing CRL policy.
    #[error("{role} certificate {reason}")]
    CertificateRefused {
        /// Whose signature it made.
        role: SignerRole,
        /// The check that failed.
        reason: CertificateRefusal,
    },
    /// Base64 content that does not decode.
    #[error("{element} is not valid base64")]
    Base64 {
        /// The element.
        element: &'static str,
    },
    /// The element passed in is not one the operation accepts.
    #[error("expected {expected}, found element {found}")]
    UnexpectedElement {
        /// What was expected.
        expected: &'static str,
        /// `{namespace}local` of what was found.
        found: String,
    },
    /// A required child is missing or repeated.
    #[error("{parent} must have exactly one {child} child, found {count}")]
    ChildCount {
        /// The parent's local name.
        parent: &'static str,
        /// The child's local name.
        child: &'static str,
        /// How many were found.
        count: usize,
    },
    /// `Seal/SignaturesOK` is not `true`.
    #[error("Seal/SignaturesOK is {value:?}, not true")]
    SealNotOk {
        /// The text found.
        value: String,
    },
}

impl Verifier {
    /// A verifier trusting `anchors` under `policy`.
    pub fn new(anchors: TrustAnchors, policy: VerifyPolicy) -> Self {
        Verifier {
            anchors,
            policy,
            crls: None,
        }
    }

    /// The same verifier also checking every certificate on a signature's path against
    /// `crls` (refreshed in place by whoever holds the set).
    #[must_use]
    pub fn with_crls(mut self, crls: CrlSet) -> Self {
        self.crls = Some(crls);
        self
    }

    /// The same verifier checking certificates at `now` (cheap: the anchors are shared).
    /// Servers keep one verifier and call `verifier.at(OffsetDateTime::now_utc())` per
    /// request, so certificate expiry is judged at the time of the request.
    pub fn at(&self, now: OffsetDateTime) -> Verifier {
        let policy = VerifyPolicy { now, ..self.policy };
        Verifier {
            anchors: self.anchors.clone(),
            policy,
            crls: self.crls.clone(),
        }
    }

    /// The policy this verifier applies.
    pub fn policy(&self) -> &VerifyPolicy {
        &self.policy
    }

    /// Verifies the enveloped signature that is `element`'s last child (PROTOCOL.md §9.4
    /// `VERIFY_ENVELOPED`). The reference must be `""` or `#Id` of `element` itself (quirk 2);
    /// the digest is over the prefix-free view of `element` without that signature (quirk 1),
    /// with `element` renamed to `root_name` if given (quirk 3), retried once without
    /// whitespace-only text.
    pub fn verify_enveloped(
        &self,
        element: Node<'_, '_>,
        root_name: Option<(&str, &str)>,
    ) -> Result<VerifiedSignature, VerifyError> {
        self.verify_enveloped_as(element, root_name, SignerRole::Signature)
    }

    fn verify_enveloped_as(
        &self,
        element: Node<'_, '_>,
        root_name: Option<(&str, &str)>,
        role: SignerRole,
    ) -> Result<VerifiedSignature, VerifyError> {
        let element_name = element.tag_name().name();
        check_unique_ids(element.document())?;
        if element.descendants().any(|node| node.is_comment()) {
            return Err(VerifyError::CommentInSignedContent {
                element: element_name.to_owned(),
            });
        }
        let signature = find_signature(element)?;
        let parts = SignatureParts::read(signature)?;
        check_reference_target(element, parts.reference_uri)?;
        let (digest_algorithm, is_sha1_digest) = profile::digest_algorithm(parts.digest_method)
            .ok_or_else(|| VerifyError::UnsupportedDigestAlgorithm {
                algorithm: parts.digest_method.to_owned(),
            })?;
        let is_sha1 = is_sha1_digest || parts.algorithm == SignatureAlgorithm::RsaSha1;
        if is_sha1 && !self.policy.is_sha1_allowed {
            return Err(VerifyError::Sha1NotAllowed);
        }

        let mut view = View::new(element).prefix_free().excluding(signature);
        if let Some((namespace, local)) = root_name {
            view = view.with_apex_name(namespace, local);
        }
        let is_whitespace_ignored = if view.digest(digest_algorithm).as_ref() == parts.digest_value
        {
            false
        } else if view
            .without_whitespace_text()
            .digest(digest_algorithm)
            .as_ref()
            == parts.digest_value
        {
            true
        } else {
            return Err(VerifyError::DigestMismatch {
                element: element_name.to_owned(),
            });
        };

        let mut certificates = parts.certificates()?;
        let leaf = certificates.remove(0);
        let path = self
            .anchors
            .verify_path(&leaf, &certificates, self.policy.now)
            .map_err(VerifyError::Untrusted)?;
        check_signature_value(&parts, leaf.public_key())?;
        let revocation_warning =
            checks::check_signer(&leaf, &path, self.crls.as_ref(), self.policy.now)
                .map_err(|reason| VerifyError::CertificateRefused { role, reason })?;
        Ok(VerifiedSignature {
            certificate: leaf,
            algorithm: parts.algorithm,
            is_whitespace_ignored,
            revocation_warning,
        })
    }

    /// Verifies a `SignedDelivery` (v3 `msg3:SignedDelivery`, v1 `msg:SignedDelivery`, or the
    /// lowercase `msg3:signedDelivery` of `distributeSecure`, canonicalised as
    /// `SignedDelivery`).
    pub fn verify_signed_delivery(
        &self,
        signed_delivery: Node<'_, '_>,
    ) -> Result<VerifiedSignature, VerifyError> {
        let name = signed_delivery.tag_name();
        let root_name = match (name.namespace(), name.name()) {
            (Some(MESSAGE_V3_NS | MESSAGE_NS), "SignedDelivery") => None,
            (Some(MESSAGE_V3_NS), "signedDelivery") => Some((MESSAGE_V3_NS, "SignedDelivery")),
            _ => return Err(unexpected_element("SignedDelivery", signed_delivery)),
        };
        self.verify_enveloped_as(signed_delivery, root_name, SignerRole::Sender)
    }

    /// Verifies a sealed delivery (PROTOCOL.md §9.4 `VERIFY_SEALED`): the seal signature on
    /// `wrapper`, the sender's signature on its `SignedDelivery`, and `Seal/SignaturesOK`.
    /// `wrapper` is the inner `svc3:deliverSecure` (canonicalised as `msg3:SealedDelivery`),
    /// the v1 `arg0` (as `msg:SealedDelivery`), or a `SealedDelivery` itself.
    pub fn verify_sealed_delivery<'a, 'input>(
        &self,
        wrapper: Node<'a, 'input>,
    ) -> Result<VerifiedSeal<'a, 'input>, VerifyError> {
        let name = wrapper.tag_name();
        let (root_name, message_ns) = match (name.namespace(), name.name()) {
            (Some(SERVICE_V3_NS), "deliverSecure") => {
                (Some((MESSAGE_V3_NS, "SealedDelivery")), MESSAGE_V3_NS)
            }
            (None, "arg0") => (Some((MESSAGE_NS, "SealedDelivery")), MESSAGE_NS),
            (Some(MESSAGE_V3_NS), "SealedDelivery") => (None, MESSAGE_V3_NS),
            (Some(MESSAGE_NS), "SealedDelivery") => (None, MESSAGE_NS),
            _ => {
                return Err(unexpected_element(
                    "SealedDelivery or deliverSecure",
                    wrapper,
                ));
            }
        };
        let signed_delivery = single_child(wrapper, message_ns, "SignedDelivery")?;
        let seal = single_child(wrapper, message_ns, "Seal")?;
        let sealer = self.verify_enveloped_as(wrapper, root_name, SignerRole::Seal)?;
        let sender = self.verify_signed_delivery(signed_delivery)?;
        let signatures_ok = single_child(seal, MESSAGE_NS, "SignaturesOK")?;
        let value = signatures_ok.text().unwrap_or_default().trim();
        if value != "true" && value != "1" {
            return Err(VerifyError::SealNotOk {
                value: value.to_owned(),
            });
        }
        Ok(VerifiedSeal {
            sealer,
            sender,
            signed_delivery,
            seal,
        })
    }
}

/// Whether `node` is a `ds:Signature` element.
pub(crate) fn is_signature(node: Node<'_, '_>) -> bool {
    node.has_tag_name((DSIG_NS, "Signature"))
}

/// The single `ds:Signature` child, which must come last (only whitespace may follow).
fn find_signature<'a, 'input>(element: Node<'a, 'input>) -> Result<Node<'a, 'input>, VerifyError> {
    let name = || element.tag_name().name().to_owned();
    let mut signatures = element.children().filter(|child| is_signature(*child));
    let signature = signatures
        .next()
        .ok_or_else(|| VerifyError::MissingSignature { element: name() })?;
    let count = 1 + signatures.count();
    if count > 1 {
        return Err(VerifyError::SecondSignature {
            element: name(),
            count,
        });
    }
    let is_followed = signature.next_siblings().skip(1).any(|sibling| {
        sibling.is_element()
            || sibling.is_text()
                && !crate::c14n::is_xml_whitespace(sibling.text().unwrap_or_default())
    });
    if is_followed {
        return Err(VerifyError::SignatureNotLast { element: name() });
    }
    Ok(signature)
}

/// `""` means the element holding the signature (quirk 2); `#x` must be that element's own
/// `Id`/`ID` attribute (ids are unique, checked before).
fn check_reference_target(element: Node<'_, '_>, uri: &str) -> Result<(), VerifyError> {
    if uri.is_empty() {
        return Ok(());
    }
    let own_id = element.attribute("Id").or_else(|| element.attribute("ID"));
    match (uri.strip_prefix('#'), own_id) {
        (Some(target), Some(id)) if target == id => Ok(()),
        _ => Err(VerifyError::ReferenceTarget {
            uri: uri.to_owned(),
        }),
    }
}

/// Refuses documents where two attributes named `Id`, `ID` or `id` (any namespace, so
/// `wsu:Id` too) share a value: an id-based reference must have one meaning.
fn check_unique_ids(document: &roxmltree::Document<'_>) -> Result<(), VerifyError> {
    let mut seen = HashSet::new();
    for node in document.descendants().filter(Node::is_element) {
        for attribute in node.attributes() {
            if matches!(attribute.name(), "Id" | "ID" | "id") && !seen.insert(attribute.value()) {
                return Err(VerifyError::DuplicateId {
                    id: attribute.value().to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// RSA PKCS#1 v1.5 over the prefix-free canonical `SignedInfo`, retried without
/// whitespace-only text (pretty-printed .NET signatures). RSA-SHA1 accepts 1024-bit keys
/// (2013-era certificates); RSA-SHA256 requires 2048 bits or more.
fn check_signature_value(
    parts: &SignatureParts<'_, '_>,
    key: &PublicKey,
) -> Result<(), VerifyError> {
    let PublicKey::Rsa(_) = key else {
        return Err(VerifyError::SignatureMismatch);
    };
    let algorithm: &'static dyn VerificationAlgorithm = match parts.algorithm {
        SignatureAlgorithm::RsaSha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignatureAlgorithm::RsaSha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
    };
    let view = View::new(parts.signed_info)
        .prefix_free()
        .with_inclusive_prefixes(&parts.inclusive_prefixes);
    if key.verify(algorithm, &view.to_vec(), &parts.signature_value)
        || key.verify(
            algorithm,
            &view.without_whitespace_text().to_vec(),
            &parts.signature_value,
        )
    {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

fn single_child<'a, 'input>(
    parent: Node<'a, 'input>,
    namespace: &str,
    local: &'static str,
) -> Result<Node<'a, 'input>, VerifyError> {
    let mut matches = parent
        .children()
        .filter(|child| child.has_tag_name((namespace, local)));
    let first = matches.next();
    let count = usize::from(first.is_some()) + matches.count();
    match first {
        Some(child) if count == 1 => Ok(child),
        _ => Err(VerifyError::ChildCount {
            parent: if local == "SignaturesOK" {
                "Seal"
            } else {
                "SealedDelivery"
            },
            child: local,
            count,
        }),
    }
}

fn unexpected_element(expected: &'static str, node: Node<'_, '_>) -> VerifyError {
    let name = node.tag_name();
    VerifyError::UnexpectedElement {
        expected,
        found: format!(
            "{{{}}}{}",
            name.namespace().unwrap_or_default(),
            name.name()
        ),
    }
}
