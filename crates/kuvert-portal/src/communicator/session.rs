//! What a communicator's session holds: the logged-in person. The sessions themselves are
//! `kuvert_web::session::SessionStore`'s, rows in the portal's database so that every node
//! serves them: a random id in the portal's session cookie
//! (`kuvert_kommunikator`, HttpOnly, SameSite=Lax, Secure under TLS, path `/kommunikator`),
//! the idle timeout and absolute lifetime, logout, a CSRF token each, and at most
//! `limits::COMMUNICATOR_SESSIONS_MAX` sessions. A login in progress (its OIDC secrets and
//! the language it was started in) is no session: it travels in the sealed, short-lived
//! `kuvert_kommunikator_login` cookie ([`new_prelogin`]), so anonymous requests cannot fill
//! the store and push a logged-in communicator out.

use std::time::Duration;

use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::{COMMUNICATOR_SESSIONS_MAX, PRELOGIN_LIFETIME_SECS};
use kuvert_eid::PendingLogin;
use kuvert_web::prelogin::PreLoginCookie;
use kuvert_web::session::{CookieAttributes, SessionConfig, SessionData, SessionStore};

/// The communicators' sessions.
pub(crate) type Sessions = SessionStore<Session>;

/// One browser's session: a logged-in communicator.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum Session {
    LoggedIn(PersonalIdentityNumber),
}

impl SessionData for Session {}

/// A login in progress, sealed in its cookie: the OIDC secrets and the language code it was
/// started in (the e-ID round trip does not carry it).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct PreLogin {
    pub(crate) pending: PendingLogin,
    pub(crate) language: String,
}

/// The communicators' sessions: the cookie is sent only to their pages, Secure when the
/// portal is served over https.
pub(crate) fn session_config(idle_timeout: Duration, is_tls: bool) -> SessionConfig {
    SessionConfig::new(
        "kuvert_kommunikator",
        cookie_attributes(is_tls),
        idle_timeout,
        COMMUNICATOR_SESSIONS_MAX,
    )
}

/// The sealed cookie of a communicator's login in progress, on the same path as the session,
/// sealed under `key` (the same on every node).
pub(crate) fn new_prelogin(key: [u8; 32], is_tls: bool) -> PreLoginCookie {
    PreLoginCookie::with_key(
        key,
        "kuvert_kommunikator_login",
        cookie_attributes(is_tls),
        Duration::from_secs(PRELOGIN_LIFETIME_SECS),
    )
}

fn cookie_attributes(is_tls: bool) -> CookieAttributes {
    CookieAttributes {
        path: "/kommunikator",
        is_secure: is_tls,
        is_http_only: true,
    }
}

#[cfg(test)]
mod tests;
