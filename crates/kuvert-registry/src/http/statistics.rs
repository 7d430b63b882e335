//! `GET /api/v1/statistics` (the aggregates behind the portal's dashboards) and
//! `POST /api/v1/statistics/letters` (a sender's letters of a month, digital and paper), with
//! their JSON shapes and OpenAPI description, merged into `/openapi.json` by the parent.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::STATISTICS_CAMPAIGNS_MAX;
use kuvert_core::registry::ProfileKind;
use kuvert_store::registry::{
    DailyRegistrations, LetterCounts, MailboxCounts, RegistrationQuery, SourceGrouping,
};
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{Caller, caller_number, read_json, respond};
use crate::AppState;
use crate::error::Error;
use crate::registry::StatisticsFeed;

/// The statistics routes (state: [`AppState`]).
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/statistics", get(statistics))
        .route("/api/v1/statistics/letters", post(report_letters))
}

/// The statistics part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(statistics, report_letters))]
pub(super) struct StatisticsApi;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD[&sources=…][&campaign=…][&letters=…]`: Swedish calendar
/// days, both included, and what to answer for them. Each dashboard asks for what it shows:
/// the public one `sources=none`, a campaign's page `sources=campaign&campaign=CODE&
/// letters=false`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct StatisticsQuery {
    /// First day, `YYYY-MM-DD`.
    from: String,
    /// Last day, `YYYY-MM-DD`; at most 3660 days after `from`.
    to: String,
    /// How `registrations` are grouped by the profiles' source: `none` (day, operator and
    /// kind; both sources `null`), `campaign` (also by campaign, rows with a campaign only,
    /// `source_sender` `null`) or `all` (every counter row, by sender and campaign). Default
    /// `all`.
    #[param(example = "none")]
    sources: Option<String>,
    /// Only these campaigns' rows: campaign codes separated by commas, at most 50, case
    /// insensitive. Needs `sources=campaign` or `all`.
    #[param(example = "VINTER-2026")]
    campaign: Option<String>,
    /// `true` (default) to include `letters`, `false` to leave the list empty.
    #[param(example = false)]
    letters: Option<String>,
}

/// The statistics of a range of days.
#[derive(Debug, Serialize, ToSchema)]
struct StatisticsJson {
    /// Daily registration counters, by day, operator, kind and source as `sources` groups
    /// them, only `campaign`'s when given.
    registrations: Vec<DailyJson>,
    /// Letters per sender and month for the months the range touches (empty for
    /// `letters=false`).
    letters: Vec<LettersJson>,
    /// Active mailboxes at the start of `from`.
    mailboxes_before: MailboxesJson,
    /// The same per operator.
    mailboxes_before_per_operator: Vec<OperatorMailboxesJson>,
    /// Connected senders now.
    senders: u64,
    /// The mailbox operators.
    operators: Vec<OperatorNameJson>,
}

/// One day's changes at one operator for one kind and source.
#[derive(Debug, Serialize, ToSchema)]
struct DailyJson {
    /// `YYYY-MM-DD`.
    day: String,
    /// Operator organisation number.
    operator: String,
    /// `person` or `company`.
    kind: &'static str,
    /// Deep link sender of the profiles' registration, or `null` (also when `sources` is
    /// `none` or `campaign`).
    source_sender: Option<String>,
    /// Campaign code (upper case), or `null` (also when `sources` is `none`).
    source_campaign: Option<String>,
    registered: u64,
    deregistered: u64,
    moved_in: u64,
    moved_out: u64,
}

/// Active mailboxes.
#[derive(Debug, Serialize, ToSchema)]
struct MailboxesJson {
    person: u64,
    company: u64,
}

/// Active mailboxes at one operator.
#[derive(Debug, Serialize, ToSchema)]
struct OperatorMailboxesJson {
    operator: String,
    person: u64,
    company: u64,
}

/// An operator's name.
#[derive(Debug, Serialize, ToSchema)]
struct OperatorNameJson {
    organisation_number: String,
    name: String,
}

/// A sender's letters of one month: the report (request) and the month's totals (answer).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LettersJson {
    /// The sender's organisation number.
    #[schema(value_type = String, example = "2120000134")]
    sender: OrganisationNumber,
    /// `YYYY-MM`.
    #[schema(value_type = String, example = "2026-11")]
    month: YearMonth,
    /// Delivered to digital mailboxes.
    digital: u64,
    /// Sent on paper.
    paper: u64,
}

/// The aggregates behind the portal's dashboards, for any organisation with a verified
/// certificate: registrations per day, letters per month, mailboxes before `from`.
#[utoipa::path(get, path = "/api/v1/statistics", params(StatisticsQuery),
    responses((status = 200, body = StatisticsJson), (status = 400), (status = 403)))]
async fn statistics(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<StatisticsQuery>, QueryRejection>,
) -> Response {
    respond(
        async {
            let caller = caller_number(caller)?;
            let Query(query) = query.map_err(|error| Error::InvalidInput(error.body_text()))?;
            let (registrations, with_letters) = query.parse()?;
            let feed = state
                .registry
                .statistics(&caller, &registrations, with_letters)
                .await?;
            Ok(StatisticsJson::from_feed(feed))
        }
        .await,
    )
}

