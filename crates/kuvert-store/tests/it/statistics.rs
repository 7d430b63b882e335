//! Registry statistics: the daily counters agree with the profiles after register, change of
//! operator, deregister and company completion; letters add up per sender and month; ranges
//! and reports are bounded.

use kuvert_core::calendar::YearMonth;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::registry::{ProfileKind, ProfileStatus};
use kuvert_store::StoreError;
use kuvert_store::registry::{
    DailyRegistrations, LetterCounts, MailboxCounts, NewCompanyRegistration, OperatorMailboxes,
    RegistrationQuery, RegistryStore, SignedAction, SourceGrouping,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use crate::registry::{new_profile, seed, signature, two_jointly};
use crate::support::{TestDatabase, organisation, person};

/// 2026-06-30 22:30 UTC is 00:30 on 1 July in Sweden (summer time).
const FIRST: OffsetDateTime = datetime!(2026-06-30 22:30 UTC);
const FIRST_DAY: Date = date!(2026 - 07 - 01);
const SECOND: OffsetDateTime = datetime!(2026-07-02 10:00 UTC);
const SECOND_DAY: Date = date!(2026 - 07 - 02);

async fn register_at(
    registry: &dyn RegistryStore,
    recipient: &RecipientId,
    operator: u32,
    at: OffsetDateTime,
) {
    let mut profile = new_profile(recipient, &organisation(operator));
    profile.registered_at = at;
    let mut signed = signature(recipient, SignedAction::Register, 1);
    signed.signed_at = at;
    registry.register_profile(profile, signed).await.unwrap();
}

fn signed_at(
    recipient: &RecipientId,
    action: SignedAction,
    at: OffsetDateTime,
) -> kuvert_store::registry::SignatureRecord {
    let mut signed = signature(recipient, action, 1);
    signed.signed_at = at;
    signed
}

/// Active mailboxes as the profiles say, per operator: the oracle for the counters.
async fn mailboxes_from_profiles(
    registry: &dyn RegistryStore,
    recipients: &[RecipientId],
) -> Vec<(OrganisationNumber, ProfileKind)> {
    let mut active: Vec<_> = registry
        .registrations(recipients)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|registration| registration.profile)
        .filter(|(profile, _)| profile.status == ProfileStatus::Active)
        .map(|(profile, _)| (profile.operator, profile.kind))
        .collect();
    active.sort_by(|a, b| a.0.cmp(&b.0));
    active
}

fn row(day: Date, operator: u32, counts: [u64; 4]) -> DailyRegistrations {
    DailyRegistrations {
        day,
        operator: organisation(operator),
        kind: ProfileKind::Person,
        source_sender: Some(organisation(100)),
        source_campaign: Some(CampaignCode::parse("VAR-2026").unwrap()),
        registered: counts[0],
        deregistered: counts[1],
        moved_in: counts[2],
        moved_out: counts[3],
    }
}

