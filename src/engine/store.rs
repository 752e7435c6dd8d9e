//! The [`Store`] trait and the values it speaks in.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::aggregate::Aggregate;
use crate::error::{ArithmeticError, Error};
use crate::fingerprint::Fingerprint;

/// Names one aggregate among those of its kind: an account number, an order
/// number. Two aggregates of different kinds (a wallet and a licence) may
/// share an id; they are different streams.
///
/// Serialized as its text.
///
/// ```
/// use billing_rules::engine::AggregateId;
/// let id = AggregateId::from("account-42");
/// assert_eq!(id.as_str(), "account-42");
/// assert_eq!(id.to_string(), "account-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AggregateId(String);

impl AggregateId {
    /// An id from any text the service uses.
    pub fn new(id: impl Into<String>) -> AggregateId {
        AggregateId(id.into())
    }

    /// The text of the id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for AggregateId {
    fn from(id: &str) -> AggregateId {
        AggregateId::new(id)
    }
}

impl From<String> for AggregateId {
    fn from(id: String) -> AggregateId {
        AggregateId(id)
    }
}

impl fmt::Display for AggregateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number of events in an aggregate's stream. An aggregate nobody wrote
/// to is at [`Version::INITIAL`] (0); each appended event adds one.
///
/// A command is appended with the version it was decided on (optimistic
/// concurrency): if the stream moved on in between, the store refuses with
/// [`StoreError::Conflict`].
///
/// ```
/// use billing_rules::engine::Version;
/// assert_eq!(Version::INITIAL.advanced_by(3)?, Version::new(3));
/// assert!(Version::new(u64::MAX).advanced_by(1).is_err());
/// # Ok::<(), billing_rules::ArithmeticError>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Version(u64);

impl Version {
    /// The version of an empty stream.
    pub const INITIAL: Version = Version(0);

    /// The version after `events` events.
    pub const fn new(events: u64) -> Version {
        Version(events)
    }

    /// The number of events it counts.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The version after `count` more events, or an overflow error.
    pub fn advanced_by(self, count: usize) -> Result<Version, ArithmeticError> {
        u64::try_from(count)
            .ok()
            .and_then(|count| self.0.checked_add(count))
            .map(Version)
            .ok_or(ArithmeticError::overflow("advance a stream version"))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Names one command a caller may send more than once (a retry after a
/// timeout). The first result is remembered under it, on the aggregate the
/// command was sent to; a command sent again with the same key returns that
/// result and changes nothing.
///
/// Keys are scoped to one aggregate: the same key on another aggregate is
/// another command. Use a fresh key (a UUID) for every new command, and the
/// same key for its retries.
///
/// ```
/// use billing_rules::engine::IdempotencyKey;
/// let key = IdempotencyKey::from("order-7-purchase");
/// assert_eq!(key.as_str(), "order-7-purchase");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A key from any text.
    pub fn new(key: impl Into<String>) -> IdempotencyKey {
        IdempotencyKey(key.into())
    }

    /// The text of the key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for IdempotencyKey {
    fn from(key: &str) -> IdempotencyKey {
        IdempotencyKey::new(key)
    }
}

impl From<String> for IdempotencyKey {
    fn from(key: String) -> IdempotencyKey {
        IdempotencyKey(key)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
    /// The fingerprint of the command's JSON.
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
