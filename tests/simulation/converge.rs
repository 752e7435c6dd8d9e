//! Every aggregate of the crate through the engine over a faulty store
//! (issue 13, item 8): one seeded sequence of keyed commands per kind, at
//! increasing instants, run three times in lockstep:
//!
//! 1. the reference: `Engine` over a plain `MemoryStore`, no fault;
//! 2. `Engine` over [`FaultyStore`] (transient errors, lost
//!    acknowledgements, competing writers), each command sent again with
//!    its key until it is answered;
//! 3. `AsyncEngine` over its own [`FaultyStore`], likewise.
//!
//! Now and then an earlier keyed command is delivered again, out of order,
//! and for the kinds time changes the scheduler ticks (`Engine::tick`,
//! unkeyed `Advance` commands, so only faults that write nothing) until
//! quiet in each run.
//! After every command: the answers of the three runs are equal (same
//! events, same versions, same instant, or the same refusal); a redelivery
//! answers what the first delivery answered and writes nothing; in each
//! faulty store the version is the number of events (contiguous, nothing
//! lost or duplicated), the stored state is the replay of the events, a
//! refusal wrote nothing and names a rule of the aggregate's family, and an
//! accepted command appended exactly its events. At the end the streams
//! and every key record are equal to the reference's.

use std::fmt::Debug;
use std::num::NonZeroU32;
use std::task::{Context, Poll, Waker};

use billing_rules::engine::{
    Aggregate, AggregateId, AsyncEngine, AsyncStore, Engine, EngineError, IdempotencyKey,
    MemoryStore, Outcome, Store, Tick,
};
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, Licence, LicenceCommand, PostpaidAccount,
    PostpaidCommand, Role, Subscription, SubscriptionCommand, TrafficPackage,
};
use billing_rules::money::Money;
use billing_rules::payment::{EnvironmentPayment, PaymentCommand, PaymentMethod, SwitchFacts};
use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{LedgerCommand, OrderLedger, RefundFlags};
use billing_rules::time::{Clock, FixedClock, Period};
use billing_rules::usage::{
    BillingMethod, BillingMethods, CallCounts, Component, FeatureSwitch, MethodCommand,
    PackageOrder, PackageWallet, WalletCommand,
};
use billing_rules::{Decider, Error, RuleFamily, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::Rng;
use crate::faults::{FaultyStore, Injected, Rates};

/// Sending a command again this many times without an answer fails the
/// run: with the rates below, 40 faults in a row do not happen.
const MAX_ATTEMPTS: u32 = 40;

/// High enough that most commands meet a fault, low enough that each is
/// answered within a few attempts.
pub const RATES: Rates = Rates {
    read_error: 8,
    transient: 12,
    lost_ack: 12,
    competing: 12,
};

/// [`Subject::tick`] for a kind time changes (a `Scheduled` aggregate).
macro_rules! scheduled {
    () => {
        fn tick<S: Store<Self>>(
            engine: &Engine<FixedClock, S>,
            now: DateTime<Utc>,
            policy: &Self::Policy,
        ) -> Option<Result<Tick, EngineError>> {
            Some(engine.tick::<Self>(now, TICK_LIMIT, policy))
        }
        fn tick_async<S: AsyncStore<Self>>(
            engine: &AsyncEngine<FixedClock, S>,
            now: DateTime<Utc>,
            policy: &Self::Policy,
        ) -> Option<Result<Tick, EngineError>> {
            Some(block_on(engine.tick::<Self>(now, TICK_LIMIT, policy)))
        }
    };
}

/// Polls a future that never waits to its end: `MemoryStore`'s futures are
/// ready when first polled, and so are the faulty wrapper's.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Which of the three runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `Engine` over a plain `MemoryStore`.
    Reference,
    /// `Engine` over a faulty store.
    Sync,
    /// `AsyncEngine` over a faulty store.
    Async,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Reference => "reference",
            Side::Sync => "sync",
            Side::Async => "async",
        })
    }
}

type Answer<D> = Result<Outcome<<D as Decider>::Event>, EngineError>;

/// One keyed command and what the reference answered.
struct Delivered<D: Subject> {
    id: AggregateId,
    command: D::Command,
    key: IdempotencyKey,
    /// What the reference answered the first delivery (`None` while it
    /// is being delivered the first time).
    answer: Option<Answer<D>>,
}

