//! Annual plans (issue 13 §4): `/kommunikator/planer?ar=YYYY` shows every plan of the year —
//! the common plan and each sender's — to every communicator; a communicator adds activities
//! (message, target group, channel, period) to the own senders' plans, the editor to the
//! common plan; each activity's texts pass the TERMS.md check first (the words to replace are
//! named and nothing is stored), and the editor is told by e-mail at once. A campaign can be
//! created from an activity (`/kommunikator/kampanjer/ny?aktivitet=ID`); creating one tells
//! the editor too, who marks its messages and terms checked before its start
//! (`POST /kommunikator/kampanjer/{code}/granskad`). `/kommunikator/planer/arsmote.csv`: the
//! plans, campaigns and their results for the network's yearly meeting.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{PLAN_FIELD_CHARS_MAX, PLAN_MESSAGE_CHARS_MAX};
use kuvert_store::StoreError;
use kuvert_store::portal::Campaign;
use kuvert_store::portal::plans::{Activity, ActivityEdit, CampaignReview, NewActivity, PlanOwner};

use super::CommunicatorState;
use super::auth::{Posted, Signed, lang_query};
use super::editorial::{not_found, unavailable};
use super::form::FormFields;
use super::mail::Notice;
use super::pages::{MessageKind, message_page, see_other};
use crate::dashboard::feed::parse_day;
use crate::dashboard::http::today;
use crate::domain::markdown::{Replace, words_to_replace};

pub(super) mod edit;
pub(super) mod view;

/// `?ar=YYYY`.
#[derive(Debug, serde::Deserialize)]
pub(super) struct YearQuery {
    ar: Option<i32>,
}

/// The years a plan may be for.
const PLAN_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// `GET /kommunikator/planer`.
pub(super) async fn page(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Query(query): Query<YearQuery>,
) -> Response {
    let year = query
        .ar
        .filter(|year| PLAN_YEARS.contains(year))
        .unwrap_or_else(|| today().year());
    plans_page(&state, &signed, year, None).await
}

async fn plans_page(
    state: &CommunicatorState,
    signed: &Signed,
    year: i32,
    problem: Option<view::Refused>,
) -> Response {
    let shared = &state.shared;
    let loaded = async {
        let is_editor = shared
            .editorial
            .is_editor(&signed.communicator.person)
            .await?;
        let activities = shared.plans.activities(Some(year)).await?;
        let reviews = shared.plans.reviews().await?;
        Ok::<_, StoreError>((is_editor, activities, reviews))
    };
    let (is_editor, activities, reviews) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(signed, &error),
    };
    let names = shared.registry.sender_names().await;
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = view::PlansPage::new(
        signed,
        view::Plans {
            year,
            is_editor,
            activities: &activities,
            reviews: &reviews,
            names: &names,
        },
        problem,
    );
    super::editorial::render_view(&page, status)
}

/// `POST /kommunikator/planer`: adds an activity to a plan the person keeps.
pub(super) async fn add_activity(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let is_editor = match state
        .shared
        .editorial
        .is_editor(&signed.communicator.person)
        .await
    {
        Ok(is_editor) => is_editor,
        Err(error) => return unavailable(&signed, &error),
    };
    let owner = match fields.value("plan") {
        "gemensam" if is_editor => Some(PlanOwner::Common),
        other => OrganisationNumber::parse(other)
            .ok()
            .filter(|sender| signed.speaks_for(sender))
            .map(PlanOwner::Sender),
    };
    let activity = owner.and_then(|owner| activity_from(&fields, owner, &signed));
    let Some(activity) = activity else {
        let year = today().year();
        return plans_page(&state, &signed, year, Some(view::Refused::new(&fields))).await;
    };
    let words = activity_words(&activity.fields());
    if !words.is_empty() {
        let mut refused = view::Refused::new(&fields);
        refused.words = words;
        let year = activity.starts_on.year();
        return plans_page(&state, &signed, year, Some(refused)).await;
    }
    match state.shared.plans.add_activity(&activity).await {
        Ok(stored) => {
            tell_of_activity(&state, &stored).await;
            let target = format!(
                "/kommunikator/planer?ar={}{}",
                stored.year,
                lang_query(signed.language).replace('?', "&")
            );
            see_other(&target)
        }
        Err(StoreError::OutOfBounds { .. }) => {
            let refused = view::Refused::new(&fields);
            plans_page(&state, &signed, activity.starts_on.year(), Some(refused)).await
        }
        Err(error) => unavailable(&signed, &error),
    }
}

