//! The communicators' pages in the browser (issue 5 §3): the demo's communicator logs in at
//! the portal through the test e-ID, sees the overview, creates a campaign with the form
//! (first sent empty, to see the problems), opens its funnel, takes news through the editor
//! workflow with a second person (issue 13 §3: Anna submits it, the editor is refused while
//! it holds a word TERMS.md replaces and returns it with a comment, Anna fixes it, the editor
//! publishes it, and it is on `/nyheter` and in its Atom feed; a FAQ entry through the same
//! workflow, on `/fragor`; §4: a plan with an activity, refused first for a word TERMS.md
//! replaces, a campaign made from it that e-mails the editor at the real SMTP server, marked
//! checked by the editor), enters an annual target, changes the planned activity (refused
//! first for a word TERMS.md replaces), keeps the standard campaign questions and answers
//! them on the survey page its campaign's landing links to (§5), goes through the same pages
//! in English and logs out; a person without the role and a communicator who is not an admin
//! are told so. Every page passes the same checks as the other walks, and the one cookie the
//! portal sets is the communicators' session, set only from the login at `/kommunikator` on.

use kuvert::demo::COMMUNICATOR;
use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::Federation;
use kuvert_core::calendar::stockholm_day;
use kuvert_store::portal::editorial::{Kind, Step};
use serde_json::Value;
use url::Url;

use super::driver::{
    Walk, WalkResult, button, check, expect_path, expect_text, fill, fill_field, goto, link, select,
};

/// The campaign the communicator creates in the walk.
const CAMPAIGN: &str = "HOST-2026";
/// Its name.
const CAMPAIGN_NAME: &str = "Höstens brevkampanj";
/// The portal's session cookie, the only cookie it sets.
const SESSION_COOKIE: &str = "kuvert_kommunikator";
/// The news the walk submits and publishes.
const NEWS_TITLE: &str = "Kvittens när du läser";
/// The editor's comment when returning the news.
const NEWS_COMMENT: &str = "Skriv kvittens, som i ordlistan.";
/// The campaign made from a planned activity and marked checked by the editor.
pub(crate) const PLANNED: &str = "PLAN-VAR";
/// The planned activity's message.
const PLANNED_MESSAGE: &str = "Läs dina brev var du än är";
/// The FAQ entry the walk submits and publishes.
const FAQ_TITLE: &str = "Kan jag ha flera digitala brevlådor?";
/// The standard campaign question asked yes or no, and the one answered in free text.
const SURVEY_YES_NO: &str = "Fick du veta om kampanjen genom ett brev?";
/// See [`SURVEY_YES_NO`].
const SURVEY_FREE: &str = "Vad fick dig att skaffa en digital brevlåda?";
/// The planned activity's target group after the walk changed it.
const CHANGED_TARGET_GROUP: &str = "Studenter och nyinflyttade";
/// Names of this module's walks.
pub(crate) const WALKS: [&str; 3] = ["kommunikatör", "utan roll", "inte admin"];

/// The communicator who is not an admin ([`not_admin`]), given the role before the walks.
pub(crate) async fn grant_roles(federation: &Federation) {
    let anna = seed::person("anna").unwrap();
    let sender = seed::SENDERS[1].organisation_number();
    federation
        .grant_communicator(&anna.personal_identity_number(), &[sender], false)
        .await;
    // The demo's communicator is also the editor-in-chief: submits and publishes news.
    let editor = COMMUNICATOR.seed_person().personal_identity_number();
    let editorial = federation.demo().portal.editorial_store();
    editorial.set_editor(&editor, true).await.unwrap();
}

/// Every walk of this module, in the order of [`WALKS`].
pub(crate) fn all(portal: &Url) -> Vec<Walk> {
    vec![communicator(portal), no_role(portal), not_admin(portal)]
}

