//! The statistics benchmark (issue 5): each dashboard rendered over HTTP with six million
//! profiles and a year of daily counts, printing the median and p95 time per render. Not a
//! test: it asserts nothing about time, it prints figures.
//!
//! Run: `cargo bench -p kuvert-portal --bench statistics` (release build). Environment:
//! `KUVERT_BENCH_PROFILES` (default 6 000 000) and `KUVERT_BENCH_RENDERS` (default 20).
//!
//! The registry's SQLite database is seeded with `Database::seed_statistics` (kuvert-store
//! feature `bench-seed`): the profiles, their daily counters over 365 days (3 operators,
//! 300 senders' deep links, 10 campaigns) and a year of letters from each sender. A
//! stand-in for the registry's `GET /api/v1/statistics` answers from that store with the
//! same queries and JSON shape as the registry (roles may not depend on each other, so the
//! registry itself cannot run here); the portal reaches it over mutual TLS with its real
//! registry client. What is measured is the whole request at the portal, with the dashboard
//! cache off: the registry queries, the feed's JSON both ways, every figure, page, tables,
//! SVG and CSV. Campaign pages also read the portal's SQLite store (a year of visits and
//! operator choices).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support.rs"]
mod support;
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/world.rs"]
mod world;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_store::Database;
use kuvert_store::portal::{NewCampaign, Visit, VisitSource, VisitorHash};
use kuvert_store::registry::{OperatorRecord, ProfileKind, RegistryStore, ServiceDomain};
use kuvert_store::seed::StatisticsSeed;
use time::Date;

use world::{Browser, OPERATOR, SENDER, World, org, person};

const OPERATORS: [&str; 3] = [OPERATOR, "5599887766", "5560360793"];
const SENDERS: u64 = 300;
const CAMPAIGN: &str = "BENCH-2026";

fn main() {
    let profiles: u64 = setting("KUVERT_BENCH_PROFILES", 6_000_000);
    let renders: usize = setting("KUVERT_BENCH_RENDERS", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(profiles, renders));
}

async fn run(profiles: u64, renders: usize) {
    let today = support::today();
    let dir = tempfile::tempdir().unwrap();
    let registry = seed_registry(dir.path(), today, profiles).await;
    let feed = Feed {
        registry,
        timings: Arc::new(Mutex::new(Vec::new())),
    };
    let statistics = Router::new()
        .route("/api/v1/statistics", get(statistics))
        .with_state(feed.clone());
    let world =
        World::start_with_statistics(statistics, |config| config.statistics.cache_secs = 0).await;
    seed_campaign(&world, today).await;
    let mut browser = Browser::new();
    world
        .store
        .grant_communicator(&person(world::COMMUNICATOR), &[org(SENDER)], true)
        .await
        .unwrap();
    browser.log_in(&world, 0).await;
    let mut pages = vec!["/statistik".to_owned()];
    for figure in [
        "nyckeltal",
        "brevlador",
        "anslutning",
        "operatorer",
        "brev",
        "brev-per-avsandare",
        "besparing",
    ] {
        pages.push(format!("/statistik/{figure}.csv"));
    }
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}"));
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}/tratt.csv"));
    pages.push("/kommunikator".to_owned());
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "page", "median ms", "p95 ms", "bytes"
    );
    for page in pages {
        let mut times = Vec::with_capacity(renders);
        let mut bytes = 0;
        for _ in 0..renders {
            let start = Instant::now();
            let response = browser.get(&world.url(&page)).await;
            assert!(
                response.status().is_success(),
                "{page}: {}",
                response.status()
            );
            bytes = response.bytes().await.unwrap().len();
            times.push(start.elapsed());
        }
        times.sort();
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95).div_ceil(100).saturating_sub(1)];
        println!(
            "{page:<48} {:>10.1} {:>10.1} {bytes:>10}",
            millis(median),
            millis(p95)
        );
    }
    print_feed_timings(&feed);
}

/// The stand-in registry's store, and how long each part of each feed request took.
#[derive(Clone)]
struct Feed {
    registry: Arc<dyn RegistryStore>,
    timings: Arc<Mutex<Vec<[Duration; 3]>>>,
}

/// The registry's share of the times above: its store queries and its JSON.
fn print_feed_timings(feed: &Feed) {
    let timings = feed.timings.lock().unwrap();
    let count = u32::try_from(timings.len().max(1)).unwrap_or(u32::MAX);
    let mean =
        |part: usize| millis(timings.iter().map(|parts| parts[part]).sum::<Duration>() / count);
    println!(
        "registry feed, mean of {} requests: counters query {:.1} ms, other queries {:.1} ms, \
         JSON {:.1} ms",
        timings.len(),
        mean(0),
        mean(1),
        mean(2)
    );
}

