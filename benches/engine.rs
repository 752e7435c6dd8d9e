//! The engine: one real purchase end to end through a `MemoryStore`.
//!
//! - `engine_command_memory_store`: a package purchase on the package
//!   wallet with the verification preset (10,000 calls for a year, priced
//!   by the catalogue at 300.00), with an idempotency key: the key lookup,
//!   the load, the decider, and the append of the event and the key.
//! - `engine_retried_command_memory_store`: the same purchase retried: found
//!   under its key, nothing decided or written.
//! - `engine_command_fingerprint`: the part of the keyed command that
//!   binds the key to the command, the fingerprint (XXH3-128) of its
//!   JSON; `engine_command_fingerprint_fnv` the FNV-1a digest it replaced.
//! - `engine_seat_purchase_memory_store`: what a service does for one seat
//!   purchase: the seat plan's quote, the subscription's Purchase and the
//!   order recorded in the ledger (two commands, two keys).
//!
//! Each wallet (or account) takes at most 4 purchases before its store is
//! replaced outside the timer, so a load never copies a long history and
//! the figure does not drift with the number of iterations.

use std::hint::black_box;
use std::time::{Duration, Instant};

use billing_rules::engine::{AggregateId, AsyncEngine, Engine, IdempotencyKey, MemoryStore};
use billing_rules::lifecycle::{Subscription, SubscriptionCommand};
use billing_rules::presets;
use billing_rules::pricing::SeatOrder;
use billing_rules::refund::{LedgerCommand, OrderId, OrderLedger};
use billing_rules::time::{Clock, FixedClock, Period};
use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand, WalletEvent};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const ACCOUNTS: usize = 64;
/// Purchases per store: 4 per account.
const PER_STORE: usize = ACCOUNTS * 4;

fn engine(c: &mut Criterion) {
    let start = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
    let usage = presets::verification_usage().unwrap();
    let accounts: Vec<AggregateId> = (0..ACCOUNTS).map(|i| format!("app-{i}").into()).collect();
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };

    // The bench measures a purchase that is accepted and priced.
    let check = Engine::new(FixedClock::new(start), MemoryStore::new());
    let bought = check
        .execute::<PackageWallet>(&accounts[0], &buy, &usage, None)
        .unwrap();
    match bought.events.as_slice() {
        [WalletEvent::Purchased(p)] => assert_eq!(p.price.to_string(), "CNY 300.00"),
        other => panic!("not a purchase: {other:?}"),
    }

    c.bench_function("engine_command_fingerprint", |b| {
        b.iter(|| billing_rules::Fingerprint::xxh3_of(black_box(&buy)))
    });
    // The digest keys were bound with before (FNV-1a), for the ratio.
    c.bench_function("engine_command_fingerprint_fnv", |b| {
        b.iter(|| billing_rules::Fingerprint::of(black_box(&buy)))
    });

    // The keys are made before the clock starts, as a client sends them.
    c.bench_function("engine_command_memory_store", |b| {
        b.iter_custom(|iters| {
            let keys: Vec<IdempotencyKey> =
                (0..iters).map(|i| format!("order-{i}").into()).collect();
            let mut elapsed = Duration::ZERO;
            for chunk in keys.chunks(PER_STORE) {
                let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
                let timer = Instant::now();
                for (key, wallet) in chunk.iter().zip(accounts.iter().cycle()) {
                    let outcome = engine.execute::<PackageWallet>(
                        black_box(wallet),
                        black_box(&buy),
                        &usage,
                        Some(key),
                    );
                    black_box(outcome).ok();
                }
                elapsed += timer.elapsed();
            }
            elapsed
        })
    });

    // The same commands through the async engine, each future polled to
    // completion on this thread (MemoryStore's futures are ready at once).
    c.bench_function("engine_command_memory_store_async", |b| {
        b.iter_custom(|iters| {
            let keys: Vec<IdempotencyKey> =
                (0..iters).map(|i| format!("order-{i}").into()).collect();
            let mut elapsed = Duration::ZERO;
            for chunk in keys.chunks(PER_STORE) {
                let engine = AsyncEngine::new(FixedClock::new(start), MemoryStore::new());
                let timer = Instant::now();
                for (key, wallet) in chunk.iter().zip(accounts.iter().cycle()) {
                    let outcome = block_on(engine.execute::<PackageWallet>(
                        black_box(wallet),
                        black_box(&buy),
                        &usage,
                        Some(key),
                    ));
                    black_box(outcome).ok();
                }
                elapsed += timer.elapsed();
            }
            elapsed
        })
    });

    c.bench_function("engine_retried_command_memory_store", |b| {
        let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
        let key = IdempotencyKey::from("order-1");
        engine
            .execute::<PackageWallet>(&accounts[0], &buy, &usage, Some(&key))
            .unwrap();
        b.iter(|| {
            engine.execute::<PackageWallet>(black_box(&accounts[0]), &buy, &usage, Some(&key))
        })
    });

    let seats = presets::app_store_seat_pricing().unwrap();
    let lifecycle = presets::app_store_subscription().unwrap();
    let refunds = presets::app_store_refunds().unwrap();
    c.bench_function("engine_seat_purchase_memory_store", |b| {
        b.iter_custom(|iters| {
            let keys: Vec<(IdempotencyKey, IdempotencyKey, OrderId)> = (0..iters)
                .map(|i| {
                    (
                        format!("seat-{i}").into(),
                        format!("order-{i}").into(),
                        format!("o-{i}").into(),
                    )
                })
                .collect();
            let mut elapsed = Duration::ZERO;
            for chunk in keys.chunks(PER_STORE) {
                let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
                let timer = Instant::now();
                for ((seat_key, order_key, order), account) in
                    chunk.iter().zip(accounts.iter().cycle())
                {
                    let priced = seats.quote(&SeatOrder::new(black_box(120), 1)).unwrap();
                    let validity = Period::days(priced.validity.total_days.0).unwrap();
                    engine
                        .execute::<Subscription>(
                            account,
                            &SubscriptionCommand::Purchase { validity },
                            &lifecycle,
                            Some(seat_key),
                        )
                        .unwrap();
                    let recorded = engine.execute::<OrderLedger>(
                        account,
                        &LedgerCommand::RecordOrder {
                            order: order.clone(),
                            paid_at: engine.clock().now(),
                            amount: priced.total,
                        },
                        &refunds,
                        Some(order_key),
                    );
                    black_box(recorded).ok();
                }
                elapsed += timer.elapsed();
            }
            elapsed
        })
    });
}