/// The demo's communicator (an admin) through every page, in Swedish then English.
fn communicator(portal: &Url) -> Walk {
    let person = COMMUNICATOR.seed_person();
    let at = |path: &str| portal.join(path).unwrap().to_string();
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let ends = today.saturating_add(time::Duration::days(60));
    Walk::new(WALKS[0])
        .then(goto(&at("/kommunikator")))
        .then(expect_text("Logga in som kommunikatör"))
        .then(link("Logga in med e-legitimation"))
        .then_all(eid_login(person))
        .then(expect_path("/kommunikator"))
        .then(expect_text("Kampanjer och resultat"))
        .then(expect_text(&format!(
            "Du är kommunikatör för: {} ({}).",
            seed::SENDERS[0].name,
            seed::SENDERS[0].number
        )))
        .then(link("Skapa kampanj"))
        .then(button("Skapa kampanj"))
        .then(expect_text("Rätta följande"))
        .then(fill_field("Kampanjkod", CAMPAIGN))
        .then(fill_field("Namn", CAMPAIGN_NAME))
        .then(check(seed::SENDERS[0].name))
        .then(fill_field("Kanal", "brev"))
        .then(fill_field("Startdatum", &today.to_string()))
        .then(fill_field("Slutdatum", &ends.to_string()))
        .then(fill_field("Mål (antal registreringar)", "100"))
        .then(button("Skapa kampanj"))
        .then(expect_path(&format!("/kommunikator/kampanjer/{CAMPAIGN}")))
        .then(expect_text(&format!("{CAMPAIGN_NAME} ({CAMPAIGN})")))
        .then(expect_text(&format!("kampanj={CAMPAIGN}")))
        .then(expect_text("Kampanjens tratt per dag"))
        .then(link("Tillbaka till kampanjerna"))
        .then(expect_text(CAMPAIGN_NAME))
        .then_all(news(portal))
        .then_all(faq(portal))
        .then_all(plans(portal))
        .then_all(survey(portal))
        .then(link("Årliga mål för anslutningstakten"))
        .then(expect_text("Inga mål är inlagda ännu."))
        .then(fill_field("År", &today.year().to_string()))
        .then(fill_field("Mål (procent", "60"))
        .then(button("Spara målet"))
        .then(expect_path("/kommunikator/mal"))
        .then(expect_text(&today.year().to_string()))
        .then_all(english(portal))
}

/// News through the editor workflow (issue 13 §3), by two people: Anna, a communicator who is
/// not the editor, submits it with a word TERMS.md replaces; the editor (the demo's
/// communicator) is refused publication with the word named and returns it with a comment;
/// Anna sees the comment and fixes the word; the editor publishes it, and it is on `/nyheter`
/// (and in `/nyheter.atom`, checked in [`check_news`]).
fn news(portal: &Url) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    let anna = (seed::person("anna").unwrap(), seed::SENDERS[1]);
    let editor = (COMMUNICATOR.seed_person(), seed::SENDERS[0]);
    let list = "Nyheter, frågor och sidor till portalen";
    let mut steps = log_in_as(portal, anna);
    steps.extend([
        link(list),
        fill_field("Rubrik", NEWS_TITLE),
        fill_field("Text", "Nu får du ett **kvitto** när du läser."),
        button("Skicka till huvudredaktören"),
        expect_text("Hos huvudredaktören"),
        expect_text("skriv i stället ”kvittens”"),
    ]);
    steps.extend(log_in_as(portal, editor));
    steps.extend([
        link(list),
        expect_text("Du är huvudredaktör"),
        link(NEWS_TITLE),
        button("Publicera"),
        expect_text("Rätta uppgifterna i formuläret"),
        expect_text("skriv i stället ”kvittens”"),
        fill_field("Kommentar", NEWS_COMMENT),
        button("Skicka tillbaka med kommentar"),
        expect_text("Tillbaka hos kommunikatören"),
    ]);
    steps.extend(log_in_as(portal, anna));
    steps.extend([
        link(list),
        link(NEWS_TITLE),
        expect_text("Tillbaka hos kommunikatören"),
        expect_text(NEWS_COMMENT),
        fill_field("Text", "Nu får du en **kvittens** när du läser."),
        button("Skicka in ändringen"),
        expect_text("Hos huvudredaktören"),
    ]);
    steps.extend(log_in_as(portal, editor));
    steps.extend([
        link(list),
        link(NEWS_TITLE),
        button("Publicera"),
        expect_text("Publicerad"),
        link("Nyheterna på portalen"),
        expect_path("/nyheter"),
        expect_text("Nu får du en kvittens när du läser."),
        goto(&at("/kommunikator")),
    ]);
    steps
}