#[tokio::test]
async fn counters_follow_register_change_operator_and_deregister() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let people: Vec<RecipientId> = (1..=3).map(person).collect();
        for recipient in &people {
            register_at(registry.as_ref(), recipient, 1, FIRST).await;
        }
        let moved = signed_at(&people[1], SignedAction::ChangeOperator, SECOND);
        registry
            .change_operator(&people[1], &organisation(2), moved)
            .await
            .unwrap();
        let stays = signed_at(&people[0], SignedAction::ChangeOperator, SECOND);
        registry
            .change_operator(&people[0], &organisation(1), stays)
            .await
            .unwrap();
        let gone = signed_at(&people[2], SignedAction::Deregister, SECOND);
        registry.deregister_profile(&people[2], gone).await.unwrap();
        let refused = new_profile(&person(4), &organisation(9));
        let signed = signature(&person(4), SignedAction::Register, 1);
        assert!(registry.register_profile(refused, signed).await.is_err());

        let rows = registry
            .registration_statistics(&RegistrationQuery::all(
                date!(2026 - 06 - 30),
                date!(2026 - 07 - 31),
            ))
            .await
            .unwrap();
        let rows: [DailyRegistrations; 3] = rows.try_into().unwrap();
        assert_eq!(
            rows,
            [
                row(FIRST_DAY, 1, [3, 0, 0, 0]),
                row(SECOND_DAY, 1, [0, 1, 0, 1]),
                row(SECOND_DAY, 2, [0, 0, 1, 0]),
            ]
        );
        let totals = registry
            .registration_statistics(&RegistrationQuery {
                sources: SourceGrouping::None,
                ..RegistrationQuery::all(date!(2026 - 06 - 30), date!(2026 - 07 - 31))
            })
            .await
            .unwrap();
        let without_source = |mut row: DailyRegistrations| {
            row.source_sender = None;
            row.source_campaign = None;
            row
        };
        assert_eq!(
            totals,
            rows.map(without_source),
            "the totals follow every change"
        );
        let from_profiles = mailboxes_from_profiles(registry.as_ref(), &people).await;
        assert_eq!(
            from_profiles,
            [
                (organisation(1), ProfileKind::Person),
                (organisation(2), ProfileKind::Person)
            ]
        );
        let after = date!(2026 - 07 - 03);
        let persons = MailboxCounts {
            person: 2,
            company: 0,
        };
        assert_eq!(registry.mailboxes_before(after).await.unwrap(), persons);
        let one = MailboxCounts {
            person: 1,
            company: 0,
        };
        assert_eq!(
            registry.mailboxes_before_per_operator(after).await.unwrap(),
            [
                OperatorMailboxes {
                    operator: organisation(1),
                    mailboxes: one
                },
                OperatorMailboxes {
                    operator: organisation(2),
                    mailboxes: one
                },
            ]
        );
        let before_second = registry.mailboxes_before(SECOND_DAY).await.unwrap();
        assert_eq!(before_second.person, 3);
        let before_first = registry.mailboxes_before(FIRST_DAY).await.unwrap();
        assert_eq!(before_first, MailboxCounts::default());
        test.finish().await;
    }
}

#[tokio::test]
async fn company_counts_once_when_its_registration_completes() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let company = organisation(300);
        let recipient = RecipientId::Organisation(company.clone());
        registry
            .upsert_company_signatory_rule(&two_jointly(&company))
            .await
            .unwrap();
        let request = |operator| NewCompanyRegistration {
            company: company.clone(),
            operator: organisation(operator),
            agreement_text: "Villkor".to_owned(),
            requested_at: FIRST,
        };
        let first = signed_at(&recipient, SignedAction::CompanyRegistration, FIRST);
        registry
            .start_company_registration(request(1), first)
            .await
            .unwrap();
        let day_after = date!(2026 - 07 - 10);
        let pending = registry.mailboxes_before(day_after).await.unwrap();
        assert_eq!(
            pending,
            MailboxCounts::default(),
            "a pending profile is no mailbox"
        );
        registry
            .complete_company_registration(&company, FIRST, None)
            .await
            .unwrap();
        let companies = MailboxCounts {
            person: 0,
            company: 1,
        };
        assert_eq!(
            registry.mailboxes_before(day_after).await.unwrap(),
            companies
        );

        // A second registration at another operator moves the active mailbox.
        let again = signed_at(&recipient, SignedAction::CompanyRegistration, SECOND);
        registry
            .start_company_registration(request(2), again)
            .await
            .unwrap();
        registry
            .complete_company_registration(&company, SECOND, None)
            .await
            .unwrap();
        assert_eq!(
            registry.mailboxes_before(day_after).await.unwrap(),
            companies
        );
        let rows = registry
            .registration_statistics(&RegistrationQuery::all(FIRST_DAY, SECOND_DAY))
            .await
            .unwrap();
        let summary: Vec<_> = rows
            .iter()
            .map(|row| {
                assert_eq!(row.kind, ProfileKind::Company);
                (
                    row.day,
                    row.operator.clone(),
                    row.registered,
                    row.moved_in,
                    row.moved_out,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (FIRST_DAY, organisation(1), 1, 0, 0),
                (SECOND_DAY, organisation(1), 0, 0, 1),
                (SECOND_DAY, organisation(2), 0, 1, 0),
            ]
        );
        let per_operator = registry
            .mailboxes_before_per_operator(day_after)
            .await
            .unwrap();
        let active: Vec<_> = per_operator
            .iter()
            .filter(|entry| entry.mailboxes != MailboxCounts::default())
            .map(|entry| entry.operator.clone())
            .collect();
        assert_eq!(active, [organisation(2)]);
        test.finish().await;
    }
}

