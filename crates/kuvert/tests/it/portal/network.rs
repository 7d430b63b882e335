//! The communicators' network at the portal (issue 13 §1, §2, §5) with the whole federation:
//! an A/B test splits 200 distinct visitors evenly without a cookie and counts one operator
//! choice per variant, and a registration made through a variant is counted under it;
//! feedback is taken without any cookie and its comment stored masked;
//! visits through a `/knapp` snippet are counted under their own page; a link naming a
//! campaign counts for the campaign and the variant alike.

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::NewCampaign;
use kuvert_store::portal::network::{AbCodesOf, NewAbTest, Variant, VariantTexts};

use kuvert_testenv::browser::location;

use super::seeding::{CHOSEN, today};
use crate::account::{at, browser, log_in, post_and_sign};

const VISITORS: usize = 200;

/// A client without a cookie store, sending `user_agent`: one simulated visitor.
#[allow(clippy::disallowed_methods)] // a bare client is the point: no cookie store
fn visitor(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn texts(text: &str) -> VariantTexts {
    VariantTexts {
        sv: text.to_owned(),
        en: text.to_owned(),
    }
}

#[tokio::test]
async fn ab_test_splits_200_visitors_evenly_without_cookies_and_counts_one_choice_each() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal = &federation.demo().portal;
    portal.registry().senders().await.unwrap();
    let sender = seed::SENDERS[0].organisation_number();
    let network = portal.network_store();
    let test = network
        .create_ab_test(&NewAbTest {
            name: "Budskap våren".to_owned(),
            sender: sender.clone(),
            variants: [texts("Säkert och enkelt."), texts("Slipp pappersbrev.")],
        })
        .await
        .unwrap();
    let landing = at(
        &federation.portal_url(),
        &format!("skaffa?avsandare={}", sender.as_str()),
    );
    let mut seen = [0_usize; 2];
    for index in 0..VISITORS {
        let client = visitor(&format!("TestBrowser/{index}"));
        let answer = client.get(&landing).send().await.unwrap();
        assert!(answer.headers().get("set-cookie").is_none());
        let page = answer.text().await.unwrap();
        let shown = usize::from(page.contains("Slipp pappersbrev."));
        assert!(
            page.contains("Säkert och enkelt.") != (shown == 1),
            "one variant shown"
        );
        seen[shown] += 1;
        // The first visitor of each variant chooses an operator, twice: counted once.
        if seen[shown] == 1 {
            let operator = seed::OPERATORS[0].key;
            let choice = at(
                &federation.portal_url(),
                &format!("skaffa/{operator}?avsandare={}", sender.as_str()),
            );
            for _ in 0..2 {
                let answer = client.get(&choice).send().await.unwrap();
                assert_eq!(answer.status(), reqwest::StatusCode::SEE_OTHER);
            }
        }
    }
    let [a, b] = network.ab_counts(&test.id).await.unwrap();
    let even = VISITORS as u64 / 2;
    for variant in [a, b] {
        assert!(variant.visitors.abs_diff(even) <= even / 10, "{a:?} {b:?}");
        assert_eq!(variant.operator_choices, 1, "{a:?} {b:?}");
    }
    assert_eq!(a.visitors + b.visitors, VISITORS as u64);
    assert_eq!(seen.iter().sum::<usize>(), VISITORS);
}

