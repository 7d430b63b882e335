//! `kuvert verify FILE [--receipt RECEIPT] [--ca PEM]`: checks exported letters offline and
//! says what each one proves.
//!
//! FILE is a mailbox export (the zip of `kuvert_operator::http::export::archive`: per letter
//! `<date>_<id>/forsegling.xml` and `kvittens.xml`, plus `manifest.json`), or one sealed
//! delivery with its receipt given by `--receipt`. Each letter goes through
//! `kuvert_wire::evidence::verify_evidence`. Reading is bounded: entry count, each entry's
//! size (read through `take`, so a lying header cannot inflate it) and the total, so a zip
//! bomb ends in an error, not in exhausted memory. One letter is in memory at a time.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_core::limits::{
    ENVELOPE_BYTES_CEILING, EXPORT_BYTES_MAX, EXPORT_MANIFEST_BYTES_MAX, EXPORT_ZIP_ENTRIES_MAX,
};
use kuvert_core::plural::Plural;
use kuvert_core::report::error_chain;
use kuvert_operator::http::export::archive::{MANIFEST_FILE, RECEIPT_FILE, SEALED_DELIVERY_FILE};
use kuvert_wire::evidence::{ChainCheck, EvidenceReport, Party, verify_evidence};
use kuvert_xmldsig::trust::TrustAnchors;
use serde::Deserialize;

/// What to check.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// An export zip, or a sealed delivery XML file (then `receipt` is required).
    pub file: PathBuf,
    /// The receipt of a single sealed delivery.
    pub receipt: Option<PathBuf>,
    /// Trust anchors (PEM) the certificates must chain to.
    pub ca: Option<PathBuf>,
}

/// The result for one letter.
#[derive(Debug)]
pub struct LetterCheck {
    /// How the letter is named: date, sender, subject and id (from the export's manifest,
    /// which is not signed, or from the verified letter).
    pub label: String,
    /// What it proves, or why it does not.
    pub outcome: Result<EvidenceReport, String>,
}

/// Checks every letter of `request.file`.
///
/// # Errors
/// When a file cannot be read or is not an export at all; a letter that does not verify is
/// an `Err` in its [`LetterCheck`], not here.
pub fn verify(request: &VerifyRequest) -> anyhow::Result<Vec<LetterCheck>> {
    let anchors = match &request.ca {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("reading trust anchors {}", path.display()))?;
            let anchors = TrustAnchors::from_pem(&pem)
                .with_context(|| format!("trust anchors in {}", path.display()))?;
            Some(anchors)
        }
        None => None,
    };
    match &request.receipt {
        Some(receipt) => Ok(vec![verify_single(
            &request.file,
            receipt,
            anchors.as_ref(),
        )?]),
        None => verify_zip(&request.file, anchors.as_ref()),
    }
}

/// "1 letter", "2 letters".
pub const LETTERS: Plural = Plural::new("letter", "letters");

/// Writes one block per letter: `OK` with what it proves, or `FAIL` with the reason.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_report(out: &mut impl Write, checks: &[LetterCheck]) -> io::Result<()> {
    for check in checks {
        match &check.outcome {
            Ok(report) => write_proof(out, &check.label, report)?,
            Err(reason) => writeln!(out, "FAIL {}\n     {reason}", check.label)?,
        }
    }
    let failed = checks.iter().filter(|check| check.outcome.is_err()).count();
    writeln!(
        out,
        "\n{} checked: {} verified, {failed} failed.",
        LETTERS.count(checks.len()),
        checks.len() - failed
    )
}

fn write_proof(out: &mut impl Write, label: &str, report: &EvidenceReport) -> io::Result<()> {
    writeln!(out, "OK   {label}")?;
    writeln!(out, "     signed by:  {}", party(&report.signer))?;
    writeln!(out, "     sealed by:  {}", party(&report.sealer))?;
    writeln!(
        out,
        "     sender:     {} ({})",
        report.sender_name.as_str(),
        report.sender.as_str()
    )?;
    writeln!(
        out,
        "     received:   {} (date in the seal)",
        report.received_on
    )?;
    writeln!(
        out,
        "     receipt:    TransId {}, delivered to {} (receipts are not signed)",
        report.receipt.trans_id.as_str(),
        report.receipt.recipient.to_wire()
    )?;
    let chains = match report.chains {
        ChainCheck::Checked => "certificates chain to the given --ca",
        ChainCheck::NotChecked => {
            "certificate chains NOT checked (no --ca): the content is unchanged since \
             signing, but who holds the keys is not proven"
        }
    };
    writeln!(out, "     {chains}")
}

fn party(party: &Party) -> String {
    let name = party.name.as_deref().unwrap_or("(no O in certificate)");
    format!(
        "{name} ({}), certificate {}",
        party.organisation_number.as_str(),
        party.subject
    )
}

fn verify_single(
    sealed_path: &Path,
    receipt_path: &Path,
    anchors: Option<&TrustAnchors>,
) -> anyhow::Result<LetterCheck> {
    let sealed = read_bounded_file(sealed_path)?;
    let receipt = read_bounded_file(receipt_path)?;
    let place = sealed_path.display().to_string();
    Ok(check_letter(
        place.clone(),
        &place,
        (&sealed, &receipt),
        anchors,
    ))
}

