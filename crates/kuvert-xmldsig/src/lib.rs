//! XML parsing without DTDs, exclusive C14N and the Mina meddelanden XML-DSig profile.
#![warn(missing_docs)]

pub mod c14n;
pub mod certificate;
mod parse;
pub mod trust;

pub use parse::{ParseError, ParseLimits, parse_document, parse_document_with};
