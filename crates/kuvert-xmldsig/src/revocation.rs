//! Certificate revocation by CRL (RFC 5280 §5), the one piece both the TLS handshake
//! (`kuvert-web`) and signature verification ([`crate::Verifier::with_crls`]) consult.
//!
//! A [`Crl`] is accepted only when a configured trust anchor signed it (same subject as the
//! CRL's issuer, its key verifies the signature, `cRLSign` when it lists key usages), so a
//! distribution point reached over plain HTTP cannot forge one. A [`CrlSet`] holds the newest
//! CRL per issuer behind a lock; the refresher replaces entries while verifiers read them, and
//! an older CRL never replaces a newer one (no rollback by replaying an old list).
//!
//! [`CrlSet::check`] judges one certificate: a serial listed with a revocation time at or
//! before the instant is revoked, whatever the CRL's age. Otherwise the status is unknown
//! when no CRL of the issuer is held or the CRL is past its `nextUpdate` (stale); the
//! [`StaleCrlPolicy`] then refuses (the default) or accepts with a warning the caller logs.
//! Self-issued certificates (trust anchors) are not checked: no CRL can revoke a root.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::certificate::{Certificate, certificate_signature_algorithm};
use crate::trust::TrustAnchors;

/// keyUsage bit 6, cRLSign (RFC 5280 §4.2.1.3).
const CRL_SIGN: u16 = 1 << 6;

/// One verified certificate revocation list.
#[derive(Clone, Debug)]
pub struct Crl {
    issuer_raw: Vec<u8>,
    issuer_name: String,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    revoked: HashMap<Vec<u8>, OffsetDateTime>,
}

/// What to do when a certificate's revocation status cannot be established: no CRL of its
/// issuer is held, or that CRL is past its `nextUpdate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StaleCrlPolicy {
    /// Refuse the certificate (the default: an attacker who blocks the distribution point
    /// must not make a revoked certificate usable again).
    #[default]
    Refuse,
    /// Accept it and report a warning for the log.
    AcceptWithWarning,
}

/// The newest CRL per issuer, shared by every clone and refreshed in place.
#[derive(Clone, Debug)]
pub struct CrlSet {
    crls: Arc<RwLock<HashMap<Vec<u8>, Arc<Crl>>>>,
    stale_policy: StaleCrlPolicy,
}

/// What [`CrlSet::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlUpdate {
    /// The first CRL of this issuer.
    Added,
    /// It replaced an older (or equally old) CRL of the same issuer.
    Replaced,
    /// The set already holds a newer CRL of this issuer; the given one was dropped.
    KeptNewer,
}

/// Why bytes are not a usable CRL.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    /// The DER does not parse as a CRL, or bytes follow it.
    #[error("CRL DER does not parse: {reason}")]
    Der {
        /// The parser's description.
        reason: String,
    },
    /// The PEM text does not parse.
    #[error("CRL PEM does not parse")]
    Pem(#[source] pem::PemError),
    /// The text holds no `X509 CRL` block.
    #[error("PEM text holds no X509 CRL block")]
    NoCrlInPem,
    /// No trust anchor has the CRL's issuer name.
    #[error("CRL issuer {issuer} is not a trust anchor")]
    UnknownIssuer {
        /// The issuer name the CRL gives.
        issuer: String,
    },
    /// Anchors of that name exist, but none of their keys verifies the CRL's signature.
    #[error("CRL of {issuer} has a signature no anchor of that name verifies")]
    BadSignature {
        /// The issuer name.
        issuer: String,
    },
    /// The issuing anchor lists key usages without cRLSign.
    #[error("CRL issuer {issuer} may not sign CRLs (no cRLSign key usage)")]
    IssuerMayNotSignCrls {
        /// The issuer name.
        issuer: String,
    },
}

/// Why a certificate is refused on revocation grounds; the text says which check failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    /// The issuer's CRL lists the certificate.
    #[error("is revoked (serial {serial}, revoked at {revoked_at})")]
    Revoked {
        /// Serial number, lowercase hex.
        serial: String,
        /// When the CRL says it was revoked.
        revoked_at: OffsetDateTime,
    },
    /// No CRL of the issuer is held.
    #[error("has unknown revocation status: no CRL of issuer {issuer}")]
    NoCrl {
        /// The issuer name.
        issuer: String,
    },
    /// The issuer's CRL is past its `nextUpdate` (or has none).
    #[error(
        "has unknown revocation status: the CRL of issuer {issuer} is stale (next update {})",
        next_update_text(.next_update)
    )]
    Stale {
        /// The issuer name.
        issuer: String,
        /// The CRL's `nextUpdate`.
        next_update: Option<OffsetDateTime>,
    },
}

