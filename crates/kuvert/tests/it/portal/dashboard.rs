//! The public dashboard (`/statistik`, issue 5 §5) against what [`seeding::seed`] made
//! through the real registry, operators and sender toolkit: every figure's numbers in the
//! page's tables, in its CSV files and in its SVG charts, exactly.
//!
//! The seed: 6 persons (4 from the demo, David and Eva signing up) and 1 company, 3 + 0 at
//! Demobrevlådan and 3 + 1 at Exempelposten; 2 senders; this month 4 000 digital and 1 000
//! paper letters from Exempelkommun, 30 and 70 from Exempelmyndigheten. With the default
//! factors (15 g paper, 10 kr, 20 g CO₂ per digital letter) 4 030 digital letters saved
//! 60,5 kg paper, 40 300 kr and 80,6 kg CO₂.

use kuvert::seed;
use kuvert::testkit::Browser;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::calendar::YearMonth;
use reqwest::StatusCode;

use super::seeding::{self, today};
use crate::account::{at, browser};

/// The dashboard's twelve months, oldest first, ending with the current one.
fn months() -> Vec<YearMonth> {
    let mut months = vec![YearMonth::of(today())];
    while months.len() < 12 {
        let first = months[0].first_day();
        months.insert(0, YearMonth::of(first - time::Duration::days(1)));
    }
    months
}

/// `GET /statistik/NAME` as text, checking its `content_type` and that it sets no cookie.
async fn file(
    browser: &Browser,
    federation: &Federation,
    name: &str,
    content_type: &str,
) -> String {
    let response = browser
        .get(&at(&federation.portal_url(), &format!("statistik/{name}")))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    assert_eq!(response.headers()["content-type"], content_type, "{name}");
    assert!(response.headers().get("set-cookie").is_none(), "{name}");
    response.text().await.unwrap()
}

async fn csv(browser: &Browser, federation: &Federation, slug: &str) -> String {
    file(
        browser,
        federation,
        &format!("{slug}.csv"),
        "text/csv; charset=utf-8",
    )
    .await
}

async fn svg(browser: &Browser, federation: &Federation, slug: &str) -> String {
    let content_type = "image/svg+xml; charset=utf-8";
    file(browser, federation, &format!("{slug}.svg"), content_type).await
}

