//! The public dashboard against a seeded registry feed: the figures, the same numbers in the
//! table and the CSV, the chart as SVG, and no cookie.

use reqwest::StatusCode;

use crate::support::today;
use crate::world::{Browser, OPERATOR, SENDER, World};

/// 9 000 persons and 50 companies before the range, 1 000 persons registered today (from a
/// campaign), 4 000 digital and 1 000 paper letters this month, 2 senders.
pub(crate) fn seeded_feed() -> serde_json::Value {
    let today = today();
    let day = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    serde_json::json!({
        "registrations": [{
            "day": day, "operator": OPERATOR, "kind": "person", "source_sender": SENDER,
            "source_campaign": "VAR-2026", "registered": 1000, "deregistered": 0,
            "moved_in": 0, "moved_out": 0,
        }],
        "letters": [{"sender": SENDER, "month": month, "digital": 4000, "paper": 1000}],
        "mailboxes_before": {"person": 9000, "company": 50},
        "mailboxes_before_per_operator": [{"operator": OPERATOR, "person": 9000, "company": 50}],
        "senders": 2,
        "operators": [{"organisation_number": OPERATOR, "name": "Demobrevlådan"}],
    })
}

#[tokio::test]
async fn statistics_page_shows_the_seeded_figures_in_tables_and_charts() {
    let world = World::start(seeded_feed()).await;
    let mut browser = Browser::new();
    let response = browser.get(&world.url("/statistik")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "the dashboard sets no cookie"
    );
    let html = response.text().await.unwrap();
    // Key figures: 10 000 persons, 50 companies, 4 000 digital letters saving 40 000 kr.
    assert!(
        html.contains("<th scope=\"row\">Digitala brevlådor, personer</th><td>10\u{a0}000</td>"),
        "{html}"
    );
    assert!(html.contains("<th scope=\"row\">Digitala brevlådor, företag</th><td>50</td>"));
    assert!(html.contains("<th scope=\"row\">Anslutna avsändare</th><td>2</td>"));
    assert!(html.contains("<td>40\u{a0}000</td>"));
    // Each chart is an accessible SVG beside its table.
    assert_eq!(
        html.matches("role=\"img\"").count(),
        5,
        "five figures have charts"
    );
    assert!(
        html.contains("<caption id=\"brevlador-tabell\">Digitala brevlådor över tid</caption>")
    );
    assert!(html.contains("href=\"/statistik/brev-per-avsandare.csv\""));
    assert!(html.contains("<th scope=\"row\">Exempelkommun</th><td>2120000829</td>"));
    let today = today();
    let first = crate::world::asked_from(&world);
    assert_eq!(first.1, format!("{today}"));
    assert!(
        first.0.ends_with("-01"),
        "the range starts on a month's first day: {first:?}"
    );
}

#[tokio::test]
async fn statistics_csv_and_svg_are_files_with_the_same_numbers() {
    let world = World::start(seeded_feed()).await;
    let mut browser = Browser::new();
    let csv = browser.get(&world.url("/statistik/nyckeltal.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"nyckeltal.csv\""
    );
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("Nyckeltal,Värde\r\n"));
    assert!(
        text.contains("\"Digitala brevlådor, personer\",10000\r\n"),
        "{text}"
    );
    assert!(text.contains("Digitala brev i perioden,4000\r\n"));
    assert!(text.contains("Pappersbrev i perioden,1000\r\n"));
    let operators = browser
        .get(&world.url("/statistik/operatorer.csv?lang=en"))
        .await;
    let operators = operators.text().await.unwrap();
    assert_eq!(
        operators,
        concat!(
            "Mailbox operator,Persons,Companies,Total,Share (%)\r\n",
            "Demobrevlådan,10000,50,10050,100.0\r\n"
        )
    );
    let svg = browser.get(&world.url("/statistik/brev.svg")).await;
    assert_eq!(
        svg.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    let svg = svg.text().await.unwrap();
    assert!(
        svg.contains("<title id=\"brev-title\">Brev per månad, digitalt och på papper</title>")
    );
    for missing in [
        "/statistik/okand.csv",
        "/statistik/nyckeltal.svg",
        "/statistik/brev.pdf",
    ] {
        assert_eq!(
            browser.get(&world.url(missing)).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}
