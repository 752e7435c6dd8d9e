//! The store's statements, over any client that can run them: a pooled
//! connection ([`PgStore`](super::PgStore)) or the caller's open
//! transaction ([`PgTransaction`](super::PgTransaction)). Neither begins nor
//! ends a transaction here: the caller makes [`append`] atomic.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::FromSqlOwned;

use super::error::{backend, data, is_event_version_taken};
use crate::engine::{
    Aggregate, AggregateId, Commit, Due, IdempotencyKey, KeyRecord, Snapshot, StoreError, Version,
};
use crate::fingerprint::Fingerprint;

const LOAD: &str = "SELECT version, state, last_recorded_at FROM aggregates \
                    WHERE kind = $1 AND aggregate_id = $2";
const LOCK: &str = "SELECT version, state FROM aggregates \
                    WHERE kind = $1 AND aggregate_id = $2 FOR UPDATE";
const VERSION: &str = "SELECT version FROM aggregates WHERE kind = $1 AND aggregate_id = $2";
const CREATE: &str = "INSERT INTO aggregates \
                      (kind, aggregate_id, version, state, last_recorded_at, next_due) \
                      VALUES ($1, $2, $3, $4, $5, $6) \
                      ON CONFLICT (kind, aggregate_id) DO NOTHING";
const UPDATE: &str = "UPDATE aggregates SET version = $3, state = $4, \
                      last_recorded_at = GREATEST(last_recorded_at, $5), \
                      next_due = $6, claimed_until = NULL \
                      WHERE kind = $1 AND aggregate_id = $2";
// One statement for any number of events: the payloads as one jsonb array,
// numbered from the version before them.
const EVENTS: &str = "INSERT INTO events \
                      (kind, aggregate_id, version, payload, recorded_at, policy) \
                      SELECT $1, $2, $3 + e.n, e.payload, $5, $6 \
                      FROM unnest($4::jsonb[]) WITH ORDINALITY AS e(payload, n)";
const KEY: &str = "INSERT INTO idempotency (kind, aggregate_id, key, command, policy, answer) \
                   VALUES ($1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (kind, aggregate_id, key) DO NOTHING";
const READ_KEY: &str = "SELECT command, policy, answer FROM idempotency \
                        WHERE kind = $1 AND aggregate_id = $2 AND key = $3";
const EVENTS_IN: &str = "SELECT version, payload FROM events \
                         WHERE kind = $1 AND aggregate_id = $2 AND version > $3 AND version <= $4 \
                         ORDER BY version";
const DUE: &str = "SELECT aggregate_id, next_due FROM aggregates \
                   WHERE kind = $1 AND next_due <= $2 \
                   ORDER BY next_due, aggregate_id LIMIT $3";
// The lease and SKIP LOCKED together: concurrent claimers skip each
// other's rows instead of waiting, and a claimed aggregate stays leased
// after this statement's transaction, while its scheduler runs the commands.
const CLAIM: &str = "UPDATE aggregates SET claimed_until = $4 \
                     WHERE (kind, aggregate_id) IN ( \
                         SELECT kind, aggregate_id FROM aggregates \
                         WHERE kind = $1 AND next_due <= $2 \
                           AND (claimed_until IS NULL OR claimed_until <= $2) \
                         ORDER BY next_due, aggregate_id LIMIT $3 \
                         FOR UPDATE SKIP LOCKED) \
                     RETURNING aggregate_id, next_due";

/// A version as the `bigint` it is stored as.
fn sql_version(version: Version) -> Result<i64, StoreError> {
    i64::try_from(version.get()).map_err(|_| {
        StoreError::backend_from(
            false,
            Overflow(format!("version {version} exceeds PostgreSQL's bigint")),
        )
    })
}

/// A number PostgreSQL cannot hold: not a database failure, and retrying
/// will not help.
#[derive(Debug)]
struct Overflow(String);

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Overflow {}

