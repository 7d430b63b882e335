//! `kuvert check MANIFEST|FILE`: a mailing manifest (`.csv`, `.json`) or one letter file
//! (a body, `.html`/`.htm` or text, or a PDF attachment) checked before anything is sent, by
//! `kuvert_sender::check`; every problem is printed with its row, file and rule, and the
//! command fails when there is any.

use std::io::{self, Write};
use std::path::Path;

use kuvert_core::calendar::stockholm_day;
use kuvert_core::plural::Plural;
use kuvert_sender::check::{CheckReport, check_path};

/// "1 problem", "2 problems".
pub const PROBLEMS: Plural = Plural::new("problem", "problems");

/// "1 row", "2 rows".
const ROWS: Plural = Plural::new("row", "rows");

/// Checks `path` as of today's Swedish date (which gives a short personnummer its century).
#[must_use]
pub fn check(path: &Path) -> CheckReport {
    check_path(path, stockholm_day(time::OffsetDateTime::now_utc()))
}

/// One line per problem, then what was checked and the count.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_report(out: &mut impl Write, report: &CheckReport) -> io::Result<()> {
    let shown = report.path.display();
    for problem in &report.problems {
        writeln!(out, "{shown}: {problem}")?;
    }
    let checked = match report.rows {
        Some(rows) => format!("{shown} ({})", ROWS.count(rows)),
        None => shown.to_string(),
    };
    match report.problems.len() {
        0 => writeln!(out, "{checked}: no problems"),
        count => writeln!(out, "{checked}: {}", PROBLEMS.count(count)),
    }
}
