//! What a web inbox session holds: who is logged in, and the secrets of a signing in
//! progress, which never reach the browser. The sessions themselves (random id in the
//! HttpOnly, SameSite=Lax `kuvert_session` cookie, Secure over TLS; rows in the operator's
//! database, so every node serves them; idle timeout and absolute lifetime; logout; at most
//! `limits::INBOX_SESSIONS_MAX`; a CSRF token each) are `kuvert_web::session::SessionStore`'s,
//! and only a finished login makes one. A signing in progress is found by its state on
//! whichever node the signing service posts back to ([`take_signing`]). Before it,
//! the login in progress (OIDC state, PKCE verifier, nonce) and the deep link that brought
//! the person travel in the sealed, short-lived `kuvert_login` cookie ([`PreLogin`]), so
//! anonymous requests cannot fill the store and push a logged-in person out.

use std::time::Duration;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{INBOX_SESSIONS_MAX, PRELOGIN_LIFETIME_SECS};
use kuvert_eid::PendingLogin;
use kuvert_web::prelogin::PreLoginCookie;
use kuvert_web::session::{
    CookieAttributes, SessionConfig, SessionData, SessionError, SessionStore,
};
use secrecy::{ExposeSecret, SecretString};

use super::account::signing::SigningPurpose;
use crate::registry_client::account::RegistrationSource;

/// The inbox's sessions.
pub(super) type Sessions = SessionStore<Session>;

/// One browser's session, stored as JSON (values parsed again when read).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Session {
    /// The logged-in person, once the e-ID login finished.
    pub(super) person: Option<LoggedIn>,
    /// A signing of the agreement text in progress.
    pub(super) pending_signing: Option<PendingSigning>,
    /// The company whose mailbox the person chose to act for (checked on every request).
    pub(super) company: Option<OrganisationNumber>,
    /// The deep link that brought the person to "skaffa digital brevlåda", kept through
    /// login and signing so the registration can name it.
    pub(super) signup_source: Option<RegistrationSource>,
}

/// A login in progress, sealed in the `kuvert_login` cookie: the OIDC secrets once the
/// login started, and the deep link's sender and campaign (as text, parsed again when read).
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub(super) struct PreLogin {
    #[serde(default)]
    pub(super) pending_login: Option<PendingLogin>,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    campaign: Option<String>,
}

/// Who is logged in.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct LoggedIn {
    /// From the e-ID provider's personal identity number claim.
    pub(super) person: PersonalIdentityNumber,
    /// The person's name as the provider gave it (may be empty).
    pub(super) name: String,
}

/// The signing of the agreement text that was sent to the signing service.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct PendingSigning {
    /// Random correlation value echoed back by the signing service (stored only as the
    /// session's hashed lookup key besides the session's own data).
    #[serde(with = "secret_text")]
    pub(super) state: SecretString,
    /// The exact text the person was asked to sign.
    pub(super) agreement_text: String,
    /// What the signature is for, decided before the person signed.
    pub(super) purpose: SigningPurpose,
}

impl std::fmt::Debug for PendingSigning {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PendingSigning(..)")
    }
}

impl SessionData for Session {
    /// The pending signing's state: the signing service posts it back without the cookie.
    fn lookup(&self) -> Option<&str> {
        let pending = self.pending_signing.as_ref()?;
        Some(pending.state.expose_secret())
    }
}

impl PreLogin {
    /// A login in progress (or about to start) that keeps `source`.
    pub(super) fn new(
        pending_login: Option<PendingLogin>,
        source: Option<&RegistrationSource>,
    ) -> Self {
        Self {
            pending_login,
            sender: source.map(|source| source.sender.as_str().to_owned()),
            campaign: source
                .and_then(|source| source.campaign.as_ref())
                .map(|campaign| campaign.as_str().to_owned()),
        }
    }

    /// The deep link kept, parsed again (the cookie is sealed, but values still go through
    /// their one parser).
    pub(super) fn signup_source(&self) -> Option<RegistrationSource> {
        let sender = OrganisationNumber::parse(self.sender.as_deref()?).ok()?;
        let campaign = self
            .campaign
            .as_deref()
            .and_then(|code| CampaignCode::parse(code).ok());
        Some(RegistrationSource { sender, campaign })
    }
}

/// The sealed cookie of a login in progress: `kuvert_login` on path `/`, Secure when the
/// inbox is served over https, valid `limits::PRELOGIN_LIFETIME_SECS`, sealed under `key`
/// (the same on every node).
pub(super) fn new_prelogin(key: [u8; 32], is_tls: bool) -> PreLoginCookie {
    PreLoginCookie::with_key(
        key,
        "kuvert_login",
        cookie_attributes(is_tls),
        Duration::from_secs(PRELOGIN_LIFETIME_SECS),
    )
}

fn cookie_attributes(is_tls: bool) -> CookieAttributes {
    CookieAttributes {
        path: "/",
        is_secure: is_tls,
        is_http_only: true,
    }
}

/// The inbox's sessions: cookie `kuvert_session` on path `/`, Secure when the inbox is
/// served over https.
pub(super) fn session_config(idle_timeout: Duration, is_tls: bool) -> SessionConfig {
    SessionConfig::new(
        "kuvert_session",
        cookie_attributes(is_tls),
        idle_timeout,
        INBOX_SESSIONS_MAX,
    )
}

/// Takes the pending signing whose state is `state` out of its (live, logged-in) session,
/// once. Found by value, not by cookie: the signing service posts back cross-site, to
/// whichever node.
pub(super) async fn take_signing(
    sessions: &Sessions,
    state: &str,
) -> Result<Option<(LoggedIn, PendingSigning)>, SessionError> {
    if state.is_empty() {
        return Ok(None);
    }
    sessions
        .take_by_lookup(state, |session| {
            let is_match = session
                .pending_signing
                .as_ref()
                .is_some_and(|pending| pending.state.expose_secret() == state);
            let person = session.person.clone().filter(|_| is_match)?;
            let pending = session.pending_signing.take()?;
            Some((person, pending))
        })
        .await
}

/// Serde for the signing state, a secret kept as text inside the stored session.
mod secret_text {
    use secrecy::{ExposeSecret, SecretString};

    pub(super) fn serialize<S: serde::Serializer>(
        secret: &SecretString,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose_secret())
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SecretString, D::Error> {
        let text: String = serde::Deserialize::deserialize(deserializer)?;
        Ok(SecretString::from(text))
    }
}

#[cfg(test)]
mod tests;
