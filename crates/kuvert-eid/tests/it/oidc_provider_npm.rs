//! The relying party against a certified OpenID provider: npm `oidc-provider` as set up by
//! `tools/node/oidc-provider.mjs` (dynamic registration, dev login and consent forms).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use kuvert_eid::OidcClient;
use url::Url;

use crate::harness::{self, authorization_response, http_client};

const PERSON: &str = "198112189876";

/// A browser over plain HTTP with a cookie jar that ignores paths (one provider, one host).
struct Browser {
    client: reqwest::Client,
    jar: BTreeMap<String, String>,
}

impl Browser {
    async fn get(&mut self, url: &Url) -> reqwest::Response {
        let request = self.client.get(url.clone());
        self.send(request).await
    }

    async fn post_form(&mut self, url: &Url, fields: &[(&str, &str)]) -> reqwest::Response {
        let request = self.client.post(url.clone()).form(fields);
        self.send(request).await
    }

    async fn send(&mut self, mut request: reqwest::RequestBuilder) -> reqwest::Response {
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self
                .jar
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        for cookie in response.headers().get_all("set-cookie") {
            let pair = cookie.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.jar.insert(name.to_owned(), value.to_owned());
        }
        response
    }
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
    let mut browser = Browser {
        client: http_client(),
        jar: BTreeMap::new(),
    };

    let login = redirect_target(&browser.get(&start.authorize_url).await, &issuer);
    let login_page = browser.get(&login).await;
    assert_eq!(login_page.status(), StatusCode::OK);
    let fields = [("prompt", "login"), ("login", PERSON), ("password", "any")];
    let resume = redirect_target(&browser.post_form(&login, &fields).await, &issuer);
    let consent = redirect_target(&browser.get(&resume).await, &issuer);
    let resume = redirect_target(
        &browser.post_form(&consent, &[("prompt", "consent")]).await,
        &issuer,
    );
    let back = redirect_target(&browser.get(&resume).await, &issuer);
    assert!(back.as_str().starts_with(callback.as_str()));

    let response = authorization_response(back.query().unwrap());
    let person = client.finish_login(response, start.state).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), PERSON);
    assert_eq!(person.name, "Test Person 9876");
}
