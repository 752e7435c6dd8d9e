//! [`StoreError`]: why a store could not load or append, with what a
//! caller can act on (retry or not, the row that no longer reads back).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::ids::AggregateId;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;

/// The source of a [`StoreError::Backend`]: any error, shared so that the
/// store error stays `Clone`.
pub type BackendSource = Arc<dyn std::error::Error + Send + Sync>;

/// A store could not load or append.
///
/// Only [`StoreError::Conflict`] and [`StoreError::Duplicate`] are part of
/// normal operation, and the [`Engine`](crate::engine::Engine) handles both;
/// it returns a conflict only after its retries ran out.
///
/// # JSON
///
/// Tagged by `kind` in snake_case, like every enum of the crate; a backend
/// error keeps its source's message (the source itself does not cross a
/// process):
///
/// ```
/// use billing_rules::engine::{StoreError, Version};
///
/// let err = StoreError::Conflict { expected: Version::new(3), actual: Version::new(4) };
/// let json = r#"{"kind":"conflict","expected":3,"actual":4}"#;
/// assert_eq!(serde_json::to_string(&err)?, json);
/// assert_eq!(serde_json::from_str::<StoreError>(json)?, err);
///
/// let down = StoreError::backend("connection reset");
/// let json = r#"{"kind":"backend","retryable":true,"message":"connection reset"}"#;
/// assert_eq!(serde_json::to_string(&down)?, json);
/// assert!(serde_json::from_str::<StoreError>(json)?.is_retryable());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "StoreErrorRepr", from = "StoreErrorRepr")]
#[non_exhaustive]
pub enum StoreError {
    /// The stream moved on since the command was decided; nothing was
    /// written.
    #[error(
        "conflict: the command was decided on version {expected} but the stream is at version \
         {actual}; nothing was written: load the aggregate again and decide again"
    )]
    Conflict {
        /// The version the command was decided on.
        expected: Version,
        /// The stream's version now.
        actual: Version,
    },
    /// The idempotency key is already recorded on this aggregate (the same
    /// command ran concurrently); nothing was written.
    #[error(
        "idempotency key `{key}` is already recorded on this aggregate; nothing was written: \
         return the recorded answer"
    )]
    Duplicate {
        /// The key.
        key: IdempotencyKey,
    },
    /// The store itself failed (a database error, out of memory).
    #[error(
        "the store failed: {source}; {}",
        if *retryable { "nothing was decided, sending the command again is safe" }
        else { "retrying will not help until the store is repaired" }
    )]
    Backend {
        /// True when sending the same command again may succeed (a lost
        /// connection, a serialization failure); with its key, a retry
        /// never applies a command twice.
        retryable: bool,
        /// What failed, from the store.
        #[source]
        source: BackendSource,
    },
    /// A stored row no longer reads back as the aggregate's data (a changed
    /// event shape, a hand-edited row): nothing was decided on it.
    #[error(
        "the stored {kind} `{id}` at version {version} does not read back: {reason}; \
         migrate the row or restore it"
    )]
    Data {
        /// The aggregate's kind.
        kind: String,
        /// The aggregate.
        id: AggregateId,
        /// The version of the row that does not read back.
        version: Version,
        /// Why it does not.
        reason: String,
    },
}

impl StoreError {
    /// A retryable failure of the store itself, from its message.
    pub fn backend(message: impl Into<String>) -> StoreError {
        StoreError::Backend {
            retryable: true,
            source: Arc::new(Message(message.into())),
        }
    }

    /// A failure of the store itself keeping its `source`.
    pub fn backend_from(
        retryable: bool,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Backend {
            retryable,
            source: Arc::new(source),
        }
    }

    /// True when sending the same command again may succeed: a conflict,
    /// a duplicate (the retry reads the recorded answer), or a backend
    /// error that says so.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Conflict { .. } | StoreError::Duplicate { .. } => true,
            StoreError::Backend { retryable, .. } => *retryable,
            StoreError::Data { .. } => false,
        }
    }
}

/// Two backend errors are equal when they say the same: their sources are
/// compared by message.
impl PartialEq for StoreError {
    fn eq(&self, other: &StoreError) -> bool {
        StoreErrorRepr::from(self.clone()) == StoreErrorRepr::from(other.clone())
    }
}

impl Eq for StoreError {}

/// A backend error's message when its source did not cross the process.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// [`StoreError`]'s JSON.
#[derive(PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoreErrorRepr {
    Conflict {
        expected: Version,
        actual: Version,
    },
    Duplicate {
        key: IdempotencyKey,
    },
    Backend {
        retryable: bool,
        message: String,
    },
    Data {
        aggregate_kind: String,
        id: AggregateId,
        version: Version,
        reason: String,
    },
}

impl From<StoreError> for StoreErrorRepr {
    fn from(error: StoreError) -> StoreErrorRepr {
        match error {
            StoreError::Conflict { expected, actual } => {
                StoreErrorRepr::Conflict { expected, actual }
            }
            StoreError::Duplicate { key } => StoreErrorRepr::Duplicate { key },
            StoreError::Backend { retryable, source } => StoreErrorRepr::Backend {
                retryable,
                message: source.to_string(),
            },
            StoreError::Data {
                kind,
                id,
                version,
                reason,
            } => StoreErrorRepr::Data {
                aggregate_kind: kind,
                id,
                version,
                reason,
            },
        }
    }
}

impl From<StoreErrorRepr> for StoreError {
    fn from(repr: StoreErrorRepr) -> StoreError {
        match repr {
            StoreErrorRepr::Conflict { expected, actual } => {
                StoreError::Conflict { expected, actual }
            }
            StoreErrorRepr::Duplicate { key } => StoreError::Duplicate { key },
            StoreErrorRepr::Backend { retryable, message } => StoreError::Backend {
                retryable,
                source: Arc::new(Message(message)),
            },
            StoreErrorRepr::Data {
                aggregate_kind: kind,
                id,
                version,
                reason,
            } => StoreError::Data {
                kind,
                id,
                version,
                reason,
            },
        }
    }
}
