//! The public dashboard's routes: `/statistik` (every figure as chart and table) and
//! `/statistik/{figure}.csv` / `.svg` (one figure as a file). The inputs are fetched from
//! the registry's statistics feed and the portal's store, then reused for
//! `StatisticsConfig::cache_secs`, so a busy day does not become a busy registry.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kuvert_store::portal::PortalStore;
use kuvert_web::i18n::Language;
use time::Date;

use super::dataset::{Dataset, TableView};
use super::feed::{FeedError, FeedScope, StatisticsJson, feed_paths, format_day};
use super::model::{AnnualTarget, RegistryStatistics};
use super::public::{DashboardInputs, PUBLIC_SLUGS, public_datasets, public_range};
use super::settings::StatisticsConfig;
use crate::http::pages::Chrome;
use crate::registry_client::RegistryClient;
use kuvert_web::registry_client::RegistryError;

/// What the dashboard routes share. Clones share the cache.
#[derive(Clone)]
pub(crate) struct DashboardState {
    registry: RegistryClient,
    store: Arc<dyn PortalStore>,
    settings: StatisticsConfig,
    cache: Arc<Mutex<Option<Cached>>>,
}

/// Computed inputs: when, for which day, and what.
type Cached = (Instant, Date, Arc<DashboardInputs>);

/// Why the figures could not be computed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DashboardError {
    #[error("registry statistics feed unavailable")]
    Registry(#[from] RegistryError),
    #[error("registry statistics feed unusable")]
    Feed(#[from] FeedError),
    #[error("portal store unavailable")]
    Store(#[from] kuvert_store::StoreError),
    #[error("statistics feed asked for nothing")]
    NoFeedRequest,
}

/// The routes, for the portal's page router (views of `/statistik` are counted as pages).
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(state: DashboardState) -> Router<S> {
    Router::new()
        .route("/statistik", get(statistics_page))
        .route("/statistik/{file}", get(statistics_file))
        .with_state(state)
}

impl DashboardState {
    pub(crate) fn new(
        registry: RegistryClient,
        store: Arc<dyn PortalStore>,
        settings: StatisticsConfig,
    ) -> Self {
        Self {
            registry,
            store,
            settings,
            cache: Arc::new(Mutex::new(None)),
        }
    }

    /// The inputs for the range ending `today`, from the cache while it is fresh.
    pub(crate) async fn inputs(&self, today: Date) -> Result<Arc<DashboardInputs>, DashboardError> {
        let ttl = Duration::from_secs(self.settings.cache_secs);
        if let Some((at, day, inputs)) = self.lock_cache().as_ref()
            && at.elapsed() < ttl
            && *day == today
        {
            return Ok(Arc::clone(inputs));
        }
        let inputs =
            Arc::new(load_inputs(&self.registry, &*self.store, &self.settings, today).await?);
        *self.lock_cache() = Some((Instant::now(), today, Arc::clone(&inputs)));
        Ok(inputs)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // The cache is replaced in one assignment, so a poisoned lock still holds a whole value.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for DashboardState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DashboardState(..)")
    }
}

/// Fetches the feed for the public range ending `today`, the annual targets and the senders'
/// names.
pub(crate) async fn load_inputs(
    registry: &RegistryClient,
    store: &dyn PortalStore,
    settings: &StatisticsConfig,
    today: Date,
) -> Result<DashboardInputs, DashboardError> {
    let (from, to) = public_range(today);
    let statistics = fetch_statistics(registry, from, to, FeedScope::Public).await?;
    let targets = store
        .annual_targets()
        .await?
        .into_iter()
        .map(|target| AnnualTarget {
            year: target.year,
            percent_persons: target.target_percent_persons,
        })
        .collect();
    Ok(DashboardInputs {
        statistics,
        targets,
        factors: settings.factors(),
        sender_names: registry.sender_names().await,
    })
}

/// The registry's statistics feed for `from..=to` as `scope` asks ([`feed_paths`]): one
/// request, or for many campaigns one per piece, their rows put together.
pub(crate) async fn fetch_statistics(
    registry: &RegistryClient,
    from: Date,
    to: Date,
    scope: FeedScope<'_>,
) -> Result<RegistryStatistics, DashboardError> {
    let mut statistics: Option<RegistryStatistics> = None;
    for path in feed_paths(from, to, scope) {
        let json: StatisticsJson = registry.get_json(&path).await?;
        let part = json.into_statistics(from, to)?;
        match statistics.as_mut() {
            Some(whole) => whole.registrations.extend(part.registrations),
            None => statistics = Some(part),
        }
    }
    let mut statistics = statistics.ok_or(DashboardError::NoFeedRequest)?;
    if matches!(scope, FeedScope::Campaigns([])) {
        // Asked without sources for the rest of the feed: no campaign has rows.
        statistics.registrations.clear();
    }
    Ok(statistics)
}

/// The public dashboard page.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub(crate) struct DashboardPage {
    chrome: Chrome,
    title: &'static str,
    lead: String,
    contents_label: &'static str,
    csv_label: &'static str,
    svg_label: &'static str,
    show_table: &'static str,
    about_heading: &'static str,
    about: Vec<String>,
    /// Where the figures' files are: `/statistik`.
    file_base: &'static str,
    figures: Vec<TableView>,
}

async fn statistics_page(language: Language, State(state): State<DashboardState>) -> Response {
    let today = today();
    let inputs = match state.inputs(today).await {
        Ok(inputs) => inputs,
        Err(error) => return unavailable(&error, language),
    };
    let figures = public_datasets(&inputs, language)
        .iter()
        .map(|dataset| dataset.to_view(language))
        .collect();
    let page = DashboardPage::new(language, &inputs, figures);
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "statistics page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internt fel / Internal error",
            )
                .into_response()
        }
    }
}

