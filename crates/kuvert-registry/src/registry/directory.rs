//! Directory and reachability operations: `isReachable`, `isRegistered`, the sender,
//! intermediary and operator lists, and `isSenderAccepted` (PROTOCOL.md §5.1, §5.2, §11.7).

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{REACHABILITY_IDS_PER_CALL_MAX, REGISTERED_IDS_PER_CALL_MAX};
use kuvert_core::registry::{IntermediaryRecord, OperatorRecord, SenderRecord};

use super::Registry;
use crate::domain::access::{self, ReachabilityView};
use crate::domain::reachability::{self, ReachabilityAnswer};
use crate::error::Error;

impl Registry {
    /// `isReachable`: for each recipient, in order, whether `sender` reaches it digitally.
    /// Asked by the sender itself or an intermediary registered for it; or by an operator
    /// checking deliveries, which sees the reception rules of its own profiles only
    /// (`access::ReachabilityView`).
    ///
    /// # Errors
    /// `TooMany` above 1000 ids; `UnknownSender`; `IntermediaryNotApproved` (for a caller
    /// that is no operator either).
    #[tracing::instrument(
        skip_all,
        fields(caller = %caller, sender = %sender, n_recipients = recipients.len())
    )]
    pub async fn is_reachable(
        &self,
        caller: &OrganisationNumber,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<ReachabilityAnswer>, Error> {
        let max = REACHABILITY_IDS_PER_CALL_MAX;
        if recipients.len() > max {
            return Err(Error::TooMany {
                count: recipients.len(),
                max,
            });
        }
        let sender_record = self.store.sender(sender).await?;
        let intermediary = self.store.intermediary(caller).await?;
        let operator = self.store.operator(caller).await?;
        let view = access::reachability_view(
            caller,
            sender,
            sender_record.as_ref(),
            intermediary.as_ref(),
            operator.as_ref(),
        )?;
        let rows = self.store.is_reachable(sender, recipients).await?;
        assert_eq!(rows.len(), recipients.len(), "one answer per asked id");
        metrics::counter!("kuvert_registry_reachability_ids_total").increment(rows.len() as u64);
        let answers = rows.into_iter().map(reachability::answer_reachability);
        Ok(match view {
            ReachabilityView::Full => answers.collect(),
            ReachabilityView::HeldBy(viewer) => answers
                .map(|answer| reachability::as_seen_by(answer, &viewer))
                .collect(),
        })
    }

    /// `isRegistered`: for each recipient, in order, its profile and operator. Answered to any
    /// organisation the registry knows (operators and intermediaries use it).
    ///
    /// # Errors
    /// `TooMany` above 1000 ids; `UnknownCaller`.
    #[tracing::instrument(skip_all, fields(caller = %caller, n_recipients = recipients.len()))]
    pub async fn is_registered(
        &self,
        caller: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<ReachabilityAnswer>, Error> {
        let max = REGISTERED_IDS_PER_CALL_MAX;
        if recipients.len() > max {
            return Err(Error::TooMany {
                count: recipients.len(),
                max,
            });
        }
        access::require_known(caller, &self.roles(caller).await?)?;
        let rows = self.store.registrations(recipients).await?;
        assert_eq!(rows.len(), recipients.len(), "one answer per asked id");
        Ok(rows
            .into_iter()
            .map(reachability::answer_registration)
            .collect())
    }

    /// `getSenders`: every connected sender.
    ///
    /// # Errors
    /// `UnknownCaller`.
    pub async fn senders(&self, caller: &OrganisationNumber) -> Result<Vec<SenderRecord>, Error> {
        access::require_known(caller, &self.roles(caller).await?)?;
        Ok(self.store.senders().await?)
    }

    /// The REST list of connected senders (`GET /api/v1/senders`): public information,
    /// answered to any organisation with a verified certificate, known to the registry or
    /// not (the rule is explained at [`access::require_known`]).
    ///
    /// # Errors
    /// Store failures only.
    pub async fn connected_senders(&self) -> Result<Vec<SenderRecord>, Error> {
        Ok(self.store.senders().await?)
    }

    /// `getDispatchers`: every intermediary with the senders it may deliver for.
    ///
    /// # Errors
    /// `UnknownCaller`.
    pub async fn intermediaries(
        &self,
        caller: &OrganisationNumber,
    ) -> Result<Vec<IntermediaryRecord>, Error> {
        access::require_known(caller, &self.roles(caller).await?)?;
        Ok(self.store.intermediaries().await?)
    }

    /// Every mailbox operator (REST only; the protocol returns operators inside statuses).
    ///
    /// # Errors
    /// `UnknownCaller`.
    pub async fn operators(
        &self,
        caller: &OrganisationNumber,
    ) -> Result<Vec<OperatorRecord>, Error> {
        access::require_known(caller, &self.roles(caller).await?)?;
        Ok(self.store.operators().await?)
    }

    /// `isSenderAccepted`: whether `id` is a connected sender.
    ///
    /// # Errors
    /// `UnknownCaller`.
    pub async fn is_sender_accepted(
        &self,
        caller: &OrganisationNumber,
        id: &RecipientId,
    ) -> Result<bool, Error> {
        access::require_known(caller, &self.roles(caller).await?)?;
        let RecipientId::Organisation(number) = id else {
            return Ok(false);
        };
        Ok(self.store.sender(number).await?.is_some())
    }
}
