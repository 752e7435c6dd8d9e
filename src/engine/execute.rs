//! [`Engine`]: load, decide, append.

use crate::decider::Decider;
use crate::engine::error::EngineError;
use crate::engine::store::{
    AggregateId, Commit, IdempotencyKey, Outcome, Recorded, Store, StoreError,
};
use crate::time::Clock;

/// Runs the commands of every aggregate against an injected [`Clock`] and
/// [`Store`]. It holds no aggregate logic: the decider decides, the store
/// keeps.
///
/// [`Engine::execute`] reads the aggregate's state and version
/// ([`Store::read`], which lends the state rather than copying it), decides
/// the command at `clock.now()`, and appends the events with the version it
/// decided on and the command's idempotency key, in one atomic
/// [`Store::append`] (the store moves its state past the events). A command
/// on [`MemoryStore`](crate::engine::MemoryStore) never copies the
/// aggregate, so it costs what it decides and changes, not the aggregate's
/// size:
///
/// - **Idempotency.** With a key, the answer is remembered, and a command
///   sent again with the same key returns the first answer and writes
///   nothing, however many commands ran in between. Refusals are remembered
///   too (see [`Recorded`]): a retried command never changes anything. A
///   store error (a conflict after the retries, a database failure) is not
///   remembered: nothing was decided, so the same key may be sent again.
/// - **Optimistic concurrency.** When another writer appended in between,
///   the store refuses with [`StoreError::Conflict`] and writes nothing;
///   the engine then loads and decides again, up to
///   [`Engine::DEFAULT_RETRIES`] more times (see [`Engine::with_retries`]),
///   and finally returns the conflict as [`EngineError::Store`]. Deciding again is
///   safe because deciding has no effect; each attempt reads the clock anew.
/// - A refused command without a key writes nothing at all; with a key it
///   writes only the key's record. A stream never holds a refused command's
///   events.
///
/// ```
/// use billing_rules::engine::{AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore};
/// use billing_rules::time::FixedClock;
/// use billing_rules::{Decider, Error, Reason, RuleId};
/// use chrono::{DateTime, Utc};
///
/// /// At most `limit` seats.
/// struct Seats;
/// impl Decider for Seats {
///     type State = u32;
///     type Command = u32;
///     type Event = u32;
///     type Policy = u32;
///     fn initial() -> u32 { 0 }
///     fn decide(seats: &u32, add: &u32, _: DateTime<Utc>, limit: &u32) -> Result<Vec<u32>, Error> {
///         match seats.checked_add(*add) {
///             Some(total) if total <= *limit => Ok(vec![*add]),
///             _ => Err(Reason::new(RuleId::Seat07, format!("{seats} + {add} seats pass {limit}")).into()),
///         }
///     }
///     fn evolve(seats: u32, add: &u32) -> u32 { seats.saturating_add(*add) }
/// }
///
/// let engine = Engine::new(FixedClock::new(DateTime::<Utc>::UNIX_EPOCH), MemoryStore::new());
/// let id = AggregateId::from("org-1");
/// let key = IdempotencyKey::from("buy-3");
/// let first = engine.execute::<Seats>(&id, &3, &10, Some(&key))?;
/// assert_eq!(first.events, vec![3]);
/// // A retry returns the first answer and buys nothing more.
/// assert_eq!(engine.execute::<Seats>(&id, &3, &10, Some(&key))?, first);
/// assert_eq!(engine.state::<Seats>(&id)?, 3);
/// // A refusal names the rule and writes nothing.
/// let no = engine.execute::<Seats>(&id, &8, &10, None).unwrap_err();
/// assert_eq!(no.refusal().map(|r| r.rule()), Some(RuleId::Seat07));
/// assert_eq!(engine.state::<Seats>(&id)?, 3);
/// # Ok::<(), EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine<C, S> {
    clock: C,
    store: S,
    retries: u32,
}

impl<C: Clock, S> Engine<C, S> {
    /// How many times a command is decided again after a conflict, unless
    /// [`Engine::with_retries`] says otherwise.
    pub const DEFAULT_RETRIES: u32 = 3;

