//! The mailing killed and resumed (issue 14's acceptance): the `kuvert mailing` binary on a
//! manifest of fresh rows, SIGKILLed at a random point several times and resumed each time,
//! then run to its end; every reachable row must be in its recipient's inbox exactly once and
//! the journal must count what the inboxes hold.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use kuvert::seed;
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_store::operator::{Folder, MailboxQuery};

/// The subjects' prefix of the killed mailing's rows.
const TITLE: &str = "Avbrutet";

pub(crate) async fn kill_and_resume(
    federation: &Federation,
    dir: &Path,
    bench: &super::Bench,
    kills: usize,
) {
    let letters = bench.letters;
    let manifest = dir.join("killed.csv");
    // The demo's people, whose inboxes are counted below.
    super::write_manifest(&manifest, TITLE, bench, &super::Recipients::Demo);
    let data_dir = federation.manifest().data_dir.clone();
    let started = Instant::now();
    for kill in 1..=kills {
        let mut child = mailing_command(&data_dir, &manifest).spawn().unwrap();
        let after = random_delay(letters, kills);
        tokio::time::sleep(after).await;
        let ended_by_itself = child.try_wait().unwrap().is_some();
        child.start_kill().ok();
        child.wait().await.unwrap();
        println!(
            "  kill {kill}: after {:.1} s{}",
            after.as_secs_f64(),
            if ended_by_itself {
                " (it had already ended)"
            } else {
                ""
            }
        );
    }
    let last = mailing_command(&data_dir, &manifest)
        .output()
        .await
        .unwrap();
    assert!(
        last.status.success(),
        "the last run failed: {}",
        String::from_utf8_lossy(&last.stderr)
    );
    let inboxes = inbox_counts(federation).await;
    let journal = journal_counts(&manifest.with_extension("csv.journal"));
    let expected = (0..letters)
        .filter(|row| seed::PERSONS[row % seed::PERSONS.len()].operator.is_some())
        .count();
    let duplicates = inboxes.values().filter(|n| **n > 1).count();
    let missing = (0..letters)
        .filter(|row| seed::PERSONS[row % seed::PERSONS.len()].operator.is_some())
        .filter(|row| !inboxes.contains_key(&format!("{TITLE} {row}")))
        .count();
    println!(
        "killed mailing: {letters} rows, {kills} SIGKILLs and resumes, {:.1} s in all; {} rows \
         in inboxes ({expected} reachable, {missing} missing, {duplicates} twice or more); \
         journal: {} delivered, {} on paper{}",
        started.elapsed().as_secs_f64(),
        inboxes.len(),
        journal.get("delivered").copied().unwrap_or(0),
        journal.get("paper").copied().unwrap_or(0),
        if journal.get("delivered").copied().unwrap_or(0) == inboxes.len() {
            " (matches the inboxes)"
        } else {
            " (DIFFERS from the inboxes)"
        }
    );
}

fn mailing_command(data_dir: &Path, manifest: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kuvert"));
    command
        .arg("mailing")
        .arg("--demo")
        .arg(data_dir)
        .args(["--as", "exempelkommun"])
        .arg(manifest)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    command
}

/// A random time to let a run live, from the clock's nanoseconds (a different point each
/// time): 1 s plus up to its share of the whole mailing (at a rough 150 rows/s, split over
/// the kills; at least 7 s), so the kills of a 100 000-row mailing land all over it, not
/// only in its first rows.
fn random_delay(letters: usize, kills: usize) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    let share_ms = (letters as u64 * 1_000 / 150 / kills.max(1) as u64).max(7_000);
    Duration::from_millis(1_000 + u64::from(nanos) % share_ms)
}

/// How often each subject of the killed mailing is in the seeded people's inboxes.
async fn inbox_counts(federation: &Federation) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for person in seed::PERSONS
        .iter()
        .filter(|person| person.operator.is_some())
    {
        let operator = seed::organisation(person.operator.unwrap()).unwrap();
        let store = federation.operator(&operator).store();
        for page in 0.. {
            let query = MailboxQuery {
                recipient: RecipientId::Person(person.personal_identity_number()),
                folder: Folder::Inbox,
                sender: None,
                search: None,
                page,
                page_size: 100,
            };
            let found = store.letters(&query).await.unwrap();
            for letter in &found.letters {
                let subject = letter.subject.as_str();
                if subject.starts_with(TITLE) {
                    *counts.entry(subject.to_owned()).or_insert(0) += 1;
                }
            }
            if !found.has_more {
                break;
            }
        }
    }
    counts
}

/// The journal's final events by kind: the last event of each row counts.
fn journal_counts(path: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut last: HashMap<u64, String> = HashMap::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(kind), Some(row)) = (event["event"].as_str(), event["line"].as_u64()) else {
            continue;
        };
        last.insert(row, kind.to_owned());
    }
    let mut counts = BTreeMap::new();
    for kind in last.values() {
        *counts.entry(kind.clone()).or_insert(0) += 1;
    }
    counts
}
