//! `kuvert check` names each bad input with its row, file and rule: bad HTML, a broken PDF,
//! an oversize attachment, a bad personnummer, a subject too long — all of them in one report.

use std::path::Path;

use kuvert_core::limits::{ENVELOPE_BYTES_DEFAULT_MAX, SUBJECT_CHARS_MAX};
use time::macros::date;

use super::{Problem, Rule, check_letter_file, check_manifest, check_path};
use crate::mailing::RowPlace;

/// The demo's one-page PDF (README): no cross-reference table, which readers repair.
const MINIMAL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n\
    2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n\
    3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n\
    trailer <</Root 1 0 R>>\n%%EOF\n";

/// Files a manifest names: good ones and one of each kind of bad.
fn files(folder: &Path) {
    let write = |name: &str, bytes: &[u8]| std::fs::write(folder.join(name), bytes).unwrap();
    write("brev.txt", "Hej! Ditt bygglov är beviljat.".as_bytes());
    write(
        "brev.html",
        b"<p>Hej!</p><p>Se <a href=\"https://kommun.example\">sidan</a>.</p>",
    );
    write(
        "farlig.html",
        b"<p>Hej</p>\n<script>alert(1)</script>\n<p style=\"color:red\">a</p><iframe></iframe>",
    );
    write("beslut.pdf", MINIMAL_PDF);
    write("trasig.pdf", b"%PDF-1.4\nthis is no pdf at all\n");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(
        usize::try_from(ENVELOPE_BYTES_DEFAULT_MAX).unwrap() + 1,
        b' ',
    );
    write("stor.pdf", &big);
    write("latin1.txt", b"Hej G\xf6ran\n");
}

/// Each problem as (row, file name, rule).
fn summary(problems: &[Problem]) -> Vec<(Option<RowPlace>, Option<String>, Rule)> {
    problems
        .iter()
        .map(|problem| {
            let file = problem
                .file
                .as_ref()
                .map(|file| file.file_name().unwrap().to_string_lossy().into_owned());
            (problem.place, file, problem.rule)
        })
        .collect()
}

#[test]
fn a_manifest_check_names_every_problem_by_row_file_and_rule() {
    let folder = tempfile::tempdir().unwrap();
    files(folder.path());
    let long_subject = "Å".repeat(SUBJECT_CHARS_MAX + 1);
    let manifest = folder.path().join("utskick.csv");
    let text = format!(
        "recipient,subject,body_file,attachments\n\
         191212121212,Beslut om bygglov,brev.html,beslut.pdf\n\
         191212121213,Beslut,brev.txt,\n\
         199001011239,{long_subject},brev.txt,\n\
         199507074566,Beslut,farlig.html,\n\
         198101052382,Beslut,brev.txt,trasig.pdf\n\
         198505152341,Beslut,brev.txt,stor.pdf\n\
         19121212121,,latin1.txt,trasig.pdf;saknas.pdf\n"
    );
    std::fs::write(&manifest, text).unwrap();
    let report = check_manifest(&manifest, date!(2026 - 12 - 07));
    let line = |n| Some(RowPlace::Line(n));
    let file = |name: &str| Some(name.to_owned());
    assert_eq!(report.rows, Some(7));
    assert_eq!(
        summary(&report.problems),
        vec![
            // A bad personnummer: the check digit.
            (line(3), None, Rule::Recipient),
            // A subject too long.
            (line(4), None, Rule::Subject),
            // Bad HTML: the script, the style, the frame, each on its line.
            (line(5), file("farlig.html"), Rule::Html),
            (line(5), file("farlig.html"), Rule::Html),
            (line(5), file("farlig.html"), Rule::Html),
            // A broken PDF.
            (line(6), file("trasig.pdf"), Rule::Pdf),
            // An oversize attachment.
            (line(7), None, Rule::Attachments),
            // Every problem of one row, not only the first.
            (line(8), None, Rule::Recipient),
            (line(8), None, Rule::Subject),
            (line(8), None, Rule::Attachments),
            (line(8), file("latin1.txt"), Rule::ContentType),
            (line(8), file("trasig.pdf"), Rule::Pdf),
        ],
        "{:#?}",
        report.problems
    );
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(shown[0].starts_with("line 3: recipient: "), "{}", shown[0]);
    assert!(shown[0].ends_with("[recipient]"), "{}", shown[0]);
    assert!(shown[1].contains("255"), "{}", shown[1]);
    assert!(
        shown[2].contains("line 2: a script element"),
        "{}",
        shown[2]
    );
    assert!(shown[3].contains("style attribute on <p>"), "{}", shown[3]);
    assert!(shown[4].contains("element <iframe>"), "{}", shown[4]);
    assert!(
        shown[5].contains("trasig.pdf: is not a well-formed PDF"),
        "{}",
        shown[5]
    );
    assert!(
        shown[6].contains("stor.pdf has 2097153 bytes"),
        "{}",
        shown[6]
    );
    assert!(shown[9].contains("saknas.pdf"), "{}", shown[9]);
    assert!(shown[10].contains("not UTF-8 at line 1"), "{}", shown[10]);
}

