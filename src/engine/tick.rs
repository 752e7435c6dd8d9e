//! [`Tick`]: what one pass of the scheduler did.

use serde::{Deserialize, Serialize};

use crate::engine::error::EngineError;
use crate::engine::ids::AggregateId;
use crate::engine::store::Outcome;

/// What the engines' loop answers: the command's answer, and when the
/// aggregate is next due after the commit it wrote (if it wrote one).
pub(crate) type Ran<E> = (
    Result<Outcome<E>, EngineError>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// How many `Advance` commands a tick sends one aggregate at most: a
/// subscription far behind catches up in bounded batches (see
/// [`Subscription::due_events_bounded`](crate::lifecycle::Subscription::due_events_bounded)),
/// and one aggregate must not hold up the batch for ever.
pub(crate) const TICK_ROUNDS: usize = 64;

/// What `Engine::tick` or
/// `AsyncEngine::tick` did with one
/// batch of due aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tick {
    /// Aggregates that recorded at least one event.
    pub advanced: usize,
    /// Events recorded in all.
    pub events: usize,
    /// Aggregates whose command failed, with why; they stay due.
    pub failed: Vec<(AggregateId, EngineError)>,
    /// Aggregates still due after the most rounds a tick gives one; the
    /// next tick goes on with them.
    pub unfinished: Vec<AggregateId>,
}
