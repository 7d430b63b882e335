//! Integration tests of kuvert-store: every trait method against SQLite in a temp dir, and
//! against PostgreSQL too when `KUVERT_TEST_PG_URL` is set (a fresh database per test).
#![allow(clippy::unwrap_used)]

mod blob;
mod deliveries;
mod distribution;
mod letter_reports;
mod mailbox;
mod notifications;
mod pg_tls;
mod plans;
mod portal;
mod registry;
mod s3;
mod seed;
mod sender_queue;
mod sender_webhooks;
mod stateless;
mod statistics;
mod support;
mod surveys;
mod used_signatures;
