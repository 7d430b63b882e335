//! The operators' web login against npm `oidc-provider` (an OpenID Certified provider, set up
//! by `tools/node/oidc-provider.mjs`), not only against our own test e-ID: each operator
//! registers its client there dynamically, and a person logs in with their personnummer at
//! the provider's login and consent pages and then sees their inbox.

use kuvert::seed;
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_sender::Outcome;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use url::Url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_login_works_against_npm_oidc_provider() {
    let Some(issuer) =
        kuvert_testenv::external("OIDC_ISSUER", "the inbox login against npm oidc-provider")
    else {
        return;
    };
    let issuer = Url::parse(&issuer).unwrap();
    let federation = Federation::start(FederationOptions {
        oidc_issuer: Some(issuer.clone()),
        ..FederationOptions::default()
    })
    .await;
    let person = seed::person("tolvan").unwrap();
    let subject = "Beslut via oidc-provider";
    let letter = federation.letter(&seed::SENDERS[0], person, subject, vec![]);
    let outcome = federation.send(&letter).await.unwrap();
    assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");

    let inbox_url = inbox_of(&federation, person.operator.unwrap());
    let browser = Browser::new(federation.demo().pki.organisation_ca_pem());
    let callback = log_in_at_provider(&browser, &inbox_url, &issuer, person.number).await;
    assert!(
        callback
            .as_str()
            .starts_with(inbox_url.join("inloggad").unwrap().as_str()),
        "the provider redirects to the inbox's callback: {callback}"
    );
    let finished = browser.get(callback.as_str()).await;
    assert!(
        finished.status().is_redirection(),
        "the inbox accepts the provider's answer: {}",
        finished.status()
    );
    let inbox = browser
        .get(inbox_url.join("brevlada").unwrap().as_str())
        .await;
    assert_eq!(inbox.status(), StatusCode::OK);
    assert!(
        inbox.text().await.unwrap().contains(subject),
        "the inbox of the person who logged in lists their letter"
    );
}

/// Walks `/logga-in` → authorisation → login form (personnummer) → consent, as the top
/// comment of `tools/node/oidc-provider.mjs` describes; returns the URL the provider finally
/// sends the browser to (the inbox's `inloggad` with a code).
async fn log_in_at_provider(browser: &Browser, inbox: &Url, issuer: &Url, number: &str) -> Url {
    let start = browser.get(inbox.join("logga-in").unwrap().as_str()).await;
    let authorize = redirect(&start, inbox);
    assert_eq!(
        authorize.origin(),
        issuer.origin(),
        "login goes to the provider"
    );
    let login = redirect(&browser.get(authorize.as_str()).await, issuer);
    let form = [("prompt", "login"), ("login", number), ("password", "any")];
    let resume = redirect(&post(browser, &login, &form).await, issuer);
    let consent = redirect(&browser.get(resume.as_str()).await, issuer);
    let resume = redirect(
        &post(browser, &consent, &[("prompt", "consent")]).await,
        issuer,
    );
    redirect(&browser.get(resume.as_str()).await, issuer)
}

async fn post(browser: &Browser, url: &Url, form: &[(&str, &str)]) -> reqwest::Response {
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    browser.post_form(url.as_str(), &form).await
}

/// The `Location` of a redirect, resolved against `base`.
fn redirect(response: &reqwest::Response, base: &Url) -> Url {
    assert!(
        response.status().is_redirection(),
        "{} answered {} where a redirect was expected",
        response.url(),
        response.status()
    );
    let location = response.headers()[LOCATION].to_str().unwrap();
    base.join(location).unwrap()
}

fn inbox_of(federation: &Federation, operator: &str) -> Url {
    let inbox = &federation
        .manifest()
        .operators
        .iter()
        .find(|o| o.organisation.key == operator)
        .unwrap()
        .inbox_url;
    Url::parse(inbox).unwrap()
}
