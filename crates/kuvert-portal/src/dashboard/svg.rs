//! Small SVG chart builders for the dashboards, rendered on the server so the charts need no
//! JavaScript: [`line_chart`] for series over time and [`bar_chart`] for grouped bars.
//!
//! Each chart is an accessible image: `role="img"`, `aria-labelledby` naming its `<title>`
//! and `<desc>`, and series told apart by more than colour — lines by dash pattern and
//! marker shape, bars by fill pattern — with a legend that repeats pattern, shape and name.
//! The palette's colours all have at least 3:1 contrast against white (WCAG 1.4.11). Styling
//! is in presentation attributes, so the same SVG also works as a standalone file. The same
//! numbers are always offered as a table and CSV beside the chart; the SVG is not the only
//! way to read them.

use std::fmt::Write as _;

use kuvert_core::limits::STATISTICS_MARKED_POINTS_MAX;
use kuvert_web::i18n::Language;

use super::number;

/// What a chart shows. `id` prefixes every element id, so it must be unique in the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chart<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    /// One label per point (line) or group (bars).
    pub(crate) x_labels: &'a [String],
    pub(crate) series: &'a [Series],
    /// The unit of the values, shown above the y axis.
    pub(crate) unit: &'a str,
    pub(crate) language: Language,
}

/// One named series; `values` has one value per x label (missing values are 0).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) values: Vec<f64>,
}

/// Canvas size in SVG units; the page scales it to its width.
const WIDTH: f64 = 720.0;
/// See [`WIDTH`].
const HEIGHT: f64 = 340.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 48.0;
/// Horizontal room one x label needs, so labels never overlap.
const LABEL_WIDTH: f64 = 72.0;

/// Series colours (contrast against white: 8.6, 4.9, 5.1, 9.0, 4.7).
const COLOURS: [&str; 5] = ["#1f4e79", "#a84d00", "#2e7d32", "#5b2a86", "#5f6368"];
/// Line dash patterns, one per series.
const DASHES: [&str; 5] = ["", "10 5", "3 4", "12 4 3 4", "6 3"];

/// A line per series over the x labels.
pub(crate) fn line_chart(chart: &Chart<'_>) -> String {
    let scale = Scale::new(max_value(chart.series));
    let mut svg = open(chart);
    axes(&mut svg, chart, &scale, Align::Points);
    let step = step_width(chart.x_labels.len(), Align::Points);
    for (index, series) in chart.series.iter().enumerate() {
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(x, value)| (LEFT + step * x as f64, scale.y(*value)))
            .collect();
        let mut path = String::with_capacity(points.len() * 16);
        for (number, (x, y)) in points.iter().enumerate() {
            let command = if number == 0 { 'M' } else { 'L' };
            let _ = write!(path, "{command}{x:.1},{y:.1}");
        }
        let _ = write!(
            svg,
            r#"<path d="{path}" fill="none" stroke="{}" stroke-width="2.5"{}/>"#,
            colour(index),
            dash_attribute(index)
        );
        let marked = if points.len() <= STATISTICS_MARKED_POINTS_MAX {
            &points[..]
        } else {
            &points[points.len() - 1..]
        };
        for (x, y) in marked {
            marker(&mut svg, index, *x, *y);
        }
    }
    legend(&mut svg, chart, Legend::Lines);
    svg.push_str("</svg>");
    svg
}

/// A group of bars per x label, one bar per series, with values written above wide bars.
pub(crate) fn bar_chart(chart: &Chart<'_>) -> String {
    let scale = Scale::new(max_value(chart.series));
    let mut svg = open(chart);
    patterns(&mut svg, chart);
    axes(&mut svg, chart, &scale, Align::Groups);
    let group_width = step_width(chart.x_labels.len(), Align::Groups);
    let n_series = chart.series.len().max(1) as f64;
    let bar_width = (group_width * 0.8 / n_series).max(1.0);
    for (index, series) in chart.series.iter().enumerate() {
        for (group, value) in series.values.iter().enumerate() {
            let x = LEFT + group_width * (group as f64 + 0.1) + bar_width * index as f64;
            let y = scale.y(*value);
            let height = (scale.y(0.0) - y).max(0.0);
            let _ = write!(
                svg,
                concat!(
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_width:.1}" height="{height:.1}" "#,
                    r#"fill="url(#{}-p{index})" stroke="{}"/>"#,
                ),
                chart.id,
                colour(index),
                x = x,
                y = y,
                bar_width = bar_width,
                height = height,
                index = index
            );
            if bar_width >= 34.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
                    x + bar_width / 2.0,
                    y - 4.0,
                    escape(&scale.label(*value, chart.language))
                );
            }
        }
    }
    legend(&mut svg, chart, Legend::Bars);
    svg.push_str("</svg>");
    svg
}

