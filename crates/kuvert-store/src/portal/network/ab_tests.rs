//! A/B tests: the tests, their counts per variant and day, today's variant of each visitor
//! (under a hash that is deleted at the day's end), and the source codes standing for a
//! campaign and a variant at once.

use aws_lc_rs::digest;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{AB_TESTS_MAX, BRAND_MESSAGE_CHARS_MAX, CAMPAIGN_NAME_CHARS_MAX};
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::Date;

use kuvert_core::campaign::CampaignCode;

use super::{AbCampaignCode, AbCodesOf, AbTest, NewAbTest, Variant, VariantCounts, VariantTexts};
use crate::calendar::day_text;
use crate::database::{
    Backend, begin_write, flag, get_count, get_flag, get_parsed, get_text, get_time, to_millis,
};
use crate::error::{SqlContext, StoreError};
use crate::portal::VisitorHash;
use crate::portal::records::check_text;

pub(super) async fn create(
    pool: &AnyPool,
    backend: Backend,
    test: &NewAbTest,
) -> Result<AbTest, StoreError> {
    check_text(&test.name, CAMPAIGN_NAME_CHARS_MAX, "A/B test name")?;
    for texts in &test.variants {
        check_text(&texts.sv, BRAND_MESSAGE_CHARS_MAX, "A/B test variant")?;
        check_text(&texts.en, BRAND_MESSAGE_CHARS_MAX, "A/B test variant")?;
    }
    let mut transaction = begin_write(pool, backend).await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS total, CAST(COALESCE(SUM(CASE WHEN sender = $1 THEN is_running \
         ELSE 0 END), 0) AS BIGINT) AS running FROM portal_ab_tests",
    )
    .bind(test.sender.as_str())
    .fetch_one(&mut *transaction)
    .await
    .context("count A/B tests")?;
    if get_count(&row, "running")? > 0 {
        return Err(StoreError::Conflict {
            what: "running A/B test",
        });
    }
    if get_count(&row, "total")? >= u64::try_from(AB_TESTS_MAX).unwrap_or(u64::MAX) {
        return Err(StoreError::OutOfBounds { what: "A/B tests" });
    }
    let created = AbTest {
        id: uuid::Uuid::now_v7().to_string(),
        name: test.name.clone(),
        sender: test.sender.clone(),
        variants: test.variants.clone(),
        is_running: true,
        created_at: crate::database::truncate_to_millis(time::OffsetDateTime::now_utc()),
    };
    let [a, b] = &created.variants;
    sqlx::query(
        "INSERT INTO portal_ab_tests (id, name, sender, variant_a_sv, variant_a_en, \
         variant_b_sv, variant_b_en, is_running, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&created.id)
    .bind(&created.name)
    .bind(created.sender.as_str())
    .bind(&a.sv)
    .bind(&a.en)
    .bind(&b.sv)
    .bind(&b.en)
    .bind(flag(true))
    .bind(to_millis(created.created_at))
    .execute(&mut *transaction)
    .await
    .context("insert A/B test")?;
    transaction.commit().await.context("commit A/B test")?;
    Ok(created)
}

pub(super) async fn tests(
    pool: &AnyPool,
    senders: Option<&[OrganisationNumber]>,
) -> Result<Vec<AbTest>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, sender, variant_a_sv, variant_a_en, variant_b_sv, variant_b_en, \
         is_running, created_at FROM portal_ab_tests ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await
    .context("read A/B tests")?;
    let tests = rows
        .iter()
        .map(test_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(tests
        .into_iter()
        .filter(|test| senders.is_none_or(|senders| senders.contains(&test.sender)))
        .collect())
}

pub(super) async fn running(
    pool: &AnyPool,
    sender: &OrganisationNumber,
) -> Result<Option<AbTest>, StoreError> {
    let row = sqlx::query(
        "SELECT id, name, sender, variant_a_sv, variant_a_en, variant_b_sv, variant_b_en, \
         is_running, created_at FROM portal_ab_tests WHERE sender = $1 AND is_running = 1",
    )
    .bind(sender.as_str())
    .fetch_optional(pool)
    .await
    .context("read running A/B test")?;
    row.as_ref().map(test_from_row).transpose()
}

