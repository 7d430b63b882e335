//! Manifest parsing (typed rows, line numbers, refusals) and the journal's resume rule.

use std::path::Path;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::BodyContentType;

use super::csv::{self, CsvError};
use super::journal::{Event, Journal, JournalError};
use super::manifest::{BodySource, ManifestFormat, ManifestRow, ParseError, parse};
use super::{Manifest, ManifestError};

/// The day the tests parse short personnummer on (not the clock's: tests must not depend on it).
const TODAY: time::Date = time::macros::date!(2026 - 11 - 29);

const TOLVAN: &str = "191212121212";
const ANNA: &str = "198101052382";

fn sender() -> OrganisationNumber {
    OrganisationNumber::parse("2120000159").unwrap()
}

fn rows(text: &str, folder: &Path) -> Vec<ManifestRow> {
    parse(text, ManifestFormat::Csv, folder, TODAY).unwrap()
}

fn bad_rows(text: &str, folder: &Path) -> Vec<String> {
    match parse(text, ManifestFormat::Csv, folder, TODAY) {
        Err(ParseError::Rows(errors)) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

#[test]
fn csv_reads_quotes_escaped_quotes_and_multi_line_fields_with_their_start_line() {
    let records = csv::records("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"one\ntwo\",z\n").unwrap();
    let lines: Vec<usize> = records.iter().map(|record| record.line).collect();
    assert_eq!(lines, [1, 2, 4]);
    assert_eq!(records[1].fields, ["x, y", "say \"hi\""]);
    assert_eq!(records[2].fields, ["one\ntwo", "z"]);
    assert_eq!(
        csv::records("a,\"b\nc"),
        Err(CsvError::Unclosed { line: 1 })
    );
    assert_eq!(
        csv::records("a,b\"c"),
        Err(CsvError::StrayQuote { line: 1 })
    );
    assert_eq!(
        csv::records("\"a\"b"),
        Err(CsvError::AfterQuote { line: 1 })
    );
}

#[test]
fn manifest_rows_become_typed_letters_with_files_beside_the_manifest() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("brev.html"), "<p>Hej</p>").unwrap();
    std::fs::write(folder.path().join("beslut.pdf"), b"%PDF-1.4 test").unwrap();
    let text = format!(
        "recipient,subject,body,body_file,attachments,reference\n\
         {TOLVAN},Beslut,,brev.html,beslut.pdf; beslut.pdf,ärende 7\n\
         \"{ANNA}\",\"Hej, Anna\",\"Rad ett\nrad två\",,,\n"
    );
    let rows = rows(&text, folder.path());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].recipient.to_wire(), TOLVAN);
    assert_eq!(
        rows[0].body,
        BodySource::File {
            path: folder.path().join("brev.html"),
            content_type: BodyContentType::TextHtml,
        }
    );
    assert_eq!(rows[0].attachments.len(), 2);
    assert_eq!(rows[0].reference.as_ref().unwrap().as_str(), "ärende 7");
    assert_eq!(rows[1].line, 3);
    assert_eq!(rows[1].subject.as_str(), "Hej, Anna");
    assert_eq!(
        rows[1].body,
        BodySource::Inline("Rad ett\nrad två".to_owned())
    );
    assert!(rows[1].attachments.is_empty() && rows[1].reference.is_none());
}

#[test]
fn every_bad_row_is_named_by_line_and_column() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("not.pdf"), "plain text").unwrap();
    let text = format!(
        "recipient,subject,body,attachments\n\
         {TOLVAN},Ok,Text,\n\
         191212121213,Ok,Text,\n\
         {ANNA},,Text,\n\
         {ANNA},Ok,,\n\
         {ANNA},Ok,Text,not.pdf\n\
         {ANNA},Ok,Text,missing.pdf\n\
         {ANNA},Ok\n"
    );
    let errors = bad_rows(&text, folder.path());
    let starts: Vec<&str> = errors.iter().map(|e| &e[..e.find(':').unwrap()]).collect();
    assert_eq!(
        starts,
        [
            "line 3, recipient",
            "line 4, subject",
            "line 5",
            "line 6, attachments",
            "line 7, attachments",
            "line 8"
        ]
    );
    assert!(errors[3].contains("not a PDF"), "{}", errors[3]);
    assert!(
        errors[5].contains("2 fields, the header has 4"),
        "{}",
        errors[5]
    );
}