impl Crl {
    /// Parses one DER CRL and checks that an anchor of `anchors` signed it.
    pub fn from_der(der: &[u8], anchors: &TrustAnchors) -> Result<Self, CrlError> {
        let der_error = |reason: String| CrlError::Der { reason };
        let (rest, parsed) = CertificateRevocationList::from_der(der)
            .map_err(|error| der_error(error.to_string()))?;
        if !rest.is_empty() {
            return Err(der_error(format!("{} bytes after the CRL", rest.len())));
        }
        let issuer_raw = parsed.issuer().as_raw().to_vec();
        let issuer_name = parsed.issuer().to_string();
        check_signed_by_anchor(&parsed, &issuer_raw, &issuer_name, anchors)?;
        let revoked = parsed
            .iter_revoked_certificates()
            .map(|entry| {
                (
                    normalised_serial(entry.raw_serial()),
                    entry.revocation_date.to_datetime(),
                )
            })
            .collect();
        Ok(Crl {
            issuer_raw,
            issuer_name,
            this_update: parsed.last_update().to_datetime(),
            next_update: parsed.next_update().map(|at| at.to_datetime()),
            revoked,
        })
    }

    /// Parses every PEM `X509 CRL` block of `text` (at least one), each checked as in
    /// [`Crl::from_der`].
    pub fn all_from_pem(text: &str, anchors: &TrustAnchors) -> Result<Vec<Self>, CrlError> {
        let blocks = pem::parse_many(text).map_err(CrlError::Pem)?;
        let crls = blocks
            .iter()
            .filter(|block| block.tag() == "X509 CRL")
            .map(|block| Self::from_der(block.contents(), anchors))
            .collect::<Result<Vec<_>, _>>()?;
        if crls.is_empty() {
            return Err(CrlError::NoCrlInPem);
        }
        Ok(crls)
    }

    /// Reads a CRL file's content: PEM when it starts with `-----BEGIN`, DER otherwise.
    pub fn all_from_bytes(bytes: &[u8], anchors: &TrustAnchors) -> Result<Vec<Self>, CrlError> {
        let text = std::str::from_utf8(bytes).ok();
        match text.filter(|text| text.trim_start().starts_with("-----BEGIN")) {
            Some(text) => Self::all_from_pem(text, anchors),
            None => Ok(vec![Self::from_der(bytes, anchors)?]),
        }
    }

    /// The issuer's distinguished name.
    pub fn issuer_name(&self) -> &str {
        &self.issuer_name
    }

    /// When the CRL was issued (`thisUpdate`).
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// When the next CRL is due (`nextUpdate`); past it, this one is stale.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// How many certificates the CRL lists.
    pub fn revoked_count(&self) -> usize {
        self.revoked.len()
    }

    fn is_stale_at(&self, at: OffsetDateTime) -> bool {
        self.next_update.is_none_or(|next_update| at > next_update)
    }
}

impl CrlSet {
    /// An empty set applying `stale_policy` to unknown statuses.
    pub fn new(stale_policy: StaleCrlPolicy) -> Self {
        CrlSet {
            crls: Arc::default(),
            stale_policy,
        }
    }

    /// The policy for unknown statuses.
    pub fn stale_policy(&self) -> StaleCrlPolicy {
        self.stale_policy
    }

    /// Keeps `crl` unless a newer CRL of the same issuer is held.
    pub fn insert(&self, crl: Crl) -> CrlUpdate {
        let mut crls = self.crls.write().unwrap_or_else(PoisonError::into_inner);
        match crls.get(&crl.issuer_raw) {
            Some(held) if held.this_update > crl.this_update => CrlUpdate::KeptNewer,
            held => {
                let update = if held.is_some() {
                    CrlUpdate::Replaced
                } else {
                    CrlUpdate::Added
                };
                crls.insert(crl.issuer_raw.clone(), Arc::new(crl));
                update
            }
        }
    }

    /// The CRLs held, one per issuer (for status pages and tests).
    pub fn crls(&self) -> Vec<Arc<Crl>> {
        let crls = self.crls.read().unwrap_or_else(PoisonError::into_inner);
        crls.values().cloned().collect()
    }

