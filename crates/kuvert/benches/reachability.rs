//! The registry at national scale (issue 14 part 4): `isReachable` with 1 000 ids per call
//! against six million profiles, asked as a sender asks it — the demo intermediary's
//! [`kuvert_sender::Toolkit::reachability`], SOAP over mutual TLS to the registry of the
//! federation started in-process by [`kuvert::testkit::Federation`] — printing ids/s and the
//! p50 and p99 time per 1 000-id call. The same calls are also made to the registry's
//! operation without SOAP (`Registry::is_reachable`: its access checks and the store) and to
//! the store alone (`ProfileStore::is_reachable`: the SQL), so where the time goes shows. Not
//! a test: it asserts nothing about time, only that every path gives every id the answer
//! the seed implies.
//!
//! Run: `cargo bench -p kuvert --bench reachability` (release build). It measures SQLite files
//! first, then fresh PostgreSQL databases when `KUVERT_TEST_PG_URL` is set (`source
//! /tmp/kuvert-ci/env.sh`); otherwise it says why that half is skipped. Environment:
//! `KUVERT_BENCH_PROFILES` (default 6 000 000), `KUVERT_BENCH_CALLS` (timed calls per path,
//! default 300), `KUVERT_BENCH_IN_FLIGHT` (calls at once in the last run, default 4; the
//! service path also runs with 1 and 2) and `KUVERT_BENCH_SQLITE=0` (PostgreSQL only). The
//! client and the servers share this process and its cores, as they share one machine. A
//! PostgreSQL run warms the server's cache first (`prewarm`) and drops its registry's
//! database (gigabytes at 6 M profiles) at the end.
//!
//! The registry's database gets the profiles from `Database::seed_statistics_reporting`
//! (kuvert-store feature `bench-seed`, multi-row inserts in one transaction, progress printed):
//! 95 % persons and 5 % companies at the demo's two operators; `Database::seed_deselections`
//! makes every 50th deselect the asking sender, Exempelkommun. Each call asks 1 000 distinct
//! ids drawn at random with a fixed seed: nine in ten have a profile, one in ten is a valid
//! personnummer without one. A warm-up of 20 calls per path runs before the timed calls.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::missing_panics_doc)]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::id::RecipientId;
use kuvert_core::limits::REACHABILITY_IDS_PER_CALL_MAX;
use kuvert_registry::domain::reachability::ReachabilityAnswer;
use kuvert_sender::{PaperReason, Reachability};
use kuvert_store::Database;
use kuvert_store::seed::{StatisticsSeed, seeded_recipient};
use support::setting;

/// Every `DESELECT_EVERY`-th profile deselected the asking sender.
const DESELECT_EVERY: u64 = 50;
/// Untimed calls per path before the timed ones.
const WARM_UP_CALLS: usize = 20;
/// The acceptance of issue 14 through the whole service path: ids per second …
const ACCEPTED_IDS_PER_SECOND: f64 = 50_000.0;
/// … and the 99th percentile of a 1 000-id call.
const ACCEPTED_P99: Duration = Duration::from_millis(50);

fn main() {
    let settings = Settings {
        profiles: setting("KUVERT_BENCH_PROFILES", 6_000_000).max(1_000),
        calls: setting("KUVERT_BENCH_CALLS", 300).max(1),
        in_flight: setting("KUVERT_BENCH_IN_FLIGHT", 4).max(1),
    };
    support::block_on(async {
        if setting("KUVERT_BENCH_SQLITE", 1) == 0 {
            println!("skipping SQLite: KUVERT_BENCH_SQLITE=0");
        } else {
            run(&settings, None).await;
        }
        #[allow(clippy::disallowed_methods)]
        let postgres = std::env::var("KUVERT_TEST_PG_URL").unwrap_or_default();
        if postgres.is_empty() {
            println!(
                "\nskipping PostgreSQL: KUVERT_TEST_PG_URL is not set \
                 (source /tmp/kuvert-ci/env.sh, or tools/services/env.sh)"
            );
        } else {
            run(&settings, Some(&postgres)).await;
        }
    });
}

/// The benchmark's knobs.
struct Settings {
    profiles: u64,
    calls: usize,
    in_flight: usize,
}

/// What one id must be answered, whichever path asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Reachable,
    Deselected,
    NoProfile,
}

/// One call's ids and the answers the seed implies, in order.
struct Batch {
    ids: Vec<RecipientId>,
    expected: Vec<Answer>,
}

/// One path's timed calls.
struct Timings {
    ids: usize,
    elapsed: Duration,
    calls: Vec<Duration>,
}

