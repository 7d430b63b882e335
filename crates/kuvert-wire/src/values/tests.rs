//! Unit tests of the leaf values.

use super::*;

#[track_caller]
fn check_user(text: &str, is_ok: bool) {
    assert_eq!(UserIdentity::parse(text).is_ok(), is_ok, "{text}");
}

#[test]
fn user_identity_accepts_only_the_xsd_pattern() {
    check_user("198101052382", true);
    check_user("se1234567890", true);
    check_user("178101052382", false);
    check_user("19810105238", false);
    check_user("S01234567890", false);
    check_user(&format!("ab{}", "x".repeat(254)), false);
}

#[test]
fn user_identity_debug_masks_the_serial_number() {
    let user = UserIdentity::parse("198101052382").unwrap();
    assert_eq!(format!("{user:?}"), "UserIdentity(19810105-****)");
}

#[test]
fn dates_parse_with_and_without_time_zone() {
    let expected = time::macros::date!(2023 - 10 - 11);
    assert_eq!(parse_date("2023-10-11").unwrap(), expected);
    assert_eq!(parse_date("2023-10-11+02:00").unwrap(), expected);
    assert_eq!(parse_date("2023-10-11Z").unwrap(), expected);
    assert!(parse_date("2023-10-11T00:00").is_err());
    assert!(parse_date("2023-13-11").is_err());
    assert_eq!(format_date(expected), "2023-10-11");
}

#[test]
fn date_times_need_a_time_zone() {
    let parsed = parse_date_time("2021-12-16T14:37:35.708+01:00").unwrap();
    assert_eq!(format_date_time(parsed), "2021-12-16T14:37:35.708+01:00");
    assert!(parse_date_time("2021-12-16T14:37:35").is_err());
}

#[test]
fn enumerations_keep_their_exact_wire_spelling() {
    assert_eq!(AccountType::parse("Not").unwrap(), AccountType::Not);
    assert!(AccountType::parse("not").is_err());
    assert_eq!(
        AuthorizationStatus::RulesNotSupported.as_wire(),
        "RulesNotSupported"
    );
    assert!(DistributionId::parse("").is_err());
    assert!(DistributionId::parse(&"x".repeat(51)).is_err());
}
