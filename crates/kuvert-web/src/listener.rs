//! The listener and accept loop every Kuvert service runs on.
//!
//! A [`Listener`] is bound before the service starts, so tests bind `127.0.0.1:0` and learn
//! the port before spawning. [`serve`] keeps at most `HTTP_CONNECTIONS_MAX` connections open
//! (past it the stalest slow one is cut, see `listener/table.rs`), gives each its own task,
//! bounds the TLS handshake, and times every connection with its listener's [`ConnectionTimeouts`]:
//! request headers (and the wait for the next request of a kept-alive connection), the whole
//! request body (408 past it), and idleness (no byte either way while no handler works). On
//! [`Shutdown`] it stops accepting, lets open requests finish for `HTTP_SHUTDOWN_DRAIN_MS`,
//! then returns.

mod guard;
mod table;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use kuvert_core::limits::{
    HTTP_BODY_TIMEOUT_MS_DEFAULT, HTTP_CONNECTIONS_MAX, HTTP_HANDSHAKE_TIMEOUT_MS,
    HTTP_HEADER_TIMEOUT_MS_DEFAULT, HTTP_IDLE_TIMEOUT_MS_DEFAULT, HTTP_SHUTDOWN_DRAIN_MS,
};
use kuvert_xmldsig::revocation::CrlSet;
use secrecy::SecretString;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::identity::PeerCertificate;
use crate::{WebError, tls};
use guard::{GuardedBody, IdleIo, RequestMark};
use table::{Activity, ConnectionTable, Slot};

/// How a listener secures its connections.
pub enum ListenerTls {
    /// Plain HTTP, for the demo behind a proxy and for tests.
    Plain,
    /// TLS with this certificate chain (leaf first) and PKCS#8 key.
    Tls {
        /// PEM certificates, leaf first.
        cert_chain_pem: String,
        /// PEM private key.
        key_pem: SecretString,
    },
    /// TLS that requires a client certificate issued by `client_ca_pem` (PROTOCOL.md §8),
    /// with extended key usage clientAuth (`kuvert_xmldsig::usage`); see also
    /// [`Listener::with_client_crls`].
    MutualTls {
        /// PEM certificates, leaf first.
        cert_chain_pem: String,
        /// PEM private key.
        key_pem: SecretString,
        /// PEM certificates of the CAs whose client certificates are accepted.
        client_ca_pem: String,
    },
}

/// A bound TCP socket plus its TLS configuration and connection timeouts.
pub struct Listener {
    tcp: TcpListener,
    tls: ListenerTls,
    acceptor: Option<TlsAcceptor>,
    timeouts: ConnectionTimeouts,
}

/// How long a connection may take over each part of a request (`limits::HTTP_*_TIMEOUT_MS_*`
/// by default; each role's `http` configuration sets them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// To send a request's headers; also how long a kept-alive connection waits for the
    /// next request.
    pub header: Duration,
    /// To send a whole request body after its headers; past it the answer is 408.
    pub body: Duration,
    /// Without a byte read or written while no handler works on a received request.
    pub idle: Duration,
}

/// A shutdown signal shared by everything one service runs; clones observe the same signal.
#[derive(Clone, Debug)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Listener {
    /// Binds `addr` and prepares the TLS configuration; fails on unusable PEM.
    pub async fn bind(addr: SocketAddr, tls: ListenerTls) -> Result<Self, WebError> {
        let acceptor = acceptor(&tls, None)?;
        let tcp = TcpListener::bind(addr)
            .await
            .map_err(|source| WebError::Bind { addr, source })?;
        Ok(Self {
            tcp,
            tls,
            acceptor,
            timeouts: ConnectionTimeouts::default(),
        })
    }

    /// The same listener refusing client certificates that `crls` revoke (mutual TLS only;
    /// other listeners ask for no client certificate and are returned as they are). A role
    /// calls this in `serve` with the set its CRL refresher keeps current.
    pub fn with_client_crls(self, crls: CrlSet) -> Result<Self, WebError> {
        let acceptor = match &self.tls {
            ListenerTls::MutualTls { .. } => acceptor(&self.tls, Some(crls))?,
            ListenerTls::Plain | ListenerTls::Tls { .. } => return Ok(self),
        };
        Ok(Self { acceptor, ..self })
    }

    /// The listener with these timeouts instead of the defaults.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: ConnectionTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The address actually bound (the port chosen for `:0`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Whether connections are TLS (plain or mutual).
    pub fn is_tls(&self) -> bool {
        self.acceptor.is_some()
    }
}

