//! Cross-site request forgery protection for forms: a synchronizer token that is an HMAC of
//! the session id under a server key. Forms carry it in a hidden field; handlers of unsafe
//! methods check it before acting. No per-token storage is needed, and a token from one
//! session is useless in another.

use aws_lc_rs::hmac;
use secrecy::{ExposeSecret, SecretBox, SecretString};

/// Name of the hidden form field that carries the token.
pub const CSRF_FIELD: &str = "csrf_token";

/// Domain separation, so the key can never produce a MAC valid for another purpose.
const CONTEXT: &[u8] = b"kuvert csrf v1\0";

/// The server's CSRF key (32 random bytes), shared by all instances of one service.
pub struct CsrfKey(SecretBox<[u8; 32]>);

/// A token for one session, hex-encoded (safe in HTML attributes without escaping).
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

/// Why a submitted token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsrfError {
    /// The form carried no token.
    #[error("form has no CSRF token")]
    Missing,
    /// The token was not made for this session with this key.
    #[error("form CSRF token does not match the session")]
    Mismatch,
}

impl CsrfError {
    /// The status every role answers a refused form with, beside its page explaining it:
    /// 403, since the request was understood and is refused as not the person's own.
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::FORBIDDEN
    }
}

impl CsrfKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).expect("the system random source is available");
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// A key from configured bytes, so several instances accept each other's tokens.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// The token for `session_id`.
    pub fn token(&self, session_id: &SecretString) -> CsrfToken {
        CsrfToken(hex::encode(self.tag(session_id).as_ref()))
    }

    /// Checks a submitted token against `session_id`, in constant time.
    pub fn verify(
        &self,
        session_id: &SecretString,
        submitted: Option<&str>,
    ) -> Result<(), CsrfError> {
        let submitted = submitted
            .filter(|token| !token.is_empty())
            .ok_or(CsrfError::Missing)?;
        let submitted = hex::decode(submitted).map_err(|_| CsrfError::Mismatch)?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.expose_secret());
        hmac::verify(&key, &message(session_id), &submitted).map_err(|_| CsrfError::Mismatch)
    }

    fn tag(&self, session_id: &SecretString) -> hmac::Tag {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.expose_secret());
        hmac::sign(&key, &message(session_id))
    }
}

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CsrfKey([redacted])")
    }
}

impl CsrfToken {
    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<input type="hidden" name="csrf_token" value="…">` for a form.
    pub fn hidden_field(&self) -> String {
        format!(
            r#"<input type="hidden" name="{CSRF_FIELD}" value="{}">"#,
            self.0
        )
    }
}

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CsrfToken([redacted])")
    }
}

fn message(session_id: &SecretString) -> Vec<u8> {
    [CONTEXT, session_id.expose_secret().as_bytes()].concat()
}

#[cfg(test)]
mod tests;