/// From the overview: log out, then log in again as `person`, communicator for `sender`.
fn log_in_as(portal: &Url, (person, sender): (&SeedPerson, seed::SeedOrganisation)) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    let mut steps = vec![
        goto(&at("/kommunikator")),
        button("Logga ut"),
        expect_path("/"),
        goto(&at("/kommunikator/logga-in")),
    ];
    steps.extend(eid_login(person));
    steps.extend([
        expect_path("/kommunikator"),
        expect_text(&format!(
            "Du är kommunikatör för: {} ({})",
            sender.name, sender.number
        )),
    ]);
    steps
}

/// A FAQ entry through the same workflow (issue 13 §3), then on `/fragor`.
fn faq(portal: &Url) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    vec![
        link("Nyheter, frågor och sidor till portalen"),
        select("Slag", "Fråga och svar"),
        fill_field("Rubrik", FAQ_TITLE),
        fill_field("Text", "Nej, du har en digital brevlåda åt gången."),
        button("Skicka till huvudredaktören"),
        expect_text("Fråga och svar"),
        button("Publicera"),
        expect_text("Publicerad"),
        link("Frågorna på portalen"),
        expect_path("/fragor"),
        expect_text(FAQ_TITLE),
        goto(&at("/kommunikator")),
    ]
}

/// A plan with an activity (refused first for a word TERMS.md replaces), a campaign made from
/// it — which e-mails the editor — and the editor marking it checked (issue 13 §4).
fn plans(portal: &Url) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let starts = planned_start();
    let ends = today.saturating_add(time::Duration::days(35));
    let sender = format!("{} ({})", seed::SENDERS[0].name, seed::SENDERS[0].number);
    vec![
        link("Årsplaner"),
        expect_text(&format!("Årsplaner {}", today.year())),
        select("Plan", &sender),
        fill("Budskap", "Få ditt kvitto digitalt"),
        fill("Målgrupp", "Studenter"),
        fill("Kanal", "brev"),
        fill_field("Startdatum", &starts.to_string()),
        fill_field("Slutdatum", &ends.to_string()),
        button("Lägg till i planen"),
        expect_text("skriv i stället ”kvittens”"),
        fill("Budskap", PLANNED_MESSAGE),
        button("Lägg till i planen"),
        goto(&at(&format!("/kommunikator/planer?ar={}", starts.year()))),
        expect_text(PLANNED_MESSAGE),
        // Changed by its keeper: refused first for a word TERMS.md replaces.
        link(&format!("Ändra: {PLANNED_MESSAGE}")),
        expect_text("Ändra aktiviteten"),
        fill("Målgrupp", "Studenter som vill ha kvitto"),
        button("Spara ändringarna"),
        expect_text("skriv i stället ”kvittens”"),
        fill("Målgrupp", CHANGED_TARGET_GROUP),
        button("Spara ändringarna"),
        expect_path(&format!("/kommunikator/planer?ar={}", starts.year())),
        expect_text(CHANGED_TARGET_GROUP),
        link("Skapa kampanj"),
        fill_field("Kampanjkod", PLANNED),
        fill_field("Mål (antal registreringar)", "20"),
        button("Skapa kampanj"),
        expect_path(&format!("/kommunikator/kampanjer/{PLANNED}")),
        expect_text("Inte granskad ännu"),
        button("Markera som granskad"),
        expect_text("Budskap och termer granskade av"),
        goto(&at("/kommunikator")),
    ]
}

/// The network's standard campaign questions kept by the editor (issue 13 §5), then answered
/// on the survey page the campaign's landing links to, and counted on the campaign's page.
fn survey(portal: &Url) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    vec![
        link("Kampanjfrågor"),
        expect_text("Inga frågor är inlagda ännu."),
        fill_field("Ny fråga, svenska", SURVEY_FREE),
        select("Svar, ny fråga", "Fritext"),
        button("Lägg till frågan"),
        fill_field("Ny fråga, svenska", SURVEY_YES_NO),
        fill_field(
            "Ny fråga, engelska",
            "Did you hear of the campaign in a letter?",
        ),
        button("Lägg till frågan"),
        button("Flytta upp fråga 2"),
        expect_path("/kommunikator/enkat"),
        goto(&at(&format!("/skaffa?kampanj={CAMPAIGN}"))),
        link("Har du en minut? Svara på några frågor om kampanjen"),
        expect_path(&format!("/enkat?kampanj={CAMPAIGN}")),
        fill_field(SURVEY_FREE, "Ett brev, mejla mig på anna@example.se"),
        button("Skicka svaren"),
        expect_text("Tack för dina svar"),
        goto(&at(&format!("/kommunikator/kampanjer/{CAMPAIGN}"))),
        expect_text("Besvarade enkäter: 1."),
        expect_text("Ett brev, mejla mig på [e-post]"),
        goto(&at("/kommunikator")),
    ]
}

