//! Unit tests of the test provider's checks: PKCE, client credentials, masking.

use super::endpoints::{basic_credentials, is_pkce_match};
use super::*;
use base64::Engine as _;

#[test]
fn pkce_matches_the_s256_challenge_of_its_verifier() {
    // Computed independently with Python: base64url(sha256(verifier)) without padding.
    let verifier = "dBjftJeZ4CVP-mJ0K6SPz5ixtbJJlVDXHbcXxaRpnjc";
    let challenge = "i-yts_dfQqQ6bSGQQEzGGgjsLktmE9-rAGL-y6jtEjo";
    assert!(is_pkce_match(verifier, challenge));
}

#[test]
fn pkce_rejects_another_verifier_and_malformed_ones() {
    let challenge = "i-yts_dfQqQ6bSGQQEzGGgjsLktmE9-rAGL-y6jtEjo";
    assert!(!is_pkce_match(
        "dBjftJeZ4CVP-mJ0K6SPz5ixtbJJlVDXHbcXxaRpnjd",
        challenge
    ));
    assert!(!is_pkce_match("short", challenge));
    assert!(!is_pkce_match(&"a".repeat(129), challenge));
    assert!(!is_pkce_match(&format!("{}+", "a".repeat(43)), challenge));
}

#[test]
fn basic_credentials_decode_form_urlencoded_id_and_secret() {
    let encoded = base64::engine::general_purpose::STANDARD.encode("my%20client:s%3Acret+x");
    let (client_id, secret) = basic_credentials(&encoded).unwrap();
    assert_eq!(client_id, "my client");
    assert_eq!(secret, "s:cret x");
}

#[test]
fn basic_credentials_reject_text_without_colon_or_base64() {
    let no_colon = base64::engine::general_purpose::STANDARD.encode("client");
    assert!(basic_credentials(&no_colon).is_none());
    assert!(basic_credentials("not base64 !").is_none());
}

#[test]
fn masked_number_shows_only_the_birth_date() {
    let number = PersonalIdentityNumber::parse("191212121212").unwrap();
    assert_eq!(masked_number(&number), "19121212-****");
}

#[test]
fn content_security_policy_allows_forms_only_to_itself_and_the_clients_origins() {
    let client = |uris: &[&str]| RegisteredClient {
        client_id: "operator".to_owned(),
        client_secret: SecretString::from("secret"),
        redirect_uris: uris.iter().map(|uri| Url::parse(uri).unwrap()).collect(),
    };
    let clients = [
        client(&[
            "http://127.0.0.1:8081/inloggad",
            "http://127.0.0.1:8081/skaffa/signerad",
        ]),
        client(&["https://brevlada.example/inloggad"]),
    ];
    let policy = pages::content_security_policy(&clients);
    assert_eq!(
        policy.to_str().unwrap(),
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self' http://127.0.0.1:8081 https://brevlada.example"
    );
}

#[test]
fn pages_carry_no_script_and_no_inline_style() {
    let templates = [
        include_str!("../../templates/base.html"),
        include_str!("../../templates/authorize.html"),
        include_str!("../../templates/sign.html"),
        include_str!("../../templates/return.html"),
        include_str!("../../templates/error.html"),
    ];
    for template in templates {
        assert!(!template.contains("<script"), "{template}");
        assert!(!template.contains("<style"), "{template}");
        assert!(!template.contains("style="), "{template}");
    }
}
