//! What the portal adds to the shared session store: its cookie's name and scope, and that
//! a session is a row any node reads. Expiry, the bound and logout are `kuvert_web`'s tests.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_web::csrf::CsrfKey;
use kuvert_web::session::SessionStore;

use super::*;

fn person() -> PersonalIdentityNumber {
    PersonalIdentityNumber::parse("19121212-1212").unwrap()
}

/// A store in a fresh SQLite file (kept while the dir lives).
async fn store(is_tls: bool) -> (Sessions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let database = kuvert_store::Database::connect(&url).await.unwrap();
    let idle = Duration::from_secs(60);
    let config = session_config(idle, is_tls);
    let sessions = SessionStore::new(database.web_sessions(), config, CsrfKey::generate());
    (sessions, dir)
}

#[tokio::test]
async fn cookie_is_http_only_lax_scoped_and_secure_under_tls() {
    let (sessions, _dir) = store(true).await;
    let id = sessions.create(Session::LoggedIn(person())).await.unwrap();
    let cookie = sessions.set_cookie(&id).to_str().unwrap().to_owned();
    assert!(cookie.starts_with("kuvert_kommunikator="), "{cookie}");
    assert!(cookie.ends_with("; Path=/kommunikator; HttpOnly; SameSite=Lax; Secure"));
    let (plain, _dir) = store(false).await;
    let id = plain.create(Session::LoggedIn(person())).await.unwrap();
    assert!(!plain.set_cookie(&id).to_str().unwrap().contains("Secure"));
    assert!(plain.clear_cookie().to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn session_is_found_by_its_cookie_and_not_by_a_forged_one() {
    let (sessions, _dir) = store(false).await;
    let id = sessions.create(Session::LoggedIn(person())).await.unwrap();
    let cookie = sessions.set_cookie(&id).to_str().unwrap().to_owned();
    let value = format!("lang=sv; {}", cookie.split(';').next().unwrap());
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
    let found = sessions.session_id(&headers).unwrap();
    let session = sessions.get(&found).await.unwrap();
    assert!(matches!(session, Some(Session::LoggedIn(_))));
    let mut forged = HeaderMap::new();
    forged.insert(
        header::COOKIE,
        HeaderValue::from_static("kuvert_kommunikator=abc"),
    );
    assert!(sessions.session_id(&forged).is_none());
}
