//! A store that fails the way a real one does, deterministically from a
//! seed (issue 13, item 8): [`FaultyStore`] wraps any [`Store`] (and any
//! [`AsyncStore`]) and, on a seeded roll per call, injects
//!
//! - **transient backend errors**: a read or a write fails with a
//!   retryable [`StoreError::Backend`] and nothing is written;
//! - **a lost acknowledgement** ("crash after the write, before the
//!   acknowledgement"): the append or the refusal is written, and the
//!   caller still gets a retryable backend error;
//! - **a competing write**: the same keyed command, delivered to another
//!   instance at the same time, wins the race: its commit is written first,
//!   so ours meets the store's real answer to a second writer (a version
//!   conflict when the commit appends events, a duplicate key otherwise).
//!
//! Duplicate deliveries (the same keyed command sent twice, or out of
//! order) are the callers' part: the simulations send earlier keyed
//! commands again at later steps.
//!
//! A write fault that would apply a command twice is only injected for a
//! keyed commit: without a key neither the engine nor any caller can tell
//! a retry from a new command, so an unkeyed command that lost its
//! acknowledgement is lost to any store (that is what keys are for).
//! Unkeyed commits only meet transient errors, which write nothing.
//!
//! `load` is never failed: the simulations read the truth through it.

use std::sync::{Mutex, MutexGuard, PoisonError};

use billing_rules::engine::{
    Aggregate, AggregateId, AsyncStore, Commit, Due, IdempotencyKey, KeyRecord, Snapshot, Store,
    StoreError, Version,
};
use chrono::{DateTime, Utc};

use crate::Rng;

/// How often each fault is injected, in percent of the calls it applies
/// to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    /// Reads (`read`, `key`, `events_in`, `due`) failing, nothing read.
    pub read_error: u64,
    /// Writes failing before anything is written.
    pub transient: u64,
    /// Keyed writes written but not acknowledged.
    pub lost_ack: u64,
    /// Keyed writes losing the race to the same command on another
    /// instance.
    pub competing: u64,
}

/// How many faults of each kind were injected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    pub read_errors: u64,
    pub transient: u64,
    pub lost_acks: u64,
    pub competing: u64,
}

/// What happens to one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteFault {
    Transient,
    LostAck,
    Competing,
}

struct Dice {
    rng: Rng,
    injected: Injected,
}

/// A store wrapper injecting seeded faults; see the module docs.
pub struct FaultyStore<S> {
    inner: S,
    rates: Rates,
    dice: Mutex<Dice>,
}

