//! [`MemoryStore`]: the embedded store and the test double.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use crate::decider::Decider;
use crate::engine::aggregate::Aggregate;
use crate::engine::ids::AggregateId;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;
use crate::engine::store::AsyncStore;
use crate::engine::store::Commit;
use crate::engine::store::Due;
use crate::engine::store::KeyRecord;
use crate::engine::store::Snapshot;
use crate::engine::store::Store;
use crate::engine::store_error::StoreError;

mod due;
mod stream;

use due::{Batch, DueIndex};
use stream::{Id, Map, Rollback, Shared, Stream, out_of_memory};

/// A kind's due index, behind its own lock (taken with an aggregate's).
type SharedDue<D> = Arc<Mutex<DueIndex<D>>>;

/// An aggregate and its kind's due index, which a commit to it moves.
type Found<D> = (Shared<D>, SharedDue<D>);

/// Every aggregate of kind `D`, its due index, and the batch the index last
/// answered.
struct Kind<D: Decider> {
    streams: Map<Id, Shared<D>>,
    due: SharedDue<D>,
    batch: Batch<D>,
}

impl<D: Decider> Kind<D> {
    /// Aggregate `id`: from the last due batch when it is in it (a
    /// scheduler's command), else from the map of every aggregate.
    fn stream(&self, id: &AggregateId) -> Option<&Shared<D>> {
        self.batch
            .get(id.as_str())
            .or_else(|| self.streams.get(id.as_str()))
    }
}

/// Every kind, each a `Kind<D>` under its own type id. A list, not a map:
/// a store keeps a handful of kinds, and comparing a few type ids costs
/// less than hashing one on every lookup.
type Kinds = Vec<(TypeId, Box<dyn Any + Send>)>;

/// Keeps every aggregate of every kind in memory; correct when several
/// threads use it at once.
///
/// It implements [`Store<D>`] and [`AsyncStore<D>`] for every aggregate
/// `D` whose state and events are `Send + 'static`, so one `MemoryStore` (and one
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
/// Each kind keeps an ordered due index of `(next_due, id)`, updated in the
/// same locked step as the commit that changes an aggregate's `next_due`,
/// so [`Store::due`] costs O(log n + due), never a scan of every aggregate.
/// The index holds each due aggregate beside its id, and the store keeps
/// the batch it last answered at hand, so the scheduler's commands on that
/// batch find their aggregates without a lookup among all of the kind's.
/// The async methods run at once (nothing here waits): their futures are
/// ready when first polled.
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
/// use billing_rules::{Decider, Fingerprint};
/// use billing_rules::engine::{Aggregate, AggregateId, Commit, MemoryStore, Store, Version};
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
/// impl Aggregate for Tally {
///     const KIND: &'static str = "tally";
/// }
///
/// let store = MemoryStore::new();
/// let id = AggregateId::from("a");
/// let at = DateTime::<Utc>::UNIX_EPOCH;
/// let commit = Commit {
///     expected: Version::INITIAL,
///     events: vec![5],
///     recorded_at: at,
///     next_due: Some(at),
///     policy: Fingerprint::ZERO,
///     key: None,
/// };
/// Store::<Tally>::append(&store, &id, commit.clone())?;
/// assert_eq!(Store::<Tally>::load(&store, &id)?.state, 5);
/// assert_eq!(store.events::<Tally>(&id), vec![5]);
/// // The same commit again was decided on version 0, but the stream is at 1.
/// assert!(Store::<Tally>::append(&store, &id, commit).is_err());
/// assert_eq!(store.events::<Tally>(&id), vec![5]);
/// // Its `next_due` is in the due index.
/// assert_eq!(Store::<Tally>::due(&store, at, 10)?.len(), 1);
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
                .map(|kind| {
                    kind.streams
                        .keys()
                        .map(|id| AggregateId::from_shared(Arc::clone(id)))
                        .collect()
                })
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
        kind::<D>(&kinds).and_then(|kind| kind.stream(id)).cloned()
    }

    /// Aggregate `id` of kind `D` and the kind's due index; an aggregate
    /// nobody wrote is added (empty) when `create`, else `None`.
    fn stream_and_due<D>(
        &self,
        id: &AggregateId,
        create: bool,
    ) -> Result<Option<Found<D>>, StoreError>
    where
        D: Decider + 'static,
        D::State: Send + 'static,
        D::Event: Send + 'static,
    {
        let mut kinds = self.lock();
        let wanted = TypeId::of::<Kind<D>>();
        let at = match kinds.iter().position(|(kind, _)| *kind == wanted) {
            Some(at) => at,
            None if !create => return Ok(None),
            None => {
                kinds
                    .try_reserve(1)
                    .map_err(|_| out_of_memory("adding a kind"))?;
                let kind = Kind::<D> {
                    streams: Map::default(),
                    due: SharedDue::default(),
                    batch: Batch::default(),
                };
                kinds.push((wanted, Box::new(kind)));
                kinds.len() - 1
            }
        };
        let kind = kinds
            .get_mut(at)
            .and_then(|(_, kind)| kind.downcast_mut::<Kind<D>>())
            .ok_or_else(|| StoreError::backend("a stream holds events of another kind"))?;
        if let Some(shared) = kind.stream(id) {
            return Ok(Some((Arc::clone(shared), Arc::clone(&kind.due))));
        }
        if !create {
            return Ok(None);
        }
        kind.streams
            .try_reserve(1)
            .map_err(|_| out_of_memory("adding an aggregate"))?;
        let id = Arc::clone(id.shared());
        let shared = Arc::new(Mutex::new(Stream::<D>::new(Arc::clone(&id))));
        kind.streams.insert(id, Arc::clone(&shared));
        Ok(Some((shared, Arc::clone(&kind.due))))
    }

    fn lock(&self) -> MutexGuard<'_, Kinds> {
        // Sound to recover: see the type's docs.
        self.kinds.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Locks one aggregate or a due index. Sound to recover from a poisoned