/// What a run of one kind saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    pub commands: u64,
    pub accepted: u64,
    pub refused: u64,
    pub redelivered: u64,
    /// Scheduler ticks (time-driven kinds), and the events they recorded
    /// in the reference run.
    pub ticks: u64,
    pub tick_events: u64,
    /// Extra sends after a retryable store error, sync and async.
    pub resent: u64,
    pub injected: Injected,
}

struct Run<D: Subject> {
    seed: u64,
    kind_seed: u64,
    rng: Rng,
    policy: D::Policy,
    reference: Engine<FixedClock, MemoryStore>,
    faulty: Engine<FixedClock, FaultyStore<MemoryStore>>,
    asynchronous: AsyncEngine<FixedClock, FaultyStore<MemoryStore>>,
    delivered: Vec<Delivered<D>>,
    report: Report,
}

impl<D: Subject> Run<D> {
    fn fail(&self, step: u64, what: impl std::fmt::Display) -> ! {
        panic!(
            "fault simulation seed {} ({} stream {:#x}) step {step}: {what}\n  reproduce: SIM_SEED={} cargo test --test simulation every_aggregate_converges",
            self.seed,
            D::KIND,
            self.kind_seed,
            self.seed
        )
    }

    /// Sends the command until it is answered: a retryable store error
    /// means "send it again with the same key", anything else is the
    /// answer.
    fn until_answered(&mut self, step: u64, delivery: &Delivered<D>, side: Side) -> Answer<D> {
        for _ in 0..MAX_ATTEMPTS {
            let answer = if side == Side::Async {
                block_on(self.asynchronous.execute::<D>(
                    &delivery.id,
                    &delivery.command,
                    &self.policy,
                    Some(&delivery.key),
                ))
            } else {
                self.faulty.execute::<D>(
                    &delivery.id,
                    &delivery.command,
                    &self.policy,
                    Some(&delivery.key),
                )
            };
            match answer {
                Err(EngineError::Store(error)) if error.is_retryable() => self.report.resent += 1,
                answer => return answer,
            }
        }
        self.fail(
            step,
            format_args!(
                "{:?} under key {} was not answered after {MAX_ATTEMPTS} sends",
                delivery.command, delivery.key
            ),
        )
    }

    /// The checks every faulty store must pass after `delivery` answered
    /// `answer`, given the stream before it.
    fn check_store(
        &self,
        step: u64,
        (which, store): (Side, &MemoryStore),
        delivery: &Delivered<D>,
        before: &[D::Event],
        answer: &Answer<D>,
        redelivery: bool,
    ) {
        let id = &delivery.id;
        let after = store.events::<D>(id);
        let stored = match Store::<D>::load(store, id) {
            Ok(stored) => stored,
            Err(error) => self.fail(step, format_args!("{which}: load {id}: {error}")),
        };
        if stored.version.get() != after.len() as u64 {
            self.fail(
                step,
                format_args!(
                    "{which} {id}: version {} but {} events",
                    stored.version,
                    after.len()
                ),
            );
        }
        if stored.state != D::replay(after.iter()) {
            self.fail(
                step,
                format_args!("{which} {id}: the state is not the replay of its events"),
            );
        }
        let appended = match answer {
            _ if redelivery => &[][..],
            Ok(outcome) => &outcome.events[..],
            Err(EngineError::Command(Error::Refused(refusal))) => {
                if let Some(rule) = refusal.rules().find(|rule| rule.family() != D::FAMILY) {
                    self.fail(
                        step,
                        format_args!("{which} {id}: {:?} refused by {rule}", delivery.command),
                    );
                }
                &[][..]
            }
            Err(other) => self.fail(
                step,
                format_args!(
                    "{which} {id}: {:?} failed with {other}, not a refusal",
                    delivery.command
                ),
            ),
        };
        let grew = after.len() == before.len() + appended.len()
            && after[..before.len()] == before[..]
            && after[before.len()..] == appended[..];
        if !grew {
            self.fail(
                step,
                format_args!(
                    "{which} {id}: {:?} answered {answer:?} but the stream went from {before:?} to {after:?}",
                    delivery.command
                ),
            );
        }
    }

