//! How e-ID signatures authorise a profile change (PROTOCOL.md §8, §11.1, §11.9).
//!
//! A person's change needs that person's own signature. A company's needs enough of its
//! authorised signatories (firmatecknare) under its signatory rule (firmateckning; seed data
//! standing in for Bolagsverket); until then a registration stays pending. Only the company
//! forms Mina meddelanden accepts may register: aktiebolag, handelsbolag, kommanditbolag,
//! ekonomisk förening and bostadsrättsförening.

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::registry::SigningStatus;
use kuvert_core::registry::{CompanySignatoryRule, Signatory};

/// Why signatures do not authorise a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// A person's change was not signed by that person.
    #[error("the e-ID signature is not made by the recipient")]
    SignerIsNotRecipient,
    /// A signer is not among the company's authorised signatories.
    #[error("a signer is not an authorised signatory of company {company}")]
    NotAuthorisedSignatory {
        /// The company.
        company: OrganisationNumber,
    },
    /// The company form may not hold a mailbox (PROTOCOL.md §11.9, error 6004).
    #[error("company {company} is a {form}, which cannot hold a digital mailbox")]
    CompanyFormUnsupported {
        /// The company.
        company: OrganisationNumber,
        /// The form its number's group digit says.
        form: &'static str,
    },
}

/// The company forms that may hold a mailbox, by the group digit of the organisation number
/// (Skatteverket SKV 709: 5 aktiebolag, 7 ekonomisk förening and bostadsrättsförening,
/// 9 handelsbolag and kommanditbolag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyForm {
    /// Aktiebolag.
    Limited,
    /// Ekonomisk förening or bostadsrättsförening.
    EconomicAssociation,
    /// Handelsbolag or kommanditbolag.
    Partnership,
}

/// The judgement of a set of signers against a company's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyEvaluation {
    /// Complete, incomplete or not interpretable.
    pub status: SigningStatus,
    /// The signatories who have signed, in the rule's order.
    pub signed_by: Vec<Signatory>,
    /// The signatories who could still sign (`PossibleSigners`), in the rule's order.
    pub possible_signers: Vec<Signatory>,
}

/// The form of a company, from its organisation number's group digit.
///
/// # Errors
/// [`SigningError::CompanyFormUnsupported`] for every other group (authorities, foundations,
/// non-profit associations, estates, simple partnerships, foreign companies).
pub fn company_form(company: &OrganisationNumber) -> Result<CompanyForm, SigningError> {
    let unsupported = |form| SigningError::CompanyFormUnsupported {
        company: company.clone(),
        form,
    };
    match company.as_str().as_bytes().first() {
        Some(b'5') => Ok(CompanyForm::Limited),
        Some(b'7') => Ok(CompanyForm::EconomicAssociation),
        Some(b'9') => Ok(CompanyForm::Partnership),
        Some(b'2') => Err(unsupported("public body")),
        Some(b'8') => Err(unsupported("non-profit association or foundation")),
        Some(b'1') => Err(unsupported("estate")),
        Some(b'3') => Err(unsupported("foreign company")),
        Some(b'6') => Err(unsupported("simple partnership")),
        _ => Err(unsupported("company of an unknown form")),
    }
}

/// A person's change must be signed by that person (one valid signature suffices; others
/// by somebody else make the request suspect, so every signer must be the recipient).
///
/// # Errors
/// [`SigningError::SignerIsNotRecipient`], also for an empty list of signers.
pub fn require_person_signer(
    recipient: &PersonalIdentityNumber,
    signers: &[PersonalIdentityNumber],
) -> Result<(), SigningError> {
    if !signers.is_empty() && signers.iter().all(|signer| signer == recipient) {
        Ok(())
    } else {
        Err(SigningError::SignerIsNotRecipient)
    }
}

/// Judges `signers` against `rule`: every signer must be one of its signatories; the rule is
/// met when at least `signatures_required` distinct signatories have signed.
///
/// # Errors
/// [`SigningError::NotAuthorisedSignatory`] when a signer is not in the rule.
pub fn evaluate_company(
    rule: &CompanySignatoryRule,
    signers: &BTreeSet<PersonalIdentityNumber>,
) -> Result<CompanyEvaluation, SigningError> {
    let is_signatory = |person: &PersonalIdentityNumber| {
        rule.signatories
            .iter()
            .any(|signatory| &signatory.id == person)
    };
    if !signers.iter().all(is_signatory) {
        return Err(SigningError::NotAuthorisedSignatory {
            company: rule.company.clone(),
        });
    }
    let (signed_by, possible_signers): (Vec<Signatory>, Vec<Signatory>) = rule
        .signatories
        .iter()
        .cloned()
        .partition(|signatory| signers.contains(&signatory.id));
    let required = usize::try_from(rule.signatures_required).unwrap_or(usize::MAX);
    let is_interpretable = required >= 1 && required <= rule.signatories.len();
    let status = if !is_interpretable {
        SigningStatus::RulesNotSupported
    } else if signed_by.len() >= required {
        SigningStatus::Complete
    } else {
        SigningStatus::Incomplete
    };
    Ok(CompanyEvaluation {
        status,
        signed_by,
        possible_signers,
    })
}
