//! [`RegistryClient`]: what the operator asks the registry (FaR) while accepting a delivery,
//! over mutual TLS with its organisation certificate (PROTOCOL.md §8, §11.6 step 4):
//! the senders and intermediaries (Authority `getSenders`, `getDispatchers`), whether a
//! delivery's recipient has a profile here that accepts its sender (Recipient v3
//! `isReachable`, the concurrent deliveries of one sender asked in one call by
//! [`coalesce`]), and for the inbox a recipient's profile and reception rules (`isRegistered`,
//! `getAccountPreferences`).
//!
//! The account pages' calls (reception rules, change of operator, deregistering, company
//! registrations, registering with a deep-link source over REST) live in [`account`].
//!
//! The directory is cached for `Config::directory_cache_secs` (and fetched again on a miss,
//! at most once per [`DIRECTORY_REFRESH_GAP`]), the inbox's recipients for
//! `Config::recipient_cache_secs`, at most `RECIPIENT_CACHE_ENTRIES_MAX` of them. A
//! delivery's check is never cached: a deselection holds from the next letter on. The
//! transport (mutual TLS, bounded answers, [`RegistryError`]) is `kuvert_web::registry_client`,
//! shared with the portal.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{REACHABILITY_IDS_PER_CALL_MAX, RECIPIENT_CACHE_ENTRIES_MAX};
use kuvert_web::registry_client::{self, CachedAnswer, RegistryError};
use kuvert_wire::authority::{
    GetDispatchers, GetDispatchersResponse, GetSenders, GetSendersResponse,
};
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::error::WireError;
use kuvert_wire::recipient::{
    GetAccountPreferences, GetAccountPreferencesResponse, IsReachable, IsReachableResponse,
    IsRegistered, IsRegisteredResponse,
};
use kuvert_wire::types::ReachabilityStatus;
use kuvert_wire::values::AccountType;

pub mod account;
mod coalesce;

use coalesce::{BatchCall, CoalesceError, Coalescer};

/// The shortest time between two directory fetches caused by misses, so a stream of
/// deliveries from an unknown sender cannot turn into a stream of registry calls.
pub const DIRECTORY_REFRESH_GAP: Duration = Duration::from_secs(5);

/// The senders and intermediaries the registry lists.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Connected senders.
    pub senders: HashSet<OrganisationNumber>,
    /// Each intermediary and the senders it may deliver for.
    pub intermediaries: HashMap<OrganisationNumber, HashSet<OrganisationNumber>>,
}

/// What the registry says about one recipient, as far as this operator needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientProfile {
    /// Whether the recipient has an active (secure, not pending) profile.
    pub is_active: bool,
    /// The organisation number of the operator holding the profile.
    pub operator: Option<OrganisationNumber>,
    /// The senders the reception rules accept; `None` when they were not asked (no active
    /// profile here, or a company, whose rules need a signatory to ask). From a delivery's
    /// check ([`RegistryClient::recipient_for`]) only the letter's sender, or no one.
    pub accepted_senders: Option<HashSet<OrganisationNumber>>,
}

impl RecipientProfile {
    /// The profile an `isReachable` answer for `sender` describes: its reception rules
    /// known only as far as `sender` goes, so `accepted_senders` holds `sender` or nothing.
    fn reaching(status: &ReachabilityStatus, sender: &OrganisationNumber) -> Self {
        let account = &status.account;
        let is_active = account.account_type == AccountType::Secure && !account.is_pending;
        let accepted = status.accepts_sender.then(|| sender.clone());
        Self {
            is_active,
            operator: account
                .operator
                .as_ref()
                .map(|operator| operator.id.clone()),
            accepted_senders: Some(accepted.into_iter().collect()),
        }
    }
}

