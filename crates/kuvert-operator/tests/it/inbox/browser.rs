//! The inbox tests' side of the shared test browser ([`kuvert_testenv::browser::Browser`]):
//! one trusting this suite's CA, and the inbox's login and CSRF token as steps on it.

pub(crate) use kuvert_testenv::browser::{Browser, location};
pub(crate) use kuvert_testenv::html_form::{form_action, hidden_fields};

use reqwest::StatusCode;

use super::Inbox;
use crate::pki;

/// A fresh browser (no cookies) trusting the suite's organisation CA.
pub(crate) fn new_browser() -> Browser {
    Browser::new(pki().organisation_ca_pem())
}

/// The inbox's steps on the shared browser.
pub(crate) trait InboxSteps {
    /// Logs in as `PERSONS[person_idx]` (or cancels); returns the callback's response.
    async fn log_in(&self, inbox: &Inbox, person_idx: usize, action: &str) -> reqwest::Response;
    /// The page's CSRF token (the logout form carries it on every logged-in page).
    async fn csrf_token(&self, inbox: &Inbox) -> String;
}

impl InboxSteps for Browser {
    async fn log_in(&self, inbox: &Inbox, person_idx: usize, action: &str) -> reqwest::Response {
        let start = self
            .get(inbox.base.join("logga-in").unwrap().as_str())
            .await;
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let set_cookie = start.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        let authorize = location(&start);
        assert!(
            !authorize.contains("code_verifier"),
            "the PKCE verifier never travels in the URL (it is sealed in the login cookie)"
        );
        let callback = self.pick_at_test_eid(&authorize, person_idx, action).await;
        assert!(callback.starts_with(inbox.base.join("inloggad").unwrap().as_str()));
        self.get(&callback).await
    }

    async fn csrf_token(&self, inbox: &Inbox) -> String {
        let page = self
            .get(inbox.base.join("installningar").unwrap().as_str())
            .await;
        let html = page.text().await.unwrap();
        hidden_fields(&html)
            .into_iter()
            .find(|(name, _)| name == "csrf_token")
            .map(|(_, value)| value)
            .unwrap()
    }
}
