//! The test e-ID provider: an OpenID provider and signing service with made-up persons.
//!
//! It stands in for BankID or Freja in the demo and in tests, and is only ever enabled when
//! configured. Every page says "Test-e-legitimation – endast för test och demo". It speaks
//! enough OpenID Connect for [`crate::OidcClient`] and other certified relying parties:
//! discovery, `/authorize` (a server-rendered person picker), `/token` (authorisation code
//! with PKCE S256 only; `client_secret_basic` or `client_secret_post`), `/jwks`, `/userinfo`,
//! with RS256 id_tokens carrying the Swedish OIDC profile claim. `/sign` is a test signing
//! service that returns `SignatureData` (see [`crate::signature`]). Its pages work without
//! JavaScript and carry no inline script or style: the one stylesheet is
//! `/static/test-eid.css`, and every answer has a strict Content-Security-Policy.
//!
//! **Boundary:** the router serves its routes at its root; mount it at the issuer URL's path.
//! State (codes, access tokens) lives in memory, bounded by `TEST_EID_PENDING_GRANTS_MAX`.

mod endpoints;
mod grants;
mod pages;
mod signing;
mod token;

use std::sync::{Arc, PoisonError};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::EID_SIGNED_TEXT_BYTES_MAX;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::signature::{EidSigningKey, SignError};

/// What the test provider knows: who it is, which clients may use it, and its persons.
#[derive(Debug)]
pub struct TestEidConfig {
    /// The issuer URL; the router must be served at this URL.
    pub issuer: Url,
    /// The relying parties allowed to log people in and ask for signatures.
    pub clients: Vec<RegisteredClient>,
    /// The made-up persons one can log in as.
    pub persons: Vec<TestPerson>,
    /// When true, id_tokens carry only `sub` and the person's claims (names, personnummer)
    /// come from `/userinfo` alone, as some providers do; tests use it to exercise a relying
    /// party's userinfo path. The demo sets false.
    pub claims_only_at_userinfo: bool,
}

/// One relying party registered at the test provider.
#[derive(Debug)]
pub struct RegisteredClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, checked at `/token`.
    pub client_secret: SecretString,
    /// Exact redirect URIs this client may use (compared as strings).
    pub redirect_uris: Vec<Url>,
}

/// One made-up person.
#[derive(Debug)]
pub struct TestPerson {
    /// Personnummer or samordningsnummer.
    pub personal_identity_number: PersonalIdentityNumber,
    /// Förnamn.
    pub given_name: String,
    /// Efternamn.
    pub surname: String,
    /// The person's e-ID key and certificate; without one the person cannot sign.
    pub signing: Option<PersonCredential>,
}

/// A person's e-ID signing key and certificate (DER), from the test PKI.
#[derive(Debug)]
pub struct PersonCredential {
    /// The private key.
    pub key: EidSigningKey,
    /// The certificate, DER, issued by the e-ID CA.
    pub certificate_der: Vec<u8>,
}

impl PersonCredential {
    /// Reads a person's PKCS#8 PEM key and PEM certificate, as `kuvert_pki` writes them.
    pub fn from_pem(key_pem: &SecretString, certificate_pem: &str) -> Result<Self, SignError> {
        let key = EidSigningKey::from_pkcs8_pem(key_pem.expose_secret())?;
        let block = pem::parse(certificate_pem).map_err(|_| SignError::Certificate)?;
        if block.tag() != "CERTIFICATE" {
            return Err(SignError::Certificate);
        }
        Ok(Self {
            key,
            certificate_der: block.into_contents(),
        })
    }
}

/// Why the test provider could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The id_token signing key is not an RSA PKCS#8 PEM key.
    #[error("test e-ID id_token key is not an RSA PKCS#8 PEM key")]
    SigningKey(#[source] jsonwebtoken::errors::Error),
    /// The configuration lists no person to log in as.
    #[error("test e-ID configuration lists no persons")]
    NoPersons,
}

/// The test e-ID provider; [`TestEidProvider::router`] serves it.
#[derive(Clone)]
pub struct TestEidProvider {
    shared: Arc<Shared>,
}

