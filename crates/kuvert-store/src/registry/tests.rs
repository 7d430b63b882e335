//! Unit tests for the registry's constrained strings.

use super::{CampaignCode, ServiceDomain};

#[track_caller]
fn check(domain: &str, is_valid: bool) {
    assert_eq!(
        ServiceDomain::parse(domain).is_ok(),
        is_valid,
        "domain {domain:?}"
    );
}

#[test]
fn service_domain_accepts_only_lowercase_internet_domains() {
    check("kivra.se", true);
    check("mail.example-operator.se", true);
    check("localhost", false);
    check("Kivra.se", false);
    check("-bad.se", false);
    check("bad-.se", false);
    check("a..se", false);
    check("https://kivra.se", false);
    check(&format!("{}.se", "a".repeat(64)), false);
}

#[test]
fn campaign_code_accepts_short_tokens_only() {
    assert!(CampaignCode::parse("var-2026_a").is_ok());
    assert!(CampaignCode::parse("").is_err());
    assert!(CampaignCode::parse("två").is_err());
    assert!(CampaignCode::parse(&"a".repeat(65)).is_err());
}
