//! The names and counters a store speaks in: [`AggregateId`],
//! [`IdempotencyKey`], [`Version`].

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ArithmeticError;

/// Names one aggregate among those of its kind: an account number, an order
/// number. Two aggregates of different kinds (a wallet and a licence) may
/// share an id; they are different streams.
///
/// Serialized as its text. Its text is shared, not copied, by its clones
/// (the engine and a store clone ids on every command and in every due
/// batch).
///
/// ```
/// use billing_rules::engine::AggregateId;
/// let id = AggregateId::from("account-42");
/// assert_eq!(id.as_str(), "account-42");
/// assert_eq!(id.to_string(), "account-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggregateId(Arc<str>);

impl AggregateId {
    /// An id from any text the service uses.
    pub fn new(id: impl Into<String>) -> AggregateId {
        AggregateId(Arc::from(id.into()))
    }

    /// The text of the id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared text, for a store keeping it without a copy.
    pub(crate) fn shared(&self) -> &Arc<str> {
        &self.0
    }

    /// An id over text a store already shares.
    pub(crate) fn from_shared(id: Arc<str>) -> AggregateId {
        AggregateId(id)
    }
}

impl From<&str> for AggregateId {
    fn from(id: &str) -> AggregateId {
        AggregateId(Arc::from(id))
    }
}

impl From<String> for AggregateId {
    fn from(id: String) -> AggregateId {
        AggregateId(Arc::from(id))
    }
}

impl Serialize for AggregateId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AggregateId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AggregateId, D::Error> {
        String::deserialize(deserializer).map(AggregateId::from)
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
/// [`StoreError::Conflict`](crate::engine::StoreError::Conflict).
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
/// Serialized as its text; its clones share it (the key record the engine
/// builds for every keyed command holds a clone).
///
/// ```
/// use billing_rules::engine::IdempotencyKey;
/// let key = IdempotencyKey::from("order-7-purchase");
/// assert_eq!(key.as_str(), "order-7-purchase");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(Arc<str>);

impl IdempotencyKey {
    /// A key from any text.
    pub fn new(key: impl Into<String>) -> IdempotencyKey {
        IdempotencyKey(Arc::from(key.into()))
    }

    /// The text of the key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for IdempotencyKey {
    fn from(key: &str) -> IdempotencyKey {
        IdempotencyKey(Arc::from(key))
    }
}

impl From<String> for IdempotencyKey {
    fn from(key: String) -> IdempotencyKey {
        IdempotencyKey(Arc::from(key))
    }
}

impl Serialize for IdempotencyKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IdempotencyKey, D::Error> {
        String::deserialize(deserializer).map(IdempotencyKey::from)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
