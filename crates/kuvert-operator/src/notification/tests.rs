//! Unit tests of the notification words.

use kuvert_core::limits::SMS_TEXT_CHARS_MAX;

use super::text::NotificationText;

fn text() -> NotificationText {
    NotificationText {
        operator_name: "Demobrevlådan".to_owned(),
        inbox_url: "https://demobrevladan.example/".to_owned(),
    }
}

#[test]
fn sms_names_sender_operator_and_inbox() {
    let sms = text().sms("Exempelkommun");
    assert!(sms.starts_with("Du har fått ett nytt brev från Exempelkommun i din digitala"));
    assert!(sms.contains("hos Demobrevlådan"));
    assert!(sms.ends_with("https://demobrevladan.example/"));
    assert!(sms.chars().count() <= SMS_TEXT_CHARS_MAX);
}

#[test]
fn sms_cuts_long_sender_name_to_fit_160_characters() {
    let long_name = "Myndigheten för ".repeat(16);
    let sms = text().sms(&long_name);
    assert_eq!(sms.chars().count(), SMS_TEXT_CHARS_MAX);
    assert!(sms.contains('…'));
    assert!(sms.ends_with("https://demobrevladan.example/"));
}

#[test]
fn email_subject_and_body_say_where_the_letter_is_in_both_languages() {
    let words = text();
    assert_eq!(
        words.email_subject("Exempelkommun"),
        "Du har fått ett nytt brev från Exempelkommun"
    );
    let body = words.email_body("Exempelkommun");
    let swedish = body
        .find("Du har fått ett nytt brev från Exempelkommun.")
        .unwrap();
    let english = body
        .find("You have a new letter from Exempelkommun.")
        .unwrap();
    assert!(swedish < english);
    assert!(body.contains("Logga in med e-legitimation på https://demobrevladan.example/"));
    assert!(
        body.lines().all(|line| line.len() < 76),
        "lines fit 8-bit mail"
    );
}
