//! The benchmark seed (`bench-seed`): profiles, daily counters and letters that agree with
//! each other, read back through the ordinary `RegistryStore` methods.

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_store::StoreError;
use std::collections::BTreeMap;

use kuvert_store::registry::{
    DailyRegistrations, MailboxCounts, RegistrationQuery, RegistryStore, SourceGrouping,
};

use kuvert_core::registry::{ProfileKind, ProfileStatus};
use kuvert_store::seed::{StatisticsSeed, seeded_recipient};
use time::Duration;
use time::macros::date;

use crate::registry::seed;
use crate::support::{TestDatabase, organisation};

fn statistics_seed() -> StatisticsSeed {
    StatisticsSeed {
        persons: 2_000,
        companies: 100,
        registered_before: 500,
        operators: vec![organisation(1), organisation(2)],
        senders: vec![organisation(100), organisation(101)],
        campaigns: vec![
            CampaignCode::parse("HOST-2026").unwrap(),
            CampaignCode::parse("VAR-2027").unwrap(),
        ],
        first_day: date!(2026 - 01 - 01),
        days: 59,
    }
}

#[tokio::test]
async fn seeded_profiles_and_counters_agree() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let plan = statistics_seed();
        let summary = test.database.seed_statistics(&plan).await.unwrap();
        assert_eq!(summary.profiles, 2_100);
        assert_eq!(
            summary.letter_rows,
            2 * 2,
            "two senders, January and February"
        );

        let before = registry.mailboxes_before(plan.first_day).await.unwrap();
        let existing = MailboxCounts {
            person: 500,
            company: 0,
        };
        assert_eq!(before, existing);
        let after = plan.first_day + Duration::days(59);
        let all = MailboxCounts {
            person: 2_000,
            company: 100,
        };
        assert_eq!(registry.mailboxes_before(after).await.unwrap(), all);
        let rows = registry
            .registration_statistics(&RegistrationQuery::all(plan.first_day, after))
            .await
            .unwrap();
        let day_before = plan.first_day - Duration::days(1);
        let rows_before = registry
            .registration_statistics(&RegistrationQuery::all(day_before, day_before))
            .await
            .unwrap();
        assert_eq!((rows.len() + rows_before.len()) as u64, summary.daily_rows);
        let registered: u64 = rows.iter().map(|row| row.registered).sum();
        assert_eq!(registered, 1_600);
        let from_campaign: u64 = rows
            .iter()
            .filter(|row| row.source_campaign.is_some())
            .map(|row| row.registered)
            .sum();
        assert!(from_campaign > 0);

        let ids: Vec<_> = [0, 1_999, 2_000, 2_099]
            .iter()
            .map(|&index| seeded_recipient(&plan, index).unwrap())
            .collect();
        let found = registry.registrations(&ids).await.unwrap();
        assert!(found.iter().all(|registration| {
            registration
                .profile
                .as_ref()
                .is_some_and(|(profile, _)| profile.status == ProfileStatus::Active)
        }));
        assert_eq!(seeded_recipient(&plan, 2_100), None);
        let january = YearMonth::parse("2026-01").unwrap();
        let letters = registry.letter_statistics(january, january).await.unwrap();
        assert_eq!(letters.len(), 2);
        test.finish().await;
    }
}

/// The rows of `query`, with the rows by source summed to the same grouping as the oracle.
async fn grouped(
    registry: &dyn RegistryStore,
    query: RegistrationQuery,
) -> (Vec<DailyRegistrations>, Vec<DailyRegistrations>) {
    let rows = registry.registration_statistics(&query).await.unwrap();
    let by_source = registry
        .registration_statistics(&RegistrationQuery::all(query.from, query.to))
        .await
        .unwrap();
    let mut sums: BTreeMap<_, DailyRegistrations> = BTreeMap::new();
    for mut row in by_source {
        row.source_sender = None;
        match query.sources {
            SourceGrouping::None => row.source_campaign = None,
            SourceGrouping::Campaign if row.source_campaign.is_none() => continue,
            SourceGrouping::Campaign | SourceGrouping::All => {}
        }
        if !query.campaigns.is_empty()
            && !row
                .source_campaign
                .as_ref()
                .is_some_and(|code| query.campaigns.contains(code))
        {
            continue;
        }
        // Companies sort before persons, as the store orders the kind's text.
        let is_person = row.kind == ProfileKind::Person;
        let key = (
            row.day,
            row.operator.clone(),
            is_person,
            row.source_campaign.clone(),
        );
        let sum = sums.entry(key).or_insert(DailyRegistrations {
            registered: 0,
            deregistered: 0,
            moved_in: 0,
            moved_out: 0,
            ..row.clone()
        });
        sum.registered += row.registered;
        sum.deregistered += row.deregistered;
        sum.moved_in += row.moved_in;
        sum.moved_out += row.moved_out;
    }
    (rows, sums.into_values().collect())
}

#[tokio::test]
async fn totals_and_campaign_rows_agree_with_the_rows_by_source() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let plan = statistics_seed();
        test.database.seed_statistics(&plan).await.unwrap();
        let (from, to) = (plan.first_day, plan.first_day + Duration::days(58));
        let query = |sources, campaigns: &[&str]| RegistrationQuery {
            from,
            to,
            sources,
            campaigns: campaigns
                .iter()
                .map(|code| CampaignCode::parse(code).unwrap())
                .collect(),
        };
        let (totals, oracle) = grouped(registry.as_ref(), query(SourceGrouping::None, &[])).await;
        assert!(totals.len() > 59, "{}", totals.len());
        assert_eq!(totals, oracle);
        let (campaigns, oracle) =
            grouped(registry.as_ref(), query(SourceGrouping::Campaign, &[])).await;
        assert_eq!(campaigns, oracle);
        let codes: Vec<_> = campaigns
            .iter()
            .map(|row| row.source_campaign.clone())
            .collect();
        assert!(codes.iter().all(Option::is_some));
        assert!(codes.contains(&Some(CampaignCode::parse("VAR-2027").unwrap())));
        let (one, oracle) = grouped(
            registry.as_ref(),
            query(SourceGrouping::Campaign, &["host-2026"]),
        )
        .await;
        assert!(!one.is_empty());
        assert_eq!(one, oracle);
        let by_sender = registry
            .registration_statistics(&query(SourceGrouping::All, &["HOST-2026"]))
            .await
            .unwrap();
        assert!(by_sender.iter().all(|row| row.source_sender.is_some()
            && row.source_campaign == Some(CampaignCode::parse("HOST-2026").unwrap())));
        let registered =
            |rows: &[DailyRegistrations]| -> u64 { rows.iter().map(|row| row.registered).sum() };
        assert_eq!(registered(&by_sender), registered(&one));
        test.finish().await;
    }
}

#[tokio::test]
async fn seed_refuses_plans_out_of_bounds() {
    for test in TestDatabase::all().await {
        let mut no_operator = statistics_seed();
        no_operator.operators.clear();
        let mut too_early = statistics_seed();
        too_early.registered_before = 3_000;
        let mut no_days = statistics_seed();
        no_days.days = 0;
        for plan in [no_operator, too_early, no_days] {
            let result = test.database.seed_statistics(&plan).await;
            assert!(
                matches!(result, Err(StoreError::OutOfBounds { .. })),
                "{result:?}"
            );
        }
        test.finish().await;
    }
}
