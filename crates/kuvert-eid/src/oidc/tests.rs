//! Unit tests of the relying party's pure parts: callback checks, issuer spelling, names.

use super::*;

fn pending() -> PendingLogin {
    PendingLogin {
        csrf_state: "state-abc".to_owned(),
        pkce_verifier: "verifier".to_owned(),
        nonce: "nonce".to_owned(),
    }
}

fn response(code: Option<&str>, state: Option<&str>, error: Option<&str>) -> AuthorizationResponse {
    AuthorizationResponse {
        code: code.map(str::to_owned),
        state: state.map(str::to_owned),
        error: error.map(str::to_owned),
        error_description: None,
    }
}

#[test]
fn check_callback_returns_the_code_when_the_state_matches() {
    let code = check_callback(response(Some("c1"), Some("state-abc"), None), &pending()).unwrap();
    assert_eq!(code, "c1");
}

#[test]
fn check_callback_rejects_another_or_missing_state() {
    for state in [Some("state-abd"), Some(""), None] {
        let error = check_callback(response(Some("c1"), state, None), &pending()).unwrap_err();
        assert!(
            matches!(error, EidError::StateMismatch),
            "{state:?}: {error}"
        );
    }
}

#[test]
fn check_callback_checks_the_state_before_reporting_a_cancel() {
    let forged = response(None, Some("other"), Some("access_denied"));
    let error = check_callback(forged, &pending()).unwrap_err();
    assert!(matches!(error, EidError::StateMismatch), "{error}");
}

#[test]
fn check_callback_reports_access_denied_as_cancelled() {
    let cancelled = response(None, Some("state-abc"), Some("access_denied"));
    let error = check_callback(cancelled, &pending()).unwrap_err();
    assert!(matches!(error, EidError::Cancelled), "{error}");
}

#[test]
fn check_callback_reports_other_provider_errors_with_their_code() {
    let failed = response(None, Some("state-abc"), Some("server_error"));
    let error = check_callback(failed, &pending()).unwrap_err();
    assert!(matches!(&error, EidError::Provider { error, .. } if error == "server_error"));
}

#[test]
fn check_callback_rejects_a_callback_without_code_or_error() {
    let error = check_callback(response(None, Some("state-abc"), None), &pending()).unwrap_err();
    assert!(matches!(error, EidError::MissingCode), "{error}");
}

#[test]
fn issuer_text_drops_the_slash_of_a_bare_origin_only() {
    let check = |input: &str, expected: &str| {
        assert_eq!(issuer_text(&Url::parse(input).unwrap()), expected);
    };
    check("http://127.0.0.1:3000", "http://127.0.0.1:3000");
    check("http://127.0.0.1:3000/", "http://127.0.0.1:3000");
    check("https://id.example.se/oidc", "https://id.example.se/oidc");
    check("https://id.example.se/oidc/", "https://id.example.se/oidc/");
}

#[test]
fn join_name_prefers_name_then_given_and_family_name() {
    assert_eq!(
        join_name(Some("Tolvan T"), Some("Tolvan"), Some("Tolvansson")),
        "Tolvan T"
    );
    assert_eq!(
        join_name(None, Some("Tolvan"), Some("Tolvansson")),
        "Tolvan Tolvansson"
    );
    assert_eq!(join_name(None, None, Some("Tolvansson")), "Tolvansson");
    assert_eq!(join_name(None, None, None), "");
}

#[test]
fn pending_login_debug_shows_no_secret() {
    let text = format!("{:?}", pending());
    assert!(
        !text.contains("state-abc") && !text.contains("verifier"),
        "{text}"
    );
}
