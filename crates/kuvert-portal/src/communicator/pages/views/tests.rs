//! Unit tests of the communicators' page texts.

use super::*;

#[test]
fn every_message_kind_has_its_own_texts() {
    let kinds = [
        MessageKind::LogIn,
        MessageKind::NoRole,
        MessageKind::AdminOnly,
        MessageKind::NotFound,
        MessageKind::BadForm,
        MessageKind::LoginExpired,
        MessageKind::LoginCancelled,
        MessageKind::LoginFailed,
        MessageKind::Unavailable,
    ];
    for kind in kinds {
        let found = MESSAGES
            .iter()
            .filter(|message| message.kind == kind)
            .count();
        assert_eq!(found, 1, "{kind:?}");
    }
    assert_eq!(MESSAGES.len(), kinds.len());
}
