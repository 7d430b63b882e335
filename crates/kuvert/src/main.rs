//! The `kuvert` binary: one command line for every role of the federation.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use kuvert::cli::{Cli, Command, PkiCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    kuvert::telemetry::init(cli.log_format);
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line: what failed and why.
            let _ = writeln!(std::io::stderr(), "kuvert: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Pki { command: PkiCommand::Init { dir, force } } => {
            let pki = kuvert::pki_command::init(&dir, force)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "Test PKI written to {}", dir.display())?;
            for (key, _) in pki.organisations().chain(pki.persons()) {
                writeln!(out, "  {key}.cert.pem, {key}.key.pem")?;
            }
            Ok(())
        }
    }
}
