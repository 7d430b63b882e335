//! What a web inbox session holds: who is logged in, and the secrets of a signing in
//! progress, which never reach the browser. The sessions themselves (random id in the
//! HttpOnly, SameSite=Lax `kuvert_session` cookie, Secure over TLS; idle timeout and absolute
//! lifetime; logout; at most `limits::INBOX_SESSIONS_MAX`; a CSRF token each) are
//! `kuvert_web::session::SessionStore`'s, and only a finished login makes one. Before it,
//! the login in progress (OIDC state, PKCE verifier, nonce) and the deep link that brought
//! the person travel in the sealed, short-lived `kuvert_login` cookie ([`PreLogin`]), so
//! anonymous requests cannot fill the store and push a logged-in person out.

use std::time::Duration;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{INBOX_SESSIONS_MAX, PRELOGIN_LIFETIME_SECS, WEB_SESSION_LIFETIME_SECS};
use kuvert_eid::PendingLogin;
use kuvert_web::prelogin::PreLoginCookie;
use kuvert_web::session::{CookieAttributes, SessionConfig, SessionStore};
use secrecy::{ExposeSecret, SecretString};

use super::account::signing::SigningPurpose;
use crate::registry_client::account::RegistrationSource;

/// The inbox's sessions.
pub(super) type Sessions = SessionStore<Session>;

/// One browser's session.
#[derive(Clone, Debug, Default)]
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
#[derive(Clone, Debug)]
pub(super) struct LoggedIn {
    /// From the e-ID provider's personal identity number claim.
    pub(super) person: PersonalIdentityNumber,
    /// The person's name as the provider gave it (may be empty).
    pub(super) name: String,
}

/// The signing of the agreement text that was sent to the signing service.
#[derive(Clone)]
pub(super) struct PendingSigning {
    /// Random correlation value echoed back by the signing service.
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
/// inbox is served over https, valid `limits::PRELOGIN_LIFETIME_SECS`.
pub(super) fn new_prelogin(is_tls: bool) -> PreLoginCookie {
    PreLoginCookie::new(
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

/// The inbox's session store: cookie `kuvert_session` on path `/`, Secure when the inbox
/// is served over https.
pub(super) fn new_store(idle_timeout: Duration, is_tls: bool) -> Sessions {
    SessionStore::new(SessionConfig {
        cookie_name: "kuvert_session",
        cookie: cookie_attributes(is_tls),
        idle_timeout,
        lifetime: Duration::from_secs(WEB_SESSION_LIFETIME_SECS),
        sessions_max: INBOX_SESSIONS_MAX,
    })
}

/// Takes the pending signing whose state is `state` out of its (live, logged-in) session.
/// Found by value, not by cookie: the signing service posts back cross-site.
pub(super) fn take_signing(sessions: &Sessions, state: &str) -> Option<(LoggedIn, PendingSigning)> {
    if state.is_empty() {
        return None;
    }
    sessions.find_map(|session| {
        let is_match = session
            .pending_signing
            .as_ref()
            .is_some_and(|pending| pending.state.expose_secret() == state);
        let person = session.person.clone().filter(|_| is_match)?;
        let pending = session.pending_signing.take()?;
        Some((person, pending))
    })
}

#[cfg(test)]
mod tests;
