//! `RelyingParty`, the login every role's pages share: discovery at first use, and each way a
//! callback fails sorted into one `LoginFailure` (expired, provider unavailable, cancelled,
//! refused), with the person logged in otherwise.

use kuvert_eid::{LoginFailure, RelyingParty, RelyingPartyConfig};
use secrecy::SecretString;
use url::Url;

use crate::harness::{self, CLIENT_ID, CLIENT_SECRET, Setup, TOLVAN, http_client};
use crate::login::{choose, relying_party};

fn config(issuer: Url, setup: &Setup) -> RelyingPartyConfig {
    RelyingPartyConfig {
        issuer,
        client_id: CLIENT_ID.to_owned(),
        client_secret: SecretString::from(CLIENT_SECRET),
        redirect_uri: setup.callback.clone(),
    }
}

#[tokio::test]
async fn relying_party_logs_in_and_sorts_every_failed_callback() {
    let setup = harness::start().await;
    let party = RelyingParty::new(config(setup.issuer.clone(), &setup), http_client());
    assert!(party.start_login().await.is_ok());
    let client = relying_party(&setup).await;

    let (pending, response) = choose(&setup, &client, "0", "login").await;
    let person = party.finish_login(Some(pending), response).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), TOLVAN.0);

    let (_, response) = choose(&setup, &client, "0", "login").await;
    let expired = party.finish_login(None, response).await;
    assert!(matches!(expired, Err(LoginFailure::Expired)), "{expired:?}");

    let (pending, response) = choose(&setup, &client, "0", "cancel").await;
    let cancelled = party.finish_login(Some(pending), response).await;
    assert!(
        matches!(cancelled, Err(LoginFailure::Cancelled)),
        "{cancelled:?}"
    );

    let (pending, mut response) = choose(&setup, &client, "0", "login").await;
    response.state = Some("another-state".to_owned());
    let refused = party.finish_login(Some(pending), response).await;
    assert!(
        matches!(refused, Err(LoginFailure::Failed(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn relying_party_says_unavailable_while_the_provider_cannot_be_discovered() {
    let setup = harness::start().await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}", closed.local_addr().unwrap())).unwrap();
    drop(closed);
    let party = RelyingParty::new(config(issuer, &setup), http_client());
    assert!(party.start_login().await.is_err());
    let client = relying_party(&setup).await;
    let (pending, response) = choose(&setup, &client, "0", "login").await;
    let unavailable = party.finish_login(Some(pending), response).await;
    assert!(
        matches!(unavailable, Err(LoginFailure::Unavailable(_))),
        "{unavailable:?}"
    );
}
