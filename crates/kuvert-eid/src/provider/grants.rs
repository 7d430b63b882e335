//! The test provider's short-lived grants: authorisation codes and access tokens.
//!
//! Both live in memory. A code is taken out of the map on its first use, whether or not the
//! exchange then succeeds, so it can never be redeemed twice (RFC 6749 §4.1.2). Expired
//! entries are swept whenever a new one is added, and the total is bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use kuvert_core::limits::TEST_EID_PENDING_GRANTS_MAX;
use time::{Duration, OffsetDateTime};

/// How long an authorisation code may wait to be exchanged (RFC 6749 §4.1.2 recommends at
/// most ten minutes; a relying party exchanges it within a second).
pub(super) const CODE_LIFETIME: Duration = Duration::seconds(60);

/// How long an access token and id_token stay valid: only for the userinfo call right after.
pub(super) const TOKEN_LIFETIME: Duration = Duration::seconds(300);

/// What a code was issued for.
#[derive(Clone)]
pub(super) struct CodeGrant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) person_idx: usize,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: String,
    pub(super) expires_at: OffsetDateTime,
}

/// What an access token lets its bearer read.
#[derive(Clone)]
pub(super) struct AccessGrant {
    pub(super) person_idx: usize,
    pub(super) expires_at: OffsetDateTime,
}

/// The in-memory grant store.
#[derive(Default)]
pub(super) struct Grants {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, CodeGrant>,
    access_tokens: HashMap<String, AccessGrant>,
}

/// The provider holds `TEST_EID_PENDING_GRANTS_MAX` grants already.
#[derive(Debug)]
pub(super) struct Full;

impl Grants {
    /// Stores a code grant under a fresh random code and returns the code.
    pub(super) fn issue_code(&self, grant: CodeGrant) -> Result<String, Full> {
        let code = crate::random_token();
        let mut inner = self.lock();
        inner.sweep(OffsetDateTime::now_utc());
        if inner.len() >= TEST_EID_PENDING_GRANTS_MAX {
            return Err(Full);
        }
        inner.codes.insert(code.clone(), grant);
        Ok(code)
    }

    /// Removes and returns the grant of `code`, if it exists and has not expired.
    pub(super) fn take_code(&self, code: &str) -> Option<CodeGrant> {
        let grant = self.lock().codes.remove(code)?;
        (grant.expires_at > OffsetDateTime::now_utc()).then_some(grant)
    }

    /// Stores an access grant under a fresh random token and returns the token.
    pub(super) fn issue_access_token(&self, grant: AccessGrant) -> Result<String, Full> {
        let token = crate::random_token();
        let mut inner = self.lock();
        inner.sweep(OffsetDateTime::now_utc());
        if inner.len() >= TEST_EID_PENDING_GRANTS_MAX {
            return Err(Full);
        }
        inner.access_tokens.insert(token.clone(), grant);
        Ok(token)
    }

    /// The grant of an access token that has not expired.
    pub(super) fn access_grant(&self, token: &str) -> Option<AccessGrant> {
        let grant = self.lock().access_tokens.get(token)?.clone();
        (grant.expires_at > OffsetDateTime::now_utc()).then_some(grant)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves only plain maps behind, which stay
        // consistent, so a poisoned lock is safe to keep using.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Inner {
    fn sweep(&mut self, now: OffsetDateTime) {
        self.codes.retain(|_, grant| grant.expires_at > now);
        self.access_tokens.retain(|_, grant| grant.expires_at > now);
    }

    fn len(&self) -> usize {
        self.codes.len() + self.access_tokens.len()
    }
}
