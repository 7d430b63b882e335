//! The REST/JSON API under `/api/v1`, mirroring the SOAP operations (reachability, profiles,
//! signed changes, directory), and its OpenAPI document at `/openapi.json` (utoipa; no UI).
//! Errors are problem+json (RFC 9457) carrying the MM code and CallId. The caller is the
//! organisation of the verified client certificate, exactly as for SOAP.

mod model;
mod statistics;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::RegistrationSource;
use kuvert_web::CallerOrganisation;
use kuvert_web::identity::CallerRejection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use model::{
    IntermediaryView, OperatorView, OutcomeView, ReachabilityRequest, RecipientStatus,
    RegistrationsRequest, SenderView, SignatureDataJson, SignedChangeJson,
};

use crate::AppState;
use crate::error::{Error, SignedFor};
use crate::registry::{SignedChange, SigningOutcome};

/// The routes of the REST API (state: [`AppState`]).
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/reachability", post(reachability))
        .route("/api/v1/registrations", post(registrations))
        .route("/api/v1/profiles/register", post(register))
        .route("/api/v1/profiles/change-operator", post(change_operator))
        .route("/api/v1/profiles/deregister", post(deregister))
        .route("/api/v1/profiles/preferences", post(preferences))
        .route("/api/v1/senders", get(senders))
        .route("/api/v1/intermediaries", get(intermediaries))
        .route("/api/v1/operators", get(operators))
        .route("/openapi.json", get(openapi))
        .merge(statistics::routes())
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Kuvert Förmedlingsadressregistret (FaR)", version = "1"),
    paths(
        reachability,
        registrations,
        register,
        change_operator,
        deregister,
        preferences,
        senders,
        intermediaries,
        operators
    )
)]
struct ApiDoc;

/// The OpenAPI document with the configured public URL as its server.
async fn openapi(State(state): State<AppState>) -> Response {
    let mut document = ApiDoc::openapi();
    document.merge(statistics::StatisticsApi::openapi());
    document.servers = Some(vec![utoipa::openapi::Server::new(
        state.public_url.as_str(),
    )]);
    Json(document).into_response()
}

pub(super) type Caller = Result<CallerOrganisation, CallerRejection>;

/// A REST call with a JSON body: the calling organisation, checked first, and the body, read
/// up to the configured bound and parsed. Either failure is answered as problem+json, exactly
/// as [`respond`] answers an error.
pub(super) struct JsonCall<T> {
    caller: OrganisationNumber,
    request: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonCall<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let caller = CallerOrganisation::from_request_parts(&mut parts, state).await;
        let call = async {
            let caller = caller_number(caller)?;
            let request = read_json(body, state.body_bytes_max).await?;
            Ok(Self { caller, request })
        };
        call.await.map_err(|error: Error| error.to_problem())
    }
}

/// Reachability of up to 1000 recipients for a sender (isReachable).
#[utoipa::path(post, path = "/api/v1/reachability", request_body = ReachabilityRequest,
    responses((status = 200, body = Vec<RecipientStatus>), (status = 403), (status = 413)))]
async fn reachability(
    State(state): State<AppState>,
    call: JsonCall<ReachabilityRequest>,
) -> Response {
    let JsonCall { caller, request } = call;
    let answers = state
        .registry
        .is_reachable(&caller, &request.sender, &request.recipients);
    respond_list(answers.await, RecipientStatus::from_answer)
}

/// Profiles of up to 1000 recipients (isRegistered).
#[utoipa::path(post, path = "/api/v1/registrations", request_body = RegistrationsRequest,
    responses((status = 200, body = Vec<RecipientStatus>), (status = 403)))]
async fn registrations(
    State(state): State<AppState>,
    call: JsonCall<RegistrationsRequest>,
) -> Response {
    let JsonCall { caller, request } = call;
    let answers = state.registry.is_registered(&caller, &request.recipients);
    respond_list(answers.await, RecipientStatus::from_answer)
}

/// Register a profile at the calling operator, with the recipient's e-ID signature.
#[utoipa::path(post, path = "/api/v1/profiles/register", request_body = SignedChangeJson,
    responses((status = 200, body = OutcomeView), (status = 403), (status = 409)))]
async fn register(State(state): State<AppState>, call: JsonCall<SignedChangeJson>) -> Response {
    let JsonCall { caller, request } = call;
    let outcome = async {
        let domain = required_domain(&request)?;
        let source = request.source.as_ref().map(source).transpose()?;
        let change = signed_change(&request)?;
        state
            .registry
            .register(&caller, &domain, change, source)
            .await
    };
    respond_outcome(outcome.await)
}

/// Move a profile to the calling operator, with the recipient's e-ID signature.
#[utoipa::path(post, path = "/api/v1/profiles/change-operator", request_body = SignedChangeJson,
    responses((status = 200, body = OutcomeView), (status = 403), (status = 404),
        (status = 409, description = "The e-ID signature was already used")))]
async fn change_operator(
    State(state): State<AppState>,
    call: JsonCall<SignedChangeJson>,
) -> Response {
    let JsonCall { caller, request } = call;
    let outcome = async {
        let domain = required_domain(&request)?;
        let change = signed_change(&request)?;
        state
            .registry
            .change_operator(&caller, &domain, change)
            .await
    };
    respond_outcome(outcome.await)
}

/// Close a profile held by the calling operator, with the recipient's e-ID signature.
#[utoipa::path(post, path = "/api/v1/profiles/deregister", request_body = SignedChangeJson,
    responses((status = 200, body = OutcomeView), (status = 403), (status = 404),
        (status = 409, description = "The e-ID signature was already used")))]