#[tokio::test]
async fn feedback_is_taken_without_a_cookie_and_a_personnummer_is_stored_masked() {
    let federation = Federation::start(FederationOptions::default()).await;
    let client = visitor("Feedback/1");
    let start = client
        .get(at(&federation.portal_url(), "fragor"))
        .send()
        .await
        .unwrap();
    let page = start.text().await.unwrap();
    assert!(page.contains("Hittade du det du sökte?"), "{page}");
    assert!(page.contains("name=\"sida\" value=\"/fragor\""), "{page}");
    let answer = client
        .post(at(&federation.portal_url(), "synpunkter"))
        .form(&[
            ("sida", "/fragor"),
            ("svar", "nej"),
            (
                "kommentar",
                "Jag heter 19121212-1212 och mejlar anna@example.se",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    assert!(answer.headers().get("set-cookie").is_none());
    let network = federation.demo().portal.network_store();
    let comments = network.feedback_comments(today(), today()).await.unwrap();
    let [comment] = comments.as_slice() else {
        panic!("{comments:?}");
    };
    assert_eq!(comment.page, "/fragor");
    assert!(!comment.found);
    assert_eq!(
        comment.comment.as_str(),
        "Jag heter [nummer] och mejlar [e-post]"
    );
}

#[tokio::test]
async fn knapp_shows_a_script_free_snippet_whose_visits_count_under_their_own_page() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal = &federation.demo().portal;
    portal.registry().senders().await.unwrap();
    let sender = seed::SENDERS[0].number;
    let client = visitor("Knapp/1");
    let page = client
        .get(at(
            &federation.portal_url(),
            &format!("knapp?avsandare={sender}&kampanj=VAR-2026"),
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let target = format!("knapp/skaffa?avsandare={sender}&amp;kampanj=VAR-2026");
    assert!(page.contains(&target), "{page}");
    assert!(!page.contains("<script"), "{page}");
    assert!(
        page.contains("aria-label=\"Skaffa digital brevlåda\""),
        "{page}"
    );
    let landing = client
        .get(at(
            &federation.portal_url(),
            &format!("knapp/skaffa?avsandare={sender}&kampanj=VAR-2026"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(landing.status(), reqwest::StatusCode::OK);
    let counts = portal.store().visit_counts(today(), today()).await.unwrap();
    let through_button: u64 = counts
        .iter()
        .filter(|count| count.page == "/knapp/skaffa")
        .map(|count| count.visits)
        .sum();
    assert_eq!(through_button, 1, "{counts:?}");
}

/// A visitor in an A/B test chooses an operator and signs up there: the sign-up carries the
/// variant's code as its source (no cookie), and the communicator's page shows the
/// registration under that variant, beside the portal's own counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ab_registration_is_counted_under_the_variant_the_visitor_saw() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal = federation.portal_url();
    // The brand (and so the variant) shows once the registry's senders list is at hand.
    federation.demo().portal.registry().senders().await.unwrap();
    let sender = seed::SENDERS[0].organisation_number();
    let variants = ["Säkert och enkelt.", "Slipp pappersbrev."];
    let test = federation
        .demo()
        .portal
        .network_store()
        .create_ab_test(&NewAbTest {
            name: "Budskap hösten".to_owned(),
            sender: sender.clone(),
            variants: variants.map(texts),
        })
        .await
        .unwrap();
    let person = browser(&federation);
    let landing = at(&portal, &format!("skaffa?avsandare={}", sender.as_str()));
    let page = person.get(&landing).await.text().await.unwrap();
    let seen = usize::from(page.contains(variants[1]));
    let choice = at(
        &portal,
        &format!("skaffa/{}?avsandare={}", CHOSEN.key, sender.as_str()),
    );
    let redirect = person.get(&choice).await;
    let signup = url::Url::parse(&location(&redirect)).unwrap();
    let letter = ["A", "B"][seen];
    let source = signup
        .query_pairs()
        .find(|(name, _)| name == "kampanj")
        .unwrap()
        .1
        .into_owned();
    assert!(
        source.starts_with("AB-") && source.ends_with(&format!("-{letter}")),
        "{signup}"
    );
    assert!(person.set_cookie_headers().is_empty(), "no cookie");

    let david = seed::person("david").unwrap();
    let first = person.get(signup.as_str()).await;
    assert_eq!(location(&first), "/logga-in");
    let operator = signup.join("/").unwrap();
    assert_eq!(log_in(&person, &operator, david).await, "/skaffa");
    let signed = post_and_sign(&person, &operator, "skaffa", Vec::new(), david).await;
    assert_eq!(location(&signed), "/brevlada", "David is registered");

    let communicator = federation
        .login_communicator(kuvert::demo::COMMUNICATOR.seed_person())
        .await;
    let html = communicator
        .get(&at(&portal, "kommunikator/natverk"))
        .await
        .text()
        .await
        .unwrap();
    let row = format!(
        "<th scope=\"row\">{letter}: {}</th><td>1</td><td>1</td><td>1</td><td>1</td></tr>",
        variants[seen]
    );
    assert!(html.contains(&row), "{row} in {html}");
    assert!(html.contains(&format!("ab-{}", test.id)));
}

/// Issue 13 §5: a link naming a campaign, from a sender running an A/B test, counts the visit,
/// the operator choice and the registration for the campaign and for the variant alike: the
/// sign-up carries one code the portal keeps as standing for both (before, the campaign's own
/// code went alone, and the variant's registrations missed it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ab_registration_through_a_campaign_link_counts_for_the_campaign_and_the_variant() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal = federation.portal_url();
    let demo_portal = &federation.demo().portal;
    demo_portal.registry().senders().await.unwrap();
    let sender = seed::SENDERS[0].organisation_number();
    let code = CampaignCode::parse("VAR-AB").unwrap();
    demo_portal
        .store()
        .create_campaign(&NewCampaign {
            code: code.clone(),
            name: "Våren med varianter".to_owned(),
            owners: vec![sender.clone()],
            channel: "brev".to_owned(),
            starts_on: today() - time::Duration::days(1),
            ends_on: today() + time::Duration::days(30),
            goal_registrations: 10,
        })
        .await
        .unwrap();
    let network = demo_portal.network_store();
    let variants = ["Säkert och enkelt.", "Slipp pappersbrev."];
    let test = network
        .create_ab_test(&NewAbTest {
            name: "Budskap med kampanj".to_owned(),
            sender: sender.clone(),
            variants: variants.map(texts),
        })
        .await
        .unwrap();
    let person = browser(&federation);
    let query = format!("avsandare={}&kampanj=VAR-AB", sender.as_str());
    let page = person.get(&at(&portal, &format!("skaffa?{query}"))).await;
    let seen = usize::from(page.text().await.unwrap().contains(variants[1]));
    let choice = at(&portal, &format!("skaffa/{}?{query}", CHOSEN.key));
    let redirect = person.get(&choice).await;
    let signup = url::Url::parse(&location(&redirect)).unwrap();
    let source = signup
        .query_pairs()
        .find(|(name, _)| name == "kampanj")
        .unwrap()
        .1
        .into_owned();
    let recorded = network
        .ab_campaign_codes(AbCodesOf::Campaign(&code))
        .await
        .unwrap();
    let [recorded] = recorded.as_slice() else {
        panic!("one code for the campaign and the variant, not {source}: {recorded:?}");
    };
    assert_eq!(recorded.code.as_str(), source);
    assert_eq!(recorded.variant, [Variant::A, Variant::B][seen]);
    assert_eq!((&recorded.test_id, &recorded.campaign), (&test.id, &code));
    assert!(person.set_cookie_headers().is_empty(), "no cookie");

    let david = seed::person("david").unwrap();
    let first = person.get(signup.as_str()).await;
    assert_eq!(location(&first), "/logga-in");
    let operator = signup.join("/").unwrap();
    assert_eq!(log_in(&person, &operator, david).await, "/skaffa");
    let signed = post_and_sign(&person, &operator, "skaffa", Vec::new(), david).await;
    assert_eq!(location(&signed), "/brevlada", "David is registered");

    // The portal's own counts: one visit and one choice for the campaign and the variant.
    let days = demo_portal.store().campaign_funnel(&code).await.unwrap();
    let visits: u64 = days.iter().map(|day| day.visits).sum();
    let choices: u64 = days.iter().map(|day| day.operator_choices).sum();
    assert_eq!((visits, choices), (1, 1), "{days:?}");
    let counts = network.ab_counts(&test.id).await.unwrap();
    assert_eq!(
        (counts[seen].visitors, counts[seen].operator_choices),
        (1, 1)
    );
    // The registry's one registration, on the variant's row and in the campaign's result.
    let communicator = federation
        .login_communicator(kuvert::demo::COMMUNICATOR.seed_person())
        .await;
    let html = communicator
        .get(&at(&portal, "kommunikator/natverk"))
        .await
        .text()
        .await
        .unwrap();
    let letter = ["A", "B"][seen];
    let row = format!(
        "<th scope=\"row\">{letter}: {}</th><td>1</td><td>1</td><td>1</td><td>1</td></tr>",
        variants[seen]
    );
    assert!(html.contains(&row), "{row} in {html}");
    let html = communicator
        .get(&at(&portal, "kommunikator/kampanjer/VAR-AB"))
        .await
        .text()
        .await
        .unwrap();
    let result = "1 besök, 1 val av brevlådeoperatör och 1 registrering av målet 10";
    assert!(html.contains(result), "{html}");
}
