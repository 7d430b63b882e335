//! The statistics the portal's tests check, made through the real parts as people and
//! senders make them: visits and an operator choice by requesting the portal's pages,
//! registrations by signing up at an operator (with the deep link's source) through the
//! test e-ID, and letters through the sender toolkit's report to the registry.
//!
//! What [`seed`] makes, on top of the demo's four registered persons, is written down in
//! [`Seeded`] so each test checks its figures against these numbers.

use kuvert::seed::{self, SeedOrganisation, SeedPerson};
use kuvert::testkit::Federation;
use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_testenv::browser::location;
use reqwest::StatusCode;
use url::Url;

use crate::account::{at, browser, csrf, inbox, log_in, post_and_sign};

/// The campaign of the deep link the newcomer follows.
pub(crate) const CAMPAIGN: &str = "VAR-2026";
/// The operator the newcomer chooses on the portal.
pub(crate) const CHOSEN: SeedOrganisation = seed::OPERATORS[1];
/// The letters each sender reports for the current month: (digital, paper).
pub(crate) const LETTERS: [(u64, u64); 2] = [(4_000, 1_000), (30, 70)];

/// The deep link of the first seeded sender with `campaign` (as printed on its letter).
pub(crate) fn deep_link(campaign: &str) -> String {
    format!(
        "skaffa?avsandare={}&kampanj={campaign}",
        seed::SENDERS[0].number
    )
}

/// Today, the day the registry and the portal count on.
pub(crate) fn today() -> time::Date {
    stockholm_day(time::OffsetDateTime::now_utc())
}

/// Seeds, on top of the demo's four persons (two at each operator):
/// - David follows the first sender's deep link with [`CAMPAIGN`] on the portal (one visit),
///   chooses [`CHOSEN`] there (one choice) and signs up at it: a registration from the
///   campaign;
/// - Eva signs up at the first operator without a deep link;
/// - Bertil opens Exempelhandel HB's mailbox at his operator (the second): a company;
/// - each seeded sender reports its [`LETTERS`] of this month through the sender toolkit.
pub(crate) async fn seed(federation: &Federation) {
    let david = seed::person("david").unwrap();
    let signup = follow_deep_link(federation, CAMPAIGN).await;
    let newcomer = browser(federation);
    let first = newcomer.get(signup.as_str()).await;
    assert_eq!(
        location(&first),
        "/logga-in",
        "the sign-up asks for a login"
    );
    let operator = base_of(&signup);
    assert_eq!(log_in(&newcomer, &operator, david).await, "/skaffa");
    let signed = post_and_sign(&newcomer, &operator, "skaffa", Vec::new(), david).await;
    assert_eq!(location(&signed), "/brevlada", "David is registered");

    let eva = seed::person("eva").unwrap();
    let base = inbox(federation, seed::OPERATORS[0].key);
    let other = browser(federation);
    assert_eq!(log_in(&other, &base, eva).await, "/skaffa");
    let signed = post_and_sign(&other, &base, "skaffa", Vec::new(), eva).await;
    assert_eq!(location(&signed), "/brevlada", "Eva is registered");

    let company = seed::company("exempelhandel").unwrap();
    let bertil = seed::person("bertil").unwrap();
    let base = inbox(federation, bertil.operator.unwrap());
    let signatory = browser(federation);
    log_in(&signatory, &base, bertil).await;
    let path = format!("foretag/{}", company.number);
    let signed = post_and_sign(&signatory, &base, &path, Vec::new(), bertil).await;
    assert_eq!(location(&signed), format!("/{path}?signerat=1"));

    let month = YearMonth::of(today());
    for (sender, (digital, paper)) in seed::SENDERS.iter().zip(LETTERS) {
        let number = sender.organisation_number();
        let report = federation
            .toolkit()
            .report_letter_counts(&number, month, digital, paper);
        report.await.unwrap();
    }
}

/// `person` closes their digital mailbox at their operator, signing the deregistration.
pub(crate) async fn deregister(federation: &Federation, person: &SeedPerson) {
    let base = inbox(federation, person.operator.unwrap());
    let holder = browser(federation);
    log_in(&holder, &base, person).await;
    let path = "installningar/avregistrera";
    let signed = post_and_sign(&holder, &base, path, Vec::new(), person).await;
    assert_eq!(location(&signed), format!("/{path}?klart=1"));
}

/// `person` moves their digital mailbox to `operator`: chosen in the old inbox, signed at
/// the new operator's sign-up.
pub(crate) async fn change_mailbox(
    federation: &Federation,
    person: &SeedPerson,
    operator: SeedOrganisation,
) {
    let here = inbox(federation, person.operator.unwrap());
    let there = inbox(federation, operator.key);
    let holder = browser(federation);
    log_in(&holder, &here, person).await;
    let form = vec![
        ("csrf_token".to_owned(), csrf(&holder, &here).await),
        ("operator".to_owned(), operator.number.to_owned()),
    ];
    let chosen = holder
        .post_form(&at(&here, "installningar/byt-brevlada"), &form)
        .await;
    assert_eq!(location(&chosen), at(&there, "skaffa"));
    let moving = browser(federation);
    assert_eq!(log_in(&moving, &there, person).await, "/skaffa");
    let signed = post_and_sign(&moving, &there, "skaffa", Vec::new(), person).await;
    assert_eq!(location(&signed), "/brevlada", "moved");
}

/// Follows `deep_link(campaign)` on the portal and clicks [`CHOSEN`] on the chooser, as a
/// person without cookies would; returns the operator's sign-up the portal sends to.
pub(crate) async fn follow_deep_link(federation: &Federation, campaign: &str) -> Url {
    let portal = federation.portal_url();
    let person = browser(federation);
    let chooser = person.get(&at(&portal, &deep_link(campaign))).await;
    assert_eq!(chooser.status(), StatusCode::OK);
    let html = chooser.text().await.unwrap();
    let choice = format!(
        "/skaffa/{}?avsandare={}&#38;kampanj={}",
        CHOSEN.key,
        seed::SENDERS[0].number,
        campaign.to_uppercase()
    );
    assert!(
        html.contains(&format!("href=\"{choice}\"")),
        "{choice} in {html}"
    );
    let redirect = person
        .get(&at(&portal, &choice.replace("&#38;", "&")))
        .await;
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    assert!(
        person.set_cookie_headers().is_empty(),
        "the portal sets no cookie"
    );
    Url::parse(&location(&redirect)).unwrap()
}

/// The inbox a sign-up URL belongs to (its origin).
fn base_of(url: &Url) -> Url {
    url.join("/").unwrap()
}
