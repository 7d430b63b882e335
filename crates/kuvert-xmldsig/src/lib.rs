//! XML parsing without DTDs, exclusive C14N and the Mina meddelanden XML-DSig profile.
#![warn(missing_docs)]

pub mod c14n;
pub mod certificate;
mod parse;
pub mod profile;
mod sign;
pub mod trust;
mod verify;

pub use parse::{ParseError, ParseLimits, parse_document, parse_document_with};
pub use profile::SignatureAlgorithm;
pub use sign::{SignError, Signer};
pub use verify::{VerifiedSeal, VerifiedSignature, Verifier, VerifyError, VerifyPolicy};
