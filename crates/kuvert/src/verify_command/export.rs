//! Reading a mailbox export zip for `kuvert verify`: only the files the export format has
//! (`<folder>/forsegling.xml`, `<folder>/kvittens.xml`, `manifest.json`, `LASMIG.txt`), at
//! least one letter, every folder listed in the manifest and every listed letter present, and
//! each verified letter matching its manifest entry (sender, recipient, message id) and its
//! receipt matching the entry's TransId — so receipts swapped between two letters fail.
//!
//! The manifest is not signed; it only names which receipt belongs to which letter, and the
//! letters themselves are proven by their signatures.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use kuvert_core::limits::{
    ENVELOPE_BYTES_CEILING, EXPORT_BYTES_MAX, EXPORT_MANIFEST_BYTES_MAX, EXPORT_ZIP_ENTRIES_MAX,
};
use kuvert_operator::http::export::archive::{
    MANIFEST_FILE, README_FILE, RECEIPT_FILE, SEALED_DELIVERY_FILE,
};
use kuvert_wire::evidence::EvidenceReport;
use kuvert_xmldsig::trust::TrustAnchors;
use serde::Deserialize;

use super::{LetterCheck, check_letter, read_bounded};

/// `manifest.json` as far as checking letters needs it.
#[derive(Deserialize)]
struct Manifest {
    letters: Vec<ManifestLetter>,
}

/// One letter of the manifest. `recipient` is absent in exports made before issue 10.
#[derive(Deserialize)]
struct ManifestLetter {
    id: String,
    sender: String,
    #[serde(default)]
    recipient: Option<String>,
    sender_name: String,
    subject: String,
    message_id: String,
    trans_id: String,
    received_at: String,
    files: Vec<String>,
}

/// The two files of one letter folder, by entry index.
#[derive(Default)]
struct Folder {
    sealed: Option<usize>,
    receipt: Option<usize>,
}

/// Checks every letter of the export zip at `path`.
pub(super) fn verify_zip(
    path: &Path,
    anchors: Option<&TrustAnchors>,
) -> anyhow::Result<Vec<LetterCheck>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| {
        format!(
            "{} is not a zip file (for one letter give --receipt)",
            path.display()
        )
    })?;
    anyhow::ensure!(
        zip.len() <= EXPORT_ZIP_ENTRIES_MAX,
        "{} has {} entries, at most {EXPORT_ZIP_ENTRIES_MAX} allowed",
        path.display(),
        zip.len()
    );
    let (folders, manifest_index) = folders(&zip)?;
    let manifest_index = manifest_index.with_context(|| {
        format!(
            "{} has no {MANIFEST_FILE}: it is not a mailbox export",
            path.display()
        )
    })?;
    let manifest = read_manifest(&mut zip, manifest_index)?;
    anyhow::ensure!(
        !folders.is_empty() || !manifest.is_empty(),
        "{} holds no letters",
        path.display()
    );
    let mut bytes_total = 0_u64;
    let mut checks = Vec::new();
    for (name, files) in &folders {
        anyhow::ensure!(
            bytes_total <= EXPORT_BYTES_MAX,
            "the zip holds more than {EXPORT_BYTES_MAX} bytes of letters"
        );
        let Some(listed) = manifest.get(name) else {
            checks.push(failed(name.clone(), "not listed in manifest.json"));
            continue;
        };
        checks.push(check_folder(
            &mut zip,
            (name, files),
            listed,
            anchors,
            &mut bytes_total,
        ));
    }
    for (name, listed) in &manifest {
        if !folders.contains_key(name) {
            checks.push(failed(
                label(listed),
                "listed in manifest.json but missing from the zip",
            ));
        }
    }
    Ok(checks)
}

fn check_folder(
    zip: &mut zip::ZipArchive<File>,
    (name, files): (&str, &Folder),
    listed: &ManifestLetter,
    anchors: Option<&TrustAnchors>,
    bytes_total: &mut u64,
) -> LetterCheck {
    let (Some(sealed_index), Some(receipt_index)) = (files.sealed, files.receipt) else {
        return failed(
            label(listed),
            "the folder lacks forsegling.xml or kvittens.xml",
        );
    };
    // A damaged entry (bad checksum, too large) fails its letter, not the whole run.
    let pair = read_entry(zip, sealed_index, bytes_total)
        .and_then(|sealed| Ok((sealed, read_entry(zip, receipt_index, bytes_total)?)));
    let mut check = match pair {
        Ok((sealed, receipt)) => check_letter(label(listed), name, (&sealed, &receipt), anchors),
        Err(error) => return failed(label(listed), &format!("{error:#}")),
    };
    if let Ok(report) = &check.outcome
        && let Err(reason) = matches_manifest(report, listed)
    {
        check.outcome = Err(reason);
    }
    check
}

