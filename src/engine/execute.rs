//! [`Engine`]: the protocol's loop over a synchronous [`Store`], and the
//! scheduler's [`Engine::tick`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::aggregate::Aggregate;
use crate::engine::aggregate::Scheduled;
use crate::engine::error::EngineError;
use crate::engine::ids::AggregateId;
use crate::engine::ids::IdempotencyKey;
use crate::engine::policy_ref::PolicyRef;
use crate::engine::protocol;
use crate::engine::protocol::Bound;
use crate::engine::protocol::Decision;
use crate::engine::protocol::Next;
use crate::engine::store::Outcome;
use crate::engine::store::Store;
use crate::engine::store_error::StoreError;
use crate::engine::tick::Ran;
use crate::engine::tick::TICK_ROUNDS;
use crate::engine::tick::Tick;
use crate::time::Clock;

/// Runs the commands of every aggregate against an injected [`Clock`] and
/// [`Store`]. It holds no aggregate logic: the decider decides, the store
/// keeps, and the steps between are the pure functions of
/// [`protocol`](crate::engine::protocol), which
/// `AsyncEngine` runs too.
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
/// - **Idempotency, bound to the command.** With a key, the answer is
///   recorded with the fingerprint of the command ([`KeyRecord`](crate::engine::KeyRecord)):
///   the same command sent again with the same key returns the first
///   answer and writes nothing, however many commands ran in between;
///   another command under the same key is refused with
///   [`EngineError::KeyReused`] and writes nothing (Stripe's rule).
///   Refusals are recorded too, without bumping the stream's version
///   ([`Store::record_refusal`]), so a retried command never changes
///   anything. A store error is not recorded: nothing was decided, so the
///   same key may be sent again. The key's record is read when the store
///   refuses the key as a duplicate (or after a conflict), not before
///   every command: see [`protocol`](crate::engine::protocol).
/// - **Optimistic concurrency.** When another writer appended in between,
///   the store refuses with [`StoreError::Conflict`] and writes nothing;
///   the engine then loads and decides again, up to
///   [`Engine::DEFAULT_RETRIES`] more times (see [`Engine::with_retries`]),
///   and finally returns the conflict as [`EngineError::Store`]. Deciding
///   again is safe because deciding has no effect; each attempt reads the
///   clock anew.
/// - **Monotonic time.** A command is decided and recorded at `clock.now()`
///   clamped to no earlier than the stream's last commit
///   ([`Snapshot::last_recorded_at`](crate::engine::Snapshot::last_recorded_at)):
///   a skewed clock on one instance never records an event before one
///   already recorded.
/// - **What a commit carries**: the policy's fingerprint
///   ([`PolicyRef`]; pass a [`Pinned`](crate::engine::Pinned) policy to
///   record one) and when the aggregate is next due
///   ([`Aggregate::next_due`]), which the store indexes for
///   [`Engine::tick`].
///
/// ```
/// use billing_rules::engine::{Aggregate, AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore};
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
/// impl Aggregate for Seats {
///     const KIND: &'static str = "seats";
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
/// // The same key with another command is refused, and writes nothing.
/// let reused = engine.execute::<Seats>(&id, &4, &10, Some(&key)).unwrap_err();
/// assert!(matches!(reused, EngineError::KeyReused { .. }));
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

    /// Runs `command` on aggregate `id` of kind `D` under `policy` (a bare
    /// policy or a [`Pinned`](crate::engine::Pinned) one): the events it
    /// appended, or why nothing was appended.
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
    /// - [`EngineError::KeyReused`] when `key` was recorded for another
    ///   command; [`EngineError::Unhashable`] when a keyed command has no
    ///   JSON to fingerprint;
    /// - [`EngineError::Store`] with [`StoreError::Conflict`] when other
    ///   writers won the race more often than the retries allow
    ///   ([`EngineError::is_conflict`]): nothing was written, send the
    ///   command again;
    /// - [`EngineError::Store`] when the store failed.
    pub fn execute<D>(
        &self,
        id: &AggregateId,
        command: &D::Command,
        policy: &(impl PolicyRef<D::Policy> + ?Sized),
        key: Option<&IdempotencyKey>,
    ) -> Result<Outcome<D::Event>, EngineError>
    where
        D: Aggregate,
        D::Command: Serialize,
        S: Store<D>,
    {
        let bound = protocol::bind(key, command)?;
        self.run::<D, _>(id, command, policy, bound, None).0
    }

    /// The protocol's loop: the answer, and when the aggregate is next due
    /// after the commit it wrote (if it wrote one). Decides at `at` when
    /// given (the scheduler's instant), else at the clock's.
    fn run<D, R>(
        &self,
        id: &AggregateId,
        command: &D::Command,
        policy: &R,
        bound: Option<Bound<'_, D::Command>>,
        at: Option<DateTime<Utc>>,
    ) -> Ran<D::Event>
    where
        D: Aggregate,
        R: PolicyRef<D::Policy> + ?Sized,
        S: Store<D>,
    {
        let mut retries_left = self.retries;
        // A new key is the common case, and the store refuses a recorded
        // one in the same write that would record it (`Duplicate`), so the
        // record is read first only when deciding again after a conflict
        // (a retry racing its first attempt), not on every command.
        let mut read_key_first = false;
        loop {
            if let Some(bound) = bound.filter(|_| read_key_first) {
                match self.recorded::<D>(id, bound) {
                    Ok(None) => {}
                    Ok(Some(answer)) => return (answer, None),
                    Err(error) => return (Err(error), None),
                }
            }
            // Decided on the state the store lends, so no command copies its
            // aggregate; the store moves its state past the events itself.
            let mut decided = None;
            let read = self.store.read(id, &mut |snapshot| {
                let now = at.unwrap_or_else(|| self.clock.now());
                decided = Some(protocol::decide::<D, R>(
                    snapshot, command, now, policy, bound,
                ));
            });
            let decision = match (read, decided) {
                (Err(error), _) => return (Err(error.into()), None),
                (Ok(()), None) => {
                    let error = StoreError::backend("the store lent no state to decide on");
                    return (Err(error.into()), None);
                }
                (Ok(()), Some(Err(error))) => return (Err(error), None),
                (Ok(()), Some(Ok(decision))) => decision,
            };
            let next_due = decision.next_due();
            let written = match decision {
                Decision::Answer(answer) => return (answer, None),
                Decision::Append { commit, outcome } => {
                    self.store.append(id, commit).map(|()| Ok(outcome))
                }
                Decision::Refuse { record, error } => self
                    .store
                    .record_refusal(id, record)
                    .map(|()| Err(error.into())),
            };
            let error = match written {
                Ok(answer) => return (answer, next_due),
                Err(error) => error,
            };
            match protocol::after_store_error(error, &mut retries_left) {
                Next::Retry => read_key_first = true,
                Next::ReadKey => {
                    let answer = match bound {
                        Some(bound) => self.recorded::<D>(id, bound),
                        None => Ok(None),
                    };
                    return match answer {
                        Ok(Some(answer)) => (answer, None),
                        Ok(None) => {
                            let error = StoreError::backend(
                                "the store reported a duplicate key but keeps no record of it",
                            );
                            (Err(error.into()), None)
                        }
                        Err(error) => (Err(error), None),
                    };
                }
                Next::Fail(error) => {
                    // Out of retries: a command already answered under its
                    // key still gets that answer, not the conflict.
                    if let Some(bound) = bound.filter(|_| error.is_conflict()) {
                        match self.recorded::<D>(id, bound) {
                            Ok(Some(answer)) => return (answer, None),
                            Ok(None) => {}
                            Err(error) => return (Err(error), None),
                        }
                    }
                    return (Err(error), None);
                }
            }
        }
    }

    /// The recorded answer under the bound key, checked against the
    /// command, with the events it refers to.
    #[allow(clippy::type_complexity)]
    fn recorded<D>(
        &self,
        id: &AggregateId,
        bound: Bound<'_, D::Command>,
    ) -> Result<Option<Result<Outcome<D::Event>, EngineError>>, EngineError>
    where
        D: Aggregate,
        S: Store<D>,
    {
        let Some(answer) = protocol::check_key(self.store.key(id, bound.key)?, bound)? else {
            return Ok(None);
        };
        let events = match protocol::events_to_read(&answer) {
            Some((after, through)) => self.store.events_in(id, after, through)?,
            None => Vec::new(),
        };
        Ok(Some(protocol::answer_of::<D::Event>(answer, events)))
    }

    /// The scheduler's step: the aggregates of kind `D` due at `now` (at
    /// most `limit`, earliest first, from the store's due index), each
    /// advanced ([`Scheduled::advance`], decided at `now`) until nothing
    /// more is due at `now`. It costs in proportion to the aggregates due,
    /// not to all of them.
    ///
    /// An aggregate whose command fails is reported in [`Tick::failed`]
    /// and the others still advance; it stays due, so the next tick tries
    /// it again.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the due index cannot be read.
    pub fn tick<D>(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        policy: &(impl PolicyRef<D::Policy> + ?Sized),
    ) -> Result<Tick, EngineError>
    where
        D: Scheduled,
        S: Store<D>,
    {
        let due = self.store.due(now, limit)?;
        let mut tick = Tick::default();
        let advance = D::advance();
        for item in due {
            let mut advanced = false;
            for round in 0..TICK_ROUNDS {
                let (answer, next_due) =
                    self.run::<D, _>(&item.id, &advance, policy, None, Some(now));
                match answer {
                    Ok(outcome) if !outcome.events.is_empty() => {
                        tick.events += outcome.events.len();
                        advanced = true;
                        // The commit says when it is next due: no further
                        // round when that is later than now.
                        if next_due.is_none_or(|at| at > now) {
                            break;
                        }
                        if round + 1 == TICK_ROUNDS {
                            tick.unfinished.push(item.id.clone());
                        }
                    }
                    Ok(_) => break,
                    Err(error) => {
                        tick.failed.push((item.id.clone(), error));
                        break;
                    }
                }
            }
            tick.advanced += usize::from(advanced);
        }
        Ok(tick)
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
        D: Aggregate,
        S: Store<D>,
    {
        Ok(self.store.load(id)?.state)
    }
}