/// A value as JSON for a `jsonb` column. A value that does not serialize is
/// a bug of its type, not a database state: not retryable.
fn to_json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| {
        StoreError::backend_from(false, Overflow(format!("{what} does not serialize: {e}")))
    })
}

/// Reads column `column` of `row`, a [`StoreError::Data`] naming the row
/// when it does not read back (never `Row::get`, which panics).
fn column<T: FromSqlOwned>(
    row: &Row,
    column: &str,
    kind: &str,
    id: &AggregateId,
    version: Version,
) -> Result<T, StoreError> {
    row.try_get(column)
        .map_err(|e| data(kind, id, version, format!("column `{column}`: {e}")))
}

/// A stored version, which must be a count (>= 0).
fn stored_version(row: &Row, kind: &str, id: &AggregateId) -> Result<Version, StoreError> {
    let version: i64 = column(row, "version", kind, id, Version::INITIAL)?;
    u64::try_from(version).map(Version::new).map_err(|_| {
        data(
            kind,
            id,
            Version::INITIAL,
            format!("negative version {version}"),
        )
    })
}

pub(crate) async fn load<D, C>(
    client: &C,
    id: &AggregateId,
) -> Result<Snapshot<D::State>, StoreError>
where
    D: Aggregate,
    D::State: DeserializeOwned,
    C: GenericClient,
{
    let statement = client.prepare_cached(LOAD).await.map_err(backend)?;
    let Some(row) = client
        .query_opt(&statement, &[&D::KIND, &id.as_str()])
        .await
        .map_err(backend)?
    else {
        return Ok(Snapshot::empty(D::initial()));
    };
    let version = stored_version(&row, D::KIND, id)?;
    let state: serde_json::Value = column(&row, "state", D::KIND, id, version)?;
    let state = serde_json::from_value(state)
        .map_err(|e| data(D::KIND, id, version, format!("the state: {e}")))?;
    Ok(Snapshot {
        state,
        version,
        last_recorded_at: column(&row, "last_recorded_at", D::KIND, id, version)?,
    })
}

pub(crate) async fn key<D, C>(
    client: &C,
    id: &AggregateId,
    key: &IdempotencyKey,
) -> Result<Option<KeyRecord>, StoreError>
where
    D: Aggregate,
    C: GenericClient,
{
    let statement = client.prepare_cached(READ_KEY).await.map_err(backend)?;
    let Some(row) = client
        .query_opt(&statement, &[&D::KIND, &id.as_str(), &key.as_str()])
        .await
        .map_err(backend)?
    else {
        return Ok(None);
    };
    // A key row has no version of its own: a bad one is named by its key.
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        data(
            D::KIND,
            id,
            Version::INITIAL,
            format!("the record of key `{key}`, {what}: {e}"),
        )
    };
    let fingerprint = |name: &str| -> Result<Fingerprint, StoreError> {
        let text: String = column(&row, name, D::KIND, id, Version::INITIAL)?;
        text.parse().map_err(|e| bad(name, &e))
    };
    let answer: serde_json::Value = column(&row, "answer", D::KIND, id, Version::INITIAL)?;
    Ok(Some(KeyRecord {
        key: key.clone(),
        command: fingerprint("command")?,
        policy: fingerprint("policy")?,
        answer: serde_json::from_value(answer).map_err(|e| bad("answer", &e))?,
    }))
}

