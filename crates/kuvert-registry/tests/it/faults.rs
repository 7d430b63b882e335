//! Bad input and missing identity: each answered with its specific MM fault (PROTOCOL.md §10).

use axum::body::Body;
use http_body_util::BodyExt as _;
use kuvert_wire::envelope;
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::error::WireError;
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_wire::recipient::IsReachableResponse;
use tower::ServiceExt as _;

use crate::harness::*;

const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const R3: &str = "http://minameddelanden.gov.se/schema/Recipient/v3";

fn is_reachable_xml(sender: &str, ids: &[String]) -> String {
    let ids: String = ids
        .iter()
        .map(|id| format!("<recipientId>{id}</recipientId>"))
        .collect();
    format!(
        "<s:Envelope xmlns:s=\"{SOAP}\"><s:Body><isReachable xmlns=\"{R3}\">\
         <senderOrgNr>16{sender}</senderOrgNr>{ids}</isReachable></s:Body></s:Envelope>"
    )
}

async fn fault_of(registry: &Registry, key: &str, path: &str, body: String) -> Fault {
    let (status, text) = registry.post(key, path, body).await;
    assert_eq!(status, 500);
    fault_in(&text)
}

fn fault_in(text: &str) -> Fault {
    let document = envelope::parse(text).unwrap();
    match IsReachableResponse::from_envelope(&document) {
        Err(WireError::Fault(fault)) => *fault,
        other => panic!("expected an MM fault, got {other:?}"),
    }
}

#[tokio::test]
async fn is_reachable_rejects_1001_ids() {
    let registry = Registry::start().await;
    let ids: Vec<String> = (0..1001).map(|_| ANNA.to_owned()).collect();
    let body = is_reachable_xml(MUNICIPALITY, &ids);
    let fault = fault_of(&registry, "intermediary", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::MAX_EXCEEDED);
    let ids: Vec<String> = (0..1000).map(|_| ANNA.to_owned()).collect();
    let body = is_reachable_xml(MUNICIPALITY, &ids);
    let (status, _) = registry
        .post("intermediary", "/ec/Recipient/v3", body)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn is_reachable_rejects_an_invalid_personnummer() {
    let registry = Registry::start().await;
    let body = is_reachable_xml(MUNICIPALITY, &["198112189877".to_owned()]);
    let fault = fault_of(&registry, "intermediary", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::INVALID_INPUT);
    assert!(
        !fault.description.contains("198112189877"),
        "never echo identity numbers"
    );
}

#[tokio::test]
async fn malformed_xml_is_invalid_input() {
    let registry = Registry::start().await;
    let body = "<s:Envelope xmlns:s=\"x\"><unclosed>".to_owned();
    let fault = fault_of(&registry, "intermediary", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::INVALID_INPUT);
}

#[tokio::test]
async fn a_doctype_is_refused() {
    let registry = Registry::start().await;
    let body = format!(
        "<!DOCTYPE s:Envelope [<!ENTITY x \"y\">]>{}",
        is_reachable_xml(MUNICIPALITY, &[ANNA.to_owned()])
    );
    let fault = fault_of(&registry, "intermediary", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::INVALID_INPUT);
}

#[tokio::test]
async fn an_unknown_operation_is_invalid_input() {
    let registry = Registry::start().await;
    let body = format!(
        "<s:Envelope xmlns:s=\"{SOAP}\"><s:Body><flagRemovedAccounts xmlns=\"{R3}\"/>\
         </s:Body></s:Envelope>"
    );
    let fault = fault_of(&registry, "operator-a", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::INVALID_INPUT);
}

#[tokio::test]
async fn an_envelope_over_the_bound_is_max_exceeded() {
    let registry = Registry::start().await;
    let padding = "x".repeat(3 * 1024 * 1024);
    let body = format!("<!-- {padding} -->{}", is_reachable_xml(MUNICIPALITY, &[]));
    let fault = fault_of(&registry, "intermediary", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::MAX_EXCEEDED);
}

#[tokio::test]
async fn a_request_without_a_client_certificate_is_access_denied() {
    let registry = Registry::start().await;
    for path in ["/ec/Recipient/v3", "/ec/Authority"] {
        let request = http::Request::post(path)
            .header("content-type", "text/xml")
            .body(Body::from(is_reachable_xml(
                MUNICIPALITY,
                &[ANNA.to_owned()],
            )))
            .unwrap();
        let response = registry.service.router().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 500);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let fault = fault_in(std::str::from_utf8(&bytes).unwrap());
        assert_eq!(fault.code, FaultCode::ACCESS_DENIED);
    }
}

#[tokio::test]
async fn a_client_certificate_of_an_unknown_organisation_is_no_approved_intermediary() {
    let registry = Registry::start().await;
    let body = is_reachable_xml(MUNICIPALITY, &[ANNA.to_owned()]);
    let fault = fault_of(&registry, "stranger", "/ec/Recipient/v3", body).await;
    assert_eq!(fault.code, FaultCode::DISPATCHER_NOT_APPROVED);
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused_at_the_handshake() {
    let registry = Registry::start().await;
    let person = pki().person("anna").unwrap();
    let config = kuvert_web::ClientConfig {
        ca_pem: pki().organisation_ca_pem().to_owned(),
        identity: Some((
            person.certificate_pem().to_owned(),
            person.key_pem().clone(),
        )),
        connect_timeout: std::time::Duration::from_secs(10),
        request_timeout: std::time::Duration::from_secs(30),
    };
    let client = kuvert_web::http_client(&config).unwrap();
    let sent = client
        .post(format!("{}/ec/Recipient/v3", registry.base_url))
        .body(is_reachable_xml(MUNICIPALITY, &[ANNA.to_owned()]))
        .send()
        .await;
    assert!(
        sent.is_err(),
        "an e-ID person certificate must not identify an organisation"
    );
}
