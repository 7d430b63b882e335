//! The communicator's network page `/kommunikator/natverk` (issue 13 §1, §2, §5): per own
//! sender the brand form (message, logo upload — SVG sanitised or PNG — and alt text), the
//! link to its button snippet and the visits through the button; the A/B tests of the own
//! senders with visitors, visits and operator choices per variant and a two-proportion z-test
//! p-value; and the answers to "Hittade du det du sökte?" with their masked comments.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{
    BRAND_MESSAGE_CHARS_MAX, COMMUNICATOR_RESULTS_DAYS_MAX, LOGO_ALT_CHARS_MAX, LOGO_BYTES_MAX,
};
use kuvert_store::StoreError;
use kuvert_store::portal::network::{
    AbCodesOf, AbTest, Feedback, FeedbackCount, Logo, NewAbTest, SenderBrand, Variant,
    VariantCounts, VariantTexts,
};
use kuvert_web::csrf::CSRF_FIELD;

use super::CommunicatorState;
use super::auth::{Posted, Signed, lang_query};
use super::pages::{MessageKind, message_page, see_other};
use crate::dashboard::feed::FeedScope;
use crate::dashboard::http::{DashboardError, fetch_statistics, today};
use crate::dashboard::model;
use crate::domain::logo::check_logo;
use crate::domain::significance::two_proportion_z_test;
use crate::http::brand::variant_code;
use crate::http::pages::Chrome;

mod view;

use view::{AbTestRow, NetworkPage, SenderRow, texts};

/// Days back the page's figures reach.
const DAYS_SHOWN: i64 = 30;

/// `/kommunikator/natverk`.
pub(super) async fn page(State(state): State<CommunicatorState>, signed: Signed) -> Response {
    match network_page(&state, &signed, None).await {
        Ok(page) => super::editorial::render_view(&page, StatusCode::OK),
        Err(error) => unavailable(&signed, &error),
    }
}

async fn network_page(
    state: &CommunicatorState,
    signed: &Signed,
    problem: Option<&'static str>,
) -> Result<NetworkPage, DashboardError> {
    let shared = &state.shared;
    let language = signed.language;
    let senders: Vec<OrganisationNumber> = signed.communicator.senders.iter().cloned().collect();
    let to = today();
    let from = to - time::Duration::days(DAYS_SHOWN - 1);
    let visits = shared.store.visit_counts(from, to).await?;
    let names = shared.registry.sender_names().await;
    let mut sender_rows = Vec::with_capacity(senders.len());
    for sender in &senders {
        let button_visits: u64 = visits
            .iter()
            .filter(|count| {
                count.page == crate::http::button::BUTTON_LANDING
                    && count.sender.as_ref() == Some(sender)
            })
            .map(|count| count.visits)
            .sum();
        let brand = shared.network.brand(sender).await?;
        let name = names
            .iter()
            .find(|(known, _)| known == sender)
            .map_or_else(|| sender.as_str().to_owned(), |(_, name)| name.clone());
        sender_rows.push(SenderRow::new(
            sender,
            name,
            brand.as_ref(),
            button_visits,
            language,
        ));
    }
    let mut tests = Vec::new();
    for test in shared.network.ab_tests(Some(&senders)).await? {
        let counts = shared.network.ab_counts(&test.id).await?;
        let registrations = variant_registrations(state, &test).await;
        tests.push(ab_row(&test, &counts, registrations));
    }
    let feedback_counts: Vec<FeedbackCount> = shared.network.feedback_counts(from, to).await?;
    let comments: Vec<Feedback> = shared.network.feedback_comments(from, to).await?;
    Ok(NetworkPage {
        chrome: Chrome::new(language, &[]),
        t: texts(language),
        csrf: signed.csrf.clone(),
        lang_query: lang_query(language),
        problem,
        senders: sender_rows,
        tests,
        feedback_counts,
        comments,
    })
}

