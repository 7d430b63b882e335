//! `kuvert portal serve`: the public portal from a configuration file; `kuvert portal
//! communicator add`: the communicator role, kept in the portal's database.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::config::{self, Role};

/// Serves the portal on `listen` (plain HTTP, meant to sit behind a TLS proxy) until Ctrl-C.
///
/// # Errors
/// Configuration (naming the key) or bind failures.
pub async fn serve(file: Option<&Path>, listen: SocketAddr) -> anyhow::Result<()> {
    let config: kuvert_portal::Config = config::load(Role::Portal, file)?;
    let service = kuvert_portal::build(config)
        .await
        .context("starting the portal")?;
    let listener = Listener::bind(listen, ListenerTls::Plain)
        .await
        .context("binding the portal")?;
    tracing::info!(address = %listener.local_addr()?, "portal listening");
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    service
        .serve(listener, shutdown)
        .await
        .context("serving the portal")
}

/// `kuvert portal communicator …`: changes the communicator roles in the portal's database.
///
/// # Errors
/// Configuration, an invalid personnummer or organisation number (naming the argument), or
/// the database.
pub async fn communicator(
    file: Option<&Path>,
    command: crate::cli::CommunicatorCommand,
) -> anyhow::Result<()> {
    use std::io::Write as _;

    use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};

    let config: kuvert_portal::Config = config::load(Role::Portal, file)?;
    let crate::cli::CommunicatorCommand::Add {
        person,
        senders,
        admin,
    } = command;
    let person = PersonalIdentityNumber::parse(&person)
        .with_context(|| "PERSON is not a valid personnummer or samordningsnummer")?;
    let senders = senders
        .iter()
        .map(|sender| {
            OrganisationNumber::parse(sender)
                .with_context(|| format!("--sender {sender} is not a valid organisation number"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let database = kuvert_store::Database::connect(&config.database_url)
        .await
        .context("opening the portal database")?;
    let communicator = database
        .portal()
        .grant_communicator(&person, &senders, admin)
        .await
        .context("saving the communicator role")?;
    let role = if communicator.is_admin {
        "communicator and admin"
    } else {
        "communicator"
    };
    writeln!(
        std::io::stdout().lock(),
        "role saved: {role} for {} sender(s)",
        communicator.senders.len()
    )?;
    Ok(())
}
