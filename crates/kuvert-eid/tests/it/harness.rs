//! Test plumbing: the test provider and a tiny callback server on 127.0.0.1:0, an HTTP client
//! that plays the browser, and readers for the provider's HTML forms.

pub(crate) use kuvert_testenv::html_form::{form_action, hidden_fields};
use std::future::IntoFuture;

use axum::Router;
use axum::extract::RawQuery;
use axum::routing::get;
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_eid::AuthorizationResponse;
use kuvert_eid::provider::{RegisteredClient, TestEidConfig, TestEidProvider, TestPerson};
use secrecy::SecretString;
use tokio::net::TcpListener;
use url::Url;

use crate::pki::{TestCa, rsa_key};

pub(crate) const CLIENT_ID: &str = "kuvert-operator-test";
pub(crate) const CLIENT_SECRET: &str = "correct horse battery staple";
pub(crate) const BANNER: &str = "Test-e-legitimation – endast för test och demo";

/// The test persons: (personnummer, given name, surname).
pub(crate) const TOLVAN: (&str, &str, &str) = ("191212121212", "Tolvan", "Tolvansson");
pub(crate) const BRITTA: (&str, &str, &str) = ("199008252398", "Britta", "Bok");

/// A running test provider with its callback server and e-ID CA.
pub(crate) struct Setup {
    pub(crate) issuer: Url,
    pub(crate) callback: Url,
    pub(crate) ca: TestCa,
    /// The provider, for tests that rotate its key.
    pub(crate) provider: TestEidProvider,
    /// Plays the browser: never follows redirects, so tests see each hop.
    pub(crate) browser: reqwest::Client,
}

/// Starts the provider on its own port, with the callback server registered as redirect URI.
pub(crate) async fn start() -> Setup {
    start_with(false).await
}

/// Like [`start`]; `claims_only_at_userinfo` keeps the person's claims out of id_tokens.
pub(crate) async fn start_with(claims_only_at_userinfo: bool) -> Setup {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let callback = callback_server().await;
    let ca = TestCa::new("Kuvert test e-ID CA");
    let mut config = provider_config(issuer.clone(), &callback, &ca);
    config.claims_only_at_userinfo = claims_only_at_userinfo;
    let provider = TestEidProvider::new(config, &provider_key()).unwrap();
    serve(listener, provider.router());
    Setup {
        issuer,
        callback,
        ca,
        provider,
        browser: http_client(),
    }
}

/// The provider for `issuer`, with two persons who can both sign.
pub(crate) fn provider(issuer: Url, callback: &Url, ca: &TestCa) -> TestEidProvider {
    TestEidProvider::new(provider_config(issuer, callback, ca), &provider_key()).unwrap()
}

/// A fresh RSA key for id_tokens, PKCS#8 PEM.
pub(crate) fn provider_key() -> SecretString {
    SecretString::from(rsa_key().serialize_pem())
}

/// The configuration of [`provider`].
pub(crate) fn provider_config(issuer: Url, callback: &Url, ca: &TestCa) -> TestEidConfig {
    let person = |(number, given_name, surname): (&str, &str, &str)| TestPerson {
        personal_identity_number: PersonalIdentityNumber::parse(number).unwrap(),
        given_name: given_name.to_owned(),
        surname: surname.to_owned(),
        signing: Some(ca.valid_person(number, given_name, surname)),
    };
    TestEidConfig {
        issuer,
        clients: vec![RegisteredClient {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            redirect_uris: vec![callback.clone()],
        }],
        persons: vec![person(TOLVAN), person(BRITTA)],
        claims_only_at_userinfo: false,
    }
}

/// Serves `router` on `listener` until the test's runtime ends.
pub(crate) fn serve(listener: TcpListener, router: Router) {
    tokio::spawn(axum::serve(listener, router).into_future());
}

/// A callback server that answers `GET /callback` and `POST /callback` with what it got.
pub(crate) async fn callback_server() -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!(
        "http://{}/callback",
        listener.local_addr().unwrap()
    ))
    .unwrap();
    let router = Router::new().route(
        "/callback",
        get(|RawQuery(query): RawQuery| async move { query.unwrap_or_default() })
            .post(|body: String| async move { body }),
    );
    serve(listener, router);
    url
}

/// An HTTP client built the one Kuvert way (`kuvert_web::http_client`): no redirects followed,
/// so tests see each hop as a browser's address bar would. These tests speak plain HTTP to
/// 127.0.0.1, so the trusted CA is a throwaway one.
pub(crate) fn http_client() -> reqwest::Client {
    let throwaway = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let config = kuvert_web::ClientConfig {
        ca_pem: throwaway.cert.pem(),
        identity: None,
        connect_timeout: std::time::Duration::from_secs(10),
        request_timeout: std::time::Duration::from_secs(30),
    };
    kuvert_web::http_client(&config).unwrap()
}

/// Reads a callback query (or form body) into the relying party's response type.
pub(crate) fn authorization_response(query: &str) -> AuthorizationResponse {
    let mut response = AuthorizationResponse::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match name.as_ref() {
            "code" => response.code = value,
            "state" => response.state = value,
            "error" => response.error = value,
            "error_description" => response.error_description = value,
            _ => {}
        }
    }
    response
}

/// Pairs of a form body.
pub(crate) fn form_pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}
