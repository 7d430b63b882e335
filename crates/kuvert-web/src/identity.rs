//! Who is calling: the verified client certificate of a mutual-TLS connection and the
//! organisation number in its subject `serialNumber` (PROTOCOL.md §8, DESIGN.md invariants).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use kuvert_core::id::OrganisationNumber;
use kuvert_xmldsig::certificate::Certificate;

/// The DER end-entity certificate the client presented and rustls verified. Only
/// [`crate::serve`] inserts it into request extensions.
#[derive(Clone, Debug)]
pub struct PeerCertificate(Arc<[u8]>);

/// The calling organisation, from its verified client certificate. Extracting it fails with
/// 403 when the connection has no client certificate or its subject names no organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerOrganisation(pub OrganisationNumber);

/// Why a request has no [`CallerOrganisation`].
#[derive(Debug, thiserror::Error)]
pub enum CallerRejection {
    /// Plain HTTP or TLS without a client certificate.
    #[error("no client certificate")]
    NoCertificate,
    /// The certificate's subject `serialNumber` is not `16` + an organisation number.
    #[error("client certificate has no organisation number")]
    NoOrganisationNumber,
}

impl PeerCertificate {
    pub(crate) fn new(der: &[u8]) -> Self {
        Self(Arc::from(der))
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CallerOrganisation {
    type Rejection = CallerRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<PeerCertificate>()
            .ok_or(CallerRejection::NoCertificate)?;
        let certificate =
            Certificate::from_der(peer.der()).map_err(|_| CallerRejection::NoOrganisationNumber)?;
        let number = certificate
            .organisation_number()
            .map_err(|_| CallerRejection::NoOrganisationNumber)?;
        tracing::Span::current().record("caller", number.as_str());
        Ok(Self(number))
    }
}

impl IntoResponse for CallerRejection {
    fn into_response(self) -> Response {
        (StatusCode::FORBIDDEN, self.to_string()).into_response()
    }
}
