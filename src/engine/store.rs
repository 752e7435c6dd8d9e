//! The [`Store`] trait and the values it speaks in.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error};

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
    /// The instant the command was decided at (the engine's clock).
    pub decided_at: DateTime<Utc>,
}

/// What a command answered, remembered under its [`IdempotencyKey`].
///
/// Refusals are remembered too, so a retried command never changes
/// anything: not even when the aggregate changed in between so that it would
/// now be accepted. To try again after a refusal, send a new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded<E> {
    /// The command was accepted.
    Accepted(Outcome<E>),
    /// The decider answered with an error: usually [`Error::Refused`],
    /// possibly an arithmetic fault. Nothing was appended.
    Refused(Error),
}

impl<E> Recorded<E> {
    /// The answer as the engine returns it.
    pub fn into_result(self) -> Result<Outcome<E>, Error> {
        match self {
            Recorded::Accepted(outcome) => Ok(outcome),
            Recorded::Refused(error) => Err(error),
        }
    }
}

/// An aggregate's current state and the version it was computed at: owned
/// from [`Store::load`], borrowed (`Snapshot<&S>`) in [`Store::read`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot<S> {
    /// The state after every event of the stream.
    pub state: S,
    /// The number of events in the stream.
    pub version: Version,
}

/// One command's writes, applied by [`Store::append`] all together or not
/// at all.
///
/// It carries the events, not the state after them: a store that keeps a
/// snapshot moves its own state past the events with
/// [`Decider::evolve_in_place`], so a command never copies a whole
/// aggregate to hand it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit<E> {
    /// The version the command was decided on. The store refuses the commit
    /// with [`StoreError::Conflict`] unless the stream is still there.
    pub expected: Version,
    /// The events to append after `expected` (possibly none, when only a key
    /// is recorded).
    pub events: Vec<E>,
    /// The key to remember with the command's answer. The store refuses the
    /// commit with [`StoreError::Duplicate`] when the key is already
    /// recorded on this aggregate.
    pub idempotency: Option<(IdempotencyKey, Recorded<E>)>,
}

/// A store could not load or append.
///
/// Only [`StoreError::Conflict`] and [`StoreError::Duplicate`] are part of
/// normal operation, and the [`Engine`](crate::engine::Engine) handles both;
/// it returns a conflict only after its retries ran out.
///
/// # JSON
///
/// Tagged by `kind` in snake_case, like every enum of the crate:
///
/// ```
/// use billing_rules::engine::{StoreError, Version};
///
/// let err = StoreError::Conflict { expected: Version::new(3), actual: Version::new(4) };
/// let json = r#"{"kind":"conflict","expected":3,"actual":4}"#;
/// assert_eq!(serde_json::to_string(&err)?, json);
/// assert_eq!(serde_json::from_str::<StoreError>(json)?, err);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    #[error("the store failed: {message}")]
    Backend {
        /// What failed, from the store.
        message: String,
    },
}

impl StoreError {
    /// A failure of the store itself.
    pub fn backend(message: impl Into<String>) -> StoreError {
        StoreError::Backend {
            message: message.into(),
        }
    }
}

/// Where the engine keeps the events of the aggregates of kind `D`, their
/// current state and the answers remembered under idempotency keys.
///
/// No generic method, so `dyn Store<D>` works. One store value usually
/// implements `Store<D>` for every aggregate kind it keeps
/// ([`MemoryStore`](crate::engine::MemoryStore) does, for all of them); a
/// stream is named by the kind `D` and an [`AggregateId`].
///
/// The contract:
///
/// - [`load`](Store::load) of an id nobody wrote gives
///   [`Decider::initial`] at [`Version::INITIAL`]; [`read`](Store::read)
///   lends the same snapshot instead of handing over a copy.
/// - [`append`](Store::append) is atomic: it writes the events, the state
///   after them (when the store keeps one) and the key together, or
///   nothing. It returns [`StoreError::Conflict`] when the stream is not at
///   [`Commit::expected`], and [`StoreError::Duplicate`] when the key is
///   already recorded on this aggregate, in that order of checks.
/// - [`recorded`](Store::recorded) returns what was remembered under a key
///   by a successful `append`, forever.
///
/// See the [module docs](crate::engine) for an implementation over SQL.
pub trait Store<D: Decider> {
    /// The aggregate's state and version, as a value the caller owns; the
    /// initial state at version 0 for an id nobody wrote.
    ///
    /// A store that keeps the state in memory copies it here, at a cost in
    /// proportion to the aggregate's size: the engine decides on
    /// [`Store::read`] instead.
    fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError>;

    /// Lends the aggregate's state and version (what [`Store::load`] gives)
    /// to `reader`, which runs once before this returns `Ok`. The engine
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
        let Snapshot { state, version } = self.load(id)?;
        reader(Snapshot {
            state: &state,
            version,
        });
        Ok(())
    }

    /// The answer remembered under `key` on aggregate `id`, if any.
    fn recorded(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> Result<Option<Recorded<D::Event>>, StoreError>;

    /// Writes `commit` to aggregate `id` if the stream is still at
    /// `commit.expected` and the key is new; otherwise writes nothing. A
    /// store that keeps the state moves it past `commit.events` with
    /// [`Decider::evolve_in_place`].
    fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError>;
}

/// A reference or smart pointer to a store is a store: one forwarding
/// impl per pointer type, written once.
macro_rules! forward_store {
    ($($pointer:ty),+) => {$(
        impl<D: Decider, S: Store<D> + ?Sized> Store<D> for $pointer {
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

            fn recorded(
                &self,
                id: &AggregateId,
                key: &IdempotencyKey,
            ) -> Result<Option<Recorded<D::Event>>, StoreError> {
                (**self).recorded(id, key)
            }

            fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
                (**self).append(id, commit)
            }
        }
    )+};
}

forward_store!(&S, Arc<S>, Box<S>);