/// lock: see [`MemoryStore`]'s docs.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("kinds", &self.lock().len())
            .finish_non_exhaustive()
    }
}

/// [`kind`], to change.
fn kind_mut<D>(kinds: &mut Kinds) -> Option<&mut Kind<D>>
where
    D: Decider + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    let wanted = TypeId::of::<Kind<D>>();
    kinds
        .iter_mut()
        .find(|(kind, _)| *kind == wanted)
        .and_then(|(_, kind)| kind.downcast_mut::<Kind<D>>())
}

/// The map of kind `D`, if any aggregate of it was written.
fn kind<D>(kinds: &Kinds) -> Option<&Kind<D>>
where
    D: Decider + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    let wanted = TypeId::of::<Kind<D>>();
    kinds
        .iter()
        .find(|(kind, _)| *kind == wanted)
        .and_then(|(_, kind)| kind.downcast_ref::<Kind<D>>())
}

impl<D> Store<D> for MemoryStore
where
    D: Aggregate + 'static,
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
                    last_recorded_at: stream.last_recorded_at,
                }
            }
            None => Snapshot::empty(D::initial()),
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
                    last_recorded_at: stream.last_recorded_at,
                });
            }
            None => reader(Snapshot::empty(&D::initial())),
        }
        Ok(())
    }

    fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self
            .stream::<D>(id)
            .and_then(|stream| lock(&stream).recorded(key)))
    }

    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError> {
        let missing = |version: Version| StoreError::Data {
            kind: D::KIND.to_owned(),
            id: id.clone(),
            version,
            reason: format!("no events at versions {}..={through}", after.get() + 1),
        };
        if after >= through {
            return Ok(Vec::new());
        }
        let Some(stream) = self.stream::<D>(id) else {
            return Err(missing(Version::INITIAL));
        };
        let stream = lock(&stream);
        let range = usize::try_from(after.get())
            .ok()
            .zip(usize::try_from(through.get()).ok());
        match range.and_then(|(from, to)| stream.events.get(from..to)) {
            Some(events) => Ok(events.to_vec()),
            None => Err(missing(stream.version)),
        }
    }

    fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        let Commit {
            expected,
            events,
            recorded_at,
            next_due,
            policy: _,
            key,
        } = commit;
        let version = expected
            .advanced_by(events.len())
            .map_err(|e| StoreError::backend(e.to_string()))?;
        // A stream nobody wrote is added only by a commit decided on it.
        let Some((shared, due)) = self.stream_and_due::<D>(id, expected == Version::INITIAL)?
        else {
            return Err(StoreError::Conflict {
                expected,
                actual: Version::INITIAL,
            });
        };
        let mut stream = lock(&shared);
        if stream.version != expected {
            return Err(StoreError::Conflict {
                expected,
                actual: stream.version,
            });
        }
        if let Some(record) = &key {
            stream.make_room_for(&record.key)?;
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
        stream.events.extend(events);
        if let Some(record) = key {
            stream.record(record);
        }
        stream.version = version;
        stream.last_recorded_at = Some(
            stream
                .last_recorded_at
                .map_or(recorded_at, |last| last.max(recorded_at)),
        );
        let old = std::mem::replace(&mut stream.next_due, next_due);
        // Most commands leave the schedule as it was: no lock to take.
        if old != next_due {
            lock(&due).reindex(&stream.id, &shared, old, next_due);
        }
        Ok(())
    }

    fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        let Some((shared, _)) = self.stream_and_due::<D>(id, true)? else {
            return Err(StoreError::backend("the aggregate could not be added"));
        };
        let mut stream = lock(&shared);
        stream.make_room_for(&record.key)?;
        stream.record(record);
        Ok(())
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        let due = {
            let kinds = self.lock();
            match kind::<D>(&kinds) {
                Some(kind) => Arc::clone(&kind.due),
                None => return Ok(Vec::new()),
            }
        };
        let due = lock(&due).due(now, limit);
        let answer = due
            .iter()
            .map(|(at, id, _)| Due {
                at: *at,
                id: AggregateId::from_shared(Arc::clone(id)),
            })
            .collect();
        // The batch is built outside the store's lock, and the one it
        // replaces is dropped outside it too.
        let batch = Batch::of(&due);
        let replaced = {
            let mut kinds = self.lock();
            kind_mut::<D>(&mut kinds).map(|kind| std::mem::replace(&mut kind.batch, batch))
        };
        drop(replaced);
        Ok(answer)
    }
}

