//! `kuvert registry serve` and `kuvert registry admin …`: the registry from a configuration
//! file, and its directory administration (operators, senders, intermediaries).

use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::operator::ServiceDomain;
use kuvert_registry::admin::{self, NewOperator};
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::cli::AdminCommand;
use crate::config::{self, Role};

/// Serves the registry on `listen` over mutual TLS, and its admin routes on `admin_listen`
/// (default: the configuration's `admin`), until Ctrl-C.
///
/// # Errors
/// Configuration (naming the key), database, TLS file or bind failures.
pub async fn serve(
    file: Option<&Path>,
    listen: SocketAddr,
    admin_listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let config: kuvert_registry::Config = config::load(Role::Registry, file)?;
    let tls = mutual_tls(&config)?;
    let admin = admin_listen.unwrap_or(config.admin);
    let service = kuvert_registry::build(config)
        .await
        .context("starting the registry")?;
    let listeners = kuvert_registry::Listeners {
        service: Listener::bind(listen, tls)
            .await
            .context("binding the registry")?,
        admin: Listener::bind(admin, ListenerTls::Plain)
            .await
            .context("binding the admin listener")?,
    };
    tracing::info!(
        address = %listeners.service.local_addr()?,
        admin = %listeners.admin.local_addr()?,
        "registry listening (mutual TLS)"
    );
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    service
        .serve(listeners, shutdown)
        .await
        .context("serving the registry")
}

/// The registry's mutual TLS listener settings from its configuration's file paths.
fn mutual_tls(config: &kuvert_registry::Config) -> anyhow::Result<ListenerTls> {
    let read = |key: &str, path: Option<&Path>| -> anyhow::Result<String> {
        let path =
            path.with_context(|| format!("registry configuration key `{key}` is required"))?;
        std::fs::read_to_string(path)
            .with_context(|| format!("registry configuration key `{key}`: {}", path.display()))
    };
    Ok(ListenerTls::MutualTls {
        cert_chain_pem: read(
            "tls_certificate_path",
            config.tls_certificate_path.as_deref(),
        )?,
        key_pem: read("tls_key_path", config.tls_key_path.as_deref())?.into(),
        client_ca_pem: read("client_ca_path", config.client_ca_path.as_deref())?,
    })
}

/// Runs one admin command against the registry's database and prints what it did. A change
/// that would withdraw approvals (an intermediary's senders) or move a service (an operator's
/// delivery address) is refused, saying what it would do, unless `--yes` is given.
///
/// # Errors
/// Configuration, database or the registry's validation errors (which name the field), or a
/// destructive change without `--yes`.
pub async fn admin(file: Option<&Path>, command: AdminCommand) -> anyhow::Result<()> {
    let config: kuvert_registry::Config = config::load(Role::Registry, file)?;
    let service = kuvert_registry::build(config)
        .await
        .context("opening the registry")?;
    let registry = service.registry();
    let mut out = std::io::stdout().lock();
    match command {
        AdminCommand::AddOperator {
            number,
            name,
            domain,
            service_address,
            ui_address,
            yes,
        } => {
            let operator = NewOperator {
                id: organisation_number("--number", &number)?,
                name,
                domain: service_domain(&domain)?,
                service_address,
                ui_address,
            };
            add_operator(registry, operator, yes, &mut out).await?;
        }
        AdminCommand::AddSender { number, name } => {
            let id = organisation_number("--number", &number)?;
            admin::add_sender(registry, id, &name)
                .await
                .context("adding the sender")?;
            writeln!(out, "sender {number} saved")?;
        }
        AdminCommand::AddIntermediary {
            number,
            name,
            senders,
            yes,
        } => {
            let id = organisation_number("--number", &number)?;
            let senders = senders
                .iter()
                .map(|sender| organisation_number("--sender", sender))
                .collect::<anyhow::Result<BTreeSet<_>>>()?;
            add_intermediary(registry, (id, name), senders, yes, &mut out).await?;
        }
        AdminCommand::List => list(registry, &mut out).await?,
    }
    Ok(())
}

