//! The mass-mailing benchmark (issue 14): `kuvert mailing`'s library path (manifest → journal
//! → reachability in batches → sign and seal on the CPU pool → deliver with bounded
//! concurrency per operator → paper-mail list → letter counts) against the real federation
//! started in-process by [`kuvert::testkit::Federation`], printing the rate against the
//! hardware's ceiling measured in the same run. Not a test: it asserts nothing about time.
//!
//! Run: `cargo bench -p kuvert --bench mailing` (release build). Environment:
//! - `KUVERT_BENCH_LETTERS` (default 2 000): rows, two in three to a person with a profile
//!   and one in three to a person without (paper);
//! - `KUVERT_BENCH_RECIPIENTS` (default `distinct`): `distinct` gives every row a person of
//!   its own, with profiles seeded in the registry's database first (as a national mailing:
//!   no recipient twice, so every operator asks the registry about every letter); `demo`
//!   sends every row to the demo's six people in turn, as earlier runs measured;
//! - `KUVERT_BENCH_SIZE` (default 10 240): bytes of each letter's body;
//! - `KUVERT_BENCH_CONCURRENCY`: letters in flight per operator (default
//!   `MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT`);
//! - `KUVERT_BENCH_SINGLES` (default 0): after the mailing alone, the same mailing again
//!   while this many single letters are sent one by one through the `kuvert send` binary;
//!   prints each single's time to its receipt (p50, p99, max) and the mailing's rate with and
//!   without them;
//! - `KUVERT_BENCH_KILLS` (default 0): then a mailing of the same rows through the `kuvert
//!   mailing` binary, SIGKILLed at a random point this many times and resumed each time;
//!   prints whether every reachable row is in its inbox exactly once and the journal's counts
//!   match the inboxes.
//!
//! The roles run on SQLite files in a temporary directory, or on fresh PostgreSQL databases
//! when `KUVERT_TEST_PG_URL` is set. Printed: letters/s; raw RSA-2048 signatures/s on one
//! core (aws-lc-rs, measured first) and the ceiling `cores × signs/s ÷ 2` (a letter is signed
//! and sealed); the ratio; user and system CPU of the process (every role is in it); fsyncs
//! per letter (`kuvert_syncs_total`, Kuvert's own files and the delivery commits; the
//! database's own WAL syncs are one per commit); TLS handshakes (they must not grow with the
//! letters); peak RSS; and the projected time for 6.2 million letters. Where the time goes:
//! `tools/bench/profile-mailing.sh` runs this under `perf`.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::missing_panics_doc)]

#[path = "mailing/killed.rs"]
mod killed;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kuvert::mailing_command::{MailingRequest, mailing};
use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::limits::{MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT, MAILING_MANIFEST_BYTES_MAX};
use kuvert_sender::SenderConfig;
use kuvert_sender::mailing::MailingReport;
use kuvert_store::Database;
use kuvert_store::seed::{StatisticsSeed, seeded_recipient};
use support::setting;

/// Skatteverket's tax-return letters, the national mailing the projection is for.
const NATIONAL_LETTERS: f64 = 6_200_000.0;

fn main() {
    let letters: usize = setting("KUVERT_BENCH_LETTERS", 2_000).max(1);
    let size: usize = setting("KUVERT_BENCH_SIZE", 10_240).max(1);
    let concurrency: usize = setting(
        "KUVERT_BENCH_CONCURRENCY",
        MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT,
    );
    let singles: usize = setting("KUVERT_BENCH_SINGLES", 0);
    let kills: usize = setting("KUVERT_BENCH_KILLS", 0);
    let distinct = match setting("KUVERT_BENCH_RECIPIENTS", "distinct".to_owned()).as_str() {
        "demo" => false,
        "distinct" => true,
        other => panic!("KUVERT_BENCH_RECIPIENTS is `distinct` or `demo`, not `{other}`"),
    };
    let signs = rsa_signs_per_second();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let ceiling = cores as f64 * signs / 2.0;
    println!(
        "raw RSA-2048: {signs:.0} signatures/s on one core; {cores} cores: ceiling {ceiling:.0} \
         letters/s (sign + seal each)"
    );
    let bench = Bench {
        letters,
        size,
        concurrency,
        distinct,
    };
    support::block_on(run(&bench, (singles, kills), ceiling));
}

/// What to mail: rows, body size, letters in flight per operator, and to whom.
struct Bench {
    letters: usize,
    size: usize,
    concurrency: usize,
    /// Every row to a person of its own (seeded profiles), else the demo's people in turn.
    distinct: bool,
}