fn read_bounded_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    read_bounded(file, ENVELOPE_BYTES_CEILING)
        .with_context(|| format!("reading {}", path.display()))
}

/// Verifies one letter (`place` is its folder or file); the label names it with the verified
/// data when it verifies, else `label` stays.
fn check_letter(
    label: String,
    place: &str,
    (sealed, receipt): (&[u8], &[u8]),
    anchors: Option<&TrustAnchors>,
) -> LetterCheck {
    match verify_evidence(sealed, receipt, anchors) {
        Ok(report) => LetterCheck {
            label: format!(
                "{}  {}  \"{}\"  message id {}  ({place})",
                report.received_on,
                report.sender_name.as_str(),
                report.subject.as_str(),
                report.message_id.as_str()
            ),
            outcome: Ok(report),
        },
        Err(error) => LetterCheck {
            label,
            outcome: Err(error_chain(&error)),
        },
    }
}

/// `manifest.json` as far as naming letters needs it.
#[derive(Deserialize)]
struct Manifest {
    letters: Vec<ManifestLetter>,
}

#[derive(Deserialize)]
struct ManifestLetter {
    id: String,
    sender_name: String,
    subject: String,
    received_at: String,
    files: Vec<String>,
}

/// The two files of one letter folder, by entry index.
#[derive(Default)]
struct Folder {
    sealed: Option<usize>,
    receipt: Option<usize>,
}

fn verify_zip(path: &Path, anchors: Option<&TrustAnchors>) -> anyhow::Result<Vec<LetterCheck>> {
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
    let (folders, manifest_index) = folders(&zip);
    let labels = match manifest_index {
        Some(index) => manifest_labels(&mut zip, index)?,
        None => BTreeMap::new(),
    };
    let mut bytes_total = 0_u64;
    let mut checks = Vec::new();
    for (folder, files) in &folders {
        let label = labels
            .get(folder)
            .cloned()
            .unwrap_or_else(|| folder.clone());
        let (Some(sealed_index), Some(receipt_index)) = (files.sealed, files.receipt) else {
            checks.push(LetterCheck {
                label,
                outcome: Err("the folder lacks forsegling.xml or kvittens.xml".to_owned()),
            });
            continue;
        };
        anyhow::ensure!(
            bytes_total <= EXPORT_BYTES_MAX,
            "the zip holds more than {EXPORT_BYTES_MAX} bytes of letters"
        );
        // A damaged entry (bad checksum, too large) fails its letter, not the whole run.
        let pair = read_entry(&mut zip, sealed_index, &mut bytes_total).and_then(|sealed| {
            Ok((
                sealed,
                read_entry(&mut zip, receipt_index, &mut bytes_total)?,
            ))
        });
        checks.push(match pair {
            Ok((sealed, receipt)) => check_letter(label, folder, (&sealed, &receipt), anchors),
            Err(error) => LetterCheck {
                label,
                outcome: Err(format!("{error:#}")),
            },
        });
    }
    for (folder, label) in &labels {
        if !folders.contains_key(folder) {
            checks.push(LetterCheck {
                label: label.clone(),
                outcome: Err("listed in manifest.json but missing from the zip".to_owned()),
            });
        }
    }
    Ok(checks)
}

/// Letter folders by name, and the manifest's entry index.
fn folders(zip: &zip::ZipArchive<File>) -> (BTreeMap<String, Folder>, Option<usize>) {
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    let mut manifest = None;
    for index in 0..zip.len() {
        let Some(name) = zip.name_for_index(index) else {
            continue;
        };
        if name == MANIFEST_FILE {
            manifest = Some(index);
            continue;
        }
        let Some((folder, file)) = name.split_once('/') else {
            continue;
        };
        let entry = folders.entry(folder.to_owned()).or_default();
        match file {
            SEALED_DELIVERY_FILE => entry.sealed = Some(index),
            RECEIPT_FILE => entry.receipt = Some(index),
            _ => {}
        }
    }
    (folders, manifest)
}

/// "2026-11-29T07:05:00Z  Kommun A  "Beslut"  id …  (named by manifest.json, not verified)"
/// per letter folder.
fn manifest_labels(
    zip: &mut zip::ZipArchive<File>,
    index: usize,
) -> anyhow::Result<BTreeMap<String, String>> {
    let entry = zip.by_index(index).context("reading manifest.json")?;
    let bytes = read_bounded(entry, EXPORT_MANIFEST_BYTES_MAX).context("reading manifest.json")?;
    let manifest: Manifest = serde_json::from_slice(&bytes).context("parsing manifest.json")?;
    let mut labels = BTreeMap::new();
    for letter in manifest.letters {
        let Some((folder, _)) = letter.files.first().and_then(|file| file.split_once('/')) else {
            continue;
        };
        let label = format!(
            "{}  {}  \"{}\"  id {}  (as manifest.json names it)",
            letter.received_at, letter.sender_name, letter.subject, letter.id
        );
        labels.insert(folder.to_owned(), label);
    }
    Ok(labels)
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

/// Reads at most `max` bytes; more is an error (a zip entry's header may lie about its size).
fn read_bounded(reader: impl Read, max: u64) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max + 1).read_to_end(&mut bytes)?;
    anyhow::ensure!(
        u64::try_from(bytes.len()).unwrap_or(u64::MAX) <= max,
        "more than {max} bytes"
    );
    Ok(bytes)
}

#[cfg(test)]
mod tests;