impl<S> FaultyStore<S> {
    pub fn new(inner: S, seed: u64, rates: Rates) -> FaultyStore<S> {
        FaultyStore {
            inner,
            rates,
            // A stream of its own, so the faults do not shift the
            // commands drawn from the caller's seed.
            dice: Mutex::new(Dice {
                rng: Rng(seed ^ 0xFA01_7FA0_17FA_017F),
                injected: Injected::default(),
            }),
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    pub fn injected(&self) -> Injected {
        self.dice().injected
    }

    fn dice(&self) -> MutexGuard<'_, Dice> {
        // A panicking check elsewhere must not hide its message behind a
        // poisoned lock here.
        self.dice.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A read fails now (and is counted).
    fn read_fails(&self, what: &str) -> Result<(), StoreError> {
        let mut dice = self.dice();
        if dice.rng.chance(self.rates.read_error) {
            dice.injected.read_errors += 1;
            return Err(StoreError::backend(format!(
                "injected: the connection dropped during {what}; nothing was read"
            )));
        }
        Ok(())
    }

    /// The fault of one write, if any: the three kinds are exclusive, drawn
    /// from one roll so that each rate is what it says.
    fn write_fault(&self, keyed: bool) -> Option<WriteFault> {
        let mut dice = self.dice();
        let roll = dice.rng.below(100);
        let Rates {
            transient,
            lost_ack,
            competing,
            ..
        } = self.rates;
        let fault = if roll < transient {
            WriteFault::Transient
        } else if keyed && roll < transient + lost_ack {
            WriteFault::LostAck
        } else if keyed && roll < transient + lost_ack + competing {
            WriteFault::Competing
        } else {
            return None;
        };
        match fault {
            WriteFault::Transient => dice.injected.transient += 1,
            WriteFault::LostAck => dice.injected.lost_acks += 1,
            WriteFault::Competing => dice.injected.competing += 1,
        }
        Some(fault)
    }
}

fn nothing_written() -> StoreError {
    StoreError::backend("injected: the connection dropped before the write; nothing was written")
}

fn ack_lost() -> StoreError {
    StoreError::backend("injected: the process crashed after the write, before the acknowledgement")
}

impl<D: Aggregate, S: Store<D>> Store<D> for FaultyStore<S> {
    fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
        self.inner.load(id)
    }

    fn read(
        &self,
        id: &AggregateId,
        reader: &mut dyn FnMut(Snapshot<&D::State>),
    ) -> Result<(), StoreError> {
        self.read_fails("read")?;
        self.inner.read(id, reader)
    }

    fn key(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<KeyRecord>, StoreError> {
        self.read_fails("key")?;
        self.inner.key(id, key)
    }

    fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError> {
        self.read_fails("events_in")?;
        self.inner.events_in(id, after, through)
    }

    fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        match self.write_fault(commit.key.is_some()) {
            None => self.inner.append(id, commit),
            Some(WriteFault::Transient) => Err(nothing_written()),
            Some(WriteFault::LostAck) => {
                self.inner.append(id, commit)?;
                Err(ack_lost())
            }
            Some(WriteFault::Competing) => {
                self.inner.append(id, commit.clone())?;
                self.inner.append(id, commit)
            }
        }
    }

    fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        match self.write_fault(true) {
            None => self.inner.record_refusal(id, record),
            Some(WriteFault::Transient) => Err(nothing_written()),
            Some(WriteFault::LostAck) => {
                self.inner.record_refusal(id, record)?;
                Err(ack_lost())
            }
            Some(WriteFault::Competing) => {
                self.inner.record_refusal(id, record.clone())?;
                self.inner.record_refusal(id, record)
            }
        }
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        self.read_fails("due")?;
        Store::<D>::due(&self.inner, now, limit)
    }
}

/// The same faults for the async engine: each roll is taken before the
/// first await, so no lock is held across one and every future is `Send`.
impl<D: Aggregate<Event: Send>, S: AsyncStore<D>> AsyncStore<D> for FaultyStore<S> {
    async fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
        self.inner.load(id).await
    }

    async fn read<R: Send>(
        &self,
        id: &AggregateId,
        reader: impl FnOnce(Snapshot<&D::State>) -> R + Send,
    ) -> Result<R, StoreError>
    where
        D::State: Send,
    {
        self.read_fails("read")?;
        self.inner.read(id, reader).await
    }

    async fn key(
        &self,
        id: &AggregateId,
        key: &IdempotencyKey,
    ) -> Result<Option<KeyRecord>, StoreError> {
        self.read_fails("key")?;
        self.inner.key(id, key).await
    }

    async fn events_in(
        &self,
        id: &AggregateId,
        after: Version,
        through: Version,
    ) -> Result<Vec<D::Event>, StoreError> {
        self.read_fails("events_in")?;
        self.inner.events_in(id, after, through).await
    }

    async fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
        let fault = self.write_fault(commit.key.is_some());
        match fault {
            None => self.inner.append(id, commit).await,
            Some(WriteFault::Transient) => Err(nothing_written()),
            Some(WriteFault::LostAck) => {
                self.inner.append(id, commit).await?;
                Err(ack_lost())
            }
            Some(WriteFault::Competing) => {
                self.inner.append(id, commit.clone()).await?;
                self.inner.append(id, commit).await
            }
        }
    }

    async fn record_refusal(&self, id: &AggregateId, record: KeyRecord) -> Result<(), StoreError> {
        let fault = self.write_fault(true);
        match fault {
            None => self.inner.record_refusal(id, record).await,
            Some(WriteFault::Transient) => Err(nothing_written()),
            Some(WriteFault::LostAck) => {
                self.inner.record_refusal(id, record).await?;
                Err(ack_lost())
            }
            Some(WriteFault::Competing) => {
                self.inner.record_refusal(id, record.clone()).await?;
                self.inner.record_refusal(id, record).await
            }
        }
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Due>, StoreError> {
        self.read_fails("due")?;
        AsyncStore::<D>::due(&self.inner, now, limit).await
    }
}
