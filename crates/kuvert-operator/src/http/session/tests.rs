//! What the inbox adds to the shared session store: its cookie, and the pending signing
//! found by its state exactly once. Expiry, the bound and logout are `kuvert_web`'s tests.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_web::csrf::CsrfKey;
use kuvert_web::session::SessionStore;
use secrecy::SecretString;

use super::{LoggedIn, PendingSigning, Session, Sessions, session_config, take_signing};

/// The inbox's store in a fresh SQLite file (kept while the dir lives).
async fn store(is_tls: bool) -> (Sessions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/operator.db?mode=rwc", dir.path().display());
    let database = kuvert_store::Database::connect(&url).await.unwrap();
    let idle = Duration::from_secs(60);
    let config = session_config(idle, is_tls);
    let sessions = SessionStore::new(database.web_sessions(), config, CsrfKey::generate());
    (sessions, dir)
}

fn logged_in() -> Session {
    Session {
        person: Some(LoggedIn {
            person: PersonalIdentityNumber::parse("198101052382").unwrap(),
            name: "Hanna Här".to_owned(),
        }),
        ..Session::default()
    }
}

#[tokio::test]
async fn session_cookie_is_kuvert_session_on_the_whole_site_and_read_back() {
    let (sessions, _dir) = store(true).await;
    let id = sessions.create(logged_in()).await.unwrap();
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
    assert!(
        sessions
            .get(&found)
            .await
            .unwrap()
            .unwrap()
            .person
            .is_some()
    );
}

#[tokio::test]
async fn take_signing_finds_the_pending_signing_by_state_once() {
    let (sessions, _dir) = store(false).await;
    let id = sessions.create(logged_in()).await.unwrap();
    let pending = PendingSigning {
        state: SecretString::from("state-1"),
        agreement_text: "villkor".to_owned(),
        purpose: crate::http::account::signing::SigningPurpose::Deregister,
    };
    let stored = sessions.update(&id, |session| {
        session.pending_signing = Some(pending.clone())
    });
    assert!(stored.await.unwrap());
    assert!(take_signing(&sessions, "").await.unwrap().is_none());
    assert!(take_signing(&sessions, "state-2").await.unwrap().is_none());
    let (person, taken) = take_signing(&sessions, "state-1").await.unwrap().unwrap();
    assert_eq!(person.person.as_str(), "198101052382");
    assert_eq!(taken.agreement_text, "villkor");
    let again = take_signing(&sessions, "state-1").await.unwrap();
    assert!(again.is_none(), "used once");
    let session = sessions.get(&id).await.unwrap().unwrap();
    assert!(session.pending_signing.is_none() && session.person.is_some());
}

#[tokio::test]
async fn take_signing_needs_a_logged_in_session() {
    let (sessions, _dir) = store(false).await;
    let pending = PendingSigning {
        state: SecretString::from("state-1"),
        agreement_text: "villkor".to_owned(),
        purpose: crate::http::account::signing::SigningPurpose::Deregister,
    };
    let anonymous = Session {
        pending_signing: Some(pending),
        ..Session::default()
    };
    let id = sessions.create(anonymous).await.unwrap();
    assert!(take_signing(&sessions, "state-1").await.unwrap().is_none());
    let session = sessions.get(&id).await.unwrap().unwrap();
    assert!(session.pending_signing.is_some(), "left in place");
}

#[test]
fn prelogin_cookie_carries_the_deep_link_sealed_and_parses_it_again() {
    use kuvert_core::campaign::CampaignCode;
    use kuvert_core::id::OrganisationNumber;

    use super::{PreLogin, new_prelogin};
    use crate::registry_client::account::RegistrationSource;

    let source = RegistrationSource {
        sender: OrganisationNumber::parse("2120000159").unwrap(),
        campaign: Some(CampaignCode::parse("VINTER_2026-A").unwrap()),
    };
    let jar = new_prelogin([7; 32], true);
    let set = jar.set_cookie(&PreLogin::new(None, Some(&source))).unwrap();
    let text = set.to_str().unwrap().to_owned();
    assert!(text.starts_with("kuvert_login="), "{text}");
    assert!(text.contains("; Path=/; HttpOnly; SameSite=Lax"), "{text}");
    assert!(text.contains("; Secure"), "{text}");
    assert!(!text.contains("2120000159"), "sealed: {text}");
    let mut headers = HeaderMap::new();
    let pair = text.split(';').next().unwrap();
    headers.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
    let back: PreLogin = jar.read(&headers).unwrap();
    assert_eq!(back.signup_source(), Some(source));
    assert!(back.pending_login.is_none());
    let same_key = new_prelogin([7; 32], true);
    assert!(
        same_key.read::<PreLogin>(&headers).is_some(),
        "another node, same key"
    );
    let other_process = new_prelogin([8; 32], true);
    assert!(
        other_process.read::<PreLogin>(&headers).is_none(),
        "another key cannot open it"
    );
}