#[tokio::test]
async fn cancelled_company_registration_counts_nothing() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let company = organisation(301);
        let recipient = RecipientId::Organisation(company.clone());
        let request = NewCompanyRegistration {
            company: company.clone(),
            operator: organisation(2),
            agreement_text: "Villkor".to_owned(),
            requested_at: FIRST,
        };
        let first = signed_at(&recipient, SignedAction::CompanyRegistration, FIRST);
        registry
            .start_company_registration(request, first)
            .await
            .unwrap();
        registry
            .cancel_company_registration(&company)
            .await
            .unwrap();
        let rows = registry
            .registration_statistics(&RegistrationQuery::all(FIRST_DAY, SECOND_DAY))
            .await
            .unwrap();
        assert_eq!(rows, []);
        test.finish().await;
    }
}

#[tokio::test]
async fn letter_counts_add_up_per_sender_and_month() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        seed(registry.as_ref()).await;
        let report = |sender, month: &str, digital, paper| LetterCounts {
            sender: organisation(sender),
            month: YearMonth::parse(month).unwrap(),
            digital,
            paper,
        };
        let first = registry
            .add_letter_counts(&report(100, "2026-10", 10, 4))
            .await
            .unwrap();
        assert_eq!(first, report(100, "2026-10", 10, 4));
        let total = registry
            .add_letter_counts(&report(100, "2026-10", 5, 1))
            .await
            .unwrap();
        assert_eq!(total, report(100, "2026-10", 15, 5));
        registry
            .add_letter_counts(&report(101, "2026-11", 7, 0))
            .await
            .unwrap();
        registry
            .add_letter_counts(&report(101, "2025-01", 1, 1))
            .await
            .unwrap();
        let unknown = registry
            .add_letter_counts(&report(999, "2026-10", 1, 1))
            .await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound { what: "sender" })),
            "{unknown:?}"
        );
        let huge = registry
            .add_letter_counts(&report(100, "2026-10", 1_000_000_001, 0))
            .await;
        assert!(
            matches!(huge, Err(StoreError::OutOfBounds { .. })),
            "{huge:?}"
        );

        let from = YearMonth::parse("2026-01").unwrap();
        let to = YearMonth::parse("2026-12").unwrap();
        assert_eq!(
            registry.letter_statistics(from, to).await.unwrap(),
            [report(100, "2026-10", 15, 5), report(101, "2026-11", 7, 0)]
        );
        assert_eq!(registry.sender_count().await.unwrap(), 3);
        test.finish().await;
    }
}

