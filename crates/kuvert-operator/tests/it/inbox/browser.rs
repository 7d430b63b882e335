//! A browser without JavaScript for the inbox tests: keeps cookies, follows no redirects,
//! logs in at the test e-ID, and reads hidden fields and form actions out of pages.

pub(crate) use kuvert_testenv::html_form::{form_action, hidden_fields};
use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;

use super::Inbox;
use crate::pki;

/// A browser without JavaScript: keeps cookies, never follows redirects by itself.
pub(crate) struct Browser {
    client: reqwest::Client,
    pub(crate) cookies: HashMap<String, String>,
}

impl Browser {
    pub(crate) fn new() -> Self {
        let client = kuvert_web::http_client(&kuvert_web::ClientConfig {
            ca_pem: pki().organisation_ca_pem().to_owned(),
            identity: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        })
        .unwrap();
        Self {
            client,
            cookies: HashMap::new(),
        }
    }

    pub(crate) async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.client.get(url);
        self.send(request).await
    }

    pub(crate) async fn post(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let request = self.client.post(url).form(form);
        self.send(request).await
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    /// Logs in as `PERSONS[person_idx]` (or cancels); returns the callback's response.
    pub(crate) async fn log_in(
        &mut self,
        inbox: &Inbox,
        person_idx: usize,
        action: &str,
    ) -> reqwest::Response {
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
            "the PKCE verifier stays server-side"
        );
        let page = self.get(&authorize).await.text().await.unwrap();
        let mut fields = hidden_fields(&page);
        fields.push(("person".to_owned(), person_idx.to_string()));
        fields.push(("action".to_owned(), action.to_owned()));
        let choice = self.post(&form_action(&page), &fields).await;
        assert_eq!(choice.status(), StatusCode::SEE_OTHER);
        let callback = location(&choice);
        assert!(callback.starts_with(inbox.base.join("inloggad").unwrap().as_str()));
        self.get(&callback).await
    }

    /// The page's CSRF token (the logout form carries it on every logged-in page).
    pub(crate) async fn csrf_token(&mut self, inbox: &Inbox) -> String {
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

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}
