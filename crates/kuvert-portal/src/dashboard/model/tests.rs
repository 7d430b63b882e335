//! Unit tests of the dashboard model: known registrations, letters and visits in, the exact
//! figures out.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use time::macros::date;

use super::*;

const OPERATOR_A: &str = "5566778899";
const OPERATOR_B: &str = "5599887766";
const SENDER: &str = "2120000829";

fn org(number: &str) -> OrganisationNumber {
    OrganisationNumber::parse(number).unwrap()
}

fn row(day: Date, operator: &str, kind: MailboxKind, registered: u64) -> DailyRegistrations {
    DailyRegistrations {
        day,
        operator: org(operator),
        kind,
        source_sender: None,
        source_campaign: None,
        registered,
        deregistered: 0,
        moved_in: 0,
        moved_out: 0,
    }
}

/// Ten days in March 2026: 100 persons and 10 companies before; day 2 +5 persons at A,
/// day 3 +2 companies at B, day 5 one person deregistered at A and one moved A → B.
fn march() -> RegistryStatistics {
    let mut deregistration = row(date!(2026 - 03 - 05), OPERATOR_A, MailboxKind::Person, 0);
    deregistration.deregistered = 1;
    deregistration.moved_out = 1;
    let mut move_in = row(date!(2026 - 03 - 05), OPERATOR_B, MailboxKind::Person, 0);
    move_in.moved_in = 1;
    RegistryStatistics {
        from: date!(2026 - 03 - 01),
        to: date!(2026 - 03 - 10),
        registrations: vec![
            row(date!(2026 - 03 - 02), OPERATOR_A, MailboxKind::Person, 5),
            row(date!(2026 - 03 - 03), OPERATOR_B, MailboxKind::Company, 2),
            deregistration,
            move_in,
        ],
        letters: Vec::new(),
        mailboxes_before: KindCounts {
            persons: 100,
            companies: 10,
        },
        mailboxes_before_per_operator: vec![
            (
                org(OPERATOR_A),
                KindCounts {
                    persons: 60,
                    companies: 10,
                },
            ),
            (
                org(OPERATOR_B),
                KindCounts {
                    persons: 40,
                    companies: 0,
                },
            ),
        ],
        senders: 3,
        operator_names: vec![
            (org(OPERATOR_A), "Demobrevlådan".to_owned()),
            (org(OPERATOR_B), "Exempelposten".to_owned()),
        ],
    }
}

#[test]
fn mailboxes_over_time_accumulates_registrations_per_day() {
    let points = mailboxes_over_time(&march());
    assert_eq!(points.len(), 10);
    let persons: Vec<u64> = points.iter().map(|point| point.mailboxes.persons).collect();
    assert_eq!(persons, [100, 105, 105, 105, 104, 104, 104, 104, 104, 104]);
    assert_eq!(points[2].mailboxes.companies, 12);
    assert_eq!(points[0].period, Period::Day(date!(2026 - 03 - 01)));
    assert_eq!(points[9].period.to_string(), "2026-03-10");
}

#[test]
fn mailboxes_over_time_is_monthly_for_a_year() {
    let mut statistics = march();
    statistics.from = date!(2025 - 04 - 01);
    statistics.to = date!(2026 - 03 - 31);
    let points = mailboxes_over_time(&statistics);
    assert_eq!(points.len(), 12);
    assert_eq!(
        points[0].period,
        Period::Month(YearMonth::parse("2025-04").unwrap())
    );
    assert_eq!(points[0].mailboxes.persons, 100);
    assert_eq!(points[11].mailboxes.persons, 104);
    assert_eq!(points[11].mailboxes.companies, 12);
}

#[test]
fn connection_rate_divides_by_population_and_joins_the_year_target() {
    let targets = [
        AnnualTarget {
            year: 2025,
            percent_persons: 10.0,
        },
        AnnualTarget {
            year: 2026,
            percent_persons: 25.0,
        },
    ];
    let points = connection_rate(&march(), 400, &targets);
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].persons, 104);
    assert!((points[0].percent - 26.0).abs() < 1e-9);
    assert_eq!(points[0].target_percent, Some(25.0));
    let without = connection_rate(&march(), 400, &targets[..1]);
    assert_eq!(without[0].target_percent, None);
}

#[test]
fn operator_shares_follow_moves_between_operators() {
    let shares = operator_shares(&march());
    assert_eq!(shares.len(), 2);
    assert_eq!(shares[0].name, "Demobrevlådan");
    // A: 60 + 5 − 1 deregistered − 1 moved out persons, 10 companies.
    assert_eq!(
        shares[0].mailboxes,
        KindCounts {
            persons: 63,
            companies: 10
        }
    );
    // B: 40 + 1 moved in persons, 2 companies.
    assert_eq!(
        shares[1].mailboxes,
        KindCounts {
            persons: 41,
            companies: 2
        }
    );
    assert!((shares[0].percent - 73.0 * 100.0 / 116.0).abs() < 1e-9);
    assert!((shares[0].percent + shares[1].percent - 100.0).abs() < 1e-9);
}

