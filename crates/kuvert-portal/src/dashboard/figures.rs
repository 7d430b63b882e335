//! The dashboards' figures as [`Dataset`]s, with their Swedish and English words: each
//! function turns one result of [`super::model`] into the table, CSV and chart a page shows.

use kuvert_core::id::OrganisationNumber;
use kuvert_web::i18n::Language;

use super::dataset::{ChartKind, ChartSpec, Dataset, Row, Value};
use super::model::{
    CampaignFunnel, ConnectionPoint, KindCounts, LettersMonth, MailboxPoint, MonthlyLetters,
    OperatorShare, Period, Savings,
};

/// A campaign's totals for the campaigns table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CampaignResult {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) funnel: CampaignFunnel,
}

/// The key figures at the end of the range, as one two-column table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KeyFigures {
    pub(crate) persons: u64,
    pub(crate) companies: u64,
    pub(crate) connection_percent: f64,
    pub(crate) target_percent: Option<f64>,
    pub(crate) senders: u64,
    pub(crate) digital_letters: u64,
    pub(crate) paper_letters: u64,
    pub(crate) cost_kronor: f64,
    pub(crate) co2_kilograms: f64,
}

fn words(language: Language, swedish: &str, english: &str) -> String {
    match language {
        Language::Swedish => swedish.to_owned(),
        Language::English => english.to_owned(),
    }
}

/// The headings of persons, companies and their total, the columns of every mailbox figure.
fn kind_columns(language: Language) -> Vec<String> {
    let w = |sv, en| words(language, sv, en);
    vec![
        w("Personer", "Persons"),
        w("Företag", "Companies"),
        w("Totalt", "Total"),
    ]
}

/// Persons, companies and their total, in the order of [`kind_columns`].
fn kind_values(counts: &KindCounts) -> Vec<Value> {
    vec![
        Value::Count(counts.persons),
        Value::Count(counts.companies),
        Value::Count(counts.total()),
    ]
}

/// The key figures' labels, Swedish and English, in the order of [`key_figures`]' values.
const KEY_FIGURE_LABELS: [(&str, &str); 9] = [
    ("Digitala brevlådor, personer", "Digital mailboxes, persons"),
    (
        "Digitala brevlådor, företag",
        "Digital mailboxes, companies",
    ),
    (
        "Andel av befolkningen med digital brevlåda",
        "Share of the population with a digital mailbox",
    ),
    ("Årets mål", "This year's target"),
    ("Anslutna avsändare", "Connected senders"),
    ("Digitala brev i perioden", "Digital letters in the period"),
    ("Pappersbrev i perioden", "Paper letters in the period"),
    (
        "Sparat tryck och porto (kr)",
        "Printing and postage saved (SEK)",
    ),
    ("Undvikna utsläpp (kg CO₂)", "Emissions avoided (kg CO₂)"),
];

/// `nyckeltal`: the figures a visitor looks for first.
pub(crate) fn key_figures(figures: &KeyFigures, language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    let values = [
        Value::Count(figures.persons),
        Value::Count(figures.companies),
        Value::Percent(Some(figures.connection_percent)),
        Value::Percent(figures.target_percent),
        Value::Count(figures.senders),
        Value::Count(figures.digital_letters),
        Value::Count(figures.paper_letters),
        Value::Decimal(figures.cost_kronor, 0),
        Value::Decimal(figures.co2_kilograms, 0),
    ];
    Dataset {
        slug: "nyckeltal",
        title: w("Nyckeltal", "Key figures"),
        description: w(
            "Digitala brevlådor, anslutningstakt, avsändare och brev i perioden.",
            "Digital mailboxes, connection rate, senders and letters in the period.",
        ),
        columns: vec![w("Nyckeltal", "Figure"), w("Värde", "Value")],
        rows: KEY_FIGURE_LABELS
            .into_iter()
            .zip(values)
            .map(|((sv, en), value)| Row {
                label: w(sv, en),
                values: vec![value],
            })
            .collect(),
        chart: None,
    }
}