/// The batch call behind [`RegistryClient::recipient_for`]: one `isReachable` for a sender
/// and up to 1 000 recipients, each recipient's status matched by id. An answer that leaves
/// an asked recipient out is not the registry's contract: the whole call fails.
fn is_reachable_call(
    http: reqwest::Client,
    url: String,
) -> BatchCall<OrganisationNumber, RecipientId, ReachabilityStatus, RegistryError> {
    Arc::new(move |sender, recipients: Vec<RecipientId>| {
        let (http, url) = (http.clone(), url.clone());
        Box::pin(async move {
            let request =
                IsReachable::new(sender, recipients).map_err(|source| RegistryError::Wire {
                    url: url.clone(),
                    source,
                })?;
            let response: IsReachableResponse =
                registry_client::soap(&http, &url, &request).await?;
            let statuses: HashMap<RecipientId, ReachabilityStatus> = response
                .statuses
                .into_iter()
                .map(|status| (status.account.recipient.clone(), status))
                .collect();
            request
                .recipients()
                .iter()
                .map(|recipient| {
                    let status = statuses.get(recipient).cloned();
                    status.ok_or_else(|| {
                        unusable(
                            &url,
                            "isReachableResponse/return",
                            "a recipient asked is left out",
                        )
                    })
                })
                .collect()
        })
    })
}

/// A registry answer at `url`, or a value for it, that is not what the contract allows.
fn unusable(url: &str, path: &str, reason: &str) -> RegistryError {
    RegistryError::Wire {
        url: url.to_owned(),
        source: WireError::InvalidValue {
            path: path.to_owned(),
            reason: reason.to_owned(),
        },
    }
}

/// A client of the registry's SOAP services with the caches described above. Clones share
/// the caches.
#[derive(Debug, Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    recipient_url: String,
    authority_url: String,
    /// The REST API's base (`…/api/v1`).
    api_url: String,
    own_number: OrganisationNumber,
    directory_ttl: Duration,
    recipient_ttl: Duration,
    directory: CachedAnswer<Directory>,
    recipients: Mutex<HashMap<RecipientId, (Instant, RecipientProfile)>>,
    /// Deliveries' checks: `isReachable` per sender, concurrent letters in one call.
    reachability:
        Arc<Coalescer<OrganisationNumber, RecipientId, ReachabilityStatus, RegistryError>>,
}

/// How a [`RegistryClient`] reaches the registry and how long it trusts answers.
#[derive(Debug, Clone)]
pub struct RegistryClientConfig {
    /// Base URL (`https://far.example:8443`).
    pub base_url: String,
    /// This operator's organisation number, to tell "here" from "another operator".
    pub own_number: OrganisationNumber,
    /// Time the directory is trusted.
    pub directory_ttl: Duration,
    /// Time a recipient's answer is trusted.
    pub recipient_ttl: Duration,
}

impl RegistryClient {
    /// A client over `http`, which must present the operator's client certificate and trust
    /// the organisation CA (built with `kuvert_web::http_client`).
    #[must_use]
    pub fn new(http: reqwest::Client, config: RegistryClientConfig) -> Self {
        let base = config.base_url.trim_end_matches('/');
        let recipient_url = format!("{base}/ec/Recipient/v3");
        let reachability = Coalescer::new(
            REACHABILITY_IDS_PER_CALL_MAX,
            is_reachable_call(http.clone(), recipient_url.clone()),
        );
        Self {
            inner: Arc::new(Inner {
                http,
                recipient_url,
                authority_url: format!("{base}/ec/Authority"),
                api_url: format!("{base}/api/v1"),
                own_number: config.own_number,
                directory_ttl: config.directory_ttl,
                recipient_ttl: config.recipient_ttl,
                directory: CachedAnswer::default(),
                recipients: Mutex::new(HashMap::new()),
                reachability,
            }),
        }
    }

    /// Whether a delivery from `sender` may reach `recipient` here, as the registry says now:
    /// asked with `isReachable` together with the other deliveries of `sender` waiting at
    /// the same moment ([`coalesce`]), never from a cache.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or leaves the recipient out.
    pub async fn recipient_for(
        &self,
        sender: &OrganisationNumber,
        recipient: &RecipientId,
    ) -> Result<RecipientProfile, RegistryError> {
        let answer = self
            .inner
            .reachability
            .get(sender.clone(), recipient.clone())
            .await;
        match answer {
            Ok(status) => Ok(RecipientProfile::reaching(&status, sender)),
            Err(CoalesceError::Call(error)) => Err(RegistryError::Shared(error)),
            Err(error @ CoalesceError::Unanswered { .. }) => Err(unusable(
                &self.inner.recipient_url,
                "isReachableResponse",
                &error.to_string(),
            )),
        }
    }