/// The registrations the registry counted under each variant's codes since the test started:
/// the variant's own (`http::brand::variant_code`) and those standing for a campaign and the
/// variant (`http::brand::campaign_variant_code`, kept in the store); `None` when the feed
/// cannot be asked (the page still shows the portal's own counts).
async fn variant_registrations(state: &CommunicatorState, test: &AbTest) -> Option<[u64; 2]> {
    let codes = [Variant::A, Variant::B].map(|variant| variant_code(&test.id, variant));
    let [Some(a), Some(b)] = codes else {
        return None;
    };
    let mut codes = [vec![a], vec![b]];
    let combined = state
        .shared
        .network
        .ab_campaign_codes(AbCodesOf::Test(&test.id))
        .await;
    match combined {
        Ok(combined) => {
            for recorded in combined {
                let index = usize::from(recorded.variant == Variant::B);
                codes[index].push(recorded.code);
            }
        }
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "A/B campaign codes unavailable");
            return None;
        }
    }
    let all: Vec<CampaignCode> = codes.concat();
    let to = today();
    let earliest = to - time::Duration::days(COMMUNICATOR_RESULTS_DAYS_MAX - 1);
    let started = kuvert_core::calendar::stockholm_day(test.created_at);
    let from = started.max(earliest).min(to);
    let scope = FeedScope::Campaigns(&all);
    match fetch_statistics(&state.shared.registry, from, to, scope).await {
        Ok(statistics) => Some(codes.each_ref().map(|codes| {
            model::campaign_funnel(codes, 0, &[], &statistics)
                .total
                .registrations
        })),
        Err(error) => {
            let chain = kuvert_core::report::error_chain(&error);
            tracing::warn!(error = %chain, "A/B registrations unavailable");
            None
        }
    }
}

fn ab_row(
    test: &AbTest,
    counts: &[VariantCounts; 2],
    registrations: Option<[u64; 2]>,
) -> AbTestRow {
    let [a, b] = counts;
    let significance = two_proportion_z_test(
        (a.operator_choices, a.visitors),
        (b.operator_choices, b.visitors),
    );
    let registered = registrations.and_then(|[registered_a, registered_b]| {
        two_proportion_z_test((registered_a, a.visitors), (registered_b, b.visitors))
    });
    AbTestRow {
        id: test.id.clone(),
        name: test.name.clone(),
        sender: test.sender.as_str().to_owned(),
        variants: [test.variants[0].sv.clone(), test.variants[1].sv.clone()],
        counts: *counts,
        p_value: significance.map(|result| format!("{:.3}", result.p_value)),
        registrations,
        p_registrations: registered.map(|result| format!("{:.3}", result.p_value)),
        is_running: test.is_running,
    }
}

/// `POST /kommunikator/natverk/avsandare/{organisation_number}` (multipart: the brand form).
pub(super) async fn save_brand(
    State(state): State<CommunicatorState>,
    signed: Signed,
    Path(organisation_number): Path<String>,
    multipart: Multipart,
) -> Response {
    let language = signed.language;
    let Some(sender) = OrganisationNumber::parse(&organisation_number)
        .ok()
        .filter(|sender| signed.speaks_for(sender))
    else {
        return message_page(language, MessageKind::NotFound, StatusCode::NOT_FOUND);
    };
    let fields = match read_multipart(multipart).await {
        Ok(fields) => fields,
        Err(problem) => return again(&state, &signed, problem).await,
    };
    if let Some(refused) = signed.refused_form(&state, text_field(&fields, CSRF_FIELD)) {
        return refused;
    }
    let brand = match brand_from(&sender, &fields) {
        Ok(brand) => brand,
        Err(problem) => return again(&state, &signed, problem).await,
    };
    match state.shared.network.set_brand(&brand).await {
        Ok(()) => see_other(&format!("/kommunikator/natverk{}", lang_query(language))),
        Err(error) => unavailable(&signed, &DashboardError::Store(error)),
    }
}

/// The form's parts: text fields as text, the file as bytes (bounded by the request limit).
async fn read_multipart(mut multipart: Multipart) -> Result<Vec<(String, Vec<u8>)>, &'static str> {
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| "form")? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| "form")?;
        fields.push((name, bytes.to_vec()));
    }
    Ok(fields)
}

fn text_field<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| std::str::from_utf8(value).ok())
        .map_or("", str::trim)
}

