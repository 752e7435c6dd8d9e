//! [`AsyncEngine`]: the protocol's loop over an [`AsyncStore`].

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
use crate::engine::store::AsyncStore;
use crate::engine::store::Outcome;
use crate::engine::store_error::StoreError;
use crate::engine::tick::Ran;
use crate::engine::tick::TICK_ROUNDS;
use crate::engine::tick::Tick;
use crate::time::Clock;

/// [`Engine`](crate::engine::Engine) for an async store: the same
/// protocol steps ([`protocol`](crate::engine::protocol)), each store call
/// awaited, so a tokio service calls it without `spawn_blocking`.
///
/// The crate takes no runtime dependency; the futures are `Send` whenever
/// the command, the policy, the clock and the store are `Sync`, so a
/// service may `tokio::spawn` them.
///
/// ```
/// use billing_rules::engine::{AggregateId, AsyncEngine, EngineError, IdempotencyKey, MemoryStore};
/// use billing_rules::payment::{EnvironmentPayment, PaymentCommand, PaymentMethod};
/// use billing_rules::presets;
/// use billing_rules::time::{FixedClock, Zone};
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     // MemoryStore's futures are ready at once: one poll finishes them.
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let policy = presets::cloud_payment()?;
/// let engine = AsyncEngine::new(FixedClock::new(Zone::UTC.at(2025, 6, 1, 0, 0, 0)?), MemoryStore::new());
/// let env = AggregateId::from("env-1");
/// let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidCloudAccount };
/// let key = IdempotencyKey::from("order-1");
/// let first = block_on(engine.execute::<EnvironmentPayment>(&env, &buy, &policy, Some(&key)))?;
/// assert_eq!(block_on(engine.execute::<EnvironmentPayment>(&env, &buy, &policy, Some(&key)))?, first);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AsyncEngine<C, S> {
    clock: C,
    store: S,
    retries: u32,
}

impl<C: Clock, S> AsyncEngine<C, S> {
    /// An engine reading `clock` and writing to `store`, deciding a command
    /// again at most [`Engine::DEFAULT_RETRIES`](crate::engine::Engine::DEFAULT_RETRIES)
    /// times after a conflict.
    pub fn new(clock: C, store: S) -> AsyncEngine<C, S> {
        AsyncEngine {
            clock,
            store,
            retries: crate::engine::Engine::<C, S>::DEFAULT_RETRIES,
        }
    }

    /// [`Engine::with_retries`](crate::engine::Engine::with_retries).
    pub fn with_retries(mut self, retries: u32) -> AsyncEngine<C, S> {
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

    /// [`Engine::execute`](crate::engine::Engine::execute), awaiting the
    /// store.
    ///
    /// # Errors
    /// As [`Engine::execute`](crate::engine::Engine::execute).
    pub async fn execute<D>(
        &self,
        id: &AggregateId,
        command: &D::Command,
        policy: &(impl PolicyRef<D::Policy> + Sync + ?Sized),
        key: Option<&IdempotencyKey>,
    ) -> Result<Outcome<D::Event>, EngineError>
    where
        D: Aggregate,
        D::Command: Serialize + Sync,
        D::State: Send,
        D::Event: Send,
        S: AsyncStore<D>,
        C: Sync,
    {
        let bound = protocol::bind(key, command)?;
        self.run::<D, _>(id, command, policy, bound, None).await.0
    }

    /// [`Engine`](crate::engine::Engine)'s loop, each store call awaited.
    async fn run<D, R>(
        &self,
        id: &AggregateId,
        command: &D::Command,
        policy: &R,
        bound: Option<Bound<'_, D::Command>>,
        at: Option<DateTime<Utc>>,
    ) -> Ran<D::Event>
    where
        D: Aggregate,
        D::Command: Sync,
        D::State: Send,
        D::Event: Send,
        R: PolicyRef<D::Policy> + Sync + ?Sized,
        S: AsyncStore<D>,
        C: Sync,
    {
        let mut retries_left = self.retries;
        // A new key is the common case, and the store refuses a recorded
        // one in the same write that would record it (`Duplicate`), so the
        // record is read first only when deciding again after a conflict
        // (a retry racing its first attempt), not on every command.
        let mut read_key_first = false;
        loop {
            if let Some(bound) = bound.filter(|_| read_key_first) {
                match self.recorded::<D>(id, bound).await {
                    Ok(None) => {}
                    Ok(Some(answer)) => return (answer, None),
                    Err(error) => return (Err(error), None),
                }
            }
            let clock = &self.clock;
            let read = self
                .store
                .read(id, move |snapshot| {
                    let now = at.unwrap_or_else(|| clock.now());
                    protocol::decide::<D, R>(snapshot, command, now, policy, bound)
                })
                .await;
            let decision = match read {
                Err(error) => return (Err(error.into()), None),
                Ok(Err(error)) => return (Err(error), None),
                Ok(Ok(decision)) => decision,
            };
            let next_due = decision.next_due();
            let written = match decision {
                Decision::Answer(answer) => return (answer, None),
                Decision::Append { commit, outcome } => {
                    self.store.append(id, commit).await.map(|()| Ok(outcome))
                }
                Decision::Refuse { record, error } => self
                    .store
                    .record_refusal(id, record)
                    .await
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
                        Some(bound) => self.recorded::<D>(id, bound).await,
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
                        match self.recorded::<D>(id, bound).await {
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

    /// The recorded answer under the bound key, with its events.
    #[allow(clippy::type_complexity)]
    async fn recorded<D>(
        &self,
        id: &AggregateId,
        bound: Bound<'_, D::Command>,
    ) -> Result<Option<Result<Outcome<D::Event>, EngineError>>, EngineError>
    where
        D: Aggregate,
        D::Event: Send,
        S: AsyncStore<D>,
    {
        let record = self.store.key(id, bound.key).await?;
        let Some(answer) = protocol::check_key(record, bound)? else {
            return Ok(None);
        };
        let events = match protocol::events_to_read(&answer) {
            Some((after, through)) => self.store.events_in(id, after, through).await?,
            None => Vec::new(),
        };
        Ok(Some(protocol::answer_of::<D::Event>(answer, events)))
    }

    /// [`Engine::tick`](crate::engine::Engine::tick), awaiting the store.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the due index cannot be read.
    pub async fn tick<D>(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        policy: &(impl PolicyRef<D::Policy> + Sync + ?Sized),
    ) -> Result<Tick, EngineError>
    where
        D: Scheduled,
        D::Command: Sync,
        D::State: Send,
        D::Event: Send,
        S: AsyncStore<D>,
        C: Sync,
    {
        let due = self.store.due(now, limit).await?;
        let mut tick = Tick::default();
        let advance = D::advance();
        for item in due {
            let mut advanced = false;
            for round in 0..TICK_ROUNDS {
                let (answer, next_due) = self
                    .run::<D, _>(&item.id, &advance, policy, None, Some(now))
                    .await;
                match answer {
                    Ok(outcome) if !outcome.events.is_empty() => {
                        tick.events += outcome.events.len();
                        advanced = true;
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

    /// [`Engine::state`](crate::engine::Engine::state), awaiting the store.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the store failed.
    pub async fn state<D>(&self, id: &AggregateId) -> Result<D::State, EngineError>
    where
        D: Aggregate,
        S: AsyncStore<D>,
    {
        Ok(self.store.load(id).await?.state)
    }
}
