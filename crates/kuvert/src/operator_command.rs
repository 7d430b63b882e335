//! `kuvert operator serve`: a mailbox operator from a configuration file, on three
//! listeners: the delivery service (`/service/v3`, mutual TLS), the web inbox (plain HTTP
//! behind a TLS proxy) and the admin routes (`/healthz`, `/readyz`, `/metrics`).

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::config::{self, Role};

/// Serves the operator until SIGINT/SIGTERM; its admin routes on `admin_listen` (default:
/// the configuration's `admin`).
///
/// # Errors
/// Configuration (naming the key), start-up or bind failures.
pub async fn serve(
    file: Option<&Path>,
    service_listen: SocketAddr,
    web_listen: SocketAddr,
    admin_listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let config: kuvert_operator::Config = config::load(Role::Operator, file)?;
    let admin = admin_listen.unwrap_or(config.admin);
    let service = kuvert_operator::build(config)
        .await
        .context("starting the operator")?;
    let listeners = kuvert_operator::Listeners {
        service: Listener::bind(service_listen, service.service_listener_tls())
            .await
            .context("binding the delivery service")?,
        web: Listener::bind(web_listen, ListenerTls::Plain)
            .await
            .context("binding the web inbox")?,
        admin: Listener::bind(admin, ListenerTls::Plain)
            .await
            .context("binding the admin listener")?,
    };
    tracing::info!(
        service = %listeners.service.local_addr()?,
        web = %listeners.web.local_addr()?,
        admin = %listeners.admin.local_addr()?,
        "operator listening"
    );
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    service
        .serve(listeners, shutdown)
        .await
        .context("serving the operator")
}
