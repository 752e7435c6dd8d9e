//! The engine: the one place that touches an injected clock and store.
//!
//! [`Engine<C: Clock, S>`](Engine) runs the commands of every aggregate
//! (seat subscription, package wallet, licence, bundle claim, payment
//! method, order ledger). For each command it reads the aggregate's state and version
//! from the [`Store`], lets the aggregate's [`Decider`](crate::Decider)
//! decide at `clock.now()`, and appends the events with the version it
//! decided on (optimistic concurrency) and the command's
//! [`IdempotencyKey`] (a retried command returns the first answer and writes
//! nothing). It holds no aggregate logic.
//!
//! [`MemoryStore`] is the embedded store and the test double; a service
//! implements [`Store`] over its own database (see below), naming each kind
//! by its [`Aggregate::KIND`]. The clocks live in [`crate::time`]
//! ([`Clock`](crate::time::Clock), [`FixedClock`](crate::time::FixedClock),
//! [`SystemClock`](crate::time::SystemClock)). Errors are
//! [`EngineError`]s: the decider's [`Error`](crate::Error), or the store's
//! [`StoreError`].
//!
//! | aggregate | decider | policy (preset) | time-driven command |
//! |---|---|---|---|
//! | subscription (seat plan, chat service, cloud environment) | [`Subscription`](crate::lifecycle::Subscription) | [`SubscriptionPolicy`](crate::lifecycle::SubscriptionPolicy) ([`presets::chat_service_subscription`](crate::presets::chat_service_subscription), ...) | `Advance` (notices, reminders, expiry, auto-renewal, grace) |
//! | package wallet | [`PackageWallet`](crate::usage::PackageWallet) | [`UsagePolicy`](crate::usage::UsagePolicy) ([`presets::verification_usage`](crate::presets::verification_usage)) | `Advance` (expiry) |
//! | licence (one per app id) | [`Licence`](crate::lifecycle::Licence) | [`LicencePolicy`](crate::lifecycle::LicencePolicy) ([`presets::live_plugin_licence`](crate::presets::live_plugin_licence)) | `Advance` (expiry) |
//! | bundle claim (one per traffic package) | [`BundleClaim`](crate::lifecycle::BundleClaim) | the licence's | none |
//! | payment method | [`EnvironmentPayment`](crate::payment::EnvironmentPayment) | [`PaymentPolicy`](crate::payment::PaymentPolicy) ([`presets::cloud_payment`](crate::presets::cloud_payment)) | none |
//! | order ledger | [`OrderLedger`](crate::refund::OrderLedger) | [`AppRefundPolicy`](crate::refund::AppRefundPolicy) ([`presets::app_store_refunds`](crate::presets::app_store_refunds)) | none |
//! | seat account (charges seat purchases, previews) | [`SeatAccount`](crate::pricing::SeatAccount) | [`SeatPolicy`](crate::pricing::SeatPolicy) ([`presets::app_store_seat_pricing`](crate::presets::app_store_seat_pricing)) | none |
//!
//! A time-driven command is an ordinary command: a scheduler sends it
//! through the engine like any other (with a key, when it may be retried),
//! and the events it appends carry the instant they came due, so a late
//! scheduler records the same facts as a punctual one.
//!
//! ```
//! use billing_rules::engine::{Aggregate, AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore};
//! use billing_rules::time::FixedClock;
//! use billing_rules::{Decider, Error, Reason, RuleId};
//! use chrono::{DateTime, Duration, Utc};
//!
//! /// A prepaid balance in fen: top up, or spend what is there.
//! struct Balance;
//! #[derive(serde::Serialize)]
//! enum Move { TopUp(u64), Spend(u64) }
//! impl Decider for Balance {
//!     type State = u64;
//!     type Command = Move;
//!     type Event = i128;
//!     type Policy = ();
//!     fn initial() -> u64 { 0 }
//!     fn decide(fen: &u64, command: &Move, _: DateTime<Utc>, _: &()) -> Result<Vec<i128>, Error> {
//!         match command {
//!             Move::TopUp(n) => Ok(vec![i128::from(*n)]),
//!             Move::Spend(n) if n <= fen => Ok(vec![-i128::from(*n)]),
//!             Move::Spend(n) => Err(Reason::new(RuleId::Use05, format!("{n} fen asked, {fen} left")).into()),
//!         }
//!     }
//!     fn evolve(fen: u64, change: &i128) -> u64 {
//!         u64::try_from(i128::from(fen) + change).unwrap_or(0)
//!     }
//! }
//! impl Aggregate for Balance {
//!     const KIND: &'static str = "balance";
//! }
//!
//! let clock = FixedClock::new(DateTime::<Utc>::UNIX_EPOCH);
//! let engine = Engine::new(clock, MemoryStore::new());
//! let wallet = AggregateId::from("account-42");
//!
//! let paid = engine.execute::<Balance>(&wallet, &Move::TopUp(500), &(), Some(&IdempotencyKey::from("pay-1")))?;
//! assert_eq!((paid.events, paid.version.get()), (vec![500], 1));
//!
//! engine.clock().advance(Duration::days(1))?;
//! let refused = engine.execute::<Balance>(&wallet, &Move::Spend(800), &(), None).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Use05));
//!
//! // The payment is retried after a timeout: nothing is paid twice.
//! engine.execute::<Balance>(&wallet, &Move::TopUp(500), &(), Some(&IdempotencyKey::from("pay-1")))?;
//! assert_eq!(engine.state::<Balance>(&wallet)?, 500);
//! assert_eq!(engine.store().events::<Balance>(&wallet), vec![500]);
//! # Ok::<(), EngineError>(())
//! ```
//!
//! # Why the store is generic over the decider
//!
//! Every aggregate has its own event and state types, and the crate does not
//! serialize (no serde format is a dependency). So [`Store<D>`](Store) is
//! generic over the aggregate's decider `D`: the aggregate's *kind* is the
//! type `D`, the events and states stay typed, and one store value
//! implements `Store<D>` for every kind it keeps. [`MemoryStore`] does so
//! for all deciders at once, with one typed map per kind found by type id,
//! so no event is ever converted; one `MemoryStore` and one `Engine` serve
//! all six aggregates. Generic over the decider rather than over the event
//! type, the store can keep the current state beside the events and move it
//! past each commit's events itself (a SQL store may keep that snapshot or
//! replay with [`Decider::replay`](crate::Decider::replay)). The
//! trait has no generic method, so `dyn Store<D>` works, and it is
//! implemented for `&S`, `Arc<S>` and `Box<S>` so engines can share a store.
//!
//! # Why a command never copies its aggregate
//!
//! An order ledger or a package wallet may hold a million entries; a
//! command on it must cost what it decides and changes (issue 19). So the
//! engine decides on a state the store *lends* ([`Store::read`]: a borrow,
//! under the aggregate's lock in [`MemoryStore`]), and a [`Commit`] carries
//! the events, not the state after them: the store moves the state it keeps
//! past them in place
//! ([`Decider::evolve_in_place`](crate::Decider::evolve_in_place)).
//! Only [`Store::load`] and [`Engine::state`] hand out a copy.
//!
//! Rejected: handing out the state behind an `Arc` and evolving it with
//! `Arc::make_mut` (it needs every state to be `Sync`, and copies the state
//! whenever another command is deciding on it); passing the state after the
//! events in the commit (the engine would have to own, so copy, the state
//! it decided on).
//!
//! Rejected: one event enum for all aggregates (it couples every area to
//! every other); events as serde values (it needs a format crate among the
//! dependencies, or a value type of our own, and makes the embedded store
//! serialize every command).
//!
//! # Idempotency keys
//!
//! A key is scoped to one aggregate and bound to its command. The store
//! keeps, under it, a [`KeyRecord`]: the fingerprints of the command and of
//! the policy, and what the command answered ([`Answer`]: the versions the
//! accepted events were written at, or the refusal). The same key with
//! another command is refused ([`EngineError::KeyReused`]). A refusal is
//! recorded without touching the stream's version
//! ([`Store::record_refusal`]). Refusals are remembered so that a retried command never changes
//! anything, even when the aggregate changed in between and the command
//! would now be accepted; a new attempt needs a new key. A store error is
//! not remembered (nothing was decided). The key is written in the same
//! atomic append as the events, checked against the same expected version,
//! so a key and its events are written together or not at all. The
//! engine decides at the clock's instant clamped to no earlier than the
//! stream's last commit, so a skewed clock never records an event earlier
//! than one already recorded.
//!
//! # Implementing `Store` over SQL
//!
//! Name each kind by its [`Aggregate::KIND`] (`'package_wallet'`,
//! `'licence'`, ...), serialize events, states and [`KeyRecord`]s
//! with the service's serde format, and keep three tables (the
//! [`Aggregate`] docs show a store keeping the same rows in memory, as
//! JSON):
//!
//! ```sql
//! CREATE TABLE aggregates (          -- one row per aggregate
//!     kind    text   NOT NULL,
//!     id      text   NOT NULL,
//!     version bigint NOT NULL,       -- number of events
//!     state   jsonb,                 -- optional snapshot of the state
//!     PRIMARY KEY (kind, id)
//! );
//! CREATE TABLE events (
//!     kind    text   NOT NULL,
//!     id      text   NOT NULL,
//!     version bigint NOT NULL,       -- 1, 2, 3, ... within the aggregate
//!     event   jsonb  NOT NULL,
//!     PRIMARY KEY (kind, id, version) -- unique (aggregate, version)
//! );
//! CREATE TABLE idempotency_keys (
//!     kind     text  NOT NULL,
//!     id       text  NOT NULL,
//!     key      text  NOT NULL,
//!     recorded jsonb NOT NULL,       -- the KeyRecord
//!     PRIMARY KEY (kind, id, key)
//! );
//! ```
//!
//! - `load`: `SELECT state, version FROM aggregates WHERE kind = $1 AND id = $2`
//!   (no row: `D::initial()` at version 0); without snapshots, select the
//!   events in version order and fold them with `D::replay`. Keep the
//!   default `read`, which lends what `load` returns.
//! - `key`: `SELECT recorded FROM idempotency_keys WHERE kind = $1 AND
//!   id = $2 AND key = $3`.
//! - `append`, in one transaction: `UPDATE aggregates SET version = $new,
//!   state = $state WHERE kind = $1 AND id = $2 AND version = $expected`
//!   (for `expected = 0`, `INSERT` the row), where `$state` is the snapshot
//!   (`SELECT ... FOR UPDATE`) moved past the commit's events with
//!   `D::evolve_in_place`; no row changed or a
//!   unique-key violation means [`StoreError::Conflict`]: roll back, read the
//!   actual version, return it. Then insert the events at versions
//!   `expected + 1 ..= new` (the primary key catches any writer that skipped
//!   the `aggregates` row, again a conflict), then the key row (a violation
//!   is [`StoreError::Duplicate`]: roll back), then commit. The
//!   compare-and-set on `aggregates` is what makes a refusal recorded with no
//!   events also check the version.
//!
//! Database failures are [`StoreError::Backend`].

mod aggregate;
mod async_engine;
#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod execute;
mod ids;
mod kinds;
mod memory;
mod policy_ref;
pub mod protocol;
mod store;
mod store_error;
mod tick;

pub use aggregate::{Aggregate, Scheduled};
pub use async_engine::AsyncEngine;
pub use error::EngineError;
pub use execute::Engine;
pub use ids::{AggregateId, IdempotencyKey, Version};
pub use memory::MemoryStore;
pub use policy_ref::{Pinned, PolicyRef};
pub use store::{Answer, AsyncStore, Commit, Due, KeyRecord, Outcome, Snapshot, Store};
pub use store_error::{BackendSource, StoreError};
pub use tick::Tick;
