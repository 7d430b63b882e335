//! The mailbox holder's account at an operator, against the real registry (issue 4 §3–§4,
//! issue 5 §2): reception rules, changing mailbox, deregistering, company mailboxes with a
//! "two jointly" signatory rule, and the deep link recorded as a registration's source. Each
//! change is signed at the test e-ID's signing service through its forms, as a browser
//! without JavaScript would.
//!
//! These live here rather than in the operator's suite because they need the real registry,
//! and role crates never depend on each other, not even for tests.

use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_sender::Outcome;
use kuvert_testenv::html_form::{form_action, hidden_fields};
use reqwest::StatusCode;
use url::Url;

/// The web inbox of the seeded operator `key`.
pub(crate) fn inbox(federation: &Federation, key: &str) -> Url {
    let operator = federation
        .manifest()
        .operators
        .iter()
        .find(|operator| operator.organisation.key == key)
        .unwrap();
    Url::parse(&operator.inbox_url).unwrap()
}

pub(crate) fn at(base: &Url, path: &str) -> String {
    base.join(path).unwrap().to_string()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn person_index(person: &SeedPerson) -> String {
    let index = seed::PERSONS.iter().position(|p| p.key == person.key);
    index.unwrap().to_string()
}

pub(crate) fn browser(federation: &Federation) -> Browser {
    Browser::new(federation.demo().pki.organisation_ca_pem())
}

/// Logs `person` in at `base` with the test e-ID; returns where the inbox sends them.
pub(crate) async fn log_in(browser: &Browser, base: &Url, person: &SeedPerson) -> String {
    let start = browser.get(&at(base, "logga-in")).await;
    let authorize = Url::parse(&location(&start)).unwrap();
    let mut form: Vec<(String, String)> = authorize
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    form.push(("action".to_owned(), "login".to_owned()));
    form.push(("person".to_owned(), person_index(person)));
    let mut endpoint = authorize.clone();
    endpoint.set_query(None);
    let chosen = browser.post_form(endpoint.as_str(), &form).await;
    let finished = browser.get(&location(&chosen)).await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER, "login accepted");
    location(&finished)
}

pub(crate) async fn page(browser: &Browser, url: &str) -> (StatusCode, String) {
    let response = browser.get(url).await;
    (response.status(), response.text().await.unwrap())
}

pub(crate) async fn csrf(browser: &Browser, base: &Url) -> String {
    let (_, html) = page(browser, &at(base, "brevlada")).await;
    hidden_fields(&html)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap()
        .1
}

/// Posts `fields` (plus the CSRF token) to `path`, which answers with the way to the signing
/// service; `person` signs there and the signature is posted back. Returns the inbox's
/// answer to the post back.
pub(crate) async fn post_and_sign(
    browser: &Browser,
    base: &Url,
    path: &str,
    mut fields: Vec<(String, String)>,
    person: &SeedPerson,
) -> reqwest::Response {
    fields.push(("csrf_token".to_owned(), csrf(browser, base).await));
    let started = browser.post_form(&at(base, path), &fields).await;
    assert_eq!(
        started.status(),
        StatusCode::SEE_OTHER,
        "{path} starts signing"
    );
    let (post_back, signed) = sign_at_test_eid(browser, &location(&started), person).await;
    browser.post_form(&post_back, &signed).await
}

/// At the test e-ID's signing page `sign_url`, `person` signs; answers where the page posts
/// the signature back (the inbox's `skaffa/signerad`) and the fields it posts.
pub(crate) async fn sign_at_test_eid(
    browser: &Browser,
    sign_url: &str,
    person: &SeedPerson,
) -> (String, Vec<(String, String)>) {
    let (_, sign_page) = page(browser, sign_url).await;
    let mut fields = hidden_fields(&sign_page);
    fields.push(("person".to_owned(), person_index(person)));
    fields.push(("action".to_owned(), "sign".to_owned()));
    let returned = browser.post_form(&form_action(&sign_page), &fields).await;
    let returned = returned.text().await.unwrap();
    let signed = hidden_fields(&returned);
    assert!(
        signed.iter().any(|(name, _)| name == "Signature"),
        "{returned}"
    );
    (form_action(&returned), signed)
}

fn sender(index: usize) -> OrganisationNumber {
    seed::SENDERS[index].organisation_number()
}