#[test]
fn a_clean_manifest_has_no_problems_in_csv_and_json() {
    let folder = tempfile::tempdir().unwrap();
    files(folder.path());
    let csv = folder.path().join("bra.csv");
    std::fs::write(
        &csv,
        "recipient,subject,body,attachments,address\n\
         191212121212,Beslut,Hej!,beslut.pdf,\"Tolvan Tolvansson\nStorgatan 1\n123 45 Småstad\"\n",
    )
    .unwrap();
    let json = folder.path().join("bra.json");
    std::fs::write(
        &json,
        r#"[{"recipient": "5566778899", "subject": "Beslut", "body_file": "brev.html",
            "attachments": ["beslut.pdf"]}]"#,
    )
    .unwrap();
    for manifest in [csv, json] {
        let report = check_path(&manifest, date!(2026 - 12 - 07));
        assert_eq!(report.problems, Vec::new(), "{}", manifest.display());
        assert!(report.is_clean());
        assert_eq!(report.rows, Some(1));
    }
}

#[test]
fn a_whole_letter_over_the_size_bound_is_named_once_for_its_row() {
    let folder = tempfile::tempdir().unwrap();
    let half = usize::try_from(ENVELOPE_BYTES_DEFAULT_MAX / 2).unwrap();
    let mut pdf = MINIMAL_PDF.to_vec();
    pdf.resize(half, b'\n');
    std::fs::write(folder.path().join("a.pdf"), &pdf).unwrap();
    std::fs::write(folder.path().join("b.pdf"), &pdf).unwrap();
    let manifest = folder.path().join("stort.json");
    std::fs::write(
        &manifest,
        r#"[{"recipient": "191212121212", "subject": "S", "body": "Hej",
            "attachments": ["a.pdf", "b.pdf"]}]"#,
    )
    .unwrap();
    let report = check_manifest(&manifest, date!(2026 - 12 - 07));
    assert_eq!(
        summary(&report.problems),
        vec![(Some(RowPlace::Index(0)), None, Rule::Size)]
    );
}

#[test]
fn a_manifest_unreadable_as_a_whole_is_one_manifest_problem() {
    let folder = tempfile::tempdir().unwrap();
    let manifest = folder.path().join("semikolon.csv");
    std::fs::write(&manifest, "recipient;subject;body\n191212121212;S;B\n").unwrap();
    let report = check_manifest(&manifest, date!(2026 - 12 - 07));
    assert_eq!(report.rows, None);
    assert_eq!(
        summary(&report.problems),
        vec![(None, None, Rule::Manifest)]
    );
    assert!(report.problems[0].detail.contains("separated by ';'"));
}

#[test]
fn a_letter_file_is_checked_by_its_kind() {
    let folder = tempfile::tempdir().unwrap();
    files(folder.path());
    let check = |name: &str| summary(&check_letter_file(&folder.path().join(name)).problems);
    let file = |name: &str| Some(name.to_owned());
    assert_eq!(check("beslut.pdf"), vec![]);
    assert_eq!(check("brev.html"), vec![]);
    assert_eq!(check("brev.txt"), vec![]);
    assert_eq!(
        check("trasig.pdf"),
        vec![(None, file("trasig.pdf"), Rule::Pdf)]
    );
    assert_eq!(
        check("stor.pdf"),
        vec![(None, file("stor.pdf"), Rule::Size)]
    );
    assert_eq!(check("farlig.html").len(), 3);
    assert_eq!(
        check("latin1.txt"),
        vec![(None, file("latin1.txt"), Rule::ContentType)]
    );
    assert_eq!(
        check("saknas.txt"),
        vec![(None, file("saknas.txt"), Rule::Body)]
    );
}

#[test]
fn a_pdf_with_javascript_or_without_pages_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let javascript = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R\
        /OpenAction <</S/JavaScript/JS(app.alert(1))>> >> endobj\n\
        2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n\
        3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n\
        trailer <</Root 1 0 R>>\n%%EOF\n";
    let empty = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n\
        2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n\
        trailer <</Root 1 0 R>>\n%%EOF\n";
    for (name, bytes, expected) in [
        ("skript.pdf", &javascript[..], "JavaScript"),
        ("tom.pdf", &empty[..], "no pages"),
    ] {
        let path = folder.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let problems = check_letter_file(&path).problems;
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].rule, Rule::Pdf);
        assert!(problems[0].detail.contains(expected), "{problems:#?}");
    }
}
