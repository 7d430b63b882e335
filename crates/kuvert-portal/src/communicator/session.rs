//! Communicators' login sessions, kept in memory: a random id in the portal's only cookie
//! (`kuvert_kommunikator`, HttpOnly, SameSite=Lax, Secure under TLS, path `/kommunikator`)
//! names an entry holding who is logged in, or the secrets of a login in progress, which
//! never reach the browser.
//!
//! A session ends after the configured idle time, at logout, and when the process restarts;
//! a finished login gets a fresh id (no session fixation). At most
//! `limits::COMMUNICATOR_SESSIONS_MAX` sessions exist; past it the least recently used goes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header;
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::COMMUNICATOR_SESSIONS_MAX;
use kuvert_eid::PendingLogin;
use secrecy::{ExposeSecret, SecretString};

/// Name of the session cookie: the only cookie the portal ever sets.
pub(crate) const COOKIE_NAME: &str = "kuvert_kommunikator";
/// The cookie is sent only to the communicators' pages.
const COOKIE_PATH: &str = "/kommunikator";

/// One browser's session: a login in progress or a logged-in communicator.
#[derive(Clone, Debug)]
pub(crate) enum Session {
    PendingLogin(PendingLogin),
    LoggedIn(PersonalIdentityNumber),
}

struct Entry {
    session: Session,
    last_seen: Instant,
}

/// All sessions of one portal.
pub(crate) struct Sessions {
    entries: Mutex<HashMap<String, Entry>>,
    idle_timeout: Duration,
}

impl Sessions {
    pub(crate) fn new(idle_timeout: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            idle_timeout,
        }
    }

    /// Stores `session` under a fresh random id and returns the id.
    pub(crate) fn create(&self, session: Session) -> SecretString {
        let id = new_session_id();
        let mut entries = self.lock();
        if entries.len() >= COMMUNICATOR_SESSIONS_MAX {
            let idle_timeout = self.idle_timeout;
            entries.retain(|_, entry| entry.last_seen.elapsed() <= idle_timeout);
        }
        if entries.len() >= COMMUNICATOR_SESSIONS_MAX {
            let oldest = entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_seen)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        let entry = Entry {
            session,
            last_seen: Instant::now(),
        };
        entries.insert(id.clone(), entry);
        SecretString::from(id)
    }

    /// The live session with `id`, touching it; an idle one is removed and not returned.
    pub(crate) fn get(&self, id: &SecretString) -> Option<Session> {
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

    /// Ends the session with `id`, returning what it held if it was still live.
    pub(crate) fn remove(&self, id: &SecretString) -> Option<Session> {
        let entry = self.lock().remove(id.expose_secret())?;
        (entry.last_seen.elapsed() <= self.idle_timeout).then_some(entry.session)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // Inserts and removes are single calls, so a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The session id the request's cookie carries, if any.
pub(crate) fn cookie_session_id(headers: &HeaderMap) -> Option<SecretString> {
    headers
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
pub(crate) fn set_cookie(id: &SecretString, is_tls: bool) -> String {
    let secure = if is_tls { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax{secure}",
        id.expose_secret()
    )
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub(crate) fn clear_cookie(is_tls: bool) -> String {
    let secure = if is_tls { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// 256 random bits from the operating system's generator, as 64 hex digits.
fn new_session_id() -> String {
    let mut bytes = [0_u8; 32];
    // Without a working system random source no session may be issued at all.
    aws_lc_rs::rand::fill(&mut bytes).expect("system random source must work");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn is_session_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests;
