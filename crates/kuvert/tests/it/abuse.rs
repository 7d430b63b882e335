//! Bounded under abuse (issue 10 item 6), against the whole federation on loopback:
//! 200 000 anonymous requests do not log a person out, and 1 024 slow uploads on every
//! connection slot of an operator's service listener do not keep a valid delivery from its
//! receipt for more than 5 s.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures::StreamExt as _;
use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::limits::HTTP_CONNECTIONS_MAX;
use kuvert_sender::Outcome;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tower::ServiceExt as _;

/// Anonymous requests driven through the inbox's router.
const ANONYMOUS_REQUESTS: usize = 200_000;
/// Of them at once.
const ANONYMOUS_CONCURRENCY: usize = 64;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_thousand_anonymous_requests_do_not_log_a_person_out() {
    let federation = Federation::start(FederationOptions::default()).await;
    let person = seed::person("tolvan").unwrap();
    let operator = seed::organisation(person.operator.unwrap()).unwrap();
    let inbox = inbox_url(&federation, operator.key);
    let browser = federation.login_as(person).await;
    let letters = inbox.join("brevlada").unwrap();
    assert_eq!(browser.get(letters.as_str()).await.status(), StatusCode::OK);

    let router = federation.operator(&operator).web_router();
    let sender = seed::SENDERS[0].number;
    let deep_link = format!("/skaffa?avsandare={sender}&kampanj=HOST-2026");
    let paths = ["/logga-in", deep_link.as_str(), "/", "/skaffa"];
    let started = Instant::now();
    let sessions_made = futures::stream::iter(0..ANONYMOUS_REQUESTS)
        .map(|index| {
            let request = Request::get(paths[index % paths.len()])
                .body(Body::empty())
                .unwrap();
            router.clone().oneshot(request)
        })
        .buffer_unordered(ANONYMOUS_CONCURRENCY)
        .fold(0_usize, |made, response| async move {
            let response = response.unwrap();
            assert!(
                response.status().is_redirection() || response.status().is_success(),
                "{}",
                response.status()
            );
            let makes_session = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|cookie| cookie.as_bytes().starts_with(b"kuvert_session="));
            made + usize::from(makes_session)
        })
        .await;
    let took = started.elapsed();
    assert_eq!(sessions_made, 0, "an anonymous request made a session");
    assert!(took < Duration::from_secs(120), "{took:?}");

    let still = browser.get(letters.as_str()).await;
    assert_eq!(still.status(), StatusCode::OK, "the person was logged out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_uploads_on_every_slot_do_not_keep_a_delivery_from_its_receipt() {
    let federation = Federation::start(FederationOptions::default()).await;
    let person = seed::person("tolvan").unwrap();
    let letter = federation.letter(&seed::SENDERS[0], person, "Beslut om bygglov", vec![]);
    let operator_key = person.operator.unwrap();
    let manifest = federation.manifest();
    let service = manifest
        .operators
        .iter()
        .find(|operator| operator.organisation.key == operator_key)
        .unwrap();
    let service_url = url::Url::parse(&service.service_address).unwrap();
    let attack = Attack {
        address: format!("127.0.0.1:{}", service_url.port().unwrap()),
        connector: intermediary_connector(manifest),
        in_flight: Arc::new(AtomicUsize::new(0)),
    };
    let mut attackers = tokio::task::JoinSet::new();
    let handshakes = Arc::new(tokio::sync::Semaphore::new(32));
    for index in 0..HTTP_CONNECTIONS_MAX {
        attackers.spawn(attack.clone().run(index % 2 == 0, Arc::clone(&handshakes)));
    }
    let filled = tokio::time::timeout(Duration::from_secs(120), async {
        while attack.in_flight.load(Ordering::Acquire) < HTTP_CONNECTIONS_MAX {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    assert!(
        filled.await.is_ok(),
        "the slow uploads never filled every slot"
    );

    let started = Instant::now();
    let sent = tokio::time::timeout(Duration::from_secs(5), federation.send(&letter)).await;
    let took = started.elapsed();
    let in_flight = attack.in_flight.load(Ordering::Acquire);
    attackers.shutdown().await;
    let outcome = sent.expect("no receipt within 5 s").unwrap();
    let Outcome::Delivered { receipt, .. } = outcome else {
        panic!("tolvan is reachable");
    };
    assert!(receipt.is_delivered, "{took:?}");
    assert!(
        in_flight >= HTTP_CONNECTIONS_MAX - 8,
        "the uploads stayed in flight: {in_flight}"
    );
}

/// 1 024 clients with the intermediary's own certificate that send a delivery's headers and
/// then stall or dribble the body; cut, each connects again after a pause.
#[derive(Clone)]
struct Attack {
    address: String,
    connector: tokio_rustls::TlsConnector,
    /// Connections whose headers were sent and that the server has not closed.
    in_flight: Arc<AtomicUsize>,
}

impl Attack {
    async fn run(self, is_dribbling: bool, handshakes: Arc<tokio::sync::Semaphore>) {
        loop {
            let permit = handshakes.acquire().await.unwrap();
            let connected = self.connect().await;
            drop(permit);
            if let Ok(mut stream) = connected {
                self.in_flight.fetch_add(1, Ordering::AcqRel);
                // Stalling writes nothing more; dribbling one byte a second keeps the
                // connection from idling. Either ends when the server cuts the connection.
                let mut buffer = [0_u8; 256];
                loop {
                    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut buffer);
                    match tokio::time::timeout(Duration::from_secs(1), read).await {
                        Ok(Ok(0) | Err(_)) => break,
                        Ok(Ok(_)) => {}
                        Err(_elapsed) if is_dribbling => {
                            if stream.write_all(b"<").await.is_err() {
                                break;
                            }
                        }
                        Err(_elapsed) => {}
                    }
                }
                self.in_flight.fetch_sub(1, Ordering::AcqRel);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn connect(&self) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let tcp = TcpStream::connect(&self.address).await?;
        let name = ServerName::try_from("localhost").unwrap();
        let mut stream = self.connector.connect(name, tcp).await?;
        let head = "POST /service/v3 HTTP/1.1\r\nHost: localhost\r\n\
            Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\n\
            Content-Length: 1000000\r\n\r\n<soap:Envelope";
        stream.write_all(head.as_bytes()).await?;
        stream.flush().await?;
        Ok(stream)
    }
}

/// TLS towards an operator with the demo intermediary's client certificate.
fn intermediary_connector(manifest: &kuvert::demo::Manifest) -> tokio_rustls::TlsConnector {
    kuvert_web::tls::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(&manifest.organisation_ca).unwrap() {
        roots.add(certificate.unwrap()).unwrap();
    }
    let intermediary = &manifest.intermediary;
    let chain = CertificateDer::pem_file_iter(&intermediary.certificate)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(&intermediary.key_file).unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

fn inbox_url(federation: &Federation, operator_key: &str) -> url::Url {
    let operator = federation
        .manifest()
        .operators
        .iter()
        .find(|operator| operator.organisation.key == operator_key)
        .unwrap();
    url::Url::parse(&operator.inbox_url).unwrap()
}
