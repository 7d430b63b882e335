//! The communicators' pages: the overview of their campaigns and results, one campaign's
//! funnel, the campaign form and the annual targets (admins). Thin handlers: read the role
//! ([`Signed`]), ask the store and the registry feed, compute with `dashboard::model`, render.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{
    CAMPAIGN_CHANNEL_CHARS_MAX, CAMPAIGN_NAME_CHARS_MAX, COMMUNICATOR_RESULTS_DAYS_MAX,
};
use kuvert_store::StoreError;
use kuvert_store::portal::network::AbCodesOf;
use kuvert_store::portal::plans::PlanOwner;
use kuvert_store::portal::{Campaign, Communicator};
use kuvert_web::i18n::Language;
use time::Date;

use super::CommunicatorState;
use super::auth::{Posted, Signed, lang_query};
use super::form::{self, FormFields, Problem};
use crate::dashboard::feed::FeedScope;
use crate::dashboard::figures::{self, CampaignResult};
use crate::dashboard::http::{DashboardError, dataset_file, fetch_statistics, today};
use crate::dashboard::model::{self, PortalFunnelDay, RegistryStatistics};

mod views;

use views::{CampaignPage, FormPage, OverviewPage, TargetsPage};
pub(super) use views::{MessageKind, message_page};

/// `/kommunikator`: the communicator's campaigns and their results against their goals.
pub(super) async fn overview(State(state): State<CommunicatorState>, signed: Signed) -> Response {
    let language = signed.language;
    let campaigns = match visible_campaigns(&state, &signed.communicator).await {
        Ok(campaigns) => campaigns,
        Err(error) => return unavailable(language, &error),
    };
    let results = match campaign_results(&state, &campaigns).await {
        Ok(results) => results,
        Err(error) => return unavailable(language, &error),
    };
    let dataset = figures::campaigns(&results, language);
    let names = state.shared.registry.sender_names().await;
    render(&OverviewPage::new(
        &signed,
        &campaigns,
        dataset.to_view(language),
        &names,
    ))
}

/// `/kommunikator/kampanjer/{code}`: one campaign's funnel per day and result.
pub(super) async fn campaign(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    let language = signed.language;
    let campaign = match own_campaign(&state, &signed.communicator, &code).await {
        Ok(Some(campaign)) => campaign,
        Ok(None) => return message_page(language, MessageKind::NotFound, StatusCode::NOT_FOUND),
        Err(error) => return unavailable(language, &error),
    };
    let result = match campaign_result(&state, &campaign).await {
        Ok(result) => result,
        Err(error) => return unavailable(language, &error),
    };
    let funnel = figures::funnel(&result.funnel, language).to_view(language);
    let mut page = CampaignPage::new(&signed, &campaign, &result, funnel);
    match super::plans::review_of(&state, &signed, &campaign).await {
        Ok(review) => page.review = review.render().unwrap_or_default(),
        Err(error) => return unavailable(language, &DashboardError::Store(error)),
    }
    page.survey = super::surveys::results_view(&state, language, &campaign.code).await;
    render(&page)
}

/// `/kommunikator/kampanjer/{code}/tratt.csv` and `tratt.svg`.
pub(super) async fn campaign_file(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path((code, file)): Path<(String, String)>,
) -> Response {
    let language = signed.language;
    let extension = match file.as_str() {
        "tratt.csv" => "csv",
        "tratt.svg" => "svg",
        _ => return message_page(language, MessageKind::NotFound, StatusCode::NOT_FOUND),
    };
    let campaign = match own_campaign(&state, &signed.communicator, &code).await {
        Ok(Some(campaign)) => campaign,
        Ok(None) => return message_page(language, MessageKind::NotFound, StatusCode::NOT_FOUND),
        Err(error) => return unavailable(language, &error),
    };
    match campaign_result(&state, &campaign).await {
        Ok(result) => dataset_file(
            &figures::funnel(&result.funnel, language),
            extension,
            language,
        ),
        Err(error) => unavailable(language, &error),
    }
}