/// One half of the benchmark: on SQLite files, or on fresh databases of the PostgreSQL
/// server at `postgres` (an admin URL).
async fn run(settings: &Settings, postgres: Option<&str>) {
    let database = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\n== {database}: {} profiles", settings.profiles);
    let started = Instant::now();
    let federation = Federation::start(FederationOptions {
        sqlite_only: postgres.is_none(),
        ..FederationOptions::default()
    })
    .await;
    println!(
        "federation started in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let population = population(settings.profiles);
    seed_registry(&federation, &population).await;
    if postgres.is_some() {
        prewarm(&federation.registry_database_url()).await;
    }
    let batches = batches(&population, WARM_UP_CALLS + settings.calls);
    let (warm_up, timed) = batches.split_at(WARM_UP_CALLS);
    let sender = seed::SENDERS[0].organisation_number();
    let caller = seed::INTERMEDIARY.organisation_number();
    let store = Database::connect(&federation.registry_database_url())
        .await
        .unwrap()
        .registry();
    let registry = federation.demo().registry.registry();
    let toolkit = federation.toolkit();

    println!(
        "{:<52} {:>9} {:>10} {:>8} {:>8}",
        "path (1 000 ids per call)", "in flight", "ids/s", "p50 ms", "p99 ms"
    );
    let sql = async |ids: &[RecipientId]| {
        let rows = store.is_reachable(&sender, ids).await.unwrap();
        rows.iter().map(store_answer).collect::<Vec<_>>()
    };
    measure("store: SQL only", warm_up, timed, 1, sql).await;
    let operation = async |ids: &[RecipientId]| {
        let answers = registry.is_reachable(&caller, &sender, ids).await.unwrap();
        answers.iter().map(registry_answer).collect::<Vec<_>>()
    };
    measure(
        "registry: access checks + SQL, no XML",
        warm_up,
        timed,
        1,
        operation,
    )
    .await;
    let soap = async |ids: &[RecipientId]| {
        let answers = toolkit.reachability(&sender, ids).await.unwrap();
        answers.iter().map(toolkit_answer).collect::<Vec<_>>()
    };
    let name = "isReachable: SOAP over mutual TLS (sender toolkit)";
    let mut runs = Vec::new();
    for in_flight in BTreeSet::from([1, 2, settings.in_flight]) {
        runs.push((
            in_flight,
            measure(name, warm_up, timed, in_flight, &soap).await,
        ));
    }
    print_acceptance(&runs);
    let registry_database = federation.registry_database_url();
    drop(federation);
    if let Some(admin_url) = postgres {
        drop_database(admin_url, &registry_database).await;
    }
}

/// Loads the profiles and their keys into PostgreSQL's shared buffers (`pg_prewarm`, a
/// contrib module of the server), where a registry in service has them: right after the
/// seed most pages are only in the operating system's cache, and the timed calls would
/// measure copying them in. Says so and goes on when the module is missing.
async fn prewarm(url: &str) {
    use sqlx::{Connection as _, Row as _};
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    let warmed = async {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            .execute(&mut connection)
            .await?;
        sqlx::query(
            "SELECT pg_prewarm('profiles') + pg_prewarm('profiles_pkey') \
             + pg_prewarm('deselected_senders_pkey') AS blocks",
        )
        .fetch_one(&mut connection)
        .await?
        .try_get::<i64, _>("blocks")
    };
    match warmed.await {
        Ok(blocks) => println!("PostgreSQL's cache warmed (pg_prewarm): {blocks} blocks"),
        Err(error) => println!("PostgreSQL's cache not warmed (pg_prewarm): {error}"),
    }
    drop(connection.close().await);
}

/// Drops the PostgreSQL database `url` names, through `admin_url`, ending its sessions.
async fn drop_database(admin_url: &str, url: &str) {
    use sqlx::{Connection as _, Executor as _};
    let name = url::Url::parse(url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    admin.execute(sqlx::AssertSqlSafe(statement)).await.unwrap();
    drop(admin.close().await);
}

/// The seed: 95 % persons, 5 % companies, all registered before the one seeded day.
fn population(profiles: u64) -> StatisticsSeed {
    support::population_today(profiles - profiles / 20, profiles / 20)
}

/// The profiles and the deselections in the registry's database, with progress.
async fn seed_registry(federation: &Federation, population: &StatisticsSeed) {
    let started = Instant::now();
    let database = Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    let progress = |written: u64| {
        if written.is_multiple_of(1_000_000) || written == population.persons + population.companies
        {
            let seconds = started.elapsed().as_secs_f64();
            println!("  seeded {written} profiles in {seconds:.1} s");
        }
    };
    database
        .seed_statistics_reporting(population, &progress)
        .await
        .unwrap();
    let profiles_took = started.elapsed();
    let sender = seed::SENDERS[0].organisation_number();
    let now = time::OffsetDateTime::now_utc();
    let deselections = database
        .seed_deselections(population, &sender, DESELECT_EVERY, now)
        .await
        .unwrap();
    database.close().await;
    let profiles = population.persons + population.companies;
    println!(
        "seeded {profiles} profiles in {:.1} s ({:.0} profiles/s), then {deselections} \
         deselections of {sender} in {:.1} s",
        profiles_took.as_secs_f64(),
        profiles as f64 / profiles_took.as_secs_f64(),
        (started.elapsed() - profiles_took).as_secs_f64(),
    );
}

/// `count` calls of 1 000 distinct ids each (SplitMix64 with a fixed seed, so every run and
/// both databases ask the same ids): nine in ten seeded profiles, one in ten valid
/// personnummer past the seeded persons, which have none.
fn batches(population: &StatisticsSeed, count: usize) -> Vec<Batch> {
    let profiles = population.persons + population.companies;
    let beyond = StatisticsSeed {
        persons: population.persons + (population.persons / 10).max(1_000),
        ..population.clone()
    };
    let mut state: u64 = 0x4b75_7665_7274_2031;
    let mut draw = move |below: u64| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (mixed ^ (mixed >> 31)) % below
    };
    (0..count)
        .map(|_| {
            let mut asked = BTreeSet::new();
            let mut batch = Batch {
                ids: Vec::with_capacity(REACHABILITY_IDS_PER_CALL_MAX),
                expected: Vec::with_capacity(REACHABILITY_IDS_PER_CALL_MAX),
            };
            while batch.ids.len() < REACHABILITY_IDS_PER_CALL_MAX {
                let (id, answer) = if draw(10) == 0 {
                    let index = population.persons + draw(beyond.persons - population.persons);
                    (seeded_recipient(&beyond, index), Answer::NoProfile)
                } else {
                    let index = draw(profiles);
                    let answer = if index.is_multiple_of(DESELECT_EVERY) {
                        Answer::Deselected
                    } else {
                        Answer::Reachable
                    };
                    (seeded_recipient(population, index), answer)
                };
                let id = id.expect("seeded numbers are valid");
                if asked.insert(id.to_wire()) {
                    batch.ids.push(id);
                    batch.expected.push(answer);
                }
            }
            batch
        })
        .collect()
}

/// Runs `warm_up` untimed, then `timed` with `in_flight` calls at once, checks every answer
/// and prints one line.
async fn measure<F>(
    name: &str,
    warm_up: &[Batch],
    timed: &[Batch],
    in_flight: usize,
    ask: F,
) -> Timings
where
    F: AsyncFn(&[RecipientId]) -> Vec<Answer>,
{
    let call = async |batch: &Batch| {
        let start = Instant::now();
        let answers = ask(&batch.ids).await;
        let took = start.elapsed();
        assert!(
            answers == batch.expected,
            "{name}: an id got another answer"
        );
        took
    };
    for batch in warm_up {
        call(batch).await;
    }
    let started = Instant::now();
    let mut calls: Vec<Duration> = futures::stream::iter(timed)
        .map(&call)
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let elapsed = started.elapsed();
    calls.sort();
    let timings = Timings {
        ids: timed.iter().map(|batch| batch.ids.len()).sum(),
        elapsed,
        calls,
    };
    println!(
        "{name:<52} {in_flight:>9} {:>10.0} {:>8.1} {:>8.1}",
        timings.ids_per_second(),
        millis(timings.percentile(50)),
        millis(timings.percentile(99)),
    );
    timings
}

impl Timings {
    fn ids_per_second(&self) -> f64 {
        self.ids as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// The nearest-rank percentile of the sorted call times.
    fn percentile(&self, percent: usize) -> Duration {
        let rank = (self.calls.len() * percent).div_ceil(100).max(1);
        self.calls[rank - 1]
    }
}

/// Whether the service path meets issue 14's registry acceptance with each number of calls
/// in flight: a sender asking about a national mailing may keep a few calls going at once.
fn print_acceptance(runs: &[(usize, Timings)]) {
    for (in_flight, timings) in runs {
        let is_met = timings.ids_per_second() >= ACCEPTED_IDS_PER_SECOND
            && timings.percentile(99) < ACCEPTED_P99;
        println!(
            "acceptance (≥ 50 000 ids/s and p99 < 50 ms), {in_flight} in flight: {}",
            if is_met { "met" } else { "NOT met" }
        );
    }
}

fn store_answer(row: &kuvert_core::registry::Reachability) -> Answer {
    match &row.profile {
        None => Answer::NoProfile,
        Some(found) if found.is_sender_deselected => Answer::Deselected,
        Some(_) => Answer::Reachable,
    }
}

fn registry_answer(answer: &ReachabilityAnswer) -> Answer {
    match (&answer.account, answer.is_reachable) {
        (None, _) => Answer::NoProfile,
        (Some(_), true) => Answer::Reachable,
        (Some(_), false) => Answer::Deselected,
    }
}

fn toolkit_answer(answer: &Reachability) -> Answer {
    match answer {
        Reachability::Reachable(_) => Answer::Reachable,
        Reachability::Unreachable(PaperReason::SenderDeselected) => Answer::Deselected,
        Reachability::Unreachable(_) => Answer::NoProfile,
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