    fn deliver(&mut self, step: u64, delivery: &Delivered<D>, redelivery: bool) -> Answer<D> {
        let id = &delivery.id;
        let before = self.faulty.store().inner().events::<D>(id);
        let before_async = self.asynchronous.store().inner().events::<D>(id);
        let reference =
            self.reference
                .execute::<D>(id, &delivery.command, &self.policy, Some(&delivery.key));
        let faulty = self.until_answered(step, delivery, Side::Sync);
        let asynchronous = self.until_answered(step, delivery, Side::Async);
        if faulty != reference || asynchronous != reference {
            self.fail(
                step,
                format_args!(
                    "{} {id}: {:?} under key {} answered\n  without faults: {reference:?}\n  sync with faults: {faulty:?}\n  async with faults: {asynchronous:?}",
                    D::KIND,
                    delivery.command,
                    delivery.key
                ),
            );
        }
        if redelivery && delivery.answer.as_ref() != Some(&reference) {
            self.fail(
                step,
                format_args!(
                    "{id}: {:?} delivered again under key {} answered {reference:?}, first {:?}",
                    delivery.command, delivery.key, delivery.answer
                ),
            );
        }
        self.check_store(
            step,
            (Side::Sync, self.faulty.store().inner()),
            delivery,
            &before,
            &faulty,
            redelivery,
        );
        self.check_store(
            step,
            (Side::Async, self.asynchronous.store().inner()),
            delivery,
            &before_async,
            &asynchronous,
            redelivery,
        );
        reference
    }

    /// Ticks at `now` until quiet: once over the reference, and over each
    /// faulty store until a tick has no store failure and nothing
    /// unfinished (a failed aggregate stays due, so the next tick takes it
    /// again). An aggregate the decider refuses to advance (an
    /// auto-renewal that needs funds, R-LIFE-07) is refused alike in the
    /// three runs. Then every stream equals the reference's.
    fn tick(&mut self, step: u64, now: DateTime<Utc>) {
        let mut refusals = Vec::new();
        for which in [Side::Reference, Side::Sync, Side::Async] {
            let mut refused = None;
            for _ in 0..MAX_ATTEMPTS {
                let ticked = match which {
                    Side::Reference => D::tick(&self.reference, now, &self.policy),
                    Side::Sync => D::tick(&self.faulty, now, &self.policy),
                    Side::Async => D::tick_async(&self.asynchronous, now, &self.policy),
                };
                let tick = match ticked {
                    None => return,
                    Some(Err(EngineError::Store(error)))
                        if which != Side::Reference && error.is_retryable() =>
                    {
                        self.report.resent += 1;
                        continue;
                    }
                    Some(Err(error)) => {
                        self.fail(step, format_args!("{which} tick at {now}: {error}"))
                    }
                    Some(Ok(tick)) => tick,
                };
                if which == Side::Reference {
                    self.report.tick_events += tick.events as u64;
                }
                let (faults, decided): (Vec<_>, Vec<_>) = tick
                    .failed
                    .into_iter()
                    .partition(|(_, error)| matches!(error, EngineError::Store(_)));
                if let Some((id, error)) = faults.iter().find(|(_, error)| {
                    which == Side::Reference
                        || !matches!(error, EngineError::Store(e) if e.is_retryable())
                }) {
                    self.fail(
                        step,
                        format_args!("{which} tick at {now}: {id} failed: {error}"),
                    );
                }
                if faults.is_empty() && tick.unfinished.is_empty() {
                    refused = Some(decided);
                    break;
                }
                self.report.resent += faults.len() as u64;
            }
            match refused {
                Some(mut refused) => {
                    refused.sort_by(|a, b| a.0.cmp(&b.0));
                    refusals.push(refused);
                }
                None => self.fail(
                    step,
                    format_args!("{which} ticks at {now} never went quiet"),
                ),
            }
        }
        if refusals.windows(2).any(|pair| pair[0] != pair[1]) {
            self.fail(
                step,
                format_args!(
                    "ticks at {now} refused differently (reference, sync, async): {refusals:?}"
                ),
            );
        }
        self.report.ticks += 1;
        self.check_streams(step);
    }

