//! Mutual TLS: who may connect and what the handler learns about the caller.

use crate::{client, foreign_pki, pki, router, server_tls, start};

#[tokio::test]
async fn caller_organisation_is_read_from_the_client_certificate() {
    let server = start(
        server_tls(Some(pki().organisation_ca_pem().to_owned())),
        router(),
    )
    .await;
    let caller = client(Some(pki().organisation("caller").unwrap()));
    let response = caller
        .get(server.url("https", "/caller"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "2021004748");
    server.stop().await;
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_certificate() {
    let server = start(
        server_tls(Some(pki().organisation_ca_pem().to_owned())),
        router(),
    )
    .await;
    let result = client(None)
        .get(server.url("https", "/caller"))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    server.stop().await;
}

#[tokio::test]
async fn mutual_tls_refuses_a_certificate_from_a_foreign_ca() {
    let server = start(
        server_tls(Some(pki().organisation_ca_pem().to_owned())),
        router(),
    )
    .await;
    let foreign = foreign_pki().organisation("caller").unwrap();
    let result = client(Some(foreign))
        .get(server.url("https", "/caller"))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    // The server still serves trusted callers afterwards.
    let caller = client(Some(pki().organisation("caller").unwrap()));
    let response = caller
        .get(server.url("https", "/caller"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;
}

/// An e-ID person certificate has no extended key usage clientAuth (PROTOCOL.md §8), so even
/// a listener trusting the e-ID CA refuses it at the handshake, before any route runs.
#[tokio::test]
async fn a_person_certificate_is_refused_at_the_handshake() {
    let client_cas = format!("{}{}", pki().organisation_ca_pem(), pki().eid_ca_pem());
    let server = start(server_tls(Some(client_cas)), router()).await;
    let person = client(Some(pki().person("tolvan").unwrap()));
    let error = person
        .get(server.url("https", "/caller"))
        .send()
        .await
        .unwrap_err();
    let chain = kuvert_core::report::error_chain(&error);
    assert!(chain.contains("UnsupportedCertificate"), "{chain}");
    server.stop().await;
}

#[tokio::test]
async fn caller_organisation_is_refused_without_tls_client_certificate() {
    let server = start(server_tls(None), router()).await;
    let response = client(None)
        .get(server.url("https", "/caller"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.text().await.unwrap(), "no client certificate");
    let hello = client(None)
        .get(server.url("https", "/hello"))
        .send()
        .await
        .unwrap();
    assert_eq!(hello.text().await.unwrap(), "hello");
    server.stop().await;
}
