//! The dashboards' figures as pure functions of their inputs: the registry's statistics feed
//! ([`RegistryStatistics`]), the portal's own counts and the configured [`Factors`].
//!
//! Kept free of I/O and of HTTP so every figure a dashboard shows can be checked against
//! known data in unit tests, and so the benchmark measures exactly what a page computes.
//! Mailbox counts are cumulative: the active mailboxes before the range plus each day's
//! registrations minus deregistrations (a change of operator moves a mailbox between
//! operators and leaves the total unchanged).

use std::collections::BTreeMap;
use std::fmt;

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{STATISTICS_DAILY_SERIES_DAYS_MAX, STATISTICS_RANGE_DAYS_MAX};
use time::Date;

/// A recipient's kind, as the registry counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailboxKind {
    /// A person (personnummer or samordningsnummer).
    Person,
    /// A company or other organisation.
    Company,
}

/// One row of the registry's daily counts: one day, operator, kind and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DailyRegistrations {
    pub(crate) day: Date,
    pub(crate) operator: OrganisationNumber,
    pub(crate) kind: MailboxKind,
    pub(crate) source_sender: Option<OrganisationNumber>,
    pub(crate) source_campaign: Option<CampaignCode>,
    pub(crate) registered: u64,
    pub(crate) deregistered: u64,
    pub(crate) moved_in: u64,
    pub(crate) moved_out: u64,
}

/// Letters one sender sent in one month, digital and on paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonthlyLetters {
    pub(crate) sender: OrganisationNumber,
    pub(crate) month: YearMonth,
    pub(crate) digital: u64,
    pub(crate) paper: u64,
}

/// Mailboxes of persons and of companies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KindCounts {
    pub(crate) persons: u64,
    pub(crate) companies: u64,
}

/// The registry's statistics feed for `from..=to`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistryStatistics {
    pub(crate) from: Date,
    pub(crate) to: Date,
    pub(crate) registrations: Vec<DailyRegistrations>,
    pub(crate) letters: Vec<MonthlyLetters>,
    /// Active mailboxes at the start of `from`.
    pub(crate) mailboxes_before: KindCounts,
    /// The same per operator, when the registry gives it.
    pub(crate) mailboxes_before_per_operator: Vec<(OrganisationNumber, KindCounts)>,
    /// Senders connected now.
    pub(crate) senders: u64,
    /// Operators' names by organisation number.
    pub(crate) operator_names: Vec<(OrganisationNumber, String)>,
}

/// A year's target for the connection rate, from the annual communication plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AnnualTarget {
    pub(crate) year: i32,
    /// Persons with a mailbox at the end of the year, in per cent of the population.
    pub(crate) percent_persons: f64,
}

/// The configured constants the figures depend on ([`crate::StatisticsConfig`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Factors {
    /// The people who could have a mailbox: the denominator of the connection rate.
    pub(crate) population: u64,
    /// Paper per letter sent digitally instead, in grams.
    pub(crate) paper_grams_per_letter: f64,
    /// Postage and printing per letter, in kronor.
    pub(crate) cost_kronor_per_letter: f64,
    /// CO₂ per paper letter, in grams.
    pub(crate) co2_grams_per_letter: f64,
}

/// The point a series value belongs to: a day, or a month (value at its last day in range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Period {
    Day(Date),
    Month(YearMonth),
}

/// Mailboxes active at the end of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MailboxPoint {
    pub(crate) period: Period,
    pub(crate) mailboxes: KindCounts,
}

/// The connection rate at the end of a month against that year's target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ConnectionPoint {
    pub(crate) month: YearMonth,
    pub(crate) persons: u64,
    pub(crate) percent: f64,
    pub(crate) target_percent: Option<f64>,
}

/// One operator's active mailboxes at the end of the range and its share of all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OperatorShare {
    pub(crate) operator: OrganisationNumber,
    pub(crate) name: String,
    pub(crate) mailboxes: KindCounts,
    pub(crate) percent: f64,
}

/// Letters of one month over all senders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LettersMonth {
    pub(crate) month: YearMonth,
    pub(crate) digital: u64,
    pub(crate) paper: u64,
}

/// What the digital letters of one month saved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Savings {
    pub(crate) month: YearMonth,
    pub(crate) digital_letters: u64,
    pub(crate) paper_kilograms: f64,
    pub(crate) cost_kronor: f64,
    pub(crate) co2_kilograms: f64,
}

