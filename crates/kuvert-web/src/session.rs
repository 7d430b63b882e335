//! Server-side web sessions, kept in the role's database, for every role with logged-in pages
//! (the operator's web inbox, the portal's communicator pages): one store, generic over what
//! a role keeps in a session, so that the rules below hold the same way everywhere.
//!
//! - A session is named by an opaque [`SessionId`] of 256 random bits that travels only in an
//!   HttpOnly, SameSite=Lax cookie (Secure when the site is served over https, see
//!   [`CookieAttributes`]); what the session holds (who is logged in, the secrets of a signing
//!   in progress) never reaches the browser. The database keeps only the id's SHA-256
//!   (`kuvert_store::web_session`), so every node of a role serves every session and a
//!   restart or a killed node logs nobody out (issue 16).
//! - A session ends after `idle_timeout` without a request, `lifetime` after it was created
//!   whatever the activity, and when it is removed (logout, or a finished login replaced by a
//!   fresh id against session fixation). A request is recorded at most every
//!   `limits::WEB_SESSION_TOUCH_SECS` (or a quarter of the idle timeout), so reads seldom
//!   write. Ended sessions are deleted when met, at each login and by [`SessionStore::
//!   run_sweeper`].
//! - At most `sessions_max` sessions exist (each role's limit in `kuvert_core::limits`);
//!   past it ended sessions are dropped, then the least recently used ones.
//! - Each session has its CSRF token ([`crate::csrf`]): an HMAC of its id under the role's
//!   key ([`crate::web_keys::WebKeys`], configured so that every node has the same), so forms
//!   need no stored token and a token of one session is useless in another.
//! - Two nodes changing one session at once do not overwrite each other: a change is written
//!   only over the version it was made from, and made again from the new one otherwise.

