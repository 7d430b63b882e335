//! The paper letters read back as a print house and a recipient would: Debian's poppler-utils
//! (`pdftotext`, `pdftoppm`) and zbar-tools (`zbarimg`), named by `KUVERT_TEST_PDFTOTEXT`,
//! `KUVERT_TEST_PDFTOPPM` and `KUVERT_TEST_ZBARIMG` (`tools/services/start.sh`); without them
//! these tests say why they skip, and fail under `KUVERT_REQUIRE_ALL=1`.

use std::path::Path;
use std::process::Command;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::message::{BodyContentType, Reference, SenderName, Subject};
use kuvert_core::postal::PostalAddress;
use kuvert_web::main_messages::SWEDISH_LINE;
use time::macros::date;

use super::{DeepLinkQr, PaperLetter, body_text, render, render_with};

const TEXT: &str = "Hej Åsa Öberg!\n\nDitt bygglov för Storgatan 1 är beviljat. Beslutet vann \
    laga kraft den 1 december.\n\nMed vänliga hälsningar\nBygglovsenheten";

struct Fixture {
    sender_name: SenderName,
    sender: OrganisationNumber,
    subject: Subject,
    reference: Reference,
    address: PostalAddress,
    deep_link: url::Url,
    attachments: Vec<String>,
}

fn fixture() -> Fixture {
    Fixture {
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        sender: OrganisationNumber::parse("2120000159").unwrap(),
        subject: Subject::parse("Beslut om bygglov för Storgatan 1").unwrap(),
        reference: Reference::parse("BYGG 2026-0042").unwrap(),
        address: PostalAddress::parse("Åsa Öberg\nStorgatan 1\n123 45 Småstad").unwrap(),
        deep_link: url::Url::parse("https://portal.example/skaffa?avsandare=2120000159").unwrap(),
        attachments: vec!["beslut.pdf".to_owned()],
    }
}

fn letter<'a>(fixture: &'a Fixture, text: &'a str, with_address: bool) -> PaperLetter<'a> {
    PaperLetter {
        sender_name: &fixture.sender_name,
        sender: &fixture.sender,
        address: with_address.then_some(&fixture.address),
        date: date!(2026 - 12 - 07),
        subject: &fixture.subject,
        reference: Some(&fixture.reference),
        text,
        attachments: &fixture.attachments,
        deep_link: Some(&fixture.deep_link),
    }
}

/// `tool args…`, its standard output as text; the test fails when it does not succeed.
#[track_caller]
fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn write_pdf(folder: &Path, name: &str, pdf: &[u8]) -> String {
    let path = folder.join(name);
    std::fs::write(&path, pdf).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn pdftotext_finds_the_senders_text_address_main_messages_and_deep_link() {
    let Some(pdftotext) = kuvert_testenv::external("PDFTOTEXT", "paper letters as text") else {
        return;
    };
    let fixture = fixture();
    let pdf = render(&letter(&fixture, TEXT, true)).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = write_pdf(folder.path(), "brev.pdf", &pdf);
    let text = run(&pdftotext, &["-enc", "UTF-8", &path, "-"]);
    for expected in [
        "Exempelkommun",
        "Organisationsnummer 2120000159",
        "Datum: 2026-12-07",
        "Referens: BYGG 2026-0042",
        "Åsa Öberg",
        "123 45 Småstad",
        "Beslut om bygglov för Storgatan 1",
        "Hej Åsa Öberg!",
        "Ditt bygglov för Storgatan 1 är beviljat.",
        "Bygglovsenheten",
        "Bilagor: beslut.pdf",
        "Du kan få det här brevet digitalt nästa gång.",
        SWEDISH_LINE,
        "Skaffa digital brevlåda:",
        "https://portal.example/skaffa?avsandare=2120000159",
        "Sida 1 av 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("ADRESS SAKNAS"), "{text}");
}

#[test]
fn the_qr_code_decodes_to_the_deep_link() {
    let tools = (
        kuvert_testenv::external("PDFTOPPM", "rendering paper letters"),
        kuvert_testenv::external("ZBARIMG", "the paper letter's QR code"),
    );
    let (Some(pdftoppm), Some(zbarimg)) = tools else {
        return;
    };
    let fixture = fixture();
    let pdf = render(&letter(&fixture, TEXT, true)).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = write_pdf(folder.path(), "brev.pdf", &pdf);
    let prefix = folder.path().join("sida").to_string_lossy().into_owned();
    run(
        &pdftoppm,
        &["-png", "-r", "150", "-f", "1", "-l", "1", &path, &prefix],
    );
    let page = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "png"))
        .unwrap();
    let decoded = run(&zbarimg, &["--quiet", "--raw", &page.to_string_lossy()]);
    assert_eq!(decoded.trim(), fixture.deep_link.as_str());
}

