//! The statistics benchmark (issue 5): each dashboard rendered over HTTP against a year of
//! daily registration counts for six million profiles, printing the median and p95 time per
//! render. Not a test: it asserts nothing about time, it prints figures.
//!
//! Run: `cargo bench -p kuvert-portal --bench statistics` (release build). Environment:
//! `KUVERT_BENCH_PROFILES` (default 6 000 000) sets the mailboxes the feed adds up to and
//! `KUVERT_BENCH_RENDERS` (default 20) the renders per page.
//!
//! What is measured: the whole request at the portal — the registry client fetching the
//! statistics feed over mutual TLS from a stand-in registry on 127.0.0.1 (the JSON the
//! registry's `GET /api/v1/statistics` sends: one row per day, operator, kind and source,
//! 3 operators × 2 kinds × 10 sources × 365 days), parsing it, computing every figure and
//! rendering page, tables, SVG and CSV — with the dashboard cache off, so every render
//! computes. Campaign pages also read the portal's SQLite store (a year of visits and
//! operator choices). Not measured: the registry's own SQL for the feed, which reads only
//! its daily aggregate table, never the profiles (see kuvert-store `registry::statistics`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support.rs"]
mod support;
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/world.rs"]
mod world;

use std::time::{Duration, Instant};

use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::{NewCampaign, Visit, VisitSource, VisitorHash};
use time::Date;

use world::{Browser, OPERATOR, SENDER, World, org, person};

const OPERATORS: [&str; 3] = [OPERATOR, "5599887766", "5560360793"];
const SOURCES_PER_DAY: usize = 10;
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
    let started = Instant::now();
    let feed = year_of_counts(today, profiles);
    let feed_bytes = serde_json::to_vec(&feed).unwrap().len();
    let world = World::start_with(feed, |config| config.statistics.cache_secs = 0).await;
    seed_campaign(&world, today).await;
    println!(
        "seeded {profiles} profiles as a year of daily counts ({feed_bytes} bytes of feed) \
         in {:.1} s",
        started.elapsed().as_secs_f64()
    );
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
}

/// A year of daily counts whose mailboxes add up to `profiles` at the end: 90 % of them
/// before the year, the rest registered evenly over its days, spread over operators, kinds
/// and sources; letters from 300 senders per month.
fn year_of_counts(today: Date, profiles: u64) -> serde_json::Value {
    let first = Date::from_calendar_date(today.year() - 1, today.month(), 1).unwrap();
    let (from, _) = (first + time::Duration::days(31), today);
    let days: Vec<Date> =
        std::iter::successors(Some(from.replace_day(1).unwrap()), |day| day.next_day())
            .take_while(|day| *day <= today)
            .collect();
    let before = profiles / 10 * 9;
    let rows_per_day = (OPERATORS.len() * 2 * SOURCES_PER_DAY) as u64;
    let per_row = (profiles - before) / (days.len() as u64 * rows_per_day);
    let mut registrations = Vec::new();
    for day in &days {
        for operator in OPERATORS {
            for kind in ["person", "company"] {
                for source in 0..SOURCES_PER_DAY {
                    let campaign = if source == 0 {
                        CAMPAIGN.to_owned()
                    } else {
                        format!("K-{source}")
                    };
                    registrations.push(serde_json::json!({
                        "day": day.to_string(), "operator": operator, "kind": kind,
                        "source_sender": SENDER, "source_campaign": campaign,
                        "registered": per_row, "deregistered": per_row / 20,
                        "moved_in": per_row / 50, "moved_out": per_row / 50,
                    }));
                }
            }
        }
    }
    let mut letters = Vec::new();
    for sender in 0..300_u64 {
        let number = sender_number(sender);
        for month_start in days.iter().filter(|day| day.day() == 1) {
            letters.push(serde_json::json!({
                "sender": number,
                "month": format!("{:04}-{:02}", month_start.year(), u8::from(month_start.month())),
                "digital": 10_000 + sender * 7, "paper": 4_000 + sender * 3,
            }));
        }
    }
    serde_json::json!({
        "registrations": registrations,
        "letters": letters,
        "mailboxes_before": {"person": before / 10 * 9, "company": before / 10},
        "senders": 300,
        "operators": OPERATORS.iter().enumerate().map(|(index, number)| {
            serde_json::json!({"organisation_number": number, "name": format!("Operatör {index}")})
        }).collect::<Vec<_>>(),
    })
}

/// A valid organisation number (Luhn) for sender `index`: 212000xxxC.
fn sender_number(index: u64) -> String {
    let body = format!("212{:06}", 100_000 + index);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0') * if position % 2 == 0 { 2 } else { 1 };
            digit / 10 + digit % 10
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
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
