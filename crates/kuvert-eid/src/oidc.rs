//! The OIDC relying party: log a person in with e-ID and learn their personnummer.
//!
//! Authorisation code flow with PKCE (S256), `state` and `nonce` (OpenID Connect Core 1.0 §3.1,
//! RFC 7636). [`OidcClient::start_login`] gives the URL to send the browser to and a
//! [`PendingLogin`] that the caller keeps out of the browser's reach (sealed in an encrypted
//! cookie, as `kuvert_web::prelogin` does); the callback's
//! [`AuthorizationResponse`] and that pending login go to [`OidcClient::finish_login`], which
//! checks the state, exchanges the code, verifies the id_token (signature from the provider's
//! JWKS, issuer, audience, expiry, nonce) and reads the person from the Swedish OIDC profile
//! claim, falling back to the userinfo endpoint when the id_token does not carry it. The
//! provider's keys are fetched again on a schedule and when an id_token names an unknown key,
//! rate-limited ([`JwksRefresh`], `keys`).
//! [`RelyingParty`] wraps it for the roles' login pages: discovery at first use, and the
//! callback's failures sorted into [`LoginFailure`].

mod claims;
mod keys;
mod relying_party;
mod transport;

pub use claims::{NATURAL_PERSON_NUMBER_SCOPE, PERSONAL_IDENTITY_NUMBER_CLAIM};
pub use keys::JwksRefresh;
pub use relying_party::{LoginFailure, RelyingParty, RelyingPartyConfig};
pub use transport::TransportError;

use kuvert_core::id::{IdentityNumberError, PersonalIdentityNumber};
// openidconnect's errors keep the useful part (the provider's `error` code, the failed check)
// in their sources, so an `EidError` reason carries the whole chain.
use kuvert_core::report::error_chain;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClientAuthMethod, CoreClientRegistrationRequest, CoreGenderClaim,
    CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IdTokenClaims,
    IssuerUrl, LocalizedClaim, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, SignatureVerificationError, TokenResponse as _,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use claims::{SwedishClaims, SwedishClient};
use keys::ProviderKeys;
use transport::Transport;

/// A relying party bound to one provider and one registered client.
#[derive(Clone)]
pub struct OidcClient {
    keys: ProviderKeys,
    issuer: Url,
    redirect_uri: Url,
    http: reqwest::Client,
    client_id: String,
    client_secret: Option<SecretString>,
}

/// Where to send the browser, and what to remember until it comes back.
pub struct LoginStart {
    /// The provider's authorisation URL with client, scopes, PKCE challenge, state and nonce.
    pub authorize_url: Url,
    /// The secrets of this login attempt; keep them from the browser (server-side, or
    /// encrypted) until the callback.
    pub state: PendingLogin,
}

/// The secrets of one login attempt: CSRF `state`, PKCE verifier and `nonce`.
///
/// It (de)serialises so that it can be kept between the redirect to the provider and the
/// callback. It must never reach the browser readable: the roles seal it (AES-256-GCM) in
/// their short-lived pre-login cookie.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    csrf_state: String,
    pkce_verifier: String,
    nonce: String,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PendingLogin(..)")
    }
}

/// The query of the provider's redirect back to `redirect_uri` (RFC 6749 §4.1.2).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuthorizationResponse {
    /// The authorisation code, on success.
    pub code: Option<String>,
    /// The state the provider returns; must equal the one in [`PendingLogin`].
    pub state: Option<String>,
    /// The error code, on failure (`access_denied` when the person cancelled).
    pub error: Option<String>,
    /// The provider's human-readable explanation of `error`.
    pub error_description: Option<String>,
}

/// The person the provider vouched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedPerson {
    /// From the claim `https://id.oidc.se/claim/personalIdentityNumber`.
    pub personal_identity_number: PersonalIdentityNumber,
    /// From `name`, or `given_name` and `family_name`; empty when the provider sent none.
    pub name: String,
}