/// The activity as entered, every field present and within its limit, the period in order.
fn activity_from(fields: &FormFields, owner: PlanOwner, signed: &Signed) -> Option<NewActivity> {
    let edit = edit_from(fields)?;
    Some(NewActivity {
        owner,
        message: edit.message,
        target_group: edit.target_group,
        channel: edit.channel,
        starts_on: edit.starts_on,
        ends_on: edit.ends_on,
        author: signed.communicator.person.clone(),
    })
}

/// An activity's texts and period as entered (`budskap`, `malgrupp`, `kanal`, `start`,
/// `slut`), every field present and within its limit, the period in order.
fn edit_from(fields: &FormFields) -> Option<ActivityEdit> {
    let bounded = |name: &str, max: usize| {
        let text = fields.value(name);
        (!text.is_empty() && text.chars().count() <= max).then(|| text.to_owned())
    };
    let starts_on = parse_day(fields.value("start"))?;
    let ends_on = parse_day(fields.value("slut")).filter(|end| *end >= starts_on)?;
    PLAN_YEARS.contains(&starts_on.year()).then_some(())?;
    Some(ActivityEdit {
        message: bounded("budskap", PLAN_MESSAGE_CHARS_MAX)?,
        target_group: bounded("malgrupp", PLAN_FIELD_CHARS_MAX)?,
        channel: bounded("kanal", PLAN_FIELD_CHARS_MAX)?,
        starts_on,
        ends_on,
    })
}

/// The TERMS.md words to replace in an activity's texts: checked on new and edited ones.
fn activity_words(edit: &ActivityEdit) -> Vec<Replace> {
    words_to_replace(&[&edit.message, &edit.target_group, &edit.channel])
}

async fn tell_of_activity(state: &CommunicatorState, activity: &Activity) {
    let Some(mail) = &state.shared.mail else {
        return;
    };
    let planned = &activity.planned;
    let plan = match &planned.owner {
        PlanOwner::Common => "den gemensamma planen / the common plan".to_owned(),
        PlanOwner::Sender(sender) => sender.as_str().to_owned(),
    };
    let link = link_to(state, &format!("kommunikator/planer?ar={}", activity.year));
    let period = format!("{} – {}", planned.starts_on, planned.ends_on);
    mail.tell(Notice {
        subject: format!("Planerad aktivitet: {}", planned.message),
        text: format!(
            "En aktivitet planeras i {plan}, {period}:\n”{}”\nMålgrupp: {}. Kanal: {}.\n\
             Årsplanerna: {link}\n\nAn activity is planned in {plan}, {period}. Annual plans: \
             {link}\n",
            planned.message, planned.target_group, planned.channel
        ),
    })
    .await;
}

/// Tells the editor of a new campaign, to check its messages and terms before it starts.
pub(super) async fn tell_of_campaign(state: &CommunicatorState, campaign: &Campaign) {
    let Some(mail) = &state.shared.mail else {
        return;
    };
    let code = campaign.code.as_str();
    let link = link_to(state, &format!("kommunikator/kampanjer/{code}"));
    let starts = campaign.starts_on;
    mail.tell(Notice {
        subject: format!("Kampanj att granska: {} ({code})", campaign.name),
        text: format!(
            "Kampanjen ”{}” ({code}) planeras, kanal {}, från {starts} till {}.\nGranska \
             budskap och termer före startdatum {starts}: {link}\n\nThe campaign \"{}\" \
             ({code}) is planned from {starts}. Check its messages and terms before it starts: \
             {link}\n",
            campaign.name, campaign.channel, campaign.ends_on, campaign.name
        ),
    })
    .await;
}

fn link_to(state: &CommunicatorState, path: &str) -> String {
    state
        .shared
        .public_url
        .join(path)
        .map(String::from)
        .unwrap_or_default()
}

