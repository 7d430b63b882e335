//! The portal's routes: thin handlers that read the query, ask the registry or the store,
//! and render a page (`pages`, `info_pages`, `sender_pages`) or redirect.
//!
//! Routes (fixed URLs of SESSION2): `/` start, `/skaffa` chooser (accepts a deep link's
//! `avsandare`/`kampanj`), `/skaffa/{slug}` (counts the operator choice, then 303 to the
//! operator's sign-up), `/avsandare` senders list, `/avsandare/{organisation_number}/qr.svg`
//! and `/avsandare/{organisation_number}/pappersbrev` (paper letters), `/fragor` FAQ,
//! `/tillganglighet` accessibility statement, `/nyheter` published news and `/nyheter.atom`
//! its Atom feed, `/sidor/{id}` a published page (published FAQ entries are on `/fragor`),
//! `/enkat?kampanj=CODE` a campaign's survey (answers `POST /enkat/svar`), `POST /synpunkter`
//! the page feedback, `/static/portal.css` (health and metrics are on the admin listener,
//! `Service::admin_router`).
//! **Invariant:** no public route sets a cookie.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::PORTAL_REQUEST_BYTES_MAX;
use kuvert_core::operator::OperatorSlug;
use kuvert_web::deep_link::{PaperLetterNotice, paper_letter_notice};
use kuvert_web::i18n::Language;

use crate::config::Config;
use crate::domain::deep_link::DeepLink;
use crate::registry_client::RegistryClient;
use crate::visits::VisitCounter;

pub(crate) mod brand;
pub(crate) mod button;
pub(crate) mod feedback;
mod info_pages;
mod news;
pub(crate) mod pages;
mod sender_pages;
mod survey;
mod visits;

/// What every handler shares. Clones share everything.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) registry: RegistryClient,
    /// The store (through [`VisitCounter::store`]) and the visit counting.
    pub(crate) visits: VisitCounter,
    /// Brands, feedback and A/B tests (issue 13).
    pub(crate) network: Arc<dyn kuvert_store::portal::network::NetworkStore>,
    /// Published news (issue 13 §3).
    pub(crate) editorial: Arc<dyn kuvert_store::portal::editorial::EditorialStore>,
    /// Annual plans (issue 13 §4), read by the communicators' pages.
    pub(crate) plans: Arc<dyn kuvert_store::portal::plans::PlanStore>,
    /// The header carrying the client's address behind a proxy, parsed from the config.
    pub(crate) client_address_header: Option<axum::http::HeaderName>,
    /// The communicators' pages, when `Config::communicators` is set.
    pub(crate) communicators: Option<crate::communicator::CommunicatorState>,
    /// The rate limit per client address (`Config::http`).
    pub(crate) limiter: kuvert_web::rate_limit::RateLimiter,
}

/// The portal's routes with the standard layers. Public pages take no form posts, so the
/// body bound is small.
pub(crate) fn router(state: AppState) -> Router {
    // Page views are counted; the QR image, the stylesheet and the choice redirect are not
    // pages (a choice is counted as such).
    let pages = Router::new()
        .route("/", get(start))
        .route("/skaffa", get(choose_operator))
        .route(button::BUTTON_LANDING, get(choose_operator))
        .route("/knapp", get(button::page))
        .route("/avsandare", get(senders))
        .route(
            "/avsandare/{organisation_number}/pappersbrev",
            get(paper_letter),
        )
        .route("/fragor", get(questions))
        .route("/tillganglighet", get(accessibility))
        .route("/nyheter", get(news::page))
        .route("/sidor/{id}", get(news::published_page))
        .route(survey::SURVEY_PAGE, get(survey::page))
        .merge(crate::dashboard::http::routes(
            crate::dashboard::http::DashboardState::new(
                state.registry.clone(),
                Arc::clone(state.visits.store()),
                state.config.statistics,
            ),
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            visits::count_visit,
        ))
        .route_layer(axum::middleware::from_fn(visits::feedback_scope));
    let limiter = state.limiter.clone();
    let routes = pages
        .route("/skaffa/{slug}", get(operator_chosen))
        .route(
            "/avsandare/{organisation_number}/qr.svg",
            get(sender_qr_code),
        )
        .route("/avsandare/{organisation_number}/logotyp", get(brand::logo))
        .route("/synpunkter", axum::routing::post(feedback::submit))
        .route(survey::SURVEY_ANSWERS, axum::routing::post(survey::submit))
        .route("/static/portal.css", get(stylesheet))
        .route("/nyheter.atom", get(news::feed))
        .merge(
            state
                .communicators
                .clone()
                .map_or_else(Router::new, crate::communicator::routes),
        )
        .fallback(unknown_page)
        .with_state(state);
    let routes = limiter.apply(routes);
    kuvert_web::layers::standard_layers(routes, PORTAL_REQUEST_BYTES_MAX)
}

async fn start(language: Language, RawQuery(query): RawQuery) -> Response {
    let deep_link = DeepLink::from_raw_query(query.as_deref());
    render(&pages::StartPage::new(language, &deep_link))
}