/// A CSV file's text: each line ended by CRLF.
fn lines(lines: &[impl AsRef<str>]) -> String {
    lines
        .iter()
        .map(|line| format!("{}\r\n", line.as_ref()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_csv_files_hold_exactly_the_seeded_mailboxes_letters_and_savings() {
    let federation = Federation::start(FederationOptions::default()).await;
    seeding::seed(&federation).await;
    let browser = browser(&federation);
    let month = YearMonth::of(today());
    let key_figures = [
        "Nyckeltal,Värde",
        "\"Digitala brevlådor, personer\",6",
        "\"Digitala brevlådor, företag\",1",
        "Andel av befolkningen med digital brevlåda,0.0",
        "Årets mål,",
        "Anslutna avsändare,2",
        "Digitala brev i perioden,4030",
        "Pappersbrev i perioden,1070",
        "Sparat tryck och porto (kr),40300",
        "Undvikna utsläpp (kg CO₂),81",
    ];
    assert_eq!(
        csv(&browser, &federation, "nyckeltal").await,
        lines(&key_figures)
    );
    // Everyone registered today: no mailbox in the eleven months before this one.
    let mut mailboxes = vec!["Månad,Personer,Företag,Totalt".to_owned()];
    let mut connection = vec!["Månad,Personer med digital brevlåda,Andel (%),Mål (%)".to_owned()];
    for earlier in &months()[..11] {
        mailboxes.push(format!("{earlier},0,0,0"));
        connection.push(format!("{earlier},0,0.0,"));
    }
    mailboxes.push(format!("{month},6,1,7"));
    connection.push(format!("{month},6,0.0,"));
    assert_eq!(
        csv(&browser, &federation, "brevlador").await,
        lines(&mailboxes)
    );
    assert_eq!(
        csv(&browser, &federation, "anslutning").await,
        lines(&connection)
    );
    let operators = [
        "Brevlådeoperatör,Personer,Företag,Totalt,Andel (%)",
        "Exempelposten,3,1,4,57.1",
        "Demobrevlådan,3,0,3,42.9",
    ];
    assert_eq!(
        csv(&browser, &federation, "operatorer").await,
        lines(&operators)
    );
    let letters = [
        "Månad,Digitalt,Papper,Andel digitalt (%)".to_owned(),
        format!("{month},4030,1070,79.0"),
    ];
    assert_eq!(csv(&browser, &federation, "brev").await, lines(&letters));
    let per_sender = [
        "Avsändare,Organisationsnummer,Månad,Digitalt,Papper".to_owned(),
        format!("Exempelmyndigheten,2021999996,{month},30,70"),
        format!("Exempelkommun,2120000159,{month},4000,1000"),
    ];
    assert_eq!(
        csv(&browser, &federation, "brev-per-avsandare").await,
        lines(&per_sender)
    );
    let savings = [
        "Månad,Digitala brev,Papper (kg),Tryck och porto (kr),Koldioxid (kg CO₂)".to_owned(),
        format!("{month},4030,60.5,40300,80.6"),
    ];
    assert_eq!(
        csv(&browser, &federation, "besparing").await,
        lines(&savings)
    );
    let english = "operatorer.csv?lang=en";
    let english = file(&browser, &federation, english, "text/csv; charset=utf-8").await;
    let english_header = "Mailbox operator,Persons,Companies,Total,Share (%)\r\n";
    assert!(english.starts_with(english_header), "{english}");
    assert!(
        english.ends_with("Demobrevlådan,3,0,3,42.9\r\n"),
        "{english}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_counts_a_deregistration_and_a_change_of_mailbox() {
    let federation = Federation::start(FederationOptions::default()).await;
    seeding::seed(&federation).await;
    // Anna leaves Demobrevlådan; Tolvan moves from there to Exempelposten. Left: 5 persons,
    // Eva at Demobrevlådan, four persons and the company at Exempelposten.
    let anna = seed::person("anna").unwrap();
    seeding::deregister(&federation, anna).await;
    let tolvan = seed::person("tolvan").unwrap();
    seeding::change_mailbox(&federation, tolvan, seed::OPERATORS[1]).await;
    let browser = browser(&federation);
    let month = YearMonth::of(today());
    let key_figures = csv(&browser, &federation, "nyckeltal").await;
    for line in [
        "\"Digitala brevlådor, personer\",5\r\n",
        "\"Digitala brevlådor, företag\",1\r\n",
    ] {
        assert!(key_figures.contains(line), "{line} in {key_figures}");
    }
    let mailboxes = csv(&browser, &federation, "brevlador").await;
    assert!(
        mailboxes.ends_with(&format!("\r\n{month},5,1,6\r\n")),
        "{mailboxes}"
    );
    let operators = [
        "Brevlådeoperatör,Personer,Företag,Totalt,Andel (%)",
        "Exempelposten,4,1,5,83.3",
        "Demobrevlådan,1,0,1,16.7",
    ];
    assert_eq!(
        csv(&browser, &federation, "operatorer").await,
        lines(&operators)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_page_and_charts_show_the_seeded_numbers_without_a_cookie() {
    let federation = Federation::start(FederationOptions::default()).await;
    seeding::seed(&federation).await;
    let browser = browser(&federation);
    let page = browser
        .get(&at(&federation.portal_url(), "statistik"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    let month = YearMonth::of(today());
    let row = |label: &str, cells: &[&str]| {
        let cells: String = cells
            .iter()
            .map(|cell| format!("<td>{cell}</td>"))
            .collect();
        format!("<tr><th scope=\"row\">{label}</th>{cells}</tr>")
    };
    for expected in [
        row("Digitala brevlådor, personer", &["6"]),
        row("Digitala brevlådor, företag", &["1"]),
        row("Anslutna avsändare", &["2"]),
        row("Digitala brev i perioden", &["4\u{a0}030"]),
        row("Pappersbrev i perioden", &["1\u{a0}070"]),
        row("Sparat tryck och porto (kr)", &["40\u{a0}300"]),
        row("Undvikna utsläpp (kg CO₂)", &["81"]),
        row(&month.to_string(), &["6", "1", "7"]),
        row("Exempelposten", &["3", "1", "4", "57,1\u{a0}%"]),
        row("Demobrevlådan", &["3", "0", "3", "42,9\u{a0}%"]),
        row(
            &month.to_string(),
            &["4\u{a0}030", "1\u{a0}070", "79,0\u{a0}%"],
        ),
        row(
            "Exempelkommun",
            &["2120000159", &month.to_string(), "4\u{a0}000", "1\u{a0}000"],
        ),
        row(
            &month.to_string(),
            &["4\u{a0}030", "60,5", "40\u{a0}300", "80,6"],
        ),
    ] {
        assert!(html.contains(&expected), "{expected} in {html}");
    }
    // Each chart is an accessible SVG beside its table (all but the key figures and the
    // letters per sender).
    assert_eq!(html.matches("role=\"img\"").count(), 5, "{html}");
    // The charts' labels are the seeded numbers: bars of 4 030 digital and 1 070 paper
    // letters, operator shares of 4 and 3 in 7, 40 300 kr saved.
    let letters = svg(&browser, &federation, "brev").await;
    assert!(letters.contains("<title id=\"brev-title\">Brev per månad, digitalt och på papper"));
    for label in ["4\u{a0}030", "1\u{a0}070"] {
        assert!(
            letters.contains(&format!(">{label}</text>")),
            "{label} in {letters}"
        );
    }
    let shares = svg(&browser, &federation, "operatorer").await;
    for label in [">Exempelposten<", ">57,14<", ">Demobrevlådan<", ">42,86<"] {
        assert!(shares.contains(label), "{label} in {shares}");
    }
    let savings = svg(&browser, &federation, "besparing").await;
    assert!(savings.contains(">40\u{a0}300</text>"), "{savings}");
    let portal = federation.portal_url();
    for missing in [
        "statistik/okand.csv",
        "statistik/nyckeltal.svg",
        "statistik/brev.pdf",
    ] {
        let answer = browser.get(&at(&portal, missing)).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}
