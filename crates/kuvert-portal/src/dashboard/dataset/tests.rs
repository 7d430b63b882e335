//! Unit tests of datasets: the table and the CSV show the same numbers, CSV quoting and
//! formula guarding.

use kuvert_web::i18n::Language;

use super::*;

fn sample() -> Dataset {
    Dataset {
        slug: "prov",
        title: "Prov".to_owned(),
        description: "Ett prov.".to_owned(),
        columns: vec![
            "Månad".to_owned(),
            "Antal".to_owned(),
            "Andel (%)".to_owned(),
        ],
        rows: vec![
            Row {
                label: "2026-01".to_owned(),
                values: vec![Value::Count(1_234_567), Value::Percent(Some(12.345))],
            },
            Row {
                label: "=HYPERLINK(\"x\")".to_owned(),
                values: vec![Value::Count(0), Value::Percent(None)],
            },
        ],
        chart: Some(ChartSpec {
            kind: ChartKind::Bars,
            series_columns: vec![0],
            unit: "st".to_owned(),
        }),
    }
}

#[test]
fn csv_has_headings_plain_numbers_and_guards_formulas() {
    let csv = sample().to_csv();
    assert_eq!(
        csv,
        "Månad,Antal,Andel (%)\r\n2026-01,1234567,12.3\r\n\"'=HYPERLINK(\"\"x\"\")\",0,\r\n"
    );
}

#[test]
fn table_view_formats_numbers_for_each_language() {
    let swedish = sample().to_view(Language::Swedish);
    assert_eq!(swedish.rows[0].1, ["1\u{a0}234\u{a0}567", "12,3\u{a0}%"]);
    assert_eq!(swedish.rows[1].1[1], "–");
    let english = sample().to_view(Language::English);
    assert_eq!(english.rows[0].1, ["1,234,567", "12.3%"]);
    assert!(
        english
            .svg
            .unwrap()
            .contains("<title id=\"prov-title\">Prov</title>")
    );
}

#[test]
fn negative_numbers_are_not_taken_for_formulas() {
    let mut csv = String::new();
    push_csv_line(&mut csv, ["-12.5", "-x", "+1"].into_iter());
    assert_eq!(csv, "-12.5,'-x,'+1\r\n");
}
