//! The `kuvert` binary's library half: the command line, `kuvert demo`, and the test harness
//! (`testkit`) that starts the whole federation in-process.
//!
//! Only this crate loads configuration (figment: defaults → TOML → `KUVERT_` environment),
//! installs the tracing subscriber and uses `anyhow`; every role receives typed values.

pub mod cli;
pub mod pki_command;
pub mod seed;
pub mod telemetry;
