//! PlanStore (migration 0011): activities of a sender's plan and of the common plan by year,
//! bounds on every text and the period, a campaign linked to its activity, and the editor's
//! check — the first mark stands, an unknown campaign or activity is `NotFound`; edits and
//! deletions of an activity, each kept (migration 0013).

use kuvert_core::campaign::CampaignCode;
use kuvert_store::StoreError;
use kuvert_store::portal::NewCampaign;
use kuvert_store::portal::plans::{ChangeKind, NewActivity, PlanOwner};
use time::macros::date;

use crate::support::{TestDatabase, organisation, person_number};

fn activity(owner: PlanOwner, message: &str) -> NewActivity {
    NewActivity {
        owner,
        message: message.to_owned(),
        target_group: "Studenter".to_owned(),
        channel: "brev".to_owned(),
        starts_on: date!(2027 - 03 - 01),
        ends_on: date!(2027 - 03 - 31),
        author: person_number(1),
    }
}

#[tokio::test]
async fn plans_keep_activities_link_campaigns_and_the_first_check_stands() {
    for test in TestDatabase::all().await {
        let plans = test.database.portal_plans();
        let sender = PlanOwner::Sender(organisation(1));
        let own = plans
            .add_activity(&activity(sender.clone(), "Spara tid"))
            .await
            .unwrap();
        plans
            .add_activity(&activity(PlanOwner::Common, "Ett brev"))
            .await
            .unwrap();
        let year = plans.activities(Some(2027)).await.unwrap();
        let owners: Vec<_> = year.iter().map(|a| a.planned.owner.clone()).collect();
        assert_eq!(owners, [PlanOwner::Common, sender.clone()]);
        assert_eq!(year[1], own);
        assert!(plans.activities(Some(2026)).await.unwrap().is_empty());

        let mut too_long = activity(sender.clone(), &"x".repeat(301));
        let refused = plans.add_activity(&too_long).await;
        assert!(matches!(refused, Err(StoreError::OutOfBounds { .. })));
        too_long.message = "ok".to_owned();
        too_long.ends_on = date!(2027 - 02 - 01);
        let refused = plans.add_activity(&too_long).await;
        assert!(matches!(refused, Err(StoreError::OutOfBounds { .. })));

        let code = CampaignCode::parse("PLAN-1").unwrap();
        let unknown = plans.mark_checked(&code, &person_number(2)).await;
        assert!(matches!(unknown, Err(StoreError::NotFound { .. })));
        test.database
            .portal()
            .create_campaign(&NewCampaign {
                code: code.clone(),
                name: "Spara tid".to_owned(),
                owners: vec![organisation(1)],
                channel: "brev".to_owned(),
                starts_on: date!(2027 - 03 - 01),
                ends_on: date!(2027 - 03 - 31),
                goal_registrations: 10,
            })
            .await
            .unwrap();
        let no_activity = plans.link_campaign(&code, "nothing").await;
        assert!(matches!(no_activity, Err(StoreError::NotFound { .. })));
        plans.link_campaign(&code, &own.id).await.unwrap();
        assert!(plans.mark_checked(&code, &person_number(2)).await.unwrap());
        assert!(!plans.mark_checked(&code, &person_number(3)).await.unwrap());
        let reviews = plans.reviews().await.unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].activity_id.as_deref(), Some(own.id.as_str()));
        assert_eq!(reviews[0].checked.as_ref().unwrap().0, person_number(2));
        test.finish().await;
    }
}

/// Migration 0013: an edit changes the texts and period (the year follows the start, the plan
/// and author stay), a deletion unlinks its campaigns; each keeps the activity as it was with
/// who and when; a refused edit keeps nothing.
#[tokio::test]
async fn activity_edits_and_deletions_are_kept_with_who_and_the_activity_as_it_was() {
    for test in TestDatabase::all().await {
        let plans = test.database.portal_plans();
        let sender = PlanOwner::Sender(organisation(1));
        let own = plans
            .add_activity(&activity(sender.clone(), "Spara tid"))
            .await
            .unwrap();
        let mut edit = own.planned.fields();
        edit.message = "Spara tid och papper".to_owned();
        edit.starts_on = date!(2028 - 01 - 10);
        edit.ends_on = date!(2028 - 02 - 10);
        let mut too_long = edit.clone();
        too_long.channel = "x".repeat(101);
        let refused = plans
            .edit_activity(&own.id, &too_long, &person_number(2))
            .await;
        assert!(matches!(refused, Err(StoreError::OutOfBounds { .. })));
        let unknown = plans
            .edit_activity("nothing", &edit, &person_number(2))
            .await;
        assert!(matches!(unknown, Err(StoreError::NotFound { .. })));
        assert!(plans.activity_changes(&own.id).await.unwrap().is_empty());

        let edited = plans
            .edit_activity(&own.id, &edit, &person_number(2))
            .await
            .unwrap();
        assert_eq!((edited.year, &edited.planned.owner), (2028, &sender));
        assert_eq!(edited.planned.author, person_number(1));
        assert_eq!(plans.activity(&own.id).await.unwrap(), Some(edited.clone()));
        assert!(plans.activities(Some(2027)).await.unwrap().is_empty());
        assert_eq!(plans.activities(Some(2028)).await.unwrap(), [edited]);

        let code = CampaignCode::parse("PLAN-2").unwrap();
        test.database
            .portal()
            .create_campaign(&NewCampaign {
                code: code.clone(),
                name: "Spara tid".to_owned(),
                owners: vec![organisation(1)],
                channel: "brev".to_owned(),
                starts_on: date!(2028 - 01 - 10),
                ends_on: date!(2028 - 02 - 10),
                goal_registrations: 10,
            })
            .await
            .unwrap();
        plans.link_campaign(&code, &own.id).await.unwrap();
        assert!(
            plans
                .delete_activity(&own.id, &person_number(3))
                .await
                .unwrap()
        );
        assert!(
            !plans
                .delete_activity(&own.id, &person_number(3))
                .await
                .unwrap()
        );
        assert_eq!(plans.activity(&own.id).await.unwrap(), None);
        let reviews = plans.reviews().await.unwrap();
        assert_eq!(reviews[0].activity_id, None, "the campaign stays, unlinked");
        let changes = plans.activity_changes(&own.id).await.unwrap();
        let kept: Vec<_> = changes
            .iter()
            .map(|change| {
                (
                    change.kind,
                    change.by.clone(),
                    change.before.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                (ChangeKind::Edited, person_number(2), "Spara tid"),
                (
                    ChangeKind::Deleted,
                    person_number(3),
                    "Spara tid och papper"
                ),
            ]
        );
        assert_eq!(changes[1].before.starts_on, date!(2028 - 01 - 10));
        test.finish().await;
    }
}
