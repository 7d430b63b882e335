//! `kuvert verify FILE [--receipt RECEIPT] [--ca PEM]`: checks exported letters offline and
//! says what each one proves.
//!
//! FILE is a mailbox export (the zip format of `kuvert_wire::export` the operator writes:
//! per letter `<date>_<id>/forsegling.xml` and `kvittens.xml`, plus `manifest.json` and
//! `LASMIG.txt`; read in `export`), or one sealed delivery with its receipt given by
//! `--receipt`. Each letter goes through `kuvert_wire::evidence::verify_evidence`, the same
//! reader as the operator's intake. Reading is bounded: entry count, each entry's size (read
//! through `take`, so a lying header cannot inflate it) and the total, so a zip bomb ends in
//! an error, not in exhausted memory. One letter is in memory at a time.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_core::limits::ENVELOPE_BYTES_CEILING;
use kuvert_core::plural::Plural;
use kuvert_core::report::error_chain;
use kuvert_wire::evidence::{ChainCheck, EvidenceReport, Party, verify_evidence};
use kuvert_xmldsig::trust::TrustAnchors;

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
        None => export::verify_zip(&request.file, anchors.as_ref()),
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

mod export;
#[cfg(test)]
mod tests;
