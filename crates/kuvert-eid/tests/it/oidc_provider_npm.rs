//! The relying party against a certified OpenID provider: npm `oidc-provider` as set up by
//! `tools/node/oidc-provider.mjs` (dynamic registration, dev login and consent forms).

use axum::http::StatusCode;
use kuvert_eid::OidcClient;
use kuvert_testenv::browser::Browser;
use url::Url;

use crate::harness::{self, authorization_response, http_client};

const PERSON: &str = "198112189876";

/// A form's fields as the shared browser posts them.
fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// The `Location` of a 303, resolved against `base`.
fn redirect_target(response: &reqwest::Response, base: &Url) -> Url {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect"
    );
    base.join(response.headers()["location"].to_str().unwrap())
        .unwrap()
}

#[tokio::test]
async fn login_at_oidc_provider_gives_the_personal_identity_number_claim() {
    let Some(issuer) = kuvert_testenv::external(
        "OIDC_ISSUER",
        "the relying party against npm oidc-provider (registration, login, claims)",
    ) else {
        return;
    };
    let issuer = Url::parse(issuer.trim()).unwrap();
    let callback = harness::callback_server().await;
    let client = OidcClient::register_dynamic(issuer.clone(), callback.clone(), http_client())
        .await
        .unwrap();
    let start = client.start_login();
    let browser = Browser::with_client(http_client());

    let login = redirect_target(&browser.get(start.authorize_url.as_str()).await, &issuer);
    let login_page = browser.get(login.as_str()).await;
    assert_eq!(login_page.status(), StatusCode::OK);
    let login_form = fields(&[("prompt", "login"), ("login", PERSON), ("password", "any")]);
    let resume = redirect_target(
        &browser.post_form(login.as_str(), &login_form).await,
        &issuer,
    );
    let consent = redirect_target(&browser.get(resume.as_str()).await, &issuer);
    let consent_form = fields(&[("prompt", "consent")]);
    let resume = redirect_target(
        &browser.post_form(consent.as_str(), &consent_form).await,
        &issuer,
    );
    let back = redirect_target(&browser.get(resume.as_str()).await, &issuer);
    assert!(back.as_str().starts_with(callback.as_str()));

    let response = authorization_response(back.query().unwrap());
    let person = client.finish_login(response, start.state).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), PERSON);
    assert_eq!(person.name, "Test Person 9876");
}
