//! [`Browser`]: an HTTP client that keeps cookies and follows redirects by hand, so tests can
//! walk the web inbox and the test e-ID's forms as a person's browser would.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use url::Url;

/// Redirects followed at most by [`Browser::follow`].
const REDIRECTS_MAX: usize = 10;

/// A cookie-keeping client for one person's session.
pub struct Browser {
    client: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    /// A browser trusting `ca_pem` (the demo serves browser pages over plain HTTP anyway).
    #[must_use]
    pub fn new(ca_pem: &str) -> Self {
        let config = kuvert_web::ClientConfig {
            ca_pem: ca_pem.to_owned(),
            identity: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        };
        let client = kuvert_web::http_client(&config).unwrap();
        Self {
            client,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// `GET url` with the session's cookies; no redirect is followed.
    pub async fn get(&self, url: &str) -> Response {
        let request = self.client.get(url).header(COOKIE, self.cookie_header());
        let response = request.send().await.unwrap();
        self.keep_cookies(&response);
        response
    }

    /// `POST url` with a form body and the session's cookies; no redirect is followed.
    pub async fn post_form(&self, url: &str, form: &[(String, String)]) -> Response {
        let request = self
            .client
            .post(url)
            .header(COOKIE, self.cookie_header())
            .form(form);
        let response = request.send().await.unwrap();
        self.keep_cookies(&response);
        response
    }

    /// `GET url`, following redirects; returns the final URL and response.
    pub async fn follow(&self, url: &str) -> (Url, Response) {
        let mut current = Url::parse(url).unwrap();
        for _ in 0..REDIRECTS_MAX {
            let response = self.get(current.as_str()).await;
            match location(&response) {
                Some(next) => current = current.join(&next).unwrap(),
                None => return (current, response),
            }
        }
        panic!("more than {REDIRECTS_MAX} redirects from {url}");
    }

    /// Logs in at the inbox `inbox_url` as the test e-ID's person number `person_index`:
    /// the inbox's login redirect, the provider's person picker form, then the callback.
    pub(crate) async fn log_in(&self, inbox_url: &str, person_index: usize) {
        let inbox = Url::parse(inbox_url).unwrap();
        let start = self.get(inbox.join("logga-in").unwrap().as_str()).await;
        let authorize =
            Url::parse(&location(&start).expect("login redirects to the e-ID")).unwrap();
        let mut form: Vec<(String, String)> = authorize
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        form.push(("action".to_owned(), "login".to_owned()));
        form.push(("person".to_owned(), person_index.to_string()));
        let mut endpoint = authorize.clone();
        endpoint.set_query(None);
        let chosen = self.post_form(endpoint.as_str(), &form).await;
        assert_eq!(
            chosen.status(),
            StatusCode::SEE_OTHER,
            "the e-ID accepts the choice"
        );
        let callback = location(&chosen).expect("the e-ID redirects back");
        let finished = self.get(&callback).await;
        assert!(
            finished.status().is_redirection(),
            "the inbox accepts the login: {}",
            finished.status()
        );
    }

    fn cookie_header(&self) -> String {
        let cookies = self.cookies.lock().unwrap();
        cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, response: &Response) {
        let mut cookies = self.cookies.lock().unwrap();
        for header in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let is_removal = text.to_ascii_lowercase().contains("max-age=0");
                if value.is_empty() || is_removal {
                    cookies.remove(name.trim());
                } else {
                    cookies.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
    }
}

fn location(response: &Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    response
        .headers()
        .get(LOCATION)?
        .to_str()
        .ok()
        .map(str::to_owned)
}