/// The planned activity's first day: after today, so the editor can still check it.
fn planned_start() -> time::Date {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    today.saturating_add(time::Duration::days(5))
}

/// The same pages in English, then logging out.
fn english(portal: &Url) -> Vec<Value> {
    let at = |path: &str| portal.join(path).unwrap().to_string();
    vec![
        link("English"),
        expect_text("Annual targets for the connection rate"),
        link("Back to the campaigns"),
        expect_text("Campaigns and results"),
        goto(&at(&format!(
            "/kommunikator/planer?ar={}&lang=en",
            planned_start().year()
        ))),
        expect_text("Annual plans"),
        expect_text(PLANNED_MESSAGE),
        link(&format!("Change: {PLANNED_MESSAGE}")),
        expect_text("Change the activity"),
        expect_text("Earlier changes"),
        link("Back to the annual plans"),
        link(PLANNED),
        expect_text("Messages and terms checked by"),
        expect_text("Surveys answered: 0."),
        link("Back to the campaigns"),
        link("News, questions and pages for the portal"),
        link(NEWS_TITLE),
        expect_text("Published"),
        link("The news on the portal"),
        expect_path("/nyheter?lang=en"),
        expect_text("The news as an Atom feed"),
        goto(&at("/kommunikator?lang=en")),
        link("Campaign questions"),
        expect_text("The editor-in-chief adds, changes and orders the questions."),
        goto(&at(&format!("/skaffa?kampanj={CAMPAIGN}&lang=en"))),
        link("Have a minute? Answer a few questions about the campaign"),
        expect_text("A few questions about the campaign"),
        button("Send the answers"),
        expect_text("The answers could not be accepted"),
        link("Back to the questions"),
        fill_field(SURVEY_FREE, "A letter"),
        button("Send the answers"),
        expect_text("Thank you for your answers"),
        goto(&at("/kommunikator?lang=en")),
        link(CAMPAIGN),
        expect_text("Surveys answered: 2."),
        expect_text("Deep link"),
        expect_text("The campaign's funnel per day"),
        link("Back to the campaigns"),
        link("Create a campaign"),
        button("Create the campaign"),
        expect_text("Please correct the following"),
        link("Back to the campaigns"),
        button("Log out"),
        expect_path("/"),
    ]
}

/// Tolvan logs in at `/kommunikator` but has no communicator role.
fn no_role(portal: &Url) -> Walk {
    let tolvan = seed::person("tolvan").unwrap();
    Walk::new(WALKS[1])
        .then(goto(
            portal.join("/kommunikator/logga-in").unwrap().as_str(),
        ))
        .then_all(eid_login(tolvan))
        .then(expect_text("Du är inte kommunikatör"))
}

/// Anna, communicator for the agency but not an admin, is refused the annual targets.
fn not_admin(portal: &Url) -> Walk {
    let anna = seed::person("anna").unwrap();
    Walk::new(WALKS[2])
        .then(goto(
            portal.join("/kommunikator/logga-in").unwrap().as_str(),
        ))
        .then_all(eid_login(anna))
        .then(expect_text(&format!(
            "Du är kommunikatör för: {} ({}).",
            seed::SENDERS[1].name,
            seed::SENDERS[1].number
        )))
        .then(goto(
            portal.join("/kommunikator/mal?lang=en").unwrap().as_str(),
        ))
        .then(expect_text("For administrators only"))
}

/// At the test e-ID's person picker: choose `person`, log in.
fn eid_login(person: &SeedPerson) -> Vec<Value> {
    vec![
        expect_text("Test-e-legitimation – endast för test och demo"),
        check(&person.name()),
        button("Logga in"),
    ]
}

