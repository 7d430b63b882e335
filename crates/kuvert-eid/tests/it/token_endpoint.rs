//! The provider's `/token` refuses what RFC 6749 and RFC 7636 say it must: a wrong PKCE
//! verifier, a reused code, another redirect URI, a wrong client secret.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::harness::{self, CLIENT_ID, CLIENT_SECRET, Setup, authorization_response};

const VERIFIER: &str = "a-pkce-verifier-that-is-long-enough-to-be-valid-0123456789";

/// Logs Tolvan in with PKCE challenge of `verifier` and returns the code.
async fn code_for(setup: &Setup, verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(digest.as_ref());
    let fields = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", setup.callback.as_str()),
        ("scope", "openid profile"),
        ("state", "state-1"),
        ("nonce", "nonce-1"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("person", "0"),
        ("action", "login"),
    ];
    let url = setup.issuer.join("authorize").unwrap();
    let answer = setup.browser.post(url).form(&fields).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let response = authorization_response(location.query().unwrap());
    assert_eq!(response.state.as_deref(), Some("state-1"));
    response.code.unwrap()
}

async fn exchange(
    setup: &Setup,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
    secret: &str,
) -> (StatusCode, Value) {
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    let answer = setup
        .browser
        .post(setup.issuer.join("token").unwrap())
        .basic_auth(CLIENT_ID, Some(secret))
        .form(&fields)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap())
}

#[tokio::test]
async fn token_issues_an_id_token_for_a_correct_exchange() {
    let setup = harness::start().await;
    let code = code_for(&setup, VERIFIER).await;
    let (status, body) = exchange(
        &setup,
        &code,
        VERIFIER,
        setup.callback.as_str(),
        CLIENT_SECRET,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["id_token"].as_str().unwrap().split('.').count(), 3);
}

#[tokio::test]
async fn token_rejects_a_wrong_pkce_verifier() {
    let setup = harness::start().await;
    let code = code_for(&setup, VERIFIER).await;
    let wrong = "another-pkce-verifier-that-is-also-long-enough-0123456789";
    let (status, body) =
        exchange(&setup, &code, wrong, setup.callback.as_str(), CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn token_rejects_a_code_used_twice() {
    let setup = harness::start().await;
    let code = code_for(&setup, VERIFIER).await;
    let redirect_uri = setup.callback.as_str();
    let (first, _) = exchange(&setup, &code, VERIFIER, redirect_uri, CLIENT_SECRET).await;
    assert_eq!(first, StatusCode::OK);
    let (second, body) = exchange(&setup, &code, VERIFIER, redirect_uri, CLIENT_SECRET).await;
    assert_eq!(second, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn token_rejects_another_redirect_uri_than_the_authorization_request_had() {
    let setup = harness::start().await;
    let code = code_for(&setup, VERIFIER).await;
    let other = "http://127.0.0.1:9/elsewhere";
    let (status, body) = exchange(&setup, &code, VERIFIER, other, CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn token_rejects_a_wrong_client_secret() {
    let setup = harness::start().await;
    let code = code_for(&setup, VERIFIER).await;
    let (status, body) = exchange(
        &setup,
        &code,
        VERIFIER,
        setup.callback.as_str(),
        "wrong secret",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn authorize_refuses_an_unregistered_redirect_uri_without_redirecting() {
    let setup = harness::start().await;
    let mut url = setup.issuer.join("authorize").unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", "http://attacker.invalid/callback")
        .append_pair("scope", "openid")
        .append_pair("code_challenge", &"x".repeat(43))
        .append_pair("code_challenge_method", "S256");
    let answer = setup.browser.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.headers().get("location").is_none());
    assert!(answer.text().await.unwrap().contains(harness::BANNER));
}

#[tokio::test]
async fn token_keeps_the_person_out_of_the_id_token_when_claims_are_only_at_userinfo() {
    let setup = harness::start_with(true).await;
    let code = code_for(&setup, VERIFIER).await;
    let (status, body) = exchange(
        &setup,
        &code,
        VERIFIER,
        setup.callback.as_str(),
        CLIENT_SECRET,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let payload = body["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(claims.get("sub").is_some());
    assert!(
        claims
            .get("https://id.oidc.se/claim/personalIdentityNumber")
            .is_none()
    );
    let userinfo = setup
        .browser
        .get(setup.issuer.join("userinfo").unwrap())
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let userinfo: Value = userinfo.json().await.unwrap();
    assert_eq!(
        userinfo["https://id.oidc.se/claim/personalIdentityNumber"],
        harness::TOLVAN.0
    );
    assert_eq!(userinfo["sub"], claims["sub"]);
}
