//! The statistics benchmark (issue 5): every dashboard rendered over HTTP by the real
//! federation — `kuvert demo`'s registry, portal and test e-ID started in-process by
//! [`kuvert::testkit::Federation`] — with six million profiles and a year of daily counts,
//! printing the median and p95 time per page. Not a test: it asserts nothing about time.
//!
//! Run: `cargo bench -p kuvert --bench statistics` (release build). Environment:
//! `KUVERT_BENCH_PROFILES` (default 6 000 000) and `KUVERT_BENCH_RENDERS` (default 20). The
//! roles run on SQLite files in a temporary directory (removed at the end), or on fresh
//! PostgreSQL databases when `KUVERT_TEST_PG_URL` is set, as in the federation tests.
//!
//! After the federation started, the registry's database is seeded with
//! `Database::seed_statistics` (kuvert-store feature `bench-seed`): the profiles at the demo's
//! two operators, 90 % registered before the year and the rest over its 365 days, their daily
//! counters (300 senders' deep links, 10 campaigns) and a year of letters per sender. The
//! portal's store gets a campaign with a year of visits and operator choices and this year's
//! target. The portal runs with its dashboard cache off, so every request asks the registry's
//! statistics feed over mutual TLS. Measured is the whole request at the portal; the
//! registry feed's share is measured apart, asked the same way by the portal's client.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::missing_panics_doc)]

mod support;

use std::time::{Duration, Instant};

use kuvert::demo::COMMUNICATOR;
use kuvert::seed;
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::operator::OperatorSlug;
use kuvert_portal::PUBLIC_FIGURES;
use kuvert_store::Database;
use kuvert_store::portal::{
    NewCampaign, OperatorChoice, PortalStore, Visit, VisitSource, VisitorHash,
};
use kuvert_store::seed::StatisticsSeed;
use support::setting;
use time::Date;

/// Senders whose deep links brought some of the profiles.
const SENDERS: u64 = 300;
/// The campaign whose pages are measured; nine more share the seeded profiles.
const CAMPAIGN: &str = "BENCH-2026";

fn main() {
    let profiles: u64 = setting("KUVERT_BENCH_PROFILES", 6_000_000);
    let renders: usize = setting("KUVERT_BENCH_RENDERS", 20).max(1);
    support::block_on(run(profiles, renders));
}

async fn run(profiles: u64, renders: usize) {
    let started = Instant::now();
    let federation = Federation::start(FederationOptions {
        portal_statistics_cache_secs: Some(0),
        ..FederationOptions::default()
    })
    .await;
    println!(
        "federation started in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let today = kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc());
    seed_registry(&federation, today, profiles).await;
    let store = federation.demo().portal.store();
    seed_portal(store.as_ref(), today).await;
    let browser = federation
        .login_communicator(COMMUNICATOR.seed_person())
        .await;

    println!(
        "{:<60} {:>10} {:>10} {:>10}",
        "page", "median ms", "p95 ms", "bytes"
    );
    let base = federation.portal_url();
    for page in pages() {
        let url = base.join(page.trim_start_matches('/')).unwrap();
        let Some(times) = measure(renders, || page_bytes(&browser, url.as_str())).await else {
            println!("{page:<60} {:>10}", "absent");
            continue;
        };
        print_line(&page, &times);
    }
    measure_feed(&federation, today, renders).await;
    drop(federation);
}

/// Every dashboard page: the public one in both languages and each figure's files, then a
/// campaign's page and files and the communicator's overview.
fn pages() -> Vec<String> {
    let mut pages = vec![
        "/statistik?lang=sv".to_owned(),
        "/statistik?lang=en".to_owned(),
    ];
    for figure in PUBLIC_FIGURES {
        pages.push(format!("/statistik/{figure}.csv?lang=sv"));
        pages.push(format!("/statistik/{figure}.svg?lang=sv"));
    }
    pages.push(format!("/statistik/{}.csv?lang=en", PUBLIC_FIGURES[1]));
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}?lang=sv"));
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}?lang=en"));
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}/tratt.csv"));
    pages.push(format!("/kommunikator/kampanjer/{CAMPAIGN}/tratt.svg"));
    pages.push("/kommunikator?lang=sv".to_owned());
    pages.push("/kommunikator/resultat/kampanjer.csv".to_owned());
    pages
}

/// The body's length of a successful `GET`, `None` for a 404 (a figure without a chart).
async fn page_bytes(browser: &Browser, url: &str) -> Option<usize> {
    let response = browser.get(url).await;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    Some(response.bytes().await.unwrap().len())
}

/// `renders` timings of `request` and the last answer's size; `None` when it answered none.
async fn measure<F, Fut>(renders: usize, mut request: F) -> Option<(Vec<Duration>, usize)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<usize>>,
{
    let mut times = Vec::with_capacity(renders);
    let mut bytes = 0;
    for _ in 0..renders {
        let start = Instant::now();
        bytes = request().await?;
        times.push(start.elapsed());
    }
    times.sort();
    Some((times, bytes))
}

