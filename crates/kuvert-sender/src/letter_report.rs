//! Reporting a sender's letters of a month to the registry's statistics
//! (`POST /api/v1/statistics/letters`, issue 5): how many went to digital mailboxes and how
//! many on paper, which the portal's dashboards chart as letters, paper and postage saved.
//!
//! The registry serves its REST API on the same origin as its SOAP endpoints, so the address
//! is the configured `registry_url` with the path replaced. The answer is bounded and read as
//! JSON; a refusal is the registry's problem+json, turned into [`SendError::Fault`].
//! `reporter`: the sender service's and the intermediary's background reporter, which reports
//! their letters once each from their databases.

pub(crate) mod reporter;

use kuvert_core::calendar::YearMonth;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::LETTER_REPORT_ANSWER_BYTES_MAX;
use kuvert_web::BodyError;
use kuvert_wire::fault::{CallId, FaultCode};
use url::Url;

use crate::error::{Peer, SendError};

/// Path of the letters report on the registry.
const LETTERS_PATH: &str = "/api/v1/statistics/letters";

/// Letters of one sender and month: what is reported, and the month's totals answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LetterReport {
    /// The sender.
    pub sender: OrganisationNumber,
    /// The month (`YYYY-MM`).
    pub month: YearMonth,
    /// Delivered to digital mailboxes.
    pub digital: u64,
    /// Sent on paper.
    pub paper: u64,
}

/// The registry's problem+json, as far as the toolkit reads it.
#[derive(serde::Deserialize)]
struct Problem {
    code: u16,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    call_id: String,
}

/// The letters report's address on the registry at `registry_url`.
pub(crate) fn letters_url(registry_url: &Url) -> Url {
    let mut url = registry_url.clone();
    url.set_path(LETTERS_PATH);
    url.set_query(None);
    url
}

/// POSTs `report` and reads the month's totals.
pub(crate) async fn post_report(
    client: &reqwest::Client,
    url: &Url,
    report: &LetterReport,
) -> Result<LetterReport, SendError> {
    let unreachable = |source| SendError::RegistryUnreachable {
        url: url.to_string(),
        source,
    };
    let response = client
        .post(url.clone())
        .json(report)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = kuvert_web::read_body(response, LETTER_REPORT_ANSWER_BYTES_MAX as u64)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge { max } => bad_response(format!("answer over {max} bytes")),
            BodyError::Http(source) => unreachable(source),
        })?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|error| bad_response(format!("http {status}: {error}")));
    }
    let problem: Problem = serde_json::from_slice(&body)
        .map_err(|error| bad_response(format!("http {status}: {error}")))?;
    let unreadable = |reason: &str| bad_response(format!("http {status}: {reason}"));
    Err(SendError::Fault {
        peer: Peer::Registry,
        code: FaultCode::new(problem.code).map_err(unreadable)?,
        description: problem.detail,
        call_id: CallId::parse(&problem.call_id).map_err(unreadable)?,
    })
}

fn bad_response(reason: String) -> SendError {
    SendError::BadResponse {
        peer: Peer::Registry,
        reason,
    }
}