/// The campaign's review as its page shows it: who checked it, and the TERMS.md words in its
/// name and its activity's message.
pub(super) async fn review_of(
    state: &CommunicatorState,
    signed: &Signed,
    campaign: &Campaign,
) -> Result<view::ReviewView, StoreError> {
    let plans = &state.shared.plans;
    let is_editor = state
        .shared
        .editorial
        .is_editor(&signed.communicator.person)
        .await?;
    let review = plans
        .reviews()
        .await?
        .into_iter()
        .find(|review| review.code == campaign.code);
    let activity = match review
        .as_ref()
        .and_then(|review| review.activity_id.as_deref())
    {
        Some(id) => plans.activity(id).await?,
        None => None,
    };
    let words = campaign_words(campaign, activity.as_ref());
    Ok(view::ReviewView::new(
        signed,
        campaign,
        review.as_ref(),
        activity.as_ref(),
        words,
        is_editor,
    ))
}

fn campaign_words(campaign: &Campaign, activity: Option<&Activity>) -> Vec<Replace> {
    let message = activity.map_or("", |activity| activity.planned.message.as_str());
    words_to_replace(&[&campaign.name, &campaign.channel, message])
}

/// `POST /kommunikator/kampanjer/{code}/granskad`: the editor marks the campaign's messages
/// and terms checked — only before its start and while no word needs replacing.
pub(super) async fn mark_checked(
    State(state): State<CommunicatorState>,
    Path(code): Path<String>,
    Posted { signed, .. }: Posted,
) -> Response {
    let shared = &state.shared;
    let Ok(code) = CampaignCode::parse(&code) else {
        return not_found(&signed);
    };
    let checked = async {
        if !shared
            .editorial
            .is_editor(&signed.communicator.person)
            .await?
        {
            return Ok(None);
        }
        let Some(campaign) = shared.store.campaign(&code).await? else {
            return Ok(None);
        };
        let review = review_of(&state, &signed, &campaign).await?;
        if !review.may_check {
            return Ok(Some(false));
        }
        shared
            .plans
            .mark_checked(&code, &signed.communicator.person)
            .await
            .map(|_| Some(true))
    };
    match checked.await {
        Ok(Some(true)) => see_other(&format!(
            "/kommunikator/kampanjer/{}{}",
            code.as_str(),
            lang_query(signed.language)
        )),
        Ok(Some(false)) => {
            message_page(signed.language, MessageKind::BadForm, StatusCode::CONFLICT)
        }
        Ok(None) => not_found(&signed),
        Err(error) => unavailable(&signed, &error),
    }
}

/// `GET /kommunikator/planer/arsmote.csv`: every plan's activities and every campaign with
/// its review and result, for the network's yearly meeting.
pub(super) async fn export(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(file): Path<String>,
) -> Response {
    if file != "arsmote.csv" {
        return not_found(&signed);
    }
    let shared = &state.shared;
    let loaded = async {
        let activities = shared.plans.activities(None).await?;
        let reviews = shared.plans.reviews().await?;
        let campaigns = shared.store.campaigns().await?;
        let surveys = shared.network.survey_response_counts().await?;
        Ok::<_, StoreError>((activities, reviews, campaigns, surveys))
    };
    let (activities, reviews, campaigns, surveys) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(&signed, &error),
    };
    let results = match super::pages::campaign_results(&state, &campaigns).await {
        Ok(results) => results,
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "yearly meeting export unavailable");
            return message_page(
                signed.language,
                MessageKind::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let names = shared.registry.sender_names().await;
    let dataset = view::meeting_dataset(
        signed.language,
        &view::Meeting {
            activities: &activities,
            reviews: &reviews,
            campaigns: &campaigns,
            results: &results,
            surveys: &surveys,
            names: &names,
        },
    );
    let mut response = crate::dashboard::http::dataset_file(&dataset, "csv", signed.language);
    if let Ok(value) = "attachment; filename=\"arsmote.csv\"".parse() {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The review row of `code`, if any.
pub(super) fn review_for<'a>(
    reviews: &'a [CampaignReview],
    code: &CampaignCode,
) -> Option<&'a CampaignReview> {
    reviews.iter().find(|review| &review.code == code)
}
