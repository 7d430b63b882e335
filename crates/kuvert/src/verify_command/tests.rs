//! Reading export zips safely: an entry that inflates past its bound, a folder without its
//! receipt and a letter the manifest lists but the zip lacks each fail that letter by name;
//! a file that is no zip is refused.

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

#[test]
fn verify_fails_the_letter_whose_entry_inflates_past_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let too_large = usize::try_from(ENVELOPE_BYTES_CEILING).unwrap() + 1;
    let path = zip_file(
        &dir,
        &[
            ("2026-11-29_a/forsegling.xml", vec![b' '; too_large]),
            ("2026-11-29_a/kvittens.xml", b"<x/>".to_vec()),
        ],
    );
    let checks = verify(&request(path)).unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].label, "2026-11-29_a");
    let reason = checks[0].outcome.as_ref().unwrap_err();
    assert!(reason.contains("more than"), "{reason}");
}

#[test]
fn verify_fails_a_folder_without_its_receipt_and_a_letter_missing_from_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = serde_json::json!({
        "letters": [{
            "id": "gone",
            "sender_name": "Exempelkommun",
            "subject": "Borttaget brev",
            "received_at": "2026-11-29T07:00:00Z",
            "files": ["2026-11-29_gone/forsegling.xml", "2026-11-29_gone/kvittens.xml"],
        }],
    });
    let path = zip_file(
        &dir,
        &[
            ("2026-11-29_a/forsegling.xml", b"<x/>".to_vec()),
            ("manifest.json", manifest.to_string().into_bytes()),
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
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].1.contains("lacks"), "{reasons:?}");
    assert!(reasons[1].0.contains("Borttaget brev"), "{reasons:?}");
    assert!(reasons[1].1.contains("missing from the zip"), "{reasons:?}");
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
