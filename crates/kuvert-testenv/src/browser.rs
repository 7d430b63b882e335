//! [`Browser`]: the one cookie-keeping test browser of every suite that walks Kuvert's web
//! pages (the operator's inbox, the portal's communicator pages, the federation's walks).
//! Like a browser without JavaScript it keeps the cookies servers set and sends them back,
//! submits forms, and follows redirects only when asked, so each step can be checked.
//!
//! It is a test harness: a failed request or a malformed header panics with what failed.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode, Url};

use crate::html_form::{form_action, hidden_fields};

/// Redirects followed at most by [`Browser::follow`].
const REDIRECTS_MAX: usize = 10;
/// Generous for a loaded CI machine; a hung server still fails the test.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A cookie-keeping client for one person's session; shareable (`&self`) across the steps.
pub struct Browser {
    client: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
    set_cookie_headers: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Browser")
            .field("cookies", &self.cookies())
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// A browser trusting only `ca_pem` for `https` (the test PKI's CA); most pages under
    /// test are plain HTTP on 127.0.0.1 anyway.
    ///
    /// # Panics
    /// When `ca_pem` holds no certificate or the client cannot be built.
    #[must_use]
    // The workspace builds clients through `kuvert_web::http_client` so that TLS trust and
    // timeouts are explicit. This crate sits below kuvert-web (kuvert-wire and
    // kuvert-xmldsig test with it), so it cannot call that; both are explicit here instead.
    #[allow(clippy::disallowed_methods)]
    pub fn new(ca_pem: &str) -> Self {
        let roots = reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes())
            .expect("the browser's CA bundle is PEM");
        let client = reqwest::Client::builder()
            .tls_backend_rustls()
            .tls_certs_only(roots)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("building the test browser's client");
        Self::with_client(client)
    }

    /// A browser over `client`, for a suite that builds its clients itself (one that should
    /// not follow redirects, so each step can be checked).
    #[must_use]
    pub fn with_client(client: reqwest::Client) -> Self {
        Self {
            client,
            cookies: Mutex::new(BTreeMap::new()),
            set_cookie_headers: Mutex::new(Vec::new()),
        }
    }

    /// `GET url` with the session's cookies; no redirect is followed.
    ///
    /// # Panics
    /// When the request fails (connection, timeout) or a `Set-Cookie` is not `name=value`.
    pub async fn get(&self, url: &str) -> Response {
        self.send(self.client.get(url)).await
    }

    /// `POST url` with a form body and the session's cookies; no redirect is followed.
    ///
    /// # Panics
    /// As [`Self::get`].
    pub async fn post_form(&self, url: &str, form: &[(String, String)]) -> Response {
        self.send(self.client.post(url).form(form)).await
    }

    /// `POST url` with `form`, waiting up to `timeout` instead of the usual minute: for
    /// answers that are long by design, such as a whole mailbox's export.
    ///
    /// # Panics
    /// As [`Self::post_form`].
    pub async fn post_form_within(
        &self,
        url: &str,
        form: &[(String, String)],
        timeout: Duration,
    ) -> Response {
        self.send(self.client.post(url).form(form).timeout(timeout))
            .await
    }

    /// `GET url`, following redirects; returns the final URL and its response.
    ///
    /// # Panics
    /// As [`Self::get`], and after more than ten redirects.
    pub async fn follow(&self, url: &str) -> (Url, Response) {
        let mut current = Url::parse(url).expect("an absolute URL to follow");
        for _ in 0..REDIRECTS_MAX {
            let response = self.get(current.as_str()).await;
            if !response.status().is_redirection() {
                return (current, response);
            }
            current = current
                .join(&location(&response))
                .expect("a redirect to a valid URL");
        }
        panic!("more than {REDIRECTS_MAX} redirects from {url}");
    }

    /// At the test e-ID's person picker `authorize_url` (where a login redirected to),
    /// picks test person `person_index` with `action` (`login`, `cancel`, …) as a person
    /// would submit the page's form; returns where the e-ID sends the browser back (the
    /// relying party's callback with `code` or `error`), not yet visited.
    ///
    /// # Panics
    /// When the picker has no form or the e-ID does not answer with a redirect.
    pub async fn pick_at_test_eid(
        &self,
        authorize_url: &str,
        person_index: usize,
        action: &str,
    ) -> String {
        let page = self
            .get(authorize_url)
            .await
            .text()
            .await
            .expect("the picker page");
        let mut fields = hidden_fields(&page);
        fields.push(("person".to_owned(), person_index.to_string()));
        fields.push(("action".to_owned(), action.to_owned()));
        let chosen = self.post_form(&form_action(&page), &fields).await;
        assert_eq!(
            chosen.status(),
            StatusCode::SEE_OTHER,
            "the e-ID takes the choice"
        );
        location(&chosen)
    }

    /// The cookies held now, by name.
    #[must_use]
    pub fn cookies(&self) -> BTreeMap<String, String> {
        self.cookies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the cookies held (to replay an old session, or to forge one).
    pub fn set_cookies(&self, cookies: BTreeMap<String, String>) {
        *self.cookies.lock().unwrap_or_else(PoisonError::into_inner) = cookies;
    }

    /// Every `Set-Cookie` header received so far, in order, attributes included.
    #[must_use]
    pub fn set_cookie_headers(&self) -> Vec<String> {
        self.set_cookie_headers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        let cookie = cookie_header(&self.cookies());
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(COOKIE, cookie)
        };
        let response = request.send().await.expect("the request is answered");
        let mut cookies = self.cookies.lock().unwrap_or_else(PoisonError::into_inner);
        let mut seen = self
            .set_cookie_headers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for header in response.headers().get_all(SET_COOKIE) {
            let text = header.to_str().expect("a Set-Cookie header is ASCII");
            keep_cookie(&mut cookies, text);
            seen.push(text.to_owned());
        }
        drop((cookies, seen));
        response
    }
}

/// The `Location` of a redirect.
///
/// # Panics
/// When `response` has no `Location` header.
#[must_use]
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("a Location on the {} answer", response.status()))
        .to_str()
        .expect("a Location header is ASCII")
        .to_owned()
}

fn cookie_header(cookies: &BTreeMap<String, String>) -> String {
    cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Applies one `Set-Cookie` header: an empty value or `Max-Age=0` removes the cookie.
fn keep_cookie(cookies: &mut BTreeMap<String, String>, header: &str) {
    let (pair, attributes) = header.split_once(';').unwrap_or((header, ""));
    let (name, value) = pair
        .split_once('=')
        .unwrap_or_else(|| panic!("a Set-Cookie is name=value: {header}"));
    let (name, value) = (name.trim(), value.trim());
    let is_removal = attributes
        .split(';')
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("max-age=0"));
    if value.is_empty() || is_removal {
        cookies.remove(name);
    } else {
        cookies.insert(name.to_owned(), value.to_owned());
    }
}

#[cfg(test)]
mod tests;
