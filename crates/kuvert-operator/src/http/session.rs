//! Server-side sessions of the web inbox, kept in memory: a random id in an HttpOnly,
//! SameSite=Lax cookie (Secure over TLS) names an entry that holds who is logged in and the
//! secrets of a login or signing in progress, which never reach the browser.
//!
//! Sessions end after the configured idle time, at `/logga-ut`, and when the process
//! restarts. A login gives a fresh id (no session fixation). At most
//! `limits::INBOX_SESSIONS_MAX` sessions exist; past it the least recently used one goes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header;
use axum::http::request::Parts;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::INBOX_SESSIONS_MAX;
use kuvert_eid::PendingLogin;
use secrecy::{ExposeSecret, SecretString};

use super::account::signing::SigningPurpose;
use crate::registry_client::account::RegistrationSource;

/// Name of the session cookie.
pub(super) const COOKIE_NAME: &str = "kuvert_session";

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

struct Entry {
    session: Session,
    last_seen: Instant,
}

/// All sessions of one inbox.
pub(super) struct Sessions {
    entries: Mutex<HashMap<String, Entry>>,
    idle_timeout: Duration,
}

impl Sessions {
    pub(super) fn new(idle_timeout: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            idle_timeout,
        }
    }

    /// Stores `session` under a fresh random id and returns the id.
    pub(super) fn create(&self, session: Session) -> SecretString {
        let id = new_session_id();
        let mut entries = self.lock();
        if entries.len() >= INBOX_SESSIONS_MAX {
            self.evict(&mut entries);
        }
        let entry = Entry {
            session,
            last_seen: Instant::now(),
        };
        entries.insert(id.clone(), entry);
        SecretString::from(id)
    }

    /// The live session with `id`, touching it; an idle one is removed and not returned.
    pub(super) fn get(&self, id: &SecretString) -> Option<Session> {
        let mut entries = self.lock();
        let key = id.expose_secret();
        let entry = entries.get_mut(key)?;
        if entry.last_seen.elapsed() > self.idle_timeout {
            entries.remove(key);
            return None;
        }
        entry.last_seen = Instant::now();
        Some(entry.session.clone())
    }

    /// Changes the live session with `id`; false when there is none.
    pub(super) fn update(&self, id: &SecretString, change: impl FnOnce(&mut Session)) -> bool {
        let mut entries = self.lock();
        match entries.get_mut(id.expose_secret()) {
            Some(entry) if entry.last_seen.elapsed() <= self.idle_timeout => {
                change(&mut entry.session);
                entry.last_seen = Instant::now();
                true
            }
            _ => false,
        }
    }

    /// Ends the session with `id`, returning what it held.
    pub(super) fn remove(&self, id: &SecretString) -> Option<Session> {
        self.lock()
            .remove(id.expose_secret())
            .map(|entry| entry.session)
    }

    /// Drops idle sessions; when none is idle, the least recently used one.
    fn evict(&self, entries: &mut HashMap<String, Entry>) {
        entries.retain(|_, entry| entry.last_seen.elapsed() <= self.idle_timeout);
        if entries.len() < INBOX_SESSIONS_MAX {
            return;
        }
        let oldest = entries
            .iter()
            .min_by_key(|(_, entry)| entry.last_seen)
            .map(|(id, _)| id.clone());
        if let Some(oldest) = oldest {
            entries.remove(&oldest);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave a half-written entry (inserts and
        // removes are single calls), so a poisoned map is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The session id the request's cookie carries, if any.
pub(super) fn cookie_session_id(parts: &Parts) -> Option<SecretString> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE_NAME && is_session_id(value)).then(|| SecretString::from(value))
        })
}

/// The `Set-Cookie` value that gives the browser session `id`.
pub(super) fn set_cookie(id: &SecretString, is_tls: bool) -> String {
    let secure = if is_tls { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        id.expose_secret()
    )
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub(super) fn clear_cookie(is_tls: bool) -> String {
    let secure = if is_tls { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// 244 random bits from the operating system's generator (two v4 UUIDs), as 64 hex digits.
fn new_session_id() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn is_session_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

impl Sessions {
    /// Takes the pending signing whose state is `state` out of its (live, logged-in) session.
    /// Found by value, not by cookie: the signing service posts back cross-site.
    pub(super) fn take_signing(&self, state: &str) -> Option<(LoggedIn, PendingSigning)> {
        if state.is_empty() {
            return None;
        }
        let mut entries = self.lock();
        let idle_timeout = self.idle_timeout;
        let entry = entries.values_mut().find(|entry| {
            entry.last_seen.elapsed() <= idle_timeout
                && entry
                    .session
                    .pending_signing
                    .as_ref()
                    .is_some_and(|pending| pending.state.expose_secret() == state)
        })?;
        let person = entry.session.person.clone()?;
        let pending = entry.session.pending_signing.take()?;
        entry.last_seen = Instant::now();
        Some((person, pending))
    }
}

#[cfg(test)]
mod tests;