/// Escapes text for SVG and HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The y axis: 0 to a round maximum in at most five round steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    pub(crate) top: f64,
    pub(crate) step: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    /// Line points from the left to the right edge.
    Points,
    /// Bar groups each in the middle of their slot.
    Groups,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Legend {
    Lines,
    Bars,
}

impl Scale {
    /// A scale whose top is a round number at or above `max` (1 when `max` is not above 0).
    pub(crate) fn new(max: f64) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let rough_step = max / 5.0;
        let magnitude = 10_f64.powf(rough_step.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|factor| factor * magnitude)
            .find(|step| *step >= rough_step)
            .unwrap_or(10.0 * magnitude);
        let top = (max / step).ceil() * step;
        Self { top, step }
    }

    fn y(&self, value: f64) -> f64 {
        let height = HEIGHT - TOP - BOTTOM;
        HEIGHT - BOTTOM - (value.max(0.0) / self.top) * height
    }

    /// A tick or bar value with as few decimals (at most two) as it needs.
    fn label(&self, value: f64, language: Language) -> String {
        let decimals = (0..2)
            .find(|decimals| {
                let factor = 10_f64.powi(*decimals);
                ((value * factor).round() - value * factor).abs() < 1e-6
            })
            .unwrap_or(2);
        number::decimal(value, usize::try_from(decimals).unwrap_or(2), language)
    }
}

fn open(chart: &Chart<'_>) -> String {
    let id = escape(chart.id);
    let mut svg = String::with_capacity(4_096 + chart.x_labels.len() * 64);
    let _ = write!(
        svg,
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" "#,
            r#"width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{id}-title "#,
            r#"{id}-desc" font-family="sans-serif"><title id="{id}-title">{}</title><desc "#,
            r#"id="{id}-desc">{}</desc>"#,
        ),
        escape(chart.title),
        escape(chart.description),
        WIDTH = WIDTH,
        HEIGHT = HEIGHT,
        id = id
    );
    svg
}

fn axes(svg: &mut String, chart: &Chart<'_>, scale: &Scale, align: Align) {
    let language = chart.language;
    let mut tick = 0.0;
    while tick <= scale.top + scale.step / 2.0 {
        let y = scale.y(tick);
        let _ = write!(
            svg,
            concat!(
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#d0d0d0"/>"##,
                r##"<text "##,
                r##"x="{:.1}" y="{:.1}" text-anchor="end" font-size="12">{}</text>"##,
            ),
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&scale.label(tick, language)),
            LEFT = LEFT,
            y = y
        );
        tick += scale.step;
    }
    let _ = write!(
        svg,
        concat!(
            r##"<text x="{LEFT}" y="{:.1}" font-size="12">{}</text><line x1="{LEFT}" y1="{:.1}" "##,
            r##"x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        ),
        TOP - 10.0,
        escape(chart.unit),
        scale.y(0.0),
        WIDTH - RIGHT,
        scale.y(0.0),
        LEFT = LEFT
    );
    x_labels(svg, chart.x_labels, align);
}

fn x_labels(svg: &mut String, labels: &[String], align: Align) {
    let step = step_width(labels.len(), align);
    let every = ((LABEL_WIDTH / step).ceil() as usize).max(1);
    let offset = if align == Align::Groups {
        step / 2.0
    } else {
        0.0
    };
    for (index, label) in labels.iter().enumerate() {
        let is_last = index + 1 == labels.len();
        // The last label always shows; a regular one too close before it gives way.
        let is_regular = index % every == 0 && labels.len() - 1 - index >= every;
        if !is_last && !is_regular {
            continue;
        }
        let anchor = if align == Align::Points && is_last && labels.len() > 1 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="12">{}</text>"#,
            LEFT + step * index as f64 + offset,
            HEIGHT - BOTTOM + 18.0,
            escape(label)
        );
    }
}

