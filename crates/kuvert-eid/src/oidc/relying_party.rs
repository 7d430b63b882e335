//! [`RelyingParty`]: the e-ID login every role with a web UI shares (the operator's inbox,
//! the portal's communicators). It discovers the provider at the first login, so a role
//! starts while its provider is down, and keeps the client; and it sorts the ways a
//! callback can fail into [`LoginFailure`], so each role only chooses its page and words.

use secrecy::SecretString;
use tokio::sync::OnceCell;
use url::Url;

use super::PendingLogin;
use super::{AuthenticatedPerson, AuthorizationResponse, EidError, LoginStart, OidcClient};

/// Which provider and registered client a role logs people in with.
#[derive(Clone)]
pub struct RelyingPartyConfig {
    /// The provider's issuer URL (discovery at `.well-known/openid-configuration`).
    pub issuer: Url,
    /// The client id registered at the provider.
    pub client_id: String,
    /// Its secret.
    pub client_secret: SecretString,
    /// The role's callback URL, registered at the provider.
    pub redirect_uri: Url,
}

/// A relying party discovered at first use and kept.
pub struct RelyingParty {
    config: RelyingPartyConfig,
    http: reqwest::Client,
    client: OnceCell<OidcClient>,
}

/// Why a login callback did not log anyone in, sorted by what the person should be told.
#[derive(Debug, thiserror::Error)]
pub enum LoginFailure {
    /// No login was in progress in this browser (its login cookie expired, or the callback was
    /// opened twice): start again.
    #[error("no e-ID login in progress for this session")]
    Expired,
    /// The provider cannot be reached or discovered: try later.
    #[error("the e-ID provider is unavailable")]
    Unavailable(#[source] EidError),
    /// The person cancelled at the provider.
    #[error("the e-ID login was cancelled")]
    Cancelled,
    /// The provider's answer was refused (state, token, id_token, claims); logged here.
    #[error("the e-ID login failed")]
    Failed(#[source] EidError),
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RelyingParty")
            .field("issuer", &self.config.issuer.as_str())
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// A relying party for `config`; nothing is fetched until the first login. `http` should
    /// come from `kuvert_web::http_client`, so that trust and timeouts follow Kuvert's policy.
    #[must_use]
    pub fn new(config: RelyingPartyConfig, http: reqwest::Client) -> Self {
        Self {
            config,
            http,
            client: OnceCell::new(),
        }
    }

    /// Starts a login (see [`OidcClient::start_login`]), discovering the provider first if
    /// no login has yet.
    ///
    /// # Errors
    /// [`EidError::Discovery`] while the provider cannot be discovered.
    pub async fn start_login(&self) -> Result<LoginStart, EidError> {
        Ok(self.client().await?.start_login())
    }

    /// Finishes the login of a callback: `pending` is what the pre-login cookie kept from
    /// [`RelyingParty::start_login`], `None` when it kept nothing.
    ///
    /// # Errors
    /// [`LoginFailure`], one variant per thing to tell the person.
    pub async fn finish_login(
        &self,
        pending: Option<PendingLogin>,
        response: AuthorizationResponse,
    ) -> Result<AuthenticatedPerson, LoginFailure> {
        let pending = pending.ok_or(LoginFailure::Expired)?;
        let client = self.client().await.map_err(LoginFailure::Unavailable)?;
        match client.finish_login(response, pending).await {
            Ok(person) => Ok(person),
            Err(EidError::Cancelled) => Err(LoginFailure::Cancelled),
            Err(error) => {
                let chain = kuvert_core::report::error_chain(&error);
                tracing::warn!(client_id = %self.config.client_id, error = %chain,
                    "e-ID login failed");
                Err(LoginFailure::Failed(error))
            }
        }
    }

    async fn client(&self) -> Result<&OidcClient, EidError> {
        self.client
            .get_or_try_init(|| {
                let config = &self.config;
                OidcClient::discover(
                    config.issuer.clone(),
                    config.client_id.clone(),
                    config.client_secret.clone(),
                    config.redirect_uri.clone(),
                    self.http.clone(),
                )
            })
            .await
    }
}
