//! Unit tests of campaign code parsing: accepted characters, length bounds, upper-casing.

use super::{CampaignCode, CampaignCodeError};

#[track_caller]
fn check(text: &str, expected: Result<&str, CampaignCodeError>) {
    let parsed = CampaignCode::parse(text);
    let expected = expected.as_ref().map(|code| *code);
    assert_eq!(
        parsed.as_ref().map(CampaignCode::as_str),
        expected,
        "{text:?}"
    );
}

#[test]
fn campaign_code_accepts_letters_digits_underscore_and_hyphen() {
    check("VAR-2026", Ok("VAR-2026"));
    check("host_2026-b", Ok("HOST_2026-B"));
    check("7", Ok("7"));
    check(&"a".repeat(32), Ok(&"A".repeat(32)));
}

#[test]
fn campaign_code_rejects_empty_long_and_foreign_characters() {
    check(
        "",
        Err(CampaignCodeError::WrongLength { length: 0, max: 32 }),
    );
    check(
        &"a".repeat(33),
        Err(CampaignCodeError::WrongLength {
            length: 33,
            max: 32,
        }),
    );
    check("två", Err(CampaignCodeError::BadCharacter { position: 2 }));
    check("a b", Err(CampaignCodeError::BadCharacter { position: 1 }));
    check("a/b", Err(CampaignCodeError::BadCharacter { position: 1 }));
    check(
        "kod%20",
        Err(CampaignCodeError::BadCharacter { position: 3 }),
    );
}

#[test]
fn campaign_code_is_case_insensitive() {
    let lower = CampaignCode::parse("var-2026").unwrap();
    let upper = CampaignCode::parse("VAR-2026").unwrap();
    assert_eq!(lower, upper);
    assert_eq!(lower.to_string(), "VAR-2026");
}

#[test]
fn campaign_code_round_trips_through_json_in_upper_case() {
    let code: CampaignCode = serde_json::from_str("\"Host-1\"").unwrap();
    assert_eq!(serde_json::to_string(&code).unwrap(), "\"HOST-1\"");
    assert!(serde_json::from_str::<CampaignCode>("\"\"").is_err());
}