/// `/kommunikator/resultat/kampanjer.csv` and `.svg`: the overview's results as a file.
pub(super) async fn results_file(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(file): Path<String>,
) -> Response {
    let language = signed.language;
    let extension = match file.as_str() {
        "kampanjer.csv" => "csv",
        "kampanjer.svg" => "svg",
        _ => return message_page(language, MessageKind::NotFound, StatusCode::NOT_FOUND),
    };
    let campaigns = match visible_campaigns(&state, &signed.communicator).await {
        Ok(campaigns) => campaigns,
        Err(error) => return unavailable(language, &error),
    };
    match campaign_results(&state, &campaigns).await {
        Ok(results) => dataset_file(&figures::campaigns(&results, language), extension, language),
        Err(error) => unavailable(language, &error),
    }
}

/// `?aktivitet=ID`: the planned activity a campaign is made from.
#[derive(Debug, serde::Deserialize)]
pub(super) struct FromActivity {
    aktivitet: Option<String>,
}

/// `/kommunikator/kampanjer/ny`: the campaign form, empty or filled from a planned activity
/// (its message as the name, its channel and period, its sender ticked).
pub(super) async fn new_campaign(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Query(query): Query<FromActivity>,
) -> Response {
    let owners = owner_choices(&state, &signed.communicator).await;
    let activity = match query.aktivitet.as_deref() {
        Some(id) => match state.shared.plans.activity(id).await {
            Ok(activity) => activity,
            Err(error) => return unavailable(signed.language, &DashboardError::Store(error)),
        },
        None => None,
    };
    let fields = activity.map_or_else(FormFields::default, |activity| {
        let planned = &activity.planned;
        let mut pairs = vec![
            ("aktivitet", activity.id.clone()),
            (
                "namn",
                planned
                    .message
                    .chars()
                    .take(CAMPAIGN_NAME_CHARS_MAX)
                    .collect(),
            ),
            (
                "kanal",
                planned
                    .channel
                    .chars()
                    .take(CAMPAIGN_CHANNEL_CHARS_MAX)
                    .collect(),
            ),
            ("start", planned.starts_on.to_string()),
            ("slut", planned.ends_on.to_string()),
        ];
        if let PlanOwner::Sender(sender) = &planned.owner {
            pairs.push(("avsandare", sender.as_str().to_owned()));
        }
        FormFields::from_pairs(pairs)
    });
    render(&FormPage::new(&signed, owners, &fields, &[]))
}

/// `POST /kommunikator/kampanjer/ny`: creates the campaign, or shows the form with what to fix.
pub(super) async fn create_campaign(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let language = signed.language;
    let owners = owner_choices(&state, &signed.communicator).await;
    let allowed: BTreeSet<OrganisationNumber> =
        owners.iter().map(|(number, _)| number.clone()).collect();
    let new_campaign = match form::campaign(&fields, &allowed) {
        Ok(new_campaign) => new_campaign,
        Err(problems) => return form_again(&signed, owners, &fields, &problems),
    };
    match state.shared.store.create_campaign(&new_campaign).await {
        Ok(created) => {
            let activity = fields.value("aktivitet");
            if !activity.is_empty() {
                // An unknown activity only loses the link, never the campaign.
                if let Err(error) = state
                    .shared
                    .plans
                    .link_campaign(&created.code, activity)
                    .await
                {
                    let chain = kuvert_core::report::error_chain(&error);
                    tracing::warn!(error = %chain, "campaign not linked to its activity");
                }
            }
            super::plans::tell_of_campaign(&state, &created).await;
            see_other(&format!(
                "/kommunikator/kampanjer/{}{}",
                created.code.as_str(),
                lang_query(language)
            ))
        }
        Err(StoreError::Conflict { .. }) => {
            let taken = [Problem {
                field: "kod",
                kind: form::ProblemKind::CodeTaken,
            }];
            form_again(&signed, owners, &fields, &taken)
        }
        Err(error) => unavailable(language, &DashboardError::Store(error)),
    }
}

