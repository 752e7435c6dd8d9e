//! The engine's store in PostgreSQL (feature `postgres`): [`PgStore`], an
//! [`AsyncStore`](crate::engine::AsyncStore) over a pool of
//! [tokio-postgres](https://docs.rs/tokio-postgres) connections
//! ([deadpool-postgres](https://docs.rs/deadpool-postgres)), for many
//! service instances sharing one database.
//!
//! - **The tables** ship as SQL the store applies itself
//!   ([`PgStore::migrate`], `src/postgres/schema.sql`): `aggregates` (one row
//!   per aggregate: version, state snapshot as `jsonb`, last recorded
//!   instant, `next_due` indexed, a scheduler lease), `events` (primary key
//!   `(kind, aggregate_id, version)`, `jsonb` payload, recorded instant,
//!   policy fingerprint) and `idempotency` (primary key `(kind,
//!   aggregate_id, key)`, command and policy fingerprints, the recorded
//!   answer as `jsonb`). Decimals are JSON strings, never floats.
//! - **A commit** is one transaction: lock the aggregate's row (`SELECT
//!   ... FOR UPDATE`), compare its version with the commit's (else
//!   [`StoreError::Conflict`](crate::engine::StoreError::Conflict)), move the
//!   state past the events, write the events (one statement), the row and
//!   the key (a key already there is
//!   [`StoreError::Duplicate`](crate::engine::StoreError::Duplicate) and the
//!   transaction is rolled back).
//! - **Errors a caller can act on**: a lost or refused connection, a server
//!   shutting down, a serialization failure or a deadlock is a retryable
//!   [`StoreError::Backend`](crate::engine::StoreError::Backend); a row that
//!   no longer reads back as the aggregate's data (an old event shape) is a
//!   [`StoreError::Data`](crate::engine::StoreError::Data) naming its kind,
//!   aggregate and version. No stored value can make the store panic.
//! - **In the service's transaction**: [`PgTransaction`] runs commands
//!   inside a transaction the service opened, so its own rows and the
//!   billing events commit together or not at all.
//! - **Many schedulers**: [`PgStore::claim_due`] leases due aggregates with
//!   `FOR UPDATE SKIP LOCKED`, so N scheduler instances share the
//!   time-driven work.
//!
//! # Partitioning by aggregate id
//!
//! Every table's primary key leads with `(kind, aggregate_id)` and every
//! command reads and writes the rows of one aggregate only, in one
//! transaction: the aggregate id is the distribution key. When one server
//! is outgrown, distribute the three tables by it: in Citus,
//! `create_distributed_table('events', 'aggregate_id')` (and the same for
//! `aggregates` and `idempotency`, co-located) keeps each command on one
//! node; in CockroachDB and YugabyteDB the primary keys already spread the
//! rows by range (or hash-shard them: `USING HASH`). The SQL keeps to what
//! those databases accept (no triggers, functions or extensions;
//! `ON CONFLICT`, `WITH ORDINALITY`, `FOR UPDATE SKIP LOCKED`). The due-work
//! query is the one cross-aggregate statement: it scans the `next_due`
//! index of one kind, and a scheduler per partition may run it.
//! [`PgStore::migrate_partitioned`] creates the events table hash-partitioned
//! by aggregate id with PostgreSQL's native partitioning
//! (`src/postgres/events_partitioned.sql`, 8 partitions): the same key.
//!
//! # A service using it
//!
//! ```no_run
//! use billing_rules::engine::{AggregateId, AsyncEngine, EngineError, IdempotencyKey};
//! use billing_rules::postgres::PgStore;
//! use billing_rules::time::SystemClock;
//! use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let url = std::env::var("DATABASE_URL")?;
//!     let store = PgStore::connect(&url)?;
//!     store.migrate().await?;
//!     let engine = AsyncEngine::new(SystemClock, store);
//!     let policy = billing_rules::presets::verification_usage()?;
//!
//!     // A purchase request, retried by the client after a timeout.
//!     let wallet = AggregateId::from("app-7");
//!     let buy = WalletCommand::Purchase { order: PackageOrder::listed(10_000, 365) };
//!     let key = IdempotencyKey::from("order-1");
//!     for attempt in 0..3 {
//!         match engine.execute::<PackageWallet>(&wallet, &buy, &policy, Some(&key)).await {
//!             Ok(outcome) => {
//!                 println!("version {}: {} events", outcome.version, outcome.events.len());
//!                 break;
//!             }
//!             // The database went away: with its key, the retry never pays twice.
//!             Err(EngineError::Store(e)) if e.is_retryable() && attempt < 2 => continue,
//!             Err(e) => return Err(e.into()),
//!         }
//!     }
//!     let state = engine.state::<PackageWallet>(&wallet).await?;
//!     println!("{} packages", state.packages().len());
//!     Ok(())
//! }
//! ```

mod error;
mod ops;
mod store;
mod transaction;

pub use store::{PgConfigError, PgStore};
pub use transaction::PgTransaction;
