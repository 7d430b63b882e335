//! Shared HTTP plumbing for the Kuvert services, the one place besides the services'
//! `http`/`soap` modules that knows axum and hyper.
//!
//! - [`Listener`] and [`serve`]: an already bound listener (plain, TLS or mutual TLS) and the
//!   accept loop with a bounded number of connections (the stalest slow one cut for a new
//!   one), handshake, header, body and idle timeouts ([`ConnectionTimeouts`]) and graceful
//!   [`Shutdown`]; [`rate_limit`]: per client certificate or address, 429 / fault 5005 with
//!   `Retry-After`; [`HttpConfig`]: every role's `[http]` section for both.
//! - [`PeerCertificate`] and [`CallerOrganisation`]: the verified client certificate of a
//!   mutual-TLS connection and the organisation number it names (PROTOCOL.md §8).
//! - [`crl`]: the CRL sources of a role and their refresh; [`client_verifier`]: the usage
//!   and revocation checks on client certificates at the mutual-TLS handshake.
//! - [`http_client`]: the one place a `reqwest::Client` is built, trusting only the
//!   configured CAs; [`read_body`]: the one bounded reader of response bodies.
//! - [`layers`]: security headers, panic catching, body limits and the per-request span;
//!   [`health`]: the admin listener's `/healthz`, `/readyz` (the database and blob store
//!   answer, [`health::Readiness`]) and `/metrics`; [`i18n`]: the page language; [`csrf`]:
//!   synchronizer tokens for forms; [`session`]: the web sessions of the operator's inbox
//!   and the portal's communicator pages (logged-in people only), kept in the role's
//!   database so every node serves them, and the attributes of every cookie; [`web_keys`]:
//!   the CSRF and pre-login cookie keys every node of a role shares; [`prelogin`]: a login
//!   in progress in a sealed, short-lived cookie, so anonymous requests create no
//!   server-side state; [`deep_link`]: the portal's
//!   deep links and the notice with a QR code for paper letters (portal and sender toolkit
//!   print the same one); [`main_messages`]: the three main messages of `TERMS.md`, for
//!   every page, notification and paper letter that explains the service; [`letter_html`]:
//!   the HTML a letter's body may hold (the inbox's sanitiser, the sender's script rule and
//!   `kuvert check`'s findings, one set of rules).
//!
//! **Invariant:** a caller's identity comes only from the client certificate rustls verified
//! against the configured client CA; [`PeerCertificate`] is inserted by [`serve`] and by
//! nothing else.

pub mod client;
pub mod client_verifier;
pub mod cpu_pool;
pub mod crl;
pub mod csrf;
pub mod deep_link;
pub mod error;
pub mod fault;
pub mod health;
pub mod http_config;
pub mod i18n;
pub mod identity;
pub mod layers;
pub mod letter_html;
pub mod listener;
pub mod main_messages;
pub mod prelogin;
pub mod rate_limit;
pub mod registry_client;
pub mod session;
pub mod start;
pub mod tls;
pub mod web_keys;

pub use client::{BodyError, ClientConfig, http_client, read_body};
pub use error::WebError;
pub use http_config::{ClientKind, HttpConfig};
pub use identity::{CallerOrganisation, PeerCertificate};
pub use listener::{ConnectionTimeouts, Listener, ListenerTls, Shutdown, serve, serve_all};
pub use start::StartError;
