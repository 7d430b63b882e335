//! Unit tests for the operator store's constrained strings and their stored forms.

use super::{AuditAction, ConfirmationCode, MobileNumber, NotificationStatus, SearchText};

#[test]
fn mobile_number_accepts_only_e164() {
    assert!(MobileNumber::parse("+46701234567").is_ok());
    assert!(MobileNumber::parse("0701234567").is_err());
    assert!(MobileNumber::parse("+4670123456789012").is_err());
    assert!(MobileNumber::parse("+46 70 123").is_err());
}

#[test]
fn confirmation_code_is_masked_in_debug() {
    let code = ConfirmationCode::parse("A1B2").unwrap();
    assert_eq!(format!("{code:?}"), "ConfirmationCode(****)");
    assert!(ConfirmationCode::parse("12").is_err());
    assert!(ConfirmationCode::parse("12 34").is_err());
}

#[test]
fn search_text_is_trimmed_and_bounded() {
    assert_eq!(SearchText::parse("  beslut ").unwrap().as_str(), "beslut");
    assert!(SearchText::parse("   ").is_err());
    assert!(SearchText::parse(&"x".repeat(256)).is_err());
}

#[test]
fn stored_forms_round_trip() {
    for action in [
        AuditAction::OpenedLetter,
        AuditAction::OpenedAttachment { position: 3 },
        AuditAction::ExportedLetter,
    ] {
        let (text, position) = action.to_db();
        assert_eq!(AuditAction::from_db(text, position), Some(action));
    }
    assert_eq!(AuditAction::from_db("opened_attachment", None), None);
    for status in [
        NotificationStatus::Pending,
        NotificationStatus::Sent,
        NotificationStatus::Failed,
    ] {
        assert_eq!(NotificationStatus::from_db(status.as_db()), Some(status));
    }
}