#[test]
fn a_header_without_a_body_column_or_with_an_unknown_one_is_refused() {
    let folder = Path::new(".");
    for (text, says) in [
        ("recipient,subject\n", "no column \"body\""),
        ("recipient,body\n", "no column \"subject\""),
        (
            "recipient,subject,body,colour\n",
            "unknown column \"colour\"",
        ),
        ("recipient,subject,body,body\n", "appears twice"),
        ("", "empty"),
    ] {
        match parse(text, ManifestFormat::Csv, folder, TODAY) {
            Err(ParseError::Header(reason)) => assert!(reason.contains(says), "{reason}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn manifest_read_says_which_file_and_counts_the_bad_rows() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("utskick.csv");
    std::fs::write(&path, "recipient,subject,body\n1,a,b\n2,a,b\n").unwrap();
    let error = Manifest::read(&path, TODAY).unwrap_err();
    assert!(matches!(&error, ManifestError::Rows { count: 2, shown } if shown.len() == 2));
    assert!(error.to_string().contains("line 3, recipient"), "{error}");
    let missing = Manifest::read(&folder.path().join("none.csv"), TODAY).unwrap_err();
    assert!(missing.to_string().contains("none.csv"), "{missing}");
}

fn two_rows(folder: &Path) -> Vec<ManifestRow> {
    rows(
        &format!("recipient,subject,body\n{TOLVAN},A,x\n{ANNA},B,y\n"),
        folder,
    )
}

fn delivered(line: usize, recipient: &str) -> Event {
    Event::Delivered {
        line,
        recipient: recipient.to_owned(),
        trans_id: "t-1".to_owned(),
        operator: "Demobrevlådan".to_owned(),
    }
}

#[test]
fn a_reopened_journal_keeps_the_message_ids_and_knows_which_rows_are_done() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("utskick.journal");
    let rows = two_rows(folder.path());
    let first = Journal::open(&path, &sender(), &rows).unwrap();
    let ids = (first.message_id(2), first.message_id(3));
    assert_ne!(ids.0, ids.1);
    first.record(&delivered(2, TOLVAN)).unwrap();
    first
        .record(&Event::Sealed {
            line: 3,
            recipient: ANNA.to_owned(),
        })
        .unwrap();
    first.sync().unwrap();
    drop(first);

    let second = Journal::open(&path, &sender(), &rows).unwrap();
    assert_eq!((second.message_id(2), second.message_id(3)), ids);
    assert!(second.last_event(2).is_some_and(Event::is_final));
    assert!(
        !second.last_event(3).unwrap().is_final(),
        "sealed is not done"
    );
    second
        .record(&Event::Failed {
            line: 3,
            recipient: ANNA.to_owned(),
            reason: "x".repeat(10_000),
        })
        .unwrap();
    second.sync().unwrap();
    drop(second);
    let third = Journal::open(&path, &sender(), &rows).unwrap();
    assert!(
        matches!(third.last_event(3), Some(Event::Failed { reason, .. }) if reason.len() < 4_096)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("\"event\":\"run\"").count(), 3);
}

#[test]
fn a_torn_last_line_is_cut_off_and_a_damaged_earlier_line_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("utskick.journal");
    let rows = two_rows(folder.path());
    let journal = Journal::open(&path, &sender(), &rows).unwrap();
    journal.record(&delivered(2, TOLVAN)).unwrap();
    journal.sync().unwrap();
    drop(journal);
    let whole = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{whole}{{\"event\":\"delivered\",\"li")).unwrap();
    for _ in 0..2 {
        let resumed = Journal::open(&path, &sender(), &rows).unwrap();
        assert!(resumed.last_event(2).is_some_and(Event::is_final));
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let complete = text
        .lines()
        .all(|line| serde_json::from_str::<Event>(line).is_ok());
    assert!(
        complete && text.ends_with('\n'),
        "the torn line is gone: {text}"
    );
    std::fs::write(&path, format!("{whole}not json\n{whole}")).unwrap();
    let error = Journal::open(&path, &sender(), &rows).unwrap_err();
    assert!(
        matches!(error, JournalError::Damaged { line: 3, .. }),
        "{error}"
    );
}

#[test]
fn a_journal_of_another_sender_or_manifest_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("utskick.journal");
    let manifest = two_rows(folder.path());
    let journal = Journal::open(&path, &sender(), &manifest).unwrap();
    journal.record(&delivered(3, ANNA)).unwrap();
    journal.sync().unwrap();
    drop(journal);
    let other_sender = OrganisationNumber::parse("2021999996").unwrap();
    let error = Journal::open(&path, &other_sender, &manifest).unwrap_err();
    assert!(
        matches!(error, JournalError::OtherMailing { .. }),
        "{error}"
    );
    let swapped = rows(
        &format!("recipient,subject,body\n{ANNA},B,y\n{TOLVAN},A,x\n"),
        folder.path(),
    );
    let error = Journal::open(&path, &sender(), &swapped).unwrap_err();
    assert!(error.to_string().contains("line 3"), "{error}");
    assert!(matches!(&swapped[0].recipient, RecipientId::Person(_)));
    let edited = format!(
        "{{\"event\":\"run\",\"run_id\":\"1-2\",\"sender\":\"{}\",\"rows\":2,\"at\":\"\"}}\n",
        sender().as_str()
    );
    std::fs::write(&path, edited).unwrap();
    let error = Journal::open(&path, &sender(), &manifest).unwrap_err();
    assert!(error.to_string().contains("not a UUID"), "{error}");
}

#[test]
fn reported_rows_are_remembered_across_runs_and_must_be_rows_of_the_manifest() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("utskick.journal");
    let rows = two_rows(folder.path());
    let journal = Journal::open(&path, &sender(), &rows).unwrap();
    journal.record(&delivered(2, TOLVAN)).unwrap();
    journal.record_reported(&[2]).unwrap();
    assert!(
        !journal.is_reported(2),
        "an open journal knows earlier runs' reports"
    );
    drop(journal);
    let reopened = Journal::open(&path, &sender(), &rows).unwrap();
    assert!(reopened.is_reported(2) && !reopened.is_reported(3));
    assert!(reopened.last_event(2).is_some_and(Event::is_final));
    reopened.record_reported(&[9]).unwrap();
    drop(reopened);
    let error = Journal::open(&path, &sender(), &rows).unwrap_err();
    assert!(error.to_string().contains("line 9"), "{error}");
}