/// `add-operator`: a new operator, or a change; moving an existing operator's delivery
/// address needs `--yes`, since every letter to its mailboxes goes there from then on.
async fn add_operator(
    registry: &kuvert_registry::registry::Registry,
    operator: NewOperator,
    yes: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let existing = admin::list_operators(registry)
        .await?
        .into_iter()
        .find(|record| record.id == operator.id);
    let number = operator.id.as_str().to_owned();
    let moved_from = existing
        .map(|record| record.service_address.to_string())
        .filter(|address| {
            address.trim_end_matches('/') != operator.service_address.trim_end_matches('/')
        });
    if let Some(from) = &moved_from {
        anyhow::ensure!(
            yes,
            "operator {number} delivers at {from}; this would move its service to {} and \
             every letter to its mailboxes would go there. Add --yes to do so",
            operator.service_address
        );
    }
    admin::add_operator(registry, operator)
        .await
        .context("adding the operator")?;
    match moved_from {
        Some(from) => writeln!(out, "operator {number} saved (service moved from {from})")?,
        None => writeln!(out, "operator {number} saved")?,
    }
    Ok(())
}

/// `add-intermediary`: a new intermediary, or its name and senders replaced; withdrawing an
/// approved sender needs `--yes`, since sending for it then stops (fault 6005).
async fn add_intermediary(
    registry: &kuvert_registry::registry::Registry,
    (id, name): (OrganisationNumber, String),
    senders: BTreeSet<OrganisationNumber>,
    yes: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let removed: Vec<String> = admin::list_intermediaries(registry)
        .await?
        .into_iter()
        .find(|record| record.id == id)
        .map(|record| {
            record
                .senders
                .difference(&senders)
                .map(|sender| sender.as_str().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let number = id.as_str().to_owned();
    anyhow::ensure!(
        removed.is_empty() || yes,
        "intermediary {number} is approved for {}; this would withdraw that approval and its \
         letters for them would be refused (fault 6005). Name every sender to keep with \
         --sender, or add --yes to withdraw",
        removed.join(", ")
    );
    let count = senders.len();
    admin::add_intermediary(registry, id, &name, senders)
        .await
        .context("adding the intermediary")?;
    let noun = if count == 1 { "sender" } else { "senders" };
    writeln!(
        out,
        "intermediary {number} saved: approved for {count} {noun}"
    )?;
    if !removed.is_empty() {
        writeln!(out, "approval withdrawn for {}", removed.join(", "))?;
    }
    Ok(())
}

async fn list(
    registry: &kuvert_registry::registry::Registry,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    for operator in admin::list_operators(registry).await? {
        let (number, name) = (operator.id.as_str(), &operator.name);
        writeln!(
            out,
            "operator      {number}  {name}  {}",
            operator.service_address
        )?;
    }
    for sender in admin::list_senders(registry).await? {
        writeln!(out, "sender        {}  {}", sender.id.as_str(), sender.name)?;
    }
    for intermediary in admin::list_intermediaries(registry).await? {
        let senders: Vec<&str> = intermediary.senders.iter().map(|id| id.as_str()).collect();
        let (number, name) = (intermediary.id.as_str(), &intermediary.name);
        writeln!(
            out,
            "intermediary  {number}  {name}  for {}",
            senders.join(", ")
        )?;
    }
    Ok(())
}

fn service_domain(text: &str) -> anyhow::Result<ServiceDomain> {
    ServiceDomain::parse(text).with_context(|| format!("--domain {text:?}"))
}

fn organisation_number(flag: &str, text: &str) -> anyhow::Result<OrganisationNumber> {
    OrganisationNumber::parse_written(text).with_context(|| format!("{flag} {text:?}"))
}
