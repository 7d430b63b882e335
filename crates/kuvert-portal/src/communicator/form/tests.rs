//! Unit tests of the communicators' forms: valid input becomes the store's value, each bad
//! field is named.

use std::collections::BTreeSet;

use super::*;

const SENDER: &str = "2120000829";
const OTHER: &str = "2021005489";

fn allowed() -> BTreeSet<OrganisationNumber> {
    [OrganisationNumber::parse(SENDER).unwrap()]
        .into_iter()
        .collect()
}

fn body(code: &str, owners: &[&str], start: &str, end: &str, goal: &str) -> FormFields {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    serializer
        .append_pair("csrf_token", "x")
        .append_pair("kod", code);
    serializer
        .append_pair("namn", "Våren 2026")
        .append_pair("kanal", "Brev");
    for owner in owners {
        serializer.append_pair("avsandare", owner);
    }
    serializer
        .append_pair("start", start)
        .append_pair("slut", end)
        .append_pair("mal", goal);
    FormFields::parse(serializer.finish().as_bytes())
}

#[track_caller]
fn check(fields: &FormFields, expected: &[&str]) {
    let problems = campaign(fields, &allowed()).unwrap_err();
    let named: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
    assert_eq!(named, expected);
}

#[test]
fn campaign_form_becomes_a_new_campaign() {
    let fields = body("var-2026", &[SENDER], "2026-03-01", "2026-05-31", "500");
    let campaign = campaign(&fields, &allowed()).unwrap();
    assert_eq!(campaign.code.as_str(), "VAR-2026");
    assert_eq!(campaign.name, "Våren 2026");
    assert_eq!(campaign.owners.len(), 1);
    assert_eq!(campaign.goal_registrations, 500);
}

#[test]
fn campaign_form_names_each_bad_field() {
    check(
        &body("två ord", &[SENDER], "2026-03-01", "2026-05-31", "500"),
        &["kod"],
    );
    check(
        &body("v", &[], "2026-03-01", "2026-05-31", "500"),
        &["avsandare"],
    );
    check(
        &body("v", &[SENDER, OTHER], "2026-03-01", "2026-05-31", "500"),
        &["avsandare"],
    );
    check(
        &body("v", &[SENDER], "1 mars", "2026-05-31", "0"),
        &["start", "mal"],
    );
    check(
        &body("v", &[SENDER], "2026-03-01", "2026-02-01", "5"),
        &["slut"],
    );
}

#[test]
fn target_form_accepts_a_decimal_comma_and_refuses_out_of_range() {
    let fields = FormFields::parse(b"ar=2026&mal=42%2C5");
    assert_eq!(
        target(&fields).unwrap(),
        TargetEntry {
            year: 2026,
            percent_persons: 42.5
        }
    );
    let problems = target(&FormFields::parse(b"ar=1999&mal=101")).unwrap_err();
    assert_eq!(problems.len(), 2);
}
