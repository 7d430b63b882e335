//! The registry's statistics feed (`GET /api/v1/statistics?from=&to=`, SESSION2 data model)
//! as JSON, and its conversion into [`RegistryStatistics`] at the edge: every organisation
//! number, campaign code, day and month is parsed here, so the model holds only valid values.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::STATISTICS_CAMPAIGNS_MAX;
use serde::Deserialize;
use time::Date;

use kuvert_core::calendar::YearMonth;

use super::model::{
    DailyRegistrations, KindCounts, MailboxKind, MonthlyLetters, RegistryStatistics,
};

/// The feed's JSON, as the registry sends it.
#[derive(Debug, Deserialize)]
pub(crate) struct StatisticsJson {
    registrations: Vec<RegistrationJson>,
    letters: Vec<LettersJson>,
    mailboxes_before: KindCountsJson,
    /// Per operator, when the registry sends it (shares then count mailboxes older than
    /// the range too).
    #[serde(default)]
    mailboxes_before_per_operator: Vec<OperatorCountsJson>,
    senders: u64,
    operators: Vec<OperatorJson>,
}

#[derive(Debug, Deserialize)]
struct RegistrationJson {
    day: String,
    operator: String,
    kind: String,
    /// `null` (or absent, or empty) when the registration came from no deep link.
    #[serde(default)]
    source_sender: Option<String>,
    #[serde(default)]
    source_campaign: Option<String>,
    registered: u64,
    deregistered: u64,
    moved_in: u64,
    moved_out: u64,
}

#[derive(Debug, Deserialize)]
struct LettersJson {
    sender: String,
    month: String,
    digital: u64,
    paper: u64,
}

#[derive(Debug, Deserialize)]
struct KindCountsJson {
    person: u64,
    company: u64,
}

#[derive(Debug, Deserialize)]
struct OperatorCountsJson {
    operator: String,
    person: u64,
    company: u64,
}

#[derive(Debug, Deserialize)]
struct OperatorJson {
    organisation_number: String,
    name: String,
}

/// Why the feed could not be read; names the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("statistics feed field `{field}` has an invalid value {value:?}")]
pub(crate) struct FeedError {
    field: &'static str,
    value: String,
}

impl StatisticsJson {
    /// The feed for `from..=to` as the model's values.
    pub(crate) fn into_statistics(
        self,
        from: Date,
        to: Date,
    ) -> Result<RegistryStatistics, FeedError> {
        let registrations = self
            .registrations
            .into_iter()
            .map(RegistrationJson::parse)
            .collect::<Result<_, _>>()?;
        let letters = self
            .letters
            .into_iter()
            .map(|row| {
                Ok(MonthlyLetters {
                    sender: organisation(&row.sender, "letters.sender")?,
                    month: YearMonth::parse(&row.month)
                        .map_err(|_| invalid("letters.month", &row.month))?,
                    digital: row.digital,
                    paper: row.paper,
                })
            })
            .collect::<Result<_, _>>()?;
        let per_operator = self
            .mailboxes_before_per_operator
            .into_iter()
            .map(|row| {
                let counts = KindCounts {
                    persons: row.person,
                    companies: row.company,
                };
                Ok((
                    organisation(&row.operator, "mailboxes_before_per_operator.operator")?,
                    counts,
                ))
            })
            .collect::<Result<_, _>>()?;
        let operator_names = self
            .operators
            .into_iter()
            .map(|row| {
                Ok((
                    organisation(&row.organisation_number, "operators")?,
                    row.name,
                ))
            })
            .collect::<Result<_, _>>()?;
        Ok(RegistryStatistics {
            from,
            to,
            registrations,
            letters,
            mailboxes_before: KindCounts {
                persons: self.mailboxes_before.person,
                companies: self.mailboxes_before.company,
            },
            mailboxes_before_per_operator: per_operator,
            senders: self.senders,
            operator_names,
        })
    }
}

impl RegistrationJson {
    fn parse(self) -> Result<DailyRegistrations, FeedError> {
        let kind = match self.kind.as_str() {
            "person" => MailboxKind::Person,
            "company" => MailboxKind::Company,
            other => return Err(invalid("registrations.kind", other)),
        };
        let source_sender = match self.source_sender.as_deref().unwrap_or_default() {
            "" => None,
            text => Some(organisation(text, "registrations.source_sender")?),
        };
        let source_campaign = match self.source_campaign.as_deref().unwrap_or_default() {
            "" => None,
            text => Some(
                CampaignCode::parse(text)
                    .map_err(|_| invalid("registrations.source_campaign", text))?,
            ),
        };
        Ok(DailyRegistrations {
            day: parse_day(&self.day).ok_or_else(|| invalid("registrations.day", &self.day))?,
            operator: organisation(&self.operator, "registrations.operator")?,
            kind,
            source_sender,
            source_campaign,
            registered: self.registered,
            deregistered: self.deregistered,
            moved_in: self.moved_in,
            moved_out: self.moved_out,
        })
    }
}

/// What a page asks the registry's statistics feed for: only what it shows, so a year of
/// six million profiles stays a few thousand rows (registry `GET /api/v1/statistics`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FeedScope<'a> {
    /// The public dashboard: counters without sources (`sources=none`), with letters.
    Public,
    /// Campaign results: these campaigns' counters by campaign (`sources=campaign&campaign=`),
    /// without letters.
    Campaigns(&'a [CampaignCode]),
}

/// The feed requests (path and query) for `from..=to` as `scope` asks: campaigns in pieces
/// of `limits::STATISTICS_CAMPAIGNS_MAX`; no campaign asks once without sources (for the
/// rest of the feed; the caller drops the rows). Never empty.
pub(crate) fn feed_paths(from: Date, to: Date, scope: FeedScope<'_>) -> Vec<String> {
    let range = format!(
        "/api/v1/statistics?from={}&to={}",
        format_day(from),
        format_day(to)
    );
    match scope {
        FeedScope::Public => vec![format!("{range}&sources=none")],
        FeedScope::Campaigns([]) => vec![format!("{range}&sources=none&letters=false")],
        // Campaign codes are `[0-9A-Z_-]` only: nothing to escape in a query.
        FeedScope::Campaigns(campaigns) => campaigns
            .chunks(STATISTICS_CAMPAIGNS_MAX)
            .map(|piece| {
                let codes: Vec<&str> = piece.iter().map(CampaignCode::as_str).collect();
                format!(
                    "{range}&sources=campaign&campaign={}&letters=false",
                    codes.join(",")
                )
            })
            .collect(),
    }
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Formats `YYYY-MM-DD`.
pub(crate) fn format_day(day: Date) -> String {
    super::model::Period::Day(day).to_string()
}

fn organisation(text: &str, field: &'static str) -> Result<OrganisationNumber, FeedError> {
    OrganisationNumber::parse(text).map_err(|_| invalid(field, text))
}

fn invalid(field: &'static str, value: &str) -> FeedError {
    FeedError {
        field,
        value: value.chars().take(64).collect(),
    }
}

#[cfg(test)]
mod tests;
