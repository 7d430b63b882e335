//! `RegistryStore`: what the registry (FaR) keeps, as typed records (PROTOCOL.md §5.1, §11).
//!
//! Reception rules are stored as "accepts every sender except the deselected ones" (DIGG: by
//! default all public senders may send; the recipient deselects). The registry crate maps this
//! to and from the protocol's positive `AcceptedSenders` list. Each profile change (register,
//! change operator, deregister, reception rules) is one transaction together with its
//! [`SignatureRecord`], so a change never exists without the signature that authorised it,
//! and with its daily statistics counter ([`DailyRegistrations`]), so the counters always agree
//! with the profiles. Each recorded signature is claimed there too ([`SignatureDigest`]), so
//! the same signed document cannot authorise a second change.

mod companies;
mod counters;
mod directory;
mod profiles;
mod records;
mod signatures;
mod sql;
mod statistics;

use std::collections::BTreeSet;

use async_trait::async_trait;
use kuvert_core::calendar::YearMonth;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, ProfileKind, ProfileRecord,
    ProfileStatus, Reachability, ReachableProfile, Registration, RegistrationSource, SenderRecord,
    Signatory,
};
use time::{Date, OffsetDateTime};

use crate::StoreError;

pub use records::{
    NewCompanyRegistration, NewProfile, PendingCompanyRegistration, ReceptionRules, SignatureId,
    SignatureRecord, SignedAction,
};
pub use signatures::{SignatureDigest, USED_SIGNATURE};
pub(crate) use sql::SqlRegistryStore;
pub use statistics::{
    DailyRegistrations, LetterCounts, MailboxCounts, OperatorMailboxes, RegistrationQuery,
    SourceGrouping,
};

