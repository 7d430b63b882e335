//! Seeds a database with statistics for benchmarks and says how long it took:
//! `cargo run -p kuvert-store --features bench-seed --example seed_statistics -- URL PERSONS`
//! (e.g. `sqlite:///tmp/bench.db?mode=rwc 6000000`). Three operators, five senders, two
//! campaigns, a year of days from 2025-12-01, a third of the profiles registered before.
#![allow(clippy::print_stdout)] // A command-line example reports to its user on stdout.

use std::time::Instant;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{OperatorRecord, SenderRecord};
use kuvert_store::Database;
use kuvert_store::seed::StatisticsSeed;
use time::macros::date;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let (Some(url), Some(persons)) = (arguments.next(), arguments.next()) else {
        return Err("usage: seed_statistics DATABASE_URL PERSONS".into());
    };
    let persons: u64 = persons.parse()?;
    let database = Database::connect(&url).await?;
    let registry = database.registry();
    let mut operators = Vec::new();
    for (number, name) in [
        ("5567000012", "Demobrevlådan"),
        ("5567000020", "Exempelposten"),
        ("5567000038", "Tredje brevlådan"),
    ] {
        let id = OrganisationNumber::parse(number)?;
        let domain = format!(
            "{}.example",
            name.to_lowercase().replace('å', "a").replace(' ', "-")
        );
        registry
            .upsert_operator(&OperatorRecord {
                id: id.clone(),
                name: name.to_owned(),
                service_address: format!("https://{domain}/service/v3").parse()?,
                ui_address: None,
                domain: ServiceDomain::parse(&domain)?,
            })
            .await?;
        operators.push(id);
    }
    let mut senders = Vec::new();
    for (number, name) in [
        ("2120000134", "Exempelkommun"),
        ("2321000008", "Myndigheten"),
        ("2120000142", "Region Exempel"),
        ("2120000159", "Förmedlaren"),
        ("2021004748", "Kommun A"),
    ] {
        let id = OrganisationNumber::parse(number)?;
        registry
            .upsert_sender(&SenderRecord {
                id: id.clone(),
                name: name.to_owned(),
            })
            .await?;
        senders.push(id);
    }
    let seed = StatisticsSeed {
        persons,
        companies: persons / 50,
        registered_before: persons / 3,
        operators,
        senders,
        campaigns: vec![
            CampaignCode::parse("HOST-2026")?,
            CampaignCode::parse("VAR-2026")?,
        ],
        first_day: date!(2025 - 12 - 01),
        days: 365,
    };
    let started = Instant::now();
    let summary = database.seed_statistics(&seed).await?;
    println!("{summary:?} in {:.1} s", started.elapsed().as_secs_f64());
    database.close().await;
    Ok(())
}
