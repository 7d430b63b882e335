//! `StoreError`: the one error type callers of the store see. It names what was missing or
//! clashing and hides everything about SQL, files and drivers behind `Internal`.

use std::error::Error as StdError;

/// Why a store operation failed.
///
/// Callers branch on `NotFound`, `Conflict`, `TooMany` and `OutOfBounds`; everything else is
/// `Internal`, whose source chain (logged once where it becomes a response) carries the
/// driver's details.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named thing does not exist (or is not visible to the caller, e.g. a letter in another
    /// person's mailbox: the store never tells the two apart).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `"profile"`.
        what: &'static str,
    },
    /// The named thing already exists or is in a state that forbids the change.
    #[error("{what} already exists or is in a conflicting state")]
    Conflict {
        /// What clashed, e.g. `"profile"`.
        what: &'static str,
    },
    /// A batch is larger than the store accepts in one query.
    #[error("batch of {count} ids exceeds the maximum of {max}")]
    TooMany {
        /// Ids in the batch.
        count: usize,
        /// The bound, from `kuvert_core::limits`.
        max: usize,
    },
    /// A value is outside the bounds the store accepts (a text too long, a range too wide, a
    /// number out of range); `what` names the value, never its content.
    #[error("{what} is outside the accepted bounds")]
    OutOfBounds {
        /// Which value, e.g. `"campaign name"`.
        what: &'static str,
    },
    /// The database, the blob store or stored data failed; the source says how.
    #[error("storage failed: {context}")]
    Internal {
        /// What the store was doing, without data or SQL.
        context: &'static str,
        /// The underlying failure.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}

impl StoreError {
    /// Wraps any failure as `Internal` with a short description of the step.
    pub(crate) fn internal(
        context: &'static str,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self::Internal {
            context,
            source: source.into(),
        }
    }
}

/// Stored text that no longer parses as the type it was written as: the database was edited
/// by hand or is corrupt. Reported as `Internal`, never as the caller's fault.
#[derive(Debug, thiserror::Error)]
#[error("column {column} holds a value that does not parse")]
pub(crate) struct CorruptColumn {
    pub(crate) column: &'static str,
}

/// Adds `.context("step")` to sqlx results, turning driver errors into `StoreError::Internal`.
pub(crate) trait SqlContext<T> {
    fn context(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> SqlContext<T> for Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|error| StoreError::internal(context, error))
    }
}
