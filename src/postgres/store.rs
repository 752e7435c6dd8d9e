//! [`PgStore`]: the store over a pool of PostgreSQL connections.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::NoTls;

use super::error::{backend, pool};
use super::ops;
use crate::engine::{
    Aggregate, AggregateId, AsyncStore, Commit, Due, IdempotencyKey, KeyRecord, Snapshot,
    StoreError, Version,
};

/// The tables, applied by [`PgStore::migrate`].
const SCHEMA: &str = include_str!("schema.sql");
/// The events table hash-partitioned by aggregate id, applied by
/// [`PgStore::migrate_partitioned`] before [`SCHEMA`].
const EVENTS_PARTITIONED: &str = include_str!("events_partitioned.sql");

/// The engine's store in PostgreSQL: an async store
/// ([`AsyncStore`]) over a pool of connections, for every [`Aggregate`]
/// whose state and events serialize.
///
/// Cloning it is cheap and shares the pool. See the [module
/// docs](crate::postgres) for the tables and a service using it.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// The schema [`PgStore::with_schema`] named, created by `migrate`.
    schema: Option<String>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PgStore")
            .field("connections", &status.size)
            .field("max_connections", &status.max_size)
            .finish()
    }
}

/// What went wrong building a [`PgStore`]: a URL or schema name it cannot
/// use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PgConfigError {
    /// The connection URL does not parse.
    #[error(
        "the PostgreSQL URL does not parse: {reason}; use postgres://user:password@host:port/database"
    )]
    Url {
        /// Why, from the driver.
        reason: String,
    },
    /// The schema name is not a plain identifier.
    #[error(
        "the schema name `{schema}` is not a plain identifier; use lower-case ASCII letters, \
         digits and `_`, starting with a letter or `_` (at most 63)"
    )]
    Schema {
        /// The name given.
        schema: String,
    },
    /// The pool could not be built.
    #[error("the connection pool could not be built: {reason}")]
    Pool {
        /// Why, from the pool.
        reason: String,
    },
}

/// How many connections a store opens at most, unless told otherwise.
const DEFAULT_CONNECTIONS: usize = 16;

impl PgStore {
    /// A store over the database at `url` (`postgres://user:password@host/db`),
    /// its tables in the connection's default schema, with up to 16 pooled
    /// connections (opened lazily: this does not connect).
    ///
    /// # Errors
    /// The URL does not parse.
    pub fn connect(url: &str) -> Result<PgStore, PgConfigError> {
        PgStore::build(url, None, DEFAULT_CONNECTIONS)
    }

    /// A store whose tables live in schema `schema` (created by
    /// [`PgStore::migrate`]), with up to `connections` pooled connections:
    /// several stores, or tests running in parallel, share one database
    /// without seeing each other's rows.
    ///
    /// # Errors
    /// The URL does not parse, or the schema name is not a plain
    /// lower-case identifier.
    pub fn with_schema(
        url: &str,
        schema: &str,
        connections: usize,
    ) -> Result<PgStore, PgConfigError> {
        let plain = !schema.is_empty()
            && schema.len() <= 63
            && schema
                .bytes()
                .enumerate()
                .all(|(i, b)| b == b'_' || b.is_ascii_lowercase() || (i > 0 && b.is_ascii_digit()));
        if !plain {
            return Err(PgConfigError::Schema {
                schema: schema.to_owned(),
            });
        }
        PgStore::build(url, Some(schema), connections)
    }

    /// A store over a pool the service already has (its connections must
    /// reach the store's tables through their search path).
    pub fn from_pool(pool: Pool) -> PgStore {
        PgStore { pool, schema: None }
    }

    fn build(
        url: &str,
        schema: Option<&str>,
        connections: usize,
    ) -> Result<PgStore, PgConfigError> {
        let mut config: tokio_postgres::Config =
            url.parse()
                .map_err(|e: tokio_postgres::Error| PgConfigError::Url {
                    reason: e.to_string(),
                })?;
        if let Some(schema) = schema {
            config.options(format!("-c search_path={schema}"));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection the server closed is dropped, not reused.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| PgConfigError::Pool {
                reason: e.to_string(),
            })?;
        Ok(PgStore {
            pool,
            schema: schema.map(str::to_owned),
        })
    }