/// The TLS acceptor of `tls`, `None` for plain HTTP.
fn acceptor(tls: &ListenerTls, crls: Option<CrlSet>) -> Result<Option<TlsAcceptor>, WebError> {
    let config = match tls {
        ListenerTls::Plain => return Ok(None),
        ListenerTls::Tls {
            cert_chain_pem,
            key_pem,
        } => tls::server_config(cert_chain_pem, key_pem, None, None)?,
        ListenerTls::MutualTls {
            cert_chain_pem,
            key_pem,
            client_ca_pem,
        } => tls::server_config(cert_chain_pem, key_pem, Some(client_ca_pem), crls)?,
    };
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}

impl Default for ConnectionTimeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_millis(HTTP_HEADER_TIMEOUT_MS_DEFAULT),
            body: Duration::from_millis(HTTP_BODY_TIMEOUT_MS_DEFAULT),
            idle: Duration::from_millis(HTTP_IDLE_TIMEOUT_MS_DEFAULT),
        }
    }
}

impl Shutdown {
    /// A signal not yet given.
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }

    /// Gives the signal; every [`Shutdown::wait`] returns.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the signal is given (returns at once if it was).
    pub async fn wait(&self) {
        let mut receiver = self.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _signalled = receiver.wait_for(|is_triggered| *is_triggered).await;
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves each router on its listener until `shutdown`: a role's listeners (service, web,
/// admin) as one. The first to fail gives `shutdown`, so the others stop and drain too, and
/// its error is answered once all have stopped.
///
/// # Errors
/// The first accept loop's I/O error.
pub async fn serve_all(served: Vec<(Listener, Router)>, shutdown: &Shutdown) -> io::Result<()> {
    let mut servers = JoinSet::new();
    for (listener, router) in served {
        servers.spawn(serve(listener, router, shutdown.clone()));
    }
    let mut result = Ok(());
    while let Some(joined) = servers.join_next().await {
        let served = joined.map_err(io::Error::other).and_then(|served| served);
        if served.is_err() {
            shutdown.trigger();
            result = result.and(served);
        }
    }
    shutdown.trigger();
    result
}

/// Serves `router` on `listener` until `shutdown` is given and open connections drained.
pub async fn serve(listener: Listener, router: Router, shutdown: Shutdown) -> io::Result<()> {
    let table = ConnectionTable::new(HTTP_CONNECTIONS_MAX);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.tcp.accept() => accepted,
            () = shutdown.wait() => break,
        };
        let (stream, peer_addr) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Accept fails on resource exhaustion (EMFILE) or a connection reset before
                // accept; pausing keeps the loop from spinning while the cause clears.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Small answers go out at once: with Nagle's algorithm the tail of a response waits
        // for the client's delayed acknowledgement (up to 40 ms on Linux), which showed as
        // the p99 of the registry's 1 000-id `isReachable` answers (issue 14).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer_addr, %error, "setting TCP_NODELAY failed");
        }
        let slot = tokio::select! {
            slot = table.admit() => slot,
            () = shutdown.wait() => break,
        };
        let activity = Arc::clone(slot.activity());
        let slot_id = slot.id();
        let connection = Connection {
            acceptor: listener.acceptor.clone(),
            router: router.clone(),
            shutdown: shutdown.clone(),
            timeouts: listener.timeouts,
            activity,
        };
        let abort = connections.spawn(connection.run(stream, peer_addr, slot));
        table.set_abort(slot_id, abort);
        while connections.try_join_next().is_some() {}
    }
    drain(connections).await;
    Ok(())
}

