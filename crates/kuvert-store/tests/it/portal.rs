//! PortalStore: visits deduplicated per visitor, day, page and source; forgetting deletes the
//! day's visitor keys; operator choices and the campaign funnel; campaigns, communicators and
//! annual targets; bounds on every input.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::operator::OperatorSlug;
use kuvert_store::StoreError;
use kuvert_store::portal::{
    FunnelDay, NewCampaign, OperatorChoice, PortalStore, Visit, VisitCount, VisitSource,
    VisitorHash,
};
use time::Date;
use time::macros::date;

use crate::support::{TestDatabase, organisation, person_number};

const DAY: Date = date!(2026 - 11 - 28);
const NEXT_DAY: Date = date!(2026 - 11 - 29);

fn code(text: &str) -> CampaignCode {
    CampaignCode::parse(text).unwrap()
}

fn visit(day: Date, page: &str, visitor: u8, campaign: Option<&str>) -> Visit {
    Visit {
        day,
        page: page.to_owned(),
        visitor: VisitorHash([visitor; 32]),
        source: VisitSource {
            sender: campaign.map(|_| organisation(100)),
            campaign: campaign.map(code),
            campaign_known: campaign.is_some_and(|text| text.eq_ignore_ascii_case("VAR-2026")),
            referrer_domain: campaign.map(|_| "www.kommun.se".to_owned()),
        },
    }
}

async fn record(portal: &dyn PortalStore, visit: &Visit) -> bool {
    portal.record_visit(visit).await.unwrap()
}

#[tokio::test]
async fn visits_count_each_visitor_once_per_day_page_and_source() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        let start = visit(DAY, "/", 1, None);
        assert!(record(portal.as_ref(), &start).await);
        assert!(
            !record(portal.as_ref(), &start).await,
            "a reload is no new visitor"
        );
        assert!(record(portal.as_ref(), &visit(DAY, "/", 2, None)).await);
        assert!(record(portal.as_ref(), &visit(DAY, "/skaffa", 1, None)).await);
        let linked = visit(DAY, "/skaffa", 1, Some("var-2026"));
        assert!(
            record(portal.as_ref(), &linked).await,
            "another source is another count"
        );
        assert!(record(portal.as_ref(), &visit(NEXT_DAY, "/", 1, None)).await);

        let counts = portal.visit_counts(DAY, NEXT_DAY).await.unwrap();
        let plain = |day, page: &str, visits, unique_visitors| VisitCount {
            day,
            page: page.to_owned(),
            sender: None,
            campaign: None,
            campaign_known: false,
            referrer_domain: None,
            visits,
            unique_visitors,
        };
        let from_link = VisitCount {
            sender: Some(organisation(100)),
            campaign: Some(code("VAR-2026")),
            campaign_known: true,
            referrer_domain: Some("www.kommun.se".to_owned()),
            ..plain(DAY, "/skaffa", 1, 1)
        };
        assert_eq!(
            counts,
            [
                plain(DAY, "/", 3, 2),
                plain(DAY, "/skaffa", 1, 1),
                from_link,
                plain(NEXT_DAY, "/", 1, 1),
            ]
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn forgetting_deletes_the_visitor_keys_of_earlier_days() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        record(portal.as_ref(), &visit(DAY, "/", 1, None)).await;
        record(portal.as_ref(), &visit(DAY, "/fragor", 1, None)).await;
        record(portal.as_ref(), &visit(NEXT_DAY, "/", 1, None)).await;
        assert_eq!(portal.forget_visitors_before(NEXT_DAY).await.unwrap(), 2);
        assert_eq!(portal.forget_visitors_before(NEXT_DAY).await.unwrap(), 0);
        // The keys are gone, so the same visitor on the forgotten day is no longer known.
        assert!(record(portal.as_ref(), &visit(DAY, "/", 1, None)).await);
        // Today's key was kept.
        assert!(!record(portal.as_ref(), &visit(NEXT_DAY, "/", 1, None)).await);
        let counts = portal.visit_counts(DAY, DAY).await.unwrap();
        assert_eq!(counts[0].visits, 2, "the counts themselves are kept");
        test.finish().await;
    }
}

