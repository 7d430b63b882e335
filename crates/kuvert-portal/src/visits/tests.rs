//! What of a referrer is kept: the domain of another http(s) site, nothing else.

use super::referrer_domain;

#[track_caller]
fn check(referrer: &str, expected: Option<&str>) {
    assert_eq!(
        referrer_domain(referrer, Some("brevlada.example")).as_deref(),
        expected,
        "{referrer}"
    );
}

#[test]
fn referrer_domain_keeps_only_another_sites_host() {
    check(
        "https://www.Kommun.example/nyheter?arende=123#a",
        Some("www.kommun.example"),
    );
    check("http://192.0.2.10:8080/sida", Some("192.0.2.10"));
    check("https://brevlada.example/fragor", None);
    check("android-app://com.example.app/", None);
    check("inte en adress", None);
    check(&format!("https://{}.example/", "a".repeat(250)), None);
}
