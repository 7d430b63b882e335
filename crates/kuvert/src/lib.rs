//! The `kuvert` binary's library half: the command line, `kuvert demo`, and the test harness
//! (`testkit`, behind the `testkit` feature that only tests and benchmarks turn on) that
//! starts the whole federation in-process.
//!
//! - [`config::load`] is the only configuration loader (figment: a role's serde defaults →
//!   TOML file → `KUVERT_<ROLE>__<KEY>` environment).
//! - [`demo::start`] starts the registry, both operators, the portal and the test e-ID on
//!   127.0.0.1 with the identities of [`seed`]; `kuvert demo` and the tests share it.
//!
//! Only this crate installs the tracing subscriber and uses `anyhow`; every role receives
//! typed values.

pub mod backup_command;
pub mod check_command;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod intermediary_command;
pub mod mailing_command;
pub mod operator_command;
pub mod pki_command;
pub mod portal_command;
pub mod registry_command;
pub mod seed;
pub mod send_command;
pub mod sender_command;
pub mod stop;
pub mod telemetry;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod verify_command;