/// Why logging in with e-ID failed.
#[derive(Debug, thiserror::Error)]
pub enum EidError {
    /// Fetching or checking the provider's discovery document or JWKS failed.
    #[error("discovery of e-ID provider {issuer} failed: {reason}")]
    Discovery {
        /// The issuer that was asked.
        issuer: String,
        /// What went wrong, from openidconnect.
        reason: String,
    },
    /// The provider offers no dynamic client registration, or refused it.
    #[error("dynamic client registration at {issuer} failed: {reason}")]
    Registration {
        /// The issuer that was asked.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// The person pressed cancel at the provider (`error=access_denied`).
    #[error("the login was cancelled at the e-ID provider")]
    Cancelled,
    /// The provider redirected back with another error code.
    #[error("the e-ID provider returned error {error}: {description}")]
    Provider {
        /// The `error` parameter.
        error: String,
        /// The `error_description` parameter, or empty.
        description: String,
    },
    /// The callback's `state` differs from the one this login started with (CSRF or a stale
    /// browser tab).
    #[error("the state returned by the e-ID provider does not match this login")]
    StateMismatch,
    /// The callback has neither a code nor an error.
    #[error("the e-ID provider's callback carries no authorisation code")]
    MissingCode,
    /// The token endpoint refused the code or could not be reached.
    #[error("token exchange with the e-ID provider failed: {reason}")]
    TokenExchange {
        /// What went wrong, from openidconnect.
        reason: String,
    },
    /// The token response carries no id_token.
    #[error("the e-ID provider's token response has no id_token")]
    MissingIdToken,
    /// The id_token failed verification (signature, issuer, audience, expiry or nonce).
    #[error("the id_token from the e-ID provider is not valid: {reason}")]
    IdTokenRejected {
        /// What went wrong, from openidconnect.
        reason: String,
    },
    /// The userinfo request failed.
    #[error("the e-ID provider's userinfo request failed: {reason}")]
    UserInfo {
        /// What went wrong, from openidconnect.
        reason: String,
    },
    /// Neither the id_token nor userinfo carries the personnummer claim.
    #[error("the e-ID provider sent no {claim} claim")]
    ClaimMissing {
        /// The missing claim's name.
        claim: &'static str,
    },
    /// The personnummer claim is not a valid personal identity number.
    #[error("the e-ID provider's personal identity number is not valid")]
    BadPersonalIdentityNumber(#[source] IdentityNumberError),
}

impl OidcClient {
    /// Discovers `issuer` and binds the relying party to an already registered client.
    ///
    /// `http` should come from `kuvert_web::http_client`, so that trust and timeouts follow
    /// Kuvert's policy.
    pub async fn discover(
        issuer: Url,
        client_id: String,
        client_secret: SecretString,
        redirect_uri: Url,
        http: reqwest::Client,
    ) -> Result<Self, EidError> {
        let metadata = discover_metadata(&issuer, &http).await?;
        Ok(Self::from_metadata(
            metadata,
            client_id,
            Some(client_secret),
            (issuer, redirect_uri),
            http,
        ))
    }

    /// Discovers `issuer` and registers a new confidential client there (RFC 7591), for
    /// providers that allow open dynamic registration (npm `oidc-provider` in tests).
    pub async fn register_dynamic(
        issuer: Url,
        redirect_uri: Url,
        http: reqwest::Client,
    ) -> Result<Self, EidError> {
        let metadata = discover_metadata(&issuer, &http).await?;
        let registration_failed = |reason: String| EidError::Registration {
            issuer: issuer_text(&issuer),
            reason,
        };
        let endpoint = metadata
            .registration_endpoint()
            .ok_or_else(|| registration_failed("no registration_endpoint".to_owned()))?;
        let request = CoreClientRegistrationRequest::new(
            vec![RedirectUrl::from_url(redirect_uri.clone())],
            Default::default(),
        )
        .set_token_endpoint_auth_method(Some(CoreClientAuthMethod::ClientSecretBasic));
        let response = request
            .register_async(endpoint, &Transport(&http))
            .await
            .map_err(|error| registration_failed(error_chain(&error)))?;
        let client_id = response.client_id().as_str().to_owned();
        let client_secret = response
            .client_secret()
            .map(|secret| SecretString::from(secret.secret().clone()));
        Ok(Self::from_metadata(
            metadata,
            client_id,
            client_secret,
            (issuer, redirect_uri),
            http,
        ))
    }

    /// The same relying party fetching the provider's keys again as `refresh` says
    /// (default [`JwksRefresh::default`]).
    #[must_use]
    pub fn with_jwks_refresh(mut self, refresh: JwksRefresh) -> Self {
        self.keys = self.keys.with_refresh(refresh);
        self
    }

    /// The client id this relying party presents.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret, when the client is confidential (registered clients always are).
    pub fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// Starts a login: a fresh state, PKCE verifier and nonce, and the URL that carries them.
    pub fn start_login(&self) -> LoginStart {
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let (authorize_url, csrf_state, nonce) = self
            .keys
            .client()
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".to_owned()))
            .add_scope(Scope::new(NATURAL_PERSON_NUMBER_SCOPE.to_owned()))
            .set_pkce_challenge(pkce_challenge)
            .url();
        LoginStart {
            authorize_url,
            state: PendingLogin {
                csrf_state: csrf_state.secret().clone(),
                pkce_verifier: pkce_verifier.secret().clone(),
                nonce: nonce.secret().clone(),
            },
        }
    }

    /// Finishes a login from the provider's callback and the pending login it belongs to.
    #[tracing::instrument(skip_all, fields(client_id = %self.client_id))]
    pub async fn finish_login(
        &self,
        response: AuthorizationResponse,
        pending: PendingLogin,
    ) -> Result<AuthenticatedPerson, EidError> {
        let code = check_callback(response, &pending)?;
        let transport = Transport(&self.http);
        let token_failed = |reason: String| EidError::TokenExchange { reason };
        let source = (&self.issuer, &self.http);
        let client = self
            .keys
            .fresh_client(|metadata| self.rebuild(metadata), source);
        let client = client.await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| token_failed(error_chain(&error)))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&transport)
            .await
            .map_err(|error| token_failed(error_chain(&error)))?;
        let id_token = tokens.id_token().ok_or(EidError::MissingIdToken)?;
        let nonce = Nonce::new(pending.nonce);
        let (client, claims) = self.verified(id_token, client, &nonce).await?;
        let mut name = person_name(claims);
        let number = match &claims.additional_claims().personal_identity_number {
            Some(number) => number.clone(),
            None => {
                let userinfo = self
                    .user_info(&client, tokens.access_token().clone(), claims)
                    .await?;
                if name.is_empty() {
                    name = userinfo_name(&userinfo);
                }
                userinfo
                    .additional_claims()
                    .personal_identity_number
                    .clone()
                    .ok_or(EidError::ClaimMissing {
                        claim: PERSONAL_IDENTITY_NUMBER_CLAIM,
                    })?
            }
        };
        let personal_identity_number =
            PersonalIdentityNumber::parse(&number).map_err(EidError::BadPersonalIdentityNumber)?;
        Ok(AuthenticatedPerson {
            personal_identity_number,
            name,
        })
    }