#[tokio::test]
async fn visit_inputs_are_bounded() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        let mut long_page = visit(DAY, "/", 1, None);
        long_page.page = format!("/{}", "a".repeat(64));
        let result = portal.record_visit(&long_page).await;
        assert!(
            matches!(result, Err(StoreError::OutOfBounds { what: "page" })),
            "{result:?}"
        );
        let mut long_referrer = visit(DAY, "/", 1, Some("X"));
        long_referrer.source.referrer_domain = Some("a".repeat(254));
        let result = portal.record_visit(&long_referrer).await;
        assert!(
            matches!(result, Err(StoreError::OutOfBounds { .. })),
            "{result:?}"
        );
        let result = portal.visit_counts(NEXT_DAY, DAY).await;
        assert!(
            matches!(result, Err(StoreError::OutOfBounds { .. })),
            "{result:?}"
        );
        assert_eq!(portal.visit_counts(DAY, NEXT_DAY).await.unwrap(), []);
        test.finish().await;
    }
}

fn campaign(text: &str) -> NewCampaign {
    NewCampaign {
        code: code(text),
        name: "Höstkampanjen".to_owned(),
        owners: vec![organisation(101), organisation(100), organisation(101)],
        channel: "brev".to_owned(),
        starts_on: date!(2026 - 11 - 01),
        ends_on: date!(2026 - 12 - 31),
        goal_registrations: 500,
    }
}

#[tokio::test]
async fn campaign_funnel_counts_visits_and_operator_choices_per_day() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        let created = portal.create_campaign(&campaign("var-2026")).await.unwrap();
        assert_eq!(created.code.as_str(), "VAR-2026");
        assert_eq!(
            created.owners,
            [organisation(100), organisation(101)].into()
        );
        record(portal.as_ref(), &visit(DAY, "/skaffa", 1, Some("VAR-2026"))).await;
        record(portal.as_ref(), &visit(DAY, "/skaffa", 1, Some("VAR-2026"))).await;
        record(portal.as_ref(), &visit(DAY, "/", 2, Some("VAR-2026"))).await;
        record(portal.as_ref(), &visit(DAY, "/", 3, Some("ANNAN"))).await;
        record(portal.as_ref(), &visit(NEXT_DAY, "/", 3, None)).await;
        let vår = code("VAR-2026");
        let sender = organisation(100);
        let brevladan = OperatorSlug::parse("brevladan").unwrap();
        for day in [DAY, NEXT_DAY, NEXT_DAY] {
            let choice = OperatorChoice {
                day,
                operator_slug: brevladan.clone(),
                sender: Some(sender.clone()),
                campaign: Some(vår.clone()),
            };
            portal.record_operator_choice(&choice).await.unwrap();
        }
        let choice = OperatorChoice {
            day: DAY,
            operator_slug: brevladan,
            sender: None,
            campaign: None,
        };
        portal.record_operator_choice(&choice).await.unwrap();
        assert_eq!(
            portal.campaign_funnel(&code("var-2026")).await.unwrap(),
            [
                FunnelDay {
                    day: DAY,
                    visits: 3,
                    unique_visitors: 2,
                    operator_choices: 1
                },
                FunnelDay {
                    day: NEXT_DAY,
                    visits: 0,
                    unique_visitors: 0,
                    operator_choices: 2
                },
            ]
        );
        let choices = portal.operator_choice_counts(DAY, NEXT_DAY).await.unwrap();
        let summary: Vec<_> = choices
            .iter()
            .map(|count| (count.day, count.campaign.is_some(), count.choices))
            .collect();
        assert_eq!(
            summary,
            [(DAY, false, 1), (DAY, true, 1), (NEXT_DAY, true, 2)]
        );
        assert_eq!(portal.campaign_funnel(&code("TOM")).await.unwrap(), []);
        test.finish().await;
    }
}

