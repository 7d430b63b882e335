//! Unit tests of the SVG builders: accessible structure, escaping, scales, one mark per
//! value.

use kuvert_web::i18n::Language;

use super::*;

fn chart<'a>(labels: &'a [String], series: &'a [Series]) -> Chart<'a> {
    Chart {
        id: "prov",
        title: "Brevlådor <över> tid",
        description: "Personer & företag.",
        x_labels: labels,
        series,
        unit: "brevlådor",
        language: Language::Swedish,
    }
}

fn labels(count: usize) -> Vec<String> {
    (1..=count).map(|day| format!("2026-03-{day:02}")).collect()
}

fn two_series(count: usize) -> Vec<Series> {
    vec![
        Series {
            name: "Personer".to_owned(),
            values: (0..count).map(|v| v as f64).collect(),
        },
        Series {
            name: "Företag".to_owned(),
            values: vec![1.0; count],
        },
    ]
}

#[test]
fn line_chart_is_an_accessible_image_with_escaped_texts() {
    let labels = labels(5);
    let series = two_series(5);
    let svg = line_chart(&chart(&labels, &series));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\" aria-labelledby=\"prov-title prov-desc\""));
    assert!(svg.contains("<title id=\"prov-title\">Brevlådor &lt;över&gt; tid</title>"));
    assert!(svg.contains("<desc id=\"prov-desc\">Personer &amp; företag.</desc>"));
    assert!(svg.ends_with("</svg>"));
    // One path per series, the second dashed; the legend names both.
    assert_eq!(svg.matches("<path d=\"M").count(), 2);
    assert!(svg.contains("stroke-dasharray=\"10 5\""));
    assert!(svg.contains(">Personer</text>") && svg.contains(">Företag</text>"));
}

#[test]
fn bar_chart_draws_one_patterned_bar_per_value() {
    let labels = labels(3);
    let series = two_series(3);
    let svg = bar_chart(&chart(&labels, &series));
    // 6 bars plus 2 legend swatches, each filled with its series' pattern.
    assert_eq!(svg.matches("fill=\"url(#prov-p0)\"").count(), 4);
    assert_eq!(svg.matches("fill=\"url(#prov-p1)\"").count(), 4);
    assert_eq!(svg.matches("<pattern id=").count(), 2);
    // Wide bars carry their value.
    assert!(svg.contains(">2</text>"));
}

#[test]
fn many_points_get_few_labels_and_markers() {
    let labels = labels(28);
    let mut long_labels: Vec<String> = labels.iter().cycle().take(365).cloned().collect();
    long_labels[364] = "sista".to_owned();
    let series = two_series(365);
    let svg = line_chart(&chart(&long_labels, &series));
    let x_labels = svg.matches("font-size=\"12\">2026-03-").count();
    assert!(x_labels > 3 && x_labels <= 9, "{x_labels} x labels");
    assert!(svg.contains(">sista</text>"));
}

#[test]
fn scale_tops_out_at_a_round_number() {
    #[track_caller]
    fn check(max: f64, top: f64, step: f64) {
        assert_eq!(Scale::new(max), Scale { top, step }, "max {max}");
    }
    check(0.0, 1.0, 0.2);
    check(7.0, 8.0, 2.0);
    check(104.0, 125.0, 25.0);
    check(6_000_000.0, 6_000_000.0, 2_000_000.0);
    check(f64::NAN, 1.0, 0.2);
}