    fn run(mut self, commands: u64) -> Report {
        let mut now = self.reference.clock().now();
        for step in 0..commands {
            // From a minute to about three months between commands.
            now += Duration::minutes(self.rng.log_uniform(16) as i64);
            for clock in [
                self.reference.clock(),
                self.faulty.clock(),
                self.asynchronous.clock(),
            ] {
                clock.set(now);
            }
            if self.rng.chance(10) {
                self.tick(step, now);
            }
            if !self.delivered.is_empty() && self.rng.chance(15) {
                let earlier = self.rng.index(self.delivered.len());
                let delivery = self.delivered.swap_remove(earlier);
                // `deliver` compares it with the first answer.
                let _again = self.deliver(step, &delivery, true);
                self.report.redelivered += 1;
                self.delivered.push(delivery);
                continue;
            }
            let id = AggregateId::from(format!("{}-{}", D::KIND, self.rng.below(D::IDS)));
            let command = D::command(&mut self.rng, &id, step, now);
            let mut delivery = Delivered {
                id,
                command,
                key: IdempotencyKey::from(format!("k{step}")),
                answer: None,
            };
            let answer = self.deliver(step, &delivery, false);
            self.report.commands += 1;
            match &answer {
                Ok(_) => self.report.accepted += 1,
                Err(_) => self.report.refused += 1,
            }
            delivery.answer = Some(answer);
            self.delivered.push(delivery);
        }
        self.check_end(commands);
        let (sync, asynchronous) = (
            self.faulty.store().injected(),
            self.asynchronous.store().injected(),
        );
        self.report.injected = Injected {
            read_errors: sync.read_errors + asynchronous.read_errors,
            transient: sync.transient + asynchronous.transient,
            lost_acks: sync.lost_acks + asynchronous.lost_acks,
            competing: sync.competing + asynchronous.competing,
        };
        self.report
    }

    /// The faulty stores hold exactly the reference's streams.
    fn check_streams(&self, step: u64) {
        let reference = self.reference.store();
        let ids = reference.ids::<D>();
        for store in [
            self.faulty.store().inner(),
            self.asynchronous.store().inner(),
        ] {
            if store.ids::<D>() != ids {
                self.fail(
                    step,
                    format_args!("aggregates {:?}, reference {ids:?}", store.ids::<D>()),
                );
            }
            for id in &ids {
                let (events, expected) = (store.events::<D>(id), reference.events::<D>(id));
                if events != expected {
                    self.fail(
                        step,
                        format_args!("{id}: events {events:?}, reference {expected:?}"),
                    );
                }
            }
        }
    }

    /// The faulty stores hold exactly the reference's streams and key
    /// records.
    fn check_end(&self, step: u64) {
        self.check_streams(step);
        let reference = self.reference.store();
        for store in [
            self.faulty.store().inner(),
            self.asynchronous.store().inner(),
        ] {
            for delivery in &self.delivered {
                let record = Store::<D>::key(store, &delivery.id, &delivery.key);
                let expected = Store::<D>::key(reference, &delivery.id, &delivery.key);
                if record != expected || !matches!(record, Ok(Some(_))) {
                    self.fail(
                        step,
                        format_args!(
                            "{}: key {} recorded {record:?}, reference {expected:?}",
                            delivery.id, delivery.key
                        ),
                    );
                }
            }
        }
    }
}

/// Runs `commands` keyed commands of kind `D` from `seed` as described in
/// the module docs; panics with the seed on the first difference.
pub fn converge<D: Subject>(seed: u64, commands: u64) -> Report {
    // Each kind draws its own stream, so adding a kind shifts no other.
    let kind_seed = D::KIND.bytes().fold(seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let run = Run::<D> {
        seed,
        kind_seed,
        rng: Rng(kind_seed),
        policy: D::policy(),
        reference: Engine::new(FixedClock::new(start), MemoryStore::new()),
        faulty: Engine::new(
            FixedClock::new(start),
            FaultyStore::new(MemoryStore::new(), kind_seed, RATES),
        ),
        asynchronous: AsyncEngine::new(
            FixedClock::new(start),
            FaultyStore::new(MemoryStore::new(), kind_seed.rotate_left(17), RATES),
        ),
        delivered: Vec::new(),
        report: Report::default(),
    };
    run.run(commands)
}

#[path = "converge/subjects.rs"]
mod subjects;
use subjects::*;
