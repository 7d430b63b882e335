//! The intermediary's SOAP endpoints: `/Message/v3` (Message v3, PROTOCOL.md §5.4:
//! `distributeSecure`, `checkDistributionStatus`) and `/Notification/v3` (§5.5, answered with
//! a "not supported" fault: the operators Kuvert delivers to do not accept `notify`, §11.8).
//! Thin handlers: bound the body, parse and verify on the CPU pool, hand the letter to the
//! [`Distributor`], render the answer or the fault. The client is the organisation of the
//! verified client certificate, never a value from the body.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::lane::Lane;
use kuvert_store::distribution::DistributionStatus;
use kuvert_web::CallerOrganisation;
use kuvert_web::cpu_pool::LANE_HEADER;
use kuvert_web::identity::CallerRejection;
use kuvert_web::layers::soap_response;
use kuvert_wire::delivery::{SignedDocument, VerifiedSignedLetter};
use kuvert_wire::envelope::BodyElement as _;
use kuvert_wire::message::{
    self, CheckDistributionStatus, CheckDistributionStatusResponse, DistributeSecureResponse,
    DistributionState, DistributionType, MessageRequest,
};
use kuvert_wire::values::DistributionId;
use kuvert_xmldsig::{ParseLimits, Verifier, parse_document_with};
use uuid::Uuid;

use super::distribute::Distributor;
use super::error::Error;

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) distributor: Arc<Distributor>,
    /// `IntermediaryConfig::envelope_bytes_max`, checked.
    pub(crate) envelope_bytes_max: usize,
}

impl AppState {
    pub(crate) fn new(distributor: Distributor, envelope_bytes_max: usize) -> Self {
        Self {
            distributor: Arc::new(distributor),
            envelope_bytes_max,
        }
    }
}

/// A Message v3 request, parsed and (for `distributeSecure`) verified.
enum Request {
    Distribute(Box<VerifiedSignedLetter>),
    Status(CheckDistributionStatus),
}

/// `POST /Message/v3`.
pub(crate) async fn message_v3(
    State(state): State<AppState>,
    caller: Result<CallerOrganisation, CallerRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(&state, caller, lane(&headers), body).await {
        Ok(envelope) => soap_response(StatusCode::OK, envelope),
        Err(error) => error.to_soap_response(),
    }
}

/// `POST /Notification/v3`: the client is still identified, then told plainly that
/// notifications are not offered.
pub(crate) async fn notification_v3(
    State(state): State<AppState>,
    caller: Result<CallerOrganisation, CallerRejection>,
) -> Response {
    let refusal = match caller {
        Err(error) => Error::NoCaller(error.to_string()),
        Ok(CallerOrganisation(client)) => match state.distributor.senders.check_client(&client) {
            Err(error) => error,
            Ok(()) => Error::Unsupported(
                "Notification v3 is not supported by this intermediary: the mailbox operators \
                 do not accept notify",
            ),
        },
    };
    refusal.to_soap_response()
}

async fn handle(
    state: &AppState,
    caller: Result<CallerOrganisation, CallerRejection>,
    lane: Lane,
    body: Body,
) -> Result<String, Error> {
    let CallerOrganisation(client) = caller.map_err(|error| Error::NoCaller(error.to_string()))?;
    let distributor = &state.distributor;
    distributor.senders.check_client(&client)?;
    let max = state.envelope_bytes_max;
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| Error::TooLarge { max })?;
    let verifier = distributor.verifier.clone();
    let request = distributor
        .toolkit
        .cpu()
        .run(lane, client.clone(), move || {
            read_request(&verifier, &bytes, max)
        })
        .await
        .map_err(Error::internal)??;
    match request {
        Request::Distribute(letter) => {
            let id = distributor.distribute(&client, *letter, lane).await?;
            let distribution_id = DistributionId::parse(&id.hyphenated().to_string())
                .map_err(|reason| Error::internal(std::io::Error::other(reason)))?;
            Ok(DistributeSecureResponse { distribution_id }.to_envelope())
        }
        Request::Status(check) => Ok(status(distributor, &client, check).await?.to_envelope()),
    }
}

/// The lane a request waits in: `Kuvert-Lane: bulk` marks a mass mailing's letter; anything
/// else is a single letter ([`kuvert_core::lane`]).
fn lane(headers: &HeaderMap) -> Lane {
    Lane::from_header(
        headers
            .get(LANE_HEADER)
            .and_then(|value| value.to_str().ok()),
    )
}

/// Parses the envelope, dispatches on its operation and, for `distributeSecure`, verifies
/// the sender's signature and reads the letter through the one reader. Synchronous: the
/// parsed tree is dropped before anything awaits.
fn read_request(verifier: &Verifier, bytes: &Bytes, max: usize) -> Result<Request, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8)?;
    let limits = ParseLimits {
        bytes_max: u64::try_from(max).unwrap_or(u64::MAX),
        ..ParseLimits::default()
    };
    let document = parse_document_with(text, &limits)?;
    match message::parse_request(&document)? {
        MessageRequest::DistributeSecure(_) => {
            let now = time::OffsetDateTime::now_utc();
            let letter = SignedDocument::locate(&document)?.verify(&verifier.at(now))?;
            Ok(Request::Distribute(Box::new(letter)))
        }
        MessageRequest::CheckDistributionStatus(check) => Ok(Request::Status(check)),
    }
}

/// `checkDistributionStatus`: the one recipient's status of a distribution of `senderId`,
/// for a client allowed to act for that sender.
async fn status(
    distributor: &Distributor,
    client: &OrganisationNumber,
    check: CheckDistributionStatus,
) -> Result<CheckDistributionStatusResponse, Error> {
    let RecipientId::Organisation(sender) = check.sender else {
        return Err(Error::SenderIsPerson);
    };
    distributor.senders.check_sender(client, &sender)?;
    let id =
        Uuid::parse_str(check.distribution_id.as_str()).map_err(|_| Error::UnknownDistribution)?;
    let distribution = distributor
        .store
        .distribution(&sender, id)
        .await?
        .ok_or(Error::UnknownDistribution)?;
    let (kind, state) = wire_status(&distribution.status);
    Ok(CheckDistributionStatusResponse {
        statuses: vec![message::DistributionStatus {
            recipient: distribution.recipient,
            kind,
            state,
        }],
    })
}

/// `Type` and `DeliveryStatus` of a stored status. Before the registry answered, the letter
/// is `Not` (yet) distributed; a paper letter has no `DeliveryStatus`, because the
/// intermediary does not learn when the printed letter arrives.
fn wire_status(status: &DistributionStatus) -> (DistributionType, Option<DistributionState>) {
    match status {
        DistributionStatus::Pending => (DistributionType::Not, Some(DistributionState::Pending)),
        DistributionStatus::Delivering => {
            (DistributionType::Digital, Some(DistributionState::Pending))
        }
        DistributionStatus::Delivered { .. } => (
            DistributionType::Digital,
            Some(DistributionState::Delivered),
        ),
        DistributionStatus::Failed => (
            DistributionType::Digital,
            Some(DistributionState::DeliveryFailed),
        ),
        DistributionStatus::Paper => (DistributionType::Paper, None),
    }
}