/// The mailings of one run: `alone`, then `with` (beside single letters).
const MAILINGS: u64 = 2;

async fn run(bench: &Bench, (singles, kills): (usize, usize), ceiling: f64) {
    let Bench {
        letters,
        size,
        concurrency,
        ..
    } = *bench;
    let started = Instant::now();
    let federation = Federation::start(FederationOptions::default()).await;
    let database = if std::env::var_os("KUVERT_TEST_PG_URL").is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "federation on {database} started in {:.1} s; {letters} rows of {size} bytes, \
         {concurrency} letters in flight per operator",
        started.elapsed().as_secs_f64()
    );
    let population = if bench.distinct {
        Some(seed_profiles(&federation, letters).await)
    } else {
        None
    };
    let recipients = |mailing: u64| match &population {
        Some(population) => Recipients::Distinct {
            population: population.clone(),
            first: mailing * letters as u64,
        },
        None => Recipients::Demo,
    };
    let dir = tempfile::tempdir().unwrap();
    let config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    let alone = measured_mailing(&config, dir.path(), "alone", bench, recipients(0)).await;
    alone.print("mailing alone", ceiling);
    let request = request(dir.path().join("alone.csv"), concurrency);
    let again = mailing(&config, &request, &mut |_| {}).await.unwrap();
    println!(
        "resume with nothing left: {} rows skipped in {:.2} s",
        again.done_before,
        again.elapsed.as_secs_f64()
    );
    if singles > 0 {
        let data_dir = federation.manifest().data_dir.clone();
        let singles_task = tokio::spawn(send_singles(data_dir, dir.path().to_owned(), singles));
        let with = measured_mailing(&config, dir.path(), "with", bench, recipients(1)).await;
        let times = singles_task.await.unwrap();
        with.print("mailing with single letters", ceiling);
        print_singles(&times, &with, alone.rate());
    }
    println!("peak RSS {:.0} MiB", peak_rss_mib());
    if kills > 0 {
        killed::kill_and_resume(&federation, dir.path(), bench, kills).await;
    }
}

/// One mailing of `letters` fresh rows with the process's CPU, syncs and handshakes around it.
async fn measured_mailing(
    config: &SenderConfig,
    dir: &Path,
    name: &str,
    bench: &Bench,
    recipients: Recipients,
) -> Measured {
    let manifest = dir.join(format!("{name}.csv"));
    write_manifest(&manifest, "Utskick", bench, &recipients);
    let concurrency = bench.concurrency;
    let before = Snapshot::now();
    let started = Instant::now();
    let report = mailing(config, &request(manifest, concurrency), &mut |_| {})
        .await
        .unwrap();
    let elapsed = started.elapsed();
    Measured {
        report,
        elapsed,
        used: Snapshot::now().minus(&before),
    }
}

fn request(manifest: PathBuf, concurrency: usize) -> MailingRequest {
    MailingRequest {
        sender: "exempelkommun".to_owned(),
        manifest,
        journal: None,
        concurrency,
        max_rows: None,
    }
}

/// Who a manifest's rows go to.
pub(crate) enum Recipients {
    /// The demo's six people in turn (two without a mailbox).
    Demo,
    /// Row `n` to its own person: two in three with a seeded profile (index `first + n`, so
    /// each mailing of a run has people of its own), every third one without.
    Distinct {
        population: StatisticsSeed,
        first: u64,
    },
}

impl Recipients {
    /// The recipient and the name in the greeting of row `row`.
    fn of(&self, row: usize) -> (String, &'static str) {
        match self {
            Self::Demo => {
                let person = &seed::PERSONS[row % seed::PERSONS.len()];
                (person.number.to_owned(), person.given_name)
            }
            Self::Distinct { population, first } => {
                let index = *first + row as u64;
                let id = if row % 3 == 2 {
                    seeded_recipient(&without_profiles(population), population.persons + index)
                } else {
                    seeded_recipient(population, index)
                };
                let id = id.expect("seeded numbers are valid");
                (id.to_wire(), "du")
            }
        }
    }
}

/// Seeds a person for every row of every mailing of the run (a third of them stay unused:
/// those rows go to a person without one) at the demo's operators, straight into the
/// registry's database.
async fn seed_profiles(federation: &Federation, letters: usize) -> StatisticsSeed {
    let started = Instant::now();
    let persons = MAILINGS * letters as u64;
    let population = support::population_today(persons, 0);
    let database = Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    database
        .seed_statistics_reporting(&population, &|_| {})
        .await
        .unwrap();
    database.close().await;
    println!(
        "seeded {persons} person profiles in {:.1} s: every row goes to a person of its own",
        started.elapsed().as_secs_f64()
    );
    population
}

