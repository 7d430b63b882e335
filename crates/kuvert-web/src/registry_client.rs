//! The transport both clients of the registry (FaR) share, the operator's (SOAP and REST) and
//! the portal's (REST): [`TlsConfig`], the `[tls]` section both roles configure, read at start
//! into an [`OrganisationIdentity`] and a client presenting it over mutual TLS
//! ([`OrganisationIdentity::registry_client`], PROTOCOL.md §8); one bounded SOAP call
//! ([`soap`]) and one bounded REST exchange ([`rest`]); and [`RegistryError`], why the
//! registry gave no usable answer. What the roles ask, and the shapes, stay with them and in
//! kuvert-wire.
//!
//! Every answer is read up to `REGISTRY_RESPONSE_BYTES_MAX` bytes and no further. A list both
//! clients keep for a while (the operator's directory, the portal's senders) is a
//! [`CachedAnswer`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use kuvert_core::limits::REGISTRY_RESPONSE_BYTES_MAX;
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::error::WireError;
use kuvert_wire::fault::FaultCode;
use secrecy::SecretString;

use crate::client::soap::{SoapError, soap_call};
use crate::client::{BodyError, ClientConfig, http_client, read_body};
use crate::crl::CrlConfig;
use crate::start::{StartError, read_config_file};

/// The role's organisation certificate (PROTOCOL.md §8): presented to the registry, and by
/// the operator also on its service listener.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Certificate chain (PEM, leaf first) of the role's organisation certificate.
    pub certificate_path: PathBuf,
    /// PKCS#8 private key (PEM) of that certificate.
    pub key_path: PathBuf,
    /// CA certificate(s) (PEM) of organisation certificates: trusted for the registry's
    /// server certificate, and at the operator the anchors for client certificates and for
    /// the signatures of sealed deliveries.
    pub organisation_ca_path: PathBuf,
    /// Revocation, for a role that verifies client certificates and signatures (the
    /// operator: at the service listener's handshake and on the sender's and the seal's
    /// signature of every delivery). Keys `files`, `urls`, `refresh_secs` (3600) and
    /// `stale_crl` (`refuse` or `accept_with_warning`; default `refuse`). Default: no CRL,
    /// nothing checked.
    #[serde(default)]
    pub crl: CrlConfig,
}

/// The files of a [`TlsConfig`], as read at start.
#[derive(Clone)]
pub struct OrganisationIdentity {
    /// Certificate chain (PEM).
    pub certificate_pem: String,
    /// Private key (PEM).
    pub key_pem: SecretString,
    /// The organisation CA(s) (PEM).
    pub organisation_ca_pem: String,
}

impl std::fmt::Debug for OrganisationIdentity {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("OrganisationIdentity { .. }")
    }
}

impl TlsConfig {
    /// Reads the certificate, key and CA files.
    ///
    /// # Errors
    /// [`StartError::Config`] naming the key (`tls.certificate_path`, …) of an unreadable file.
    pub async fn read(&self) -> Result<OrganisationIdentity, StartError> {
        let certificate_pem =
            read_config_file(&self.certificate_path, "tls.certificate_path").await?;
        let key_pem = read_config_file(&self.key_path, "tls.key_path").await?;
        let organisation_ca_pem =
            read_config_file(&self.organisation_ca_path, "tls.organisation_ca_path").await?;
        Ok(OrganisationIdentity {
            certificate_pem,
            key_pem: SecretString::from(key_pem),
            organisation_ca_pem,
        })
    }
}

