//! `kuvert portal serve`: the public portal from a configuration file.

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
