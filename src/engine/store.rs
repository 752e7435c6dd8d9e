//! The [`Store`] trait and the values it speaks in.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::aggregate::Aggregate;
use crate::engine::ids::AggregateId;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;
use crate::engine::store_error::StoreError;
use crate::error::Error;
use crate::fingerprint::Fingerprint;

/// An accepted command: the events it appended and where they left the
/// stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome<E> {
    /// The events the command produced, in the order they were appended
    /// (possibly none: a command may be accepted and change nothing).
    pub events: Vec<E>,
    /// The stream's version after them.
    pub version: Version,
    /// The instant the command was decided at: the engine's clock, clamped
    /// to no earlier than the stream's last recorded instant.
    pub decided_at: DateTime<Utc>,
}

/// What a keyed command answered, as its [`KeyRecord`] keeps it.
///
/// An accepted answer refers to the versions it wrote rather than copying
/// the events: the events are read back with [`Store::events_in`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// The command was accepted: it appended the events at versions
    /// `after + 1 ..= version` (none when `after == version`).
    Accepted {
        /// The stream's version before the command's events.
        after: Version,
        /// The stream's version after them.
        version: Version,
        /// The instant the command was decided at.
        decided_at: DateTime<Utc>,
    },
    /// The decider answered with an error (usually [`Error::Refused`]);
    /// nothing was appended.
    Refused {
        /// The error, as the engine returned it.
        error: Error,
        /// The instant the command was decided at.
        decided_at: DateTime<Utc>,
    },
}

/// What a store keeps under an [`IdempotencyKey`] on one aggregate: the
/// key bound to its command (Stripe's rule: the same key with another
/// command is refused), the policy it was decided under, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key.
    pub key: IdempotencyKey,
    /// The fingerprint of the command's JSON: [`Fingerprint::xxh3_of`];
    /// a record written by an earlier build holds [`Fingerprint::of`],
    /// which the engine still matches.
    pub command: Fingerprint,
    /// The fingerprint of the policy that decided ([`Fingerprint::ZERO`]
    /// for a bare policy, see [`PolicyRef`](crate::engine::PolicyRef)).
    pub policy: Fingerprint,
    /// What the command answered.
    pub answer: Answer,
}

/// An aggregate's current state and the version it was computed at: owned
/// from [`Store::load`], borrowed (`Snapshot<&S>`) in [`Store::read`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot<S> {
    /// The state after every event of the stream.
    pub state: S,
    /// The number of events in the stream.
    pub version: Version,
    /// The instant of the stream's last commit (`None` for an empty
    /// stream): the engine never records a command earlier than this,
    /// whatever its clock says.
    pub last_recorded_at: Option<DateTime<Utc>>,
}

impl<S> Snapshot<S> {
    /// The snapshot of a stream nobody wrote: `state` at version 0.
    pub fn empty(state: S) -> Snapshot<S> {
        Snapshot {
            state,
            version: Version::INITIAL,
            last_recorded_at: None,
        }
    }
}

/// One command's writes, applied by [`Store::append`] all together or not
/// at all.
///
/// It carries the events, not the state after them: a store that keeps a
/// snapshot moves its own state past the events with
/// [`Decider::evolve_in_place`](crate::Decider::evolve_in_place), so a command never copies a whole
/// aggregate to hand it over. The kind is the store's type parameter
/// ([`Aggregate::KIND`](crate::engine::Aggregate::KIND) names it) and the
/// aggregate id is [`Store::append`]'s argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit<E> {
    /// The version the command was decided on. The store refuses the commit
    /// with [`StoreError::Conflict`] unless the stream is still there.
    pub expected: Version,
    /// The events to append after `expected` (possibly none, when only a key
    /// is recorded).
    pub events: Vec<E>,
    /// The instant the events are recorded at: never earlier than the
    /// stream's [`Snapshot::last_recorded_at`].
    pub recorded_at: DateTime<Utc>,
    /// The instant the aggregate's next time-driven event comes due after
    /// this commit ([`Aggregate::next_due`](crate::engine::Aggregate::next_due));
    /// `None` when nothing is scheduled. The store indexes it for
    /// [`Store::due`].
    pub next_due: Option<DateTime<Utc>>,
    /// The fingerprint of the policy that decided, recorded with the events
    /// so an audit can tell which policy applied during a rolling deploy.
    pub policy: Fingerprint,
    /// The key to record with the command's answer. The store refuses the
    /// commit with [`StoreError::Duplicate`] when the key is already
    /// recorded on this aggregate.
    pub key: Option<KeyRecord>,
}