    /// The directory, from the cache while it is younger than `directory_ttl`.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn directory(&self) -> Result<Arc<Directory>, RegistryError> {
        self.directory_younger_than(self.inner.directory_ttl).await
    }

    /// The directory after the cached one did not know a party: a fresh copy, unless the
    /// cached one is younger than [`DIRECTORY_REFRESH_GAP`].
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn directory_after_miss(&self) -> Result<Arc<Directory>, RegistryError> {
        self.directory_younger_than(DIRECTORY_REFRESH_GAP).await
    }

    /// The cached directory when younger than `max_age`, else a fresh copy (then cached).
    async fn directory_younger_than(
        &self,
        max_age: Duration,
    ) -> Result<Arc<Directory>, RegistryError> {
        if let Some(directory) = self.inner.directory.younger_than(max_age) {
            return Ok(directory);
        }
        let directory = self.fetch_directory().await?;
        Ok(self.inner.directory.keep(directory))
    }

    /// The recipient's profile as it concerns this operator, from the cache while fresh.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn recipient(
        &self,
        recipient: &RecipientId,
    ) -> Result<RecipientProfile, RegistryError> {
        if let Some((fetched_at, profile)) = lock(&self.inner.recipients).get(recipient)
            && fetched_at.elapsed() < self.inner.recipient_ttl
        {
            return Ok(profile.clone());
        }
        self.refresh_recipient(recipient).await
    }

    /// The recipient's profile asked anew (and cached): for the web inbox, where a person
    /// who just moved their profile elsewhere must not be shown a stale answer.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn refresh_recipient(
        &self,
        recipient: &RecipientId,
    ) -> Result<RecipientProfile, RegistryError> {
        let profile = self.fetch_recipient(recipient).await?;
        let mut recipients = lock(&self.inner.recipients);
        if recipients.len() >= RECIPIENT_CACHE_ENTRIES_MAX {
            recipients.clear();
        }
        recipients.insert(recipient.clone(), (Instant::now(), profile.clone()));
        Ok(profile)
    }

    async fn fetch_directory(&self) -> Result<Directory, RegistryError> {
        let url = &self.inner.authority_url;
        let senders: GetSendersResponse = self.call(url, &GetSenders).await?;
        let intermediaries: GetDispatchersResponse = self.call(url, &GetDispatchers).await?;
        let senders = senders
            .senders
            .into_iter()
            .filter_map(|entry| match entry.id {
                RecipientId::Organisation(number) => Some(number),
                RecipientId::Person(_) => None,
            })
            .collect();
        let intermediaries = intermediaries
            .intermediaries
            .into_iter()
            .map(|entry| (entry.id, entry.senders.into_iter().collect()))
            .collect();
        Ok(Directory {
            senders,
            intermediaries,
        })
    }

    async fn fetch_recipient(
        &self,
        recipient: &RecipientId,
    ) -> Result<RecipientProfile, RegistryError> {
        let url = &self.inner.recipient_url;
        let request = IsRegistered {
            recipients: vec![recipient.clone()],
        };
        let response: IsRegisteredResponse = self.call(url, &request).await?;
        let status = response
            .statuses
            .into_iter()
            .find(|status| &status.recipient == recipient);
        let Some(status) = status else {
            let operator = None;
            return Ok(RecipientProfile {
                is_active: false,
                operator,
                accepted_senders: None,
            });
        };
        let is_active = status.account_type == AccountType::Secure && !status.is_pending;
        let operator = status.operator.map(|operator| operator.id);
        let is_here = is_active && operator.as_ref() == Some(&self.inner.own_number);
        let accepted_senders = match recipient {
            RecipientId::Person(person) if is_here => {
                let request = GetAccountPreferences {
                    recipient: recipient.clone(),
                    user: account::user_identity(url, person)?,
                };
                let response: GetAccountPreferencesResponse = self.call(url, &request).await?;
                let accepted = response.preferences.accepted_senders.into_iter();
                Some(
                    accepted
                        .filter_map(|entry| match entry.id {
                            RecipientId::Organisation(number) => Some(number),
                            RecipientId::Person(_) => None,
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        Ok(RecipientProfile {
            is_active,
            operator,
            accepted_senders,
        })
    }

    /// Posts one SOAP request and reads the typed response (a fault becomes an error).
    async fn call<Request: BodyElement, Response: BodyElement>(
        &self,
        url: &str,
        request: &Request,
    ) -> Result<Response, RegistryError> {
        registry_client::soap(&self.inner.http, url, request).await
    }
}

/// Locks a cache; a poisoned lock only means another request panicked mid-update of a
/// cache, whose content is still a valid (if stale) answer.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
