//! The public portal: where people learn what a digital mailbox is and get one.
//!
//! This first version serves the start page with the three main messages of `TERMS.md` and
//! the one call to action, "Skaffa digital brevlåda", which leads to a chooser of the
//! connected mailbox operators; each choice goes straight into that operator's sign-up, so
//! a person is at an operator in two clicks. Pages are server-rendered, Swedish first with an
//! English version (`?lang=en`), and work without JavaScript. The portal sets no cookies.
//!
//! Main types: [`Config`], [`PortalOperator`], [`Service`].

use std::io;

use axum::Router;
use kuvert_web::{Listener, Shutdown};

mod config;
mod http;

pub use config::{Config, PortalOperator};

/// Why the portal could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration value is unusable; `key` names it.
    #[error("portal configuration key `{key}`: {reason}")]
    Config {
        /// The offending key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// A built portal, ready to serve.
#[derive(Debug, Clone)]
pub struct Service {
    config: Config,
}

/// Checks the configuration and builds the portal.
pub async fn build(config: Config) -> Result<Service, StartError> {
    config.check()?;
    Ok(Service { config })
}

impl Service {
    /// The portal's routes with the standard layers, for in-process tests and [`Self::serve`].
    pub fn router(&self) -> Router {
        http::router(self.config.clone())
    }

    /// Serves the portal on an already bound listener until `shutdown`.
    pub async fn serve(self, listener: Listener, shutdown: Shutdown) -> io::Result<()> {
        kuvert_web::serve(listener, self.router(), shutdown).await
    }
}