fn print_line(name: &str, (times, bytes): &(Vec<Duration>, usize)) {
    let median = times[times.len() / 2];
    let p95 = times[(times.len() * 95).div_ceil(100).saturating_sub(1)];
    println!(
        "{name:<60} {:>10.1} {:>10.1} {bytes:>10}",
        millis(median),
        millis(p95)
    );
}

/// The registry's share: its statistics feed asked as each page asks it, by the portal's own
/// registry client (mutual TLS, the registry's queries, its JSON, and JSON parsing here).
async fn measure_feed(federation: &Federation, today: Date, renders: usize) {
    let registry = federation.demo().portal.registry();
    let year = format!("from={}&to={today}", today - time::Duration::days(364));
    let asks = [
        ("public: sources=none", format!("{year}&sources=none")),
        (
            "public without letters: letters=false",
            format!("{year}&sources=none&letters=false"),
        ),
        (
            "campaign: sources=campaign&campaign=…",
            format!("{year}&sources=campaign&campaign={CAMPAIGN}&letters=false"),
        ),
        (
            "every source row: sources=all",
            format!("{year}&sources=all"),
        ),
    ];
    for (name, query) in asks {
        let path = format!("/api/v1/statistics?{query}");
        let timed = measure(renders, || async {
            let feed: serde_json::Value = registry.get_json(&path).await.unwrap();
            Some(feed["registrations"].as_array().map_or(0, Vec::len))
        })
        .await;
        if let Some((times, rows)) = timed {
            print_line(
                &format!("registry feed, {name} ({rows} rows)"),
                &(times, rows),
            );
        }
    }
}

/// The registry's database with `profiles` profiles: 90 % registered before the year, the
/// rest over its 365 days, 5 % of them companies.
async fn seed_registry(federation: &Federation, today: Date, profiles: u64) {
    let started = Instant::now();
    let database = Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    let seed = StatisticsSeed {
        registered_before: profiles / 10 * 9,
        senders: (0..SENDERS).map(sender_number).collect(),
        campaigns: std::iter::once(CAMPAIGN.to_owned())
            .chain((1..10).map(|index| format!("K-{index}")))
            .map(|code| CampaignCode::parse(&code).unwrap())
            .collect(),
        first_day: today - time::Duration::days(364),
        days: 365,
        ..support::population_today(profiles - profiles / 20, profiles / 20)
    };
    let summary = database.seed_statistics(&seed).await.unwrap();
    database.close().await;
    println!(
        "seeded the registry: {} profiles, {} daily counter rows and {} letter rows in {:.1} s",
        summary.profiles,
        summary.daily_rows,
        summary.letter_rows,
        started.elapsed().as_secs_f64()
    );
}

/// A valid organisation number (Luhn) for sender `index`: 212000xxxC.
fn sender_number(index: u64) -> OrganisationNumber {
    let body = format!("212{:06}", 100_000 + index);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0') * if position % 2 == 0 { 2 } else { 1 };
            digit / 10 + digit % 10
        })
        .sum();
    OrganisationNumber::parse(&format!("{body}{}", (10 - sum % 10) % 10)).unwrap()
}

/// The campaign with a year of visits (three a day) and operator choices (one a day), and
/// this year's annual target, in the portal's store.
async fn seed_portal(store: &dyn PortalStore, today: Date) {
    let started = Instant::now();
    let owner = seed::SENDERS[0].organisation_number();
    let code = CampaignCode::parse(CAMPAIGN).unwrap();
    let starts_on = today - time::Duration::days(364);
    let campaign = NewCampaign {
        code: code.clone(),
        name: "Benchmark".to_owned(),
        owners: vec![owner.clone()],
        channel: "Brev".to_owned(),
        starts_on,
        ends_on: today,
        goal_registrations: 100_000,
    };
    store.create_campaign(&campaign).await.unwrap();
    store.set_annual_target(today.year(), 70.0).await.unwrap();
    let source = VisitSource {
        sender: Some(owner.clone()),
        campaign: Some(code.clone()),
        campaign_known: true,
        referrer_domain: None,
    };
    let days = std::iter::successors(Some(starts_on), |day| day.next_day())
        .take_while(|day| *day <= today);
    let slug = OperatorSlug::parse(seed::OPERATORS[0].key).expect("the demo's slugs are valid");
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
            store.record_visit(&visit).await.unwrap();
        }
        let choice = OperatorChoice {
            day,
            operator_slug: slug.clone(),
            sender: Some(owner.clone()),
            campaign: Some(code.clone()),
        };
        store.record_operator_choice(&choice).await.unwrap();
    }
    println!(
        "seeded the portal: a campaign, a year of visits and choices, a target in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The demo's communicator (an admin), logged in at the portal through the test e-ID.
fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