/// The portal's counts for one campaign and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortalFunnelDay {
    pub(crate) day: Date,
    pub(crate) visits: u64,
    pub(crate) operator_choices: u64,
}

/// One day of a campaign's funnel: visits → operator chosen → registrations completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FunnelDay {
    pub(crate) visits: u64,
    pub(crate) operator_choices: u64,
    pub(crate) registrations: u64,
}

/// A campaign's funnel per day and its result against the goal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CampaignFunnel {
    pub(crate) days: Vec<(Date, FunnelDay)>,
    pub(crate) total: FunnelDay,
    pub(crate) goal_registrations: u64,
    /// Registrations in per cent of the goal; `None` when the goal is 0.
    pub(crate) percent_of_goal: Option<f64>,
}

impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(day) => write!(
                formatter,
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            ),
            Self::Month(month) => month.fmt(formatter),
        }
    }
}

impl KindCounts {
    /// Persons and companies together.
    pub(crate) fn total(self) -> u64 {
        self.persons + self.companies
    }

    fn add(&mut self, kind: MailboxKind, change: i64) {
        let count = match kind {
            MailboxKind::Person => &mut self.persons,
            MailboxKind::Company => &mut self.companies,
        };
        *count = count.saturating_add_signed(change);
    }
}

impl DailyRegistrations {
    /// The change in the number of mailboxes in the whole federation.
    fn net_total(&self) -> i64 {
        signed(self.registered) - signed(self.deregistered)
    }

    /// The change at this row's operator (moves included).
    fn net_at_operator(&self) -> i64 {
        self.net_total() + signed(self.moved_in) - signed(self.moved_out)
    }
}

/// Active mailboxes at the end of each day (ranges shorter than
/// [`STATISTICS_DAILY_SERIES_DAYS_MAX`] days) or each month of `statistics`' range.
pub(crate) fn mailboxes_over_time(statistics: &RegistryStatistics) -> Vec<MailboxPoint> {
    let is_daily =
        (statistics.to - statistics.from).whole_days() < STATISTICS_DAILY_SERIES_DAYS_MAX;
    let daily = daily_mailboxes(statistics);
    let mut points: Vec<MailboxPoint> = Vec::new();
    for (day, mailboxes) in daily {
        let period = if is_daily {
            Period::Day(day)
        } else {
            Period::Month(YearMonth::of(day))
        };
        match points.last_mut() {
            // A month's value is the one at its last day in the range.
            Some(last) if last.period == period => last.mailboxes = mailboxes,
            _ => points.push(MailboxPoint { period, mailboxes }),
        }
    }
    points
}

/// Persons with a mailbox in per cent of `population` at the end of each month, against the
/// year's target (none when no target was entered for that year).
pub(crate) fn connection_rate(
    statistics: &RegistryStatistics,
    population: u64,
    targets: &[AnnualTarget],
) -> Vec<ConnectionPoint> {
    let mut monthly: BTreeMap<YearMonth, u64> = BTreeMap::new();
    for (day, mailboxes) in daily_mailboxes(statistics) {
        monthly.insert(YearMonth::of(day), mailboxes.persons);
    }
    monthly
        .into_iter()
        .map(|(month, persons)| ConnectionPoint {
            month,
            persons,
            percent: percent(persons, population).unwrap_or(0.0),
            target_percent: targets
                .iter()
                .find(|target| target.year == month.year())
                .map(|target| target.percent_persons),
        })
        .collect()
}

/// Each operator's active mailboxes at the end of the range and share of all, largest first.
pub(crate) fn operator_shares(statistics: &RegistryStatistics) -> Vec<OperatorShare> {
    let mut per_operator: BTreeMap<&OrganisationNumber, KindCounts> = BTreeMap::new();
    for (operator, counts) in &statistics.mailboxes_before_per_operator {
        *per_operator.entry(operator).or_default() = *counts;
    }
    for (operator, _) in &statistics.operator_names {
        per_operator.entry(operator).or_default();
    }
    for row in &statistics.registrations {
        per_operator
            .entry(&row.operator)
            .or_default()
            .add(row.kind, row.net_at_operator());
    }
    let all: u64 = per_operator.values().map(|counts| counts.total()).sum();
    let mut shares: Vec<OperatorShare> = per_operator
        .into_iter()
        .map(|(operator, mailboxes)| OperatorShare {
            name: operator_name(statistics, operator),
            operator: operator.clone(),
            percent: percent(mailboxes.total(), all).unwrap_or(0.0),
            mailboxes,
        })
        .collect();
    shares.sort_by_key(|share| std::cmp::Reverse(share.mailboxes.total()));
    shares
}