pub(crate) async fn events_in<D, C>(
    client: &C,
    id: &AggregateId,
    after: Version,
    through: Version,
) -> Result<Vec<D::Event>, StoreError>
where
    D: Aggregate,
    D::Event: DeserializeOwned,
    C: GenericClient,
{
    let statement = client.prepare_cached(EVENTS_IN).await.map_err(backend)?;
    let rows = client
        .query(
            &statement,
            &[
                &D::KIND,
                &id.as_str(),
                &sql_version(after)?,
                &sql_version(through)?,
            ],
        )
        .await
        .map_err(backend)?;
    let mut events = Vec::with_capacity(rows.len());
    let mut expected = after;
    for row in rows {
        let version = stored_version(&row, D::KIND, id)?;
        expected = expected
            .advanced_by(1)
            .map_err(|e| data(D::KIND, id, version, e))?;
        if version != expected {
            return Err(data(D::KIND, id, expected, "the event is missing"));
        }
        let payload: serde_json::Value = column(&row, "payload", D::KIND, id, version)?;
        let event = serde_json::from_value(payload)
            .map_err(|e| data(D::KIND, id, version, format!("the event: {e}")))?;
        events.push(event);
    }
    Ok(events)
}

/// Runs `commit`'s statements; the caller runs them in a transaction (or a
/// savepoint) and rolls it back on any error, so nothing partial remains.
pub(crate) async fn append<D, C>(
    client: &C,
    id: &AggregateId,
    commit: &Commit<D::Event>,
) -> Result<(), StoreError>
where
    D: Aggregate,
    D::State: Serialize + DeserializeOwned,
    D::Event: Serialize,
    C: GenericClient,
{
    let kind = D::KIND;
    let new_version = commit
        .expected
        .advanced_by(commit.events.len())
        .map_err(|e| StoreError::backend_from(false, e))?;
    match lock::<D, C>(client, id).await? {
        Some((version, mut state)) => {
            if version != commit.expected {
                return Err(StoreError::Conflict {
                    expected: commit.expected,
                    actual: version,
                });
            }
            D::evolve_in_place(&mut state, &commit.events);
            let update = client.prepare_cached(UPDATE).await.map_err(backend)?;
            client
                .execute(
                    &update,
                    &[
                        &kind,
                        &id.as_str(),
                        &sql_version(new_version)?,
                        &to_json(&state, "the state")?,
                        &commit.recorded_at,
                        &commit.next_due,
                    ],
                )
                .await
                .map_err(backend)?;
        }
        None if commit.expected != Version::INITIAL => {
            return Err(StoreError::Conflict {
                expected: commit.expected,
                actual: Version::INITIAL,
            });
        }
        None => {
            let mut state = D::initial();
            D::evolve_in_place(&mut state, &commit.events);
            let create = client.prepare_cached(CREATE).await.map_err(backend)?;
            let created = client
                .execute(
                    &create,
                    &[
                        &kind,
                        &id.as_str(),
                        &sql_version(new_version)?,
                        &to_json(&state, "the state")?,
                        &commit.recorded_at,
                        &commit.next_due,
                    ],
                )
                .await
                .map_err(backend)?;
            if created == 0 {
                // Another writer created the aggregate meanwhile (the
                // insert waited for it to commit): it is not at 0 any more,
                // or it is and the retry finds the row.
                return Err(StoreError::Conflict {
                    expected: commit.expected,
                    actual: version::<D, C>(client, id).await?,
                });
            }
        }
    }
    if !commit.events.is_empty() {
        let payloads = commit
            .events
            .iter()
            .map(|event| to_json(event, "an event"))
            .collect::<Result<Vec<_>, _>>()?;
        let insert = client.prepare_cached(EVENTS).await.map_err(backend)?;
        let inserted = client
            .execute(
                &insert,
                &[
                    &kind,
                    &id.as_str(),
                    &sql_version(commit.expected)?,
                    &payloads,
                    &commit.recorded_at,
                    &commit.policy.to_string(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            // A writer that skipped the aggregates row took a version.
            Err(e) if is_event_version_taken(&e) => {
                return Err(StoreError::Conflict {
                    expected: commit.expected,
                    actual: new_version,
                });
            }
            Err(e) => return Err(backend(e)),
        }
    }
    if let Some(record) = &commit.key {
        insert_key::<D, C>(client, id, record).await?;
    }
    Ok(())
}

/// The aggregate's version and state, locked until the transaction ends;
/// `None` when nobody wrote it.
async fn lock<D, C>(client: &C, id: &AggregateId) -> Result<Option<(Version, D::State)>, StoreError>
where
    D: Aggregate,
    D::State: DeserializeOwned,
    C: GenericClient,
{
    let statement = client.prepare_cached(LOCK).await.map_err(backend)?;
    let Some(row) = client
        .query_opt(&statement, &[&D::KIND, &id.as_str()])
        .await
        .map_err(backend)?
    else {
        return Ok(None);
    };
    let version = stored_version(&row, D::KIND, id)?;
    let state: serde_json::Value = column(&row, "state", D::KIND, id, version)?;
    let state = serde_json::from_value(state)
        .map_err(|e| data(D::KIND, id, version, format!("the state: {e}")))?;
    Ok(Some((version, state)))
}

/// The aggregate's current version (0 when nobody wrote it).
async fn version<D: Aggregate, C: GenericClient>(
    client: &C,
    id: &AggregateId,
) -> Result<Version, StoreError> {
    let statement = client.prepare_cached(VERSION).await.map_err(backend)?;
    match client
        .query_opt(&statement, &[&D::KIND, &id.as_str()])
        .await
        .map_err(backend)?
    {
        Some(row) => stored_version(&row, D::KIND, id),
        None => Ok(Version::INITIAL),
    }
}

/// Writes a key record; [`StoreError::Duplicate`] (and nothing written)
/// when the key is already recorded. A concurrent writer of the same key
/// makes this wait for its transaction, then see its row.
pub(crate) async fn insert_key<D: Aggregate, C: GenericClient>(
    client: &C,
    id: &AggregateId,
    record: &KeyRecord,
) -> Result<(), StoreError> {
    let statement = client.prepare_cached(KEY).await.map_err(backend)?;
    let inserted = client
        .execute(
            &statement,
            &[
                &D::KIND,
                &id.as_str(),
                &record.key.as_str(),
                &record.command.to_string(),
                &record.policy.to_string(),
                &to_json(&record.answer, "the answer")?,
            ],
        )
        .await
        .map_err(backend)?;
    if inserted == 0 {
        return Err(StoreError::Duplicate {
            key: record.key.clone(),
        });
    }
    Ok(())
}

/// The limit as the `bigint` SQL takes.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Due rows as [`Due`]s.
fn due_rows<D: Aggregate>(rows: Vec<Row>) -> Result<Vec<Due>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let text: String = row.try_get("aggregate_id").map_err(|e| {
                data(
                    D::KIND,
                    &AggregateId::from("?"),
                    Version::INITIAL,
                    format!("a due row: {e}"),
                )
            })?;
            let id = AggregateId::from(text);
            let at: DateTime<Utc> = column(&row, "next_due", D::KIND, &id, Version::INITIAL)?;
            Ok(Due { at, id })
        })
        .collect()
}

pub(crate) async fn due<D: Aggregate, C: GenericClient>(
    client: &C,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Due>, StoreError> {
    let statement = client.prepare_cached(DUE).await.map_err(backend)?;
    let rows = client
        .query(&statement, &[&D::KIND, &now, &sql_limit(limit)])
        .await
        .map_err(backend)?;
    due_rows::<D>(rows)
}

pub(crate) async fn claim_due<D: Aggregate, C: GenericClient>(
    client: &C,
    now: DateTime<Utc>,
    limit: usize,
    until: DateTime<Utc>,
) -> Result<Vec<Due>, StoreError> {
    let statement = client.prepare_cached(CLAIM).await.map_err(backend)?;
    let rows = client
        .query(&statement, &[&D::KIND, &now, &sql_limit(limit), &until])
        .await
        .map_err(backend)?;
    let mut due = due_rows::<D>(rows)?;
    // RETURNING keeps no order.
    due.sort();
    Ok(due)
}
