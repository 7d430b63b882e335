//! Sessions: fresh ids, cookie parsing and flags, removal, and the pending signing found by
//! its state exactly once.

use std::time::Duration;

use axum::http::Request;
use kuvert_core::id::PersonalIdentityNumber;
use secrecy::{ExposeSecret, SecretString};

use super::{
    LoggedIn, PendingSigning, Session, Sessions, clear_cookie, cookie_session_id, set_cookie,
};

fn logged_in() -> Session {
    Session {
        person: Some(LoggedIn {
            person: PersonalIdentityNumber::parse("198101052382").unwrap(),
            name: "Hanna Här".to_owned(),
        }),
        ..Session::default()
    }
}

fn cookie_of(header: &str) -> Option<SecretString> {
    let request = Request::builder()
        .header("cookie", header)
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    cookie_session_id(&parts)
}

#[test]
fn session_ids_are_fresh_64_hex_digits_and_found_again() {
    let sessions = Sessions::new(Duration::from_secs(60));
    let first = sessions.create(logged_in());
    let second = sessions.create(logged_in());
    assert_ne!(first.expose_secret(), second.expose_secret());
    assert_eq!(first.expose_secret().len(), 64);
    assert!(sessions.get(&first).unwrap().person.is_some());
    assert!(sessions.remove(&first).is_some());
    assert!(sessions.get(&first).is_none(), "a removed session is gone");
    assert!(sessions.get(&second).is_some());
}

#[test]
fn cookie_session_id_reads_only_well_formed_ids() {
    let id = "ab".repeat(32);
    let found = cookie_of(&format!("lang=en; kuvert_session={id}")).unwrap();
    assert_eq!(found.expose_secret(), id);
    assert!(cookie_of("kuvert_session=short").is_none());
    assert!(cookie_of(&format!("kuvert_session={}", "zz".repeat(32))).is_none());
    assert!(cookie_of("other=1").is_none());
}

#[test]
fn cookies_are_http_only_lax_and_secure_only_over_tls() {
    let id = SecretString::from("ab".repeat(32));
    let plain = set_cookie(&id, false);
    assert!(
        plain.contains("HttpOnly") && plain.contains("SameSite=Lax"),
        "{plain}"
    );
    assert!(!plain.contains("Secure"), "{plain}");
    assert!(set_cookie(&id, true).ends_with("; Secure"));
    assert!(clear_cookie(false).contains("Max-Age=0"));
}

#[test]
fn take_signing_finds_the_pending_signing_by_state_once() {
    let sessions = Sessions::new(Duration::from_secs(60));
    let id = sessions.create(logged_in());
    let state = SecretString::from("state-1");
    let pending = PendingSigning {
        state: state.clone(),
        agreement_text: "villkor".to_owned(),
        purpose: crate::http::account::signing::SigningPurpose::Deregister,
    };
    assert!(sessions.update(&id, |session| session.pending_signing = Some(pending)));
    assert!(sessions.take_signing("").is_none());
    assert!(sessions.take_signing("state-2").is_none());
    let (person, taken) = sessions.take_signing("state-1").unwrap();
    assert_eq!(person.person.as_str(), "198101052382");
    assert_eq!(taken.agreement_text, "villkor");
    assert!(sessions.take_signing("state-1").is_none(), "used once");
}

#[test]
fn update_of_a_missing_session_changes_nothing() {
    let sessions = Sessions::new(Duration::from_secs(60));
    let unknown = SecretString::from("cd".repeat(32));
    assert!(!sessions.update(&unknown, |session| session.company = None));
}