/// What the communicators' walks brought home: the pages, the campaign and target in the
/// store, and the portal's one cookie — set first by the login at `/kommunikator`, with its
/// flags, and gone after logging out.
pub(crate) async fn check_communicator(
    federation: &Federation,
    portal: &Url,
    walks: &[&WalkResult],
) {
    let [main, no_role, not_admin] = walks else {
        unreachable!("the walks of WALKS");
    };
    let checked: Vec<String> = main
        .pages
        .iter()
        .map(|page| {
            let url = Url::parse(&page.url).unwrap();
            format!(
                "{} {}{}",
                page.method,
                url.path(),
                url.query().map_or(String::new(), |q| format!("?{q}"))
            )
        })
        .collect();
    let campaign_page = format!("/kommunikator/kampanjer/{CAMPAIGN}");
    for (method, path) in [
        ("GET", "/kommunikator"),
        ("GET", "/kommunikator/kampanjer/ny"),
        ("POST", "/kommunikator/kampanjer/ny"),
        ("GET", campaign_page.as_str()),
        ("GET", "/kommunikator/mal"),
        ("GET", "/kommunikator/nyheter"),
        ("GET", "/nyheter"),
    ] {
        for query in ["", "?lang=en"] {
            let page = format!("{method} {path}{query}");
            assert!(checked.contains(&page), "{page} not checked: {checked:#?}");
        }
    }
    let survey = format!("/enkat?kampanj={CAMPAIGN}");
    for page in [
        format!("GET {survey}"),
        format!("GET {survey}&lang=en"),
        "GET /kommunikator/enkat".to_owned(),
        "GET /kommunikator/enkat?lang=en".to_owned(),
    ] {
        assert!(checked.contains(&page), "{page} not checked: {checked:#?}");
    }
    for query in ["", "?lang=en"] {
        let activity = checked.iter().any(|page| {
            page.starts_with("GET /kommunikator/planer/aktivitet/")
                && page.ends_with(query)
                && page.contains('?') != query.is_empty()
        });
        assert!(
            activity,
            "the activity's form{query} not checked: {checked:#?}"
        );
    }
    // The plans in English are those of the planned activity's year.
    let plans_en = format!(
        "GET /kommunikator/planer?ar={}&lang=en",
        planned_start().year()
    );
    for page in ["GET /kommunikator/planer", plans_en.as_str()] {
        assert!(
            checked.iter().any(|seen| seen == page),
            "{page}: {checked:#?}"
        );
    }
    assert!(!no_role.pages.is_empty() && !not_admin.pages.is_empty());
    let store = federation.demo().portal.store();
    let code = kuvert_core::campaign::CampaignCode::parse(CAMPAIGN).unwrap();
    let campaign = store.campaign(&code).await.unwrap().expect("created");
    assert_eq!(campaign.name, CAMPAIGN_NAME);
    let owners: Vec<_> = campaign.owners.into_iter().collect();
    assert_eq!(owners, [seed::SENDERS[0].organisation_number()]);
    assert_eq!(store.annual_targets().await.unwrap().len(), 1);
    check_plans(federation).await;
    check_survey(federation).await;
    check_news(federation, portal).await;
    for walk in walks {
        check_session_cookie(walk, portal);
    }
    assert!(
        !main
            .cookies
            .iter()
            .any(|cookie| cookie.name == SESSION_COOKIE),
        "logging out removes the session: {:?}",
        main.cookies
    );
}