/// Letters per month over all senders, in month order.
pub(crate) fn letters_per_month(letters: &[MonthlyLetters]) -> Vec<LettersMonth> {
    let mut months: BTreeMap<YearMonth, (u64, u64)> = BTreeMap::new();
    for row in letters {
        let entry = months.entry(row.month).or_default();
        entry.0 += row.digital;
        entry.1 += row.paper;
    }
    months
        .into_iter()
        .map(|(month, (digital, paper))| LettersMonth {
            month,
            digital,
            paper,
        })
        .collect()
}

/// Letters per sender and month, by sender then month.
pub(crate) fn letters_per_sender(letters: &[MonthlyLetters]) -> Vec<MonthlyLetters> {
    let mut sorted = letters.to_vec();
    sorted.sort_by(|a, b| (&a.sender, a.month).cmp(&(&b.sender, b.month)));
    sorted
}

/// What each month's digital letters saved in paper, postage and CO₂.
pub(crate) fn savings(months: &[LettersMonth], factors: &Factors) -> Vec<Savings> {
    months
        .iter()
        .map(|month| {
            let letters = month.digital as f64;
            Savings {
                month: month.month,
                digital_letters: month.digital,
                paper_kilograms: letters * factors.paper_grams_per_letter / 1_000.0,
                cost_kronor: letters * factors.cost_kronor_per_letter,
                co2_kilograms: letters * factors.co2_grams_per_letter / 1_000.0,
            }
        })
        .collect()
}

/// A campaign's funnel: the portal's visits and operator choices per day joined with the
/// registrations the registry recorded under any of `codes` as their source (the campaign's
/// own code and those standing for it and an A/B variant; or a variant's codes).
pub(crate) fn campaign_funnel(
    codes: &[CampaignCode],
    goal_registrations: u64,
    portal_days: &[PortalFunnelDay],
    statistics: &RegistryStatistics,
) -> CampaignFunnel {
    let mut days: BTreeMap<Date, FunnelDay> = BTreeMap::new();
    for portal_day in portal_days {
        let day = days.entry(portal_day.day).or_default();
        day.visits += portal_day.visits;
        day.operator_choices += portal_day.operator_choices;
    }
    let registrations = statistics.registrations.iter().filter(|row| {
        row.source_campaign
            .as_ref()
            .is_some_and(|source| codes.contains(source))
    });
    for row in registrations {
        days.entry(row.day).or_default().registrations += row.registered;
    }
    let mut total = FunnelDay::default();
    for day in days.values() {
        total.visits += day.visits;
        total.operator_choices += day.operator_choices;
        total.registrations += day.registrations;
    }
    CampaignFunnel {
        days: days.into_iter().collect(),
        total,
        goal_registrations,
        percent_of_goal: percent(total.registrations, goal_registrations),
    }
}

/// `part` in per cent of `whole`; `None` when `whole` is 0.
pub(crate) fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Active mailboxes at the end of every day of the range.
fn daily_mailboxes(statistics: &RegistryStatistics) -> Vec<(Date, KindCounts)> {
    let mut net_per_day: BTreeMap<Date, (i64, i64)> = BTreeMap::new();
    for row in &statistics.registrations {
        let net = net_per_day.entry(row.day).or_default();
        match row.kind {
            MailboxKind::Person => net.0 += row.net_total(),
            MailboxKind::Company => net.1 += row.net_total(),
        }
    }
    let mut current = statistics.mailboxes_before;
    days(statistics.from, statistics.to)
        .map(|day| {
            let (persons, companies) = net_per_day.get(&day).copied().unwrap_or_default();
            current.persons = current.persons.saturating_add_signed(persons);
            current.companies = current.companies.saturating_add_signed(companies);
            (day, current)
        })
        .collect()
}

fn operator_name(statistics: &RegistryStatistics, operator: &OrganisationNumber) -> String {
    statistics
        .operator_names
        .iter()
        .find(|(known, _)| known == operator)
        .map_or_else(|| operator.as_str().to_owned(), |(_, name)| name.clone())
}

/// Every day of `from..=to`, at most [`STATISTICS_RANGE_DAYS_MAX`] of them.
fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(from), |day| day.next_day())
        .take_while(move |day| *day <= to)
        .take(usize::try_from(STATISTICS_RANGE_DAYS_MAX).unwrap_or(usize::MAX))
}

fn signed(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
