//! Unit tests of the public dashboard's assembly: seeded registrations and letters give the
//! exact key figures, and every dataset's table and CSV carry them.

use kuvert_web::i18n::Language;
use time::macros::date;

use super::*;
use kuvert_core::calendar::YearMonth;

use crate::dashboard::model::{DailyRegistrations, KindCounts, MailboxKind, MonthlyLetters};

fn org(number: &str) -> OrganisationNumber {
    OrganisationNumber::parse(number).unwrap()
}

fn inputs() -> DashboardInputs {
    let operator = org("5566778899");
    let sender = org("2120000829");
    let registration = DailyRegistrations {
        day: date!(2026 - 11 - 02),
        operator: operator.clone(),
        kind: MailboxKind::Person,
        source_sender: Some(sender.clone()),
        source_campaign: None,
        registered: 1_000,
        deregistered: 0,
        moved_in: 0,
        moved_out: 0,
    };
    DashboardInputs {
        statistics: RegistryStatistics {
            from: date!(2025 - 12 - 01),
            to: date!(2026 - 11 - 29),
            registrations: vec![registration],
            letters: vec![MonthlyLetters {
                sender: sender.clone(),
                month: YearMonth::parse("2026-10").unwrap(),
                digital: 4_000,
                paper: 1_000,
            }],
            mailboxes_before: KindCounts {
                persons: 9_000,
                companies: 50,
            },
            mailboxes_before_per_operator: vec![(
                operator.clone(),
                KindCounts {
                    persons: 9_000,
                    companies: 50,
                },
            )],
            senders: 2,
            operator_names: vec![(operator, "Demobrevlådan".to_owned())],
        },
        targets: vec![AnnualTarget {
            year: 2026,
            percent_persons: 12.5,
        }],
        factors: Factors {
            population: 100_000,
            paper_grams_per_letter: 15.0,
            cost_kronor_per_letter: 10.0,
            co2_grams_per_letter: 20.0,
        },
        sender_names: vec![(sender, "Exempelkommun".to_owned())],
    }
}

#[test]
fn public_range_is_the_current_month_and_eleven_before() {
    assert_eq!(
        public_range(date!(2026 - 11 - 29)),
        (date!(2025 - 12 - 01), date!(2026 - 11 - 29))
    );
    assert_eq!(
        public_range(date!(2026 - 01 - 15)),
        (date!(2025 - 02 - 01), date!(2026 - 01 - 15))
    );
}

#[test]
fn key_figures_come_from_the_seeded_data() {
    let datasets = public_datasets(&inputs(), Language::Swedish);
    let slugs: Vec<&str> = datasets.iter().map(|dataset| dataset.slug).collect();
    assert_eq!(slugs, PUBLIC_SLUGS);
    let csv = datasets[0].to_csv();
    // 9 000 + 1 000 persons of 100 000 people, target 12.5 %, 4 000 digital letters saved
    // 40 000 kr and 80 kg CO₂.
    assert!(
        csv.contains("\"Digitala brevlådor, personer\",10000\r\n"),
        "{csv}"
    );
    assert!(csv.contains("\"Digitala brevlådor, företag\",50\r\n"));
    assert!(csv.contains("Andel av befolkningen med digital brevlåda,10.0\r\n"));
    assert!(csv.contains("Årets mål,12.5\r\n"));
    assert!(csv.contains("Anslutna avsändare,2\r\n"));
    assert!(csv.contains("Digitala brev i perioden,4000\r\n"));
    assert!(csv.contains("Sparat tryck och porto (kr),40000\r\n"));
    assert!(csv.contains("Undvikna utsläpp (kg CO₂),80\r\n"));
    let table = datasets[0].to_view(Language::Swedish);
    assert_eq!(table.rows[0].1, ["10\u{a0}000"]);
}

#[test]
fn every_dataset_shows_the_same_numbers_in_table_and_csv() {
    let datasets = public_datasets(&inputs(), Language::English);
    let mailboxes = &datasets[1];
    assert_eq!(mailboxes.rows.len(), 12);
    assert_eq!(mailboxes.rows[11].label, "2026-11");
    assert!(mailboxes.to_csv().ends_with("2026-11,10000,50,10050\r\n"));
    assert_eq!(
        mailboxes.to_view(Language::English).rows[11].1,
        ["10,000", "50", "10,050"]
    );
    let per_sender = datasets[5].to_csv();
    assert!(per_sender.ends_with("Exempelkommun,2120000829,2026-10,4000,1000\r\n"));
    let operators = datasets[3].to_csv();
    assert!(
        operators.ends_with("Demobrevlådan,10000,50,10050,100.0\r\n"),
        "{operators}"
    );
    for dataset in &datasets {
        let view = dataset.to_view(Language::English);
        assert_eq!(view.rows.len(), dataset.rows.len());
        assert_eq!(dataset.to_csv().lines().count(), dataset.rows.len() + 1);
    }
}
