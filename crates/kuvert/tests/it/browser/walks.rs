//! The walks through the web inbox, in the words a person sees (the operator's `texts.rs`
//! and the test e-ID's pages), and the checks of what each walk brought home: downloads,
//! cookies and security headers.

use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::Federation;
use serde_json::Value;
use url::Url;

use super::driver::{
    Walk, WalkResult, arrow_to, button, check, download, download_key, expect_path, expect_text,
    fill, goto, link, link_in, press_to_page, select, tab_to, type_text,
};

/// Where the walks go.
pub(crate) struct Sites {
    /// The inbox of each seeded operator, by operator key.
    inboxes: Vec<(String, Url)>,
    eid: Url,
}

impl Sites {
    pub(crate) fn of(federation: &Federation) -> Self {
        let manifest = federation.manifest();
        let inboxes = manifest
            .operators
            .iter()
            .map(|o| {
                (
                    o.organisation.key.clone(),
                    Url::parse(&o.inbox_url).unwrap(),
                )
            })
            .collect();
        Self {
            inboxes,
            eid: Url::parse(&manifest.eid_issuer).unwrap(),
        }
    }

    /// `path` at `person`'s operator's inbox.
    fn inbox(&self, person: &SeedPerson, path: &str) -> String {
        let key = person.operator.unwrap();
        let (_, base) = self.inboxes.iter().find(|(k, _)| k == key).unwrap();
        base.join(path).unwrap().to_string()
    }
}

/// The subject of the letter sent to `person` before the walks.
pub(crate) fn subject(person: &SeedPerson) -> String {
    format!("Beslut om bygglov för {}", person.given_name)
}

/// Every walk, in the order they run.
pub(crate) fn all(sites: &Sites) -> Vec<Walk> {
    vec![
        swedish(sites),
        english(sites),
        keyboard(sites),
        company(sites),
        cancelled_login(sites),
        signup(sites),
        account_pages(sites),
        company_registration(sites),
    ]
}

/// Tolvan in Swedish: log in, read, download, settings, switch language, log out.
fn swedish(sites: &Sites) -> Walk {
    let tolvan = seed::person("tolvan").unwrap();
    Walk::new("svenska")
        .then(goto(&sites.inbox(tolvan, "/")))
        .then(expect_text("Din digitala brevlåda"))
        .then(link("Logga in med e-legitimation"))
        .then_all(eid_login(tolvan))
        .then(expect_path("/brevlada"))
        .then(expect_text("1 oläst meddelande"))
        .then(link(&format!("Oläst: {}", subject(tolvan))))
        .then(expect_text(&format!("Hej {}!", tolvan.given_name)))
        .then(download("Ladda ner: beslut.pdf"))
        .then(button("Arkivera"))
        .then(link("Arkiv"))
        .then(expect_text(&subject(tolvan)))
        .then(link("Inställningar"))
        .then(fill("E-postadress", "tolvan@kuvert.example"))
        .then(press_to_page("Enter"))
        .then(expect_text("tolvan@kuvert.example"))
        .then(link("In English"))
        .then(expect_text("Settings"))
        .then(link("På svenska"))
        .then(button("Logga ut"))
        .then(expect_path("/"))
        .then(goto(&sites.inbox(tolvan, "/brevlada")))
        .then(expect_path("/"))
}

/// Anna in English, from the start page's language link.
fn english(sites: &Sites) -> Walk {
    let anna = seed::person("anna").unwrap();
    Walk::new("english")
        .then(goto(&sites.inbox(anna, "/")))
        .then(link("In English"))
        .then(expect_text("Your digital mailbox"))
        .then(link("Log in with e-ID"))
        .then_all(eid_login(anna))
        .then(expect_text("My mailbox"))
        .then(expect_text("1 unread message"))
        .then(link(&format!("Unread: {}", subject(anna))))
        .then(download("Download: beslut.pdf"))
        .then(button("Mark as unread"))
        .then(link("Settings"))
        .then(fill("E-mail address", "anna@kuvert.example"))
        .then(press_to_page("Enter"))
        .then(expect_text("anna@kuvert.example"))
        .then(button("Log out"))
        .then(expect_text("Your digital mailbox"))
}

