//! Domain values of Mina meddelanden: identity numbers, the message model, limits.
//!
//! This crate does no I/O and no async: every other crate parses into these types at its edge.
#![warn(missing_docs)]

pub mod id;
pub mod limits;