/// The persons past `population`'s: valid numbers with no profile.
fn without_profiles(population: &StatisticsSeed) -> StatisticsSeed {
    StatisticsSeed {
        persons: population.persons * 2,
        ..population.clone()
    }
}

/// Rows with the subjects `TITLE 0`, `TITLE 1`, … in row order. The bodies are in the
/// manifest while it stays within half of `MAILING_MANIFEST_BYTES_MAX`; beyond (a 100 000-row
/// run), each row's body is a file of its own in `<manifest>.bodies/` (`body_file`), as a
/// sender system hands over a national mailing's rendered letters.
pub(crate) fn write_manifest(path: &Path, title: &str, bench: &Bench, recipients: &Recipients) {
    let started = Instant::now();
    let inline = (bench.letters * bench.size) as u64 <= MAILING_MANIFEST_BYTES_MAX / 2;
    let bodies = path.with_extension("bodies");
    let mut text = String::from(if inline {
        "recipient,subject,body\n"
    } else {
        std::fs::create_dir_all(&bodies).unwrap();
        "recipient,subject,body_file\n"
    });
    for row in 0..bench.letters {
        let (recipient, name) = recipients.of(row);
        let mut body = format!("Hej {name}! Brev nummer {row}. ");
        let filler = "Skatteverket har beräknat din skatt. ";
        while body.len() + filler.len() <= bench.size {
            body.push_str(filler);
        }
        if inline {
            text.push_str(&format!("{recipient},{title} {row},{body}\n"));
        } else {
            let file = bodies.join(format!("{row}.txt"));
            std::fs::write(&file, body).unwrap();
            let name = file.strip_prefix(path.parent().unwrap()).unwrap();
            text.push_str(&format!("{recipient},{title} {row},{}\n", name.display()));
        }
    }
    std::fs::write(path, text).unwrap();
    if !inline {
        println!(
            "wrote {} bodies of {} bytes as files in {:.1} s",
            bench.letters,
            bench.size,
            started.elapsed().as_secs_f64()
        );
    }
}

/// What one mailing did and cost.
struct Measured {
    report: MailingReport,
    elapsed: Duration,
    used: Snapshot,
}