/// The verified letter and its receipt are the ones the manifest lists in this folder.
fn matches_manifest(report: &EvidenceReport, listed: &ManifestLetter) -> Result<(), String> {
    let mismatch = |what: &str, verified: &str, manifest: &str| {
        format!("{what} is {verified}, but manifest.json lists {manifest} for this letter")
    };
    if report.sender.as_str() != listed.sender {
        return Err(mismatch(
            "the sender",
            report.sender.as_str(),
            &listed.sender,
        ));
    }
    if report.message_id.as_str() != listed.message_id {
        let id = report.message_id.as_str();
        return Err(mismatch("the message id", id, &listed.message_id));
    }
    let recipient = report.recipient.to_wire();
    if let Some(listed_recipient) = &listed.recipient
        && &recipient != listed_recipient
    {
        return Err(mismatch("the recipient", &recipient, listed_recipient));
    }
    let trans_id = report.receipt.trans_id.as_str();
    if trans_id != listed.trans_id {
        return Err(mismatch(
            "the receipt's TransId",
            trans_id,
            &listed.trans_id,
        ));
    }
    Ok(())
}

fn failed(label: String, reason: &str) -> LetterCheck {
    LetterCheck {
        label,
        outcome: Err(reason.to_owned()),
    }
}

/// "2026-11-29T07:05:00Z  Kommun A  "Beslut"  id …  (as manifest.json names it)".
fn label(letter: &ManifestLetter) -> String {
    format!(
        "{}  {}  \"{}\"  id {}  (as manifest.json names it)",
        letter.received_at, letter.sender_name, letter.subject, letter.id
    )
}

/// Letter folders by name and the manifest's entry index; any other entry is an error.
fn folders(
    zip: &zip::ZipArchive<File>,
) -> anyhow::Result<(BTreeMap<String, Folder>, Option<usize>)> {
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    let mut manifest = None;
    let mut unknown = Vec::new();
    for index in 0..zip.len() {
        let name = zip.name_for_index(index).unwrap_or_default();
        match name {
            MANIFEST_FILE => manifest = Some(index),
            README_FILE => {}
            _ => match name.split_once('/') {
                Some((folder, SEALED_DELIVERY_FILE)) if !folder.is_empty() => {
                    folders.entry(folder.to_owned()).or_default().sealed = Some(index);
                }
                Some((folder, RECEIPT_FILE)) if !folder.is_empty() => {
                    folders.entry(folder.to_owned()).or_default().receipt = Some(index);
                }
                _ => unknown.push(name.to_owned()),
            },
        }
    }
    anyhow::ensure!(
        unknown.is_empty(),
        "the zip holds files a mailbox export does not have: {}",
        unknown.join(", ")
    );
    Ok((folders, manifest))
}

/// The manifest's letters by folder name.
fn read_manifest(
    zip: &mut zip::ZipArchive<File>,
    index: usize,
) -> anyhow::Result<BTreeMap<String, ManifestLetter>> {
    let entry = zip.by_index(index).context("reading manifest.json")?;
    let bytes = read_bounded(entry, EXPORT_MANIFEST_BYTES_MAX).context("reading manifest.json")?;
    let manifest: Manifest = serde_json::from_slice(&bytes).context("parsing manifest.json")?;
    let mut letters = BTreeMap::new();
    for letter in manifest.letters {
        let folder = letter
            .files
            .first()
            .and_then(|file| file.split_once('/'))
            .map(|(folder, _)| folder.to_owned())
            .with_context(|| format!("manifest.json lists letter {} without files", letter.id))?;
        anyhow::ensure!(
            !letters.contains_key(&folder),
            "manifest.json lists folder {folder} twice"
        );
        letters.insert(folder, letter);
    }
    Ok(letters)
}

fn read_entry(
    zip: &mut zip::ZipArchive<File>,
    index: usize,
    bytes_total: &mut u64,
) -> anyhow::Result<Vec<u8>> {
    let entry = zip
        .by_index(index)
        .with_context(|| format!("reading zip entry {index}"))?;
    let name = entry.name().to_owned();
    let bytes =
        read_bounded(entry, ENVELOPE_BYTES_CEILING).with_context(|| format!("reading {name}"))?;
    *bytes_total = bytes_total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
    Ok(bytes)
}
