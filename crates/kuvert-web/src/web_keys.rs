//! [`WebKeys`]: the two keys of a role's logged-in pages that every node of the role must
//! share — the CSRF key (forms made on one node are accepted on another) and the key that
//! seals the pre-login cookie (a login started on one node finishes on another). Read from
//! configured secret files ([`crate::start::read_key_file`]); without them (demo, tests) a
//! fresh key is made at start, which is right only for a single node.

use std::path::Path;

use secrecy::{ExposeSecret, SecretBox};

use crate::StartError;
use crate::csrf::CsrfKey;

/// The CSRF key and the pre-login cookie key of one role.
pub struct WebKeys {
    csrf: CsrfKey,
    cookie: SecretBox<[u8; 32]>,
}

/// Where a role's configuration names its key files, each with its key's name for errors.
#[derive(Debug, Clone, Copy)]
pub struct KeyFiles<'a> {
    /// The pre-login cookie's key file and its configuration key.
    pub cookie: Option<(&'a Path, &'static str)>,
    /// The CSRF key file and its configuration key.
    pub csrf: Option<(&'a Path, &'static str)>,
}

impl WebKeys {
    /// The configured keys; a key without a file is made fresh.
    ///
    /// # Errors
    /// [`StartError::Config`] naming the key whose file cannot be read or is not 32 bytes in
    /// hex.
    pub async fn read(files: KeyFiles<'_>) -> Result<Self, StartError> {
        let csrf = match files.csrf {
            Some((path, key)) => CsrfKey::from_bytes(crate::start::read_key_file(path, key).await?),
            None => CsrfKey::generate(),
        };
        let cookie = match files.cookie {
            Some((path, key)) => crate::start::read_key_file(path, key).await?,
            None => random_key(),
        };
        Ok(Self {
            csrf,
            cookie: SecretBox::new(Box::new(cookie)),
        })
    }

    /// Fresh keys, for one node alone (the demo, tests).
    #[must_use]
    pub fn generate() -> Self {
        Self {
            csrf: CsrfKey::generate(),
            cookie: SecretBox::new(Box::new(random_key())),
        }
    }

    /// The pre-login cookie's key bytes (for [`crate::prelogin::PreLoginCookie::with_key`]).
    #[must_use]
    pub fn cookie_key(&self) -> [u8; 32] {
        *self.cookie.expose_secret()
    }

    /// The CSRF key, for the role's [`crate::session::SessionStore`].
    #[must_use]
    pub fn into_csrf(self) -> CsrfKey {
        self.csrf
    }
}

impl std::fmt::Debug for WebKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("WebKeys([redacted])")
    }
}

fn random_key() -> [u8; 32] {
    let mut bytes = [0_u8; 32];
    // Without a working system random source no key may be made at all.
    aws_lc_rs::rand::fill(&mut bytes).expect("system random source must work");
    bytes
}
