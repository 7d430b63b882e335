//! Key usage and revocation at the mutual-TLS handshake: a client certificate without
//! clientAuth, a revoked one, one whose CRL is stale (under both policies), and a CRL file
//! replaced while the server runs. Each refusal reaches the client as its own TLS alert.

use std::time::Duration;

use kuvert_core::id::OrganisationNumber;
use kuvert_pki::{Credential, CrlValidity, LeafOptions, LeafUsage, OrganisationSpec};
use kuvert_web::crl::{CrlConfig, CrlRefresher, StaleCrl};
use kuvert_web::{Listener, Shutdown, serve};
use kuvert_xmldsig::revocation::{Crl, CrlSet, StaleCrlPolicy};
use kuvert_xmldsig::trust::TrustAnchors;

use crate::{Server, client, pki, router, server_tls};

/// A mutual-TLS server checking client certificates against `crls`.
async fn start_checking(crls: Option<CrlSet>) -> Server {
    let tls = server_tls(Some(pki().organisation_ca_pem().to_owned()));
    let mut listener = Listener::bind("127.0.0.1:0".parse().unwrap(), tls)
        .await
        .unwrap();
    if let Some(crls) = crls {
        listener = listener.with_client_crls(crls).unwrap();
    }
    let addr = listener.local_addr().unwrap();
    let shutdown = Shutdown::new();
    let task = tokio::spawn(serve(listener, router(), shutdown.clone()));
    Server {
        addr,
        shutdown,
        task,
    }
}

/// A set holding one CRL of the organisation CA that revokes `revoked`.
fn crls(revoked: &[&Credential], validity: CrlValidity, policy: StaleCrlPolicy) -> CrlSet {
    let serials: Vec<_> = revoked
        .iter()
        .map(|credential| credential.serial())
        .collect();
    let pem = pki().organisation_crl_pem(&serials, validity).unwrap();
    let anchors = TrustAnchors::from_pem(pki().organisation_ca_pem()).unwrap();
    let set = CrlSet::new(policy);
    for crl in Crl::all_from_pem(&pem, &anchors).unwrap() {
        set.insert(crl);
    }
    set
}

fn fresh() -> CrlValidity {
    CrlValidity::from_now(time::Duration::days(1))
}

/// The outcome of `GET /caller` with `identity`: the status, or the error chain.
async fn call(server: &Server, identity: &Credential) -> Result<u16, String> {
    client(Some(identity))
        .get(server.url("https", "/caller"))
        .send()
        .await
        .map(|response| response.status().as_u16())
        .map_err(|error| kuvert_core::report::error_chain(&error))
}

fn caller() -> &'static Credential {
    pki().organisation("caller").unwrap()
}

/// The other organisation of the PKI, never revoked here, as a second client.
fn bystander() -> &'static Credential {
    pki().organisation("server").unwrap()
}

#[tokio::test]
async fn revoked_client_certificate_is_refused_at_the_handshake() {
    let set = crls(&[caller()], fresh(), StaleCrlPolicy::Refuse);
    let server = start_checking(Some(set)).await;
    let error = call(&server, caller()).await.unwrap_err();
    assert!(error.contains("CertificateRevoked"), "{error}");
    assert_eq!(call(&server, bystander()).await, Ok(200));
    server.stop().await;
}

#[tokio::test]
async fn client_certificate_without_client_auth_is_refused_at_the_handshake() {
    let options = LeafOptions {
        usage: LeafUsage::ServerAuthOnly,
        validity: None,
    };
    let spec = OrganisationSpec {
        key: "server-only".to_owned(),
        name: "Org server-only".to_owned(),
        number: OrganisationNumber::parse("2021004748").unwrap(),
        host_names: vec![],
    };
    let server_only = pki().issue_organisation(&spec, &options).unwrap();
    // Without CRLs too: usage is checked on every mutual-TLS listener.
    let server = start_checking(None).await;
    let error = call(&server, &server_only).await.unwrap_err();
    assert!(error.contains("UnsupportedCertificate"), "{error}");
    assert_eq!(call(&server, caller()).await, Ok(200));
    server.stop().await;
}

#[tokio::test]
async fn stale_crl_refuses_by_default_and_accepts_when_configured() {
    let now = time::OffsetDateTime::now_utc();
    let stale = CrlValidity {
        this_update: now - time::Duration::days(2),
        next_update: now - time::Duration::days(1),
    };
    let server = start_checking(Some(crls(&[], stale, StaleCrlPolicy::Refuse))).await;
    let error = call(&server, caller()).await.unwrap_err();
    assert!(error.contains("UnknownCA"), "{error}");
    server.stop().await;

    let policy = StaleCrlPolicy::AcceptWithWarning;
    let server = start_checking(Some(crls(&[], stale, policy))).await;
    assert_eq!(call(&server, caller()).await, Ok(200));
    server.stop().await;

    // A stale CRL that lists the certificate still revokes it.
    let server = start_checking(Some(crls(&[caller()], stale, policy))).await;
    let error = call(&server, caller()).await.unwrap_err();
    assert!(error.contains("CertificateRevoked"), "{error}");
    server.stop().await;
}

#[tokio::test]
async fn a_replaced_crl_file_applies_after_the_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org-ca.crl.pem");
    let write = |revoked: &[&Credential], validity: CrlValidity| {
        let serials: Vec<_> = revoked
            .iter()
            .map(|credential| credential.serial())
            .collect();
        std::fs::write(
            &path,
            pki().organisation_crl_pem(&serials, validity).unwrap(),
        )
        .unwrap();
    };
    write(&[], fresh());
    let config = CrlConfig {
        files: vec![path.clone()],
        urls: vec![],
        refresh_secs: 3_600,
        stale_crl: StaleCrl::Refuse,
    };
    let refresher = CrlRefresher::start(&config, pki().organisation_ca_pem(), None)
        .await
        .unwrap()
        .unwrap();
    let server = start_checking(Some(refresher.crls())).await;
    assert_eq!(call(&server, caller()).await, Ok(200));

    // A later CRL revokes the caller; the same listener refuses it after the refresh.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    write(&[caller()], fresh());
    assert!(refresher.refresh().await.is_empty());
    let error = call(&server, caller()).await.unwrap_err();
    assert!(error.contains("CertificateRevoked"), "{error}");
    server.stop().await;
}

#[tokio::test]
async fn a_crl_from_a_look_alike_ca_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rogue.crl.pem");
    let rogue = crate::foreign_pki()
        .organisation_crl_pem(&[], fresh())
        .unwrap();
    std::fs::write(&path, rogue).unwrap();
    let config = CrlConfig {
        files: vec![path],
        ..CrlConfig::default()
    };
    let error = CrlRefresher::start(&config, pki().organisation_ca_pem(), None)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("signature no anchor of that name verifies"),
        "{error}"
    );
}