/// Bertil with the keyboard alone: Tab to each control, Enter or Space to use it.
fn keyboard(sites: &Sites) -> Walk {
    let bertil = seed::person("bertil").unwrap();
    let tolvan = seed::person("tolvan").unwrap();
    let choice = |person: &SeedPerson| format!("{}, {}-****", person.name(), &person.number[..8]);
    Walk::new("keyboard")
        .then(goto(&sites.inbox(bertil, "/")))
        .then(tab_to("Hoppa till innehållet"))
        .then(tab_to("Logga in med e-legitimation"))
        .then(press_to_page("Enter"))
        .then(tab_to(&choice(tolvan)))
        .then(arrow_to(&choice(bertil)))
        .then(tab_to("Logga in"))
        .then(press_to_page("Enter"))
        .then(expect_path("/brevlada"))
        .then(tab_to(&format!("Oläst: {}", subject(bertil))))
        .then(press_to_page("Enter"))
        .then(tab_to("Ladda ner: beslut.pdf"))
        .then(download_key("Enter"))
        .then(tab_to("Markera som oläst"))
        .then(press_to_page("Space"))
        .then(tab_to(&format!("Oläst: {}", subject(bertil))))
        .then(press_to_page("Enter"))
        .then(tab_to("Arkivera"))
        .then(press_to_page("Enter"))
        .then(tab_to("Arkiv"))
        .then(press_to_page("Enter"))
        .then(expect_text(&subject(bertil)))
        .then(tab_to("In English"))
        .then(press_to_page("Enter"))
        .then(tab_to("På svenska"))
        .then(press_to_page("Enter"))
        .then(tab_to("Inställningar"))
        .then(press_to_page("Enter"))
        .then(tab_to("E-postadress"))
        .then(type_text("bertil@kuvert.example"))
        .then(press_to_page("Enter"))
        .then(expect_text("bertil@kuvert.example"))
        .then(tab_to("Logga ut"))
        .then(press_to_page("Enter"))
        .then(expect_path("/"))
}

/// Cecilia opens the mailbox of the company she represents, and goes back to her own.
fn company(sites: &Sites) -> Walk {
    let cecilia = seed::person("cecilia").unwrap();
    let company = company_option();
    Walk::new("company")
        .then(goto(&sites.inbox(cecilia, "/logga-in")))
        .then_all(eid_login(cecilia))
        .then(select("Visa brevlåda", &company_option()))
        .then(button("Byt brevlåda"))
        .then(expect_text(&company))
        .then(expect_text("Du har inga meddelanden."))
        .then(link("Arkiv"))
        .then(select("Visa brevlåda", "Min egen brevlåda"))
        .then(button("Byt brevlåda"))
        .then(expect_text(&subject(cecilia)))
        .then(button("Logga ut"))
}

/// The option naming the company in the mailbox list.
fn company_option() -> String {
    format!(
        "Företagets brevlåda, organisationsnummer {}",
        super::COMPANY
    )
}

/// Eva cancels at the test e-ID and is told so, with a way to try again.
fn cancelled_login(sites: &Sites) -> Walk {
    let tolvan = seed::person("tolvan").unwrap();
    Walk::new("cancelled login")
        .then(goto(&sites.inbox(tolvan, "/")))
        .then(link("Logga in med e-legitimation"))
        .then(button("Avbryt"))
        .then(expect_text("Inloggningen avbröts. Du är inte inloggad."))
        .then(link("Logga in igen"))
        .then(expect_text("Logga in med test-e-legitimation"))
}

/// David, who has no digital mailbox, gets one at Demobrevlådan: the agreement, signing at
/// the test e-ID's signing service, the visible "Fortsätt" back, his (empty) inbox.
fn signup(sites: &Sites) -> Walk {
    let david = seed::person("david").unwrap();
    let tolvan = seed::person("tolvan").unwrap();
    Walk::new("signup")
        .then(goto(&sites.inbox(tolvan, "/skaffa")))
        .then_all(eid_login(david))
        .then(expect_path("/skaffa"))
        .then(expect_text("Skaffa digital brevlåda"))
        .then(button("Signera med e-legitimation"))
        .then(expect_text("Signera med test-e-legitimation"))
        .then(check(&david.name()))
        .then(button("Signera"))
        .then(expect_text("Du har signerat"))
        .then(button("Fortsätt"))
        .then(expect_path("/brevlada"))
        .then(expect_text("Du har inga meddelanden."))
}