#[test]
fn letters_are_summed_per_month_and_savings_use_the_factors() {
    let month = |text| YearMonth::parse(text).unwrap();
    let letters = [
        MonthlyLetters {
            sender: org(SENDER),
            month: month("2026-02"),
            digital: 700,
            paper: 300,
        },
        MonthlyLetters {
            sender: org(OPERATOR_A),
            month: month("2026-02"),
            digital: 300,
            paper: 0,
        },
        MonthlyLetters {
            sender: org(SENDER),
            month: month("2026-01"),
            digital: 10,
            paper: 90,
        },
    ];
    let months = letters_per_month(&letters);
    assert_eq!(
        months,
        [
            LettersMonth {
                month: month("2026-01"),
                digital: 10,
                paper: 90
            },
            LettersMonth {
                month: month("2026-02"),
                digital: 1_000,
                paper: 300
            },
        ]
    );
    let factors = Factors {
        population: 1,
        paper_grams_per_letter: 20.0,
        cost_kronor_per_letter: 12.5,
        co2_grams_per_letter: 50.0,
    };
    let saved = savings(&months, &factors);
    assert_eq!(saved[1].digital_letters, 1_000);
    assert!((saved[1].paper_kilograms - 20.0).abs() < 1e-9);
    assert!((saved[1].cost_kronor - 12_500.0).abs() < 1e-9);
    assert!((saved[1].co2_kilograms - 50.0).abs() < 1e-9);
    let per_sender = letters_per_sender(&letters);
    assert_eq!(per_sender[0].sender, org(SENDER));
    assert_eq!(per_sender[0].month, month("2026-01"));
}

#[test]
fn campaign_funnel_joins_visits_choices_and_registrations_by_day() {
    let code = CampaignCode::parse("var-2026").unwrap();
    let mut statistics = march();
    let mut from_campaign = row(date!(2026 - 03 - 03), OPERATOR_A, MailboxKind::Person, 3);
    from_campaign.source_campaign = Some(code.clone());
    statistics.registrations.push(from_campaign);
    let mut other_campaign = row(date!(2026 - 03 - 03), OPERATOR_A, MailboxKind::Person, 7);
    other_campaign.source_campaign = Some(CampaignCode::parse("annan").unwrap());
    statistics.registrations.push(other_campaign);
    let portal_days = [
        PortalFunnelDay {
            day: date!(2026 - 03 - 02),
            visits: 40,
            operator_choices: 8,
        },
        PortalFunnelDay {
            day: date!(2026 - 03 - 03),
            visits: 10,
            operator_choices: 4,
        },
    ];
    let funnel = campaign_funnel(std::slice::from_ref(&code), 12, &portal_days, &statistics);
    assert_eq!(funnel.days.len(), 2);
    assert_eq!(
        funnel.days[1],
        (
            date!(2026 - 03 - 03),
            FunnelDay {
                visits: 10,
                operator_choices: 4,
                registrations: 3
            }
        )
    );
    assert_eq!(
        funnel.total,
        FunnelDay {
            visits: 50,
            operator_choices: 12,
            registrations: 3
        }
    );
    assert_eq!(funnel.percent_of_goal, Some(25.0));
    assert_eq!(
        campaign_funnel(std::slice::from_ref(&code), 0, &[], &statistics).percent_of_goal,
        None
    );
}

/// Issue 13 §5: registrations under a code standing for the campaign and an A/B variant count
/// for the campaign when its codes include it.
#[test]
fn campaign_funnel_counts_registrations_under_every_code_of_the_campaign() {
    let code = CampaignCode::parse("var-2026").unwrap();
    let combined = CampaignCode::parse("AB-3F5E8B0C1D2E-A-0123456789").unwrap();
    let mut statistics = march();
    for (source, registered) in [(&code, 2), (&combined, 5)] {
        let mut from = row(
            date!(2026 - 03 - 03),
            OPERATOR_A,
            MailboxKind::Person,
            registered,
        );
        from.source_campaign = Some(source.clone());
        statistics.registrations.push(from);
    }
    let own = campaign_funnel(std::slice::from_ref(&code), 0, &[], &statistics);
    assert_eq!(own.total.registrations, 2);
    let both = campaign_funnel(&[code, combined], 0, &[], &statistics);
    assert_eq!(both.total.registrations, 7);
}
