//! [`MemoryStore`]: the embedded store and the test double.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::decider::Decider;
use crate::engine::store::{
    AggregateId, Commit, IdempotencyKey, Recorded, Snapshot, Store, StoreError, Version,
};

/// One aggregate: its events, the state after them, and the answers
/// remembered under its idempotency keys.
struct Stream<D: Decider> {
    state: D::State,
    version: Version,
    events: Vec<D::Event>,
    keys: HashMap<IdempotencyKey, Recorded<D::Event>>,
}

/// An aggregate behind its own lock, so a command decided on one aggregate
/// holds up no other.
type Shared<D> = Arc<Mutex<Stream<D>>>;

/// Every aggregate of kind `D`.
type Kind<D> = HashMap<AggregateId, Shared<D>>;

/// Every kind, each a `Kind<D>` keyed by its own type id.
type Kinds = HashMap<TypeId, Box<dyn Any + Send>>;

/// Keeps every aggregate of every kind in memory; correct when several
/// threads use it at once.
///
/// It implements [`Store<D>`] for every decider `D` whose state and events
/// are `Send + 'static`, so one `MemoryStore` (and one
/// [`Engine`](crate::engine::Engine)) serves the seat subscription, the
/// wallet, the licence, the payment method and the ledger together. Each
/// kind lives in its own typed map (found by the decider's type), so no
/// event is ever converted; an aggregate keeps its events, its current state
/// (so loading does not replay) and its idempotency keys.
///
/// A command never copies an aggregate: [`Store::read`] lends the state the
/// store keeps, and [`Store::append`] moves it past the commit's events in
/// place, so a command on a ledger of a million orders costs what it
/// decides and changes. Only [`Store::load`] copies (it hands out a state
/// the caller owns).
///
/// One mutex guards the map of aggregates and is held only to find or add
/// one; each aggregate has its own, held while a command is decided on its
/// state or while a commit to it is checked and written. Commands on other
/// aggregates never wait for a decision. A thread that panicked while
/// holding a lock cannot have left a half-written commit (every allocation
/// is reserved before the first write, and a state whose evolution panicked
/// is rebuilt from the events), so a poisoned lock is recovered, not
/// reported.
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::engine::{AggregateId, Commit, MemoryStore, Store, Version};
/// use billing_rules::Error;
/// use chrono::{DateTime, Utc};
///
/// struct Tally;
/// impl Decider for Tally {
///     type State = u64;
///     type Command = u64;
///     type Event = u64;
///     type Policy = ();
///     fn initial() -> u64 { 0 }
///     fn decide(_: &u64, add: &u64, _: DateTime<Utc>, _: &()) -> Result<Vec<u64>, Error> {
///         Ok(vec![*add])
///     }
///     fn evolve(state: u64, event: &u64) -> u64 { state.saturating_add(*event) }
/// }
///
/// let store = MemoryStore::new();
/// let id = AggregateId::from("a");
/// let commit = Commit { expected: Version::INITIAL, events: vec![5], idempotency: None };
/// Store::<Tally>::append(&store, &id, commit.clone())?;
/// assert_eq!(Store::<Tally>::load(&store, &id)?.state, 5);
/// assert_eq!(store.events::<Tally>(&id), vec![5]);
/// // The same commit again was decided on version 0, but the stream is at 1.
/// assert!(Store::<Tally>::append(&store, &id, commit).is_err());
/// assert_eq!(store.events::<Tally>(&id), vec![5]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct MemoryStore {
    kinds: Mutex<Kinds>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Every event of aggregate `id` of kind `D`, oldest first (none for an
    /// id nobody wrote).
    pub fn events<D>(&self, id: &AggregateId) -> Vec<D::Event>
    where
        D: Decider + 'static,
        D::State: Send + 'static,
        D::Event: Send + 'static,
    {
        self.stream::<D>(id)
            .map(|stream| lock(&stream).events.clone())
            .unwrap_or_default()
    }

    /// The ids of every aggregate of kind `D` written to, in order.
    pub fn ids<D>(&self) -> Vec<AggregateId>
    where
        D: Decider + 'static,
        D::State: Send + 'static,
        D::Event: Send + 'static,
    {
        let mut ids: Vec<AggregateId> = {
            let kinds = self.lock();
            kind::<D>(&kinds)
                .map(|kind| kind.keys().cloned().collect())
                .unwrap_or_default()
        };
        ids.sort();
        ids
    }

    /// Aggregate `id` of kind `D`, if it was written.
    fn stream<D>(&self, id: &AggregateId) -> Option<Shared<D>>
    where
        D: Decider + 'static,
        D::State: Send + 'static,
        D::Event: Send + 'static,
    {
        let kinds = self.lock();
        kind::<D>(&kinds).and_then(|kind| kind.get(id)).cloned()
    }

    fn lock(&self) -> MutexGuard<'_, Kinds> {
        // Sound to recover: see the type's docs.
        self.kinds.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Locks one aggregate. Sound to recover from a poisoned lock: see
/// [`MemoryStore`]'s docs.
fn lock<D: Decider>(stream: &Mutex<Stream<D>>) -> MutexGuard<'_, Stream<D>> {
    stream.lock().unwrap_or_else(PoisonError::into_inner)
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("kinds", &self.lock().len())
            .finish_non_exhaustive()
    }
}

