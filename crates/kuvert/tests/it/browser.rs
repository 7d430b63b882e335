//! The web inbox in a real browser (issue 4's acceptance): Debian's Chromium, driven by npm
//! `playwright-core` through `tools/node/browser/run.mjs`, with JavaScript turned off, walks
//! the whole federation's pages — the test e-ID's login, inbox, letter, attachment download,
//! settings, logout — in Swedish and English, as a company's representative and with the
//! keyboard alone, and checks every page it lands on with `axe-core` (WCAG 2.1 A and AA).
//! The portal's pages get the same checks, and a deep link with a campaign code is followed
//! to a registration at the chosen operator (issue 5's acceptance, `browser/portal.rs`); so
//! do the communicators' pages behind the e-ID login (`browser/communicator.rs`).
//!
//! One federation and one Chromium serve every walk, so the whole suite stays fast.

mod communicator;
mod driver;
mod portal;
mod walks;

use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::id::OrganisationNumber;
use kuvert_sender::Outcome;

use driver::{Chromium, WalkResult};

/// A small, valid PDF: the attachment every walk downloads.
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The company whose mailbox Cecilia opens as its representative.
const COMPANY: &str = "5561234567";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_and_portal_walks_pass_axe_without_javascript_in_both_languages_and_by_keyboard() {
    let Some(chromium) = Chromium::from_env("the inbox in Chromium with axe-core") else {
        return;
    };
    // The portal e-mails its editor through the real SMTP server when there is one.
    let smtp = kuvert_testenv::external("SMTP", "the editor's e-mail at a real SMTP server")
        .filter(|_| std::env::var_os("KUVERT_TEST_SMTP_MAILDIR").is_some());
    let federation = Federation::start(FederationOptions {
        smtp_address: smtp,
        ..FederationOptions::default()
    })
    .await;
    for person in ["tolvan", "anna", "bertil", "cecilia"] {
        send_letter(&federation, seed::person(person).unwrap()).await;
    }
    let cecilia = seed::person("cecilia").unwrap();
    let company = OrganisationNumber::parse(COMPANY).unwrap();
    let operator = seed::organisation(cecilia.operator.unwrap()).unwrap();
    federation
        .operator(&operator)
        .store()
        .grant_representation(
            &company,
            &cecilia.personal_identity_number(),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();

    portal::create_campaign(&federation).await;
    communicator::grant_roles(&federation).await;

    let sites = walks::Sites::of(&federation);
    let portal_url = url::Url::parse(&federation.manifest().portal_url).unwrap();
    let mut all = walks::all(&sites);
    all.push(portal::keyboard(&portal_url));
    all.push(portal::public_pages(&portal_url));
    all.push(portal::deep_link(&portal_url));
    all.push(portal::button_on_sender_site(&federation, &portal_url).await);
    all.extend(communicator::all(&portal_url));
    let results = chromium.run(all).await;

    report(&results);
    let problems: Vec<String> = results
        .iter()
        .flat_map(|walk| {
            walk.problems()
                .into_iter()
                .map(|p| format!("[{}] {p}", walk.name))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The sender's static page is not ours to give headers; its portal page is checked in
    // the deep link's walk.
    for walk in results.iter().filter(|walk| walk.name != portal::BUTTON) {
        walks::check_walk(walk, &sites);
    }
    let walk = |name: &str| results.iter().find(|walk| walk.name == name).unwrap();
    let public = [
        walk(portal::KEYBOARD),
        walk(portal::PAGES),
        walk(portal::DEEP_LINK),
    ];
    portal::check_portal(&federation, &portal_url, &public).await;
    portal::check_button(&federation, walk(portal::BUTTON)).await;
    let communicators = communicator::WALKS.map(walk);
    communicator::check_communicator(&federation, &portal_url, &communicators).await;
}

/// A letter with `beslut.pdf` from the first sender; its subject is [`walks::subject`].
async fn send_letter(federation: &Federation, person: &SeedPerson) {
    let attachment = kuvert_sender::pdf_attachment("beslut.pdf", PDF.to_vec()).unwrap();
    let subject = walks::subject(person);
    let letter = federation.letter(&seed::SENDERS[0], person, &subject, vec![attachment]);
    let outcome = federation.send(&letter).await.unwrap();
    assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
}

/// Prints what was checked: pages and axe violations per walk (seen with `--nocapture`).
fn report(results: &[WalkResult]) {
    for walk in results {
        eprintln!(
            "browser walk {}: {} new pages checked with axe, {} violations, {} focus stops, \
             {} ms",
            walk.name,
            walk.pages.len(),
            walk.violation_count(),
            walk.focus_stops.len(),
            walk.elapsed_ms
        );
    }
    let pages: usize = results.iter().map(|walk| walk.pages.len()).sum();
    let violations: usize = results.iter().map(WalkResult::violation_count).sum();
    eprintln!("browser: {pages} distinct pages checked with axe, {violations} violations");
}

/// The driver itself finds what it is there to find, so "0 violations" above means something:
/// a page with an image without text, a field without a label, too little contrast, an
/// inline style and no `lang` is reported on every count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_reports_violations_inline_style_and_missing_lang_on_a_bad_page() {
    let Some(chromium) = Chromium::from_env("that the browser driver reports axe violations")
    else {
        return;
    };
    let page = "<!DOCTYPE html><html><head><title>Dålig sida</title></head><body>\
        <img src=\"/bild.png\"><p style=\"color:#eeeeee\">Ljus text</p>\
        <input type=\"text\" name=\"namn\"></body></html>";
    let url = bad_page_server(page);
    let walk = driver::Walk::new("bad page").then(driver::goto(&url));
    let results = chromium.run(vec![walk]).await;
    let [walk] = results.as_slice() else {
        unreachable!("one walk");
    };
    let [page] = walk.pages.as_slice() else {
        panic!("one page: {walk:?}");
    };
    let ids: Vec<&str> = page.violations.iter().map(|v| v.id.as_str()).collect();
    for rule in ["image-alt", "label", "color-contrast", "html-has-lang"] {
        assert!(ids.contains(&rule), "{rule} missing from {ids:?}");
    }
    assert_eq!(page.inline_styles, 1);
    let problems = walk.problems();
    assert!(
        problems.iter().any(|p| p.contains("no lang")),
        "{problems:?}"
    );
}

/// Serves `page` at `/` (and 404 elsewhere) on 127.0.0.1 from a thread, for the life of the
/// test binary; returns its URL.
fn bad_page_server(page: &'static str) -> String {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let (status, body) = if request_line.starts_with("GET / ") {
                ("200 OK", page)
            } else {
                ("404 Not Found", "")
            };
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = (&stream).write_all(response.as_bytes());
        }
    });
    url
}
