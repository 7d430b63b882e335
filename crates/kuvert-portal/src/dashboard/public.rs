//! The public dashboard's figures: [`DashboardInputs`] (what the registry and the portal's
//! store said) in, the [`Dataset`]s of `/statistik` out, in the page's order. Pure, so the
//! tests and the benchmark check exactly what the page shows.

use kuvert_core::id::OrganisationNumber;
use kuvert_web::i18n::Language;
use time::{Date, Month};

use super::dataset::Dataset;
use super::figures::{self, KeyFigures};
use super::model::{self, AnnualTarget, Factors, RegistryStatistics};

/// Everything the public dashboard is computed from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DashboardInputs {
    pub(crate) statistics: RegistryStatistics,
    pub(crate) targets: Vec<AnnualTarget>,
    pub(crate) factors: Factors,
    /// Senders' names by organisation number (from the registry's senders list).
    pub(crate) sender_names: Vec<(OrganisationNumber, String)>,
}

/// The figures the public dashboard shows, in the fixed order of the page: each is also
/// `/statistik/{slug}.csv` (and `.svg` where it has a chart).
pub const PUBLIC_SLUGS: [&str; 7] = [
    "nyckeltal",
    "brevlador",
    "anslutning",
    "operatorer",
    "brev",
    "brev-per-avsandare",
    "besparing",
];

/// The range the public dashboard shows: the current month and the eleven before it.
pub(crate) fn public_range(today: Date) -> (Date, Date) {
    let mut year = today.year();
    let mut month = today.month();
    for _ in 0..11 {
        if month == Month::January {
            year -= 1;
        }
        month = month.previous();
    }
    // Day 1 exists in every month.
    let from = Date::from_calendar_date(year, month, 1).unwrap_or(today);
    (from, today)
}

/// All datasets of the public dashboard.
pub(crate) fn public_datasets(inputs: &DashboardInputs, language: Language) -> Vec<Dataset> {
    let statistics = &inputs.statistics;
    let mailboxes = model::mailboxes_over_time(statistics);
    let connection = model::connection_rate(statistics, inputs.factors.population, &inputs.targets);
    let shares = model::operator_shares(statistics);
    let months = model::letters_per_month(&statistics.letters);
    let per_sender = model::letters_per_sender(&statistics.letters);
    let savings = model::savings(&months, &inputs.factors);
    let last = mailboxes
        .last()
        .map(|point| point.mailboxes)
        .unwrap_or_default();
    let key = KeyFigures {
        persons: last.persons,
        companies: last.companies,
        connection_percent: model::percent(last.persons, inputs.factors.population).unwrap_or(0.0),
        target_percent: inputs
            .targets
            .iter()
            .find(|target| target.year == statistics.to.year())
            .map(|target| target.percent_persons),
        senders: statistics.senders,
        digital_letters: months.iter().map(|month| month.digital).sum(),
        paper_letters: months.iter().map(|month| month.paper).sum(),
        cost_kronor: savings.iter().map(|month| month.cost_kronor).sum(),
        co2_kilograms: savings.iter().map(|month| month.co2_kilograms).sum(),
    };
    let sender_name = |sender: &OrganisationNumber| {
        inputs
            .sender_names
            .iter()
            .find(|(known, _)| known == sender)
            .map_or_else(|| sender.as_str().to_owned(), |(_, name)| name.clone())
    };
    vec![
        figures::key_figures(&key, language),
        figures::mailboxes(&mailboxes, language),
        figures::connection_rate(&connection, language),
        figures::operator_shares(&shares, language),
        figures::letters(&months, language),
        figures::letters_per_sender(&per_sender, &sender_name, language),
        figures::savings(&savings, language),
    ]
}

#[cfg(test)]
mod tests;