/// What every handler reads.
struct Shared {
    config: TestEidConfig,
    /// `config.issuer` as OIDC spells it (no trailing slash on a bare origin).
    issuer: String,
    /// Replaced whole by [`TestEidProvider::rotate_signing_key`].
    keys: std::sync::RwLock<Arc<token::TokenKeys>>,
    grants: grants::Grants,
    /// The Content-Security-Policy of every answer (see [`pages::content_security_policy`]).
    csp: http::HeaderValue,
}

impl TestEidProvider {
    /// Builds the provider; `id_token_key_pem` is an RSA key in PKCS#8 PEM.
    pub fn new(
        config: TestEidConfig,
        id_token_key_pem: &SecretString,
    ) -> Result<Self, ProviderError> {
        if config.persons.is_empty() {
            return Err(ProviderError::NoPersons);
        }
        let keys =
            token::TokenKeys::from_pem(id_token_key_pem).map_err(ProviderError::SigningKey)?;
        let issuer = crate::oidc::issuer_text(&config.issuer);
        let csp = pages::content_security_policy(&config.clients);
        let shared = Shared {
            config,
            issuer,
            keys: std::sync::RwLock::new(Arc::new(keys)),
            grants: grants::Grants::default(),
            csp,
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }

    /// The provider's routes, relative to the issuer URL.
    pub fn router(&self) -> Router {
        // Form posts carry at most the signed text, percent-encoded (up to 3 bytes per byte),
        // plus a few short fields.
        let body_bytes_max = EID_SIGNED_TEXT_BYTES_MAX * 3 + 16 * 1024;
        Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(endpoints::discovery),
            )
            .route("/jwks", get(endpoints::jwks))
            .route(
                "/authorize",
                get(endpoints::authorize_page).post(endpoints::authorize_choice),
            )
            .route("/token", axum::routing::post(endpoints::token))
            .route(
                "/userinfo",
                get(endpoints::userinfo).post(endpoints::userinfo),
            )
            .route("/sign", get(signing::sign_page).post(signing::sign_choice))
            .route("/static/test-eid.css", get(pages::stylesheet))
            .layer(DefaultBodyLimit::max(body_bytes_max))
            .layer(axum::middleware::map_response_with_state(
                self.shared.clone(),
                pages::security_headers,
            ))
            .with_state(self.shared.clone())
    }

    /// The issuer URL as the discovery document states it.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// Signs id_tokens with `id_token_key_pem` from now on and publishes only its public key
    /// at `/jwks` (a new `kid`), as a provider rotating its key does; relying parties that
    /// cached the old set must fetch the new one.
    ///
    /// # Errors
    /// [`ProviderError::SigningKey`] when the key is not an RSA PKCS#8 PEM key.
    pub fn rotate_signing_key(&self, id_token_key_pem: &SecretString) -> Result<(), ProviderError> {
        let keys =
            token::TokenKeys::from_pem(id_token_key_pem).map_err(ProviderError::SigningKey)?;
        *self
            .shared
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
        Ok(())
    }
}

impl Shared {
    /// The signing key and JWKS in use now.
    fn keys(&self) -> Arc<token::TokenKeys> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn client(&self, client_id: &str) -> Option<&RegisteredClient> {
        self.config
            .clients
            .iter()
            .find(|client| client.client_id == client_id)
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer.trim_end_matches('/'))
    }
}

/// A client and one of its registered redirect URIs, checked together.
fn checked_redirect<'a>(
    shared: &'a Shared,
    client_id: Option<&str>,
    redirect_uri: Option<&str>,
) -> Option<(&'a RegisteredClient, Url)> {
    let client = shared.client(client_id?)?;
    let redirect_uri = redirect_uri?;
    let registered = client
        .redirect_uris
        .iter()
        .find(|uri| uri.as_str() == redirect_uri)?;
    Some((client, registered.clone()))
}

/// `YYYYMMDD-****`: who a test person is without printing their whole number.
fn masked_number(number: &PersonalIdentityNumber) -> String {
    let digits = number.as_str();
    format!("{}-****", digits.get(..8).unwrap_or(digits))
}

#[cfg(test)]
mod tests;