impl OrganisationIdentity {
    /// A client for the registry: it presents this certificate and trusts only the
    /// organisation CA, with both timeouts.
    ///
    /// # Errors
    /// [`StartError::Config`] naming `tls` when the certificate, key or CA is not usable.
    pub fn registry_client(
        &self,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<reqwest::Client, StartError> {
        let client_config = ClientConfig {
            ca_pem: self.organisation_ca_pem.clone(),
            identity: Some((self.certificate_pem.clone(), self.key_pem.clone())),
            connect_timeout,
            request_timeout,
        };
        http_client(&client_config).map_err(|error| StartError::Config {
            key: "tls",
            reason: error.to_string(),
        })
    }
}

/// Why the registry gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The HTTP exchange failed (connection, TLS, timeout).
    #[error("registry request to {url} failed")]
    Http {
        /// The endpoint.
        url: String,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// The response is larger than `REGISTRY_RESPONSE_BYTES_MAX`.
    #[error("registry response from {url} exceeds {max} bytes")]
    TooLarge {
        /// The endpoint.
        url: String,
        /// The bound.
        max: u64,
    },
    /// The SOAP response is not the expected envelope, or a fault.
    #[error("registry response from {url} is not usable")]
    Wire {
        /// The endpoint.
        url: String,
        /// What was wrong (a fault from the registry included).
        #[source]
        source: WireError,
    },
    /// The registry answered with an error status (a refused change, a fault, or 403: the
    /// caller's certificate is not accepted).
    #[error("registry at {url} refused the request with status {status}: {detail}")]
    Rejected {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The REST problem's `detail`, empty when it had none.
        detail: String,
        /// The REST problem's MM fault `code`, when it had one.
        code: Option<u16>,
    },
    /// The REST API answered with JSON of an unexpected shape.
    #[error("registry response from {url} is not the expected json")]
    Json {
        /// The endpoint.
        url: String,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// One call asked for several requests at once (the operator's batched `isReachable`)
    /// failed: each of them carries the call's error.
    #[error("registry call made for several requests failed")]
    Shared(#[source] std::sync::Arc<RegistryError>),
}

impl RegistryError {
    /// Whether the registry answered and said no (a fault or an error status), as opposed
    /// to not answering usably: the person's change was refused rather than lost.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        if let Self::Shared(error) = self {
            return error.is_refusal();
        }
        matches!(
            self,
            Self::Rejected { .. }
                | Self::Wire {
                    source: WireError::Fault(_) | WireError::SoapFault { .. },
                    ..
                }
        )
    }

    /// Whether the registry refused the person's e-ID signature (fault 5010 or 5012): made
    /// too long ago, already used, or not for this change. Signing again is the remedy.
    #[must_use]
    pub fn is_signature_refusal(&self) -> bool {
        let code = match self {
            Self::Rejected { code, .. } => *code,
            Self::Wire {
                source: WireError::Fault(fault),
                ..
            } => Some(fault.code.number()),
            _ => None,
        };
        code.is_some_and(|code| {
            code == FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR.number()
                || code == FaultCode::SIGNATURE_ERROR.number()
        })
    }
}

/// Posts `request` to the registry's SOAP service at `url` and reads the typed response (a
/// fault becomes [`RegistryError::Wire`]).
///
/// # Errors
/// [`RegistryError`]: no answer, too large, a fault or not the expected response.
pub async fn soap<Request: BodyElement, Response: BodyElement>(
    client: &reqwest::Client,
    url: &str,
    request: &Request,
) -> Result<Response, RegistryError> {
    let envelope = request.to_envelope();
    soap_call(client, url, envelope, REGISTRY_RESPONSE_BYTES_MAX)
        .await
        .map_err(|error| {
            let url = url.to_owned();
            match error {
                SoapError::Http(source) => RegistryError::Http { url, source },
                SoapError::TooLarge { max } => RegistryError::TooLarge { url, max },
                SoapError::NotUtf8 => RegistryError::Wire {
                    url,
                    source: WireError::Xml {
                        reason: "response is not utf-8".to_owned(),
                    },
                },
                SoapError::Answer { error, .. } => RegistryError::Wire { url, source: error },
                SoapError::Status { status } => RegistryError::Rejected {
                    url,
                    status: status.as_u16(),
                    detail: String::new(),
                    code: None,
                },
            }
        })
}

/// Sends a request to the registry's REST API at `url` and reads its body; an error status
/// is [`RegistryError::Rejected`] carrying the problem's `detail` and MM `code`.
///
/// # Errors
/// [`RegistryError`]: no answer, too large, or an error status.
pub async fn rest(url: &str, request: reqwest::RequestBuilder) -> Result<Vec<u8>, RegistryError> {
    let http_error = |source| RegistryError::Http {
        url: url.to_owned(),
        source,
    };
    let response = request.send().await.map_err(http_error)?;
    let status = response.status();
    let body = read_body(response, REGISTRY_RESPONSE_BYTES_MAX)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge { max } => RegistryError::TooLarge {
                url: url.to_owned(),
                max,
            },
            BodyError::Http(source) => http_error(source),
        })?;
    if !status.is_success() {
        let problem = serde_json::from_slice::<serde_json::Value>(&body).ok();
        let field = |name: &str| problem.as_ref().and_then(|problem| problem.get(name));
        let detail = field("detail")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let code = field("code")
            .and_then(serde_json::Value::as_u64)
            .and_then(|code| u16::try_from(code).ok());
        return Err(RegistryError::Rejected {
            url: url.to_owned(),
            status: status.as_u16(),
            detail,
            code,
        });
    }
    Ok(body)
}

/// [`rest`], its body read as JSON of type `T`.
///
/// # Errors
/// As [`rest`], and [`RegistryError::Json`] for JSON that does not fit `T`.
pub async fn rest_json<T: serde::de::DeserializeOwned>(
    url: &str,
    request: reqwest::RequestBuilder,
) -> Result<T, RegistryError> {
    let body = rest(url, request).await?;
    serde_json::from_slice(&body).map_err(|source| RegistryError::Json {
        url: url.to_owned(),
        source,
    })
}

/// The last answer fetched from the registry and when, shared by the clones of a client: the
/// one way both roles keep a list from the registry (the operator's directory, the portal's
/// senders) instead of asking for it on every request.
#[derive(Debug)]
pub struct CachedAnswer<T> {
    slot: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Default for CachedAnswer<T> {
    fn default() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl<T> CachedAnswer<T> {
    /// The answer when it was fetched less than `max_age` ago.
    #[must_use]
    pub fn younger_than(&self, max_age: Duration) -> Option<Arc<T>> {
        let slot = self.lock();
        let (fetched_at, answer) = slot.as_ref()?;
        (fetched_at.elapsed() < max_age).then(|| Arc::clone(answer))
    }

    /// The answer as last fetched, however old.
    #[must_use]
    pub fn latest(&self) -> Option<Arc<T>> {
        self.lock().as_ref().map(|(_, answer)| Arc::clone(answer))
    }

    /// Keeps a fresh answer, fetched now, and returns it shared.
    pub fn keep(&self, answer: T) -> Arc<T> {
        let answer = Arc::new(answer);
        *self.lock() = Some((Instant::now(), Arc::clone(&answer)));
        answer
    }

    /// A poisoned lock only means another request panicked while replacing the answer,
    /// which is still a valid (if stale) one.
    fn lock(&self) -> MutexGuard<'_, Option<(Instant, Arc<T>)>> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
