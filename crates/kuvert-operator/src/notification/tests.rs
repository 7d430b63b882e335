//! Unit tests of the notification words (single, summary, confirmation code), the codes and
//! the plain-language failure reasons.

use kuvert_core::limits::SMS_TEXT_CHARS_MAX;

use super::confirmation::new_code;
use super::text::{NotificationText, Senders};
use super::{FailureReason, NotificationError};

fn text() -> NotificationText {
    NotificationText {
        operator_name: "Demobrevlådan".to_owned(),
        inbox_url: "https://demobrevladan.example/".to_owned(),
    }
}

#[test]
fn sms_names_sender_operator_and_inbox() {
    let sms = text().sms("Exempelkommun");
    assert!(sms.starts_with("Nytt brev från Exempelkommun i din digitala"));
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
fn sms_ends_with_the_main_messages_when_they_fit_and_never_cuts_the_name_for_them() {
    // Issue 13 §6: the three main messages around the mailings, within one SMS.
    let short = NotificationText {
        operator_name: "Kivra".to_owned(),
        inbox_url: "https://kivra.se/".to_owned(),
    };
    let sms = short.sms("Skatteverket");
    assert_eq!(
        sms,
        "Nytt brev från Skatteverket i din digitala brevlåda hos Kivra. Logga in med \
         e-legitimation: https://kivra.se/ Säkert, praktiskt, miljövänligt och billigt."
    );
    assert!(sms.chars().count() <= SMS_TEXT_CHARS_MAX);
    let summary = short.summary_sms(&Senders::new(["Skatteverket", "Skatteverket"]));
    assert!(summary.ends_with("miljövänligt och billigt."), "{summary}");
    let long = text().sms("Myndigheten för samhällsskydd");
    assert!(
        long.contains("samhällsskydd i din") && !long.contains("Säkert"),
        "{long}"
    );
}

#[test]
fn email_ends_each_language_with_the_three_main_messages() {
    let body = text().email_body("Exempelkommun");
    let summary = text().summary_email_body(&Senders::new(["Skatteverket", "Exempelkommun"]));
    for body in [body, summary] {
        let secure = body
            .find("Säkert – Ingen annan kommer åt din post.")
            .unwrap();
        let english = body.find("Hello,").unwrap();
        let green = body.find("Green and cheap – Together we save").unwrap();
        assert!(secure < english && english < green, "{body}");
    }
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

#[test]
fn summary_names_each_sender_once_in_both_languages() {
    let words = text();
    let senders = Senders::new(["Skatteverket", "Exempelkommun", "Skatteverket"]);
    assert_eq!(senders.letters(), 3);
    assert_eq!(
        words.summary_email_subject(&senders),
        "Du har fått 3 nya brev"
    );
    let body = words.summary_email_body(&senders);
    assert!(body.contains("Du har fått 3 nya brev från Skatteverket och Exempelkommun."));
    assert!(body.contains("You have 3 new letters from Skatteverket and Exempelkommun."));
    assert!(body.contains("Den här aviseringen innehåller inte breven."));
    assert!(
        body.lines().all(|line| line.len() < 76),
        "lines fit 8-bit mail"
    );
}

#[test]
fn summary_counts_the_senders_it_does_not_name() {
    let names: Vec<String> = (1..=7).map(|n| format!("Kommun {n}")).collect();
    let senders = Senders::new(names.iter().map(String::as_str));
    assert_eq!(
        senders.swedish(),
        "Kommun 1, Kommun 2, Kommun 3, Kommun 4, Kommun 5 och 2 till"
    );
    assert_eq!(
        senders.english(),
        "Kommun 1, Kommun 2, Kommun 3, Kommun 4, Kommun 5 and 2 more"
    );
    let three = Senders::new(["A", "B", "C"]);
    assert_eq!(three.swedish(), "A, B och C");
}

#[test]
fn summary_sms_names_fewer_senders_to_fit_160_characters() {
    let names: Vec<String> = (1..=5).map(|n| format!("Kommun {n}")).collect();
    let senders = Senders::new(names.iter().map(String::as_str));
    let sms = text().summary_sms(&senders);
    assert!(sms.chars().count() <= SMS_TEXT_CHARS_MAX, "{sms}");
    assert!(sms.starts_with("5 nya brev från Kommun 1"), "{sms}");
    assert!(sms.contains(" till i din digitala brevlåda"), "{sms}");
    assert!(sms.ends_with("https://demobrevladan.example/"), "{sms}");
}

#[test]
fn summary_sms_names_nobody_when_no_name_fits() {
    let names: Vec<String> = (1..=5)
        .map(|n| format!("Myndigheten för samhällsviktiga sakfrågor {n}"))
        .collect();
    let senders = Senders::new(names.iter().map(String::as_str));
    let sms = text().summary_sms(&senders);
    assert!(sms.chars().count() <= SMS_TEXT_CHARS_MAX, "{sms}");
    assert!(
        sms.starts_with("5 nya brev i din digitala brevlåda"),
        "{sms}"
    );
    assert!(sms.ends_with("https://demobrevladan.example/"), "{sms}");
}

#[test]
fn code_messages_carry_the_code_and_its_lifetime() {
    let (subject, body) = text().code_email("042917");
    assert_eq!(subject, "Din kod för avisering från Demobrevlådan");
    assert!(body.contains("Din kod är 042917"));
    assert!(body.contains("Your code is 042917"));
    assert!(body.contains("inom 30 minuter"));
    let sms = text().code_sms("042917");
    assert!(sms.contains("042917"));
    assert!(sms.chars().count() <= SMS_TEXT_CHARS_MAX);
}

#[test]
fn new_codes_are_six_digits() {
    for _ in 0..50 {
        let code = new_code();
        assert_eq!(code.as_str().len(), 6);
        assert!(code.as_str().chars().all(|c| c.is_ascii_digit()));
    }
}

#[test]
fn failure_reason_is_read_back_from_the_stored_text() {
    let detail = || "connection refused (os error 111)".to_owned();
    let errors = [
        NotificationError::EmailServerUnreachable(detail()),
        NotificationError::EmailRefused(detail()),
        NotificationError::EmailNotBuilt(detail()),
        NotificationError::SmsGatewayUnreachable(detail()),
        NotificationError::SmsRefused(detail()),
        NotificationError::NoSmsGateway,
    ];
    for error in errors {
        assert_eq!(
            FailureReason::of_stored(&error.to_string()),
            error.reason(),
            "{error}"
        );
    }
    assert_eq!(FailureReason::of_stored("smtp 451"), FailureReason::Other);
}