/// `/statistik/{figure}.csv` or `.svg`.
async fn statistics_file(
    language: Language,
    State(state): State<DashboardState>,
    Path(file): Path<String>,
) -> Response {
    let Some((slug, extension)) = file.rsplit_once('.') else {
        return (StatusCode::NOT_FOUND, "").into_response();
    };
    if !PUBLIC_SLUGS.contains(&slug) || !matches!(extension, "csv" | "svg") {
        return (StatusCode::NOT_FOUND, "").into_response();
    }
    let inputs = match state.inputs(today()).await {
        Ok(inputs) => inputs,
        Err(error) => return unavailable(&error, language),
    };
    let datasets = public_datasets(&inputs, language);
    let Some(dataset) = datasets.iter().find(|dataset| dataset.slug == slug) else {
        return (StatusCode::NOT_FOUND, "").into_response();
    };
    dataset_file(dataset, extension, language)
}

/// One dataset as a CSV download or an SVG image; `None` body (404) for a figure without
/// a chart.
pub(crate) fn dataset_file(dataset: &Dataset, extension: &str, language: Language) -> Response {
    let (body, content_type) = match extension {
        "csv" => (dataset.to_csv(), "text/csv; charset=utf-8"),
        _ => match dataset.to_svg(language) {
            Some(svg) => (svg, "image/svg+xml; charset=utf-8"),
            None => return (StatusCode::NOT_FOUND, "").into_response(),
        },
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if extension == "csv" {
        let disposition = format!("attachment; filename=\"{}.csv\"", dataset.slug);
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// Today in Sweden, the day the statistics are counted on.
pub(crate) fn today() -> Date {
    kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc())
}

fn unavailable(error: &DashboardError, language: Language) -> Response {
    let chain = kuvert_core::report::error_chain(error);
    tracing::warn!(error = %chain, "statistics unavailable");
    let text = match language {
        Language::Swedish => "Statistiken kan inte visas just nu. Försök igen om en stund.",
        Language::English => "The statistics cannot be shown right now. Please try again later.",
    };
    (StatusCode::SERVICE_UNAVAILABLE, text).into_response()
}

impl DashboardPage {
    fn new(language: Language, inputs: &DashboardInputs, figures: Vec<TableView>) -> Self {
        let statistics = &inputs.statistics;
        let (from, to) = (format_day(statistics.from), format_day(statistics.to));
        let factors = &inputs.factors;
        let number = |value: f64| super::number::decimal(value, 0, language);
        let population = super::number::count(factors.population, language);
        match language {
            Language::Swedish => Self {
                chrome: Chrome::new(language, &[]),
                title: "Statistik",
                lead: format!(
                    "Digitala brevlådor, avsändare och brev från {from} till {to}. Siffrorna \
                     kommer från Förmedlingsadressregistret (FaR) och portalens egna \
                     besöksräkningar; inga personuppgifter ingår."
                ),
                contents_label: "Innehåll",
                csv_label: "Ladda ner tabellen som CSV",
                svg_label: "Öppna diagrammet som bild (SVG)",
                show_table: "Visa tabellen",
                about_heading: "Om siffrorna",
                about: vec![
                    format!("Andelen av befolkningen räknas på {population} personer."),
                    format!(
                        "Besparingen räknas med {} gram papper, {} kronor för tryck och porto \
                         och {} gram koldioxid per brev som skickas digitalt i stället för på \
                         papper. Faktorerna är antaganden som avsändarna kan ersätta med sina \
                         egna avtalade siffror.",
                        number(factors.paper_grams_per_letter),
                        number(factors.cost_kronor_per_letter),
                        number(factors.co2_grams_per_letter)
                    ),
                ],
                file_base: "/statistik",
                figures,
            },
            Language::English => Self {
                chrome: Chrome::new(language, &[]),
                title: "Statistics",
                lead: format!(
                    "Digital mailboxes, senders and letters from {from} to {to}. The figures \
                     come from the registry (FaR) and the portal's own visit counts; no \
                     personal data is included."
                ),
                contents_label: "Contents",
                csv_label: "Download the table as CSV",
                svg_label: "Open the chart as an image (SVG)",
                show_table: "Show the table",
                about_heading: "About the figures",
                about: vec![
                    format!("The share of the population is counted on {population} people."),
                    format!(
                        "Savings are counted with {} grams of paper, {} kronor of printing and \
                         postage and {} grams of carbon dioxide per letter sent digitally \
                         instead of on paper. The factors are assumptions that senders can \
                         replace with their own contract figures.",
                        number(factors.paper_grams_per_letter),
                        number(factors.cost_kronor_per_letter),
                        number(factors.co2_grams_per_letter)
                    ),
                ],
                file_base: "/statistik",
                figures,
            },
        }
    }
}
