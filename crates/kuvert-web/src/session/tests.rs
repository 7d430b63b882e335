//! The session store over a real SQLite database: fresh ids, cookie parsing and attributes,
//! idle and absolute expiry on a clock the test turns, the bound, logout, finding by lookup
//! value once, CSRF tokens per session, and two stores on one database (two nodes) sharing
//! sessions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, header};
use kuvert_store::web_session::WebSessionStore;
use secrecy::ExposeSecret;
use time::OffsetDateTime;

use super::*;

/// A clock that moves only when the test says so.
struct TurnedClock {
    now: Mutex<OffsetDateTime>,
}

impl TurnedClock {
    fn new() -> Arc<Self> {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        Arc::new(Self {
            now: Mutex::new(now),
        })
    }

    fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }
}

impl Clock for TurnedClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap()
    }
}

/// Test data: a text, found by lookup when it starts with `state-`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Data(String);

impl SessionData for Data {
    fn lookup(&self) -> Option<&str> {
        self.0.starts_with("state-").then_some(self.0.as_str())
    }
}

fn data(text: &str) -> Data {
    Data(text.to_owned())
}

const IDLE: Duration = Duration::from_secs(60);
const LIFETIME: Duration = Duration::from_secs(600);

fn config(sessions_max: usize, is_secure: bool) -> SessionConfig {
    SessionConfig {
        cookie_name: "kuvert_test",
        cookie: CookieAttributes {
            path: "/sida",
            is_secure,
            is_http_only: false,
        },
        idle_timeout: IDLE,
        lifetime: LIFETIME,
        sessions_max,
    }
}

/// A fresh SQLite database's session rows (kept while the dir lives).
async fn rows() -> (Arc<dyn WebSessionStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/web.db?mode=rwc", dir.path().display());
    let database = kuvert_store::Database::connect(&url).await.unwrap();
    (database.web_sessions(), dir)
}

struct Fixture {
    sessions: SessionStore<Data>,
    clock: Arc<TurnedClock>,
    _dir: tempfile::TempDir,
}

async fn store(sessions_max: usize) -> Fixture {
    let clock = TurnedClock::new();
    let (rows, dir) = rows().await;
    let config = config(sessions_max, false);
    let sessions = SessionStore::with_clock(rows, config, CsrfKey::generate(), clock.clone());
    Fixture {
        sessions,
        clock,
        _dir: dir,
    }
}

/// A session made now that has ended by the time the call returns (the clock moved past
/// the idle timeout).
async fn ended_session(fixture: &Fixture, text: &str) -> SessionId {
    let id = fixture.sessions.create(data(text)).await.unwrap();
    fixture.clock.advance(IDLE + Duration::from_secs(1));
    id
}

async fn get(sessions: &SessionStore<Data>, id: &SessionId) -> Option<String> {
    sessions.get(id).await.unwrap().map(|data| data.0)
}

fn headers_with_cookie(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    headers
}

#[tokio::test]
async fn create_gives_fresh_64_hex_ids_each_finding_its_own_data() {
    let Fixture { sessions, .. } = &store(10).await;
    let first = sessions.create(data("a")).await.unwrap();
    let second = sessions.create(data("b")).await.unwrap();
    assert_ne!(first.0.expose_secret(), second.0.expose_secret());
    assert!(is_session_id(first.0.expose_secret()));
    assert_eq!(get(sessions, &first).await.as_deref(), Some("a"));
    assert_eq!(get(sessions, &second).await.as_deref(), Some("b"));
    assert_eq!(format!("{first:?}"), "SessionId([redacted])");
}