/// Whether the registry lets `sender`'s letters reach `person` digitally, and at which
/// operator the profile is (asked as the demo's intermediary).
async fn reachability(
    federation: &Federation,
    sender: &OrganisationNumber,
    person: &SeedPerson,
) -> (bool, Option<OrganisationNumber>) {
    let registry = federation.demo().registry.registry();
    let caller = seed::INTERMEDIARY.organisation_number();
    let recipient = RecipientId::Person(person.personal_identity_number());
    let answers = registry
        .is_reachable(&caller, sender, &[recipient])
        .await
        .unwrap();
    let answer = &answers[0];
    let operator = answer
        .account
        .as_ref()
        .map(|account| account.operator.id.clone());
    (answer.accepts_sender, operator)
}

async fn registry_profile(
    federation: &Federation,
    person: &SeedPerson,
) -> Option<kuvert_core::registry::ProfileRecord> {
    let database = kuvert_store::Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    let recipient = RecipientId::Person(person.personal_identity_number());
    database.registry().profile(&recipient).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_rules_deselect_a_sender_and_select_it_again_in_the_registry() {
    let federation = Federation::start(FederationOptions::default()).await;
    let tolvan = seed::person("tolvan").unwrap();
    let base = inbox(&federation, "demobrevladan");
    let browser = browser(&federation);
    log_in(&browser, &base, tolvan).await;
    let (status, html) = page(&browser, &at(&base, "installningar/avsandare")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<legend>"), "{html}");
    assert_eq!(
        html.matches(" checked").count(),
        2,
        "both senders accepted: {html}"
    );

    let only_first = vec![("avsandare".to_owned(), sender(0).as_str().to_owned())];
    let answer = post_and_sign(
        &browser,
        &base,
        "installningar/avsandare",
        only_first,
        tolvan,
    );
    let answer = answer.await;
    assert_eq!(location(&answer), "/installningar/avsandare?sparat=1");
    let (_, html) = page(&browser, &at(&base, "installningar/avsandare?sparat=1")).await;
    assert!(html.contains("Sparat."), "{html}");
    assert_eq!(html.matches(" checked").count(), 1, "{html}");
    assert!(!reachability(&federation, &sender(1), tolvan).await.0);
    assert!(reachability(&federation, &sender(0), tolvan).await.0);

    let both = (0..2)
        .map(|index| ("avsandare".to_owned(), sender(index).as_str().to_owned()))
        .collect();
    let answer = post_and_sign(&browser, &base, "installningar/avsandare", both, tolvan).await;
    assert_eq!(location(&answer), "/installningar/avsandare?sparat=1");
    assert!(reachability(&federation, &sender(1), tolvan).await.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_mailbox_moves_the_profile_and_old_letters_stay_readable_here() {
    let federation = Federation::start(FederationOptions::default()).await;
    let tolvan = seed::person("tolvan").unwrap();
    let old = federation.letter(&seed::SENDERS[0], tolvan, "Gammalt beslut", Vec::new());
    federation.send(&old).await.unwrap();
    let here = inbox(&federation, "demobrevladan");
    let there = inbox(&federation, "exempelposten");
    let browser = browser(&federation);
    log_in(&browser, &here, tolvan).await;
    let (_, html) = page(&browser, &at(&here, "installningar/byt-brevlada")).await;
    assert!(html.contains("Exempelposten"), "{html}");
    assert!(!html.contains(">Demobrevlådan</label>"), "{html}");
    let other = seed::organisation("exempelposten").unwrap();
    let form = vec![
        ("csrf_token".to_owned(), csrf(&browser, &here).await),
        ("operator".to_owned(), other.number.to_owned()),
    ];
    let chosen = browser
        .post_form(&at(&here, "installningar/byt-brevlada"), &form)
        .await;
    assert_eq!(location(&chosen), at(&there, "skaffa"));

    let moving = Browser::new(federation.demo().pki.organisation_ca_pem());
    assert_eq!(log_in(&moving, &there, tolvan).await, "/skaffa");
    let (_, html) = page(&moving, &at(&there, "skaffa")).await;
    assert!(html.contains("Byt brevlåda hit"), "{html}");
    let answer = post_and_sign(&moving, &there, "skaffa", Vec::new(), tolvan).await;
    assert_eq!(location(&answer), "/brevlada");
    let operator = reachability(&federation, &sender(0), tolvan).await.1;
    assert_eq!(operator, Some(other.organisation_number()));

    let back = Browser::new(federation.demo().pki.organisation_ca_pem());
    assert_eq!(log_in(&back, &here, tolvan).await, "/skaffa");
    let (_, html) = page(&back, &at(&here, "skaffa")).await;
    assert!(
        html.contains(
            "Din digitala brevlåda finns nu hos Exempelposten; här kan du \
                       fortfarande läsa och ladda ner dina gamla brev."
        ),
        "{html}"
    );
    let (status, html) = page(&back, &at(&here, "brevlada")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Gammalt beslut"),
        "old letters stay listed: {html}"
    );
    assert!(
        html.contains("Din digitala brevlåda finns nu hos Exempelposten"),
        "the inbox says where the mailbox is now: {html}"
    );
    let new = federation.letter(&seed::SENDERS[0], tolvan, "Nytt beslut", Vec::new());
    match federation.send(&new).await.unwrap() {
        Outcome::Delivered { operator, .. } => assert_eq!(operator, other.name),
        Outcome::Paper { .. } => panic!("a moved profile is reachable at its new operator"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deregister_removes_the_profile_and_old_letters_stay_readable() {
    let federation = Federation::start(FederationOptions::default()).await;
    let anna = seed::person("anna").unwrap();
    let old = federation.letter(&seed::SENDERS[0], anna, "Kvarvarande brev", Vec::new());
    federation.send(&old).await.unwrap();
    let base = inbox(&federation, "demobrevladan");
    let browser = browser(&federation);
    log_in(&browser, &base, anna).await;
    let (_, html) = page(&browser, &at(&base, "installningar/avregistrera")).await;
    assert!(html.contains("pappersutskick"), "{html}");
    let answer = post_and_sign(
        &browser,
        &base,
        "installningar/avregistrera",
        Vec::new(),
        anna,
    );
    assert_eq!(
        location(&answer.await),
        "/installningar/avregistrera?klart=1"
    );
    assert!(registry_profile(&federation, anna).await.is_none());
    let (status, html) = page(&browser, &at(&base, "brevlada")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kvarvarande brev"), "{html}");
    assert!(
        html.contains("Du har ingen digital brevlåda just nu."),
        "{html}"
    );
    let again = Browser::new(federation.demo().pki.organisation_ca_pem());
    assert_eq!(log_in(&again, &base, anna).await, "/skaffa");
    let (_, html) = page(&again, &at(&base, "skaffa")).await;
    assert!(html.contains("gamla brev"), "{html}");
    let new = federation.letter(&seed::SENDERS[0], anna, "Nytt brev", Vec::new());
    assert!(matches!(
        federation.send(&new).await.unwrap(),
        Outcome::Paper { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_with_two_jointly_opens_for_both_signatories_after_the_second_signature() {
    let federation = Federation::start(FederationOptions::default()).await;
    let company = seed::company("exempelbolaget").unwrap();
    assert_eq!(company.signatures_required, 2);
    let base = inbox(&federation, "demobrevladan");
    let path = format!("foretag/{}", company.number);
    let tolvan = seed::person("tolvan").unwrap();
    let first = browser(&federation);
    log_in(&first, &base, tolvan).await;
    let asked = first
        .get(&at(
            &base,
            &format!("foretag?organisationsnummer={}", company.number),
        ))
        .await;
    assert_eq!(location(&asked), format!("/{path}"));
    let answer = post_and_sign(&first, &base, &path, Vec::new(), tolvan).await;
    assert_eq!(location(&answer), format!("/{path}?signerat=1"));
    let (_, html) = page(&first, &at(&base, &path)).await;
    assert!(html.contains("1 av 2 signaturer klara."), "{html}");
    assert!(html.contains("Du har signerat."), "{html}");

    let anna = seed::person("anna").unwrap();
    let second = browser(&federation);
    log_in(&second, &base, anna).await;
    let (_, html) = page(&second, &at(&base, &path)).await;
    assert!(
        html.contains("1 av 2"),
        "visible to the other signatory: {html}"
    );
    assert!(html.contains("Tolvan Tolvansson: har signerat"), "{html}");
    post_and_sign(&second, &base, &path, Vec::new(), anna).await;
    let (_, html) = page(&second, &at(&base, &path)).await;
    assert!(html.contains("öppnad här"), "{html}");

    for signatory in [&first, &second] {
        let form = vec![
            ("csrf_token".to_owned(), csrf(signatory, &base).await),
            ("mailbox".to_owned(), company.number.to_owned()),
        ];
        let chosen = signatory
            .post_form(&at(&base, "brevlada/valj"), &form)
            .await;
        assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(signatory, &at(&base, "brevlada")).await;
        assert!(html.contains(company.number), "{html}");
    }
    let eva = seed::person("eva").unwrap();
    let outsider = browser(&federation);
    log_in(&outsider, &base, eva).await;
    let form = vec![
        ("csrf_token".to_owned(), csrf(&outsider, &base).await),
        ("mailbox".to_owned(), company.number.to_owned()),
    ];
    let refused = outsider.post_form(&at(&base, "brevlada/valj"), &form).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let (status, _) = page(&outsider, &at(&base, &path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_with_one_signatory_opens_at_the_first_signature() {
    let federation = Federation::start(FederationOptions::default()).await;
    let company = seed::company("exempelhandel").unwrap();
    let bertil = seed::person("bertil").unwrap();
    let base = inbox(&federation, bertil.operator.unwrap());
    let path = format!("foretag/{}", company.number);
    let browser = browser(&federation);
    log_in(&browser, &base, bertil).await;
    post_and_sign(&browser, &base, &path, Vec::new(), bertil).await;
    let (_, html) = page(&browser, &at(&base, &path)).await;
    assert!(html.contains("öppnad här"), "{html}");
    assert!(html.contains("Öppna företagets brevlåda"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_link_source_reaches_the_registry_profile_and_a_bad_one_is_dropped() {
    let federation = Federation::start(FederationOptions::default()).await;
    let base = inbox(&federation, "demobrevladan");
    let david = seed::person("david").unwrap();
    let browser = browser(&federation);
    let link = format!(
        "skaffa?avsandare={}&kampanj=vinter-2026",
        sender(0).as_str()
    );
    let first = browser.get(&at(&base, &link)).await;
    assert_eq!(location(&first), "/logga-in");
    assert_eq!(log_in(&browser, &base, david).await, "/skaffa");
    let answer = post_and_sign(&browser, &base, "skaffa", Vec::new(), david).await;
    assert_eq!(location(&answer), "/brevlada");
    let source = registry_profile(&federation, david).await.unwrap().source;
    let source = source.expect("the deep link is recorded");
    assert_eq!(source.sender, sender(0));
    assert_eq!(source.campaign.unwrap().as_str(), "VINTER-2026");

    let eva = seed::person("eva").unwrap();
    let browser = Browser::new(federation.demo().pki.organisation_ca_pem());
    log_in(&browser, &base, eva).await;
    let bad = browser
        .get(&at(&base, "skaffa?avsandare=123&kampanj=ogiltig%20kod"))
        .await;
    assert_eq!(bad.status(), StatusCode::OK, "the sign-up still works");
    post_and_sign(&browser, &base, "skaffa", Vec::new(), eva).await;
    let profile = registry_profile(&federation, eva).await.unwrap();
    assert_eq!(profile.source, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_signed_by_someone_else_is_refused_in_plain_words_and_changes_nothing() {
    let federation = Federation::start(FederationOptions::default()).await;
    let anna = seed::person("anna").unwrap();
    let tolvan = seed::person("tolvan").unwrap();
    let base = inbox(&federation, "demobrevladan");
    let browser = browser(&federation);
    log_in(&browser, &base, anna).await;
    let before = reachability(&federation, &sender(1), anna).await.0;
    let both = (0..2)
        .map(|index| ("avsandare".to_owned(), sender(index).as_str().to_owned()))
        .collect();
    // Anna is logged in, but Tolvan signs at the signing service.
    let answer = post_and_sign(&browser, &base, "installningar/avsandare", both, tolvan).await;
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let html = answer.text().await.unwrap();
    assert!(
        html.contains("Förmedlingsadressregistret godtog inte signaturen. Ingenting har ändrats."),
        "{html}"
    );
    assert!(
        html.contains("signera med din egen e-legitimation"),
        "{html}"
    );
    assert_eq!(reachability(&federation, &sender(1), anna).await.0, before);
    assert!(registry_profile(&federation, anna).await.is_some());
}