/// Waits for open connections to finish, cutting them after the drain time.
async fn drain(mut connections: JoinSet<()>) {
    let drain_time = Duration::from_millis(HTTP_SHUTDOWN_DRAIN_MS);
    let drained = tokio::time::timeout(drain_time, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            n_connections = connections.len(),
            "cutting connections after drain time"
        );
        connections.shutdown().await;
    }
}

/// One accepted connection and what it needs to be served.
struct Connection {
    acceptor: Option<TlsAcceptor>,
    router: Router,
    shutdown: Shutdown,
    timeouts: ConnectionTimeouts,
    /// What the connection does, shared with its slot in the table.
    activity: Arc<Activity>,
}

impl Connection {
    /// Serves the connection; `slot` is held until it ends (or the table cuts it), so it
    /// counts against `HTTP_CONNECTIONS_MAX`.
    async fn run(self, stream: TcpStream, peer_addr: SocketAddr, slot: Slot) {
        let stream = IdleIo::new(stream, Arc::clone(&self.activity));
        let Some(acceptor) = self.acceptor.clone() else {
            self.serve_http(TokioIo::new(stream), peer_addr, None).await;
            drop(slot);
            return;
        };
        let handshake_time = Duration::from_millis(HTTP_HANDSHAKE_TIMEOUT_MS);
        let stream = match tokio::time::timeout(handshake_time, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => {
                // Counted so a benchmark can show that handshakes do not grow with letters.
                metrics::counter!("kuvert_tls_handshakes_total").increment(1);
                stream
            }
            Ok(Err(error)) => {
                tracing::debug!(%peer_addr, %error, "TLS handshake failed");
                return;
            }
            Err(_elapsed) => {
                tracing::debug!(%peer_addr, "TLS handshake timed out");
                return;
            }
        };
        // rustls only completes a mutual-TLS handshake after verifying the chain against the
        // client CA, so the end-entity certificate here is a verified one.
        let peer = stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first());
        let peer = peer.map(|certificate| PeerCertificate::new(certificate.as_ref()));
        self.serve_http(TokioIo::new(stream), peer_addr, peer).await;
        drop(slot);
    }

    async fn serve_http<I>(
        self,
        io: TokioIo<I>,
        peer_addr: SocketAddr,
        peer: Option<PeerCertificate>,
    ) where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let router = self.router;
        let activity = Arc::clone(&self.activity);
        let body_timeout = self.timeouts.body;
        let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
            let mark = RequestMark::new(Arc::clone(&activity));
            let (mut parts, body) = request.into_parts();
            // The TCP peer, for handlers that need the client address (the portal's visitor
            // hash, the web pages' rate limit); never an identity.
            parts
                .extensions
                .insert(axum::extract::ConnectInfo(peer_addr));
            if let Some(peer) = &peer {
                parts.extensions.insert(peer.clone());
            }
            let body = GuardedBody::new(body, body_timeout, Arc::clone(&mark));
            let request = http::Request::from_parts(parts, axum::body::Body::new(body));
            let answer = tower::Service::call(&mut router.clone(), request);
            async move {
                let response = answer.await;
                mark.answered();
                if mark.is_timed_out() {
                    return Ok(body_timed_out());
                }
                response
            }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.timeouts.header);
        let connection = builder.serve_connection_with_upgrades(io, service);
        tokio::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            () = idle(&self.activity, self.timeouts.idle) => {
                tracing::debug!(%peer_addr, "closing an idle connection");
                return;
            }
            () = self.shutdown.wait() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, "connection ended with an error");
        }
    }
}

/// Returns once the connection has been idle for `idle`.
async fn idle(activity: &Activity, idle: Duration) {
    while let Some(deadline) = activity.idle_deadline(idle) {
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// The answer to a request whose body did not arrive in time: 408, and the connection closes
/// (the rest of the body is never read).
fn body_timed_out() -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (
        http::StatusCode::REQUEST_TIMEOUT,
        "request body not received in time",
    )
        .into_response();
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}
