//! Cross-role tests: the whole federation through [`kuvert::testkit::Federation`], over real
//! TCP, mutual TLS and HTTP.
#![allow(clippy::unwrap_used)]

mod account;
mod browser;
mod cli;
mod crash;
mod end_to_end;
mod interop;
mod letter_statistics;
mod mailing;
mod oidc_provider;
mod portal;
mod rejections;
mod send;
mod tidy;
mod verify;
mod zeep_delivery;
