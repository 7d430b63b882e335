//! Deep links: what is kept, what is dropped, and how it travels on to the operator.

use kuvert_web::i18n::Language;

use super::DeepLink;

#[track_caller]
fn check(sender: Option<&str>, campaign: Option<&str>, expected: (Option<&str>, Option<&str>)) {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(sender) = sender {
        query.append_pair("avsandare", sender);
    }
    if let Some(campaign) = campaign {
        query.append_pair("kampanj", campaign);
    }
    let link = DeepLink::from_raw_query(Some(&query.finish()));
    assert_eq!(
        (
            link.sender.as_ref().map(|sender| sender.as_str()),
            link.campaign.as_ref().map(|campaign| campaign.as_str())
        ),
        expected
    );
}

#[test]
fn deep_link_keeps_valid_values_and_drops_the_rest() {
    check(
        Some("2120000159"),
        Some("HOST2026"),
        (Some("2120000159"), Some("HOST2026")),
    );
    check(Some("212000-0159"), None, (Some("2120000159"), None));
    check(Some("162120000159"), None, (Some("2120000159"), None));
    // Luhn fails, too short, a person: dropped, the page still works.
    check(
        Some("2120000158"),
        Some("HOST2026"),
        (None, Some("HOST2026")),
    );
    check(Some("123"), None, (None, None));
    check(Some("191212121212"), None, (None, None));
    // A code with characters outside [A-Za-z0-9_-], or too long: dropped.
    check(None, Some("höst 2026"), (None, None));
    check(None, Some(&"A".repeat(33)), (None, None));
    check(Some(""), Some(""), (None, None));
}

#[test]
fn deep_link_takes_the_first_of_repeated_parameters_and_ignores_others() {
    let link = DeepLink::from_raw_query(Some(
        "lang=en&kampanj=a&avsandare=2120000159&avsandare=2021999996&kampanj=b&x=%FF",
    ));
    assert_eq!(link.sender.unwrap().as_str(), "2120000159");
    assert_eq!(link.campaign.unwrap().as_str(), "A");
    assert_eq!(DeepLink::from_raw_query(None), DeepLink::default());
}

#[test]
fn deep_link_query_string_carries_sender_campaign_and_language() {
    let link = DeepLink::from_raw_query(Some("avsandare=2120000159&kampanj=host2026"));
    let campaign = link.campaign.as_ref().unwrap().as_str().to_owned();
    assert_eq!(
        link.query_string(Language::Swedish),
        format!("?avsandare=2120000159&kampanj={campaign}")
    );
    assert_eq!(
        link.query_string(Language::English),
        format!("?avsandare=2120000159&kampanj={campaign}&lang=en")
    );
    assert_eq!(DeepLink::default().query_string(Language::Swedish), "");
    assert_eq!(
        DeepLink::default().query_string(Language::English),
        "?lang=en"
    );
}

#[test]
fn deep_link_appends_to_the_operators_own_query() {
    let link = DeepLink::from_raw_query(Some("avsandare=2120000159"));
    let signup: url::Url = "https://op.example/skaffa?typ=person".parse().unwrap();
    assert_eq!(
        link.signup_url(&signup, Language::Swedish).as_str(),
        "https://op.example/skaffa?typ=person&avsandare=2120000159"
    );
    let plain: url::Url = "https://op.example/skaffa".parse().unwrap();
    assert_eq!(
        DeepLink::default()
            .signup_url(&plain, Language::Swedish)
            .as_str(),
        "https://op.example/skaffa"
    );
}