pub(super) async fn end(pool: &AnyPool, test_id: &str) -> Result<bool, StoreError> {
    let ended =
        sqlx::query("UPDATE portal_ab_tests SET is_running = 0 WHERE id = $1 AND is_running = 1")
            .bind(test_id)
            .execute(pool)
            .await
            .context("end A/B test")?;
    Ok(ended.rows_affected() == 1)
}

pub(super) async fn assign(
    pool: &AnyPool,
    backend: Backend,
    test: &AbTest,
    day: Date,
    visitor: &VisitorHash,
) -> Result<Variant, StoreError> {
    let key = visitor_key(test, visitor);
    let mut transaction = begin_write(pool, backend).await?;
    let known =
        sqlx::query("SELECT variant FROM portal_ab_visitors WHERE day = $1 AND visitor_key = $2")
            .bind(day_text(day))
            .bind(&key)
            .fetch_optional(&mut *transaction)
            .await
            .context("read visitor's variant")?;
    let (variant, is_new) = match known {
        Some(row) => (variant_of(&get_text(&row, "variant")?)?, false),
        None => {
            let row = sqlx::query(
                "SELECT CAST(COALESCE(SUM(CASE WHEN variant = 'A' THEN visitors ELSE 0 END), 0) \
                 AS BIGINT) AS a, CAST(COALESCE(SUM(CASE WHEN variant = 'B' THEN visitors \
                 ELSE 0 END), 0) AS BIGINT) AS b FROM portal_ab_counts WHERE test_id = $1",
            )
            .bind(&test.id)
            .fetch_one(&mut *transaction)
            .await
            .context("read A/B split")?;
            let fewer_b = get_count(&row, "b")? < get_count(&row, "a")?;
            (if fewer_b { Variant::B } else { Variant::A }, true)
        }
    };
    if is_new {
        sqlx::query(
            "INSERT INTO portal_ab_visitors (day, visitor_key, test_id, variant, has_chosen) \
             VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(day_text(day))
        .bind(&key)
        .bind(&test.id)
        .bind(variant.as_str())
        .execute(&mut *transaction)
        .await
        .context("record visitor's variant")?;
    }
    sqlx::query(
        "INSERT INTO portal_ab_counts (test_id, variant, day, visitors, visits, \
         operator_choices) VALUES ($1, $2, $3, $4, 1, 0) \
         ON CONFLICT (test_id, variant, day) DO UPDATE SET \
         visitors = portal_ab_counts.visitors + excluded.visitors, \
         visits = portal_ab_counts.visits + 1",
    )
    .bind(&test.id)
    .bind(variant.as_str())
    .bind(day_text(day))
    .bind(i64::from(is_new))
    .execute(&mut *transaction)
    .await
    .context("count A/B visit")?;
    transaction.commit().await.context("commit A/B visit")?;
    Ok(variant)
}

pub(super) async fn record_choice(
    pool: &AnyPool,
    backend: Backend,
    test: &AbTest,
    day: Date,
    visitor: &VisitorHash,
) -> Result<Option<Variant>, StoreError> {
    let key = visitor_key(test, visitor);
    let mut transaction = begin_write(pool, backend).await?;
    let row = sqlx::query(
        "SELECT variant, has_chosen FROM portal_ab_visitors WHERE day = $1 AND visitor_key = $2",
    )
    .bind(day_text(day))
    .bind(&key)
    .fetch_optional(&mut *transaction)
    .await
    .context("read visitor's variant")?;
    let Some(row) = row else {
        return Ok(None);
    };
    let variant = variant_of(&get_text(&row, "variant")?)?;
    if !get_flag(&row, "has_chosen")? {
        sqlx::query(
            "UPDATE portal_ab_visitors SET has_chosen = 1 WHERE day = $1 AND visitor_key = $2",
        )
        .bind(day_text(day))
        .bind(&key)
        .execute(&mut *transaction)
        .await
        .context("mark visitor's choice")?;
        sqlx::query(
            "UPDATE portal_ab_counts SET operator_choices = operator_choices + 1 \
             WHERE test_id = $1 AND variant = $2 AND day = $3",
        )
        .bind(&test.id)
        .bind(variant.as_str())
        .bind(day_text(day))
        .execute(&mut *transaction)
        .await
        .context("count A/B choice")?;
    }
    transaction.commit().await.context("commit A/B choice")?;
    Ok(Some(variant))
}

pub(super) async fn counts(
    pool: &AnyPool,
    test_id: &str,
) -> Result<[VariantCounts; 2], StoreError> {
    let rows = sqlx::query(
        "SELECT variant, CAST(SUM(visitors) AS BIGINT) AS visitors, \
         CAST(SUM(visits) AS BIGINT) AS visits, \
         CAST(SUM(operator_choices) AS BIGINT) AS choices \
         FROM portal_ab_counts WHERE test_id = $1 GROUP BY variant",
    )
    .bind(test_id)
    .fetch_all(pool)
    .await
    .context("read A/B counts")?;
    let mut totals = [VariantCounts::default(); 2];
    for row in &rows {
        let index = match variant_of(&get_text(row, "variant")?)? {
            Variant::A => 0,
            Variant::B => 1,
        };
        totals[index] = VariantCounts {
            visitors: get_count(row, "visitors")?,
            visits: get_count(row, "visits")?,
            operator_choices: get_count(row, "choices")?,
        };
    }
    Ok(totals)
}

pub(super) async fn forget_visitors_before(pool: &AnyPool, day: Date) -> Result<u64, StoreError> {
    let deleted = sqlx::query("DELETE FROM portal_ab_visitors WHERE day < $1")
        .bind(day_text(day))
        .execute(pool)
        .await
        .context("forget A/B visitors")?;
    Ok(deleted.rows_affected())
}

pub(super) async fn record_campaign_code(
    pool: &AnyPool,
    code: &AbCampaignCode,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO portal_ab_campaign_codes (code, test_id, variant, campaign) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(code.code.as_str())
    .bind(&code.test_id)
    .bind(code.variant.as_str())
    .bind(code.campaign.as_str())
    .execute(pool)
    .await
    .context("record A/B campaign code")?;
    Ok(())
}

pub(super) async fn campaign_codes(
    pool: &AnyPool,
    of: AbCodesOf<'_>,
) -> Result<Vec<AbCampaignCode>, StoreError> {
    let (sql, key) = match of {
        AbCodesOf::Campaign(campaign) => (
            "SELECT code, test_id, variant, campaign FROM portal_ab_campaign_codes \
             WHERE campaign = $1 ORDER BY code",
            campaign.as_str(),
        ),
        AbCodesOf::Test(test_id) => (
            "SELECT code, test_id, variant, campaign FROM portal_ab_campaign_codes \
             WHERE test_id = $1 ORDER BY code",
            test_id,
        ),
    };
    let rows = sqlx::query(sql)
        .bind(key)
        .fetch_all(pool)
        .await
        .context("read A/B campaign codes")?;
    rows.iter()
        .map(|row| {
            Ok(AbCampaignCode {
                code: get_parsed(row, "code", CampaignCode::parse)?,
                test_id: get_text(row, "test_id")?,
                variant: variant_of(&get_text(row, "variant")?)?,
                campaign: get_parsed(row, "campaign", CampaignCode::parse)?,
            })
        })
        .collect()
}

/// SHA-256 over the visitor's daily hash and the test's id: unlinkable to the visit
/// counter's keys and to other tests.
fn visitor_key(test: &AbTest, visitor: &VisitorHash) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(b"ab-test\0");
    context.update(&visitor.0);
    context.update(test.id.as_bytes());
    hex::encode(context.finish().as_ref())
}

fn variant_of(text: &str) -> Result<Variant, StoreError> {
    match text {
        "A" => Ok(Variant::A),
        "B" => Ok(Variant::B),
        _ => Err(StoreError::OutOfBounds {
            what: "stored A/B variant",
        }),
    }
}

fn test_from_row(row: &AnyRow) -> Result<AbTest, StoreError> {
    let texts = |sv: &'static str, en: &'static str| -> Result<VariantTexts, StoreError> {
        Ok(VariantTexts {
            sv: get_text(row, sv)?,
            en: get_text(row, en)?,
        })
    };
    Ok(AbTest {
        id: get_text(row, "id")?,
        name: get_text(row, "name")?,
        sender: OrganisationNumber::parse(&get_text(row, "sender")?)
            .map_err(|error| StoreError::internal("stored A/B test sender", error))?,
        variants: [
            texts("variant_a_sv", "variant_a_en")?,
            texts("variant_b_sv", "variant_b_en")?,
        ],
        is_running: get_flag(row, "is_running")?,
        created_at: get_time(row, "created_at")?,
    })
}
