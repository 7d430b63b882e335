//! The benchmark seed (`bench-seed`): profiles, daily counters and letters that agree with
//! each other, read back through the ordinary `RegistryStore` methods.

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_store::StoreError;
use kuvert_store::registry::{MailboxCounts, ProfileStatus};
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
        campaigns: vec![CampaignCode::parse("HOST-2026").unwrap()],
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
            .registration_statistics(plan.first_day, after)
            .await
            .unwrap();
        let day_before = plan.first_day - Duration::days(1);
        let rows_before = registry
            .registration_statistics(day_before, day_before)
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