#[test]
fn a_letter_without_an_address_says_so_and_a_long_text_runs_on_numbered_pages() {
    let Some(pdftotext) = kuvert_testenv::external("PDFTOTEXT", "paper letters as text") else {
        return;
    };
    let fixture = fixture();
    let long = format!("{TEXT}\n").repeat(40);
    let pdf = render(&letter(&fixture, &long, false)).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = write_pdf(folder.path(), "brev.pdf", &pdf);
    let text = run(&pdftotext, &["-enc", "UTF-8", &path, "-"]);
    assert!(text.contains("ADRESS SAKNAS"), "{text}");
    assert!(text.contains("Lägg till"), "{text}");
    assert!(!text.contains("123 45 Småstad"), "{text}");
    let pages = text.matches("Sida ").count();
    assert!(pages >= 3, "{pages} pages:\n{text}");
    assert!(text.contains(&format!("Sida {pages} av {pages}")), "{text}");
    assert_eq!(text.matches("Bygglovsenheten").count(), 40);
}

#[test]
fn an_html_body_is_printed_as_its_text() {
    let text = body_text(
        BodyContentType::TextHtml,
        "<h1>Beslut</h1><p>Hej &amp; välkommen.</p><script>x()</script>".as_bytes(),
    );
    assert_eq!(text, "Beslut\n\nHej & välkommen.");
    assert_eq!(body_text(BodyContentType::TextPlain, b"a\r\nb"), "a\nb");
}

/// The rectangles drawn on page one (the notice's box and the QR code's modules).
fn rectangles(pdf: &[u8]) -> usize {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let first = *document.get_pages().get(&1).unwrap();
    let content = document.get_page_content(first);
    let content = lopdf::content::Content::decode(&content).unwrap();
    content
        .operations
        .iter()
        .filter(|operation| operation.operator == "re")
        .count()
}

#[test]
fn a_letter_without_a_portal_has_no_notice_box_nor_qr_code() {
    let fixture = fixture();
    let with = render(&letter(&fixture, TEXT, true)).unwrap();
    let mut without = letter(&fixture, TEXT, true);
    without.deep_link = None;
    let without = render(&without).unwrap();
    assert!(without.starts_with(b"%PDF-1.7"));
    assert!(rectangles(&with) > 20, "{}", rectangles(&with));
    assert_eq!(rectangles(&without), 0);
}

// Issue 14: a mailing makes its deep link's QR code once; the letters are the same bytes.
#[test]
fn a_qr_code_made_beforehand_gives_the_same_letter_and_one_of_another_link_is_not_used() {
    let fixture = fixture();
    let alone = render(&letter(&fixture, TEXT, true)).unwrap();
    let same = DeepLinkQr::new(&fixture.deep_link).unwrap();
    assert_eq!(
        render_with(&letter(&fixture, TEXT, true), Some(&same)).unwrap(),
        alone
    );
    let other_link = url::Url::parse("https://portal.example/skaffa?avsandare=2021005489");
    let other = DeepLinkQr::new(&other_link.unwrap()).unwrap();
    let with_other = render_with(&letter(&fixture, TEXT, true), Some(&other)).unwrap();
    assert_eq!(with_other, alone);
    let mut without = letter(&fixture, TEXT, true);
    without.deep_link = None;
    assert_eq!(rectangles(&render_with(&without, Some(&same)).unwrap()), 0);
}
