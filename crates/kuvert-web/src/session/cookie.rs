//! The attributes of every cookie Kuvert sets, in one place: SameSite=Lax always, Secure
//! whenever the site is served over https, HttpOnly for what scripts never need (the session).
//! The session store and the operator's `lang` cookie both write through here.

use std::time::Duration;

use axum::response::Response;
use http::{HeaderValue, header};

/// Where and how a cookie is sent back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieAttributes {
    /// The path prefix the browser sends it to (`/`, `/kommunikator`).
    pub path: &'static str,
    /// Sent only over TLS; true when the site's public URL is https (a plain-HTTP site
    /// could never get it back).
    pub is_secure: bool,
    /// Hidden from scripts.
    pub is_http_only: bool,
}

impl CookieAttributes {
    /// The `Set-Cookie` value `name=value` with these attributes; `max_age` `None` makes a
    /// cookie the browser forgets when closed, `Some(ZERO)` one it forgets at once.
    ///
    /// # Panics
    /// When `name` or `value` holds a character a header cannot (they are the caller's
    /// constants and ids, never input).
    pub fn set_cookie(&self, name: &str, value: &str, max_age: Option<Duration>) -> HeaderValue {
        let mut cookie = format!("{name}={value}; Path={}", self.path);
        if self.is_http_only {
            cookie.push_str("; HttpOnly");
        }
        cookie.push_str("; SameSite=Lax");
        if let Some(max_age) = max_age {
            cookie.push_str(&format!("; Max-Age={}", max_age.as_secs()));
        }
        if self.is_secure {
            cookie.push_str("; Secure");
        }
        HeaderValue::from_str(&cookie).expect("cookie names and values are header-safe")
    }
}

/// Adds `cookie` to the response's `Set-Cookie` headers (after any already there).
pub fn append_set_cookie(response: &mut Response, cookie: HeaderValue) {
    response.headers_mut().append(header::SET_COOKIE, cookie);
}