    /// An engine reading `clock` and writing to `store`.
    pub fn new(clock: C, store: S) -> Engine<C, S> {
        Engine {
            clock,
            store,
            retries: Self::DEFAULT_RETRIES,
        }
    }

    /// Decides a command again at most `retries` times after a conflict
    /// (0: return the first conflict).
    pub fn with_retries(mut self, retries: u32) -> Engine<C, S> {
        self.retries = retries;
        self
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs `command` on aggregate `id` of kind `D` under `policy`: the
    /// events it appended, or why nothing was appended.
    ///
    /// With `key`, a command already answered under it returns that answer
    /// and writes nothing.
    ///
    /// # Errors
    ///
    /// - [`EngineError::Command`] with what `D::decide` answers
    ///   ([`Error::Refused`](crate::Error::Refused) naming the rule, or
    ///   [`Error::Arithmetic`](crate::Error::Arithmetic)); the stream is
    ///   unchanged;
    /// - [`EngineError::Store`] with [`StoreError::Conflict`] when other
    ///   writers won the race more often than the retries allow
    ///   ([`EngineError::is_conflict`]): nothing was written, send the
    ///   command again;
    /// - [`EngineError::Store`] when the store failed.
    pub fn execute<D>(
        &self,
        id: &AggregateId,
        command: &D::Command,
        policy: &D::Policy,
        key: Option<&IdempotencyKey>,
    ) -> Result<Outcome<D::Event>, EngineError>
    where
        D: Decider,
        S: Store<D>,
    {
        let mut retries_left = self.retries;
        loop {
            if let Some(key) = key
                && let Some(recorded) = self.store.recorded(id, key)?
            {
                return Ok(recorded.into_result()?);
            }
            // Decided on the state the store lends, so no command copies its
            // aggregate; the store moves its state past the events itself.
            let mut decided = None;
            self.store.read(id, &mut |snapshot| {
                let now = self.clock.now();
                let answer = D::decide(snapshot.state, command, now, policy);
                decided = Some((snapshot.version, now, answer));
            })?;
            let Some((version, now, answer)) = decided else {
                return Err(StoreError::backend("the store lent no state to decide on").into());
            };
            let (commit, answer) = match answer {
                Ok(events) => {
                    let outcome = Outcome {
                        version: version.advanced_by(events.len())?,
                        events,
                        decided_at: now,
                    };
                    if outcome.events.is_empty() && key.is_none() {
                        return Ok(outcome);
                    }
                    let commit = Commit {
                        expected: version,
                        events: outcome.events.clone(),
                        idempotency: key
                            .map(|key| (key.clone(), Recorded::Accepted(outcome.clone()))),
                    };
                    (commit, Ok(outcome))
                }
                Err(error) => {
                    let Some(key) = key else {
                        return Err(error.into());
                    };
                    let commit = Commit {
                        expected: version,
                        events: Vec::new(),
                        idempotency: Some((key.clone(), Recorded::Refused(error.clone()))),
                    };
                    (commit, Err(error.into()))
                }
            };
            match self.store.append(id, commit) {
                Ok(()) => return answer,
                Err(StoreError::Conflict { .. }) if retries_left > 0 => {
                    retries_left -= 1;
                }
                // The same key was answered concurrently: return that answer.
                Err(StoreError::Duplicate { key }) => {
                    return match Store::<D>::recorded(&self.store, id, &key)? {
                        Some(recorded) => Ok(recorded.into_result()?),
                        None => Err(StoreError::Duplicate { key }.into()),
                    };
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// The current state of aggregate `id` of kind `D` (the initial state
    /// for an id nobody wrote), as a copy the caller owns ([`Store::load`]):
    /// its cost follows the aggregate's size.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`] when the store failed.
    pub fn state<D>(&self, id: &AggregateId) -> Result<D::State, EngineError>
    where
        D: Decider,
        S: Store<D>,
    {
        Ok(self.store.load(id)?.state)
    }
}
