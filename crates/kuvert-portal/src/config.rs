//! [`Config`]: what the portal shows, as the binary loads it.

use kuvert_core::limits::PORTAL_OPERATORS_MAX;

use crate::StartError;

/// The portal's configuration.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The connected mailbox operators, in the order the chooser shows them. Required: a
    /// portal without operators cannot help anyone get a mailbox.
    pub operators: Vec<PortalOperator>,
}

/// One mailbox operator as the chooser shows it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalOperator {
    /// The operator's name, e.g. "Demobrevlådan".
    pub name: String,
    /// One or two sentences in Swedish about the operator's mailbox.
    pub description_sv: String,
    /// The same in English.
    pub description_en: String,
    /// Where the operator's sign-up ("skaffa digital brevlåda") starts.
    pub signup_url: url::Url,
}

impl Config {
    pub(crate) fn check(&self) -> Result<(), StartError> {
        if self.operators.is_empty() {
            return Err(StartError::Config {
                key: "operators",
                reason: "at least one mailbox operator is needed".to_owned(),
            });
        }
        if self.operators.len() > PORTAL_OPERATORS_MAX {
            return Err(StartError::Config {
                key: "operators",
                reason: format!("at most {PORTAL_OPERATORS_MAX} operators"),
            });
        }
        for operator in &self.operators {
            if !matches!(operator.signup_url.scheme(), "http" | "https") {
                return Err(StartError::Config {
                    key: "operators.signup_url",
                    reason: format!("{} is not an http(s) address", operator.signup_url),
                });
            }
        }
        Ok(())
    }
}