async fn deregister(State(state): State<AppState>, call: JsonCall<SignedChangeJson>) -> Response {
    let JsonCall { caller, request } = call;
    let outcome = async {
        let change = signed_change(&request)?;
        state.registry.deregister(&caller, change).await
    };
    respond_outcome(outcome.await)
}

/// Store reception rules: the accepted senders (all others are deselected).
#[utoipa::path(post, path = "/api/v1/profiles/preferences", request_body = SignedChangeJson,
    responses((status = 200, body = OutcomeView), (status = 403), (status = 404),
        (status = 409, description = "The e-ID signature was already used")))]
async fn preferences(State(state): State<AppState>, call: JsonCall<SignedChangeJson>) -> Response {
    let JsonCall { caller, request } = call;
    let accepted = request.accepted_senders.iter().flatten().cloned();
    let accepted: Vec<RecipientId> = accepted.map(RecipientId::Organisation).collect();
    let outcome = async {
        let change = signed_change(&request)?;
        let rules = state
            .registry
            .store_reception_rules(&caller, &accepted, change);
        rules.await
    };
    respond_outcome(outcome.await)
}

/// Every connected sender.
///
/// Answered to any organisation with a verified certificate of the federation, known to the
/// registry or not: who sends digital mail is public (the portal lists it for everyone).
/// The Authority service's SOAP `getSenders` answers only organisations the registry knows.
#[utoipa::path(get, path = "/api/v1/senders",
    description = "Every connected sender. Answered to any organisation with a verified \
        certificate of the federation, known to the registry or not: who sends digital mail \
        is public. (The SOAP getSenders answers only organisations the registry knows.)",
    responses((status = 200, body = Vec<SenderView>),
        (status = 403, description = "No verified organisation certificate")))]
async fn senders(State(state): State<AppState>, caller: Caller) -> Response {
    let records = async {
        // Any verified organisation certificate: the caller needs no role here.
        caller_number(caller)?;
        state.registry.connected_senders().await
    };
    respond_list(records.await, |record| SenderView::from_record(&record))
}

/// Every intermediary with its senders.
#[utoipa::path(get, path = "/api/v1/intermediaries",
    responses((status = 200, body = Vec<IntermediaryView>)))]
async fn intermediaries(State(state): State<AppState>, caller: Caller) -> Response {
    let records = async { state.registry.intermediaries(&caller_number(caller)?).await };
    respond_list(records.await, |record| {
        IntermediaryView::from_record(&record)
    })
}

/// Every mailbox operator.
#[utoipa::path(get, path = "/api/v1/operators",
    responses((status = 200, body = Vec<OperatorView>)))]
async fn operators(State(state): State<AppState>, caller: Caller) -> Response {
    let records = async { state.registry.operators(&caller_number(caller)?).await };
    respond_list(records.await, |record| OperatorView::from_record(&record))
}

/// The calling organisation, or an access-denied error naming why there is none.
pub(crate) fn caller_number(caller: Caller) -> Result<OrganisationNumber, Error> {
    caller
        .map(|CallerOrganisation(number)| number)
        .map_err(|rejection| Error::NoCaller(rejection.to_string()))
}

pub(super) fn respond<T: Serialize>(result: Result<T, Error>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.to_problem(),
    }
}

/// Answers a list, each item in its REST view, or the error as problem+json.
fn respond_list<R, V: Serialize>(result: Result<Vec<R>, Error>, view: impl Fn(R) -> V) -> Response {
    respond(result.map(|items| items.into_iter().map(view).collect::<Vec<_>>()))
}

/// Answers a signed change with its outcome, or the error as problem+json.
fn respond_outcome(outcome: Result<SigningOutcome, Error>) -> Response {
    respond(outcome.map(|outcome| OutcomeView::from_outcome(&outcome)))
}

pub(super) async fn read_json<T: DeserializeOwned>(body: Body, max: usize) -> Result<T, Error> {
    let bytes = crate::soap::read_body(body, max).await?;
    serde_json::from_slice(&bytes).map_err(|error| Error::InvalidInput(error.to_string()))
}

fn required_domain(request: &SignedChangeJson) -> Result<ServiceDomain, Error> {
    let domain = request
        .operator_domain
        .as_deref()
        .ok_or_else(|| Error::InvalidInput("operator_domain is required".to_owned()))?;
    ServiceDomain::parse(domain)
        .map_err(|error| Error::InvalidInput(format!("ServiceSupplier: {error}")))
}

fn source(source: &model::SourceJson) -> Result<RegistrationSource, Error> {
    let campaign = source
        .campaign
        .as_deref()
        .map(CampaignCode::parse)
        .transpose()
        .map_err(|error| Error::InvalidInput(format!("source.campaign: {error}")))?;
    Ok(RegistrationSource {
        sender: source.sender.clone(),
        campaign,
    })
}

fn signed_change(request: &SignedChangeJson) -> Result<SignedChange, Error> {
    let signatures = request
        .signatures
        .iter()
        .map(|signature: &SignatureDataJson| {
            let fields = kuvert_eid::signature::SignatureDataFields {
                signature: signature.signature.clone(),
                certificate: signature.certificate.clone(),
                nonce: Some(signature.nonce.clone()),
                encoding_of_signed_text: None,
            };
            kuvert_eid::SignatureData::from_fields(&fields).map_err(|error| Error::Signature {
                reason: error.to_string(),
                signed_for: SignedFor::OtherChange,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if signatures.is_empty() {
        return Err(Error::InvalidInput(
            "at least one signature is required".to_owned(),
        ));
    }
    Ok(SignedChange {
        recipient: request.recipient.clone(),
        user: request.user.clone(),
        agreement_text: request.agreement_text.clone(),
        signatures,
    })
}