/// The registry's database with `profiles` profiles: 90 % registered before the year, the
/// rest over its 365 days, 5 % of them companies.
async fn seed_registry(
    dir: &std::path::Path,
    today: Date,
    profiles: u64,
) -> Arc<dyn RegistryStore> {
    let started = Instant::now();
    let url = format!("sqlite://{}?mode=rwc", dir.join("registry.db").display());
    let database = Database::connect(&url).await.unwrap();
    let registry = database.registry();
    for (index, number) in OPERATORS.iter().enumerate() {
        let operator = OperatorRecord {
            id: org(number),
            name: format!("Operatör {index}"),
            service_address: url::Url::parse("https://operator.example/service/v3").unwrap(),
            ui_address: None,
            domain: ServiceDomain::parse(&format!("operator{index}.example")).unwrap(),
        };
        registry.upsert_operator(&operator).await.unwrap();
    }
    let seed = StatisticsSeed {
        persons: profiles - profiles / 20,
        companies: profiles / 20,
        registered_before: profiles / 10 * 9,
        operators: OPERATORS.iter().map(|number| org(number)).collect(),
        senders: (0..SENDERS).map(sender_number).collect(),
        campaigns: std::iter::once(CAMPAIGN.to_owned())
            .chain((1..10).map(|index| format!("K-{index}")))
            .map(|code| CampaignCode::parse(&code).unwrap())
            .collect(),
        first_day: today - time::Duration::days(364),
        days: 365,
    };
    let summary = database.seed_statistics(&seed).await.unwrap();
    println!(
        "seeded {} profiles, {} daily counter rows and {} letter rows in {:.1} s",
        summary.profiles,
        summary.daily_rows,
        summary.letter_rows,
        started.elapsed().as_secs_f64()
    );
    registry
}

/// The stand-in for the registry's `GET /api/v1/statistics`: its store queries and JSON.
async fn statistics(
    State(feed): State<Feed>,
    Query(range): Query<HashMap<String, String>>,
) -> axum::Json<serde_json::Value> {
    let registry = &feed.registry;
    let started = Instant::now();
    let day = |name: &str| {
        Date::parse(
            &range[name],
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
    };
    let (from, to) = (day("from"), day("to"));
    let query = kuvert_store::registry::RegistrationQuery::all(from, to);
    let rows = registry.registration_statistics(&query).await.unwrap();
    let counters_done = Instant::now();
    let before = registry.mailboxes_before(from).await.unwrap();
    let per_operator = registry.mailboxes_before_per_operator(from).await.unwrap();
    let letters = registry
        .letter_statistics(YearMonth::of(from), YearMonth::of(to))
        .await
        .unwrap();
    let senders = registry.sender_count().await.unwrap();
    let operators = registry.operators().await.unwrap();
    let queries_done = Instant::now();
    let text = |value: Option<String>| value.map_or(serde_json::Value::Null, Into::into);
    let json = serde_json::json!({
        "registrations": rows.into_iter().map(|row| serde_json::json!({
            "day": row.day.to_string(),
            "operator": row.operator.as_str(),
            "kind": if row.kind == ProfileKind::Person { "person" } else { "company" },
            "source_sender": text(row.source_sender.map(|sender| sender.as_str().to_owned())),
            "source_campaign": text(row.source_campaign.map(|code| code.as_str().to_owned())),
            "registered": row.registered,
            "deregistered": row.deregistered,
            "moved_in": row.moved_in,
            "moved_out": row.moved_out,
        })).collect::<Vec<_>>(),
        "letters": letters.into_iter().map(|row| serde_json::json!({
            "sender": row.sender.as_str(),
            "month": row.month.to_string(),
            "digital": row.digital,
            "paper": row.paper,
        })).collect::<Vec<_>>(),
        "mailboxes_before": {"person": before.person, "company": before.company},
        "mailboxes_before_per_operator": per_operator.into_iter().map(|row| serde_json::json!({
            "operator": row.operator.as_str(),
            "person": row.mailboxes.person,
            "company": row.mailboxes.company,
        })).collect::<Vec<_>>(),
        "senders": senders,
        "operators": operators.into_iter().map(|operator| serde_json::json!({
            "organisation_number": operator.id.as_str(),
            "name": operator.name,
        })).collect::<Vec<_>>(),
    });
    let parts = [
        counters_done - started,
        queries_done - counters_done,
        queries_done.elapsed(),
    ];
    feed.timings.lock().unwrap().push(parts);
    axum::Json(json)
}

/// A valid organisation number (Luhn) for sender `index`: 212000xxxC.
fn sender_number(index: u64) -> kuvert_core::id::OrganisationNumber {
    let body = format!("212{:06}", 100_000 + index);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0') * if position % 2 == 0 { 2 } else { 1 };
            digit / 10 + digit % 10
        })
        .sum();
    org(&format!("{body}{}", (10 - sum % 10) % 10))
}

/// The campaign and a year of its visits and operator choices in the portal's store.
async fn seed_campaign(world: &World, today: Date) {
    let code = CampaignCode::parse(CAMPAIGN).unwrap();
    let starts_on = today - time::Duration::days(364);
    let campaign = NewCampaign {
        code: code.clone(),
        name: "Benchmark".to_owned(),
        owners: vec![org(SENDER)],
        channel: "Brev".to_owned(),
        starts_on,
        ends_on: today,
        goal_registrations: 100_000,
    };
    world.store.create_campaign(&campaign).await.unwrap();
    let source = VisitSource {
        sender: Some(org(SENDER)),
        campaign: Some(code.clone()),
        campaign_known: true,
        referrer_domain: None,
    };
    let days = std::iter::successors(Some(starts_on), |day| day.next_day())
        .take_while(|day| *day <= today);
    for (index, day) in days.enumerate() {
        for visitor in 0..3_u8 {
            let mut hash = [visitor; 32];
            hash[..8].copy_from_slice(&(index as u64).to_le_bytes());
            let visit = Visit {
                day,
                page: "/skaffa".to_owned(),
                visitor: VisitorHash(hash),
                source: source.clone(),
            };
            world.store.record_visit(&visit).await.unwrap();
        }
        world
            .store
            .record_operator_choice(day, "demobrevladan", Some(&org(SENDER)), Some(&code))
            .await
            .unwrap();
    }
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    #[allow(clippy::disallowed_methods)]
    let value = std::env::var(name);
    value
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
