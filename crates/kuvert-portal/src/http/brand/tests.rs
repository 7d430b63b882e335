//! A variant's source code: from the random tail of the test's id, one per variant, a valid
//! campaign code; an id without twelve hex digits gives none. A campaign's and a variant's
//! code together: one per variant and campaign.

use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::network::Variant;

use super::{campaign_variant_code, variant_code};

#[test]
fn variant_codes_come_from_the_ids_random_tail() {
    let id = "019af3c2-7d10-7c4e-9a21-3f5e8b0c1d2e";
    let a = variant_code(id, Variant::A).unwrap();
    let b = variant_code(id, Variant::B).unwrap();
    assert_eq!(a.as_str(), "AB-3F5E8B0C1D2E-A");
    assert_eq!(b.as_str(), "AB-3F5E8B0C1D2E-B");
    assert!(variant_code("abc", Variant::A).is_none());
}

/// Issue 13 §5: a registration through a campaign's link and a variant is reported under one
/// code that stands for both, distinct per variant and per campaign, and a valid campaign code.
#[test]
fn campaign_variant_codes_differ_per_variant_and_campaign() {
    let id = "019af3c2-7d10-7c4e-9a21-3f5e8b0c1d2e";
    let spring = CampaignCode::parse("VAR-2026").unwrap();
    let autumn = CampaignCode::parse("HOST-2026").unwrap();
    let a = campaign_variant_code(id, Variant::A, &spring).unwrap();
    let b = campaign_variant_code(id, Variant::B, &spring).unwrap();
    let other = campaign_variant_code(id, Variant::A, &autumn).unwrap();
    assert!(a.as_str().starts_with("AB-3F5E8B0C1D2E-A-"), "{a}");
    assert!(b.as_str().starts_with("AB-3F5E8B0C1D2E-B-"), "{b}");
    assert_eq!(a.as_str().len(), 28);
    assert_ne!(a, other);
    assert_eq!(a, campaign_variant_code(id, Variant::A, &spring).unwrap());
    assert!(campaign_variant_code("abc", Variant::A, &spring).is_none());
}
