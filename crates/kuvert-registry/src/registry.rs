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
use kuvert_core::registry::{OperatorRecord, Signatory};
use kuvert_eid::signature::BoundAction;
use kuvert_eid::{EidSigner, SignatureData};
use kuvert_store::registry::{
    RegistryStore, SignatureDigest, SignatureId, SignatureRecord, SignedAction,
};
use kuvert_xmldsig::trust::TrustAnchors;
use time::OffsetDateTime;

pub use company::{AuthorizedSigner, PendingRequest};
pub use profiles::SignedChange;
pub use statistics::StatisticsFeed;

use crate::domain::access::{self, CallerRoles};
use crate::domain::binding::{self, AskedChange, SignatureRefusal};
use crate::error::{Error, SignedFor};
use kuvert_core::registry::SigningStatus;

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

/// The signatures of a change that may authorise it: verified, bound to it, never used.
pub(crate) struct ChangeSignatures {
    /// The signatures, in the order sent.
    signed: Vec<VerifiedSignature>,
    /// The agreement text without its binding lines.
    agreement: String,
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
        signed_for: SignedFor,
    ) -> Result<Vec<VerifiedSignature>, Error> {
        let now = OffsetDateTime::now_utc();
        signatures
            .into_iter()
            .map(|data| {
                kuvert_eid::verify_signature_data(&data, text, &self.eid_anchors, now)
                    .map(|signer| VerifiedSignature { signer, data })
                    .map_err(|error| Error::Signature {
                        reason: error.to_string(),
                        signed_for,
                    })
            })
            .collect()
    }
}

impl Registry {
    /// Verifies the signatures of a change against the e-ID CAs, then that the signed text is
    /// bound to `asked` and recent (`domain::binding`), then that none of them was used
    /// before. A refused replay is written to the audit log.
    async fn verify_change(
        &self,
        text: &str,
        signatures: Vec<SignatureData>,
        asked: AskedChange<'_>,
    ) -> Result<ChangeSignatures, Error> {
        let signed_for = if asked.action == BoundAction::Register {
            SignedFor::Registration
        } else {
            SignedFor::OtherChange
        };
        let signed = self.verify_all(text, signatures, signed_for)?;
        let refused = |refusal| Error::SignatureRefused {
            refusal,
            signed_for,
        };
        let now = OffsetDateTime::now_utc();
        let agreement = binding::check_binding(text, asked, now).map_err(refused)?;
        for signature in &signed {
            if self.store.is_signature_used(&digest(signature)).await? {
                tracing::warn!(
                    audit = "replayed_signature",
                    action = asked.action.word(),
                    operator = %asked.operator_domain,
                    signatory = ?signature.signer.personal_identity_number,
                    "refused an e-ID signature the registry accepted before"
                );
                return Err(refused(SignatureRefusal::Replayed));
            }
        }
        Ok(ChangeSignatures {
            signed,
            agreement: agreement.to_owned(),
        })
    }

    /// Claims the signatures no change record holds (all but the first, which the store
    /// claims with the change), so none of them can authorise another change.
    async fn claim_further(&self, signed: &[VerifiedSignature]) -> Result<(), Error> {
        let further: Vec<SignatureDigest> = signed.iter().skip(1).map(digest).collect();
        if further.is_empty() {
            return Ok(());
        }
        let now = OffsetDateTime::now_utc();
        Ok(self.store.claim_signatures(&further, now).await?)
    }
}

/// The store's digest of a signature (over the base64 the audit record keeps).
fn digest(signature: &VerifiedSignature) -> SignatureDigest {
    SignatureDigest::of_base64(&STANDARD.encode(signature.data.signature()))
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
