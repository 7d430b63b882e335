//! State kept between starting an e-ID login and its callback (the OIDC state, PKCE verifier
//! and nonce, the deep link that brought the person, the page language), carried in a sealed,
//! short-lived cookie instead of a server-side session.
//!
//! Why: anonymous requests must not create server-side state, or a flood of them fills the
//! session store and pushes logged-in people out (issue 10 item 6). The cookie is encrypted
//! and authenticated with AES-256-GCM under a key only this process knows ([`PreLoginCookie::
//! new`]; configured bytes with [`PreLoginCookie::with_key`] for several instances), so the
//! browser can neither read the secrets of its login nor change them; the cookie's name is
//! the associated data, so one purpose's cookie is useless as another's. It expires
//! `lifetime` after it was made (in the sealed text, not only `Max-Age`), and is cleared when
//! the callback reads it. A login started twice in one browser keeps only the latest attempt,
//! exactly as the server-side session did.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue};
use kuvert_core::limits::PRELOGIN_COOKIE_BYTES_MAX;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::session::CookieAttributes;

/// A sealed cookie of one purpose (`kuvert_login`, …) holding a `T` for a short while.
pub struct PreLoginCookie {
    key: RandomizedNonceKey,
    name: &'static str,
    attributes: CookieAttributes,
    lifetime: Duration,
}

/// Why pre-login state could not be put in a cookie.
#[derive(Debug, thiserror::Error)]
pub enum PreLoginError {
    /// The sealed value is longer than `limits::PRELOGIN_COOKIE_BYTES_MAX`.
    #[error("pre-login cookie of {bytes} bytes is over the bound of {max}")]
    TooLarge {
        /// Bytes of the cookie value.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// Serialising or sealing failed.
    #[error("pre-login state could not be sealed: {0}")]
    Internal(String),
}

/// What is sealed: the value and when it stops being valid.
#[derive(Serialize, Deserialize)]
struct Sealed<T> {
    /// Unix seconds after which the cookie is refused.
    expires: u64,
    value: T,
}

impl PreLoginCookie {
    /// A cookie `name` under a fresh random key, valid for `lifetime`. The key lives as long
    /// as the process, like the in-memory sessions a login ends in.
    pub fn new(name: &'static str, attributes: CookieAttributes, lifetime: Duration) -> Self {
        let mut bytes = [0_u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).expect("system random source must work");
        Self::with_key(bytes, name, attributes, lifetime)
    }

    /// A cookie `name` under configured key bytes, so that several instances accept each
    /// other's cookies.
    pub fn with_key(
        key_bytes: [u8; 32],
        name: &'static str,
        attributes: CookieAttributes,
        lifetime: Duration,
    ) -> Self {
        let key =
            RandomizedNonceKey::new(&AES_256_GCM, &key_bytes).expect("32 bytes is an AES-256 key");
        Self {
            key,
            name,
            attributes: CookieAttributes {
                is_http_only: true,
                ..attributes
            },
            lifetime,
        }
    }

    /// The `Set-Cookie` value that carries `value` sealed for `lifetime`.
    ///
    /// # Errors
    /// [`PreLoginError::TooLarge`] past the cookie bound; [`PreLoginError::Internal`] when
    /// sealing fails.
    pub fn set_cookie<T: Serialize>(&self, value: &T) -> Result<HeaderValue, PreLoginError> {
        self.set_cookie_at(value, SystemTime::now())
    }

    /// [`PreLoginCookie::set_cookie`] as if it were `now`.
    ///
    /// # Errors
    /// As [`PreLoginCookie::set_cookie`].
    pub fn set_cookie_at<T: Serialize>(
        &self,
        value: &T,
        now: SystemTime,
    ) -> Result<HeaderValue, PreLoginError> {
        let sealed = Sealed {
            expires: unix_secs(now).saturating_add(self.lifetime.as_secs()),
            value,
        };
        let mut text = serde_json::to_vec(&sealed)
            .map_err(|error| PreLoginError::Internal(error.to_string()))?;
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(self.name.as_bytes()), &mut text)
            .map_err(|_| PreLoginError::Internal("AES-GCM sealing failed".to_owned()))?;
        let mut bytes = nonce.as_ref().to_vec();
        bytes.extend_from_slice(&text);
        let encoded = URL_SAFE_NO_PAD.encode(bytes);
        if encoded.len() > PRELOGIN_COOKIE_BYTES_MAX {
            return Err(PreLoginError::TooLarge {
                bytes: encoded.len(),
                max: PRELOGIN_COOKIE_BYTES_MAX,
            });
        }
        Ok(self
            .attributes
            .set_cookie(self.name, &encoded, Some(self.lifetime)))
    }

