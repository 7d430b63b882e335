//! Mina meddelanden v3 SOAP 1.1: envelopes, faults and every operation's request and response.
//!
//! This is the only crate that knows SOAP element shapes. Wire names are translated to Kuvert
//! words at its edge: the WSDL's `Dispatcher` is an [`authority::Intermediary`], a
//! `ServiceSupplier` is a mailbox [`types::Operator`], `ServiceAdress` is a service address.
//!
//! - [`envelope`]: writing an envelope around a body element and reading one back to its
//!   single Body child ([`envelope::BodyElement`] is implemented by every operation type).
//! - [`fault`]: [`fault::FaultCode`], [`fault::CallId`], [`fault::Fault`] and its envelope.
//! - One module per service: [`recipient`] (FaR Recipient v3, 14 operations), [`authority`]
//!   (7), [`service`] (mailbox operator: `deliverSecure`, `notify`, `deliverForward`),
//!   [`message`] and [`notification`] (the optional sender → intermediary services). Each has
//!   a `parse_request` that dispatches a server's incoming envelope to a typed request.
//! - [`evidence`]: checking a stored letter offline ([`evidence::verify_evidence`] →
//!   [`evidence::EvidenceReport`]): seal, sender's signature and receipt.
//! - [`export`]: the mailbox export format (zip layout, [`export::Manifest`]) the operator
//!   writes and `kuvert verify` reads, each letter checked through [`evidence`].
//! - [`delivery`]: the letter itself (`SignedDelivery`, `SealedDelivery`) in the prefix-free
//!   form that is signed (PROTOCOL.md §6.1, §9.3), and the one reader of a sealed delivery
//!   ([`delivery::read_verified`], [`delivery::SealedDocument`] → [`delivery::VerifiedLetter`]):
//!   the one path to it, the profile's shape checks, both signatures, the letter read from the
//!   verified nodes. Intake, inbox, export and `kuvert verify` all read through it.
//!
//! Invariants: output is prefix-free inside the Body, compact, in XSD order, with the
//! contracts' exact names and spelling (`ServiceAdress`, `Supportinfo`, `OrginalDelivery`);
//! Authority's `argN`/`return` are unqualified. Input is read by expanded names, never by
//! prefixes, in XSD order, with every repetition bounded by `kuvert_core::limits`.
//!
//! ```
//! use kuvert_core::id::{OrganisationNumber, RecipientId};
//! use kuvert_wire::envelope::{self, BodyElement};
//! use kuvert_wire::recipient::{IsReachable, RecipientRequest, parse_request};
//!
//! let sender = OrganisationNumber::parse("2021004748").unwrap();
//! let recipient = RecipientId::parse("198101052382").unwrap();
//! let request = IsReachable::new(sender, vec![recipient]).unwrap();
//! let xml = request.to_envelope();
//! let document = envelope::parse(&xml).unwrap();
//! let RecipientRequest::IsReachable(received) = parse_request(&document).unwrap() else {
//!     panic!("an isReachable request");
//! };
//! assert_eq!(received, request);
//! ```
#![warn(missing_docs)]

pub mod authority;
pub mod delivery;
pub mod envelope;
pub mod error;
pub mod evidence;
pub mod export;
pub mod fault;
pub mod message;
pub mod notification;
pub mod ns;
pub mod reader;
pub mod recipient;
pub mod service;
pub mod types;
pub mod values;
pub mod writer;

#[cfg(test)]
mod testing;

/// Standard base64 with padding, as `xs:base64Binary` is written.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes `xs:base64Binary`, which may contain line breaks and other whitespace.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, &'static str> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| "not valid base64")
}
