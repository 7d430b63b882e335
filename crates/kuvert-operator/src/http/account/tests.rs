//! The reception rules as the person signs them.

use super::*;

fn sender(id: &str, name: &str) -> SenderInfo {
    SenderInfo {
        id: OrganisationNumber::parse(id).unwrap(),
        name: name.to_owned(),
    }
}

#[test]
fn rules_text_names_the_accepted_and_the_deselected_senders() {
    let kommun = sender("2120000159", "Exempelkommun");
    let myndighet = sender("2021004748", "Exempelmyndigheten");
    let text = rules_text(
        std::slice::from_ref(&kommun),
        std::slice::from_ref(&myndighet),
    );
    assert_eq!(
        text,
        "Jag vill få digital post från: Exempelkommun (2120000159). Post från dessa avsändare \
         ska komma som pappersutskick: Exempelmyndigheten (2021004748)."
    );
    let all = rules_text(&[kommun, myndighet], &[]);
    assert!(!all.contains("pappersutskick"), "{all}");
}

#[test]
fn rules_text_says_when_no_sender_is_accepted() {
    let text = rules_text(&[], &[sender("2120000159", "Exempelkommun")]);
    assert!(
        text.starts_with("Jag vill inte få digital post från någon avsändare."),
        "{text}"
    );
}