/// `brevlador`: active digital mailboxes per day or month, persons and companies.
pub(crate) fn mailboxes(points: &[MailboxPoint], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    let is_daily = matches!(points.first(), Some(point) if matches!(point.period, Period::Day(_)));
    let period_heading = if is_daily {
        w("Dag", "Day")
    } else {
        w("Månad", "Month")
    };
    Dataset {
        slug: "brevlador",
        title: w("Digitala brevlådor över tid", "Digital mailboxes over time"),
        description: w(
            "Antal aktiva digitala brevlådor för personer och för företag i slutet av varje \
             period.",
            "Active digital mailboxes of persons and of companies at the end of each period.",
        ),
        columns: [vec![period_heading], kind_columns(language)].concat(),
        rows: points
            .iter()
            .map(|point| Row {
                label: point.period.to_string(),
                values: kind_values(&point.mailboxes),
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Line,
            series_columns: vec![0, 1],
            unit: w("brevlådor", "mailboxes"),
        }),
    }
}

/// `anslutning`: the connection rate per month against the year's target.
pub(crate) fn connection_rate(points: &[ConnectionPoint], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "anslutning",
        title: w(
            "Anslutningstakt mot årets mål",
            "Connection rate against the annual target",
        ),
        description: w(
            "Andel av befolkningen med digital brevlåda i slutet av varje månad, och målet för \
             året enligt den årliga kommunikationsplanen.",
            "Share of the population with a digital mailbox at the end of each month, and the \
             year's target from the annual communication plan.",
        ),
        columns: vec![
            w("Månad", "Month"),
            w(
                "Personer med digital brevlåda",
                "Persons with a digital mailbox",
            ),
            w("Andel (%)", "Share (%)"),
            w("Mål (%)", "Target (%)"),
        ],
        rows: points
            .iter()
            .map(|point| Row {
                label: point.month.to_string(),
                values: vec![
                    Value::Count(point.persons),
                    Value::Percent(Some(point.percent)),
                    Value::Percent(point.target_percent),
                ],
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Line,
            series_columns: vec![1, 2],
            unit: "%".to_owned(),
        }),
    }
}

/// `operatorer`: each operator's active mailboxes and share.
pub(crate) fn operator_shares(shares: &[OperatorShare], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "operatorer",
        title: w("Andel per brevlådeoperatör", "Share per mailbox operator"),
        description: w(
            "Aktiva digitala brevlådor hos varje brevlådeoperatör och dess andel av alla.",
            "Active digital mailboxes at each mailbox operator and its share of all.",
        ),
        columns: [
            vec![w("Brevlådeoperatör", "Mailbox operator")],
            kind_columns(language),
            vec![w("Andel (%)", "Share (%)")],
        ]
        .concat(),
        rows: shares
            .iter()
            .map(|share| Row {
                label: share.name.clone(),
                values: [
                    kind_values(&share.mailboxes),
                    vec![Value::Percent(Some(share.percent))],
                ]
                .concat(),
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Bars,
            series_columns: vec![3],
            unit: "%".to_owned(),
        }),
    }
}

/// `brev`: letters per month over all senders, digital and on paper.
pub(crate) fn letters(months: &[LettersMonth], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "brev",
        title: w(
            "Brev per månad, digitalt och på papper",
            "Letters per month, digital and on paper",
        ),
        description: w(
            "Brev från alla avsändare per månad: digitalt till en digital brevlåda och som \
             pappersutskick.",
            "Letters from all senders per month: digitally to a digital mailbox and as paper \
             mail.",
        ),
        columns: vec![
            w("Månad", "Month"),
            w("Digitalt", "Digital"),
            w("Papper", "Paper"),
            w("Andel digitalt (%)", "Share digital (%)"),
        ],
        rows: months
            .iter()
            .map(|month| Row {
                label: month.month.to_string(),
                values: vec![
                    Value::Count(month.digital),
                    Value::Count(month.paper),
                    Value::Percent(super::model::percent(
                        month.digital,
                        month.digital + month.paper,
                    )),
                ],
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Bars,
            series_columns: vec![0, 1],
            unit: w("brev", "letters"),
        }),
    }
}

/// `brev-per-avsandare`: letters per sender and month (table and CSV only: too many bars).
pub(crate) fn letters_per_sender(
    rows: &[MonthlyLetters],
    sender_name: &dyn Fn(&OrganisationNumber) -> String,
    language: Language,
) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "brev-per-avsandare",
        title: w(
            "Brev per avsändare och månad",
            "Letters per sender and month",
        ),
        description: w(
            "Varje avsändares brev per månad, digitalt och på papper.",
            "Each sender's letters per month, digital and on paper.",
        ),
        columns: vec![
            w("Avsändare", "Sender"),
            w("Organisationsnummer", "Organisation number"),
            w("Månad", "Month"),
            w("Digitalt", "Digital"),
            w("Papper", "Paper"),
        ],
        rows: rows
            .iter()
            .map(|row| Row {
                label: sender_name(&row.sender),
                values: vec![
                    Value::Text(row.sender.as_str().to_owned()),
                    Value::Text(row.month.to_string()),
                    Value::Count(row.digital),
                    Value::Count(row.paper),
                ],
            })
            .collect(),
        chart: None,
    }
}

