//! CSRF tokens: bound to the session and the key.

use super::*;

fn session(id: &str) -> SecretString {
    SecretString::from(id)
}

#[test]
fn verify_accepts_the_token_of_the_same_session() {
    let key = CsrfKey::generate();
    let token = key.token(&session("s1"));
    assert_eq!(key.verify(&session("s1"), Some(token.as_str())), Ok(()));
    assert!(
        token
            .hidden_field()
            .contains(&format!(r#"name="csrf_token" value="{}""#, token.as_str()))
    );
}

#[test]
fn verify_rejects_other_sessions_keys_and_garbage() {
    let key = CsrfKey::from_bytes([7; 32]);
    let token = key.token(&session("s1"));
    assert_eq!(
        key.verify(&session("s2"), Some(token.as_str())),
        Err(CsrfError::Mismatch)
    );
    let other = CsrfKey::from_bytes([8; 32]);
    assert_eq!(
        other.verify(&session("s1"), Some(token.as_str())),
        Err(CsrfError::Mismatch)
    );
    assert_eq!(
        key.verify(&session("s1"), Some("zz")),
        Err(CsrfError::Mismatch)
    );
    assert_eq!(
        key.verify(&session("s1"), Some("")),
        Err(CsrfError::Missing)
    );
    assert_eq!(key.verify(&session("s1"), None), Err(CsrfError::Missing));
}
