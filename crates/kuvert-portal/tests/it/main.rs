//! The portal's integration tests: one binary, through `kuvert_portal::build` and the
//! router, with a real SQLite store in a temporary folder and the registry down (a closed
//! port). What needs the registry or the e-ID login (the dashboards' figures, the senders
//! list, the communicators' pages) is tested with the whole federation in
//! `crates/kuvert/tests/it/portal/`, since roles never depend on each other.
#![allow(clippy::unwrap_used)]

mod pages;
mod support;
mod visits;