/// The registry's storage. Held as `Arc<dyn RegistryStore>` by `kuvert-registry`.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Adds a mailbox operator or replaces its name, addresses and domain.
    /// `Conflict` when another operator already uses the domain.
    async fn upsert_operator(&self, operator: &OperatorRecord) -> Result<(), StoreError>;
    /// One operator by organisation number.
    async fn operator(&self, id: &OrganisationNumber)
    -> Result<Option<OperatorRecord>, StoreError>;
    /// The operator whose internet domain is `domain` (the `ServiceSupplier` value of
    /// `changeServiceSupplier`, PROTOCOL.md §11.3).
    async fn operator_by_domain(
        &self,
        domain: &ServiceDomain,
    ) -> Result<Option<OperatorRecord>, StoreError>;
    /// All operators, by organisation number.
    async fn operators(&self) -> Result<Vec<OperatorRecord>, StoreError>;

    /// Adds a sender (myndighet) or renames it.
    async fn upsert_sender(&self, sender: &SenderRecord) -> Result<(), StoreError>;
    /// One sender by organisation number.
    async fn sender(&self, id: &OrganisationNumber) -> Result<Option<SenderRecord>, StoreError>;
    /// All senders, by organisation number.
    async fn senders(&self) -> Result<Vec<SenderRecord>, StoreError>;

    /// Adds an intermediary (förmedlare) or replaces its name and the senders it may deliver
    /// for. `NotFound { what: "sender" }` when one of them is not a registered sender.
    async fn upsert_intermediary(
        &self,
        intermediary: &IntermediaryRecord,
    ) -> Result<(), StoreError>;
    /// One intermediary with its senders.
    async fn intermediary(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<IntermediaryRecord>, StoreError>;
    /// All intermediaries with their senders, by organisation number.
    async fn intermediaries(&self) -> Result<Vec<IntermediaryRecord>, StoreError>;

    /// The profile of `recipient`, if any.
    async fn profile(&self, recipient: &RecipientId) -> Result<Option<ProfileRecord>, StoreError>;
    /// Creates a profile (flow §11.1). `Conflict` when the recipient already has one (use
    /// `change_operator`), `NotFound { what: "operator" }` for an unknown operator.
    async fn register_profile(
        &self,
        profile: NewProfile,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Moves a profile to another operator (flow §11.3). `NotFound` without a profile.
    async fn change_operator(
        &self,
        recipient: &RecipientId,
        operator: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Removes a profile and its reception rules (flow §11.4); returns what was removed.
    async fn deregister_profile(
        &self,
        recipient: &RecipientId,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Replaces the deselected senders of a profile (flow §11.5); the change time is the
    /// signature's time. `NotFound` without a profile.
    async fn store_reception_rules(
        &self,
        recipient: &RecipientId,
        deselected: &BTreeSet<OrganisationNumber>,
        signature: SignatureRecord,
    ) -> Result<ReceptionRules, StoreError>;
    /// The reception rules of a profile; `None` without a profile.
    async fn reception_rules(
        &self,
        recipient: &RecipientId,
    ) -> Result<Option<ReceptionRules>, StoreError>;
    /// Every signature recorded for `recipient`, oldest first (audit; kept after deregister).
    async fn signatures(&self, recipient: &RecipientId)
    -> Result<Vec<SignatureRecord>, StoreError>;

    /// `isReachable` (flow §11.7): for each id, in input order, its profile, operator and
    /// whether `sender` is deselected. One query; `TooMany` above
    /// `limits::REACHABILITY_IDS_PER_CALL_MAX` ids.
    async fn is_reachable(
        &self,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<Reachability>, StoreError>;
    /// `isRegistered`: for each id, in input order, its profile and operator. One query;
    /// `TooMany` above `limits::REGISTERED_IDS_PER_CALL_MAX` ids.
    async fn registrations(
        &self,
        recipients: &[RecipientId],
    ) -> Result<Vec<Registration>, StoreError>;

    /// Adds or replaces a company's firmateckning rule and its signatories (seed data standing
    /// in for Bolagsverket, PROTOCOL.md §11.9).
    async fn upsert_company_signatory_rule(
        &self,
        rule: &CompanySignatoryRule,
    ) -> Result<(), StoreError>;
    /// A company's signatory rule.
    async fn company_signatory_rule(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<CompanySignatoryRule>, StoreError>;
    /// Opens a pending company registration with its first signature. When the company has no
    /// profile yet, a `Pending` one is created (so `isReachable` reports `Pending=true`).
    /// `Conflict` when one is already pending.
    async fn start_company_registration(
        &self,
        request: NewCompanyRegistration,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// Adds a further signatory's signature. `NotFound` without a pending registration,
    /// `Conflict` when this signatory already signed.
    async fn add_company_signature(
        &self,
        company: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// The pending registration of a company, with its signatures and rule.
    async fn pending_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<PendingCompanyRegistration>, StoreError>;
    /// Cancels a pending registration (`deletePendingAccountRequest`), removing a `Pending`
    /// profile it created; returns what was cancelled.
    async fn cancel_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// Ends a pending registration whose signatures suffice (the registry judges that): the
    /// profile becomes `Active` at the requested operator, in one transaction. A `None` source
    /// keeps the source an existing profile had.
    async fn complete_company_registration(
        &self,
        company: &OrganisationNumber,
        completed_at: OffsetDateTime,
        source: Option<RegistrationSource>,
    ) -> Result<ProfileRecord, StoreError>;

    // Statistics (issue 5): daily counters kept by every profile change above, and letters.

    /// The daily registration counters of `query.from..=query.to` (Swedish days), grouped
    /// and filtered as `query` says, ordered by day, operator, kind and source.
    /// `OutOfBounds` for a backward range or one longer than
    /// `limits::STATISTICS_RANGE_DAYS_MAX` days, more than `limits::STATISTICS_CAMPAIGNS_MAX`
    /// campaigns, or a campaign filter with [`SourceGrouping::None`].
    async fn registration_statistics(
        &self,
        query: &RegistrationQuery,
    ) -> Result<Vec<DailyRegistrations>, StoreError>;
    /// Active mailboxes at the start of `day`, summed from the daily counters (never counted
    /// over the profiles, so it stays fast with millions of them).
    async fn mailboxes_before(&self, day: Date) -> Result<MailboxCounts, StoreError>;
    /// The same per operator (moves included), by organisation number; operators without
    /// counters are left out.
    async fn mailboxes_before_per_operator(
        &self,
        day: Date,
    ) -> Result<Vec<OperatorMailboxes>, StoreError>;
    /// Adds a report of letters to the sender's month and returns the month's new totals.
    /// `NotFound { what: "sender" }` for an unknown sender, `OutOfBounds` above
    /// `limits::LETTERS_PER_REPORT_MAX` in one report.
    async fn add_letter_counts(&self, counts: &LetterCounts) -> Result<LetterCounts, StoreError>;
    /// Letters per sender and month for the months `from..=to`, by month and sender.
    /// `OutOfBounds` as for `registration_statistics`.
    async fn letter_statistics(
        &self,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<LetterCounts>, StoreError>;
    /// Senders connected to Mina meddelanden.
    async fn sender_count(&self) -> Result<u64, StoreError>;

    // Used e-ID signatures (replay protection, `signatures`): every `SignatureRecord` stored
    // above is also claimed in its change's transaction, and refused with
    // `Conflict { what: USED_SIGNATURE }` when it was used before.

    /// Whether a signature with `digest` was accepted within the last
    /// `limits::EID_SIGNATURE_USED_KEEP_SECS` (the registry's early, clear refusal; the
    /// claim in the change's transaction is what guarantees it).
    async fn is_signature_used(&self, digest: &SignatureDigest) -> Result<bool, StoreError>;
    /// Claims signatures that no change records (a company's further signatories in one
    /// request), all or none, at `at`. `Conflict { what: USED_SIGNATURE }` when one was used.
    async fn claim_signatures(
        &self,
        digests: &[SignatureDigest],
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}
