//! The test provider's id_token: RS256 with the key given at construction, and its JWKS.

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use time::OffsetDateTime;

use super::TestPerson;
use super::grants::TOKEN_LIFETIME;

/// The signing key and the JWKS that publishes its public half.
pub(super) struct TokenKeys {
    encoding_key: EncodingKey,
    key_id: String,
    jwks: JwkSet,
}

/// The claims of one id_token (OpenID Connect Core §2, plus the Swedish profile claim).
#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: String,
    aud: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    /// Absent when the provider releases the person's claims only at `/userinfo`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    person: Option<PersonClaims>,
}

/// What `/userinfo` returns.
#[derive(Serialize)]
pub(super) struct UserInfo {
    pub(super) sub: String,
    #[serde(flatten)]
    pub(super) person: PersonClaims,
}

/// The person's claims, shared by the id_token and `/userinfo` (the claim name is
/// `crate::oidc::PERSONAL_IDENTITY_NUMBER_CLAIM`).
#[derive(Serialize)]
pub(super) struct PersonClaims {
    pub(super) name: String,
    pub(super) given_name: String,
    pub(super) family_name: String,
    #[serde(rename = "https://id.oidc.se/claim/personalIdentityNumber")]
    pub(super) personal_identity_number: String,
}

impl TokenKeys {
    pub(super) fn from_pem(key_pem: &SecretString) -> Result<Self, jsonwebtoken::errors::Error> {
        let encoding_key = EncodingKey::from_rsa_pem(key_pem.expose_secret().as_bytes())?;
        let mut jwk = Jwk::from_encoding_key(&encoding_key, Algorithm::RS256)?;
        let key_id = jwk.thumbprint(ThumbprintHash::SHA256);
        jwk.common.key_id = Some(key_id.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        Ok(Self {
            encoding_key,
            key_id,
            jwks: JwkSet { keys: vec![jwk] },
        })
    }

    pub(super) fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Signs an id_token for `person` to `client_id`; with `has_person_claims` false it
    /// carries only `sub` of the person.
    pub(super) fn id_token(
        &self,
        issuer: &str,
        client_id: &str,
        nonce: Option<&str>,
        person: &TestPerson,
        has_person_claims: bool,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let UserInfo { sub, person } = user_info(issuer, person);
        let claims = IdTokenClaims {
            iss: issuer,
            sub,
            aud: client_id,
            exp: now + TOKEN_LIFETIME.whole_seconds(),
            iat: now,
            auth_time: now,
            nonce,
            person: has_person_claims.then_some(person),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding_key)
    }
}

/// A person's userinfo. `sub` is a pairwise-stable pseudonym (a hash of the issuer and the
/// personnummer), because the Swedish OIDC profile advises against using the number itself.
pub(super) fn user_info(issuer: &str, person: &TestPerson) -> UserInfo {
    let number = person.personal_identity_number.as_str();
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{issuer}\n{number}").as_bytes(),
    );
    let person = PersonClaims {
        name: format!("{} {}", person.given_name, person.surname),
        given_name: person.given_name.clone(),
        family_name: person.surname.clone(),
        personal_identity_number: number.to_owned(),
    };
    UserInfo {
        sub: crate::base64url(&digest.as_ref()[..16]),
        person,
    }
}
