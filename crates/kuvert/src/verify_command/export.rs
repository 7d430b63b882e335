//! Reading a mailbox export zip (the format of `kuvert_wire::export`) for `kuvert verify`:
//! only the files the export format has ([`Entry`]), at least one letter, every folder listed
//! in the manifest and every listed letter present, and each verified letter matching its
//! manifest entry ([`ManifestLetter::check`]: sender, recipient, message id, the receipt's
//! TransId) — so receipts swapped between two letters fail.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use anyhow::Context;
use kuvert_core::limits::{
    ENVELOPE_BYTES_CEILING, EXPORT_BYTES_MAX, EXPORT_MANIFEST_BYTES_MAX, EXPORT_ZIP_ENTRIES_MAX,
};
use kuvert_wire::export::{Entry, MANIFEST_FILE, Manifest, ManifestLetter};
use kuvert_xmldsig::trust::TrustAnchors;

use super::{LetterCheck, check_letter, read_bounded};

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
        && let Err(mismatch) = listed.check(report)
    {
        check.outcome = Err(mismatch.to_string());
    }
    check
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
        match Entry::of(name) {
            Entry::Manifest => manifest = Some(index),
            Entry::Readme => {}
            Entry::SealedDelivery { folder } => {
                folders.entry(folder.to_owned()).or_default().sealed = Some(index);
            }
            Entry::Receipt { folder } => {
                folders.entry(folder.to_owned()).or_default().receipt = Some(index);
            }
            Entry::Unknown => unknown.push(name.to_owned()),
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
    let manifest = Manifest::from_json(&bytes).context("parsing manifest.json")?;
    let mut letters = BTreeMap::new();
    for letter in manifest.letters {
        let folder = letter
            .folder()
            .map(str::to_owned)
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
