//! `kuvert sender serve`: the sender service from the sender toolkit's configuration file
//! (with its `[service]` section), on a mutual-TLS listener, optionally a TLS listener for
//! OAuth 2 callers and an admin listener; `kuvert sender hash-secret`: a client secret's
//! Argon2id hash for that section.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use kuvert_web::{Listener, Shutdown};

use crate::config::{self, Role};

/// Serves the sender service until SIGINT/SIGTERM.
///
/// # Errors
/// Configuration (naming the key), start-up or bind failures.
pub async fn serve(
    file: Option<&Path>,
    listen: SocketAddr,
    oauth_listen: Option<SocketAddr>,
    admin_listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let config: kuvert_sender::SenderConfig = config::load(Role::Sender, file)?;
    let service = kuvert_sender::service::build(&config)
        .await
        .context("starting the sender service")?;
    let mutual_tls = Listener::bind(listen, service.mutual_tls())
        .await
        .context("binding the mutual-TLS listener")?;
    let tls = match oauth_listen {
        Some(address) => Some(
            Listener::bind(address, service.tls())
                .await
                .context("binding the TLS listener")?,
        ),
        None => None,
    };
    let admin = match admin_listen {
        Some(address) => Some(
            Listener::bind(address, kuvert_web::ListenerTls::Plain)
                .await
                .context("binding the admin listener")?,
        ),
        None => None,
    };
    tracing::info!(mutual_tls = %mutual_tls.local_addr()?, "sender service listening");
    let shutdown = Shutdown::new();
    tokio::spawn(crate::stop::on_signal(shutdown.clone()));
    let listeners = kuvert_sender::service::Listeners {
        mutual_tls,
        tls,
        admin,
    };
    service
        .serve(listeners, shutdown)
        .await
        .context("serving the sender service")
}

/// Reads a secret from standard input (one line, surrounding white space dropped) and
/// prints its hash.
///
/// # Errors
/// An empty secret, or standard input or output failing.
pub fn hash_secret() -> anyhow::Result<()> {
    let mut secret = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut secret)
        .context("reading the secret from standard input")?;
    let secret = secret.trim();
    anyhow::ensure!(
        secret.len() >= 16,
        "a client secret has at least 16 characters"
    );
    let hash = kuvert_sender::service::hash_secret(secret)
        .map_err(|error| anyhow::anyhow!("hashing the secret: {error}"))?;
    writeln!(std::io::stdout(), "{hash}")?;
    Ok(())
}
