//! Who calls the sender service, and for which senders: a configured client by its verified
//! client certificate (mutual TLS, the organisation in its subject) or by an OAuth 2 access
//! token from `POST /oauth/token` (client credentials, RFC 6749 §4.4). Secrets are kept only
//! as Argon2id hashes and checked on a blocking thread; tokens are HS256 JWTs with a short
//! lifetime, signed with a key every node reads from the same file, naming the client, so a
//! client removed from the configuration loses access at the next restart however old its
//! token.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use http::header;
use http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{OAUTH_TOKEN_LIFETIME_SECS_MAX, SENDER_SERVICE_CLIENTS_MAX};
use kuvert_store::sender::ClientId;
use kuvert_web::CallerOrganisation;
use kuvert_web::StartError;

use super::AppState;
use super::config::ClientConfig;
use super::error::ServiceError;

/// The configured clients.
pub(crate) struct Clients {
    by_id: HashMap<ClientId, Client>,
    by_organisation: HashMap<OrganisationNumber, ClientId>,
    /// A hash no secret matches, checked for unknown client ids so that an unknown id takes
    /// as long to refuse as a wrong secret.
    decoy_hash: String,
}

struct Client {
    senders: HashSet<OrganisationNumber>,
    secret_hash: Option<String>,
}

/// The calling client, authenticated.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) client: ClientId,
}

/// Issues and checks access tokens.
pub(crate) struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime_secs: u64,
    issuer: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
}

/// The audience of every token: this API and nothing else.
const AUDIENCE: &str = "kuvert-sender-api";

/// An Argon2id PHC hash of `secret` with a random salt, for a client's `secret_hash`.
///
/// # Errors
/// When hashing fails (it does not for a secret that fits in memory).
pub fn hash_secret(secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Ok(Argon2::default()
        .hash_password(secret.as_bytes(), &salt)?
        .to_string())
}

impl Clients {
    /// The clients of the configuration, each sender one `signs_for` accepts.
    pub(crate) fn from_config(
        clients: &[ClientConfig],
        signs_for: impl Fn(&OrganisationNumber) -> bool,
    ) -> Result<Self, StartError> {
        let invalid = StartError::invalid;
        if clients.len() > SENDER_SERVICE_CLIENTS_MAX {
            return Err(invalid("service.clients")(format!(
                "at most {SENDER_SERVICE_CLIENTS_MAX} clients"
            )));
        }
        let mut by_id = HashMap::new();
        let mut by_organisation = HashMap::new();
        for config in clients {
            let id = ClientId::parse(&config.id).map_err(|error| {
                invalid("service.clients.id")(format!("{}: {error}", config.id))
            })?;
            if let Some(hash) = &config.secret_hash {
                PasswordHash::new(hash).map_err(|error| {
                    invalid("service.clients.secret_hash")(format!("{}: {error}", config.id))
                })?;
            }
            if let Some(sender) = config.senders.iter().find(|sender| !signs_for(sender)) {
                return Err(invalid("service.clients.senders")(format!(
                    "{}: the toolkit has no signing identity for {sender}",
                    config.id
                )));
            }
            if let Some(organisation) = &config.certificate_organisation
                && by_organisation
                    .insert(organisation.clone(), id.clone())
                    .is_some()
            {
                return Err(invalid("service.clients.certificate_organisation")(
                    format!("{organisation} names two clients"),
                ));
            }
            let client = Client {
                senders: config.senders.iter().cloned().collect(),
                secret_hash: config.secret_hash.clone(),
            };
            if by_id.insert(id, client).is_some() {
                return Err(invalid("service.clients.id")(format!(
                    "{} twice",
                    config.id
                )));
            }
        }
        let decoy_hash = hash_secret(&uuid::Uuid::new_v4().to_string())
            .map_err(|error| invalid("service.clients")(error.to_string()))?;
        Ok(Self {
            by_id,
            by_organisation,
            decoy_hash,
        })
    }

    /// Whether any client authenticates with a secret (then a token key is needed).
    pub(crate) fn has_secrets(&self) -> bool {
        self.by_id
            .values()
            .any(|client| client.secret_hash.is_some())
    }

    /// Whether `client` may send for `sender`.
    pub(crate) fn may_send_for(&self, client: &ClientId, sender: &OrganisationNumber) -> bool {
        self.by_id
            .get(client)
            .is_some_and(|known| known.senders.contains(sender))
    }

    /// The client of `id` when `secret` is its secret; slow on purpose (Argon2id).
    pub(crate) async fn check_secret(
        self: &Arc<Self>,
        id: &str,
        secret: String,
    ) -> Result<ClientId, ServiceError> {
        let client = ClientId::parse(id).ok();
        let hash = client
            .as_ref()
            .and_then(|client| self.by_id.get(client))
            .and_then(|known| known.secret_hash.clone());
        let is_known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy_hash.clone());
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
        .map_err(ServiceError::internal)?;
        match client {
            Some(client) if is_known && matches => Ok(client),
            _ => Err(ServiceError::InvalidClient),
        }
    }
}

impl Tokens {
    /// Tokens signed with `key`, valid `lifetime_secs`, issued by `issuer` (the public URL).
    pub(crate) fn new(
        key: &[u8; 32],
        lifetime_secs: u64,
        issuer: &str,
    ) -> Result<Self, StartError> {
        if !(1..=OAUTH_TOKEN_LIFETIME_SECS_MAX).contains(&lifetime_secs) {
            return Err(StartError::invalid("service.token_lifetime_secs")(format!(
                "must be 1..={OAUTH_TOKEN_LIFETIME_SECS_MAX}"
            )));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            lifetime_secs,
            issuer: issuer.to_owned(),
        })
    }

    /// A new token for `client` and its lifetime in seconds.
    pub(crate) fn issue(&self, client: &ClientId) -> Result<(String, u64), ServiceError> {
        let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
        let claims = Claims {
            sub: client.as_str().to_owned(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.lifetime_secs,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ServiceError::internal)?;
        Ok((token, self.lifetime_secs))
    }

    /// The client a token names, when it is valid now.
    fn check(&self, token: &str) -> Option<ClientId> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[&self.issuer]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        ClientId::parse(&data.claims.sub).ok()
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ServiceError> {
        let clients = &state.inner.clients;
        if let Ok(CallerOrganisation(organisation)) =
            CallerOrganisation::from_request_parts(parts, state).await
        {
            return clients
                .by_organisation
                .get(&organisation)
                .map(|client| Self {
                    client: client.clone(),
                })
                .ok_or(ServiceError::Unauthenticated);
        }
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ServiceError::Unauthenticated)?;
        let tokens = state
            .inner
            .tokens
            .as_ref()
            .ok_or(ServiceError::Unauthenticated)?;
        let client = tokens
            .check(token.trim())
            .ok_or(ServiceError::Unauthenticated)?;
        if !clients.by_id.contains_key(&client) {
            return Err(ServiceError::Unauthenticated);
        }
        tracing::Span::current().record("caller", client.as_str());
        Ok(Self { client })
    }
}

#[cfg(test)]
mod tests;
