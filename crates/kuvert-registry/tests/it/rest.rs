//! The REST API: reachability with problem+json errors, registration with a source, the
//! directory lists and the OpenAPI document.

use axum::body::Body;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::harness::*;

pub(crate) async fn post_json(
    registry: &Registry,
    key: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = registry
        .client(key)
        .post(format!("{}{path}", registry.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub(crate) fn signature_json(person_key: &str, text: &str) -> Value {
    use base64::Engine as _;
    let data = sign(person_key, text);
    json!({
        "signature": base64::engine::general_purpose::STANDARD.encode(&data.signature),
        "certificate": data.certificate,
        "nonce": data.nonce,
    })
}

#[tokio::test]
async fn rest_registration_with_a_source_makes_the_recipient_reachable() {
    let registry = Registry::start().await;
    let text = bound(BoundAction::Register, &person(CECILIA), DOMAIN_A);
    let register = json!({
        "recipient": CECILIA,
        "operator_domain": DOMAIN_A,
        "agreement_text": text,
        "signatures": [signature_json("cecilia", &text)],
        "source": { "sender": MUNICIPALITY, "campaign": "vinter-2026" },
    });
    let (status, outcome) = post_json(
        &registry,
        "operator-a",
        "/api/v1/profiles/register",
        register,
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["status"], "Complete");
    let asked = json!({ "sender": MUNICIPALITY, "recipients": [CECILIA, ANNA] });
    let (status, answer) =
        post_json(&registry, "intermediary", "/api/v1/reachability", asked).await;
    assert_eq!(status, 200);
    assert_eq!(answer[0]["is_reachable"], true);
    assert_eq!(answer[0]["profile"]["operator"]["domain"], DOMAIN_A);
    assert_eq!(answer[1]["is_reachable"], false);
    assert_eq!(answer[1]["profile"], Value::Null);
}

#[tokio::test]
async fn rest_errors_are_problem_json_with_the_mm_code() {
    let registry = Registry::start().await;
    let asked = json!({ "sender": AGENCY, "recipients": [ANNA] });
    let response = registry
        .client("intermediary")
        .post(format!("{}/api/v1/reachability", registry.base_url))
        .json(&asked)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], 6005);
    assert!(problem["call_id"].as_str().unwrap().len() >= 20);
    let ids: Vec<&str> = (0..1001).map(|_| ANNA).collect();
    let asked = json!({ "sender": MUNICIPALITY, "recipients": ids });
    let (status, problem) =
        post_json(&registry, "intermediary", "/api/v1/reachability", asked).await;
    assert_eq!(status, 413);
    assert_eq!(problem["code"], 5005);
    let asked = json!({ "sender": MUNICIPALITY, "recipients": ["198112189877"] });
    let (status, problem) =
        post_json(&registry, "intermediary", "/api/v1/reachability", asked).await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], 5001);
}

#[tokio::test]
async fn rest_lists_senders_intermediaries_and_operators() {
    let registry = Registry::start().await;
    for (path, count) in [
        ("/api/v1/senders", 2),
        ("/api/v1/intermediaries", 1),
        ("/api/v1/operators", 2),
    ] {
        let response = registry
            .client("operator-a")
            .get(format!("{}{path}", registry.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let list: Value = response.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), count, "{path}");
    }
}

/// Who sends digital mail is public: the REST list of senders is answered to an organisation
/// of the federation the registry knows in no role (the portal), while its other lists, like
/// the SOAP `getSenders`, stay for known organisations.
#[tokio::test]
async fn rest_senders_are_answered_to_any_verified_organisation_other_lists_are_not() {
    let registry = Registry::start().await;
    let get = |path: &str| {
        registry
            .client("stranger")
            .get(format!("{}{path}", registry.base_url))
            .send()
    };
    let response = get("/api/v1/senders").await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let list: Value = response.json().await.unwrap();
    let numbers: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|sender| sender["id"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2, "{list}");
    assert!(numbers.contains(&AGENCY), "{list}");
    for path in ["/api/v1/intermediaries", "/api/v1/operators"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], 5002, "{path}");
    }
}

#[tokio::test]
async fn openapi_describes_the_rest_routes() {
    let registry = Registry::start().await;
    let request = http::Request::get("/openapi.json")
        .body(Body::empty())
        .unwrap();
    let response = registry.service.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(document["paths"]["/api/v1/reachability"]["post"].is_object());
    assert!(document["paths"]["/api/v1/profiles/register"]["post"].is_object());
    let senders = &document["paths"]["/api/v1/senders"]["get"];
    let description = senders["description"].as_str().unwrap();
    assert!(
        description.contains("any organisation with a verified"),
        "{senders}"
    );
}

#[tokio::test]
async fn rest_without_a_client_certificate_is_access_denied() {
    let registry = Registry::start().await;
    let request = http::Request::get("/api/v1/senders")
        .body(Body::empty())
        .unwrap();
    let response = registry.service.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 403);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let problem: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(problem["code"], 5002);
}
