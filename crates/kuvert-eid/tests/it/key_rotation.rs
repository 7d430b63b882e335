//! The relying party after the provider rotated its id_token key (issue 16): an id_token
//! naming an unknown `kid` makes it fetch the provider's keys again, but not within the rate
//! limit; keys older than their age are fetched again at the next login.

use std::time::Duration;

use kuvert_eid::{EidError, JwksRefresh, OidcClient};

use crate::harness::{self, BRITTA, Setup, provider_key};
use crate::login::{choose, relying_party};

const HOUR: Duration = Duration::from_secs(3600);

async fn client(setup: &Setup, min_interval: Duration, max_age: Duration) -> OidcClient {
    let refresh = JwksRefresh {
        min_interval,
        max_age,
    };
    relying_party(setup).await.with_jwks_refresh(refresh)
}

async fn log_in(setup: &Setup, client: &OidcClient) -> Result<String, EidError> {
    let (pending, response) = choose(setup, client, "1", "login").await;
    let person = client.finish_login(response, pending).await?;
    Ok(person.personal_identity_number.as_str().to_owned())
}

#[tokio::test]
async fn login_after_a_key_rotation_fetches_the_new_keys_unless_just_fetched() {
    let setup = harness::start().await;
    let rate_limited = client(&setup, HOUR, HOUR).await;
    let allowed = client(&setup, Duration::from_millis(1), HOUR).await;
    assert_eq!(log_in(&setup, &allowed).await.unwrap(), BRITTA.0);
    setup.provider.rotate_signing_key(&provider_key()).unwrap();
    let refused = log_in(&setup, &rate_limited).await;
    assert!(
        matches!(refused, Err(EidError::IdTokenRejected { .. })),
        "{refused:?}"
    );
    assert_eq!(
        log_in(&setup, &allowed).await.unwrap(),
        BRITTA.0,
        "the unknown kid fetched the new keys"
    );
    assert_eq!(log_in(&setup, &allowed).await.unwrap(), BRITTA.0);
}

#[tokio::test]
async fn keys_older_than_their_age_are_fetched_again_at_the_next_login() {
    let setup = harness::start().await;
    let scheduled = client(&setup, HOUR, Duration::from_millis(1)).await;
    setup.provider.rotate_signing_key(&provider_key()).unwrap();
    assert_eq!(log_in(&setup, &scheduled).await.unwrap(), BRITTA.0);
}
