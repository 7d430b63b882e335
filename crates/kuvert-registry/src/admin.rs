//! Administration of the registry's directory (called by `kuvert registry admin …` and by the
//! demo's seed; there is no HTTP for it): operators, senders, intermediaries with the senders
//! each may deliver for, and company signatory rules (seed data standing in for
//! Bolagsverket).

use std::collections::BTreeSet;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, SenderRecord,
};
use url::Url;

use crate::error::Error;
use crate::registry::Registry;

/// A mailbox operator to add or update.
#[derive(Debug, Clone)]
pub struct NewOperator {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Display name (`ServiceSupplier/Name`).
    pub name: String,
    /// The operator's internet domain, the `ServiceSupplier` value operators send.
    pub domain: ServiceDomain,
    /// Where förmedlare deliver (`ServiceAdress`, `https://…/service/v3`).
    pub service_address: String,
    /// The web inbox (`UIAdress`).
    pub ui_address: Option<String>,
}

/// Adds a mailbox operator or replaces its name, domain and addresses.
///
/// # Errors
/// `InvalidInput` naming the field for a bad URL or name, or a service address that
/// is not `https://` (letters travel only over mutual TLS); `AlreadyExists` when another
/// operator has the domain.
pub async fn add_operator(registry: &Registry, operator: NewOperator) -> Result<(), Error> {
    let record = OperatorRecord {
        id: operator.id,
        name: checked_name(&operator.name)?,
        service_address: parse_service_url(&operator.service_address)?,
        ui_address: operator
            .ui_address
            .as_deref()
            .map(|url| parse_url("ui_address", url))
            .transpose()?,
        domain: operator.domain,
    };
    Ok(registry.store().upsert_operator(&record).await?)
}

/// Adds a sender (avsändare) or renames it.
///
/// # Errors
/// `InvalidInput` for a name outside 2..=256 characters.
pub async fn add_sender(
    registry: &Registry,
    id: OrganisationNumber,
    name: &str,
) -> Result<(), Error> {
    let record = SenderRecord {
        id,
        name: checked_name(name)?,
    };
    Ok(registry.store().upsert_sender(&record).await?)
}

/// Adds an intermediary (förmedlare) or replaces its name and the senders it may deliver for.
///
/// # Errors
/// `NotFound("sender")` when one of `senders` is not a registered sender.
pub async fn add_intermediary(
    registry: &Registry,
    id: OrganisationNumber,
    name: &str,
    senders: BTreeSet<OrganisationNumber>,
) -> Result<(), Error> {
    let record = IntermediaryRecord {
        id,
        name: checked_name(name)?,
        senders,
    };
    Ok(registry.store().upsert_intermediary(&record).await?)
}

/// Adds or replaces a company's signatory rule ("en av", "två i förening").
///
/// # Errors
/// `InvalidInput` when the rule needs no signature or more than it lists.
pub async fn add_company_rule(
    registry: &Registry,
    rule: CompanySignatoryRule,
) -> Result<(), Error> {
    let required = usize::try_from(rule.signatures_required).unwrap_or(usize::MAX);
    if required == 0 || required > rule.signatories.len() {
        let reason = "signatures_required must be 1..=number of signatories";
        return Err(Error::InvalidInput(reason.to_owned()));
    }
    Ok(registry
        .store()
        .upsert_company_signatory_rule(&rule)
        .await?)
}

/// Every operator.
///
/// # Errors
/// `Internal` when storage fails.
pub async fn list_operators(registry: &Registry) -> Result<Vec<OperatorRecord>, Error> {
    Ok(registry.store().operators().await?)
}

/// Every sender.
///
/// # Errors
/// `Internal` when storage fails.
pub async fn list_senders(registry: &Registry) -> Result<Vec<SenderRecord>, Error> {
    Ok(registry.store().senders().await?)
}

/// Every intermediary with its senders.
///
/// # Errors
/// `Internal` when storage fails.
pub async fn list_intermediaries(registry: &Registry) -> Result<Vec<IntermediaryRecord>, Error> {
    Ok(registry.store().intermediaries().await?)
}

/// A company's signatory rule.
///
/// # Errors
/// `NotFound("company signatory rule")`.
pub async fn company_rule(
    registry: &Registry,
    company: &OrganisationNumber,
) -> Result<CompanySignatoryRule, Error> {
    registry
        .store()
        .company_signatory_rule(company)
        .await?
        .ok_or(Error::NotFound("company signatory rule"))
}

fn checked_name(name: &str) -> Result<String, Error> {
    let length = name.chars().count();
    let (min, max) = (
        kuvert_core::limits::SENDER_NAME_CHARS_MIN,
        kuvert_core::limits::SENDER_NAME_CHARS_MAX,
    );
    if (min..=max).contains(&length) {
        Ok(name.to_owned())
    } else {
        Err(Error::InvalidInput(format!(
            "name must be {min}..={max} characters"
        )))
    }
}

fn parse_url(field: &'static str, text: &str) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|error| Error::InvalidInput(format!("{field}: {error}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::InvalidInput(format!(
            "{field}: must be an http(s) URL"
        )));
    }
    Ok(url)
}

/// The `deliverSecure` address: an `https://` URL, since the operator's service is reached
/// only over mutual TLS (PROTOCOL.md §8).
fn parse_service_url(text: &str) -> Result<Url, Error> {
    let url = parse_url("service_address", text)?;
    if url.scheme() != "https" {
        return Err(Error::InvalidInput(format!(
            "service_address: must be an https:// URL (deliveries use mutual TLS), not {text}"
        )));
    }
    Ok(url)
}

/// An intermediary to add, with the senders it may deliver for.
#[derive(Debug, Clone)]
pub struct NewIntermediary {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Display name.
    pub name: String,
    /// Senders it may deliver for; each must be a registered sender.
    pub senders: BTreeSet<OrganisationNumber>,
}

/// A whole directory to load at once (the demo's and tests' seed data).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Mailbox operators.
    pub operators: Vec<NewOperator>,
    /// Senders, as `(organisation number, name)`.
    pub senders: Vec<(OrganisationNumber, String)>,
    /// Intermediaries with their senders.
    pub intermediaries: Vec<NewIntermediary>,
    /// Company signatory rules.
    pub company_rules: Vec<CompanySignatoryRule>,
}

/// Loads `directory` in dependency order (operators, senders, intermediaries, rules). Every
/// entry is an upsert, so seeding twice leaves the same directory.
///
/// # Errors
/// The first entry that fails, as [`add_operator`] and the other admin functions report it.
pub async fn seed(registry: &Registry, directory: Directory) -> Result<(), Error> {
    for operator in directory.operators {
        add_operator(registry, operator).await?;
    }
    for (id, name) in directory.senders {
        add_sender(registry, id, &name).await?;
    }
    for intermediary in directory.intermediaries {
        add_intermediary(
            registry,
            intermediary.id,
            &intermediary.name,
            intermediary.senders,
        )
        .await?;
    }
    for rule in directory.company_rules {
        add_company_rule(registry, rule).await?;
    }
    Ok(())
}
