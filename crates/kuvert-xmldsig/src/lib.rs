//! XML parsing without DTDs, exclusive C14N and the Mina meddelanden XML-DSig profile.
//!
//! Mina meddelanden letters are signed by the sender (`SignedDelivery`) and sealed by the
//! förmedlare (`SealedDelivery`) with enveloped XML signatures that follow three non-standard
//! rules (PROTOCOL.md §9.2): digests and `SignedInfo` are computed over a *prefix-free* form,
//! `URI=""` means the element holding the signature, and the seal was computed with the SOAP
//! wrapper renamed to `SealedDelivery`. No XML-DSig crate handles these, so this crate is a
//! small, strict implementation of exactly that profile, checked against the four real
//! signed samples and byte for byte against libxml2's exclusive C14N.
//!
//! Main types:
//! - [`parse_document`] / [`parse_document_with`] ([`ParseLimits`], [`ParseError`]): the
//!   only way to parse untrusted XML: no DTD, bounded bytes, nodes and depth.
//! - [`c14n::exclusive`] and [`c14n::View`]: exclusive C14N 1.0 and the MM views of a subtree.
//! - [`Signer`] ([`SignatureAlgorithm`], [`SignError`]): enveloped RSA-SHA256 signatures.
//! - [`Verifier`] ([`VerifyPolicy`], [`VerifiedSignature`], [`VerifiedSeal`],
//!   [`VerifyError`]): strict verification of `SignedDelivery` and `SealedDelivery`.
//! - [`certificate::Certificate`] and [`trust::TrustAnchors`]: X.509 organisation and e-ID
//!   certificates and chain validation to configured anchors; [`usage`]: key usage and
//!   extended key usage per use (signing, TLS client, TLS server); [`revocation`]: CRLs
//!   ([`revocation::CrlSet`]) shared by signature verification and the TLS handshake.
//!
//! **Invariants:**
//! - A verified signature covers exactly the element it was verified on, read from the
//!   caller's tree: callers read the letter from the nodes they passed in (or from
//!   [`VerifiedSeal::signed_delivery`]) and never re-parse the text.
//! - The verifier accepts only the profile: one enveloped `ds:Signature` as last child, one
//!   `Reference` to the signed element, enveloped + exc-C14N transforms, exc-C14N, RSA with
//!   SHA-256 (or SHA-1 when [`VerifyPolicy::is_sha1_allowed`]), a certificate chaining to an
//!   anchor whose key usage allows signing and, with [`Verifier::with_crls`], that no CRL
//!   revokes, unique ids, no comments in signed content. Everything else is an error.
//! - Nothing here does I/O, reads configuration, or logs.
//!
//! # Example
//!
//! ```
//! use kuvert_xmldsig::{parse_document, Verifier, VerifyPolicy};
//! use kuvert_xmldsig::trust::TrustAnchors;
//!
//! fn sender_of(
//!     signed_delivery_xml: &str,
//!     ca_pem: &str,
//! ) -> Result<String, Box<dyn std::error::Error>> {
//!     let document = parse_document(signed_delivery_xml)?;
//!     let verifier = Verifier::new(TrustAnchors::from_pem(ca_pem)?, VerifyPolicy::default());
//!     let verified = verifier.verify_signed_delivery(document.root_element())?;
//!     // Read the letter from `document`, the tree that was verified.
//!     Ok(verified.organisation_number()?.to_wire())
//! }
//! # let _ = sender_of;
//! ```
#![warn(missing_docs)]

pub mod c14n;
pub mod certificate;
mod parse;
pub mod profile;
pub mod revocation;
mod sign;
pub mod trust;
pub mod usage;
mod verify;

pub use parse::{ParseError, ParseLimits, parse_document, parse_document_with};
pub use profile::SignatureAlgorithm;
pub use sign::{SignError, Signer};
pub use verify::{
    CertificateRefusal, SignerRole, VerifiedSeal, VerifiedSignature, Verifier, VerifyError,
    VerifyPolicy,
};
