//! The reception rules as the person signs them.

use super::*;

fn sender(id: &str, name: &str) -> SenderInfo {
    SenderInfo {
        id: OrganisationNumber::parse(id).unwrap(),
        name: name.to_owned(),
    }
}

#[test]
fn rules_text_names_only_the_deselected_senders() {
    let myndighet = sender("2021004748", "Exempelmyndigheten");
    assert_eq!(
        rules_text(&[myndighet]),
        "Jag vill få digital post från alla avsändare som är anslutna till Mina meddelanden \
         utom dessa, vars post ska komma som pappersutskick: Exempelmyndigheten (2021004748)."
    );
}

#[test]
fn rules_text_without_deselected_senders_accepts_them_all() {
    assert_eq!(
        rules_text(&[]),
        "Jag vill få digital post från alla avsändare som är anslutna till Mina meddelanden."
    );
}
