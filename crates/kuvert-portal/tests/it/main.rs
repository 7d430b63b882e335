//! The portal's integration tests: one binary, through `kuvert_portal::build` and the
//! router, with a real SQLite store in a temporary folder.
#![allow(clippy::unwrap_used)]

mod communicators;
mod pages;
mod statistics;
mod support;
mod visits;
mod world;
