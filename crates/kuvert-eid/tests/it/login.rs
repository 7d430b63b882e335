//! The whole login over real HTTP: relying party → provider's page → person choice → callback
//! → token exchange → person; plus cancel and a tampered id_token.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kuvert_eid::{AuthorizationResponse, EidError, OidcClient, PendingLogin};
use secrecy::SecretString;
use tokio::net::TcpListener;
use url::Url;

use crate::harness::{
    self, BANNER, BRITTA, CLIENT_ID, CLIENT_SECRET, Setup, TOLVAN, authorization_response,
    form_action, hidden_fields, http_client,
};

pub(crate) async fn relying_party(setup: &Setup) -> OidcClient {
    OidcClient::discover(
        setup.issuer.clone(),
        CLIENT_ID.to_owned(),
        SecretString::from(CLIENT_SECRET),
        setup.callback.clone(),
        http_client(),
    )
    .await
    .unwrap()
}

/// Drives the provider's page as a browser would: GET the page, pick `person`, press `action`,
/// follow the redirect to the callback.
pub(crate) async fn choose(
    setup: &Setup,
    client: &OidcClient,
    person: &str,
    action: &str,
) -> (PendingLogin, AuthorizationResponse) {
    let start = client.start_login();
    let page = setup.browser.get(start.authorize_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(BANNER), "every page names itself a test e-ID");
    assert!(
        html.contains("19121212-****"),
        "persons are listed with masked numbers"
    );
    let mut fields = hidden_fields(&html);
    fields.push(("person".to_owned(), person.to_owned()));
    fields.push(("action".to_owned(), action.to_owned()));
    let choice = setup
        .browser
        .post(form_action(&html))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(choice.status(), StatusCode::SEE_OTHER);
    let location = choice.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(setup.callback.as_str()),
        "redirects only to the callback"
    );
    let callback = setup.browser.get(location).send().await.unwrap();
    let query = callback.text().await.unwrap();
    (start.state, authorization_response(&query))
}

#[tokio::test]
async fn login_gives_the_chosen_person_from_the_personal_identity_number_claim() {
    let setup = harness::start().await;
    let client = relying_party(&setup).await;
    let (pending, response) = choose(&setup, &client, "1", "login").await;
    let person = client.finish_login(response, pending).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), BRITTA.0);
    assert_eq!(person.name, "Britta Bok");
}

#[tokio::test]
async fn login_reads_the_person_from_userinfo_when_the_id_token_lacks_the_claim() {
    let setup = harness::start_with(true).await;
    let client = relying_party(&setup).await;
    let (pending, response) = choose(&setup, &client, "0", "login").await;
    let person = client.finish_login(response, pending).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), TOLVAN.0);
    assert_eq!(person.name, "Tolvan Tolvansson");
}

#[tokio::test]
async fn login_reports_cancelled_when_the_person_presses_avbryt() {
    let setup = harness::start().await;
    let client = relying_party(&setup).await;
    let (pending, response) = choose(&setup, &client, "0", "cancel").await;
    assert_eq!(response.error.as_deref(), Some("access_denied"));
    let error = client.finish_login(response, pending).await.unwrap_err();
    assert!(matches!(error, EidError::Cancelled), "{error}");
}

#[tokio::test]
async fn login_rejects_a_callback_with_another_state() {
    let setup = harness::start().await;
    let client = relying_party(&setup).await;
    let (_, response) = choose(&setup, &client, "0", "login").await;
    let other_pending = client.start_login().state;
    let error = client
        .finish_login(response, other_pending)
        .await
        .unwrap_err();
    assert!(matches!(error, EidError::StateMismatch), "{error}");
}

#[tokio::test]
async fn login_fails_at_token_exchange_when_the_secret_is_wrong() {
    let setup = harness::start().await;
    let client = OidcClient::discover(
        setup.issuer.clone(),
        CLIENT_ID.to_owned(),
        SecretString::from("not the secret"),
        setup.callback.clone(),
        http_client(),
    )
    .await
    .unwrap();
    let (pending, response) = choose(&setup, &client, "0", "login").await;
    let error = client.finish_login(response, pending).await.unwrap_err();
    assert!(matches!(error, EidError::TokenExchange { .. }), "{error}");
    assert!(error.to_string().contains("invalid_client"), "{error}");
}

#[tokio::test]
async fn login_rejects_an_id_token_whose_claims_were_changed_in_transit() {
    // The provider sits behind a proxy that swaps the personnummer in the id_token payload,
    // keeping the provider's signature: the relying party must notice.
    let proxy_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}", proxy_listener.local_addr().unwrap())).unwrap();
    let callback = harness::callback_server().await;
    let ca = crate::pki::TestCa::new("Kuvert test e-ID CA");
    let provider_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = format!("http://{}", provider_listener.local_addr().unwrap());
    let provider = harness::provider(issuer.clone(), &callback, &ca);
    harness::serve(provider_listener, provider.router());
    harness::serve(
        proxy_listener,
        Router::new().fallback(tampering_proxy).with_state(backend),
    );
    let setup = Setup {
        issuer,
        callback,
        ca,
        provider,
        browser: http_client(),
    };
    let client = relying_party(&setup).await;
    let (pending, response) = choose(&setup, &client, "0", "login").await;
    let error = client.finish_login(response, pending).await.unwrap_err();
    assert!(matches!(error, EidError::IdTokenRejected { .. }), "{error}");
}

/// Forwards every request to `backend`; in a `/token` response it replaces Tolvan's number in
/// the id_token payload with Britta's.
async fn tampering_proxy(State(backend): State<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let url = format!("{backend}{}", parts.uri.path_and_query().unwrap());
    let mut forwarded = http_client().request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        if name != "host" {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.send().await.unwrap();
    let status = answer.status();
    let content_type = answer.headers().get("content-type").cloned();
    let location = answer.headers().get("location").cloned();
    let mut bytes = answer.bytes().await.unwrap();
    if parts.uri.path() == "/token" && status == StatusCode::OK {
        bytes = tamper_id_token(&bytes);
    }
    let mut response = (status, bytes).into_response();
    for (name, value) in [("content-type", content_type), ("location", location)] {
        if let Some(value) = value {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn tamper_id_token(body: &[u8]) -> Bytes {
    let mut json: serde_json::Value = serde_json::from_slice(body).unwrap();
    let id_token = json["id_token"].as_str().unwrap().to_owned();
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    assert!(payload.contains(TOLVAN.0));
    parts[1] = URL_SAFE_NO_PAD.encode(payload.replace(TOLVAN.0, BRITTA.0));
    json["id_token"] = serde_json::Value::String(parts.join("."));
    Bytes::from(serde_json::to_vec(&json).unwrap())
}
