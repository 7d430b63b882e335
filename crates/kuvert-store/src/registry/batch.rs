//! The batch lookups `isReachable` and `isRegistered`: up to 1 000 ids in one statement that
//! answers with one row.
//!
//! A sender asks about a national mailing 1 000 ids at a time, so the per-id cost decides
//! the registry's throughput (issue 14). Measured with `perf` on the reachability benchmark,
//! a statement with one `$n` per id spent its time binding (SQLite looks parameter names up
//! in a list, so binding 1 000 is quadratic), copying each result row and its columns between
//! the driver's thread and the caller, and parsing each row's operator URLs again. Here the
//! ids go in as one JSON array (`json_each` on SQLite, `json_array_elements_text` on
//! PostgreSQL, both probing the primary key once per id) and the database answers with one
//! row: a JSON array of the found profiles and one of the few operators.

use std::collections::HashMap;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{OperatorRecord, ProfileRecord, ProfileStatus, RegistrationSource};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe, Row};
use url::Url;

use super::ProfileKind;
use super::records::DbText;
use crate::database::{Backend, from_millis};
use crate::error::{CorruptColumn, SqlContext, StoreError};

/// One found profile as the database's JSON array lists it: recipient, operator, status,
/// registered at, source sender, source campaign, reception rules changed at (unix
/// milliseconds) and whether the asking sender is deselected (0 or 1).
#[derive(Debug, serde::Deserialize)]
struct FoundRow(
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    u8,
);

/// A found profile, decoded, with its operator.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) profile: ProfileRecord,
    pub(super) operator: OperatorRecord,
    pub(super) is_sender_deselected: bool,
    pub(super) reception_changed_at: Option<time::OffsetDateTime>,
}

/// The found profiles among `recipients`, by wire form, with whether `sender` (when given)
/// is deselected. `TooMany` above `max` ids; duplicates are answered once.
pub(super) async fn lookup(
    pool: &AnyPool,
    backend: Backend,
    sender: Option<&OrganisationNumber>,
    recipients: &[RecipientId],
    max: usize,
) -> Result<HashMap<String, Found>, StoreError> {
    if recipients.len() > max {
        return Err(StoreError::TooMany {
            count: recipients.len(),
            max,
        });
    }
    if recipients.is_empty() {
        return Ok(HashMap::new());
    }
    let wire: Vec<String> = recipients.iter().map(RecipientId::to_wire).collect();
    let ids = serde_json::to_string(&wire)
        .map_err(|error| StoreError::internal("encode recipient ids", error))?;
    let sender = sender.map_or("", OrganisationNumber::as_str);
    let row = sqlx::query(AssertSqlSafe(lookup_sql(backend)))
        .bind(sender)
        .bind(ids)
        .fetch_one(pool)
        .await
        .context("look up profiles")?;
    let operators: Vec<OperatorRow> = json_column(&row, "operators")?;
    let operators = operators
        .into_iter()
        .map(|operator| {
            let operator = operator.decode()?;
            Ok((operator.id.as_str().to_owned(), operator))
        })
        .collect::<Result<HashMap<_, _>, StoreError>>()?;
    let found: Vec<FoundRow> = json_column(&row, "found")?;
    found
        .into_iter()
        .map(|row| {
            let recipient = row.0.clone();
            Ok((recipient, decode(row, &operators)?))
        })
        .collect()
}

/// The statement for `backend`: `$1` the asking sender (empty for none), `$2` the ids as a
/// JSON array of strings. One row: `found`, a JSON array of [`FoundRow`]s, and `operators`,
/// one of [`OperatorRow`]s (a handful), read in the same statement so every operator a
/// found profile names is there.
fn lookup_sql(backend: Backend) -> String {
    let found = "p.recipient, p.operator, p.status, p.registered_at, p.source_sender, \
         p.source_campaign, p.reception_changed_at, \
         CASE WHEN d.sender IS NULL THEN 0 ELSE 1 END";
    let operators = "o.organisation_number, o.name, o.service_address, o.ui_address, o.domain";
    let (found, operators, ids) = match backend {
        Backend::Sqlite => (
            format!("json_group_array(json_array({found}))"),
            format!("json_group_array(json_array({operators}))"),
            "SELECT value FROM json_each($2)",
        ),
        Backend::Postgres => (
            format!("CAST(COALESCE(json_agg(json_build_array({found})), '[]') AS TEXT)"),
            format!("CAST(COALESCE(json_agg(json_build_array({operators})), '[]') AS TEXT)"),
            "SELECT json_array_elements_text(CAST($2 AS JSON))",
        ),
    };
    format!(
        "SELECT (SELECT {found} FROM profiles p \
         LEFT JOIN deselected_senders d ON d.recipient = p.recipient AND d.sender = $1 \
         WHERE p.recipient IN ({ids})) AS found, \
         (SELECT {operators} FROM operators o) AS operators"
    )
}

/// A text column holding a JSON array, decoded.
fn json_column<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &'static str,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column).context("read looked-up profiles")?;
    serde_json::from_str(&text)
        .map_err(|_| StoreError::internal("decode row", CorruptColumn { column }))
}

/// One operator as the JSON array lists it: organisation number, name, service address, web
/// inbox address and internet domain.
#[derive(Debug, serde::Deserialize)]
struct OperatorRow(String, String, String, Option<String>, String);

impl OperatorRow {
    fn decode(self) -> Result<OperatorRecord, StoreError> {
        let Self(id, name, service_address, ui_address, domain) = self;
        let corrupt = |column| StoreError::internal("decode row", CorruptColumn { column });
        Ok(OperatorRecord {
            id: OrganisationNumber::parse(&id).map_err(|_| corrupt("organisation_number"))?,
            name,
            service_address: Url::parse(&service_address)
                .map_err(|_| corrupt("service_address"))?,
            ui_address: ui_address
                .map(|address| Url::parse(&address))
                .transpose()
                .map_err(|_| corrupt("ui_address"))?,
            domain: ServiceDomain::parse(&domain).map_err(|_| corrupt("domain"))?,
        })
    }
}

fn decode(row: FoundRow, operators: &HashMap<String, OperatorRecord>) -> Result<Found, StoreError> {
    let FoundRow(recipient, operator, status, registered_at, sender, campaign, changed, flag) = row;
    let corrupt = |column| StoreError::internal("decode row", CorruptColumn { column });
    let recipient = RecipientId::parse(&recipient).map_err(|_| corrupt("recipient"))?;
    let operator = operators
        .get(&operator)
        .ok_or_else(|| corrupt("operator"))?
        .clone();
    let source = match sender {
        Some(sender) => Some(RegistrationSource {
            sender: OrganisationNumber::parse(&sender).map_err(|_| corrupt("source_sender"))?,
            campaign: campaign
                .map(|code| kuvert_core::campaign::CampaignCode::parse(&code))
                .transpose()
                .map_err(|_| corrupt("source_campaign"))?,
        }),
        None => None,
    };
    let reception_changed_at = match changed {
        Some(millis) => Some(from_millis(millis).ok_or_else(|| corrupt("reception_changed_at"))?),
        None => None,
    };
    Ok(Found {
        profile: ProfileRecord {
            kind: ProfileKind::of(&recipient),
            recipient,
            operator: operator.id.clone(),
            status: ProfileStatus::from_db(&status).ok_or_else(|| corrupt("status"))?,
            registered_at: from_millis(registered_at).ok_or_else(|| corrupt("registered_at"))?,
            source,
        },
        operator,
        is_sender_deselected: match flag {
            0 => false,
            1 => true,
            _ => return Err(corrupt("is_deselected")),
        },
        reception_changed_at,
    })
}
