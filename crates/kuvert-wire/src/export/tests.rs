//! The export layout's names and the manifest's JSON, old and new.

use time::macros::{date, datetime};

use super::{Entry, FORMAT, Manifest, letter_folder};

#[track_caller]
fn check(name: &str, expected: Entry<'_>) {
    assert_eq!(Entry::of(name), expected, "{name:?}");
}

#[test]
fn entry_names_the_parts_of_an_export() {
    check("manifest.json", Entry::Manifest);
    check("LASMIG.txt", Entry::Readme);
    check(
        "2026-11-29_abc/forsegling.xml",
        Entry::SealedDelivery {
            folder: "2026-11-29_abc",
        },
    );
    check(
        "2026-11-29_abc/kvittens.xml",
        Entry::Receipt {
            folder: "2026-11-29_abc",
        },
    );
    check("/kvittens.xml", Entry::Unknown);
    check("2026-11-29_abc/other.xml", Entry::Unknown);
    check("a/b/kvittens.xml", Entry::Unknown);
}

#[test]
fn letter_folder_sorts_by_day() {
    assert_eq!(
        letter_folder(date!(2026 - 01 - 02), "id7"),
        "2026-01-02_id7"
    );
}

#[test]
fn manifest_reads_an_export_made_before_recipients_were_listed() {
    let json = br#"{"letters":[{"id":"1","sender":"2021004748","sender_name":"Kommun",
        "subject":"Beslut","message_id":"m1","trans_id":"t1",
        "received_at":"2026-11-29T07:05:00Z","files":["d_1/forsegling.xml","d_1/kvittens.xml"]}]}"#;
    let manifest = Manifest::from_json(json).unwrap();
    let letter = &manifest.letters[0];
    assert_eq!(letter.recipient, None);
    assert_eq!(letter.folder(), Some("d_1"));
    let written = Manifest::new("198101052382", datetime!(2026-11-29 08:00 UTC), vec![]);
    assert_eq!(written.format, FORMAT);
    let read = Manifest::from_json(&written.to_json().unwrap()).unwrap();
    assert_eq!(read, written);
    assert_eq!(read.exported_at, "2026-11-29T08:00:00Z");
}
