//! Unit tests of communicator sessions: cookie attributes, ids, idle expiry.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use kuvert_core::id::PersonalIdentityNumber;
use secrecy::ExposeSecret;

use super::*;

fn person() -> PersonalIdentityNumber {
    PersonalIdentityNumber::parse("19121212-1212").unwrap()
}

#[test]
fn cookie_is_http_only_lax_scoped_and_secure_under_tls() {
    let sessions = Sessions::new(Duration::from_secs(60));
    let id = sessions.create(Session::LoggedIn(person()));
    let cookie = set_cookie(&id, true);
    assert!(cookie.starts_with("kuvert_kommunikator="));
    assert!(cookie.contains("; Path=/kommunikator; HttpOnly; SameSite=Lax; Secure"));
    assert!(!set_cookie(&id, false).contains("Secure"));
    assert!(clear_cookie(false).contains("Max-Age=0"));
}

#[test]
fn session_is_found_by_its_cookie_and_not_by_a_forged_one() {
    let sessions = Sessions::new(Duration::from_secs(60));
    let id = sessions.create(Session::LoggedIn(person()));
    let mut headers = HeaderMap::new();
    let value = format!("lang=sv; {COOKIE_NAME}={}", id.expose_secret());
    headers.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
    let found = cookie_session_id(&headers).unwrap();
    assert!(matches!(sessions.get(&found), Some(Session::LoggedIn(_))));
    let mut forged = HeaderMap::new();
    forged.insert(
        header::COOKIE,
        HeaderValue::from_static("kuvert_kommunikator=abc"),
    );
    assert!(cookie_session_id(&forged).is_none());
    assert!(sessions.get(&SecretString::from("0".repeat(64))).is_none());
}

#[test]
fn idle_session_ends() {
    let sessions = Sessions::new(Duration::ZERO);
    let id = sessions.create(Session::LoggedIn(person()));
    std::thread::sleep(Duration::from_millis(2));
    assert!(sessions.get(&id).is_none());
    assert!(sessions.remove(&id).is_none());
}
