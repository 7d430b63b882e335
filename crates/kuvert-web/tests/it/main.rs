//! Integration tests of the HTTP plumbing over real TCP: TLS and mutual TLS with certificates
//! from kuvert-pki, caller identity, layers, health and shutdown.
#![allow(clippy::unwrap_used)]

mod abuse;
mod client;
mod layers;
mod mtls;
mod revocation;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_pki::{Credential, OrganisationSpec, PersonSpec, PkiSpec, TestPki};
use kuvert_web::layers::standard_layers;
use kuvert_web::{CallerOrganisation, ClientConfig, Listener, ListenerTls, Shutdown, serve};
use tokio::task::JoinHandle;

/// The PKI of this binary, made once: RSA key generation is the slow part.
fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(&spec()).unwrap())
}

/// A second PKI with look-alike CAs, whose certificates the servers must refuse.
fn foreign_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    let spec = PkiSpec {
        organisations: spec().organisations,
        persons: vec![],
    };
    PKI.get_or_init(|| TestPki::generate(&spec).unwrap())
}

fn spec() -> PkiSpec {
    let organisation = |key: &str, number: &str| OrganisationSpec {
        key: key.to_owned(),
        name: format!("Org {key}"),
        number: OrganisationNumber::parse(number).unwrap(),
        host_names: vec![format!("{key}.example")],
    };
    PkiSpec {
        organisations: vec![
            organisation("server", "2021005448"),
            organisation("caller", "2021004748"),
        ],
        persons: vec![PersonSpec {
            key: "tolvan".to_owned(),
            given_name: "Tolvan".to_owned(),
            surname: "Tolvansson".to_owned(),
            number: PersonalIdentityNumber::parse("191212121212").unwrap(),
        }],
    }
}

/// Routes the tests call: the caller's organisation number, a panic, and plain text.
fn router() -> Router {
    let routes = Router::new()
        .route(
            "/caller",
            get(
                |CallerOrganisation(number): CallerOrganisation| async move {
                    number.as_str().to_owned()
                },
            ),
        )
        .route("/panic", get(panicking_handler))
        .route("/hello", get(|| async { "hello" }));
    standard_layers(routes, 1024)
}

async fn panicking_handler() -> &'static str {
    panic!("handler bug")
}

fn server_tls(client_ca_pem: Option<String>) -> ListenerTls {
    let server = pki().organisation("server").unwrap();
    let cert_chain_pem = server.certificate_pem().to_owned();
    let key_pem = server.key_pem().clone();
    match client_ca_pem {
        None => ListenerTls::Tls {
            cert_chain_pem,
            key_pem,
        },
        Some(client_ca_pem) => ListenerTls::MutualTls {
            cert_chain_pem,
            key_pem,
            client_ca_pem,
        },
    }
}

struct Server {
    addr: SocketAddr,
    shutdown: Shutdown,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(tls: ListenerTls, router: Router) -> Server {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), tls)
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = Shutdown::new();
    let task = tokio::spawn(serve(listener, router, shutdown.clone()));
    Server {
        addr,
        shutdown,
        task,
    }
}

impl Server {
    fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://localhost:{}{path}", self.addr.port())
    }

    async fn stop(self) {
        self.shutdown.trigger();
        self.task.await.unwrap().unwrap();
    }
}

fn client(identity: Option<&Credential>) -> reqwest::Client {
    kuvert_web::http_client(&ClientConfig {
        ca_pem: pki().organisation_ca_pem().to_owned(),
        identity: identity.map(|credential| {
            (
                credential.certificate_pem().to_owned(),
                credential.key_pem().clone(),
            )
        }),
        connect_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(30),
    })
    .unwrap()
}
