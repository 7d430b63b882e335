//! Client credentials and tokens: the right secret and only it names the client, a token
//! names its client until it expires and only under this service's key, issuer and audience,
//! and a configuration that names a sender the toolkit cannot sign for is refused.

use std::sync::Arc;

use kuvert_core::id::OrganisationNumber;
use kuvert_store::sender::ClientId;

use super::{AUDIENCE, Claims, Clients, Tokens, hash_secret};
use crate::service::config::ClientConfig;
use crate::service::error::ServiceError;

const ISSUER: &str = "https://avsandare.example/";

fn sender() -> OrganisationNumber {
    OrganisationNumber::parse("2120000159").unwrap()
}

fn client(id: &str, secret: Option<&str>) -> ClientConfig {
    ClientConfig {
        id: id.to_owned(),
        certificate_organisation: None,
        secret_hash: secret.map(|secret| hash_secret(secret).unwrap()),
        senders: vec![sender()],
    }
}

#[tokio::test]
async fn only_the_right_secret_names_the_client() {
    let config = [client("arendesystemet", Some("rätt-hemlighet-0123"))];
    let clients = Arc::new(Clients::from_config(&config, |_| true).unwrap());
    let found = clients
        .check_secret("arendesystemet", "rätt-hemlighet-0123".to_owned())
        .await
        .unwrap();
    assert_eq!(found.as_str(), "arendesystemet");
    assert!(clients.may_send_for(&found, &sender()));
    let other = OrganisationNumber::parse("2021999996").unwrap();
    assert!(!clients.may_send_for(&found, &other));
    for (id, secret) in [("arendesystemet", "fel"), ("okand", "rätt-hemlighet-0123")] {
        let refused = clients.check_secret(id, secret.to_owned()).await;
        assert!(matches!(refused, Err(ServiceError::InvalidClient)), "{id}");
    }
}

#[test]
fn a_configuration_with_a_sender_not_signed_for_or_a_bad_hash_is_refused() {
    let refused = Clients::from_config(&[client("a", None)], |_| false);
    assert!(refused.is_err(), "a sender the toolkit has no identity for");
    let mut bad_hash = client("a", None);
    bad_hash.secret_hash = Some("klartext".to_owned());
    assert!(
        Clients::from_config(&[bad_hash], |_| true).is_err(),
        "not a PHC hash"
    );
    let twice = [client("a", None), client("a", None)];
    assert!(
        Clients::from_config(&twice, |_| true).is_err(),
        "one id twice"
    );
}

#[test]
fn a_token_names_its_client_only_under_this_key_issuer_and_audience_until_it_expires() {
    let tokens = Tokens::new(&[7; 32], 300, ISSUER).unwrap();
    let client = ClientId::parse("arendesystemet").unwrap();
    let (token, lifetime) = tokens.issue(&client).unwrap();
    assert_eq!(lifetime, 300);
    assert_eq!(tokens.check(&token), Some(client.clone()));
    let other_key = Tokens::new(&[8; 32], 300, ISSUER).unwrap();
    assert_eq!(other_key.check(&token), None, "another key");
    let other_issuer = Tokens::new(&[7; 32], 300, "https://annan.example/").unwrap();
    assert_eq!(other_issuer.check(&token), None, "another issuer");
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let claims = |aud: &str, exp: u64| Claims {
        sub: client.as_str().to_owned(),
        iss: ISSUER.to_owned(),
        aud: aud.to_owned(),
        iat: now - 600,
        exp,
    };
    let sign = |claims: &Claims| {
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        jsonwebtoken::encode(
            &header,
            claims,
            &jsonwebtoken::EncodingKey::from_secret(&[7; 32]),
        )
        .unwrap()
    };
    assert_eq!(
        tokens.check(&sign(&claims(AUDIENCE, now - 1))),
        None,
        "expired"
    );
    assert_eq!(
        tokens.check(&sign(&claims("annan-api", now + 60))),
        None,
        "another audience"
    );
    assert_eq!(
        tokens.check(&sign(&claims(AUDIENCE, now + 60))),
        Some(client)
    );
    assert!(Tokens::new(&[7; 32], 0, ISSUER).is_err(), "a lifetime of 0");
}