/// Polls a future to completion with a no-op waker.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// One million subscriptions bought over one month (one every 2.592 s), so
/// that their due events form a steady wave: each tick asks the due index
/// for the aggregates due at an instant 2,592 s later than the last
/// tick's (1,000 of them) and advances them. Untimed after each tick, the
/// advanced ones buy another month, which puts them a month further along
/// the wave, so every tick finds 1,000 due however many ticks run. A tick
/// must cost O(due), not O(all).
fn scheduler(c: &mut Criterion) {
    const SUBSCRIPTIONS: i64 = 1_000_000;
    const SPACING_MS: i64 = 2_592;
    let start = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
    let policy = presets::app_store_subscription().unwrap();
    let buy = SubscriptionCommand::Purchase {
        validity: Period::days(30).unwrap(),
    };
    let step = chrono::Duration::milliseconds(SPACING_MS * 1_000);
    // The million subscriptions are bought when the bench runs, not when
    // another bench is picked by a filter.
    let setup = || {
        let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
        let ids: Vec<AggregateId> = (0..SUBSCRIPTIONS)
            .map(|i| AggregateId::from(format!("sub-{i}")))
            .collect();
        for id in &ids {
            engine
                .execute::<Subscription>(id, &buy, &policy, None)
                .unwrap();
            engine
                .clock()
                .advance(chrono::Duration::milliseconds(SPACING_MS))
                .unwrap();
        }
        let state = engine.state::<Subscription>(&ids[0]).unwrap();
        let first_due =
            <Subscription as billing_rules::engine::Aggregate>::next_due(&state, &policy)
                .expect("a bought month has a due event");
        (engine, first_due + step - chrono::Duration::milliseconds(1))
    };
    let mut wave = None;
    c.bench_function("scheduler_tick_1m_subscriptions_1000_due", |b| {
        let (engine, now) = wave.get_or_insert_with(setup);
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let due = <MemoryStore as billing_rules::engine::Store<Subscription>>::due(
                    engine.store(),
                    *now,
                    1_000,
                )
                .unwrap();
                let timer = Instant::now();
                let tick = engine.tick::<Subscription>(black_box(*now), 1_000, &policy);
                elapsed += timer.elapsed();
                let tick = tick.unwrap();
                assert!(tick.advanced >= 990 && tick.failed.is_empty(), "{tick:?}");
                for item in due {
                    engine
                        .execute::<Subscription>(&item.id, &buy, &policy, None)
                        .unwrap();
                }
                *now += step;
            }
            elapsed
        })
    });
}

criterion_group!(benches, engine, scheduler);
criterion_main!(benches);
