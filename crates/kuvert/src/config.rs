//! Configuration loading, the one place that reads files and the environment for it
//! (STYLE.md §8): each role's serde defaults, then a TOML file, then `KUVERT_<ROLE>__<KEY>`
//! environment variables (`__` nests further), deserialised into the role's typed `Config`.
//!
//! The role prefix keeps unrelated `KUVERT_…` variables (such as the test switches
//! `KUVERT_TEST_*`) away from configurations that deny unknown keys.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::de::DeserializeOwned;

/// Which role a configuration belongs to; names the environment prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `KUVERT_REGISTRY__…`
    Registry,
    /// `KUVERT_OPERATOR__…`
    Operator,
    /// `KUVERT_PORTAL__…`
    Portal,
    /// `KUVERT_SENDER__…`
    Sender,
    /// `KUVERT_INTERMEDIARY__…` (`kuvert intermediary serve`)
    Intermediary,
}

impl Role {
    /// The environment prefix of this role, e.g. `KUVERT_REGISTRY__`.
    #[must_use]
    pub fn env_prefix(self) -> &'static str {
        match self {
            Self::Registry => "KUVERT_REGISTRY__",
            Self::Operator => "KUVERT_OPERATOR__",
            Self::Portal => "KUVERT_PORTAL__",
            Self::Sender => "KUVERT_SENDER__",
            Self::Intermediary => "KUVERT_INTERMEDIARY__",
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named on the command line does not exist.
    #[error("configuration file {path} does not exist")]
    Missing {
        /// The file.
        path: String,
    },
    /// A value is missing, has the wrong type or is unknown; figment's message names the key
    /// and where the value came from (file or environment variable).
    #[error("configuration: {0}")]
    Invalid(Box<figment::Error>),
}

/// Loads `T` from its defaults, `file` (TOML, when given) and the role's environment.
///
/// # Errors
/// [`ConfigError::Missing`] for a named file that does not exist; [`ConfigError::Invalid`]
/// naming the key of a missing, ill-typed or unknown value.
pub fn load<T: DeserializeOwned>(role: Role, file: Option<&Path>) -> Result<T, ConfigError> {
    let mut figment = Figment::new();
    if let Some(path) = file {
        if !path.exists() {
            return Err(ConfigError::Missing {
                path: path.display().to_string(),
            });
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(Env::prefixed(role.env_prefix()).split("__"));
    figment
        .extract()
        .map_err(|error| ConfigError::Invalid(Box::new(error)))
}

#[cfg(test)]
mod tests;