/// Adds a sender's letters of a month (digital and paper); answers the month's totals. The
/// caller is the sender or an intermediary registered for it.
#[utoipa::path(post, path = "/api/v1/statistics/letters", request_body = LettersJson,
    responses((status = 200, body = LettersJson), (status = 400), (status = 403)))]
async fn report_letters(State(state): State<AppState>, caller: Caller, body: Body) -> Response {
    respond(
        async {
            let caller = caller_number(caller)?;
            let request: LettersJson = read_json(body, state.body_bytes_max).await?;
            let counts = LetterCounts {
                sender: request.sender,
                month: request.month,
                digital: request.digital,
                paper: request.paper,
            };
            let totals = state.registry.report_letters(&caller, &counts).await?;
            Ok(LettersJson::from_counts(totals))
        }
        .await,
    )
}

impl StatisticsQuery {
    /// The store's query and whether letters are wanted; `InvalidInput` naming the parameter.
    fn parse(self) -> Result<(RegistrationQuery, bool), Error> {
        let sources = match self.sources.as_deref() {
            None | Some("all") => SourceGrouping::All,
            Some("campaign") => SourceGrouping::Campaign,
            Some("none") => SourceGrouping::None,
            Some(_) => {
                return Err(Error::InvalidInput(
                    "sources is none, campaign or all".to_owned(),
                ));
            }
        };
        let campaigns = match self.campaign.as_deref() {
            None => Vec::new(),
            Some(list) => parse_campaigns(list)?,
        };
        if sources == SourceGrouping::None && !campaigns.is_empty() {
            return Err(Error::InvalidInput(
                "campaign needs sources=campaign or sources=all".to_owned(),
            ));
        }
        let with_letters = match self.letters.as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => return Err(Error::InvalidInput("letters is true or false".to_owned())),
        };
        let query = RegistrationQuery {
            from: parse_day("from", &self.from)?,
            to: parse_day("to", &self.to)?,
            sources,
            campaigns,
        };
        Ok((query, with_letters))
    }
}

/// `A,B,…`: 1 to [`STATISTICS_CAMPAIGNS_MAX`] campaign codes, each named once.
fn parse_campaigns(list: &str) -> Result<Vec<CampaignCode>, Error> {
    let mut campaigns: Vec<CampaignCode> = Vec::new();
    for text in list.split(',') {
        if campaigns.len() == STATISTICS_CAMPAIGNS_MAX {
            return Err(Error::InvalidInput(format!(
                "campaign names at most {STATISTICS_CAMPAIGNS_MAX} codes"
            )));
        }
        let code = CampaignCode::parse(text).map_err(|_| {
            Error::InvalidInput("campaign is a list of campaign codes A,B,…".to_owned())
        })?;
        if !campaigns.contains(&code) {
            campaigns.push(code);
        }
    }
    Ok(campaigns)
}

fn parse_day(name: &str, text: &str) -> Result<Date, Error> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| Error::InvalidInput(format!("{name} is not a date YYYY-MM-DD")))
}

impl StatisticsJson {
    fn from_feed(feed: StatisticsFeed) -> Self {
        Self {
            registrations: feed.registrations.iter().map(DailyJson::from_row).collect(),
            letters: feed
                .letters
                .into_iter()
                .map(LettersJson::from_counts)
                .collect(),
            mailboxes_before: MailboxesJson::from_counts(feed.mailboxes_before),
            mailboxes_before_per_operator: feed
                .mailboxes_before_per_operator
                .iter()
                .map(|entry| OperatorMailboxesJson {
                    operator: entry.operator.as_str().to_owned(),
                    person: entry.mailboxes.person,
                    company: entry.mailboxes.company,
                })
                .collect(),
            senders: feed.senders,
            operators: feed
                .operators
                .iter()
                .map(|operator| OperatorNameJson {
                    organisation_number: operator.id.as_str().to_owned(),
                    name: operator.name.clone(),
                })
                .collect(),
        }
    }
}

impl DailyJson {
    fn from_row(row: &DailyRegistrations) -> Self {
        Self {
            day: row.day.to_string(),
            operator: row.operator.as_str().to_owned(),
            kind: match row.kind {
                ProfileKind::Person => "person",
                ProfileKind::Company => "company",
            },
            source_sender: row
                .source_sender
                .as_ref()
                .map(|sender| sender.as_str().to_owned()),
            source_campaign: row.source_campaign.as_ref().map(CampaignCode::to_string),
            registered: row.registered,
            deregistered: row.deregistered,
            moved_in: row.moved_in,
            moved_out: row.moved_out,
        }
    }
}

impl MailboxesJson {
    fn from_counts(counts: MailboxCounts) -> Self {
        Self {
            person: counts.person,
            company: counts.company,
        }
    }
}

impl LettersJson {
    fn from_counts(counts: LetterCounts) -> Self {
        Self {
            sender: counts.sender,
            month: counts.month,
            digital: counts.digital,
            paper: counts.paper,
        }
    }
}