/// The same store, each answer ready at once.
impl<D> AsyncStore<D> for MemoryStore
where
    D: Aggregate + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    fn load(
        &self,
        id: &AggregateId,
    ) -> impl Future<Output = Result<Snapshot<D::State>, StoreError>> + Send {
        std::future::ready(Store::<D>::load(self, id))
    }

    fn read<R: Send>(
        &self,
        id: &AggregateId,
        reader: impl FnOnce(Snapshot<&D::State>) -> R + Send,
    ) -> impl Future<Output = Result<R, StoreError>> + Send
    where
        D::State: Send,
    {
        let mut reader = Some(reader);
        let mut answer = None;
        let read = Store::<D>::read(self, id, &mut |snapshot| {
            if let Some(reader) = reader.take() {
                answer = Some(reader(snapshot));
            }
        });
        std::future::ready(read.and_then(|()| {
            answer.ok_or_else(|| StoreError::backend("the store lent no state to read"))
        }))
    }

    fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send {
        std::future::ready(Store::<D>::key(self, id, key))
    }

    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> impl Future<Output = Result<Vec<D::Event>, StoreError>> + Send {
        std::future::ready(Store::<D>::events_in(self, id, after, through))
    }

    fn append(
        &self,
        id: &AggregateId,
        commit: Commit<D::Event>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        std::future::ready(Store::<D>::append(self, id, commit))
    }

    fn record_refusal(
        &self,
        id: &AggregateId,
        record: KeyRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        std::future::ready(Store::<D>::record_refusal(self, id, record))
    }

    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send {
        std::future::ready(Store::<D>::due(self, now, limit))
    }
}
