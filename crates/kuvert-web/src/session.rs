//! Server-side web sessions, kept in memory, for every role with logged-in pages (the
//! operator's web inbox, the portal's communicator pages): one store, generic over what a
//! role keeps in a session, so that the rules below hold the same way everywhere.
//!
//! - A session is named by an opaque [`SessionId`] of 256 random bits that travels only in an
//!   HttpOnly, SameSite=Lax cookie (Secure when the site is served over https, see
//!   [`CookieAttributes`]); what the session holds (who is logged in, the secrets of a login
//!   or signing in progress) never reaches the browser.
//! - A session ends after `idle_timeout` without a request, `lifetime` after it was created
//!   whatever the activity, when it is removed (logout, or a finished login replaced by a
//!   fresh id against session fixation), and when the process restarts.
//! - At most `sessions_max` sessions exist (each role's limit in `kuvert_core::limits`);
//!   past it ended sessions are dropped, then the least recently used one.
//! - Each session has its CSRF token ([`crate::csrf`]): an HMAC of its id under the store's
//!   key, so forms need no stored token and a token of one session is useless in another.

mod cookie;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, header};
use secrecy::{ExposeSecret, SecretString};

use crate::csrf::{CsrfError, CsrfKey, CsrfToken};

pub use cookie::{CookieAttributes, append_set_cookie};

/// How a role's sessions behave.
#[derive(Clone, Copy, Debug)]
pub struct SessionConfig {
    /// Name of the session cookie (`kuvert_session`, `kuvert_kommunikator`).
    pub cookie_name: &'static str,
    /// Where the cookie is sent and whether it is Secure.
    pub cookie: CookieAttributes,
    /// A session without a request for this long has ended.
    pub idle_timeout: Duration,
    /// A session this old has ended, however active (`limits::WEB_SESSION_LIFETIME_SECS`).
    pub lifetime: Duration,
    /// Sessions kept at once; at least 1.
    pub sessions_max: usize,
}

/// The id of a session: 64 hex digits of system randomness. Only the store makes one (for a
/// new session) or reads one (from a well-formed cookie); `Debug` never shows it.
#[derive(Clone)]
pub struct SessionId(SecretString);

/// Where "now" comes from: the system's monotonic clock, or a test's clock.
pub trait Clock: Send + Sync {
    /// The current instant; never earlier than a previous answer.
    fn now(&self) -> Instant;
}

/// The monotonic system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// All sessions of one role, each holding an `S`. Shared between requests behind an `Arc`
/// (or inside the role's state, which is one).
pub struct SessionStore<S> {
    entries: Mutex<HashMap<String, Entry<S>>>,
    config: SessionConfig,
    clock: Arc<dyn Clock>,
    csrf: CsrfKey,
}

struct Entry<S> {
    data: S,
    created: Instant,
    last_seen: Instant,
}

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl<S: Clone> SessionStore<S> {
    /// An empty store on the system clock with a fresh CSRF key.
    ///
    /// # Panics
    /// When `config.sessions_max` is 0 (a bound of nothing is a programming error).
    pub fn new(config: SessionConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// An empty store reading the time from `clock`.
    ///
    /// # Panics
    /// When `config.sessions_max` is 0.
    pub fn with_clock(config: SessionConfig, clock: Arc<dyn Clock>) -> Self {
        assert!(
            config.sessions_max > 0,
            "a session store holds at least one"
        );
        Self {
            entries: Mutex::new(HashMap::new()),
            config,
            clock,
            csrf: CsrfKey::generate(),
        }
    }

    /// Stores `data` under a fresh random id and returns the id; when the store is full,
    /// ended sessions go first, then the least recently used one.
    pub fn create(&self, data: S) -> SessionId {
        let id = new_session_id();
        let now = self.clock.now();
        let mut entries = self.lock();
        if entries.len() >= self.config.sessions_max {
            entries.retain(|_, entry| self.is_live(entry, now));
        }
        if entries.len() >= self.config.sessions_max {
            let oldest = entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_seen)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        let entry = Entry {
            data,
            created: now,
            last_seen: now,
        };
        entries.insert(id.expose_secret().to_owned(), entry);
        assert!(entries.len() <= self.config.sessions_max);
        SessionId(id)
    }

    /// What the live session `id` holds, touching it; an ended one is removed.
    pub fn get(&self, id: &SessionId) -> Option<S> {
        self.with_live(id, |data| data.clone())
    }

    /// Changes the live session `id`, touching it; false when there is none.
    pub fn update(&self, id: &SessionId, change: impl FnOnce(&mut S)) -> bool {
        self.with_live(id, change).is_some()
    }

    /// Ends the session `id` (logout, or a login replaced by a fresh id), returning what it
    /// held if it was still live.
    pub fn remove(&self, id: &SessionId) -> Option<S> {
        let now = self.clock.now();
        let entry = self.lock().remove(id.0.expose_secret())?;
        self.is_live(&entry, now).then_some(entry.data)
    }

    /// The first live session for which `take` answers something, touching it. For state
    /// that comes back without the cookie (a signing service posting cross-site), found by
    /// value; `take` must change a session only when it answers `Some`.
    pub fn find_map<T>(&self, mut take: impl FnMut(&mut S) -> Option<T>) -> Option<T> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let config = &self.config;
        entries
            .values_mut()
            .filter(|entry| is_live(config, entry, now))
            .find_map(|entry| {
                let found = take(&mut entry.data)?;
                entry.last_seen = now;
                Some(found)
            })
    }

    /// Sessions held, ended ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn with_live<T>(&self, id: &SessionId, use_data: impl FnOnce(&mut S) -> T) -> Option<T> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let key = id.0.expose_secret();
        let entry = entries.get_mut(key)?;
        if !self.is_live(entry, now) {
            entries.remove(key);
            return None;
        }
        entry.last_seen = now;
        Some(use_data(&mut entry.data))
    }
}