/// The map of kind `D`, if any aggregate of it was written.
fn kind<D>(kinds: &Kinds) -> Option<&Kind<D>>
where
    D: Decider + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    kinds
        .get(&TypeId::of::<Kind<D>>())
        .and_then(|kind| kind.downcast_ref::<Kind<D>>())
}

fn out_of_memory(what: &str) -> StoreError {
    StoreError::backend(format!("out of memory while {what}"))
}

/// Rebuilds a stream's state from its events unless the evolution it
/// guards finished, so that the state a recovered lock shows after a panic
/// is never one half moved out.
struct Rollback<'a, D: Decider> {
    stream: &'a mut Stream<D>,
    finished: bool,
}

impl<D: Decider> Drop for Rollback<'_, D> {
    fn drop(&mut self) {
        if !self.finished {
            self.stream.state = D::replay(self.stream.events.iter());
        }
    }
}

impl<D> Store<D> for MemoryStore
where
    D: Decider + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
        Ok(match self.stream::<D>(id) {
            Some(stream) => {
                let stream = lock(&stream);
                Snapshot {
                    state: stream.state.clone(),
                    version: stream.version,
                }
            }
            None => Snapshot {
                state: D::initial(),
                version: Version::INITIAL,
            },
        })
    }

    fn read(
        &self,
        id: &AggregateId,
        reader: &mut dyn FnMut(Snapshot<&D::State>),
    ) -> Result<(), StoreError> {
        match self.stream::<D>(id) {
            Some(stream) => {
                let stream = lock(&stream);
                reader(Snapshot {
                    state: &stream.state,
                    version: stream.version,
                });
            }
            None => reader(Snapshot {
                state: &D::initial(),
                version: Version::INITIAL,
            }),
        }
        Ok(())
    }

    fn recorded(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> Result<Option<Recorded<D::Event>>, StoreError> {
        Ok(self
            .stream::<D>(id)
            .and_then(|stream| lock(&stream).keys.get(key).cloned()))
    }

    fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        let Commit {
            expected,
            events,
            idempotency,
        } = commit;
        let version = expected
            .advanced_by(events.len())
            .map_err(|e| StoreError::backend(e.to_string()))?;

        let shared = {
            let mut kinds = self.lock();
            let kind = kinds
                .entry(TypeId::of::<Kind<D>>())
                .or_insert_with(|| Box::new(Kind::<D>::new()))
                .downcast_mut::<Kind<D>>()
                .ok_or_else(|| StoreError::backend("a stream holds events of another kind"))?;
            match kind.get(id) {
                Some(shared) => Arc::clone(shared),
                // A new aggregate is written whole under the map's lock, so
                // two first commands cannot both create it.
                None if expected == Version::INITIAL => {
                    let mut keys = HashMap::new();
                    if let Some((key, recorded)) = idempotency {
                        keys.insert(key, recorded);
                    }
                    kind.try_reserve(1)
                        .map_err(|_| out_of_memory("adding an aggregate"))?;
                    let mut state = D::initial();
                    D::evolve_in_place(&mut state, &events);
                    let stream = Stream::<D> {
                        state,
                        version,
                        events,
                        keys,
                    };
                    kind.insert(id.clone(), Arc::new(Mutex::new(stream)));
                    return Ok(());
                }
                None => {
                    return Err(StoreError::Conflict {
                        expected,
                        actual: Version::INITIAL,
                    });
                }
            }
        };

        let mut stream = lock(&shared);
        if stream.version != expected {
            return Err(StoreError::Conflict {
                expected,
                actual: stream.version,
            });
        }
        if let Some((key, _)) = &idempotency {
            if stream.keys.contains_key(key) {
                return Err(StoreError::Duplicate { key: key.clone() });
            }
            stream
                .keys
                .try_reserve(1)
                .map_err(|_| out_of_memory("recording an idempotency key"))?;
        }
        stream
            .events
            .try_reserve(events.len())
            .map_err(|_| out_of_memory("appending events"))?;
        {
            let mut rollback = Rollback {
                stream: &mut stream,
                finished: false,
            };
            D::evolve_in_place(&mut rollback.stream.state, &events);
            rollback.finished = true;
        }
        // Nothing below allocates, so nothing below can panic: the commit is
        // written whole.
        stream.events.extend(events);
        if let Some((key, recorded)) = idempotency {
            stream.keys.insert(key, recorded);
        }
        stream.version = version;
        Ok(())
    }
}