/// The planned campaign is linked to its activity and checked; the editor's e-mail about it
/// arrived (at the real SMTP server's Maildir when the federation sends through it) before
/// the editor marked it checked, since the portal sends it before answering the form.
async fn check_plans(federation: &Federation) {
    let plans = federation.demo().portal.plans_store();
    let code = kuvert_core::campaign::CampaignCode::parse(PLANNED).unwrap();
    let reviews = plans.reviews().await.unwrap();
    let review = reviews.iter().find(|review| review.code == code).unwrap();
    assert!(
        review.activity_id.is_some() && review.checked.is_some(),
        "{review:?}"
    );
    let folder = kuvert_testenv::external_path("SMTP_MAILDIR", "the editor's e-mail")
        .filter(|_| std::env::var_os("KUVERT_TEST_SMTP").is_some())
        .unwrap_or_else(|| federation.editor_mail_dir());
    let mails: Vec<String> = ["", "new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(folder.join(sub)).ok())
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .filter(|text| text.contains("Kampanj att granska") && text.contains(PLANNED))
        .collect();
    assert!(
        !mails.is_empty(),
        "no e-mail to the editor in {}",
        folder.display()
    );
}

/// The walk's news: every step kept with who took it — Anna submitted and revised, the
/// editor returned (with the comment) and published — and its title in the Atom feed.
async fn check_news(federation: &Federation, portal: &Url) {
    let editorial = federation.demo().portal.editorial_store();
    let published = editorial.published(Kind::News, 10).await.unwrap();
    let news = published
        .iter()
        .find(|news| news.latest().is_some_and(|v| v.text.title == NEWS_TITLE))
        .unwrap();
    let steps: Vec<(Step, String)> = news
        .versions
        .iter()
        .map(|version| (version.step, version.author.as_str().to_owned()))
        .collect();
    let anna = seed::person("anna").unwrap().personal_identity_number();
    let editor = COMMUNICATOR.seed_person().personal_identity_number();
    let (anna, editor) = (anna.as_str().to_owned(), editor.as_str().to_owned());
    assert_eq!(
        steps,
        [
            (Step::Submitted, anna.clone()),
            (Step::Returned, editor.clone()),
            (Step::Revised, anna),
            (Step::Published, editor),
        ]
    );
    assert_eq!(news.versions[1].comment, NEWS_COMMENT);
    let feed = reqwest::get(portal.join("/nyheter.atom").unwrap())
        .await
        .unwrap();
    assert_eq!(feed.status(), reqwest::StatusCode::OK);
    let xml = feed.text().await.unwrap();
    assert!(
        xml.contains(&format!("<title>{NEWS_TITLE}</title>")),
        "{xml}"
    );
}

/// The walk's survey answers, stored for the campaign with the e-mail address masked, and
/// its activity's edit kept with who made it.
async fn check_survey(federation: &Federation) {
    let network = federation.demo().portal.network_store();
    let code = kuvert_core::campaign::CampaignCode::parse(CAMPAIGN).unwrap();
    let results = network.survey_results(&code).await.unwrap();
    assert_eq!(results.responses, 2, "{results:?}");
    let texts: Vec<&str> = results
        .questions
        .iter()
        .flat_map(|question| question.newest_texts.iter().map(|text| text.as_str()))
        .collect();
    assert_eq!(texts, ["A letter", "Ett brev, mejla mig på [e-post]"]);
    let plans = federation.demo().portal.plans_store();
    let activities = plans.activities(None).await.unwrap();
    let activity = activities
        .iter()
        .find(|activity| activity.planned.message == PLANNED_MESSAGE)
        .unwrap();
    assert_eq!(activity.planned.target_group, CHANGED_TARGET_GROUP);
    let changes = plans.activity_changes(&activity.id).await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        changes[0].by,
        COMMUNICATOR.seed_person().personal_identity_number()
    );
}

/// Every cookie the portal set in `walk` is the session, first set by the login at
/// `/kommunikator/logga-in`, scoped to `/kommunikator`, HttpOnly and SameSite; not Secure
/// only because the demo serves plain HTTP (the portal's own tests check Secure under TLS).
fn check_session_cookie(walk: &WalkResult, portal: &Url) {
    let origin = portal.origin().ascii_serialization();
    let from_portal: Vec<_> = walk
        .set_cookies
        .iter()
        .filter(|cookie| cookie.url.starts_with(&origin))
        .collect();
    let first = from_portal
        .first()
        .expect("the login sets the session cookie");
    let first_path = Url::parse(&first.url).unwrap().path().to_owned();
    assert_eq!(first_path, "/kommunikator/logga-in", "[{}]", walk.name);
    for cookie in from_portal {
        let header = &cookie.header;
        let path = Url::parse(&cookie.url).unwrap().path().to_owned();
        assert!(path.starts_with("/kommunikator/"), "[{}] {path}", walk.name);
        // The login in progress is a sealed pre-login cookie; the session cookie comes after.
        assert!(
            header.starts_with(&format!("{SESSION_COOKIE}="))
                || header.starts_with(&format!("{SESSION_COOKIE}_login=")),
            "[{}] {header}",
            walk.name
        );
        let lower = header.to_ascii_lowercase();
        for flag in ["; httponly", "; samesite=", "; path=/kommunikator"] {
            assert!(lower.contains(flag), "[{}] {flag}: {header}", walk.name);
        }
        assert!(!lower.contains("; secure"), "plain HTTP: {header}");
    }
    for cookie in walk.cookies.iter().filter(|c| c.name == SESSION_COOKIE) {
        assert!(cookie.http_only && cookie.same_site != "None", "{cookie:?}");
    }
}