/// The brand as entered; the problem's key names what to fix. A new logo needs its Swedish
/// alt text; without a new file the stored logo stays.
fn brand_from(
    sender: &OrganisationNumber,
    fields: &[(String, Vec<u8>)],
) -> Result<SenderBrand, &'static str> {
    let bounded = |text: &str, max: usize| !text.is_empty() && text.chars().count() <= max;
    let message_sv = text_field(fields, "budskap");
    let message_en = text_field(fields, "budskap_en");
    let message_en = if message_en.is_empty() {
        message_sv
    } else {
        message_en
    };
    if !bounded(message_sv, BRAND_MESSAGE_CHARS_MAX)
        || !bounded(message_en, BRAND_MESSAGE_CHARS_MAX)
    {
        return Err("message");
    }
    let file = fields
        .iter()
        .find(|(key, value)| key == "logotyp" && !value.is_empty())
        .map(|(_, value)| value.as_slice());
    let logo = match file {
        None => None,
        Some(bytes) if bytes.len() > LOGO_BYTES_MAX => return Err("logo"),
        Some(bytes) => {
            let checked = check_logo(bytes).map_err(|_| "logo")?;
            let alt_sv = text_field(fields, "alt");
            let alt_en = text_field(fields, "alt_en");
            let alt_en = if alt_en.is_empty() { alt_sv } else { alt_en };
            if !bounded(alt_sv, LOGO_ALT_CHARS_MAX) || !bounded(alt_en, LOGO_ALT_CHARS_MAX) {
                return Err("alt");
            }
            Some(Logo {
                media_type: checked.media_type,
                bytes: checked.bytes,
                alt_sv: alt_sv.to_owned(),
                alt_en: alt_en.to_owned(),
            })
        }
    };
    Ok(SenderBrand {
        sender: sender.clone(),
        message_sv: message_sv.to_owned(),
        message_en: message_en.to_owned(),
        logo,
    })
}

/// `POST /kommunikator/natverk/ab-test`: starts an A/B test of one own sender's message.
pub(super) async fn create_ab_test(
    State(state): State<CommunicatorState>,
    Posted { signed, fields }: Posted,
) -> Response {
    let sender = Signed::sender_field(&fields, |sender| signed.speaks_for(sender));
    let variant = |name: &str| {
        let text = fields.value(name);
        (!text.is_empty() && text.chars().count() <= BRAND_MESSAGE_CHARS_MAX).then(|| {
            VariantTexts {
                sv: text.to_owned(),
                en: text.to_owned(),
            }
        })
    };
    let name = fields.value("namn");
    let (Some(sender), Some(a), Some(b), false) = (
        sender,
        variant("variant_a"),
        variant("variant_b"),
        name.is_empty(),
    ) else {
        return again(&state, &signed, "ab_test").await;
    };
    let test = NewAbTest {
        name: name.to_owned(),
        sender,
        variants: [a, b],
    };
    match state.shared.network.create_ab_test(&test).await {
        Ok(_) => see_other(&format!(
            "/kommunikator/natverk{}",
            lang_query(signed.language)
        )),
        Err(StoreError::Conflict { .. } | StoreError::OutOfBounds { .. }) => {
            again(&state, &signed, "ab_test_running").await
        }
        Err(error) => unavailable(&signed, &DashboardError::Store(error)),
    }
}

/// `POST /kommunikator/natverk/ab-test/{id}/avsluta`: ends one of the own senders' tests.
pub(super) async fn end_ab_test(
    State(state): State<CommunicatorState>,
    Path(id): Path<String>,
    Posted { signed, .. }: Posted,
) -> Response {
    let senders: Vec<OrganisationNumber> = signed.communicator.senders.iter().cloned().collect();
    let own = match state.shared.network.ab_tests(Some(&senders)).await {
        Ok(tests) => tests.iter().any(|test| test.id == id),
        Err(error) => return unavailable(&signed, &DashboardError::Store(error)),
    };
    if !own {
        return message_page(
            signed.language,
            MessageKind::NotFound,
            StatusCode::NOT_FOUND,
        );
    }
    match state.shared.network.end_ab_test(&id).await {
        Ok(_) => see_other(&format!(
            "/kommunikator/natverk{}",
            lang_query(signed.language)
        )),
        Err(error) => unavailable(&signed, &DashboardError::Store(error)),
    }
}

/// The page again with what to fix, 422.
async fn again(state: &CommunicatorState, signed: &Signed, problem: &'static str) -> Response {
    match network_page(state, signed, Some(problem)).await {
        Ok(page) => super::editorial::render_view(&page, StatusCode::UNPROCESSABLE_ENTITY),
        Err(error) => unavailable(signed, &error),
    }
}

fn unavailable(signed: &Signed, error: &DashboardError) -> Response {
    let chain = kuvert_core::report::error_chain(error);
    tracing::warn!(error = %chain, "communicator network page unavailable");
    message_page(
        signed.language,
        MessageKind::Unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
    )
}
