//! The load balancer's configuration: HAProxy in front of every role that runs on more than
//! one node. The mutual-TLS services (the registry, each operator's `/service/v3`) pass
//! through as TCP, so the node itself terminates TLS and sees the client certificate; the web
//! inboxes are balanced per HTTP request, round robin and without stickiness, so every
//! request may land on either node (sessions live in the database). Each HTTP answer names
//! the node that served it in `X-Kuvert-Node`. Every node is checked over HTTP, `/healthz`
//! on its admin listener, whatever the frontend's mode.

use std::fmt::Write as _;
use std::net::SocketAddr;

/// How a frontend balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Whole TCP connections: TLS ends at the node.
    Tcp,
    /// Each HTTP request on its own.
    Http,
}

/// One public address and the nodes behind it.
#[derive(Debug, Clone)]
pub struct Frontend {
    /// Unique name, e.g. `registry` or `demobrevladan-web`: HAProxy's section names.
    pub name: String,
    /// How it balances.
    pub mode: Mode,
    /// The address the federation knows (written in every role's configuration).
    pub bind: SocketAddr,
    /// The nodes.
    pub servers: Vec<Server>,
}

/// One node behind a frontend.
#[derive(Debug, Clone)]
pub struct Server {
    /// Unique per frontend, e.g. `registry-2`: what `X-Kuvert-Node` says.
    pub name: String,
    /// Where the frontend sends its traffic.
    pub address: SocketAddr,
    /// The node's admin listener, whose `/healthz` HAProxy checks.
    pub admin: SocketAddr,
}

/// How long HAProxy waits for a node to accept, and for either side to speak. The client
/// and server timeouts are above the roles' own request timeouts, so a slow delivery is cut
/// by the role (with a fault) rather than by the balancer.
const TIMEOUTS: &str = "    timeout connect 5s\n    timeout client 120s\n    timeout server 120s\n";

/// The check of every backend: HTTP on the node's admin listener, in TCP mode as well.
const HEALTH_CHECK: &str = "    option httpchk\n    http-check send meth GET uri /healthz\n    \
                            http-check expect status 200\n";

/// What a web backend adds: each request gets its own connection to the node
/// (`http-server-close`; the browser's connection to the balancer stays open), so a request is
/// never sent down an idle connection a killed node, or a node's own header timeout, has just
/// closed (HAProxy would then drop the browser's connection without an answer). A GET or HEAD
/// whose node fails before answering is retried on the other node; other methods are not, as a
/// form sent twice may act twice.
const WEB_BACKEND: &str = "    option http-server-close\n    \
                           retry-on conn-failure empty-response response-timeout\n    \
                           http-request disable-l7-retry unless METH_GET || METH_HEAD\n    \
                           http-response set-header X-Kuvert-Node %s\n";

/// Connections HAProxy holds at once. It needs about two descriptors per connection and
/// refuses to start when it cannot raise its own limit that far, so this stays well under the
/// 8 192 descriptors CI allows (`.ci/run`); a real deployment sets its own.
const HELD_CONNECTIONS: u32 = 2_000;

/// HAProxy's configuration for `frontends`. A node is checked every 500 ms by a `GET
/// /healthz` on its admin listener (liveness: `/readyz` would take every node out at once
/// when the shared database pauses) and taken out after two failures, so a killed node stops
/// getting traffic within about a second; a connection that fails to reach a node is retried
/// on the other (`redispatch`).
#[must_use]
pub fn config(frontends: &[Frontend]) -> String {
    let mut text = format!(
        "# Written by `kuvert cluster`; rewritten at every start.\n\
         global\n    maxconn {HELD_CONNECTIONS}\n\n\
         defaults\n    retries 3\n    option redispatch\n",
    );
    text.push_str(TIMEOUTS);
    for frontend in frontends {
        let mode = match frontend.mode {
            Mode::Tcp => "tcp",
            Mode::Http => "http",
        };
        let name = &frontend.name;
        let _ = write!(
            text,
            "\nfrontend {name}\n    mode {mode}\n    bind {}\n    default_backend {name}-nodes\n",
            frontend.bind
        );
        let _ = write!(
            text,
            "\nbackend {name}-nodes\n    mode {mode}\n    balance roundrobin\n"
        );
        text.push_str(HEALTH_CHECK);
        if frontend.mode == Mode::Http {
            text.push_str(WEB_BACKEND);
        }
        for server in &frontend.servers {
            let (name, address, admin) = (&server.name, server.address, server.admin);
            let _ = writeln!(
                text,
                "    server {name} {address} check addr {} port {} inter 500ms fall 2 rise 1",
                admin.ip(),
                admin.port()
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{Frontend, Mode, Server, config};

    fn address(port: u16) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn server(name: &str, port: u16) -> Server {
        Server {
            name: name.to_owned(),
            address: address(port),
            admin: address(port + 100),
        }
    }

    #[test]
    fn tls_passes_through_and_the_web_names_its_node() {
        let text = config(&[
            Frontend {
                name: "registry".into(),
                mode: Mode::Tcp,
                bind: address(8540),
                servers: vec![server("registry-1", 8550), server("registry-2", 8551)],
            },
            Frontend {
                name: "op-web".into(),
                mode: Mode::Http,
                bind: address(8544),
                servers: vec![server("op-1", 8552)],
            },
        ]);
        let registry = text
            .split("\nbackend registry-nodes\n")
            .nth(1)
            .unwrap_or_default();
        let registry = registry.split("frontend").next().unwrap_or_default();
        assert!(registry.contains("mode tcp"), "{text}");
        assert!(!registry.contains("X-Kuvert-Node"), "{text}");
        assert!(
            registry.contains("server registry-2 127.0.0.1:8551 check addr 127.0.0.1 port 8651"),
            "the node is checked on its admin port: {text}"
        );
        assert!(registry.contains("uri /healthz"), "{text}");
        assert!(text.contains("bind 127.0.0.1:8540"), "{text}");
        let web = text
            .split("\nbackend op-web-nodes\n")
            .nth(1)
            .unwrap_or_default();
        assert!(
            web.contains("mode http") && web.contains("X-Kuvert-Node %s"),
            "{text}"
        );
        assert!(
            web.contains("option http-server-close")
                && web.contains("disable-l7-retry unless METH_GET || METH_HEAD"),
            "a fresh node connection per request, safe methods retried: {text}"
        );
        assert!(
            !registry.contains("retry-on"),
            "TCP passes through untouched: {text}"
        );
    }
}
