//! Logging a [`Browser`] (the one shared test browser, `kuvert_testenv::browser`) in through
//! the test e-ID, at a web inbox or at the portal's communicators' pages, as a person's
//! browser without JavaScript would: the site's redirect to the e-ID, the e-ID's person
//! picker form, then the site's callback.

use kuvert_testenv::browser::{Browser, location};
use url::Url;

/// Logs `browser` in at `login_url` (an inbox's `/logga-in`, the portal's
/// `/kommunikator/logga-in`) as the test e-ID's person number `person_index`; answers where
/// the site's callback sends the browser.
pub async fn log_in_at(browser: &Browser, login_url: &Url, person_index: usize) -> String {
    let start = browser.get(login_url.as_str()).await;
    assert!(
        start.status().is_redirection(),
        "{login_url} redirects to the e-ID: {}",
        start.status()
    );
    let authorize = login_url.join(&location(&start)).unwrap();
    let callback = browser
        .pick_at_test_eid(authorize.as_str(), person_index, "login")
        .await;
    let finished = browser.get(&callback).await;
    assert!(
        finished.status().is_redirection(),
        "{login_url} accepts the login: {}",
        finished.status()
    );
    location(&finished)
}
