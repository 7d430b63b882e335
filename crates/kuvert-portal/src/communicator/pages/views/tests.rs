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
        MessageKind::NotYours,
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

// Issue 11: counts read naturally for 0, 1 and 2 in both languages.
#[test]
fn funnel_text_agrees_with_each_count_in_both_languages() {
    let day = |count| FunnelDay {
        visits: count,
        operator_choices: count,
        registrations: count,
    };
    let shown: Vec<String> = [0, 1, 2]
        .into_iter()
        .flat_map(|count| {
            [Language::Swedish, Language::English]
                .map(|language| funnel_text(language, &day(count), 1, ""))
        })
        .collect();
    assert_eq!(
        shown,
        [
            "0 besök, 0 val av brevlådeoperatör och 0 registreringar av målet 1.",
            "0 visits, 0 mailbox operators chosen and 0 registrations of the goal 1.",
            "1 besök, 1 val av brevlådeoperatör och 1 registrering av målet 1.",
            "1 visit, 1 mailbox operator chosen and 1 registration of the goal 1.",
            "2 besök, 2 val av brevlådeoperatör och 2 registreringar av målet 1.",
            "2 visits, 2 mailbox operators chosen and 2 registrations of the goal 1.",
        ]
    );
}