/// An aggregate whose next time-driven event is due, from [`Store::due`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Due {
    /// When its next event came due.
    pub at: DateTime<Utc>,
    /// The aggregate.
    pub id: AggregateId,
}

/// Where the engine keeps the events of the aggregates of kind `D`, their
/// current state, the records of their idempotency keys and the index of
/// when each is next due.
///
/// No generic method, so `dyn Store<D>` works. One store value usually
/// implements `Store<D>` for every aggregate kind it keeps
/// ([`MemoryStore`](crate::engine::MemoryStore) does, for all of them); a
/// stream is named by the kind `D` ([`Aggregate::KIND`]) and an
/// [`AggregateId`].
///
/// The contract (the [conformance suite](crate::engine) checks it, behind
/// the `conformance` feature):
///
/// - [`load`](Store::load) of an id nobody wrote gives
///   [`Decider::initial`](crate::Decider::initial) at [`Version::INITIAL`]; [`read`](Store::read)
///   lends the same snapshot instead of handing over a copy.
/// - [`append`](Store::append) is atomic: it writes the events, the state
///   after them (when the store keeps one), the commit's `next_due` and
///   the key record together, or nothing. It returns
///   [`StoreError::Conflict`] when the stream is not at
///   [`Commit::expected`], and [`StoreError::Duplicate`] when the key is
///   already recorded on this aggregate, in that order of checks.
/// - [`record_refusal`](Store::record_refusal) records a refused keyed
///   command's answer without touching the stream's version, so a refusal
///   never contends with writers; [`StoreError::Duplicate`] when the key is
///   recorded.
/// - [`key`](Store::key) returns what was recorded under a key, forever;
///   [`events_in`](Store::events_in) the events an accepted answer refers to.
/// - [`due`](Store::due) returns the aggregates of kind `D` whose recorded
///   `next_due` is at or before `now`, earliest first, at most `limit`,
///   at a cost in proportion to what it returns.
///
/// See the [module docs](crate::engine) for an implementation over SQL.
pub trait Store<D: Aggregate> {
    /// The aggregate's state and version, as a value the caller owns; the
    /// initial state at version 0 for an id nobody wrote.
    ///
    /// A store that keeps the state in memory copies it here, at a cost in
    /// proportion to the aggregate's size: the engine decides on
    /// [`Store::read`] instead.
    fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError>;

    /// Lends the aggregate's snapshot (what [`Store::load`] gives) to
    /// `reader`, which runs once before this returns `Ok`. The engine
    /// decides a command in `reader`. The store may hold the aggregate's
    /// lock meanwhile, so `reader` must not use the store.
    ///
    /// The default lends what [`Store::load`] returns, which suits a store
    /// that builds the state anew on each load (a database). A store that
    /// keeps the state in memory overrides it to lend its own, so that no
    /// command copies an aggregate; a store wrapping another forwards it.
    fn read(
        &self,
        id: &AggregateId,
        reader: &mut dyn FnMut(Snapshot<&D::State>),
    ) -> Result<(), StoreError> {
        let Snapshot {
            state,
            version,
            last_recorded_at,
        } = self.load(id)?;
        reader(Snapshot {
            state: &state,
            version,
            last_recorded_at,
        });
        Ok(())
    }

    /// The record kept under `key` on aggregate `id`, if any.
    fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError>;

    /// The events of aggregate `id` at versions `after + 1 ..= through`, in
    /// order (what an [`Answer::Accepted`] refers to).
    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError>;

    /// Writes `commit` to aggregate `id` if the stream is still at
    /// `commit.expected` and the key is new; otherwise writes nothing. A
    /// store that keeps the state moves it past `commit.events` with
    /// [`Decider::evolve_in_place`](crate::Decider::evolve_in_place).
    fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError>;

    /// Records a refused keyed command's answer on aggregate `id`, without
    /// changing or checking the stream's version; [`StoreError::Duplicate`]
    /// (and nothing written) when the key is already recorded.
    fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError>;

    /// The aggregates of kind `D` due at `now`: recorded `next_due <= now`,
    /// earliest first (ties by id), at most `limit`.
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError>;
}

