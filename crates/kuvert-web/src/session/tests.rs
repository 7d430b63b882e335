//! The session store: fresh ids, cookie parsing and attributes, idle and absolute expiry on a
//! clock the test turns, the bound, logout, finding by value, and CSRF tokens per session.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, header};
use secrecy::ExposeSecret;

use super::*;

/// A clock that moves only when the test says so.
struct TurnedClock {
    start: Instant,
    elapsed: Mutex<Duration>,
}

impl TurnedClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        })
    }

    fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap() += by;
    }
}

impl Clock for TurnedClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap()
    }
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

fn store(sessions_max: usize) -> (SessionStore<String>, Arc<TurnedClock>) {
    let clock = TurnedClock::new();
    let store = SessionStore::with_clock(config(sessions_max, false), clock.clone());
    (store, clock)
}

/// A session made now that has ended by the time the call returns (the clock moved past
/// the idle timeout).
fn ended_session(sessions: &SessionStore<String>, clock: &TurnedClock, data: &str) -> SessionId {
    let id = sessions.create(data.to_owned());
    clock.advance(IDLE + Duration::from_secs(1));
    id
}

fn headers_with_cookie(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    headers
}

#[test]
fn create_gives_fresh_64_hex_ids_each_finding_its_own_data() {
    let (sessions, _) = store(10);
    let first = sessions.create("a".to_owned());
    let second = sessions.create("b".to_owned());
    assert_ne!(first.0.expose_secret(), second.0.expose_secret());
    assert!(is_session_id(first.0.expose_secret()));
    assert_eq!(sessions.get(&first).as_deref(), Some("a"));
    assert_eq!(sessions.get(&second).as_deref(), Some("b"));
    assert_eq!(format!("{first:?}"), "SessionId([redacted])");
}

#[test]
fn session_ends_after_the_idle_timeout_and_requests_keep_it_alive() {
    let (sessions, clock) = store(10);
    let busy = sessions.create("busy".to_owned());
    let idle = sessions.create("idle".to_owned());
    clock.advance(IDLE - Duration::from_secs(1));
    assert!(sessions.get(&busy).is_some());
    clock.advance(Duration::from_secs(2));
    assert!(sessions.get(&busy).is_some(), "touched a second ago");
    assert!(sessions.get(&idle).is_none(), "idle past the timeout");
    assert!(!sessions.update(&idle, |data| data.push('!')));
    assert_eq!(sessions.len(), 1, "the ended session was dropped");
}

#[test]
fn session_ends_after_its_lifetime_however_active() {
    let (sessions, clock) = store(10);
    let id = sessions.create("a".to_owned());
    let step = IDLE / 2;
    let mut elapsed = Duration::ZERO;
    while elapsed + step <= LIFETIME {
        clock.advance(step);
        elapsed += step;
        assert!(sessions.update(&id, |_| {}), "alive after {elapsed:?}");
    }
    clock.advance(step);
    assert!(sessions.get(&id).is_none());
    assert!(sessions.remove(&id).is_none());
}

#[test]
fn remove_ends_the_session_and_returns_what_it_held_only_while_live() {
    let (sessions, clock) = store(10);
    let logged_out = sessions.create("a".to_owned());
    assert_eq!(sessions.remove(&logged_out).as_deref(), Some("a"));
    assert!(
        sessions.get(&logged_out).is_none(),
        "logout ends it server-side"
    );
    assert!(sessions.remove(&logged_out).is_none());
    let ended = ended_session(&sessions, &clock, "b");
    assert!(
        sessions.remove(&ended).is_none(),
        "an ended session's data is not used"
    );
    assert!(sessions.is_empty());
}

#[test]
fn full_store_drops_ended_sessions_first_then_the_least_recently_used() {
    let (sessions, clock) = store(3);
    let ended = ended_session(&sessions, &clock, "ended");
    let least_recent = sessions.create("least recent".to_owned());
    clock.advance(Duration::from_secs(1));
    let recent = sessions.create("recent".to_owned());
    clock.advance(Duration::from_secs(1));
    let newest = sessions.create("newest".to_owned());
    assert_eq!(sessions.len(), 3, "the ended session made room");
    assert!(sessions.get(&ended).is_none());
    clock.advance(Duration::from_secs(1));
    assert!(
        sessions.update(&least_recent, |_| {}),
        "now the most recent"
    );
    let another = sessions.create("another".to_owned());
    assert_eq!(sessions.len(), 3, "the bound holds");
    assert!(sessions.get(&recent).is_none(), "least recently used went");
    for kept in [&least_recent, &newest, &another] {
        assert!(sessions.get(kept).is_some());
    }
}

#[test]
fn update_changes_only_the_named_live_session() {
    let (sessions, _) = store(10);
    let id = sessions.create("a".to_owned());
    let other = sessions.create("b".to_owned());
    assert!(sessions.update(&id, |data| data.push('!')));
    assert_eq!(sessions.get(&id).as_deref(), Some("a!"));
    assert_eq!(sessions.get(&other).as_deref(), Some("b"));
    let unknown = SessionId(SecretString::from("cd".repeat(32)));
    assert!(!sessions.update(&unknown, |data| data.clear()));
}

#[test]
fn find_map_takes_from_the_live_session_that_matches_once() {
    let (sessions, clock) = store(10);
    let ended = ended_session(&sessions, &clock, "state-1");
    let live = sessions.create("state-1".to_owned());
    let take = |data: &mut String| (data == "state-1").then(|| std::mem::take(data));
    assert_eq!(sessions.find_map(take).as_deref(), Some("state-1"));
    assert_eq!(sessions.get(&live).as_deref(), Some(""), "taken out");
    assert!(sessions.find_map(take).is_none(), "only once");
    assert!(sessions.get(&ended).is_none());
}

#[test]
fn session_id_reads_only_a_well_formed_id_in_the_stores_own_cookie() {
    let (sessions, _) = store(10);
    let id = sessions.create("a".to_owned());
    let value = id.0.expose_secret().to_owned();
    let found = sessions.session_id(&headers_with_cookie(&format!(
        "lang=en; kuvert_test={value}"
    )));
    assert_eq!(sessions.get(&found.unwrap()).as_deref(), Some("a"));
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

#[test]
fn session_cookie_is_http_only_lax_scoped_and_secure_only_under_https() {
    let plain: SessionStore<String> = SessionStore::new(config(10, false));
    let id = plain.create("a".to_owned());
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
    let secure: SessionStore<String> = SessionStore::new(config(10, true));
    let id = secure.create("a".to_owned());
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

#[test]
fn csrf_token_of_a_session_is_accepted_for_it_and_refused_for_another() {
    let (sessions, _) = store(10);
    let id = sessions.create("a".to_owned());
    let other = sessions.create("b".to_owned());
    let token = sessions.csrf_token(&id);
    assert_eq!(sessions.check_csrf(&id, Some(token.as_str())), Ok(()));
    let refused = sessions.check_csrf(&other, Some(token.as_str()));
    assert_eq!(refused, Err(CsrfError::Mismatch));
    assert_eq!(sessions.check_csrf(&id, None), Err(CsrfError::Missing));
    assert_eq!(CsrfError::Missing.status(), http::StatusCode::FORBIDDEN);
    let (elsewhere, _) = store(10);
    let foreign = elsewhere.check_csrf(&id, Some(token.as_str()));
    assert_eq!(
        foreign,
        Err(CsrfError::Mismatch),
        "each store has its own key"
    );
}
