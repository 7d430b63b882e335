//! What the portal adds to the shared session store: its cookie's name and scope. Expiry,
//! the bound and logout are `kuvert_web`'s tests.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use kuvert_core::id::PersonalIdentityNumber;

use super::*;

fn person() -> PersonalIdentityNumber {
    PersonalIdentityNumber::parse("19121212-1212").unwrap()
}

#[test]
fn cookie_is_http_only_lax_scoped_and_secure_under_tls() {
    let sessions = new_store(Duration::from_secs(60), true);
    let id = sessions.create(Session::LoggedIn(person()));
    let cookie = sessions.set_cookie(&id).to_str().unwrap().to_owned();
    assert!(cookie.starts_with("kuvert_kommunikator="), "{cookie}");
    assert!(cookie.ends_with("; Path=/kommunikator; HttpOnly; SameSite=Lax; Secure"));
    let plain = new_store(Duration::from_secs(60), false);
    let id = plain.create(Session::LoggedIn(person()));
    assert!(!plain.set_cookie(&id).to_str().unwrap().contains("Secure"));
    assert!(plain.clear_cookie().to_str().unwrap().contains("Max-Age=0"));
}

#[test]
fn session_is_found_by_its_cookie_and_not_by_a_forged_one() {
    let sessions = new_store(Duration::from_secs(60), false);
    let id = sessions.create(Session::LoggedIn(person()));
    let cookie = sessions.set_cookie(&id).to_str().unwrap().to_owned();
    let value = format!("lang=sv; {}", cookie.split(';').next().unwrap());
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
    let found = sessions.session_id(&headers).unwrap();
    assert!(matches!(sessions.get(&found), Some(Session::LoggedIn(_))));
    let mut forged = HeaderMap::new();
    forged.insert(
        header::COOKIE,
        HeaderValue::from_static("kuvert_kommunikator=abc"),
    );
    assert!(sessions.session_id(&forged).is_none());
}
