//! Trust decisions for certificates: does a leaf chain to a configured anchor (PROTOCOL.md §8,
//! modelled on the reference validator `CaMapCertificateChainTrustVerifier`)?
//!
//! The rules, checked for every link: the issuer's subject equals the child's issuer name,
//! the issuer's key verifies the child's signature (RSA PKCS#1 v1.5 with SHA-256/384/512,
//! SHA-1 for legacy certificates, ECDSA P-256/P-384), the issuer has `basicConstraints`
//! `cA=true`, and every certificate on the path is valid at the given instant. A configured
//! anchor that is byte-identical to the leaf trusts that leaf directly (pinning), which is how
//! self-signed test certificates such as the real samples' are trusted. Revocation is a
//! separate check on the path [`TrustAnchors::verify_path`] returns (`crate::revocation`);
//! OCSP is not used.

use std::sync::Arc;

use kuvert_core::limits::CERTIFICATE_CHAIN_DEPTH_MAX;
use time::OffsetDateTime;

use crate::certificate::{Certificate, CertificateError};

/// The configured set of trusted certificates (CA roots, or pinned leaves). Cloning is cheap
/// (the set is shared).
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    anchors: Arc<[Certificate]>,
}

/// Why a certificate is not trusted; each variant names the failed rule and the chain
/// position (`depth` 0 is the leaf).
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The anchor PEM text does not parse.
    #[error("trust anchor PEM is invalid")]
    Anchors(#[source] CertificateError),
    /// No anchor was configured; trusting nothing is a configuration error.
    #[error("no trust anchors configured")]
    NoAnchors,
    /// A certificate on the path has expired.
    #[error("certificate at chain depth {depth} expired at {not_after}")]
    Expired {
        /// Position on the path, 0 for the leaf.
        depth: usize,
        /// End of its validity period.
        not_after: OffsetDateTime,
    },
    /// A certificate on the path is not valid yet.
    #[error("certificate at chain depth {depth} is not valid before {not_before}")]
    NotYetValid {
        /// Position on the path, 0 for the leaf.
        depth: usize,
        /// Start of its validity period.
        not_before: OffsetDateTime,
    },
    /// Neither an anchor nor a given intermediate issued the certificate at `depth`.
    #[error("certificate at chain depth {depth} has unknown issuer {issuer}")]
    UnknownIssuer {
        /// Position on the path, 0 for the leaf.
        depth: usize,
        /// The issuer name the certificate gives.
        issuer: String,
    },
    /// The issuer was found by name but its key does not verify the signature.
    #[error("certificate at chain depth {depth} has a signature its issuer's key rejects")]
    BadSignature {
        /// Position on the path, 0 for the leaf.
        depth: usize,
    },
    /// The signature algorithm is unsupported or does not fit the issuer's key type.
    #[error("certificate at chain depth {depth} uses signature algorithm {oid} unsupported")]
    UnsupportedSignatureAlgorithm {
        /// Position on the path, 0 for the leaf.
        depth: usize,
        /// The algorithm OID.
        oid: String,
    },
    /// An issuer lacks `basicConstraints cA=true`.
    #[error("issuer of the certificate at chain depth {depth} is not a CA")]
    IssuerNotCa {
        /// Position of the issued certificate on the path.
        depth: usize,
    },
    /// The path would be longer than [`CERTIFICATE_CHAIN_DEPTH_MAX`].
    #[error("certificate chain is longer than {max} certificates")]
    ChainTooLong {
        /// The bound.
        max: usize,
    },
}

impl TrustAnchors {
    /// Reads one or more PEM `CERTIFICATE` blocks as anchors.
    pub fn from_pem(text: &str) -> Result<Self, TrustError> {
        let anchors = Certificate::all_from_pem(text).map_err(TrustError::Anchors)?;
        Self::from_certificates(anchors)
    }

    /// Uses already parsed certificates as anchors; at least one is required.
    pub fn from_certificates(anchors: Vec<Certificate>) -> Result<Self, TrustError> {
        if anchors.is_empty() {
            return Err(TrustError::NoAnchors);
        }
        Ok(TrustAnchors {
            anchors: anchors.into(),
        })
    }

    /// The configured anchors.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// Checks that `leaf` chains to an anchor through `intermediates` (any order; extra ones
    /// are ignored) and that every certificate on the path is valid at `at`.
    pub fn verify(
        &self,
        leaf: &Certificate,
        intermediates: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<(), TrustError> {
        self.verify_path(leaf, intermediates, at).map(drop)
    }

    /// [`TrustAnchors::verify`], returning the certificates of the path below the anchor,
    /// leaf first (empty when the leaf itself is a pinned anchor): the ones whose
    /// revocation status matters.
    pub fn verify_path<'c>(
        &self,
        leaf: &'c Certificate,
        intermediates: &'c [Certificate],
        at: OffsetDateTime,
    ) -> Result<Vec<&'c Certificate>, TrustError> {
        let mut path = Vec::new();
        let mut current = leaf;
        for depth in 0..CERTIFICATE_CHAIN_DEPTH_MAX {
            check_validity(current, depth, at)?;
            if self.anchors.iter().any(|anchor| anchor == current) {
                return Ok(path);
            }
            path.push(current);
            let from_anchors = find_issuer(current, &self.anchors, depth);
            if let Ok(Some(anchor)) = from_anchors {
                check_validity(anchor, depth + 1, at)?;
                return Ok(path);
            }
            // An anchor that matched by name but failed explains more than a later miss.
            let anchor_failure = from_anchors.err();
            match find_issuer(current, intermediates, depth) {
                Ok(Some(issuer)) if issuer != current => current = issuer,
                Ok(_) => {
                    return Err(anchor_failure.unwrap_or_else(|| TrustError::UnknownIssuer {
                        depth,
                        issuer: current.issuer_name().to_owned(),
                    }));
                }
                Err(error) => return Err(anchor_failure.unwrap_or(error)),
            }
        }
        Err(TrustError::ChainTooLong {
            max: CERTIFICATE_CHAIN_DEPTH_MAX,
        })
    }
}

/// Finds the candidate that issued `child`: same name, and its key verifies the signature.
/// A name match whose key fails is reported only when no other candidate succeeds.
fn find_issuer<'a>(
    child: &Certificate,
    candidates: &'a [Certificate],
    depth: usize,
) -> Result<Option<&'a Certificate>, TrustError> {
    let mut first_failure = None;
    for candidate in candidates {
        if candidate.subject_raw() != child.issuer_raw() {
            continue;
        }
        match child.is_signed_by(candidate) {
            Some(true) if candidate.is_ca() => return Ok(Some(candidate)),
            Some(true) => {
                first_failure.get_or_insert(TrustError::IssuerNotCa { depth });
            }
            Some(false) => {
                first_failure.get_or_insert(TrustError::BadSignature { depth });
            }
            None => {
                first_failure.get_or_insert(TrustError::UnsupportedSignatureAlgorithm {
                    depth,
                    oid: child.signature_algorithm_oid().to_owned(),
                });
            }
        }
    }
    match first_failure {
        Some(error) => Err(error),
        None => Ok(None),
    }
}

fn check_validity(
    certificate: &Certificate,
    depth: usize,
    at: OffsetDateTime,
) -> Result<(), TrustError> {
    if at < certificate.not_before() {
        return Err(TrustError::NotYetValid {
            depth,
            not_before: certificate.not_before(),
        });
    }
    if at > certificate.not_after() {
        return Err(TrustError::Expired {
            depth,
            not_after: certificate.not_after(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
