//! Senders' brands: one row per sender, the logo as base64 text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{BRAND_MESSAGE_CHARS_MAX, LOGO_ALT_CHARS_MAX, LOGO_BYTES_MAX};
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use super::{Logo, LogoMediaType, SenderBrand};
use crate::database::{get_text, to_millis};
use crate::error::{SqlContext, StoreError};
use crate::portal::records::check_text;

pub(super) async fn set_brand(pool: &AnyPool, brand: &SenderBrand) -> Result<(), StoreError> {
    check_text(&brand.message_sv, BRAND_MESSAGE_CHARS_MAX, "brand message")?;
    check_text(&brand.message_en, BRAND_MESSAGE_CHARS_MAX, "brand message")?;
    if let Some(logo) = &brand.logo {
        check_text(&logo.alt_sv, LOGO_ALT_CHARS_MAX, "logo alt text")?;
        check_text(&logo.alt_en, LOGO_ALT_CHARS_MAX, "logo alt text")?;
        if logo.bytes.is_empty() || logo.bytes.len() > LOGO_BYTES_MAX {
            return Err(StoreError::OutOfBounds { what: "logo" });
        }
    }
    let logo = brand.logo.as_ref();
    sqlx::query(
        "INSERT INTO portal_sender_brands (sender, message_sv, message_en, logo_media_type, \
         logo_base64, logo_alt_sv, logo_alt_en, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sender) DO UPDATE SET \
         message_sv = excluded.message_sv, message_en = excluded.message_en, \
         logo_media_type = excluded.logo_media_type, logo_base64 = excluded.logo_base64, \
         logo_alt_sv = excluded.logo_alt_sv, logo_alt_en = excluded.logo_alt_en, \
         updated_at = excluded.updated_at",
    )
    .bind(brand.sender.as_str())
    .bind(&brand.message_sv)
    .bind(&brand.message_en)
    .bind(logo.map_or("", |logo| logo.media_type.as_str()))
    .bind(
        logo.map(|logo| STANDARD.encode(&logo.bytes))
            .unwrap_or_default(),
    )
    .bind(logo.map_or("", |logo| logo.alt_sv.as_str()))
    .bind(logo.map_or("", |logo| logo.alt_en.as_str()))
    .bind(to_millis(time::OffsetDateTime::now_utc()))
    .execute(pool)
    .await
    .context("set sender brand")?;
    Ok(())
}

pub(super) async fn brand(
    pool: &AnyPool,
    sender: &OrganisationNumber,
) -> Result<Option<SenderBrand>, StoreError> {
    let row = sqlx::query(
        "SELECT message_sv, message_en, logo_media_type, logo_base64, logo_alt_sv, \
         logo_alt_en FROM portal_sender_brands WHERE sender = $1",
    )
    .bind(sender.as_str())
    .fetch_optional(pool)
    .await
    .context("read sender brand")?;
    row.map(|row| brand_from_row(sender, &row)).transpose()
}

pub(super) async fn branded_senders(pool: &AnyPool) -> Result<Vec<OrganisationNumber>, StoreError> {
    let rows = sqlx::query("SELECT sender FROM portal_sender_brands ORDER BY sender")
        .fetch_all(pool)
        .await
        .context("read branded senders")?;
    rows.iter()
        .map(|row| {
            OrganisationNumber::parse(&get_text(row, "sender")?)
                .map_err(|error| StoreError::internal("stored brand sender", error))
        })
        .collect()
}

fn brand_from_row(sender: &OrganisationNumber, row: &AnyRow) -> Result<SenderBrand, StoreError> {
    let media_type = match get_text(row, "logo_media_type")?.as_str() {
        "" => None,
        "image/svg+xml" => Some(LogoMediaType::Svg),
        "image/png" => Some(LogoMediaType::Png),
        _ => {
            return Err(StoreError::OutOfBounds {
                what: "stored logo type",
            });
        }
    };
    let logo = match media_type {
        Some(media_type) => Some(Logo {
            media_type,
            bytes: STANDARD
                .decode(get_text(row, "logo_base64")?)
                .map_err(|error| StoreError::internal("stored logo", error))?,
            alt_sv: get_text(row, "logo_alt_sv")?,
            alt_en: get_text(row, "logo_alt_en")?,
        }),
        None => None,
    };
    Ok(SenderBrand {
        sender: sender.clone(),
        message_sv: get_text(row, "message_sv")?,
        message_en: get_text(row, "message_en")?,
        logo,
    })
}
