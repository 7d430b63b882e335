//! Cross-role tests: the whole federation through [`kuvert::testkit::Federation`], over real
//! TCP, mutual TLS and HTTP.
#![allow(clippy::unwrap_used)]

mod account;
mod cli;
mod crash;
mod end_to_end;
mod interop;
mod oidc_provider;
mod rejections;
mod tidy;
mod zeep_delivery;