async fn choose_operator(
    language: Language,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: axum::extract::Request,
) -> Response {
    let deep_link = DeepLink::from_raw_query(query.as_deref());
    let facts = visits::request_facts(&state, request.headers(), request.extensions());
    let brand = brand::brand_view(&state, &deep_link, &facts, language).await;
    // The sender's name, when the registry's list is at hand: the chooser never waits for it.
    let senders = match &deep_link.sender {
        Some(_) => state.registry.cached_senders(),
        None => None,
    };
    let sender_name = deep_link.sender.as_ref().and_then(|sender| {
        senders.as_ref().and_then(|senders| {
            senders
                .iter()
                .find(|known| &known.organisation_number == sender)
                .map(|known| known.name.as_str())
        })
    });
    let mut page =
        pages::ChooserPage::new(language, &state.config.operators, &deep_link, sender_name);
    page.brand = brand;
    page.survey = survey::landing_link(&state, &deep_link, language).await;
    render(&page)
}

/// Counts the choice and sends the person on to the operator's sign-up, carrying the deep
/// link's sender and campaign.
async fn operator_chosen(
    language: Language,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    request: axum::extract::Request,
) -> Response {
    let Some(operator) = OperatorSlug::parse(&slug).ok().and_then(|slug| {
        state
            .config
            .operators
            .iter()
            .find(|operator| operator.slug == slug)
    }) else {
        return not_found(language);
    };
    let mut deep_link = DeepLink::from_raw_query(query.as_deref());
    if let Err(error) = state
        .visits
        .record_operator_choice(&operator.slug, &deep_link)
        .await
    {
        // Counting must never stand between a person and their sign-up.
        tracing::error!(
            error = %kuvert_core::report::error_chain(&error),
            "operator choice not counted"
        );
    }
    let facts = visits::request_facts(&state, request.headers(), request.extensions());
    let choice = brand::record_ab_choice(&state, &deep_link, &facts).await;
    // Under an A/B variant the sign-up carries a code the registration is counted by for the
    // variant, and for the link's campaign too when it names one.
    deep_link.campaign = brand::signup_source(&state, deep_link.campaign.take(), choice).await;
    let target = deep_link.signup_url(&operator.signup_url, language);
    Redirect::to(target.as_str()).into_response()
}

async fn senders(language: Language, State(state): State<AppState>) -> Response {
    let senders = match state.registry.senders().await {
        Ok(senders) => Some(senders),
        Err(error) => {
            let error = kuvert_core::report::error_chain(&error);
            tracing::warn!(%error, "senders list unavailable");
            None
        }
    };
    render(&sender_pages::SendersPage::new(
        language,
        senders.as_ref().map(|senders| senders.as_slice()),
    ))
}

async fn sender_qr_code(letter: PaperLetter) -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        letter.notice.qr_svg,
    )
        .into_response()
}

async fn paper_letter(
    language: Language,
    State(state): State<AppState>,
    letter: PaperLetter,
) -> Response {
    let PaperLetter {
        sender,
        campaign,
        notice,
    } = letter;
    // The name is a courtesy: without the registry the page still shows the number.
    let senders = state.registry.senders().await.ok();
    let name = senders.as_ref().and_then(|senders| {
        senders
            .iter()
            .find(|known| known.organisation_number == sender)
            .map(|known| known.name.as_str())
    });
    render(&sender_pages::PaperLetterPage::new(
        language,
        &sender_pages::PaperLetterFacts {
            sender: &sender,
            name,
            campaign: campaign.as_ref(),
            notice: &notice,
        },
    ))
}

/// The notice of a paper letter from the sender the path names, with a deep link's campaign
/// from the query: what both the paper-letter page and its QR code show.
struct PaperLetter {
    sender: OrganisationNumber,
    campaign: Option<CampaignCode>,
    notice: PaperLetterNotice,
}

impl FromRequestParts<AppState> for PaperLetter {
    /// The page instead: 404 for a malformed organisation number, 500 when the portal's
    /// address is unusable for a deep link.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(language) = Language::from_request_parts(parts, state).await;
        let Path(organisation_number) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(sender) = OrganisationNumber::parse(&organisation_number) else {
            return Err(not_found(language));
        };
        let campaign = DeepLink::from_raw_query(parts.uri.query()).campaign;
        let notice = paper_letter_notice(&state.config.public_url, &sender, campaign.as_ref())
            .map_err(|error| internal_error(&error))?;
        Ok(Self {
            sender,
            campaign,
            notice,
        })
    }
}

async fn questions(language: Language, State(state): State<AppState>) -> Response {
    let published = news::faq_entries(&state).await;
    render(&info_pages::QuestionsPage::new(language, published))
}

async fn accessibility(language: Language, State(state): State<AppState>) -> Response {
    let publisher = info_pages::Publisher {
        name: &state.config.publisher_name,
        contact_email: &state.config.contact_email,
    };
    render(&info_pages::AccessibilityPage::new(language, &publisher))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/portal.css"),
    )
        .into_response()
}

async fn unknown_page(language: Language) -> Response {
    not_found(language)
}

fn not_found(language: Language) -> Response {
    let mut response = render(&pages::NotFoundPage::new(language));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

fn internal_error(error: &dyn std::error::Error) -> Response {
    tracing::error!(error = %kuvert_core::report::error_chain(error), "portal request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internt fel / Internal error",
    )
        .into_response()
}

/// `""` or `"?lang=en"`.
fn lang_suffix(language: Language) -> &'static str {
    match language {
        Language::Swedish => "",
        Language::English => "?lang=en",
    }
}

pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => internal_error(&error),
    }
}
