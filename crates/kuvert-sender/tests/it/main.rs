//! Integration tests of the sender toolkit against in-test mutual-TLS servers that answer
//! with kuvert-wire's real response builders (the real registry and operator are exercised
//! by the cross-role tests in `crates/kuvert`).
#![allow(clippy::unwrap_used)]

mod archive;
mod letters;
mod reachability;
mod send;
mod setup;
mod support;
