//! The command line: one binary, a subcommand per role and task.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::telemetry::LogFormat;

/// Kuvert: secure digital mail from public senders (Mina meddelanden).
#[derive(Debug, Parser)]
#[command(name = "kuvert", version, about)]
pub struct Cli {
    /// How log lines are written (to standard error).
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test PKI: organisation and e-ID certificates for the demo and tests.
    Pki {
        /// What to do with the PKI.
        #[command(subcommand)]
        command: PkiCommand,
    },
}

/// `kuvert pki ...`
#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Make a CA, organisation certificates and e-ID person certificates in DIR.
    Init {
        /// Directory for the PEM files (created if missing).
        dir: PathBuf,
        /// Replace an existing PKI in DIR.
        #[arg(long)]
        force: bool,
    },
}
