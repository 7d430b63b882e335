//! The Service v3 endpoint `/service/v3` (PROTOCOL.md §5.3): a thin handler that bounds and
//! parses the envelope, hands `deliverSecure` to [`Intake`], and renders the receipt or the
//! fault. The caller is the organisation of the verified client certificate, never a value
//! from the body.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::lane::Lane;
use kuvert_web::CallerOrganisation;
use kuvert_web::cpu_pool::LANE_HEADER;
use kuvert_web::identity::CallerRejection;
use kuvert_wire::service::{self, ServiceRequest};
use kuvert_xmldsig::{ParseLimits, parse_document_with};

use crate::AppState;
use crate::domain::intake::VerifiedDelivery;
use crate::error::Error;
use crate::intake::Intake;
use kuvert_web::layers::soap_response;

/// `POST /service/v3`.
pub(crate) async fn service_v3(
    State(state): State<AppState>,
    caller: Result<CallerOrganisation, CallerRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(&state, caller, lane(&headers), body).await {
        Ok(envelope) => soap_response(StatusCode::OK, envelope),
        Err(error) => {
            let reason = error.reason();
            metrics::counter!("kuvert_operator_deliveries_rejected_total", "reason" => reason)
                .increment(1);
            error.to_soap_response()
        }
    }
}

async fn handle(
    state: &AppState,
    caller: Result<CallerOrganisation, CallerRejection>,
    lane: Lane,
    body: Body,
) -> Result<String, Error> {
    let CallerOrganisation(caller) = caller.map_err(|error| Error::NoCaller(error.to_string()))?;
    let max = state.envelope_bytes_max;
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| Error::TooLarge { max })?;
    let (intake, request, party) = (state.intake.clone(), bytes.clone(), caller.clone());
    let verified = state
        .cpu
        .run(lane, party, move || {
            read_request(&intake, &caller, &request, max)
        })
        .await
        .map_err(Error::Worker)??;
    let accepted = state.intake.accept(verified, bytes).await?;
    Ok(accepted.receipt_xml)
}

/// The lane a delivery waits in for its checks: `Kuvert-Lane: bulk` marks a mass mailing's
/// letter (Kuvert's sender toolkit sets it); anything else is a single letter. The protocol
/// has no such field, so senders that do not know the header are single letters, and their
/// callers still only get their turn among the others ([`kuvert_core::lane`]).
fn lane(headers: &HeaderMap) -> Lane {
    Lane::from_header(
        headers
            .get(LANE_HEADER)
            .and_then(|value| value.to_str().ok()),
    )
}

/// Parses the envelope, dispatches on its operation and, for `deliverSecure`, verifies and
/// reads the letter. Synchronous: the parsed tree is dropped before anything awaits.
fn read_request(
    intake: &Intake,
    caller: &OrganisationNumber,
    bytes: &Bytes,
    max: usize,
) -> Result<VerifiedDelivery, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8)?;
    let limits = ParseLimits {
        bytes_max: u64::try_from(max).unwrap_or(u64::MAX),
        ..ParseLimits::default()
    };
    let document = parse_document_with(text, &limits)?;
    match service::parse_request(&document)? {
        ServiceRequest::DeliverSecure(_) => intake.verify(&document, caller),
        ServiceRequest::Notify(_) => Err(Error::Unsupported("notify")),
        ServiceRequest::DeliverForward(_) => Err(Error::Unsupported("deliverForward")),
    }
}
