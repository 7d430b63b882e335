//! The error of setting up listeners, clients and metrics: configuration that does not
//! parse or a socket that cannot be bound. Request-time failures are responses instead.

use std::net::SocketAddr;

/// Why a listener, client or exporter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The address could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system error.
        #[source]
        source: std::io::Error,
    },
    /// PEM text does not hold what it should.
    #[error("{what} is not usable: {reason}")]
    Pem {
        /// Which configured PEM (for example `listener certificate chain`).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// rustls refused the certificate, key or protocol configuration.
    #[error("TLS configuration is not usable")]
    Tls(#[source] rustls::Error),
    /// The client CA cannot verify client certificates.
    #[error("client certificate verifier cannot be built from the client CA")]
    ClientVerifier(#[source] rustls::server::VerifierBuilderError),
    /// A timeout was configured as zero, which would mean "no time at all".
    #[error("{what} must be greater than zero")]
    ZeroTimeout {
        /// Which timeout.
        what: &'static str,
    },
    /// The CRL configuration or a CRL file is not usable.
    #[error("CRL configuration is not usable: {reason}")]
    Crl {
        /// What is wrong.
        reason: String,
    },
    /// reqwest could not build the client.
    #[error("HTTP client cannot be built")]
    Client(#[source] reqwest::Error),
    /// Another metrics recorder was installed in this process before ours.
    #[error("Prometheus recorder cannot be installed: {reason}")]
    Metrics {
        /// What the exporter reported.
        reason: String,
    },
}