impl Measured {
    /// Delivered letters per second of the whole run (registry lookups included).
    fn rate(&self) -> f64 {
        self.report.delivered as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    fn print(&self, title: &str, ceiling: f64) {
        let report = &self.report;
        let delivered = report.delivered.max(1) as f64;
        println!("{title}:");
        println!(
            "  {} delivered, {} on paper, {} failed in {:.1} s (registry lookups {:.1} s)",
            report.delivered,
            report.paper.len(),
            report.failed.len(),
            self.elapsed.as_secs_f64(),
            report.lookup.as_secs_f64()
        );
        println!(
            "  {:.0} letters/s = {:.2} of the ceiling; 6.2 M letters would take {:.1} h",
            self.rate(),
            self.rate() / ceiling,
            NATIONAL_LETTERS / self.rate().max(f64::EPSILON) / 3600.0
        );
        println!(
            "  CPU: user {:.1} s, system {:.1} s ({:.2} ms per letter in all)",
            self.used.user,
            self.used.system,
            (self.used.user + self.used.system) * 1000.0 / delivered
        );
        let syncs: f64 = self.used.syncs.values().sum();
        let by_file: Vec<String> = self
            .used
            .syncs
            .iter()
            .map(|(file, n)| format!("{file} {:.2}", n / delivered))
            .collect();
        println!(
            "  fsyncs per letter {:.2} ({}); TLS handshakes {}",
            syncs / delivered,
            by_file.join(", "),
            self.used.handshakes
        );
        let (calls, ids) = self.used.registry_checks;
        println!(
            "  the operators asked the registry {:.3} times per letter ({:.1} recipients a call)",
            calls / delivered,
            ids / calls.max(1.0)
        );
    }
}

/// Process CPU seconds and the Kuvert counters at one moment.
struct Snapshot {
    user: f64,
    system: f64,
    syncs: BTreeMap<String, f64>,
    handshakes: f64,
    /// The operators' `isReachable` calls and the recipients they asked
    /// (`kuvert_operator_registry_batch_keys`).
    registry_checks: (f64, f64),
}

impl Snapshot {
    fn now() -> Self {
        let (user, system) = cpu_seconds();
        let rendered = kuvert_web::health::prometheus_handle().unwrap().render();
        let mut syncs = BTreeMap::new();
        let mut handshakes = 0.0;
        let mut registry_checks = (0.0, 0.0);
        for line in rendered.lines() {
            let Some((name, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let value: f64 = value.parse().unwrap_or(0.0);
            if let Some(labels) = name.strip_prefix("kuvert_syncs_total{") {
                let label = |key: &str| {
                    labels
                        .split(',')
                        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix("=\""))
                        .map_or("?", |value| {
                            value.trim_end_matches('}').trim_end_matches('"')
                        })
                        .to_owned()
                };
                let place = format!("{} {}", label("store"), label("kind"));
                *syncs.entry(place).or_insert(0.0) += value;
            } else if name == "kuvert_tls_handshakes_total" {
                handshakes = value;
            } else if name == "kuvert_operator_registry_batch_keys_count" {
                registry_checks.0 = value;
            } else if name == "kuvert_operator_registry_batch_keys_sum" {
                registry_checks.1 = value;
            }
        }
        Self {
            user,
            system,
            syncs,
            handshakes,
            registry_checks,
        }
    }

    fn minus(&self, before: &Self) -> Self {
        let syncs = self
            .syncs
            .iter()
            .map(|(file, n)| {
                let was = before.syncs.get(file).copied().unwrap_or(0.0);
                (file.clone(), n - was)
            })
            .filter(|(_, n)| *n > 0.0)
            .collect();
        Self {
            user: self.user - before.user,
            system: self.system - before.system,
            syncs,
            handshakes: self.handshakes - before.handshakes,
            registry_checks: (
                self.registry_checks.0 - before.registry_checks.0,
                self.registry_checks.1 - before.registry_checks.1,
            ),
        }
    }
}

/// Sends `count` single letters to Tolvan one after another through the `kuvert send` binary,
/// each timed from the command's start to its exit (its receipt printed).
async fn send_singles(data_dir: PathBuf, dir: PathBuf, count: usize) -> Vec<Duration> {
    // Let the mailing reach full speed first.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let body = dir.join("single.txt");
    std::fs::write(
        &body,
        "Hej Tolvan! Ditt beslut om bygglov finns i din brevlåda.",
    )
    .unwrap();
    let mut times = Vec::with_capacity(count);
    for n in 0..count {
        let started = Instant::now();
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .arg("send")
            .arg("--demo")
            .arg(&data_dir)
            .args(["--as", "exempelkommun", "--to", seed::PERSONS[0].number])
            .args(["--subject", &format!("Beslut {n}")])
            .arg("--body")
            .arg(&body)
            .output()
            .await
            .unwrap();
        times.push(started.elapsed());
        assert!(
            output.status.success(),
            "kuvert send failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    times
}

fn print_singles(times: &[Duration], with: &Measured, alone_rate: f64) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at =
        |q: f64| sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1];
    let sent_for: Duration = times.iter().sum::<Duration>() + Duration::from_secs(2);
    println!(
        "single letters through `kuvert send` during the mailing: {} sent, to receipt p50 \
         {:.0} ms, p99 {:.0} ms, max {:.0} ms{}",
        times.len(),
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        at(1.0).as_secs_f64() * 1000.0,
        if sent_for > with.elapsed {
            " (some after the mailing ended: use more rows)"
        } else {
            ""
        }
    );
    println!(
        "mailing rate alone {alone_rate:.0} letters/s, with the single letters {:.0} letters/s: \
         {:+.1} %",
        with.rate(),
        (with.rate() / alone_rate - 1.0) * 100.0
    );
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on one thread, for one second.
fn rsa_signs_per_second() -> f64 {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::RSA_PKCS1_SHA256;
    let key = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let rng = SystemRandom::new();
    let mut signature = vec![0; key.public_modulus_len()];
    let started = Instant::now();
    let mut signs = 0_u32;
    while started.elapsed() < Duration::from_secs(1) {
        key.sign(&RSA_PKCS1_SHA256, &rng, b"SignedInfo", &mut signature)
            .unwrap();
        signs += 1;
    }
    f64::from(signs) / started.elapsed().as_secs_f64()
}

/// User and system CPU seconds of this process so far (`/proc/self/stat`, in clock ticks of
/// 1/100 s as on every Linux this runs on).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// The peak resident set of this process (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}
