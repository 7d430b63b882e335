//! Export and proof across the federation: letters go through the sender toolkit, the person
//! downloads "alla brev" from the inbox, and the built `kuvert verify` binary checks the zip
//! offline; one changed byte in one letter's signed content fails that letter by name.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Output};

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_sender::Outcome;
use kuvert_testenv::browser::Browser;
use kuvert_testenv::html_form::hidden_fields;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_letters_verify_offline_and_a_changed_letter_fails_by_name() {
    let federation = Federation::start(FederationOptions::default()).await;
    let person = seed::person("tolvan").unwrap();
    for subject in ["Beslut om bygglov", "Kallelse till möte"] {
        let letter = federation.letter(&seed::SENDERS[0], person, subject, vec![]);
        let outcome = federation.send(&letter).await.unwrap();
        assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
    }
    let zip_bytes = export(&federation, person).await;
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("brev.zip");
    std::fs::write(&zip_path, &zip_bytes).unwrap();

    let checked = verify(&zip_path, Some(&federation.manifest().organisation_ca));
    let stdout = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{stdout}\n{}", stderr(&checked));
    assert_eq!(
        stdout.matches("\nOK ").count() + usize::from(stdout.starts_with("OK ")),
        2
    );
    let signer_line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("signed by:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        signer_line.contains(seed::SENDERS[0].number)
            || signer_line.contains(seed::INTERMEDIARY.number),
        "the signer is named: {stdout}"
    );
    assert!(stdout.contains("sealed by:"), "{stdout}");
    assert!(
        stdout.contains("certificates chain to the given --ca"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 letters checked: 2 verified, 0 failed."),
        "{stdout}"
    );

    let unanchored = verify(&zip_path, None);
    let stdout = String::from_utf8_lossy(&unanchored.stdout);
    assert!(unanchored.status.success(), "{stdout}");
    assert!(
        stdout.contains("certificate chains NOT checked"),
        "{stdout}"
    );

    let (sealed, receipt) = one_letter(&zip_bytes, dir.path());
    let single = Command::new(env!("CARGO_BIN_EXE_kuvert"))
        .arg("verify")
        .arg(&sealed)
        .arg("--receipt")
        .arg(&receipt)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&single.stdout);
    assert!(single.status.success(), "{stdout}\n{}", stderr(&single));
    assert!(
        stdout.contains("1 letter checked: 1 verified, 0 failed."),
        "{stdout}"
    );

    let (tampered, id) = change_one_byte(&zip_bytes, "Kallelse till möte");
    let tampered_path = dir.path().join("andrad.zip");
    std::fs::write(&tampered_path, tampered).unwrap();
    let failed = verify(&tampered_path, Some(&federation.manifest().organisation_ca));
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert!(!failed.status.success(), "{stdout}");
    let fail_line = stdout
        .lines()
        .find(|line| line.starts_with("FAIL "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        fail_line.contains(&id),
        "the letter's id is named: {stdout}"
    );
    assert!(fail_line.contains("Kallelse till möte"), "{stdout}");
    assert!(fail_line.contains(seed::SENDERS[0].name), "{stdout}");
    assert!(stdout.contains("signature does not verify"), "{stdout}");
    assert!(
        stdout.contains("2 letters checked: 1 verified, 1 failed."),
        "{stdout}"
    );
    assert!(stderr(&failed).contains("1 of 2 letters failed verification"));

    // Issue 10: receipts swapped between two letters of one export once still verified.
    let mut entries = entries(&zip_bytes);
    let receipts: Vec<String> = entries
        .keys()
        .filter(|name| name.ends_with("/kvittens.xml"))
        .cloned()
        .collect();
    assert_eq!(receipts.len(), 2);
    let first = entries[&receipts[0]].clone();
    let second = entries.insert(receipts[1].clone(), first).unwrap();
    entries.insert(receipts[0].clone(), second);
    let swapped = write_zip(dir.path(), "bytta.zip", &entries);
    let failed = verify(&swapped, Some(&federation.manifest().organisation_ca));
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert!(!failed.status.success(), "{stdout}");
    assert_eq!(stdout.matches("TransId is").count(), 2, "{stdout}");
    assert!(
        stdout.contains("2 letters checked: 0 verified, 2 failed."),
        "{stdout}"
    );

    // And files the export format does not have fail the whole archive.
    let mut entries = self::entries(&zip_bytes);
    entries.insert("extra/annat.xml".to_owned(), b"<x/>".to_vec());
    let unknown = write_zip(dir.path(), "okand.zip", &entries);
    let failed = verify(&unknown, None);
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("does not have: extra/annat.xml"),
        "{}",
        stderr(&failed)
    );
}