fn json(text: &str, folder: &Path) -> Result<Vec<ManifestRow>, ParseError> {
    parse(text, ManifestFormat::Json, folder, TODAY)
}

#[test]
fn json_rows_become_the_same_typed_letters_as_csv_rows_keyed_by_index() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("brev.html"), "<p>Hej</p>").unwrap();
    std::fs::write(folder.path().join("beslut.pdf"), b"%PDF-1.4 test").unwrap();
    let text = format!(
        r#"[{{"recipient": "{TOLVAN}", "subject": "Beslut", "body_file": "brev.html",
             "attachments": ["beslut.pdf", " beslut.pdf"], "reference": "ärende 7"}},
            {{"recipient": "{ANNA}", "subject": "Hej, Anna", "body": "Rad ett\nrad två",
             "body_file": null, "attachments": []}}]"#
    );
    let from_json = json(&text, folder.path()).unwrap();
    let from_csv = rows(
        &format!(
            "recipient,subject,body,body_file,attachments,reference\n\
             {TOLVAN},Beslut,,brev.html,beslut.pdf; beslut.pdf,ärende 7\n\
             \"{ANNA}\",\"Hej, Anna\",\"Rad ett\nrad två\",,,\n"
        ),
        folder.path(),
    );
    let keys: Vec<usize> = from_json.iter().map(|row| row.line).collect();
    assert_eq!(keys, [0, 1]);
    for (mut json_row, csv_row) in from_json.into_iter().zip(from_csv) {
        json_row.line = csv_row.line;
        assert_eq!(json_row, csv_row);
    }
    assert!(matches!(json("[]", folder.path()), Err(ParseError::NoRows)));
}

