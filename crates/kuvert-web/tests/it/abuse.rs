//! Bounded under abuse, over real TCP: header, body and idle timeouts close slow clients;
//! 1 024 stalled uploads do not keep an honest request out; a client certificate over its
//! rate limit gets 429 (fault 5005 for SOAP) with `Retry-After` while another is served.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use kuvert_core::limits::HTTP_CONNECTIONS_MAX;
use kuvert_web::layers::standard_layers;
use kuvert_web::rate_limit::{RateLimit, RateLimiter};
use kuvert_web::{ConnectionTimeouts, Listener, ListenerTls, Shutdown, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Server, client, pki, server_tls, start};

/// Echoes a posted body; says hello to a GET.
fn routes() -> Router {
    let routes = Router::new()
        .route("/echo", post(|body: String| async move { body }))
        .route("/hello", get(|| async { "hello" }));
    standard_layers(routes, 1024 * 1024)
}

async fn start_with(timeouts: ConnectionTimeouts, router: Router) -> Server {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), ListenerTls::Plain)
        .await
        .unwrap()
        .with_timeouts(timeouts);
    let addr = listener.local_addr().unwrap();
    let shutdown = Shutdown::new();
    let task = tokio::spawn(serve(listener, router, shutdown.clone()));
    Server {
        addr,
        shutdown,
        task,
    }
}

const SHORT: ConnectionTimeouts = ConnectionTimeouts {
    header: Duration::from_millis(300),
    body: Duration::from_millis(800),
    idle: Duration::from_millis(500),
};

/// Reads until the server closes the connection (or 5 s pass); what it said and how long.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer));
    let closed = read.await;
    assert!(closed.is_ok(), "the server kept a slow connection open");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_after_the_header_timeout() {
    let server = start_with(SHORT, routes()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (_, waited) = until_closed(&mut stream).await;
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_dribbled_body_is_answered_408_after_the_body_timeout() {
    let server = start_with(SHORT, routes()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    // One byte every 100 ms keeps the connection from idling, never finishing the body.
    let dribble = async {
        for _ in 0..40 {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(2), dribble)
        .await
        .ok();
    let (answer, _) = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_body_and_a_silent_kept_alive_connection_are_closed() {
    let server = start_with(SHORT, routes()).await;
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nxx";
    stalled.write_all(head.as_bytes()).await.unwrap();
    let (_, waited) = until_closed(&mut stalled).await;
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, waited) = until_closed(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("hello"), "{answer}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_uploads_on_every_slot_do_not_keep_an_honest_request_out() {
    // Default timeouts: only the connection table's rule lets the honest request in.
    let server = start_with(ConnectionTimeouts::default(), routes()).await;
    let mut stalled = Vec::with_capacity(HTTP_CONNECTIONS_MAX);
    for _ in 0..HTTP_CONNECTIONS_MAX {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nx";
        stream.write_all(head.as_bytes()).await.unwrap();
        stalled.push(stream);
    }
    // Let the server accept them all before the honest request.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let response = client(None)
        .post(format!("http://127.0.0.1:{}/echo", server.addr.port()))
        .body("honest")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "honest");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(stalled);
    server.stop().await;
}

#[tokio::test]
async fn a_certificate_over_its_rate_gets_429_or_fault_5005_and_another_is_served() {
    let limiter = RateLimiter::new(Some(RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(2).unwrap(),
    }));
    let server_tls = server_tls(Some(pki().organisation_ca_pem().to_owned()));
    let server = start(server_tls, limiter.apply(routes())).await;
    let greedy = client(Some(pki().organisation("caller").unwrap()));
    let hello = server.url("https", "/hello");
    for _ in 0..2 {
        let response = greedy.get(&hello).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let refused = greedy.get(&hello).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let soap = greedy
        .post(server.url("https", "/echo"))
        .header("content-type", "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body("<soap:Envelope/>")
        .send()
        .await
        .unwrap();
    assert_eq!(soap.status(), 500);
    assert!(soap.headers().contains_key("retry-after"));
    let fault = soap.text().await.unwrap();
    assert!(
        fault.contains("<ErrorCode>5005</ErrorCode>") || fault.contains(">5005<"),
        "{fault}"
    );

    let other = client(Some(pki().organisation("server").unwrap()));
    let response = other.get(&hello).send().await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "another certificate has its own bucket"
    );
    server.stop().await;
}