/// Horizontal distance between points (line) or the width of a group's slot (bars).
fn step_width(count: usize, align: Align) -> f64 {
    let plot_width = WIDTH - LEFT - RIGHT;
    match align {
        Align::Points if count > 1 => plot_width / (count - 1) as f64,
        Align::Points => plot_width,
        Align::Groups => plot_width / count.max(1) as f64,
    }
}

fn legend(svg: &mut String, chart: &Chart<'_>, kind: Legend) {
    let mut x = LEFT;
    let y = 18.0;
    for (index, series) in chart.series.iter().enumerate() {
        match kind {
            Legend::Lines => {
                let _ = write!(
                    svg,
                    concat!(
                        r#"<line x1="{x:.1}" y1="{y}" x2="{:.1}" y2="{y}" stroke="{}" "#,
                        r#"stroke-width="2.5"{}/>"#,
                    ),
                    x + 28.0,
                    colour(index),
                    dash_attribute(index),
                    x = x,
                    y = y
                );
                marker(svg, index, x + 14.0, y);
            }
            Legend::Bars => {
                let _ = write!(
                    svg,
                    concat!(
                        r#"<rect x="{x:.1}" y="{:.1}" width="24" height="14" "#,
                        r#"fill="url(#{}-p{index})" stroke="{}"/>"#,
                    ),
                    y - 7.0,
                    chart.id,
                    colour(index),
                    x = x,
                    index = index
                );
            }
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{}</text>"#,
            x + 34.0,
            y + 4.5,
            escape(&series.name)
        );
        x += 44.0 + 7.5 * series.name.chars().count() as f64;
    }
}

/// One fill pattern per series: solid, diagonal lines, dots, crossed lines, vertical lines.
fn patterns(svg: &mut String, chart: &Chart<'_>) {
    svg.push_str("<defs>");
    for index in 0..chart.series.len() {
        let marks = match index % COLOURS.len() {
            0 => "",
            1 => r#"<path d="M0,8 L8,0" stroke="white" stroke-width="2"/>"#,
            2 => r#"<circle cx="4" cy="4" r="1.6" fill="white"/>"#,
            3 => r#"<path d="M0,8 L8,0 M0,0 L8,8" stroke="white" stroke-width="1.5"/>"#,
            _ => r#"<path d="M4,0 L4,8" stroke="white" stroke-width="2"/>"#,
        };
        let _ = write!(
            svg,
            concat!(
                r#"<pattern id="{}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">"#,
                r#"<rect width="8" height="8" fill="{}"/>{marks}</pattern>"#,
            ),
            chart.id,
            colour(index),
            index = index,
            marks = marks
        );
    }
    svg.push_str("</defs>");
}

/// A marker whose shape names the series: circle, square, triangle, diamond, cross.
fn marker(svg: &mut String, index: usize, x: f64, y: f64) {
    let colour = colour(index);
    let _ = match index % COLOURS.len() {
        0 => write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#
        ),
        1 => write!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}"/>"#,
            x - 4.0,
            y - 4.0
        ),
        2 => write!(
            svg,
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        3 => write!(
            svg,
            concat!(
                r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" "#,
                r#"fill="{colour}"/>"#,
            ),
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0,
            x = x,
            y = y,
            colour = colour
        ),
        _ => write!(
            svg,
            concat!(
                r#"<path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" "#,
                r#"stroke="{colour}" stroke-width="2.5"/>"#,
            ),
            x - 4.0,
            y - 4.0,
            x + 4.0,
            y + 4.0,
            x - 4.0,
            y + 4.0,
            x + 4.0,
            y - 4.0,
            colour = colour
        ),
    };
}

fn colour(index: usize) -> &'static str {
    COLOURS[index % COLOURS.len()]
}

fn dash_attribute(index: usize) -> String {
    match DASHES[index % DASHES.len()] {
        "" => String::new(),
        dashes => format!(r#" stroke-dasharray="{dashes}""#),
    }
}

fn max_value(series: &[Series]) -> f64 {
    series
        .iter()
        .flat_map(|series| series.values.iter().copied())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests;
