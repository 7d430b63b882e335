//! Standard layers, health and metrics over plain HTTP, and graceful shutdown.

use axum::Router;
use kuvert_web::ListenerTls;
use kuvert_web::health::{Readiness, admin_router, prometheus_handle};
use kuvert_web::layers::CONTENT_SECURITY_POLICY;

use crate::{client, router, start};

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let server = start(ListenerTls::Plain, router()).await;
    let response = client(None)
        .get(server.url("http", "/hello"))
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    server.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let server = start(ListenerTls::Plain, router()).await;
    let http = client(None);
    let response = http.get(server.url("http", "/panic")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert!(response.headers().contains_key("content-security-policy"));
    assert_eq!(response.text().await.unwrap(), "internal server error");
    let response = http.get(server.url("http", "/hello")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "hello");
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let routes = Router::new().route("/echo", axum::routing::post(|body: String| async { body }));
    let server = start(
        ListenerTls::Plain,
        kuvert_web::layers::standard_layers(routes, 1024),
    )
    .await;
    let http = client(None);
    let response = http
        .post(server.url("http", "/echo"))
        .body("x".repeat(2000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let response = http
        .post(server.url("http", "/echo"))
        .body("small")
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "small");
    server.stop().await;
}

#[tokio::test]
async fn readyz_fails_when_the_database_or_blob_folder_is_gone_and_metrics_render() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ready.db").display()
    );
    let database = kuvert_store::Database::connect(&url).await.unwrap();
    let letters = dir.path().join("letters");
    let blobs = kuvert_store::blob::LocalBlobStore::open(&letters).unwrap();
    let readiness = Readiness::new(database.clone()).with_blobs(std::sync::Arc::new(blobs));
    let server = start(ListenerTls::Plain, admin_router(readiness)).await;
    let http = client(None);
    let status = async |path: &str| {
        let response = http.get(server.url("http", path)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(status("/healthz").await.0, 200);
    assert_eq!(status("/readyz").await, (200, "ready".to_owned()));
    std::fs::remove_dir_all(&letters).unwrap();
    let (code, text) = status("/readyz").await;
    assert_eq!(code, 503, "{text}");
    assert!(text.contains("blob store"), "{text}");
    std::fs::create_dir_all(&letters).unwrap();
    assert_eq!(status("/readyz").await.0, 200, "ready again");
    database.close().await;
    let (code, text) = status("/readyz").await;
    assert_eq!(code, 503, "{text}");
    assert!(text.contains("database"), "{text}");
    assert_eq!(
        status("/healthz").await.0,
        200,
        "alive without its database"
    );
    metrics::counter!("kuvert_web_test_total").increment(1);
    let (code, metrics) = status("/metrics").await;
    assert_eq!(code, 200);
    assert!(metrics.contains("kuvert_web_test_total"), "{metrics}");
    assert!(
        prometheus_handle().is_ok(),
        "a second call returns the installed handle"
    );
    server.stop().await;
}

#[tokio::test]
async fn shutdown_ends_serve_with_an_idle_connection_open() {
    let server = start(ListenerTls::Plain, router()).await;
    let http = client(None);
    let response = http.get(server.url("http", "/hello")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "hello");
    // The client keeps the connection in its pool; serve must still return.
    server.stop().await;
}

#[tokio::test]
async fn form_targets_join_form_action_and_the_rest_of_the_policy_stays() {
    let targets = [
        url::Url::parse("https://eid.example:8443/sign?x=1").unwrap(),
        url::Url::parse("https://eid.example:8443/authorize").unwrap(),
    ];
    let hello = Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    let routes = kuvert_web::layers::with_form_targets(hello, &targets);
    let routes = kuvert_web::layers::standard_layers(routes, 1024);
    let server = start(ListenerTls::Plain, routes).await;
    let response = client(None)
        .get(server.url("http", "/hello"))
        .send()
        .await
        .unwrap();
    let expected = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        "form-action 'self' https://eid.example:8443",
    );
    assert_ne!(expected, CONTENT_SECURITY_POLICY);
    assert_eq!(
        response.headers()["content-security-policy"],
        expected.as_str()
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    server.stop().await;
}

#[tokio::test]
async fn serve_tells_handlers_the_tcp_peer_address() {
    use axum::extract::ConnectInfo;
    use axum::routing::get;
    let peer = |ConnectInfo(address): ConnectInfo<std::net::SocketAddr>| async move {
        address.ip().to_string()
    };
    let server = start(ListenerTls::Plain, Router::new().route("/peer", get(peer))).await;
    let response = client(None)
        .get(server.url("http", "/peer"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "127.0.0.1");
    server.stop().await;
}
