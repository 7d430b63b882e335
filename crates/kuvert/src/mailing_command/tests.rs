//! The mailing's progress line and report count rows in the singular and the plural (issue
//! 11).

use std::path::PathBuf;
use std::time::Duration;

use kuvert_core::id::RecipientId;
use kuvert_core::limits::MAILING_ROW_ERRORS_SHOWN_MAX;
use kuvert_sender::mailing::{FailedRow, MailingReport, ManifestFormat, PaperLetters, Progress};

use super::{progress_line, write_report};

#[test]
fn progress_line_counts_zero_one_and_two_rows_naturally() {
    let lines: Vec<String> = [0, 1, 2]
        .into_iter()
        .map(|rows| {
            progress_line(&Progress {
                rows,
                delivered: rows,
                ..Progress::default()
            })
        })
        .collect();
    assert_eq!(
        lines,
        [
            "0/0 rows: 0 delivered, 0 paper, 0 failed (0 done before)",
            "1/1 row: 1 delivered, 0 paper, 0 failed (0 done before)",
            "2/2 rows: 2 delivered, 0 paper, 0 failed (0 done before)",
        ]
    );
}

#[test]
fn write_report_counts_the_failed_rows_not_shown_naturally() {
    let report = |failed: usize| MailingReport {
        format: ManifestFormat::Csv,
        rows: failed,
        done_before: 0,
        delivered: 0,
        paper: Vec::new(),
        failed: (0..failed)
            .map(|index| FailedRow {
                line: index + 2,
                recipient: RecipientId::parse("191212121212").unwrap(),
                reason: "operator unreachable".to_owned(),
            })
            .collect(),
        left: 0,
        elapsed: Duration::from_secs(1),
        lookup: Duration::ZERO,
        letters_per_second: 0.0,
        paper_list: PathBuf::from("utskick.csv.paper.csv"),
        paper_letters: PaperLetters {
            folder: PathBuf::from("utskick.csv.paper"),
            written: 0,
            rendered: 0,
            without_address: 0,
        },
        letter_counts: Ok(()),
    };
    let last_lines: Vec<String> = [0, 1, 2]
        .into_iter()
        .map(|more| {
            let mut out = Vec::new();
            write_report(&mut out, &report(MAILING_ROW_ERRORS_SHOWN_MAX + more)).unwrap();
            String::from_utf8(out)
                .unwrap()
                .lines()
                .last()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        last_lines[0].starts_with("  failed  line "),
        "{last_lines:?}"
    );
    assert_eq!(
        last_lines[1..],
        [
            "  … and 1 more failed row (the journal names each)",
            "  … and 2 more failed rows (the journal names each)",
        ]
    );
}