/// The entries of a zip by name.
fn entries(zip_bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut entries = BTreeMap::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        entries.insert(entry.name().to_owned(), content);
    }
    entries
}

/// Writes `entries` as the zip `dir/name` and returns its path.
fn write_zip(dir: &Path, name: &str, entries: &BTreeMap<String, Vec<u8>>) -> std::path::PathBuf {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (entry_name, content) in entries {
        writer
            .start_file(
                entry_name.as_str(),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        writer.write_all(content).unwrap();
    }
    let path = dir.join(name);
    std::fs::write(&path, writer.finish().unwrap().into_inner()).unwrap();
    path
}

/// Logs `person` in and downloads their export.
pub(crate) async fn export(federation: &Federation, person: &seed::SeedPerson) -> Vec<u8> {
    let operator = person.operator.unwrap();
    let inbox = &federation
        .manifest()
        .operators
        .iter()
        .find(|o| o.organisation.key == operator)
        .unwrap()
        .inbox_url;
    let browser = federation.login_as(person).await;
    download_export(&browser, inbox).await.1
}

/// How long an export may take: the cluster test's holds ten thousand letters, each read from
/// the bucket and verified by a debug build.
const EXPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(900);

/// Takes the CSRF token from the logged-in `browser`'s export page at `inbox` and posts the
/// form; answers the file name the inbox offers and the zip.
pub(crate) async fn download_export(browser: &Browser, inbox: &str) -> (String, Vec<u8>) {
    let export_url = url::Url::parse(inbox)
        .unwrap()
        .join("installningar/export")
        .unwrap();
    let page = browser.get(export_url.as_str()).await;
    assert_eq!(page.status(), 200);
    // The logout form carries the same token; post it once.
    let token = hidden_fields(&page.text().await.unwrap())
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap();
    let response = browser
        .post_form_within(export_url.as_str(), &[token], EXPORT_WAIT)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    let name = disposition
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (name, response.bytes().await.unwrap().to_vec())
}

/// The first letter's sealed delivery and receipt, written as files into `dir`.
fn one_letter(zip_bytes: &[u8], dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let sealed_name = zip
        .file_names()
        .find(|name| name.ends_with("/forsegling.xml"))
        .unwrap()
        .to_owned();
    let receipt_name = sealed_name.replace("/forsegling.xml", "/kvittens.xml");
    let mut paths = Vec::new();
    for name in [sealed_name, receipt_name] {
        let mut content = Vec::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        let path = dir.join(name.rsplit('/').next().unwrap());
        std::fs::write(&path, content).unwrap();
        paths.push(path);
    }
    let receipt = paths.pop().unwrap();
    (paths.pop().unwrap(), receipt)
}

/// The zip with one byte of `subject` changed in that letter's sealed delivery (inside the
/// sender's signed content), written anew so the zip itself is intact; and the letter's id.
fn change_one_byte(zip_bytes: &[u8], subject: &str) -> (Vec<u8>, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut entries = BTreeMap::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        entries.insert(entry.name().to_owned(), content);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&entries["manifest.json"]).unwrap();
    let letter = manifest["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|letter| letter["subject"] == subject)
        .unwrap();
    let sealed_name = letter["files"][0].as_str().unwrap().to_owned();
    let sealed = entries.get_mut(&sealed_name).unwrap();
    let at = find(sealed, subject.as_bytes()).unwrap();
    sealed[at] ^= 0x20; // "K" becomes "k"
    assert!(find(sealed, subject.as_bytes()).is_none());

    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in &entries {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content).unwrap();
    }
    let id = letter["id"].as_str().unwrap().to_owned();
    (writer.finish().unwrap().into_inner(), id)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

pub(crate) fn verify(zip: &Path, ca: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuvert"));
    command.arg("verify").arg(zip);
    if let Some(ca) = ca {
        command.arg("--ca").arg(ca);
    }
    command.output().unwrap()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
