//! Reading export zips safely: an entry that inflates past its bound, a folder without its
//! receipt, a letter the manifest lists but the zip lacks and a folder it does not list each
//! fail that letter by name; a file that is no zip, an empty zip, a zip of something else, a
//! zip without a manifest and a zip with files the export format does not have are refused
//! (issue 10: those once gave "0 letters checked" and success).

use std::io::Write;
use std::path::PathBuf;

use kuvert_core::limits::ENVELOPE_BYTES_CEILING;

use super::{VerifyRequest, verify};

/// Writes a zip of `entries` (name, content) and returns its path.
fn zip_file(dir: &tempfile::TempDir, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let path = dir.path().join("brev.zip");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap();
    path
}

fn request(file: PathBuf) -> VerifyRequest {
    VerifyRequest {
        file,
        receipt: None,
        ca: None,
    }
}

/// A `manifest.json` listing letters in the folders `folders`, subject = folder.
fn manifest(folders: &[&str]) -> Vec<u8> {
    let letters: Vec<serde_json::Value> = folders
        .iter()
        .map(|folder| {
            serde_json::json!({
                "id": folder,
                "sender": "2120000142",
                "recipient": "198101052382",
                "sender_name": "Exempelkommun",
                "subject": format!("Brev {folder}"),
                "message_id": folder,
                "trans_id": "t",
                "received_at": "2026-11-29T07:00:00Z",
                "files": [format!("{folder}/forsegling.xml"), format!("{folder}/kvittens.xml")],
            })
        })
        .collect();
    serde_json::json!({ "format": "kuvert-export-1", "letters": letters })
        .to_string()
        .into_bytes()
}

#[track_caller]
fn refused(entries: &[(&str, Vec<u8>)], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let error = verify(&request(zip_file(&dir, entries))).unwrap_err();
    let text = format!("{error:#}");
    assert!(text.contains(expected), "{text}");
}

#[test]
fn verify_fails_the_letter_whose_entry_inflates_past_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let too_large = usize::try_from(ENVELOPE_BYTES_CEILING).unwrap() + 1;
    let path = zip_file(
        &dir,
        &[
            ("2026-11-29_a/forsegling.xml", vec![b' '; too_large]),
            ("2026-11-29_a/kvittens.xml", b"<x/>".to_vec()),
            ("manifest.json", manifest(&["2026-11-29_a"])),
        ],
    );
    let checks = verify(&request(path)).unwrap();
    assert_eq!(checks.len(), 1);
    assert!(
        checks[0].label.contains("Brev 2026-11-29_a"),
        "{}",
        checks[0].label
    );
    let reason = checks[0].outcome.as_ref().unwrap_err();
    assert!(reason.contains("more than"), "{reason}");
}

#[test]
fn verify_fails_missing_unlisted_and_incomplete_letters_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = zip_file(
        &dir,
        &[
            ("2026-11-29_a/forsegling.xml", b"<x/>".to_vec()),
            ("2026-11-29_b/forsegling.xml", b"<x/>".to_vec()),
            ("2026-11-29_b/kvittens.xml", b"<x/>".to_vec()),
            (
                "manifest.json",
                manifest(&["2026-11-29_a", "2026-11-29_gone"]),
            ),
        ],
    );
    let checks = verify(&request(path)).unwrap();
    let reasons: Vec<(&str, &str)> = checks
        .iter()
        .map(|check| {
            let reason = check.outcome.as_ref().unwrap_err();
            (check.label.as_str(), reason.as_str())
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].1.contains("lacks"), "{reasons:?}");
    assert_eq!(reasons[1].0, "2026-11-29_b", "{reasons:?}");
    assert!(reasons[1].1.contains("not listed"), "{reasons:?}");
    assert!(reasons[2].0.contains("Brev 2026-11-29_gone"), "{reasons:?}");
    assert!(reasons[2].1.contains("missing from the zip"), "{reasons:?}");
}

#[test]
fn verify_refuses_an_empty_zip() {
    refused(&[], "manifest.json");
    refused(&[("manifest.json", manifest(&[]))], "holds no letters");
}

#[test]
fn verify_refuses_a_zip_of_something_else() {
    refused(
        &[("semester/bild.jpg", b"JFIF".to_vec())],
        "does not have: semester/bild.jpg",
    );
    refused(
        &[
            ("2026-11-29_a/forsegling.xml", b"<x/>".to_vec()),
            ("2026-11-29_a/kvittens.xml", b"<x/>".to_vec()),
        ],
        "no manifest.json",
    );
}

#[test]
fn verify_refuses_files_an_export_does_not_have() {
    refused(
        &[
            ("2026-11-29_a/forsegling.xml", b"<x/>".to_vec()),
            ("2026-11-29_a/kvittens.xml", b"<x/>".to_vec()),
            ("2026-11-29_a/bilaga.pdf", b"%PDF".to_vec()),
            ("manifest.json", manifest(&["2026-11-29_a"])),
        ],
        "does not have: 2026-11-29_a/bilaga.pdf",
    );
}

#[test]
fn verify_refuses_a_file_that_is_not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("brev.xml");
    std::fs::write(&path, "<SealedDelivery/>").unwrap();
    let error = verify(&request(path)).unwrap_err();
    assert!(format!("{error:#}").contains("--receipt"), "{error:#}");
}

// Issue 11: the summary counts letters in the singular and the plural.
#[test]
fn write_report_counts_zero_one_and_two_letters_naturally() {
    let failed = |index: usize| super::LetterCheck {
        label: format!("brev {index}"),
        outcome: Err("no receipt".to_owned()),
    };
    let summaries: Vec<String> = [0, 1, 2]
        .into_iter()
        .map(|count| {
            let checks: Vec<_> = (0..count).map(failed).collect();
            let mut out = Vec::new();
            super::write_report(&mut out, &checks).unwrap();
            String::from_utf8(out)
                .unwrap()
                .lines()
                .last()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        summaries,
        [
            "0 letters checked: 0 verified, 0 failed.",
            "1 letter checked: 0 verified, 1 failed.",
            "2 letters checked: 0 verified, 2 failed.",
        ]
    );
}