    /// The pool, to open a transaction of the service's own
    /// ([`PgTransaction`](super::PgTransaction)) or run its own queries.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Creates the store's schema (for [`PgStore::with_schema`]) and tables
    /// when missing (`schema.sql`); safe to run at every start.
    ///
    /// # Errors
    /// The database refused or could not be reached.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.apply(&[SCHEMA]).await
    }

    /// [`PgStore::migrate`] with the events table hash-partitioned by
    /// aggregate id in 8 partitions (`events_partitioned.sql`, PostgreSQL's
    /// native partitioning); run it on a schema without tables.
    ///
    /// # Errors
    /// The database refused or could not be reached.
    pub async fn migrate_partitioned(&self) -> Result<(), StoreError> {
        self.apply(&[EVENTS_PARTITIONED, SCHEMA]).await
    }

    async fn apply(&self, scripts: &[&str]) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(pool)?;
        let transaction = client.transaction().await.map_err(backend)?;
        // The name was checked to be a plain identifier by `with_schema`.
        if let Some(schema) = &self.schema {
            transaction
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await
                .map_err(backend)?;
        }
        for script in scripts {
            transaction.batch_execute(script).await.map_err(backend)?;
        }
        transaction.commit().await.map_err(backend)
    }

    /// Claims up to `limit` aggregates of kind `D` due at `now` for one
    /// scheduler, earliest first, leasing them until `now + lease`: another
    /// scheduler calling this meanwhile skips them (and the rows a claim
    /// is locking right now: `FOR UPDATE SKIP LOCKED`), so N schedulers
    /// share the due work without waiting on each other. A commit to the
    /// aggregate ends its lease; a scheduler that dies leaves the lease to
    /// run out, and the work is claimed again.
    ///
    /// The commands the scheduler then sends are ordinary keyed commands,
    /// so even two schedulers advancing one aggregate (after a lease ran
    /// out) record each due event once: the second decides on the stream
    /// the first left and finds nothing due.
    ///
    /// # Errors
    /// The database failed ([`StoreError::Backend`]).
    pub async fn claim_due<D: Aggregate>(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: chrono::Duration,
    ) -> Result<Vec<Due>, StoreError> {
        let until = now
            .checked_add_signed(lease)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let client = self.pool.get().await.map_err(pool)?;
        ops::claim_due::<D, _>(&client, now, limit, until).await
    }
}

impl<D> AsyncStore<D> for PgStore
where
    D: Aggregate,
    D::State: Serialize + DeserializeOwned + Send + Sync,
    D::Event: Serialize + DeserializeOwned + Send + Sync,
{
    async fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
        let client = self.pool.get().await.map_err(pool)?;
        ops::load::<D, _>(&client, id).await
    }

    async fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> Result<Option<KeyRecord>, StoreError> {
        let client = self.pool.get().await.map_err(pool)?;
        ops::key::<D, _>(&client, id, key).await
    }

    async fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError> {
        let client = self.pool.get().await.map_err(pool)?;
        ops::events_in::<D, _>(&client, id, after, through).await
    }

    async fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(pool)?;
        let transaction = client.transaction().await.map_err(backend)?;
        // On error the transaction is dropped, which rolls it back: nothing
        // partial is ever committed.
        ops::append::<D, _>(&transaction, id, &commit).await?;
        transaction.commit().await.map_err(backend)
    }

    async fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        // One statement: atomic by itself, and it neither reads nor
        // changes the stream's version.
        let client = self.pool.get().await.map_err(pool)?;
        ops::insert_key::<D, _>(&client, id, &record).await
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        let client = self.pool.get().await.map_err(pool)?;
        ops::due::<D, _>(&client, now, limit).await
    }
}
