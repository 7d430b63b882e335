//! What a communicator's session holds: a login in progress (whose secrets never reach the
//! browser) or the logged-in person. The sessions themselves are
//! `kuvert_web::session::SessionStore`'s: a random id in the portal's only cookie
//! (`kuvert_kommunikator`, HttpOnly, SameSite=Lax, Secure under TLS, path `/kommunikator`),
//! the idle timeout and absolute lifetime, logout, a CSRF token each, and at most
//! `limits::COMMUNICATOR_SESSIONS_MAX` sessions.

use std::time::Duration;

use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::{COMMUNICATOR_SESSIONS_MAX, WEB_SESSION_LIFETIME_SECS};
use kuvert_eid::PendingLogin;
use kuvert_web::i18n::Language;
use kuvert_web::session::{CookieAttributes, SessionConfig, SessionStore};

/// The communicators' sessions.
pub(crate) type Sessions = SessionStore<Session>;

/// One browser's session: a login in progress (with the language it was started in, which
/// the e-ID round trip does not carry) or a logged-in communicator.
#[derive(Clone, Debug)]
pub(crate) enum Session {
    PendingLogin(PendingLogin, Language),
    LoggedIn(PersonalIdentityNumber),
}

/// The communicators' session store: the cookie is sent only to their pages, Secure when the
/// portal is served over https.
pub(crate) fn new_store(idle_timeout: Duration, is_tls: bool) -> Sessions {
    SessionStore::new(SessionConfig {
        cookie_name: "kuvert_kommunikator",
        cookie: CookieAttributes {
            path: "/kommunikator",
            is_secure: is_tls,
            is_http_only: true,
        },
        idle_timeout,
        lifetime: Duration::from_secs(WEB_SESSION_LIFETIME_SECS),
        sessions_max: COMMUNICATOR_SESSIONS_MAX,
    })
}

#[cfg(test)]
mod tests;
