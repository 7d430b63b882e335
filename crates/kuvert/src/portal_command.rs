//! `kuvert portal serve`: the public portal from a configuration file; `kuvert portal
//! communicator add|list|remove`: the communicator (and editor) roles, kept in the portal's
//! database.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::config::{self, Role};

/// Serves the portal on `listen` (plain HTTP, meant to sit behind a TLS proxy), and its
/// admin routes on `admin_listen` (default: the configuration's `admin`), until Ctrl-C.
///
/// # Errors
/// Configuration (naming the key) or bind failures.
pub async fn serve(
    file: Option<&Path>,
    listen: SocketAddr,
    admin_listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let config: kuvert_portal::Config = config::load(Role::Portal, file)?;
    let admin = admin_listen.unwrap_or(config.admin);
    let service = kuvert_portal::build(config)
        .await
        .context("starting the portal")?;
    let listeners = kuvert_portal::Listeners {
        web: Listener::bind(listen, ListenerTls::Plain)
            .await
            .context("binding the portal")?,
        admin: Listener::bind(admin, ListenerTls::Plain)
            .await
            .context("binding the admin listener")?,
    };
    tracing::info!(
        address = %listeners.web.local_addr()?,
        admin = %listeners.admin.local_addr()?,
        "portal listening"
    );
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    service
        .serve(listeners, shutdown)
        .await
        .context("serving the portal")
}

/// `kuvert portal communicator …`: gives, lists or removes the communicator roles in the
/// portal's database. A sender named with `--sender` must be connected in the registry (the
/// portal asks it with its own certificate), so a typo never becomes a role nobody can use.
///
/// # Errors
/// Configuration, an invalid personnummer or organisation number (naming the argument), a
/// sender the registry does not know, the registry unreachable, or the database.
pub async fn communicator(
    file: Option<&Path>,
    command: crate::cli::CommunicatorCommand,
) -> anyhow::Result<()> {
    use crate::cli::CommunicatorCommand;

    let config: kuvert_portal::Config = config::load(Role::Portal, file)?;
    let pool = config.database_pool.checked()?;
    let database = kuvert_store::Database::connect_with(&config.database_url, pool)
        .await
        .context("opening the portal database")?;
    let store = database.portal();
    let editorial = database.portal_editorial();
    let mut out = std::io::stdout().lock();
    match command {
        CommunicatorCommand::Add {
            person,
            senders,
            admin,
            editor,
        } => {
            let person = personal_identity_number(&person)?;
            let senders = connected_senders(&config, &senders).await?;
            let communicator = store
                .grant_communicator(&person, &senders, admin)
                .await
                .context("saving the communicator role")?;
            editorial
                .set_editor(&person, editor)
                .await
                .context("saving the editor role")?;
            let role = match (communicator.is_admin, editor) {
                (true, true) => "communicator, admin and editor",
                (true, false) => "communicator and admin",
                (false, true) => "communicator and editor",
                (false, false) => "communicator",
            };
            let count = communicator.senders.len();
            let noun = if count == 1 { "sender" } else { "senders" };
            writeln!(out, "role saved: {role} for {count} {noun}")?;
        }
        CommunicatorCommand::List => {
            let editors = editorial.editors().await.context("reading the editors")?;
            for communicator in store.communicators().await.context("reading the roles")? {
                let senders: Vec<&str> =
                    communicator.senders.iter().map(|id| id.as_str()).collect();
                let admin = if communicator.is_admin { "  admin" } else { "" };
                let editor = if editors.contains(&communicator.person) {
                    "  editor"
                } else {
                    ""
                };
                let person = communicator.person.as_str();
                writeln!(out, "{person}  {}{admin}{editor}", senders.join(", "))?;
            }
        }
        CommunicatorCommand::Remove { person } => {
            let person = personal_identity_number(&person)?;
            let had = store
                .revoke_communicator(&person)
                .await
                .context("removing the communicator role")?;
            editorial
                .set_editor(&person, false)
                .await
                .context("removing the editor role")?;
            anyhow::ensure!(had, "{} has no communicator role", person.as_str());
            writeln!(out, "role removed: {}", person.as_str())?;
        }
    }
    Ok(())
}

/// PERSON in any written form (`YYYYMMDDNNNN`, `YYYYMMDD-NNNN`, `YYMMDD-NNNN`, …); a refusal
/// names the forms.
fn personal_identity_number(text: &str) -> anyhow::Result<PersonalIdentityNumber> {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    PersonalIdentityNumber::parse_written(text, today).with_context(|| format!("PERSON {text:?}"))
}

/// The `--sender` values as organisation numbers, each one a sender connected in the
/// registry.
async fn connected_senders(
    config: &kuvert_portal::Config,
    senders: &[String],
) -> anyhow::Result<Vec<OrganisationNumber>> {
    let numbers = senders
        .iter()
        .map(|sender| {
            OrganisationNumber::parse_written(sender)
                .with_context(|| format!("--sender {sender:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let registry = kuvert_portal::registry_client(config)
        .await
        .context("the portal's registry client")?;
    let connected = registry.senders().await.with_context(|| {
        format!(
            "asking the registry at {} which senders are connected",
            config.registry_url
        )
    })?;
    for number in &numbers {
        anyhow::ensure!(
            connected
                .iter()
                .any(|sender| &sender.organisation_number == number),
            "--sender {}: no such sender is connected in the registry",
            number.as_str()
        );
    }
    Ok(numbers)
}
