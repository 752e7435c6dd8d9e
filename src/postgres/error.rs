//! How the driver's and the pool's errors become [`StoreError`]s a caller
//! can act on: retry when the database says retrying may succeed.

use tokio_postgres::error::SqlState;

use crate::engine::{AggregateId, StoreError, Version};

/// A driver error as a [`StoreError::Backend`], retryable when the failure
/// is the connection's or the database's momentary state (a lost or
/// refused connection, a server shutting down, a serialization failure, a
/// deadlock, exhausted resources), not the statement's.
pub(crate) fn backend(error: tokio_postgres::Error) -> StoreError {
    let retryable = is_retryable(&error);
    StoreError::backend_from(retryable, error)
}

/// True when sending the same command again may succeed.
fn is_retryable(error: &tokio_postgres::Error) -> bool {
    match error.code() {
        // No SQLSTATE: the connection itself failed (closed, reset,
        // refused) before or while the server answered; anything else
        // without one (a value the driver could not convert) is ours.
        None => {
            error.is_closed()
                || std::error::Error::source(error)
                    .is_some_and(|source| source.is::<std::io::Error>())
        }
        Some(code) => {
            let class = code.code().get(..2).unwrap_or_default();
            // 08: connection exception; 53: insufficient resources;
            // 57P01..57P03: the server is shutting down or starting up.
            class == "08"
                || class == "53"
                || *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
        }
    }
}

/// True when `error` is a unique violation of the events table's primary
/// key: another writer appended at one of the commit's versions.
pub(crate) fn is_event_version_taken(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && error
            .as_db_error()
            .and_then(|db| db.table())
            .is_some_and(|table| table.starts_with("events"))
}

/// A pool error: waiting for or opening a connection failed. Retryable but
/// for a closed pool or a pool built without a runtime (a bug in the
/// service, not a state of the database).
pub(crate) fn pool(error: deadpool_postgres::PoolError) -> StoreError {
    match error {
        deadpool_postgres::PoolError::Backend(error) => backend(error),
        deadpool_postgres::PoolError::Timeout(_) => StoreError::backend_from(true, error),
        other => StoreError::backend_from(false, other),
    }
}

/// A stored row of kind `kind` that does not read back as the aggregate's
/// data.
pub(crate) fn data(
    kind: &str,
    id: &AggregateId,
    version: Version,
    reason: impl ToString,
) -> StoreError {
    StoreError::Data {
        kind: kind.to_owned(),
        id: id.clone(),
        version,
        reason: reason.to_string(),
    }
}