    /// Judges `certificate` at `at`: `Ok(None)` when it is not revoked, `Ok(Some(warning))`
    /// when its status is unknown and the policy accepts that, `Err` when it is revoked or
    /// its status is unknown and the policy refuses.
    pub fn check(
        &self,
        certificate: &Certificate,
        at: OffsetDateTime,
    ) -> Result<Option<RevocationError>, RevocationError> {
        if certificate.issuer_raw() == certificate.subject_raw() {
            return Ok(None);
        }
        let crl = {
            let crls = self.crls.read().unwrap_or_else(PoisonError::into_inner);
            crls.get(certificate.issuer_raw()).cloned()
        };
        let issuer = || certificate.issuer_name().to_owned();
        let unknown = match crl {
            None => RevocationError::NoCrl { issuer: issuer() },
            Some(crl) => {
                if let Some(&revoked_at) = crl.revoked.get(certificate.serial())
                    && revoked_at <= at
                {
                    return Err(RevocationError::Revoked {
                        serial: certificate.serial_hex(),
                        revoked_at,
                    });
                }
                if !crl.is_stale_at(at) {
                    return Ok(None);
                }
                RevocationError::Stale {
                    issuer: issuer(),
                    next_update: crl.next_update,
                }
            }
        };
        match self.stale_policy {
            StaleCrlPolicy::Refuse => Err(unknown),
            StaleCrlPolicy::AcceptWithWarning => Ok(Some(unknown)),
        }
    }

    /// [`CrlSet::check`] for every certificate of a path (leaf first); the first refusal
    /// wins, and the first warning is returned when none refuses.
    pub fn check_path<'c>(
        &self,
        path: impl IntoIterator<Item = &'c Certificate>,
        at: OffsetDateTime,
    ) -> Result<Option<RevocationError>, RevocationError> {
        let mut first_warning = None;
        for certificate in path {
            if let Some(warning) = self.check(certificate, at)? {
                first_warning.get_or_insert(warning);
            }
        }
        Ok(first_warning)
    }
}

/// `nextUpdate` for a message.
fn next_update_text(next_update: &Option<OffsetDateTime>) -> String {
    next_update.map_or_else(|| "not given".to_owned(), |at| at.to_string())
}

/// A serial number's big-endian bytes without leading zero bytes (DER adds one to keep a
/// serial positive), so certificate and CRL serials compare equal.
pub(crate) fn normalised_serial(raw: &[u8]) -> Vec<u8> {
    let start = raw.iter().position(|byte| *byte != 0).unwrap_or(raw.len());
    raw[start..].to_vec()
}

/// Finds an anchor named like the CRL's issuer whose key verifies the CRL.
fn check_signed_by_anchor(
    parsed: &CertificateRevocationList<'_>,
    issuer_raw: &[u8],
    issuer_name: &str,
    anchors: &TrustAnchors,
) -> Result<(), CrlError> {
    let oid = parsed.signature_algorithm.algorithm.to_id_string();
    let tbs = parsed.tbs_cert_list.as_ref();
    let signature = &parsed.signature_value.data;
    let mut is_named = false;
    for anchor in anchors.anchors() {
        if anchor.subject_raw() != issuer_raw {
            continue;
        }
        is_named = true;
        let Some(algorithm) = certificate_signature_algorithm(&oid, anchor.public_key()) else {
            continue;
        };
        if anchor.public_key().verify(algorithm, tbs, signature) {
            if anchor.key_usage().is_some_and(|bits| bits & CRL_SIGN == 0) {
                return Err(CrlError::IssuerMayNotSignCrls {
                    issuer: issuer_name.to_owned(),
                });
            }
            return Ok(());
        }
    }
    let issuer = issuer_name.to_owned();
    Err(if is_named {
        CrlError::BadSignature { issuer }
    } else {
        CrlError::UnknownIssuer { issuer }
    })
}

impl std::fmt::Display for Crl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "CRL of {} ({} revoked, issued {})",
            self.issuer_name,
            self.revoked.len(),
            self.this_update
        )
    }
}

#[cfg(test)]
mod tests {
    use super::normalised_serial;
    use crate::certificate::hex_string;

    #[test]
    fn serials_compare_without_leading_zero_bytes() {
        assert_eq!(normalised_serial(&[0, 0x80, 1]), vec![0x80, 1]);
        assert_eq!(hex_string(&normalised_serial(&[0x7f])), "7f");
        assert!(normalised_serial(&[0]).is_empty());
    }
}
