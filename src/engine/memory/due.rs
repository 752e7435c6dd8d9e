//! The due index of one kind in [`MemoryStore`](super::MemoryStore), and
//! the batch it last answered.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::decider::Decider;
use crate::engine::memory::stream::{Id, Map, Shared};

/// `(next_due, id)` of every aggregate of one kind with a time-driven event
/// scheduled, in order, so "what is due at `now`" costs O(log n + due).
///
/// Each entry holds the aggregate itself beside its id, so the batch
/// [`DueIndex::due`] answers carries the aggregates, and the scheduler's
/// commands on them find them without a lookup among every aggregate of
/// the kind (see [`Batch`]). The id is the stream's own `Arc`: moving an
/// entry allocates nothing.
pub(super) struct DueIndex<D: Decider> {
    order: BTreeMap<(DateTime<Utc>, Id), Shared<D>>,
}

impl<D: Decider> Default for DueIndex<D> {
    fn default() -> DueIndex<D> {
        DueIndex {
            order: BTreeMap::new(),
        }
    }
}

impl<D: Decider> DueIndex<D> {
    /// Moves aggregate `id` (`stream`) from `old` to `new`.
    pub(super) fn reindex(
        &mut self,
        id: &Id,
        stream: &Shared<D>,
        old: Option<DateTime<Utc>>,
        new: Option<DateTime<Utc>>,
    ) {
        if old == new {
            return;
        }
        let moved = old.and_then(|old| self.order.remove_entry(&(old, Arc::clone(id))));
        if let Some(new) = new {
            // Re-use the entry's `Arc`s rather than count more references.
            let (id, stream) = match moved {
                Some(((_, id), stream)) => (id, stream),
                None => (Arc::clone(id), Arc::clone(stream)),
            };
            self.order.insert((new, id), stream);
        }
    }

    /// The aggregates due at `now` (`next_due <= now`), earliest first (ties
    /// by id), at most `limit`.
    pub(super) fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Vec<(DateTime<Utc>, Id, Shared<D>)> {
        self.order
            .iter()
            .take_while(|((at, _), _)| *at <= now)
            .take(limit)
            .map(|((at, id), stream)| (*at, Arc::clone(id), Arc::clone(stream)))
            .collect()
    }
}

/// The aggregates of one kind the due index last answered, by id.
///
/// A scheduler sends a command to each aggregate of the batch it was given
/// right after asking; among a million aggregates, finding each in the map
/// of every aggregate is a cache miss or two (most of a tick's time, issue
/// 13), while this small map stays in cache. An id maps to the same
/// aggregate for the store's life (aggregates are never removed), so the
/// batch is never stale: it is only replaced by the next answer.
pub(super) struct Batch<D: Decider> {
    streams: Map<Id, Shared<D>>,
}

impl<D: Decider> Default for Batch<D> {
    fn default() -> Batch<D> {
        Batch {
            streams: Map::default(),
        }
    }
}

impl<D: Decider> Batch<D> {
    /// A batch of these aggregates.
    pub(super) fn of(due: &[(DateTime<Utc>, Id, Shared<D>)]) -> Batch<D> {
        let mut streams = Map::default();
        // Without room for the batch, it is only smaller: a cache.
        if streams.try_reserve(due.len()).is_ok() {
            for (_, id, stream) in due {
                streams.insert(Arc::clone(id), Arc::clone(stream));
            }
        }
        Batch { streams }
    }

    /// Aggregate `id`, if it is in the batch.
    pub(super) fn get(&self, id: &str) -> Option<&Shared<D>> {
        if self.streams.is_empty() {
            return None;
        }
        self.streams.get(id)
    }
}
