//! What the inbox adds to the shared session store: its cookie, and the pending signing
//! found by its state exactly once. Expiry, the bound and logout are `kuvert_web`'s tests.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use kuvert_core::id::PersonalIdentityNumber;
use secrecy::SecretString;

use super::{LoggedIn, PendingSigning, Session, new_store, take_signing};

fn logged_in() -> Session {
    Session {
        person: Some(LoggedIn {
            person: PersonalIdentityNumber::parse("198101052382").unwrap(),
            name: "Hanna Här".to_owned(),
        }),
        ..Session::default()
    }
}

#[test]
fn session_cookie_is_kuvert_session_on_the_whole_site_and_read_back() {
    let sessions = new_store(Duration::from_secs(60), true);
    let id = sessions.create(logged_in());
    let cookie = sessions.set_cookie(&id).to_str().unwrap().to_owned();
    assert!(cookie.starts_with("kuvert_session="), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"),
        "{cookie}"
    );
    let value = cookie.split(';').next().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(value).unwrap());
    let found = sessions.session_id(&headers).unwrap();
    assert!(sessions.get(&found).unwrap().person.is_some());
}

#[test]
fn take_signing_finds_the_pending_signing_by_state_once() {
    let sessions = new_store(Duration::from_secs(60), false);
    let id = sessions.create(logged_in());
    let pending = PendingSigning {
        state: SecretString::from("state-1"),
        agreement_text: "villkor".to_owned(),
        purpose: crate::http::account::signing::SigningPurpose::Deregister,
    };
    assert!(sessions.update(&id, |session| session.pending_signing = Some(pending)));
    assert!(take_signing(&sessions, "").is_none());
    assert!(take_signing(&sessions, "state-2").is_none());
    let (person, taken) = take_signing(&sessions, "state-1").unwrap();
    assert_eq!(person.person.as_str(), "198101052382");
    assert_eq!(taken.agreement_text, "villkor");
    assert!(take_signing(&sessions, "state-1").is_none(), "used once");
}

#[test]
fn take_signing_needs_a_logged_in_session() {
    let sessions = new_store(Duration::from_secs(60), false);
    let pending = PendingSigning {
        state: SecretString::from("state-1"),
        agreement_text: "villkor".to_owned(),
        purpose: crate::http::account::signing::SigningPurpose::Deregister,
    };
    let anonymous = Session {
        pending_signing: Some(pending),
        ..Session::default()
    };
    let id = sessions.create(anonymous);
    assert!(take_signing(&sessions, "state-1").is_none());
    assert!(
        sessions.get(&id).unwrap().pending_signing.is_some(),
        "left in place"
    );
}