// Issue 11: the common manifest mistakes get a hint, and a manifest without letters is refused.
#[test]
fn manifest_read_gives_hints_for_the_common_mistakes() {
    let folder = tempfile::tempdir().unwrap();
    let latin1 = folder.path().join("latin1.csv");
    let mut bytes = format!("recipient,subject,body\n{TOLVAN},Hej,x\n{ANNA},").into_bytes();
    bytes.extend_from_slice(b"Beslut om bygglov f\xf6r garage,x\n");
    std::fs::write(&latin1, bytes).unwrap();
    let error = Manifest::read(&latin1, TODAY).unwrap_err().to_string();
    assert!(error.contains("is not UTF-8 at line 3"), "{error}");
    assert!(error.contains("save it as UTF-8"), "{error}");

    let semicolons = folder.path().join("semikolon.csv");
    std::fs::write(
        &semicolons,
        format!("recipient;subject;body\n{TOLVAN};Hej;x\n"),
    )
    .unwrap();
    let error = Manifest::read(&semicolons, TODAY).unwrap_err().to_string();
    assert!(error.contains("separated by ';'"), "{error}");
    assert!(error.contains("separates them with ','"), "{error}");

    let header_only = folder.path().join("tom.csv");
    std::fs::write(&header_only, "recipient,subject,body\n").unwrap();
    let error = Manifest::read(&header_only, TODAY).unwrap_err();
    assert!(matches!(error, ManifestError::NoLetters { .. }), "{error}");
    assert!(
        error
            .to_string()
            .ends_with("has no letters: only a header row"),
        "{error}"
    );
    let empty_array = folder.path().join("tom.json");
    std::fs::write(&empty_array, "[]").unwrap();
    let error = Manifest::read(&empty_array, TODAY).unwrap_err().to_string();
    assert!(error.ends_with("has no letters: an empty array"), "{error}");
}

#[test]
fn bad_rows_are_counted_in_the_singular_and_the_plural() {
    let folder = Path::new(".");
    let manifest_error = |text: &str| match parse(text, ManifestFormat::Csv, folder, TODAY) {
        Err(error) => error
            .at(Path::new("m.csv"), ManifestFormat::Csv)
            .to_string(),
        Ok(rows) => panic!("{rows:?}"),
    };
    let one = manifest_error("recipient,subject,body\n1,a,b\n");
    assert!(
        one.starts_with("1 of the manifest's rows is bad, nothing"),
        "{one}"
    );
    let two = manifest_error("recipient,subject,body\n1,a,b\n2,a,b\n");
    assert!(
        two.starts_with("2 of the manifest's rows are bad, nothing"),
        "{two}"
    );
    assert!(
        two.contains("identity number has 1 character, which"),
        "{two}"
    );
}

// Issue 11: a recipient may be written in every documented form; one subject rule.
#[test]
fn rows_accept_every_written_form_of_a_recipient_and_refuse_blank_subjects() {
    let folder = Path::new(".");
    let text = "recipient,subject,body\n121212-1212,A,x\n1212121212,B,x\n121212+1212,C,x\n\
                212000-0159,D,x\n2120000159,E,x\n162120000159,F,x\n";
    let wire: Vec<String> = rows(text, folder)
        .iter()
        .map(|row| row.recipient.to_wire())
        .collect();
    assert_eq!(
        wire,
        [
            "201212121212",
            "201212121212",
            "191212121212",
            "162120000159",
            "162120000159",
            "162120000159"
        ]
    );
    let refused = bad_rows(&format!("recipient,subject,body\n{TOLVAN}, ,x\n"), folder);
    assert_eq!(
        refused,
        ["line 2, subject: Subject is empty; every letter needs one"]
    );
}

