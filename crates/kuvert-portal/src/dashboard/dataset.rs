//! [`Dataset`]: one dashboard figure as rows and columns, the single source of its three
//! forms — the accessible table on the page, the CSV download and the SVG chart — so the
//! three can never disagree.

use kuvert_core::limits::STATISTICS_OPEN_TABLE_ROWS_MAX;
use kuvert_web::i18n::Language;

use super::number;
use super::svg::{self, Chart, Series};

/// One figure: a caption, column headings and rows, and how to chart it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dataset {
    /// Its name in addresses (`/statistik/{slug}.csv`) and element ids.
    pub(crate) slug: &'static str,
    pub(crate) title: String,
    /// One or two sentences saying what the figure shows (the chart's `<desc>`).
    pub(crate) description: String,
    /// Headings: the first is the row label's, then one per value column.
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Row>,
    pub(crate) chart: Option<ChartSpec>,
}

/// One row: its label (a day, month, operator…) and one value per value column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) values: Vec<Value>,
}

/// A cell's value, formatted for people in the table and for programs in the CSV.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Count(u64),
    /// A share in per cent, one decimal; `None` shows as a dash (e.g. no target set).
    Percent(Option<f64>),
    /// An amount with the given number of decimals.
    Decimal(f64, usize),
    Text(String),
}

/// Which chart shows a dataset: the kind, the value columns that become series (indexes
/// into [`Row::values`]) and the unit above the y axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartSpec {
    pub(crate) kind: ChartKind,
    pub(crate) series_columns: Vec<usize>,
    pub(crate) unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChartKind {
    Line,
    Bars,
}

/// A dataset as the table template shows it: every cell already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableView {
    pub(crate) slug: &'static str,
    pub(crate) caption: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<(String, Vec<String>)>,
    /// The chart as inline SVG markup (already escaped), if the dataset has one.
    pub(crate) svg: Option<String>,
    /// A long table is folded into a `<details>` under its chart.
    pub(crate) is_folded: bool,
}

impl Value {
    /// The value as people read it.
    pub(crate) fn display(&self, language: Language) -> String {
        match self {
            Self::Count(count) => number::count(*count, language),
            Self::Percent(Some(share)) => number::percent(*share, language),
            Self::Percent(None) => "–".to_owned(),
            Self::Decimal(amount, decimals) => number::decimal(*amount, *decimals, language),
            Self::Text(text) => text.clone(),
        }
    }

    /// The value for a CSV file: plain digits, a decimal point, empty when missing.
    pub(crate) fn machine(&self) -> String {
        match self {
            Self::Count(count) => count.to_string(),
            Self::Percent(Some(share)) => number::machine(*share, 1),
            Self::Percent(None) => String::new(),
            Self::Decimal(amount, decimals) => number::machine(*amount, *decimals),
            Self::Text(text) => text.clone(),
        }
    }

    fn as_number(&self) -> f64 {
        match self {
            Self::Count(count) => *count as f64,
            Self::Percent(share) => share.unwrap_or(0.0),
            Self::Decimal(amount, _) => *amount,
            Self::Text(_) => 0.0,
        }
    }
}

impl Dataset {
    /// The CSV file (RFC 4180: comma, CRLF, quotes where needed), headings first.
    pub(crate) fn to_csv(&self) -> String {
        let mut csv = String::with_capacity(64 + self.rows.len() * 48);
        push_csv_line(&mut csv, self.columns.iter().map(String::as_str));
        for row in &self.rows {
            let machine: Vec<String> = row.values.iter().map(Value::machine).collect();
            push_csv_line(
                &mut csv,
                std::iter::once(row.label.as_str()).chain(machine.iter().map(String::as_str)),
            );
        }
        csv
    }

    /// The chart as SVG, if the dataset has one.
    pub(crate) fn to_svg(&self, language: Language) -> Option<String> {
        let spec = self.chart.as_ref()?;
        let x_labels: Vec<String> = self.rows.iter().map(|row| row.label.clone()).collect();
        let series: Vec<Series> = spec
            .series_columns
            .iter()
            .map(|column| Series {
                name: self.columns.get(column + 1).cloned().unwrap_or_default(),
                values: self
                    .rows
                    .iter()
                    .map(|row| row.values.get(*column).map_or(0.0, Value::as_number))
                    .collect(),
            })
            .collect();
        let chart = Chart {
            id: self.slug,
            title: &self.title,
            description: &self.description,
            x_labels: &x_labels,
            series: &series,
            unit: &spec.unit,
            language,
        };
        Some(match spec.kind {
            ChartKind::Line => svg::line_chart(&chart),
            ChartKind::Bars => svg::bar_chart(&chart),
        })
    }

    /// The table (and chart) as the page shows them.
    pub(crate) fn to_view(&self, language: Language) -> TableView {
        TableView {
            slug: self.slug,
            caption: self.title.clone(),
            columns: self.columns.clone(),
            rows: self
                .rows
                .iter()
                .map(|row| {
                    let cells = row.values.iter().map(|value| value.display(language));
                    (row.label.clone(), cells.collect())
                })
                .collect(),
            svg: self.to_svg(language),
            is_folded: self.rows.len() > STATISTICS_OPEN_TABLE_ROWS_MAX,
        }
    }
}

/// One CSV line. A field starting with `=`, `+`, `-` or `@` gets a leading `'`, so a
/// spreadsheet never runs a sender's or campaign's name as a formula.
fn push_csv_line<'a>(csv: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            csv.push(',');
        }
        let is_formula = field.starts_with(['=', '+', '@'])
            || (field.starts_with('-') && field.parse::<f64>().is_err());
        let field = if is_formula {
            format!("'{field}")
        } else {
            field.to_owned()
        };
        if field.contains([',', '"', '\r', '\n']) {
            csv.push('"');
            csv.push_str(&field.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&field);
        }
    }
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests;
