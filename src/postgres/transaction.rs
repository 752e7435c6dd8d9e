//! [`PgTransaction`]: the store inside a transaction the service opened.

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::backend;
use super::ops;
use crate::engine::{
    Aggregate, AggregateId, AsyncStore, Commit, Due, IdempotencyKey, KeyRecord, Snapshot,
    StoreError, Version,
};

/// The store inside the service's own open transaction: commands run
/// through an engine over it write their events, state and key in that
/// transaction, so the service's rows (an order, an outbox message) and
/// the billing events commit together or not at all.
///
/// Each commit runs under a savepoint: a refused commit (a conflict, a
/// duplicate key) is undone alone and leaves the service's transaction
/// usable, so the engine's retry on conflict works inside it. Nothing is
/// visible to others before the service commits; a rollback leaves no
/// event, no key and no state change.
///
/// ```no_run
/// # async fn order(store: &billing_rules::postgres::PgStore) -> Result<(), Box<dyn std::error::Error>> {
/// use billing_rules::postgres::PgTransaction;
///
/// let mut client = store.pool().get().await?;
/// let transaction = client.transaction().await?;
/// transaction.execute("INSERT INTO orders (id) VALUES ($1)", &[&"order-7"]).await?;
/// let billing = PgTransaction::new(&transaction);
/// // ... run commands through an `AsyncEngine` over `&billing` ...
/// # let _ = billing;
/// transaction.commit().await?;
/// # Ok(())
/// # }
/// ```
pub struct PgTransaction<'t, 'c> {
    transaction: &'t Transaction<'c>,
}

impl std::fmt::Debug for PgTransaction<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTransaction").finish_non_exhaustive()
    }
}

impl<'t, 'c> PgTransaction<'t, 'c> {
    /// The store inside `transaction`, a transaction on a connection whose
    /// search path reaches the store's tables (one from
    /// [`PgStore::pool`](super::PgStore::pool)).
    pub fn new(transaction: &'t Transaction<'c>) -> PgTransaction<'t, 'c> {
        PgTransaction { transaction }
    }
}

/// The savepoint each commit runs under.
const SAVEPOINT: &str = "SAVEPOINT billing_rules_commit";
const RELEASE: &str = "RELEASE SAVEPOINT billing_rules_commit";
const ROLLBACK: &str = "ROLLBACK TO SAVEPOINT billing_rules_commit";

impl<D> AsyncStore<D> for PgTransaction<'_, '_>
where
    D: Aggregate,
    D::State: Serialize + DeserializeOwned + Send + Sync,
    D::Event: Serialize + DeserializeOwned + Send + Sync,
{
    async fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
        ops::load::<D, _>(self.transaction, id).await
    }

    async fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> Result<Option<KeyRecord>, StoreError> {
        ops::key::<D, _>(self.transaction, id, key).await
    }

    async fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError> {
        ops::events_in::<D, _>(self.transaction, id, after, through).await
    }

    async fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        let transaction = self.transaction;
        transaction
            .batch_execute(SAVEPOINT)
            .await
            .map_err(backend)?;
        match ops::append::<D, _>(transaction, id, &commit).await {
            Ok(()) => transaction.batch_execute(RELEASE).await.map_err(backend),
            Err(error) => {
                transaction.batch_execute(ROLLBACK).await.map_err(backend)?;
                Err(error)
            }
        }
    }

    async fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        // One statement that cannot fail on a duplicate (ON CONFLICT DO
        // NOTHING): no savepoint needed.
        ops::insert_key::<D, _>(self.transaction, id, &record).await
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        ops::due::<D, _>(self.transaction, now, limit).await
    }
}
