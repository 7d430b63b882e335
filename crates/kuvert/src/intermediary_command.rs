//! `kuvert intermediary serve`: the intermediary's Message v3 service for sender systems
//! (`kuvert_sender::intermediary`, `/Message/v3` and `/Notification/v3`) on one mutual-TLS
//! listener and its probes on an admin listener, from a configuration file
//! (`KUVERT_INTERMEDIARY__<KEY>` environment variables override it).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::config::{self, Role};

/// `kuvert intermediary ...`
#[derive(Debug, Subcommand)]
pub enum IntermediaryCommand {
    /// Serve `distributeSecure` and `checkDistributionStatus` (mutual TLS).
    Serve {
        /// TOML configuration file (then `KUVERT_INTERMEDIARY__<KEY>` environment variables).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address of the service (`/Message/v3`, `/Notification/v3`, mutual TLS).
        #[arg(long, default_value = "127.0.0.1:8451")]
        listen: SocketAddr,
        /// Address of `/healthz`, `/readyz` and `/metrics` (plain HTTP); default the
        /// configuration's `admin`.
        #[arg(long)]
        admin_listen: Option<SocketAddr>,
    },
}

/// Runs `command` until SIGINT/SIGTERM.
///
/// # Errors
/// Configuration (naming the key), start-up or bind failures.
pub async fn run(command: IntermediaryCommand) -> anyhow::Result<()> {
    match command {
        IntermediaryCommand::Serve {
            config,
            listen,
            admin_listen,
        } => serve(config, listen, admin_listen).await,
    }
}

async fn serve(
    file: Option<PathBuf>,
    listen: SocketAddr,
    admin_listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let config: kuvert_sender::intermediary::IntermediaryConfig =
        config::load(Role::Intermediary, file.as_deref())?;
    let admin = admin_listen.unwrap_or(config.admin);
    let service = kuvert_sender::intermediary::build(config)
        .await
        .context("starting the intermediary")?;
    let listeners = kuvert_sender::intermediary::Listeners {
        service: Listener::bind(listen, service.listener_tls())
            .await
            .context("binding the intermediary's service")?,
        admin: Listener::bind(admin, ListenerTls::Plain)
            .await
            .context("binding the admin listener")?,
    };
    tracing::info!(
        listen = %listeners.service.local_addr()?,
        admin = %listeners.admin.local_addr()?,
        "intermediary listening"
    );
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    service
        .serve(listeners, shutdown)
        .await
        .context("serving the intermediary")
}
