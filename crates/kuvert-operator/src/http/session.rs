//! What a web inbox session holds: who is logged in, and the secrets of a login or signing in
//! progress, which never reach the browser. The sessions themselves (random id in the
//! HttpOnly, SameSite=Lax `kuvert_session` cookie, Secure over TLS; idle timeout and absolute
//! lifetime; logout; at most `limits::INBOX_SESSIONS_MAX`; a CSRF token each) are
//! `kuvert_web::session::SessionStore`'s.

use std::time::Duration;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{INBOX_SESSIONS_MAX, WEB_SESSION_LIFETIME_SECS};
use kuvert_eid::PendingLogin;
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
    /// State, PKCE verifier and nonce of a login in progress.
    pub(super) pending_login: Option<PendingLogin>,
    /// A signing of the agreement text in progress.
    pub(super) pending_signing: Option<PendingSigning>,
    /// The company whose mailbox the person chose to act for (checked on every request).
    pub(super) company: Option<OrganisationNumber>,
    /// The deep link that brought the person to "skaffa digital brevlåda", kept through
    /// login and signing so the registration can name it.
    pub(super) signup_source: Option<RegistrationSource>,
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

/// The inbox's session store: cookie `kuvert_session` on path `/`, Secure when the inbox
/// is served over https.
pub(super) fn new_store(idle_timeout: Duration, is_tls: bool) -> Sessions {
    SessionStore::new(SessionConfig {
        cookie_name: "kuvert_session",
        cookie: CookieAttributes {
            path: "/",
            is_secure: is_tls,
            is_http_only: true,
        },
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