    /// The id_token's claims checked with `client`'s keys, or, when it names a key they
    /// lack, with the provider's keys fetched again (rate-limited); and the client used.
    async fn verified<'t>(
        &self,
        id_token: &'t claims::SwedishIdToken,
        client: SwedishClient,
        nonce: &Nonce,
    ) -> Result<
        (
            SwedishClient,
            &'t IdTokenClaims<SwedishClaims, CoreGenderClaim>,
        ),
        EidError,
    > {
        let rejected = |error: ClaimsVerificationError| EidError::IdTokenRejected {
            reason: error_chain(&error),
        };
        let verified = {
            let verifier = client.id_token_verifier();
            id_token.claims(&verifier, nonce)
        };
        let unknown_key = || {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )
        };
        match verified {
            Ok(claims) => Ok((client, claims)),
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its key: fetch its keys again.
                let source = (&self.issuer, &self.http);
                let refreshed = self.keys.after_unknown_key(|m| self.rebuild(m), source);
                let client = refreshed.await?.ok_or_else(|| rejected(unknown_key()))?;
                let claims = {
                    let verifier = client.id_token_verifier();
                    id_token.claims(&verifier, nonce).map_err(rejected)?
                };
                Ok((client, claims))
            }
            Err(error) => Err(rejected(error)),
        }
    }

    fn from_metadata(
        metadata: CoreProviderMetadata,
        client_id: String,
        client_secret: Option<SecretString>,
        (issuer, redirect_uri): (Url, Url),
        http: reqwest::Client,
    ) -> Self {
        let client = build_client(metadata, &client_id, client_secret.as_ref(), &redirect_uri);
        Self {
            keys: ProviderKeys::new(client),
            issuer,
            redirect_uri,
            http,
            client_id,
            client_secret,
        }
    }

    /// This relying party's client over freshly fetched provider metadata.
    fn rebuild(&self, metadata: CoreProviderMetadata) -> SwedishClient {
        let secret = self.client_secret.as_ref();
        build_client(metadata, &self.client_id, secret, &self.redirect_uri)
    }

    async fn user_info(
        &self,
        client: &SwedishClient,
        access_token: openidconnect::AccessToken,
        claims: &IdTokenClaims<SwedishClaims, CoreGenderClaim>,
    ) -> Result<claims::SwedishUserInfoClaims, EidError> {
        let userinfo_failed = |reason: String| EidError::UserInfo { reason };
        client
            .user_info(access_token, Some(claims.subject().clone()))
            .map_err(|_| EidError::ClaimMissing {
                claim: PERSONAL_IDENTITY_NUMBER_CLAIM,
            })?
            .request_async(&Transport(&self.http))
            .await
            .map_err(|error| userinfo_failed(error_chain(&error)))
    }
}