/// `besparing`: paper, printing and postage, and CO₂ saved by each month's digital letters.
pub(crate) fn savings(months: &[Savings], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "besparing",
        title: w(
            "Sparat papper, porto och koldioxid",
            "Paper, postage and carbon saved",
        ),
        description: w(
            "Vad de digitala breven sparade varje månad jämfört med pappersutskick, beräknat \
             med faktorerna som anges under tabellen.",
            "What the digital letters saved each month compared with paper mail, computed \
             with the factors stated below the table.",
        ),
        columns: vec![
            w("Månad", "Month"),
            w("Digitala brev", "Digital letters"),
            w("Papper (kg)", "Paper (kg)"),
            w("Tryck och porto (kr)", "Printing and postage (SEK)"),
            w("Koldioxid (kg CO₂)", "Carbon dioxide (kg CO₂)"),
        ],
        rows: months
            .iter()
            .map(|month| Row {
                label: month.month.to_string(),
                values: vec![
                    Value::Count(month.digital_letters),
                    Value::Decimal(month.paper_kilograms, 1),
                    Value::Decimal(month.cost_kronor, 0),
                    Value::Decimal(month.co2_kilograms, 1),
                ],
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Bars,
            series_columns: vec![2],
            unit: w("kronor", "SEK"),
        }),
    }
}

/// `tratt`: one campaign's funnel per day.
pub(crate) fn funnel(funnel: &CampaignFunnel, language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "tratt",
        title: w("Kampanjens tratt per dag", "The campaign's funnel per day"),
        description: w(
            "Besök på portalen med kampanjkoden, val av brevlådeoperatör och registreringar \
             som slutfördes hos en brevlådeoperatör, per dag.",
            "Visits to the portal with the campaign code, mailbox operators chosen and \
             registrations completed at a mailbox operator, per day.",
        ),
        columns: vec![
            w("Dag", "Day"),
            w("Besök", "Visits"),
            w("Valt brevlådeoperatör", "Mailbox operator chosen"),
            w("Registreringar", "Registrations"),
        ],
        rows: funnel
            .days
            .iter()
            .map(|(day, counts)| Row {
                label: Period::Day(*day).to_string(),
                values: vec![
                    Value::Count(counts.visits),
                    Value::Count(counts.operator_choices),
                    Value::Count(counts.registrations),
                ],
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Line,
            series_columns: vec![0, 1, 2],
            unit: w("antal", "count"),
        }),
    }
}

/// `kampanjer`: every campaign's totals against its goal.
pub(crate) fn campaigns(results: &[CampaignResult], language: Language) -> Dataset {
    let w = |sv, en| words(language, sv, en);
    Dataset {
        slug: "kampanjer",
        title: w(
            "Kampanjernas resultat mot mål",
            "Campaign results against goals",
        ),
        description: w(
            "Besök, val av brevlådeoperatör och registreringar för varje kampanj, och \
             registreringarna i procent av kampanjens mål.",
            "Visits, mailbox operators chosen and registrations for each campaign, and the \
             registrations in per cent of the campaign's goal.",
        ),
        columns: vec![
            w("Kampanj", "Campaign"),
            w("Namn", "Name"),
            w("Besök", "Visits"),
            w("Valt brevlådeoperatör", "Mailbox operator chosen"),
            w("Registreringar", "Registrations"),
            w("Mål", "Goal"),
            w("Resultat (% av mål)", "Result (% of goal)"),
        ],
        rows: results
            .iter()
            .map(|result| Row {
                label: result.code.clone(),
                values: vec![
                    Value::Text(result.name.clone()),
                    Value::Count(result.funnel.total.visits),
                    Value::Count(result.funnel.total.operator_choices),
                    Value::Count(result.funnel.total.registrations),
                    Value::Count(result.funnel.goal_registrations),
                    Value::Percent(result.funnel.percent_of_goal),
                ],
            })
            .collect(),
        chart: Some(ChartSpec {
            kind: ChartKind::Bars,
            series_columns: vec![3, 4],
            unit: w("registreringar", "registrations"),
        }),
    }
}
