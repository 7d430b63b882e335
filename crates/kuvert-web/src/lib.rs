//! Shared HTTP plumbing for the Kuvert services, the one place besides the services'
//! `http`/`soap` modules that knows axum and hyper.
//!
//! - [`Listener`] and [`serve`]: an already bound listener (plain, TLS or mutual TLS) and the
//!   accept loop with a bounded number of connections, handshake timeouts and graceful
//!   [`Shutdown`].
//! - [`PeerCertificate`] and [`CallerOrganisation`]: the verified client certificate of a
//!   mutual-TLS connection and the organisation number it names (PROTOCOL.md §8).
//! - [`crl`]: the CRL sources of a role and their refresh; [`client_verifier`]: the usage
//!   and revocation checks on client certificates at the mutual-TLS handshake.
//! - [`http_client`]: the one place a `reqwest::Client` is built, trusting only the
//!   configured CAs.
//! - [`layers`]: security headers, panic catching, body limits and the per-request span;
//!   [`health`]: `/healthz`, `/readyz`, `/metrics`; [`i18n`]: the page language; [`csrf`]:
//!   synchronizer tokens for forms; [`session`]: the server-side web sessions of the
//!   operator's inbox and the portal's communicator pages, and the attributes of every
//!   cookie; [`deep_link`]: the portal's deep links and the notice with a QR code for paper
//!   letters (portal and sender toolkit print the same one).
//!
//! **Invariant:** a caller's identity comes only from the client certificate rustls verified
//! against the configured client CA; [`PeerCertificate`] is inserted by [`serve`] and by
//! nothing else.

pub mod client;
pub mod client_verifier;
pub mod crl;
pub mod csrf;
pub mod deep_link;
pub mod error;
pub mod health;
pub mod i18n;
pub mod identity;
pub mod layers;
pub mod listener;
pub mod session;
pub mod tls;

pub use client::{ClientConfig, http_client};
pub use error::WebError;
pub use identity::{CallerOrganisation, PeerCertificate};
pub use listener::{Listener, ListenerTls, Shutdown, serve};