#[tokio::test]
async fn campaigns_are_unique_by_code_and_bounded() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        portal.create_campaign(&campaign("host")).await.unwrap();
        let mut later = campaign("VINTER");
        later.starts_on = date!(2026 - 12 - 01);
        portal.create_campaign(&later).await.unwrap();
        let taken = portal.create_campaign(&campaign("HOST")).await;
        assert!(
            matches!(taken, Err(StoreError::Conflict { what: "campaign" })),
            "{taken:?}"
        );
        let codes: Vec<_> = portal
            .campaigns()
            .await
            .unwrap()
            .into_iter()
            .map(|campaign| campaign.code.to_string())
            .collect();
        assert_eq!(codes, ["VINTER", "HOST"], "newest start first");
        let found = portal.campaign(&code("Host")).await.unwrap().unwrap();
        assert_eq!(found.goal_registrations, 500);
        assert_eq!(found.channel, "brev");
        assert_eq!(portal.campaign(&code("NONE")).await.unwrap(), None);

        let mut backwards = campaign("BAKLANGES");
        backwards.ends_on = date!(2026 - 10 - 01);
        let mut ownerless = campaign("UTAN");
        ownerless.owners.clear();
        let mut long_name = campaign("LANG");
        long_name.name = "n".repeat(101);
        for bad in [backwards, ownerless, long_name] {
            let result = portal.create_campaign(&bad).await;
            assert!(
                matches!(result, Err(StoreError::OutOfBounds { .. })),
                "{result:?}"
            );
        }
        assert_eq!(portal.campaigns().await.unwrap().len(), 2);
        test.finish().await;
    }
}

#[tokio::test]
async fn communicators_are_granted_replaced_and_revoked() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        let person = person_number(7);
        assert_eq!(portal.communicator(&person).await.unwrap(), None);
        let senders = [organisation(100), organisation(101)];
        let granted = portal
            .grant_communicator(&person, &senders, false)
            .await
            .unwrap();
        assert_eq!(granted.senders, senders.clone().into());
        assert!(!granted.is_admin);
        let replaced = portal
            .grant_communicator(&person, &[organisation(102)], true)
            .await
            .unwrap();
        assert_eq!(replaced.senders, [organisation(102)].into());
        assert!(replaced.is_admin);
        portal
            .grant_communicator(&person_number(8), &[], false)
            .await
            .unwrap();
        assert_eq!(portal.communicators().await.unwrap().len(), 2);
        assert_eq!(portal.communicator(&person).await.unwrap(), Some(replaced));
        assert!(portal.revoke_communicator(&person).await.unwrap());
        assert!(!portal.revoke_communicator(&person).await.unwrap());
        assert_eq!(portal.communicator(&person).await.unwrap(), None);
        let too_many: Vec<_> = (0..301).map(organisation).collect();
        let result = portal.grant_communicator(&person, &too_many, false).await;
        assert!(
            matches!(result, Err(StoreError::OutOfBounds { .. })),
            "{result:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn annual_targets_are_kept_per_year_to_two_decimals() {
    for test in TestDatabase::all().await {
        let portal = test.database.portal();
        portal.set_annual_target(2027, 55.0).await.unwrap();
        portal.set_annual_target(2026, 40.0).await.unwrap();
        portal.set_annual_target(2026, 42.125).await.unwrap();
        let targets: Vec<_> = portal
            .annual_targets()
            .await
            .unwrap()
            .into_iter()
            .map(|target| (target.year, target.target_percent_persons))
            .collect();
        assert_eq!(targets, [(2026, 42.13), (2027, 55.0)]);
        for (year, percent) in [(1999, 10.0), (2026, -1.0), (2026, 100.5), (2026, f64::NAN)] {
            let result = portal.set_annual_target(year, percent).await;
            assert!(
                matches!(result, Err(StoreError::OutOfBounds { .. })),
                "{result:?}"
            );
        }
        test.finish().await;
    }
}