#[test]
fn every_bad_json_row_is_named_by_index_and_member() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("not.pdf"), "plain text").unwrap();
    let long = "x".repeat(64 * 1024 + 1);
    let text = format!(
        r#"[{{"recipient": "{TOLVAN}", "subject": "Ok", "body": "Text"}},
            "{TOLVAN}",
            {{"recipient": "{TOLVAN}", "subject": "Ok", "body": "Text", "colour": "red"}},
            {{"recipient": {TOLVAN}, "subject": "Ok", "body": "Text"}},
            {{"recipient": "191212121213", "subject": "Ok", "body": "Text"}},
            {{"recipient": "{ANNA}", "subject": "Ok"}},
            {{"recipient": "{ANNA}", "subject": "Ok", "body": "x", "attachments": "not.pdf"}},
            {{"recipient": "{ANNA}", "subject": "Ok", "body": "x", "attachments": ["not.pdf"]}},
            {{"recipient": "{ANNA}", "subject": "Ok", "body": "x", "attachments": [7]}},
            {{"recipient": "{ANNA}", "subject": "Ok", "body": "{long}"}}]"#
    );
    let errors = match json(&text, folder.path()) {
        Err(ParseError::Rows(errors)) => errors,
        other => panic!("expected bad rows, got {other:?}"),
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let starts: Vec<&str> = shown.iter().map(|e| &e[..e.find(':').unwrap()]).collect();
    assert_eq!(
        starts,
        [
            "index 1",
            "index 2",
            "index 3, recipient",
            "index 4, recipient",
            "index 5",
            "index 6, attachments",
            "index 7, attachments",
            "index 8, attachments",
            "index 9, body",
        ]
    );
    assert!(
        shown[0].contains("a string instead of an object"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].contains("unknown member \"colour\""),
        "{}",
        shown[1]
    );
    assert!(
        shown[2].contains("a number instead of a string"),
        "{}",
        shown[2]
    );
    assert!(shown[5].contains("instead of an array"), "{}", shown[5]);
    assert!(shown[6].contains("not a PDF"), "{}", shown[6]);
    assert!(shown[8].contains("at most 65536"), "{}", shown[8]);
}

#[test]
fn malformed_or_oversized_json_is_refused_with_where() {
    let folder = tempfile::tempdir().unwrap();
    let check = |text: &str, expected: (usize, usize), says: &str| match json(text, folder.path()) {
        Err(ParseError::Json {
            line,
            column,
            reason,
        }) => {
            assert_eq!((line, column), expected, "{text:?}: {reason}");
            assert!(reason.contains(says), "{text:?}: {reason}");
        }
        other => panic!("{text:?}: {other:?}"),
    };
    check("[\n  {\"recipient\": }\n]", (2, 17), "expected value");
    check(
        "{\"recipient\": \"x\"}",
        (1, 0),
        "expected an array of manifest rows",
    );
    check("[] []", (1, 4), "trailing characters");
    check("", (1, 0), "EOF");
    let many = format!("[{}0]", "0,".repeat(1_000_000));
    assert!(matches!(
        json(&many, folder.path()),
        Err(ParseError::TooManyRows(1_000_001))
    ));
    let path = folder.path().join("utskick.json");
    std::fs::write(&path, "[\n  {\"recipient\": }\n]").unwrap();
    let error = Manifest::read(&path, TODAY).unwrap_err().to_string();
    assert!(
        error.contains("utskick.json is not a JSON array"),
        "{error}"
    );
    assert!(error.contains("line 2, column 17"), "{error}");
}
