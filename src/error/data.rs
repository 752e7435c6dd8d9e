//! [`DataError`]: recorded data that breaks an invariant.

use serde::{Deserialize, Serialize};

/// Recorded data that cannot be read as it is: a history handed to a
/// constructor (or deserialized) that breaks an invariant the crate relies
/// on, such as two orders with one id.
///
/// Unlike a [`Refusal`](crate::Refusal), no rule said no to a command: the data itself is
/// inconsistent and must be repaired where it is stored. Names where
/// (`orders[17].id`), what is wrong, and what the data must look like.
///
/// ```
/// use billing_rules::DataError;
///
/// let err = DataError::new(
///     "orders[17].id",
///     "order id A-1 is already used by orders[3]",
///     "one order per id",
/// );
/// assert_eq!(
///     err.to_string(),
///     "invalid data: `orders[17].id`: order id A-1 is already used by orders[3]; \
///      allowed: one order per id"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("invalid data: `{field}`: {problem}; allowed: {allowed}")]
#[non_exhaustive]
pub struct DataError {
    /// The path of the offending entry, e.g. `orders[17].id`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
    /// What the data must look like instead.
    pub allowed: String,
}

impl DataError {
    /// A data error at `field`.
    pub fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> DataError {
        DataError {
            field: field.into(),
            problem: problem.into(),
            allowed: allowed.into(),
        }
    }
}