/// The values of every cookie called `name` in the request's `Cookie` headers, in order
/// (a browser may send several of one name, from different paths or domains).
pub(crate) fn cookie_values<'h, 'n>(
    headers: &'h HeaderMap,
    name: &'n str,
) -> impl Iterator<Item = &'h str> + use<'h, 'n> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(move |pair| {
            let (pair_name, value) = pair.trim().split_once('=')?;
            (pair_name == name).then_some(value)
        })
}

impl<S> SessionStore<S> {
    /// The session id the request's cookie carries, if it is well formed. Whether such a
    /// session lives is for [`SessionStore::get`] to say.
    pub fn session_id(&self, headers: &HeaderMap) -> Option<SessionId> {
        cookie_values(headers, self.config.cookie_name)
            .find(|value| is_session_id(value))
            .map(|value| SessionId(SecretString::from(value)))
    }

    /// The `Set-Cookie` value that gives the browser session `id` (HttpOnly, no Max-Age:
    /// the browser forgets it when closed, the server when it ends).
    pub fn set_cookie(&self, id: &SessionId) -> HeaderValue {
        let attributes = self.session_cookie_attributes();
        attributes.set_cookie(self.config.cookie_name, id.0.expose_secret(), None)
    }

    /// The `Set-Cookie` value that makes the browser forget its session.
    pub fn clear_cookie(&self) -> HeaderValue {
        let attributes = self.session_cookie_attributes();
        attributes.set_cookie(self.config.cookie_name, "", Some(Duration::ZERO))
    }

    /// The CSRF token of session `id`, for its forms.
    pub fn csrf_token(&self, id: &SessionId) -> CsrfToken {
        self.csrf.token(&id.0)
    }

    /// Checks a submitted form's CSRF token against session `id`, in constant time.
    ///
    /// # Errors
    /// [`CsrfError`] when the token is missing or not this session's; answer it with
    /// [`CsrfError::status`].
    pub fn check_csrf(&self, id: &SessionId, submitted: Option<&str>) -> Result<(), CsrfError> {
        self.csrf.verify(&id.0, submitted)
    }

    fn session_cookie_attributes(&self) -> CookieAttributes {
        CookieAttributes {
            is_http_only: true,
            ..self.config.cookie
        }
    }

    fn is_live(&self, entry: &Entry<S>, now: Instant) -> bool {
        is_live(&self.config, entry, now)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry<S>>> {
        // Inserts, changes and removes are single calls on the map, so a panic while the
        // lock was held cannot have left it half-written: a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S> std::fmt::Debug for SessionStore<S> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SessionStore")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SessionId([redacted])")
    }
}

fn is_live<S>(config: &SessionConfig, entry: &Entry<S>, now: Instant) -> bool {
    now.saturating_duration_since(entry.last_seen) <= config.idle_timeout
        && now.saturating_duration_since(entry.created) <= config.lifetime
}

/// 256 random bits from the operating system's generator, as 64 hex digits.
fn new_session_id() -> SecretString {
    let mut bytes = [0_u8; 32];
    // Without a working system random source no session may be issued at all.
    aws_lc_rs::rand::fill(&mut bytes).expect("system random source must work");
    SecretString::from(hex::encode(bytes))
}

fn is_session_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests;