/// Anna visits every page of "Ditt konto" from the settings page and back.
fn account_pages(sites: &Sites) -> Walk {
    let anna = seed::person("anna").unwrap();
    let mut walk = Walk::new("konto")
        .then(goto(&sites.inbox(anna, "/logga-in")))
        .then_all(eid_login(anna));
    for page in [
        "Avsändare du tar emot från",
        "Byt brevlåda",
        "Avregistrera brevlådan",
        "Vem har öppnat dina brev",
        "Ladda ner alla dina brev",
    ] {
        walk = walk
            .then(link_in("header", "Inställningar"))
            .then(link(page));
    }
    walk.then(goto(&sites.inbox(anna, "/foretag")))
        .then(link_in("header", "Inställningar"))
        .then(link("In English"))
        .then(link("Senders you receive from (reception rules)"))
        .then(link("På svenska"))
}

/// Bertil, the one partner of Exempelhandel HB who signs alone, registers its mailbox with
/// his e-ID and opens it as its representative.
fn company_registration(sites: &Sites) -> Walk {
    let bertil = seed::person("bertil").unwrap();
    let company = seed::company("exempelhandel").unwrap();
    Walk::new("company registration")
        .then(goto(&sites.inbox(bertil, "/logga-in")))
        .then_all(eid_login(bertil))
        .then(goto(&sites.inbox(bertil, "/foretag")))
        .then(fill("Organisationsnummer", company.number))
        .then(button("Fortsätt"))
        .then(expect_text(company.name))
        .then(expect_text(company.rule_text))
        .then(button("Signera med e-legitimation"))
        .then(check(&bertil.name()))
        .then(button("Signera"))
        .then(button("Fortsätt"))
        .then(button("Öppna företagets brevlåda"))
        .then(expect_text(&format!(
            "Företagets brevlåda, organisationsnummer {}",
            company.number
        )))
        .then(button("Logga ut"))
}

/// At the test e-ID's person picker: choose `person`, log in.
fn eid_login(person: &SeedPerson) -> Vec<Value> {
    vec![
        expect_text("Test-e-legitimation – endast för test och demo"),
        check(&person.name()),
        button("Logga in"),
    ]
}

/// What a walk must have brought home besides passing axe: security headers on every page,
/// session cookies with their flags, and the right download.
pub(crate) fn check_walk(walk: &WalkResult, sites: &Sites) {
    let is_eid = |url: &str| url.starts_with(sites.eid.as_str());
    for page in &walk.pages {
        let what = format!(
            "[{}] {} {} ({:?})",
            walk.name, page.method, page.url, page.status
        );
        let csp = page.csp.as_deref().unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{what}: CSP {csp:?}"
        );
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert!(!page.title.is_empty(), "{what} has no title");
        assert!(page.status.is_none_or(|status| status < 500), "{what}");
        if !is_eid(&page.url) {
            assert_eq!(page.frame_options.as_deref(), Some("DENY"), "{what}");
        }
    }
    for set_cookie in &walk.set_cookies {
        let header = &set_cookie.header;
        if header.starts_with("kuvert_session=") {
            let flags = header.contains("; HttpOnly") && header.contains("; SameSite=Lax");
            assert!(flags, "{}: {header}", set_cookie.url);
        }
        assert!(
            !is_eid(&set_cookie.url),
            "the test e-ID sets no cookie: {header}"
        );
    }
    if let Some(session) = walk.cookies.iter().find(|c| c.name == "kuvert_session") {
        assert!(
            session.http_only && session.same_site == "Lax",
            "{session:?}"
        );
        assert!(!session.secure, "plain HTTP in the demo: {session:?}");
    }
    if ["svenska", "english", "keyboard"].contains(&walk.name.as_str()) {
        check_download(walk);
    }
}

/// The walk downloaded `beslut.pdf` once, as a PDF attachment, byte for byte.
fn check_download(walk: &WalkResult) {
    let [file] = walk.downloads.as_slice() else {
        panic!("[{}] one download: {:?}", walk.name, walk.downloads);
    };
    assert_eq!(file.suggested_filename, "beslut.pdf");
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    let disposition = file.content_disposition.as_deref().unwrap_or_default();
    assert!(disposition.starts_with("attachment;"), "{file:?}");
    assert_eq!(file.bytes, super::PDF.len() as u64);
    assert_eq!(file.content_hex.as_deref(), Some(hex(super::PDF).as_str()));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
