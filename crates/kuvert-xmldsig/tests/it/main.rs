//! Integration tests of kuvert-xmldsig: exclusive C14N against lxml, the four real signed
//! Mina meddelanden samples, sign → verify round trips, signature attacks, and certificate
//! key usage and revocation.
#![allow(clippy::unwrap_used)]

mod attacks;
mod c14n_oracle;
mod certificates;
mod interop;
mod proptest_c14n;
mod roundtrip;
mod samples;
