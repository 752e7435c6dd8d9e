//! One aggregate as [`MemoryStore`](super::MemoryStore) keeps it, and the
//! maps and ids it is kept under.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use foldhash::fast::RandomState;

use crate::decider::Decider;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;
use crate::engine::store::Answer;
use crate::engine::store::KeyRecord;
use crate::engine::store_error::StoreError;
use crate::fingerprint::Fingerprint;

/// A hash map keyed by ids and keys a client sends. foldhash, seeded per
/// map at random, rather than std's SipHash: hashing an id is on every
/// command's path several times (issue 13's 450 ns budget), and foldhash
/// keeps a per-map random seed, so a client still cannot precompute
/// colliding ids.
pub(super) type Map<K, V> = HashMap<K, V, RandomState>;

/// What a key's record keeps besides the key, which is the map's own key
/// (so a keyed command allocates its key once, not twice).
struct Recorded {
    command: Fingerprint,
    policy: Fingerprint,
    answer: Answer,
}

/// One aggregate: its id, its events, the state after them, the records of
/// its idempotency keys, and when it was last written and is next due.
pub(super) struct Stream<D: Decider> {
    /// Shared with the map of streams and the due index, so moving the
    /// aggregate in the index copies no text.
    pub(super) id: Id,
    pub(super) state: D::State,
    pub(super) version: Version,
    pub(super) events: Vec<D::Event>,
    keys: Map<IdempotencyKey, Recorded>,
    pub(super) last_recorded_at: Option<DateTime<Utc>>,
    pub(super) next_due: Option<DateTime<Utc>>,
}

impl<D: Decider> Stream<D> {
    pub(super) fn new(id: Id) -> Stream<D> {
        Stream {
            id,
            state: D::initial(),
            version: Version::INITIAL,
            events: Vec::new(),
            keys: Map::default(),
            last_recorded_at: None,
            next_due: None,
        }
    }

    /// Records `record` under its key, which must be new (checked, and the
    /// map's room reserved, before the commit's first write).
    pub(super) fn record(&mut self, record: KeyRecord) {
        let KeyRecord {
            key,
            command,
            policy,
            answer,
        } = record;
        self.keys.insert(
            key,
            Recorded {
                command,
                policy,
                answer,
            },
        );
    }

    /// The record under `key`, if any.
    pub(super) fn recorded(&self, key: &IdempotencyKey) -> Option<KeyRecord> {
        self.keys.get(key).map(|recorded| KeyRecord {
            key: key.clone(),
            command: recorded.command,
            policy: recorded.policy,
            answer: recorded.answer.clone(),
        })
    }

    /// Checks that `key` is new and makes room for it, so that recording it
    /// cannot fail after the commit's first write.
    pub(super) fn make_room_for(&mut self, key: &IdempotencyKey) -> Result<(), StoreError> {
        if self.keys.contains_key(key) {
            return Err(StoreError::Duplicate { key: key.clone() });
        }
        self.keys
            .try_reserve(1)
            .map_err(|_| out_of_memory("recording an idempotency key"))
    }
}

/// An aggregate's id as the store keeps it: one allocation shared by the
/// map of streams, the stream and the due index. `Arc<str>` rather than
/// `Arc<AggregateId>`: its text sits beside the reference counts, one
/// pointer away from the map's entry, which a lookup among a million
/// aggregates (each a likely cache miss) feels.
pub(super) type Id = Arc<str>;

/// An aggregate behind its own lock, so a command decided on one aggregate
/// holds up no other.
pub(super) type Shared<D> = Arc<Mutex<Stream<D>>>;

/// Rebuilds a stream's state from its events unless the evolution it
/// guards finished, so that the state a recovered lock shows after a panic
/// is never one half moved out.
pub(super) struct Rollback<'a, D: Decider> {
    pub(super) stream: &'a mut Stream<D>,
    pub(super) finished: bool,
}

impl<D: Decider> Drop for Rollback<'_, D> {
    fn drop(&mut self) {
        if !self.finished {
            self.stream.state = D::replay(self.stream.events.iter());
        }
    }
}

pub(super) fn out_of_memory(what: &str) -> StoreError {
    StoreError::backend(format!("out of memory while {what}"))
}