#[tokio::test]
async fn statistics_ranges_are_bounded() {
    for test in TestDatabase::all().await {
        let registry = test.database.registry();
        let backward = registry
            .registration_statistics(&RegistrationQuery::all(SECOND_DAY, FIRST_DAY))
            .await;
        assert!(
            matches!(backward, Err(StoreError::OutOfBounds { .. })),
            "{backward:?}"
        );
        let long = registry
            .registration_statistics(&RegistrationQuery::all(date!(2000 - 01 - 01), FIRST_DAY))
            .await;
        assert!(
            matches!(long, Err(StoreError::OutOfBounds { .. })),
            "{long:?}"
        );
        let ten_years = registry
            .registration_statistics(&RegistrationQuery::all(date!(2016 - 07 - 05), FIRST_DAY))
            .await;
        assert_eq!(ten_years.unwrap(), []);
        let code = |index: usize| CampaignCode::parse(&format!("K-{index}")).unwrap();
        let too_many = RegistrationQuery {
            campaigns: (0..=kuvert_core::limits::STATISTICS_CAMPAIGNS_MAX)
                .map(code)
                .collect(),
            ..RegistrationQuery::all(FIRST_DAY, SECOND_DAY)
        };
        let without_sources = RegistrationQuery {
            sources: SourceGrouping::None,
            campaigns: vec![code(1)],
            ..RegistrationQuery::all(FIRST_DAY, SECOND_DAY)
        };
        for query in [too_many, without_sources] {
            let refused = registry.registration_statistics(&query).await;
            assert!(
                matches!(refused, Err(StoreError::OutOfBounds { .. })),
                "{query:?}: {refused:?}"
            );
        }
        let months = registry
            .letter_statistics(
                YearMonth::parse("2000-01").unwrap(),
                YearMonth::parse("2026-01").unwrap(),
            )
            .await;
        assert!(
            matches!(months, Err(StoreError::OutOfBounds { .. })),
            "{months:?}"
        );
        test.finish().await;
    }
}

/// A SQLite database at `0005` (the migrations before the totals), with counters by source
/// written as an older version kept them, then opened by this version.
#[tokio::test]
async fn migration_0006_sums_the_existing_counters_into_the_totals() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("migrations");
    std::fs::create_dir(&before).unwrap();
    let all = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    for entry in std::fs::read_dir(all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "0006" {
            std::fs::copy(&path, before.join(name)).unwrap();
        }
    }
    let url = format!("sqlite://{}/kuvert.db?mode=rwc", dir.path().display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(before.as_path())
        .await
        .unwrap();
    migrator.run(&pool).await.unwrap();
    for (day, operator, sender, campaign, registered, deregistered) in [
        ("1970-01-01", "1", "", "", 40, 0),
        ("2026-07-01", "1", "100", "VAR-2026", 3, 1),
        ("2026-07-01", "1", "", "", 2, 0),
        ("2026-07-02", "2", "100", "", 1, 0),
    ] {
        sqlx::query(
            "INSERT INTO registry_daily (day, operator, kind, source_sender, source_campaign, \
             registered, deregistered) VALUES ($1, $2, 'person', $3, $4, $5, $6)",
        )
        .bind(day)
        .bind(organisation(operator.parse().unwrap()).as_str().to_owned())
        .bind(if sender.is_empty() {
            String::new()
        } else {
            organisation(sender.parse().unwrap()).as_str().to_owned()
        })
        .bind(campaign)
        .bind(registered)
        .bind(deregistered)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let database = kuvert_store::Database::connect(&url).await.unwrap();
    let registry = database.registry();
    let totals = registry
        .registration_statistics(&RegistrationQuery {
            sources: SourceGrouping::None,
            ..RegistrationQuery::all(FIRST_DAY, SECOND_DAY)
        })
        .await
        .unwrap();
    let summed: Vec<_> = totals
        .iter()
        .map(|row| {
            (
                row.day,
                row.operator.clone(),
                row.registered,
                row.deregistered,
            )
        })
        .collect();
    assert_eq!(
        summed,
        [
            (FIRST_DAY, organisation(1), 5, 1),
            (SECOND_DAY, organisation(2), 1, 0)
        ]
    );
    let persons = |person| MailboxCounts { person, company: 0 };
    assert_eq!(
        registry.mailboxes_before(FIRST_DAY).await.unwrap(),
        persons(40)
    );
    let after = date!(2026 - 07 - 03);
    assert_eq!(registry.mailboxes_before(after).await.unwrap(), persons(45));
    database.close().await;
}