    /// The value the request's cookie carries, if it is one this process sealed, unchanged
    /// and not expired.
    pub fn read<T: DeserializeOwned>(&self, headers: &HeaderMap) -> Option<T> {
        self.read_at(headers, SystemTime::now())
    }

    /// [`PreLoginCookie::read`] as if it were `now`.
    pub fn read_at<T: DeserializeOwned>(&self, headers: &HeaderMap, now: SystemTime) -> Option<T> {
        let encoded = cookie_value(headers, self.name)?;
        if encoded.len() > PRELOGIN_COOKIE_BYTES_MAX {
            return None;
        }
        let mut bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let mut text = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).ok()?;
        let aad = Aad::from(self.name.as_bytes());
        let plain = self.key.open_in_place(nonce, aad, &mut text).ok()?;
        let sealed: Sealed<T> = serde_json::from_slice(plain).ok()?;
        (unix_secs(now) <= sealed.expires).then_some(sealed.value)
    }

    /// The `Set-Cookie` value that makes the browser forget the cookie.
    pub fn clear_cookie(&self) -> HeaderValue {
        self.attributes
            .set_cookie(self.name, "", Some(Duration::ZERO))
    }
}

impl std::fmt::Debug for PreLoginCookie {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PreLoginCookie")
            .field("name", &self.name)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// The value of the first cookie called `name` in the request.
fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    crate::session::cookie_values(headers, name).find(|value| !value.is_empty())
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header;

    const TEN_MINUTES: Duration = Duration::from_secs(600);

    fn cookie(name: &'static str) -> PreLoginCookie {
        let attributes = CookieAttributes {
            path: "/",
            is_secure: false,
            is_http_only: true,
        };
        PreLoginCookie::with_key([7; 32], name, attributes, TEN_MINUTES)
    }

    /// The request headers a browser sends back after `set_cookie`.
    fn sent_back(set_cookie: &HeaderValue) -> HeaderMap {
        let text = set_cookie.to_str().unwrap();
        let pair = text.split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
        headers
    }

    #[test]
    fn round_trip_hides_the_value_and_expires() {
        let jar = cookie("kuvert_login");
        let now = SystemTime::now();
        let set = jar.set_cookie_at(&"pkce-secret".to_owned(), now).unwrap();
        let text = set.to_str().unwrap();
        assert!(!text.contains("pkce-secret"), "{text}");
        assert!(
            text.contains("HttpOnly") && text.contains("Max-Age=600"),
            "{text}"
        );
        let headers = sent_back(&set);
        let read: Option<String> = jar.read_at(&headers, now + TEN_MINUTES);
        assert_eq!(read.as_deref(), Some("pkce-secret"));
        let late: Option<String> = jar.read_at(&headers, now + TEN_MINUTES + TEN_MINUTES);
        assert_eq!(
            late, None,
            "expired in the sealed text, whatever the browser keeps"
        );
    }

    #[test]
    fn changed_foreign_or_renamed_cookies_are_refused() {
        let jar = cookie("kuvert_login");
        let set = jar.set_cookie(&42_u32).unwrap();
        let headers = sent_back(&set);
        let text = headers[header::COOKIE].to_str().unwrap().to_owned();
        let mut flipped = text.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let mut changed = HeaderMap::new();
        changed.insert(header::COOKIE, HeaderValue::from_bytes(&flipped).unwrap());
        assert_eq!(jar.read::<u32>(&changed), None);
        let other_key = PreLoginCookie::with_key(
            [8; 32],
            "kuvert_login",
            CookieAttributes {
                path: "/",
                is_secure: false,
                is_http_only: true,
            },
            TEN_MINUTES,
        );
        assert_eq!(other_key.read::<u32>(&headers), None);
        let renamed = text.replace("kuvert_login=", "kuvert_other=");
        let mut renamed_headers = HeaderMap::new();
        renamed_headers.insert(header::COOKIE, HeaderValue::from_str(&renamed).unwrap());
        assert_eq!(cookie("kuvert_other").read::<u32>(&renamed_headers), None);
        assert_eq!(jar.read::<u32>(&headers), Some(42));
    }

    #[test]
    fn garbage_and_oversized_cookies_are_refused() {
        let jar = cookie("kuvert_login");
        for value in ["", "x", "!!!", &"A".repeat(PRELOGIN_COOKIE_BYTES_MAX + 1)] {
            let mut headers = HeaderMap::new();
            let pair = format!("kuvert_login={value}");
            headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
            assert_eq!(jar.read::<u32>(&headers), None, "{value:.20}");
        }
        let huge = "x".repeat(PRELOGIN_COOKIE_BYTES_MAX);
        assert!(matches!(
            jar.set_cookie(&huge),
            Err(PreLoginError::TooLarge { .. })
        ));
    }
}
