//! Cross-role tests: the whole federation through [`kuvert::testkit::Federation`], over real
//! TCP, mutual TLS and HTTP.
#![allow(clippy::unwrap_used)]

mod abuse;
mod account;
mod admin_commands;
mod admin_listener;
mod attack;
mod backup;
mod browser;
mod cli;
mod cluster;
mod cluster_signing;
mod crash;
mod demo_process;
mod demo_sender_side;
mod end_to_end;
mod intermediary;
mod interop;
mod letter_statistics;
mod mailing;
mod oidc_provider;
mod portal;
mod raw_soap;
mod readme;
mod rejections;
mod revocation;
mod s3_blobs;
mod send;
mod sender_gateway;
mod sender_service;
mod sender_webhooks;
mod stateless;
mod tidy;
mod verify;
mod zeep_delivery;
mod zeep_distribution;