#[tokio::test]
async fn session_ends_after_the_idle_timeout_and_requests_keep_it_alive() {
    let fixture = store(10).await;
    let (sessions, clock) = (&fixture.sessions, &fixture.clock);
    let busy = sessions.create(data("busy")).await.unwrap();
    let idle = sessions.create(data("idle")).await.unwrap();
    clock.advance(IDLE - Duration::from_secs(1));
    assert!(get(sessions, &busy).await.is_some());
    clock.advance(Duration::from_secs(2));
    assert!(get(sessions, &busy).await.is_some(), "touched a second ago");
    assert!(
        get(sessions, &idle).await.is_none(),
        "idle past the timeout"
    );
    assert!(
        !sessions
            .update(&idle, |data| data.0.push('!'))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn session_ends_after_its_lifetime_however_active() {
    let fixture = store(10).await;
    let (sessions, clock) = (&fixture.sessions, &fixture.clock);
    let id = sessions.create(data("a")).await.unwrap();
    let step = IDLE / 2;
    let mut elapsed = Duration::ZERO;
    while elapsed + step <= LIFETIME {
        clock.advance(step);
        elapsed += step;
        let is_alive = sessions.update(&id, |_| {}).await.unwrap();
        assert!(is_alive, "alive after {elapsed:?}");
    }
    clock.advance(step);
    assert!(get(sessions, &id).await.is_none());
    assert!(sessions.remove(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn remove_ends_the_session_and_returns_what_it_held_only_while_live() {
    let fixture = store(10).await;
    let sessions = &fixture.sessions;
    let logged_out = sessions.create(data("a")).await.unwrap();
    let removed = sessions.remove(&logged_out).await.unwrap();
    assert_eq!(removed, Some(data("a")));
    assert!(
        get(sessions, &logged_out).await.is_none(),
        "logout ends it server-side"
    );
    assert!(sessions.remove(&logged_out).await.unwrap().is_none());
    let ended = ended_session(&fixture, "b").await;
    assert!(
        sessions.remove(&ended).await.unwrap().is_none(),
        "an ended session's data is not used"
    );
    assert_eq!(sessions.sweep().await.unwrap(), 0, "nothing left to sweep");
}

#[tokio::test]
async fn sweep_deletes_ended_sessions_only_and_a_login_sweeps_too() {
    let fixture = store(10).await;
    let (sessions, clock) = (&fixture.sessions, &fixture.clock);
    sessions.create(data("a")).await.unwrap();
    sessions.create(data("b")).await.unwrap();
    clock.advance(IDLE / 2);
    let live = sessions.create(data("c")).await.unwrap();
    clock.advance(IDLE / 2 + Duration::from_secs(1));
    assert_eq!(sessions.sweep().await.unwrap(), 2);
    assert!(get(sessions, &live).await.is_some());
    ended_session(&fixture, "d").await;
    sessions.create(data("e")).await.unwrap();
    assert_eq!(sessions.sweep().await.unwrap(), 0, "the login swept them");
}

#[tokio::test]
async fn full_store_drops_ended_sessions_first_then_the_least_recently_used() {
    let fixture = store(3).await;
    let (sessions, clock) = (&fixture.sessions, &fixture.clock);
    let ended = ended_session(&fixture, "ended").await;
    let least_recent = sessions.create(data("least recent")).await.unwrap();
    clock.advance(Duration::from_secs(1));
    let recent = sessions.create(data("recent")).await.unwrap();
    clock.advance(Duration::from_secs(1));
    let newest = sessions.create(data("newest")).await.unwrap();
    assert!(get(sessions, &ended).await.is_none());
    for kept in [&least_recent, &recent, &newest] {
        assert!(
            get(sessions, kept).await.is_some(),
            "the ended one made room"
        );
    }
    clock.advance(Duration::from_secs(1));
    let is_touched = sessions.update(&least_recent, |_| {}).await.unwrap();
    assert!(is_touched, "now the most recent");
    let another = sessions.create(data("another")).await.unwrap();
    assert!(
        get(sessions, &recent).await.is_none(),
        "least recently used went"
    );
    for kept in [&least_recent, &newest, &another] {
        assert!(get(sessions, kept).await.is_some());
    }
}

#[tokio::test]
async fn update_changes_only_the_named_live_session() {
    let Fixture { sessions, .. } = &store(10).await;
    let id = sessions.create(data("a")).await.unwrap();
    let other = sessions.create(data("b")).await.unwrap();
    assert!(sessions.update(&id, |data| data.0.push('!')).await.unwrap());
    assert_eq!(get(sessions, &id).await.as_deref(), Some("a!"));
    assert_eq!(get(sessions, &other).await.as_deref(), Some("b"));
    let unknown = SessionId(SecretString::from("cd".repeat(32)));
    assert!(
        !sessions
            .update(&unknown, |data| data.0.clear())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn take_by_lookup_takes_from_the_live_session_that_matches_once() {
    let fixture = store(10).await;
    let sessions = &fixture.sessions;
    let ended = ended_session(&fixture, "state-1").await;
    let live = sessions.create(data("state-1")).await.unwrap();
    let take = |data: &mut Data| (data.0 == "state-1").then(|| std::mem::take(&mut data.0));
    let taken = sessions.take_by_lookup("state-1", take).await.unwrap();
    assert_eq!(taken.as_deref(), Some("state-1"));
    assert_eq!(get(sessions, &live).await.as_deref(), Some(""), "taken out");
    assert!(
        sessions
            .take_by_lookup("state-1", take)
            .await
            .unwrap()
            .is_none(),
        "only once"
    );
    assert!(get(sessions, &ended).await.is_none());
}

#[tokio::test]
async fn two_stores_on_one_database_share_sessions_and_with_one_key_their_csrf_tokens() {
    let (rows, _dir) = rows().await;
    let key = [9_u8; 32];
    let node = |key| SessionStore::<Data>::new(rows.clone(), config(10, false), key);
    let (node_a, node_b) = (
        node(CsrfKey::from_bytes(key)),
        node(CsrfKey::from_bytes(key)),
    );
    let id = node_a.create(data("state-7")).await.unwrap();
    assert_eq!(get(&node_b, &id).await.as_deref(), Some("state-7"));
    let token = node_a.csrf_token(&id);
    assert_eq!(node_b.check_csrf(&id, Some(token.as_str())), Ok(()));
    let taken = node_b.take_by_lookup("state-7", |data| Some(std::mem::take(&mut data.0)));
    assert!(taken.await.unwrap().is_some());
    let again = node_a.take_by_lookup("state-7", |data| Some(std::mem::take(&mut data.0)));
    assert!(again.await.unwrap().is_none(), "taken once across nodes");
    assert!(node_b.remove(&id).await.unwrap().is_some());
    assert!(
        get(&node_a, &id).await.is_none(),
        "logout on one node ends it on all"
    );
    let other_key = node(CsrfKey::generate());
    let refused = other_key.check_csrf(&id, Some(token.as_str()));
    assert_eq!(refused, Err(CsrfError::Mismatch));
}

#[tokio::test]
async fn session_id_reads_only_a_well_formed_id_in_the_stores_own_cookie() {
    let Fixture { sessions, .. } = &store(10).await;
    let id = sessions.create(data("a")).await.unwrap();
    let value = id.0.expose_secret().to_owned();
    let found = sessions.session_id(&headers_with_cookie(&format!(
        "lang=en; kuvert_test={value}"
    )));
    assert_eq!(get(sessions, &found.unwrap()).await.as_deref(), Some("a"));
    for forged in [
        "kuvert_test=abc".to_owned(),
        format!("kuvert_test={}", "zz".repeat(32)),
        format!("kuvert_other={value}"),
        "lang=en".to_owned(),
    ] {
        assert!(
            sessions.session_id(&headers_with_cookie(&forged)).is_none(),
            "{forged}"
        );
    }
    assert!(sessions.session_id(&HeaderMap::new()).is_none());
}

#[tokio::test]
async fn session_cookie_is_http_only_lax_scoped_and_secure_only_under_https() {
    let (rows, _dir) = rows().await;
    let plain = SessionStore::<Data>::new(rows.clone(), config(10, false), CsrfKey::generate());
    let id = plain.create(data("a")).await.unwrap();
    let cookie = plain.set_cookie(&id);
    let expected = format!(
        "kuvert_test={}; Path=/sida; HttpOnly; SameSite=Lax",
        id.0.expose_secret()
    );
    assert_eq!(cookie.to_str().unwrap(), expected);
    assert_eq!(
        plain.clear_cookie().to_str().unwrap(),
        "kuvert_test=; Path=/sida; HttpOnly; SameSite=Lax; Max-Age=0"
    );
    let secure = SessionStore::<Data>::new(rows, config(10, true), CsrfKey::generate());
    let id = secure.create(data("a")).await.unwrap();
    assert!(
        secure
            .set_cookie(&id)
            .to_str()
            .unwrap()
            .ends_with("; SameSite=Lax; Secure")
    );
    assert!(
        secure
            .clear_cookie()
            .to_str()
            .unwrap()
            .ends_with("; Max-Age=0; Secure")
    );
}

#[test]
fn cookie_attributes_add_secure_only_for_a_site_served_over_https() {
    let year = Some(Duration::from_secs(31_536_000));
    let https = CookieAttributes {
        path: "/",
        is_secure: true,
        is_http_only: false,
    };
    assert_eq!(
        https.set_cookie("lang", "en", year).to_str().unwrap(),
        "lang=en; Path=/; SameSite=Lax; Max-Age=31536000; Secure"
    );
    let http = CookieAttributes {
        is_secure: false,
        ..https
    };
    assert_eq!(
        http.set_cookie("lang", "sv", year).to_str().unwrap(),
        "lang=sv; Path=/; SameSite=Lax; Max-Age=31536000"
    );
}

#[tokio::test]
async fn csrf_token_of_a_session_is_accepted_for_it_and_refused_for_another() {
    let Fixture { sessions, .. } = &store(10).await;
    let id = sessions.create(data("a")).await.unwrap();
    let other = sessions.create(data("b")).await.unwrap();
    let token = sessions.csrf_token(&id);
    assert_eq!(sessions.check_csrf(&id, Some(token.as_str())), Ok(()));
    let refused = sessions.check_csrf(&other, Some(token.as_str()));
    assert_eq!(refused, Err(CsrfError::Mismatch));
    assert_eq!(sessions.check_csrf(&id, None), Err(CsrfError::Missing));
    assert_eq!(CsrfError::Missing.status(), http::StatusCode::FORBIDDEN);
    let elsewhere = store(10).await;
    let elsewhere = &elsewhere.sessions;
    let foreign = elsewhere.check_csrf(&id, Some(token.as_str()));
    assert_eq!(
        foreign,
        Err(CsrfError::Mismatch),
        "each store has its own key"
    );
}
