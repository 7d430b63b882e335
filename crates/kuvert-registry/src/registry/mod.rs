//! [`Registry`]: the registry's operations, one method per use case, shared by the SOAP and
//! REST handlers. Each method identifies the caller's role, applies the pure rules of
//! [`crate::domain`] and reaches storage only through [`RegistryStore`].

mod company;
mod directory;
mod profiles;
mod statistics;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_eid::{EidSigner, SignatureData};
use kuvert_store::registry::{
    OperatorRecord, RegistryStore, Signatory, SignatureId, SignatureRecord, SignedAction,
};
use kuvert_xmldsig::trust::TrustAnchors;
use time::OffsetDateTime;

pub use company::{AuthorizedSigner, PendingRequest};
pub use profiles::SignedChange;
pub use statistics::StatisticsFeed;

use crate::domain::access::{self, CallerRoles};
use crate::domain::signing::SigningStatus;
use crate::error::Error;

/// The registry's operations over its store and the e-ID trust anchors.
#[derive(Clone)]
pub struct Registry {
    store: Arc<dyn RegistryStore>,
    eid_anchors: Arc<TrustAnchors>,
}

/// The outcome of a signed change (`auth:SignatureAuthorizationResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutcome {
    /// The profile the change is about.
    pub recipient: RecipientId,
    /// Complete (done), incomplete (pending more signatories) or not interpretable.
    pub status: SigningStatus,
    /// Who has signed.
    pub signed_by: Vec<Signatory>,
    /// Who could still sign (companies).
    pub possible_signers: Vec<Signatory>,
    /// When the registry judged it.
    pub at: OffsetDateTime,
}

/// One verified signature: who signed, and the data as sent (kept for audit).
pub(crate) struct VerifiedSignature {
    signer: EidSigner,
    data: SignatureData,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Registry").finish_non_exhaustive()
    }
}

impl Registry {
    /// Operations over `store`, trusting person signatures that chain to `eid_anchors`.
    #[must_use]
    pub fn new(store: Arc<dyn RegistryStore>, eid_anchors: TrustAnchors) -> Self {
        Self {
            store,
            eid_anchors: Arc::new(eid_anchors),
        }
    }

    /// The store, for the admin functions.
    pub(crate) fn store(&self) -> &dyn RegistryStore {
        self.store.as_ref()
    }

    /// Every role the registry holds for `caller`.
    async fn roles(&self, caller: &OrganisationNumber) -> Result<CallerRoles, Error> {
        Ok(CallerRoles {
            sender: self.store.sender(caller).await?,
            intermediary: self.store.intermediary(caller).await?,
            operator: self.store.operator(caller).await?,
        })
    }

    /// The caller's operator record, or `AccessError::NotAnOperator`.
    pub(crate) async fn operator_caller(
        &self,
        caller: &OrganisationNumber,
    ) -> Result<OperatorRecord, Error> {
        let record = self.store.operator(caller).await?;
        Ok(access::require_operator(caller, record)?)
    }

    /// Verifies every signature over `text` against the e-ID CAs, now.
    fn verify_all(
        &self,
        text: &str,
        signatures: Vec<SignatureData>,
        is_register: bool,
    ) -> Result<Vec<VerifiedSignature>, Error> {
        let now = OffsetDateTime::now_utc();
        signatures
            .into_iter()
            .map(|data| {
                kuvert_eid::verify_signature_data(&data, text, &self.eid_anchors, now)
                    .map(|signer| VerifiedSignature { signer, data })
                    .map_err(|error| Error::Signature {
                        reason: error.to_string(),
                        is_register,
                    })
            })
            .collect()
    }
}

/// Who signed, as a signatory entry.
fn signatory(signature: &VerifiedSignature) -> Signatory {
    Signatory {
        id: signature.signer.personal_identity_number.clone(),
        name: signature.signer.name.clone(),
    }
}

/// The audit record of one verified signature.
fn signature_record(
    recipient: &RecipientId,
    action: SignedAction,
    operator: &OrganisationNumber,
    text: &str,
    signature: &VerifiedSignature,
) -> SignatureRecord {
    SignatureRecord {
        id: SignatureId::new(),
        recipient: recipient.clone(),
        action,
        signatory: signature.signer.personal_identity_number.clone(),
        operator: operator.clone(),
        agreement_text: text.to_owned(),
        signature_base64: STANDARD.encode(signature.data.signature()),
        certificate: STANDARD.encode(signature.data.certificate_der()),
        signed_at: OffsetDateTime::now_utc(),
    }
}

/// The personnummer of everyone who signed.
fn signer_numbers(signatures: &[VerifiedSignature]) -> Vec<PersonalIdentityNumber> {
    signatures
        .iter()
        .map(|signature| signature.signer.personal_identity_number.clone())
        .collect()
}
