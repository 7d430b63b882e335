//! `--as` names a sender by demo key or organisation number, and a refusal lists the senders
//! this toolkit knows (issue 11).

use kuvert_core::id::OrganisationNumber;
use kuvert_sender::{IdentityConfig, SenderConfig, SenderIdentityConfig};

use super::sender_identity;

fn config() -> SenderConfig {
    let number = |text| OrganisationNumber::parse(text).unwrap();
    let intermediary = IdentityConfig {
        organisation_number: number("2120000142"),
        certificate_path: "intermediary.cert.pem".into(),
        key_path: "intermediary.key.pem".into(),
    };
    let mut config = SenderConfig::new("https://far.example/", "ca.pem", intermediary, "arkiv");
    config.senders.push(SenderIdentityConfig {
        organisation_number: number("2120000159"),
        name: "Exempelkommun".to_owned(),
        certificate_path: "kommun.cert.pem".into(),
        key_path: "kommun.key.pem".into(),
    });
    config
}

#[test]
fn as_accepts_the_demo_key_and_every_form_of_the_organisation_number() {
    let config = config();
    for text in [
        "exempelkommun",
        "2120000159",
        "212000-0159",
        "162120000159",
        " 2120000159 ",
    ] {
        let (number, name) = sender_identity(&config, text).unwrap();
        assert_eq!(
            (number.as_str(), name.as_str()),
            ("2120000159", "Exempelkommun"),
            "{text}"
        );
    }
}

#[test]
fn as_refuses_an_unknown_name_by_listing_the_senders_and_the_forms() {
    let config = config();
    let refused = format!("{:#}", sender_identity(&config, "nosuch").unwrap_err());
    assert!(
        refused.starts_with("--as \"nosuch\" is no sender of this toolkit"),
        "{refused}"
    );
    assert!(
        refused.contains("NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN"),
        "{refused}"
    );
    assert!(
        refused.ends_with(
            "--as takes one of: exempelkommun (2120000159, Exempelkommun) (a name \
                           or the organisation number)"
        ),
        "{refused}"
    );
    let other = format!("{:#}", sender_identity(&config, "2021999996").unwrap_err());
    assert!(
        other.starts_with("--as \"2021999996\": organisation number 2021999996 is not a sender"),
        "{other}"
    );
    assert!(
        other.contains("exempelkommun (2120000159, Exempelkommun)"),
        "{other}"
    );
}