mod cookie;

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, header};
use kuvert_core::limits::{
    WEB_SESSION_CHANGE_ATTEMPTS_MAX, WEB_SESSION_LIFETIME_SECS, WEB_SESSION_TOUCH_SECS,
};
use kuvert_store::StoreError;
use kuvert_store::web_session::{
    Liveness, NewSession, SessionChange, SessionKey, SessionRow, StoredSession, WebSessionStore,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::Shutdown;
use crate::csrf::{CsrfError, CsrfKey, CsrfToken};

pub use cookie::{CookieAttributes, append_set_cookie};

/// How a role's sessions behave.
#[derive(Clone, Copy, Debug)]
pub struct SessionConfig {
    /// Name of the session cookie (`kuvert_session`, `kuvert_kommunikator`); also the
    /// sessions' realm in the database.
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

impl SessionConfig {
    /// A role's sessions: cookie `cookie_name` with `cookie`'s attributes, ended after
    /// `idle_timeout` without a request or `limits::WEB_SESSION_LIFETIME_SECS` after login, at
    /// most `sessions_max` at once.
    #[must_use]
    pub fn new(
        cookie_name: &'static str,
        cookie: CookieAttributes,
        idle_timeout: Duration,
        sessions_max: usize,
    ) -> Self {
        Self {
            cookie_name,
            cookie,
            idle_timeout,
            lifetime: Duration::from_secs(WEB_SESSION_LIFETIME_SECS),
            sessions_max,
        }
    }
}

/// What a role keeps in a session: stored as JSON, read back through serde (so values go
/// through their parsers again).
pub trait SessionData: Clone + Serialize + DeserializeOwned + Send + Sync {
    /// A secret value by which the session is found without its cookie (the state a signing
    /// service posts back cross-site), if the session has one now.
    fn lookup(&self) -> Option<&str> {
        None
    }
}

/// The id of a session: 64 hex digits of system randomness. Only the store makes one (for a
/// new session) or reads one (from a well-formed cookie); `Debug` never shows it.
#[derive(Clone)]
pub struct SessionId(SecretString);

/// Where "now" comes from: the system's clock, or a test's clock. Sessions are shared by
/// nodes, so this is wall-clock time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

/// Why the session store failed: the database, or stored data that no longer reads back.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The database failed.
    #[error("session storage failed")]
    Store(#[from] StoreError),
    /// A session could not be written as JSON or read back.
    #[error("session data could not be encoded or decoded")]
    Data(#[source] serde_json::Error),
}

/// All sessions of one role, each holding an `S`. Clones share the database and key.
pub struct SessionStore<S> {
    rows: Arc<dyn WebSessionStore>,
    config: SessionConfig,
    clock: Arc<dyn Clock>,
    csrf: Arc<CsrfKey>,
    data: PhantomData<fn() -> S>,
}

/// How often [`SessionStore::run_sweeper`] deletes ended sessions.
const SWEEP_INTERVAL: Duration = Duration::from_secs(300);

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

impl<S> Clone for SessionStore<S> {
    fn clone(&self) -> Self {
        Self {
            rows: Arc::clone(&self.rows),
            config: self.config,
            clock: Arc::clone(&self.clock),
            csrf: Arc::clone(&self.csrf),
            data: PhantomData,
        }
    }
}

impl<S: SessionData> SessionStore<S> {
    /// The sessions of `config.cookie_name` in `rows`, on the system clock, with forms
    /// protected under `csrf`.
    ///
    /// # Panics
    /// When `config.sessions_max` is 0 (a bound of nothing is a programming error).
    pub fn new(rows: Arc<dyn WebSessionStore>, config: SessionConfig, csrf: CsrfKey) -> Self {
        Self::with_clock(rows, config, csrf, Arc::new(SystemClock))
    }

    /// As [`SessionStore::new`], reading the time from `clock`.
    ///
    /// # Panics
    /// When `config.sessions_max` is 0.
    pub fn with_clock(
        rows: Arc<dyn WebSessionStore>,
        config: SessionConfig,
        csrf: CsrfKey,
        clock: Arc<dyn Clock>,
    ) -> Self {
        assert!(
            config.sessions_max > 0,
            "a session store holds at least one"
        );
        Self {
            rows,
            config,
            clock,
            csrf: Arc::new(csrf),
            data: PhantomData,
        }
    }

    /// Stores `data` under a fresh random id and returns the id; ended sessions are deleted,
    /// and past the bound the least recently used ones.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails or `data` is over the bound.
    pub async fn create(&self, data: S) -> Result<SessionId, SessionError> {
        let id = new_session_id();
        let text = encode(&data)?;
        let lookup = data.lookup().map(SessionKey::of_secret);
        self.rows
            .create_session(NewSession {
                row: SessionRow {
                    realm: self.config.cookie_name,
                    key: &SessionKey::of_secret(id.expose_secret()),
                    data: &text,
                    lookup: lookup.as_ref(),
                },
                liveness: self.liveness(),
                sessions_max: self.config.sessions_max,
            })
            .await?;
        Ok(SessionId(id))
    }

    /// What the live session `id` holds, recording the request; an ended one is deleted.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails or the stored data does not read back.
    pub async fn get(&self, id: &SessionId) -> Result<Option<S>, SessionError> {
        let Some(stored) = self.live(id).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if now - stored.last_seen_at >= self.touch_interval() {
            let key = SessionKey::of_secret(id.0.expose_secret());
            self.rows
                .touch_session(self.config.cookie_name, &key, now)
                .await?;
        }
        decode(&stored).map(Some)
    }

    /// Changes the live session `id` (made again from the newer version when another node
    /// changed it meanwhile), recording the request; false when there is none.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails or the data does not read back or fit.
    pub async fn update(
        &self,
        id: &SessionId,
        mut change: impl FnMut(&mut S),
    ) -> Result<bool, SessionError> {
        for _ in 0..WEB_SESSION_CHANGE_ATTEMPTS_MAX {
            let Some(stored) = self.live(id).await? else {
                return Ok(false);
            };
            let mut data = decode(&stored)?;
            change(&mut data);
            if self.write(&stored, &data).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Ends the session `id` (logout, or a login replaced by a fresh id), returning what it
    /// held if it was still live.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails.
    pub async fn remove(&self, id: &SessionId) -> Result<Option<S>, SessionError> {
        let stored = self.live(id).await?;
        let key = SessionKey::of_secret(id.0.expose_secret());
        self.rows
            .remove_session(self.config.cookie_name, &key)
            .await?;
        stored.as_ref().map(decode).transpose()
    }

    /// Takes something out of the live session whose [`SessionData::lookup`] is `lookup`,
    /// once: for state that comes back without the cookie (a signing service posting
    /// cross-site), on whichever node it lands. `take` changes the session only when it
    /// answers `Some`; of two nodes taking at once only one gets it.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails or the data does not read back.
    pub async fn take_by_lookup<T>(
        &self,
        lookup: &str,
        take: impl FnOnce(&mut S) -> Option<T>,
    ) -> Result<Option<T>, SessionError> {
        let key = SessionKey::of_secret(lookup);
        let stored = self
            .rows
            .session_by_lookup(self.config.cookie_name, &key, self.liveness())
            .await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let mut data = decode(&stored)?;
        let Some(taken) = take(&mut data) else {
            return Ok(None);
        };
        Ok(self.write(&stored, &data).await?.then_some(taken))
    }

    /// Deletes the ended sessions now, returning how many.
    ///
    /// # Errors
    /// [`SessionError`] when the database fails.
    pub async fn sweep(&self) -> Result<u64, SessionError> {
        let realm = self.config.cookie_name;
        Ok(self.rows.sweep_sessions(realm, self.liveness()).await?)
    }

    /// Until `shutdown`: deletes ended sessions every few minutes, so rows of people who
    /// never came back do not wait for the next login.
    pub async fn run_sweeper(self, shutdown: Shutdown) {
        loop {
            tokio::select! {
                () = shutdown.wait() => return,
                () = tokio::time::sleep(SWEEP_INTERVAL) => {}
            }
            if let Err(error) = self.sweep().await {
                let error = kuvert_core::report::error_chain(&error);
                tracing::warn!(%error, "sweeping ended web sessions failed");
            }
        }
    }

    async fn live(&self, id: &SessionId) -> Result<Option<StoredSession>, SessionError> {
        let key = SessionKey::of_secret(id.0.expose_secret());
        let realm = self.config.cookie_name;
        Ok(self.rows.session(realm, &key, self.liveness()).await?)
    }

    /// Writes `data` over `stored` if nobody changed it meanwhile.
    async fn write(&self, stored: &StoredSession, data: &S) -> Result<bool, SessionError> {
        let text = encode(data)?;
        let lookup = data.lookup().map(SessionKey::of_secret);
        let change = SessionChange {
            row: SessionRow {
                realm: self.config.cookie_name,
                key: &stored.key,
                data: &text,
                lookup: lookup.as_ref(),
            },
            version: stored.version,
            at: self.clock.now(),
        };
        Ok(self.rows.change_session(change).await?)
    }

    fn liveness(&self) -> Liveness {
        Liveness {
            now: self.clock.now(),
            idle: duration(self.config.idle_timeout),
            lifetime: duration(self.config.lifetime),
        }
    }

    fn touch_interval(&self) -> time::Duration {
        let touch = Duration::from_secs(WEB_SESSION_TOUCH_SECS).min(self.config.idle_timeout / 4);
        duration(touch)
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

fn encode<S: Serialize>(data: &S) -> Result<String, SessionError> {
    serde_json::to_string(data).map_err(SessionError::Data)
}

fn decode<S: DeserializeOwned>(stored: &StoredSession) -> Result<S, SessionError> {
    serde_json::from_str(&stored.data).map_err(SessionError::Data)
}

/// A configured duration as the store's; durations past `time`'s range are its maximum.
fn duration(value: Duration) -> time::Duration {
    time::Duration::try_from(value).unwrap_or(time::Duration::MAX)
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
