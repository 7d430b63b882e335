//! The mass-mailing benchmark: `kuvert mailing`'s library path (manifest → journal →
//! reachability in batches → sign, seal, deliver with bounded concurrency per operator →
//! paper-mail list → letter counts) against the real federation started in-process by
//! [`kuvert::testkit::Federation`], printing letters per second and where the time went. Not
//! a test: it asserts nothing about time.
//!
//! Run: `cargo bench -p kuvert --bench mailing` (release build). Environment:
//! `KUVERT_BENCH_LETTERS` (default 2 000 rows, the seeded people in turn, so two in three are
//! delivered and one in three goes on paper) and `KUVERT_BENCH_CONCURRENCY` (letters in
//! flight per operator, default `MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT`). The roles run on
//! SQLite files in a temporary directory, or on fresh PostgreSQL databases when
//! `KUVERT_TEST_PG_URL` is set. A second run over the finished journal measures a resume
//! that has nothing left to do.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::missing_panics_doc)]

mod support;

use std::time::Instant;

use kuvert::mailing_command::{MailingRequest, mailing, write_report};
use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::limits::MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT;
use support::setting;

fn main() {
    let letters: usize = setting("KUVERT_BENCH_LETTERS", 2_000).max(1);
    let concurrency: usize = setting(
        "KUVERT_BENCH_CONCURRENCY",
        MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT,
    );
    support::block_on(run(letters, concurrency));
}

async fn run(letters: usize, concurrency: usize) {
    let started = Instant::now();
    let federation = Federation::start(FederationOptions::default()).await;
    println!(
        "federation started in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("utskick.csv");
    let mut text = String::from("recipient,subject,body\n");
    for row in 0..letters {
        let person = &seed::PERSONS[row % seed::PERSONS.len()];
        let name = person.given_name;
        text.push_str(&format!(
            "{},Utskick {row},Hej {name}! Brev nummer {row}.\n",
            person.number
        ));
    }
    std::fs::write(&manifest, text).unwrap();
    let config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    let request = MailingRequest {
        sender: "exempelkommun".to_owned(),
        manifest,
        journal: None,
        concurrency,
        max_rows: None,
    };
    println!("{letters} rows, {concurrency} letters in flight per operator");
    let report = mailing(&config, &request, &mut |_| {}).await.unwrap();
    write_report(&mut std::io::stdout().lock(), &report).unwrap();
    let sending = report.elapsed.saturating_sub(report.lookup).as_secs_f64();
    println!(
        "delivered {:.1} letters/s outside the registry lookups ({} letters in {sending:.1} s)",
        report.delivered as f64 / sending.max(f64::EPSILON),
        report.delivered,
    );
    let again = mailing(&config, &request, &mut |_| {}).await.unwrap();
    println!(
        "resume with nothing left: {} rows skipped in {:.2} s",
        again.done_before,
        again.elapsed.as_secs_f64()
    );
}