/// [`Store`] for a service whose database driver is async: the same
/// contract, each method a future.
///
/// Written with native `async` functions in traits (the crate takes no
/// runtime dependency); every future is `Send`, so a service can
/// `tokio::spawn` the [`AsyncEngine`](crate::engine::AsyncEngine)'s
/// futures. [`MemoryStore`](crate::engine::MemoryStore) implements both
/// traits.
pub trait AsyncStore<D: Aggregate>: Send + Sync {
    /// [`Store::load`].
    fn load(
        &self,
        id: &AggregateId,
    ) -> impl Future<Output = Result<Snapshot<D::State>, StoreError>> + Send;

    /// Runs `reader` on the aggregate's snapshot and returns what it
    /// returns ([`Store::read`]): a store that keeps states in memory lends
    /// its own; the default runs it on what [`AsyncStore::load`] returns.
    fn read<R: Send>(
        &self,
        id: &AggregateId,
        reader: impl FnOnce(Snapshot<&D::State>) -> R + Send,
    ) -> impl Future<Output = Result<R, StoreError>> + Send
    where
        D::State: Send,
    {
        async move {
            let Snapshot {
                state,
                version,
                last_recorded_at,
            } = self.load(id).await?;
            Ok(reader(Snapshot {
                state: &state,
                version,
                last_recorded_at,
            }))
        }
    }

    /// [`Store::key`].
    fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send;

    /// [`Store::events_in`].
    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> impl Future<Output = Result<Vec<D::Event>, StoreError>> + Send;

    /// [`Store::append`].
    fn append(
        &self,
        id: &AggregateId,
        commit: Commit<D::Event>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// [`Store::record_refusal`].
    fn record_refusal(
        &self,
        id: &AggregateId,
        record: KeyRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// [`Store::due`].
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send;
}

/// A reference or smart pointer to a store is a store: one forwarding
/// impl per pointer type, written once.
macro_rules! forward_store {
    ($($pointer:ty),+) => {$(
        impl<D: Aggregate, S: Store<D> + ?Sized> Store<D> for $pointer {
            fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
                (**self).load(id)
            }

            fn read(
                &self,
                id: &AggregateId,
                reader: &mut dyn FnMut(Snapshot<&D::State>),
            ) -> Result<(), StoreError> {
                (**self).read(id, reader)
            }

            fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError> {
                (**self).key(id, key)
            }

            fn events_in(
                &self,
                id: &AggregateId,
                after: Version,
                through: Version,
            ) -> Result<Vec<D::Event>, StoreError> {
                (**self).events_in(id, after, through)
            }

            fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
                (**self).append(id, commit)
            }

            fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
                (**self).record_refusal(id, record)
            }

            fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
                (**self).due(now, limit)
            }
        }
    )+};
}

forward_store!(&S, Arc<S>, Box<S>);

/// A reference or `Arc` to an async store is an async store, as for
/// [`Store`].
macro_rules! forward_async_store {
    ($($pointer:ty),+) => {$(
        impl<D: Aggregate, S: AsyncStore<D> + ?Sized> AsyncStore<D> for $pointer {
            fn load(
                &self,
                id: &AggregateId,
            ) -> impl Future<Output = Result<Snapshot<D::State>, StoreError>> + Send {
                (**self).load(id)
            }

            fn read<R: Send>(
                &self,
                id: &AggregateId,
                reader: impl FnOnce(Snapshot<&D::State>) -> R + Send,
            ) -> impl Future<Output = Result<R, StoreError>> + Send
            where
                D::State: Send,
            {
                (**self).read(id, reader)
            }

            fn key(
                &self,
                id: &AggregateId,
                key: &IdempotencyKey,
            ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send {
                (**self).key(id, key)
            }

            fn events_in(
                &self,
                id: &AggregateId,
                after: Version,
                through: Version,
            ) -> impl Future<Output = Result<Vec<D::Event>, StoreError>> + Send {
                (**self).events_in(id, after, through)
            }

            fn append(
                &self,
                id: &AggregateId,
                commit: Commit<D::Event>,
            ) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).append(id, commit)
            }

            fn record_refusal(
                &self,
                id: &AggregateId,
                record: KeyRecord,
            ) -> impl Future<Output = Result<(), StoreError>> + Send {
                (**self).record_refusal(id, record)
            }

            fn due(
                &self,
                now: DateTime<Utc>,
                limit: usize,
            ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send {
                (**self).due(now, limit)
            }
        }
    )+};
}

forward_async_store!(&S, Arc<S>);