/// `/kommunikator/mal`: the annual targets and a form to set one (admins only).
pub(super) async fn targets(State(state): State<CommunicatorState>, signed: Signed) -> Response {
    if !signed.communicator.is_admin {
        return message_page(
            signed.language,
            MessageKind::AdminOnly,
            StatusCode::FORBIDDEN,
        );
    }
    match state.shared.store.annual_targets().await {
        Ok(targets) => render(&TargetsPage::new(
            &signed,
            &targets,
            &FormFields::default(),
            &[],
        )),
        Err(error) => unavailable(signed.language, &DashboardError::Store(error)),
    }
}

/// `POST /kommunikator/mal`: sets one year's target (admins only).
pub(super) async fn save_target(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let language = signed.language;
    if !signed.communicator.is_admin {
        return message_page(language, MessageKind::AdminOnly, StatusCode::FORBIDDEN);
    }
    let store = &state.shared.store;
    let problems = match form::target(&fields) {
        Ok(entry) => match store
            .set_annual_target(entry.year, entry.percent_persons)
            .await
        {
            Ok(()) => return see_other(&format!("/kommunikator/mal{}", lang_query(language))),
            Err(error) => return unavailable(language, &DashboardError::Store(error)),
        },
        Err(problems) => problems,
    };
    match store.annual_targets().await {
        Ok(targets) => {
            let mut response = render(&TargetsPage::new(&signed, &targets, &fields, &problems));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(error) => unavailable(language, &DashboardError::Store(error)),
    }
}

/// The campaigns the communicator may see: those owned by one of their senders (all for an
/// admin and for the editor, who checks them), newest start first.
async fn visible_campaigns(
    state: &CommunicatorState,
    communicator: &Communicator,
) -> Result<Vec<Campaign>, DashboardError> {
    let campaigns = state.shared.store.campaigns().await?;
    let is_editor = state
        .shared
        .editorial
        .is_editor(&communicator.person)
        .await?;
    Ok(campaigns
        .into_iter()
        .filter(|campaign| is_editor || may_see(communicator, campaign))
        .collect())
}

async fn own_campaign(
    state: &CommunicatorState,
    communicator: &Communicator,
    code: &str,
) -> Result<Option<Campaign>, DashboardError> {
    let Ok(code) = CampaignCode::parse(code) else {
        return Ok(None);
    };
    let campaign = state.shared.store.campaign(&code).await?;
    let is_editor = state
        .shared
        .editorial
        .is_editor(&communicator.person)
        .await?;
    Ok(campaign.filter(|campaign| is_editor || may_see(communicator, campaign)))
}

fn may_see(communicator: &Communicator, campaign: &Campaign) -> bool {
    communicator.is_admin || !communicator.senders.is_disjoint(&campaign.owners)
}

/// One campaign's funnel from its start to its end (or today, if it runs still).
async fn campaign_result(
    state: &CommunicatorState,
    campaign: &Campaign,
) -> Result<CampaignResult, DashboardError> {
    let today = today();
    let codes = registration_codes(state, &campaign.code).await?;
    let statistics = if campaign.starts_on <= today {
        let to = campaign.ends_on.min(today);
        let scope = FeedScope::Campaigns(&codes);
        fetch_statistics(&state.shared.registry, campaign.starts_on, to, scope).await?
    } else {
        empty_statistics(today)
    };
    let portal_days = portal_funnel(state, &campaign.code).await?;
    Ok(result_of(campaign, &codes, &portal_days, &statistics))
}

/// Every campaign's result over one feed of the last year.
pub(super) async fn campaign_results(
    state: &CommunicatorState,
    campaigns: &[Campaign],
) -> Result<Vec<CampaignResult>, DashboardError> {
    let today = today();
    let earliest = today - time::Duration::days(COMMUNICATOR_RESULTS_DAYS_MAX - 1);
    let mut codes_of = Vec::with_capacity(campaigns.len());
    for campaign in campaigns {
        codes_of.push(registration_codes(state, &campaign.code).await?);
    }
    let started: Vec<&Campaign> = campaigns
        .iter()
        .filter(|campaign| campaign.starts_on <= today)
        .collect();
    let codes: Vec<CampaignCode> = campaigns
        .iter()
        .zip(&codes_of)
        .filter(|(campaign, _)| campaign.starts_on <= today)
        .flat_map(|(_, codes)| codes.iter().cloned())
        .collect();
    let statistics = match started.iter().map(|campaign| campaign.starts_on).min() {
        Some(first) => {
            let scope = FeedScope::Campaigns(&codes);
            fetch_statistics(&state.shared.registry, first.max(earliest), today, scope).await?
        }
        None => empty_statistics(today),
    };
    let mut results = Vec::with_capacity(campaigns.len());
    for (campaign, codes) in campaigns.iter().zip(&codes_of) {
        let portal_days = portal_funnel(state, &campaign.code).await?;
        results.push(result_of(campaign, codes, &portal_days, &statistics));
    }
    Ok(results)
}

/// The codes a campaign's registrations are counted under: its own, and those standing for
/// it and an A/B variant (`http::brand::campaign_variant_code`).
async fn registration_codes(
    state: &CommunicatorState,
    code: &CampaignCode,
) -> Result<Vec<CampaignCode>, DashboardError> {
    let combined = state
        .shared
        .network
        .ab_campaign_codes(AbCodesOf::Campaign(code))
        .await?;
    let mut codes = vec![code.clone()];
    codes.extend(combined.into_iter().map(|recorded| recorded.code));
    Ok(codes)
}

async fn portal_funnel(
    state: &CommunicatorState,
    code: &CampaignCode,
) -> Result<Vec<PortalFunnelDay>, DashboardError> {
    let days = state.shared.store.campaign_funnel(code).await?;
    Ok(days
        .into_iter()
        .map(|day| PortalFunnelDay {
            day: day.day,
            visits: day.visits,
            operator_choices: day.operator_choices,
        })
        .collect())
}

fn result_of(
    campaign: &Campaign,
    codes: &[CampaignCode],
    portal_days: &[PortalFunnelDay],
    statistics: &RegistryStatistics,
) -> CampaignResult {
    let funnel =
        model::campaign_funnel(codes, campaign.goal_registrations, portal_days, statistics);
    CampaignResult {
        code: campaign.code.as_str().to_owned(),
        name: campaign.name.clone(),
        funnel,
    }
}

fn empty_statistics(today: Date) -> RegistryStatistics {
    RegistryStatistics {
        from: today,
        to: today,
        registrations: Vec::new(),
        letters: Vec::new(),
        mailboxes_before: model::KindCounts::default(),
        mailboxes_before_per_operator: Vec::new(),
        senders: 0,
        operator_names: Vec::new(),
    }
}

/// The senders a campaign may name as owners: the communicator's own (an admin's too —
/// admins are communicators of the senders they were granted, like everyone else).
async fn owner_choices(
    state: &CommunicatorState,
    communicator: &Communicator,
) -> Vec<(OrganisationNumber, String)> {
    let names = state.shared.registry.sender_names().await;
    communicator
        .senders
        .iter()
        .map(|sender| (sender.clone(), name_of(&names, sender)))
        .collect()
}

fn name_of(names: &[(OrganisationNumber, String)], sender: &OrganisationNumber) -> String {
    names
        .iter()
        .find(|(known, _)| known == sender)
        .map_or_else(|| sender.as_str().to_owned(), |(_, name)| name.clone())
}

fn form_again(
    signed: &Signed,
    owners: Vec<(OrganisationNumber, String)>,
    fields: &FormFields,
    problems: &[Problem],
) -> Response {
    let mut response = render(&FormPage::new(signed, owners, fields, problems));
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

fn unavailable(language: Language, error: &DashboardError) -> Response {
    let chain = kuvert_core::report::error_chain(error);
    tracing::warn!(error = %chain, "communicator page unavailable");
    message_page(
        language,
        MessageKind::Unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
    )
}

pub(super) fn see_other(target: &str) -> Response {
    let mut response = Redirect::to(target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

fn render(page: &impl Template) -> Response {
    super::editorial::render_view(page, StatusCode::OK)
}
