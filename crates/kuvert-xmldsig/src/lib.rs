//! XML parsing without DTDs, exclusive C14N and the Mina meddelanden XML-DSig profile.
#![warn(missing_docs)]

pub mod certificate;
pub mod trust;