fn build_client(
    metadata: CoreProviderMetadata,
    client_id: &str,
    client_secret: Option<&SecretString>,
    redirect_uri: &Url,
) -> SwedishClient {
    SwedishClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.to_owned()),
        client_secret.map(|secret| ClientSecret::new(secret.expose_secret().to_owned())),
    )
    .set_redirect_uri(RedirectUrl::from_url(redirect_uri.clone()))
}

/// The issuer as OIDC spells it: a bare origin has no trailing `/` (OpenID Connect Discovery
/// §4.3 compares issuers as exact strings, and `url::Url` always adds the slash).
pub(crate) fn issuer_text(issuer: &Url) -> String {
    let text = issuer.as_str();
    if issuer.path() == "/" && issuer.query().is_none() && issuer.fragment().is_none() {
        text.trim_end_matches('/').to_owned()
    } else {
        text.to_owned()
    }
}

async fn discover_metadata(
    issuer: &Url,
    http: &reqwest::Client,
) -> Result<CoreProviderMetadata, EidError> {
    let discovery_failed = |reason: String| EidError::Discovery {
        issuer: issuer_text(issuer),
        reason,
    };
    let issuer_url =
        IssuerUrl::new(issuer_text(issuer)).map_err(|error| discovery_failed(error.to_string()))?;
    CoreProviderMetadata::discover_async(issuer_url, &Transport(http))
        .await
        .map_err(|error| discovery_failed(error_chain(&error)))
}

/// Checks the callback against the pending login and returns the code.
fn check_callback(
    response: AuthorizationResponse,
    pending: &PendingLogin,
) -> Result<String, EidError> {
    // The state is checked first, also on errors, so a forged "cancelled" callback cannot
    // end someone else's login attempt.
    let returned_state = response.state.unwrap_or_default();
    let is_same_state =
        constant_time_equal(returned_state.as_bytes(), pending.csrf_state.as_bytes());
    if !is_same_state {
        return Err(EidError::StateMismatch);
    }
    match (response.code, response.error) {
        (_, Some(error)) if error == "access_denied" => Err(EidError::Cancelled),
        (_, Some(error)) => Err(EidError::Provider {
            error,
            description: response.error_description.unwrap_or_default(),
        }),
        (Some(code), None) => Ok(code),
        (None, None) => Err(EidError::MissingCode),
    }
}

fn constant_time_equal(left: &[u8], right: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(left, right).is_ok()
}

fn person_name(claims: &IdTokenClaims<SwedishClaims, CoreGenderClaim>) -> String {
    join_name(
        text(claims.name()),
        text(claims.given_name()),
        text(claims.family_name()),
    )
}

fn userinfo_name(claims: &claims::SwedishUserInfoClaims) -> String {
    join_name(
        text(claims.name()),
        text(claims.given_name()),
        text(claims.family_name()),
    )
}

/// A name claim's text without a language tag.
fn text<T: std::ops::Deref<Target = String>>(claim: Option<&LocalizedClaim<T>>) -> Option<&str> {
    claim
        .and_then(|claim| claim.get(None))
        .map(|name| name.as_str())
}

fn join_name(name: Option<&str>, given: Option<&str>, family: Option<&str>) -> String {
    match (name, given, family) {
        (Some(name), _, _) => name.to_owned(),
        (None, given, family) => [given, family]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests;
