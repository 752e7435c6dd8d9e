//! Commands on large aggregates through the engine: the cost must follow
//! what a command changes, not the size of the aggregate (issue 19).
//!
//! - `ledger_command_1m_orders`: an order ledger of 10^6 orders in a
//!   `MemoryStore`; each iteration is one command through the engine,
//!   alternately recording a fresh order and refunding it (the latest
//!   unrefunded, inside its window), so every command is accepted.
//! - `wallet_consume_1m_packages`: a package wallet of 10^6 packages (trial
//!   quota used up) in a `MemoryStore`; each iteration consumes one call
//!   through the engine, drawn from the package that expires first.
//!
//! The aggregates are built once, outside the timing loop, by appending
//! their 10^6 events in one commit.

use std::hint::black_box;

use billing_rules::Decider;
use billing_rules::engine::{Aggregate, AggregateId, Commit, Engine, MemoryStore, Store, Version};
use billing_rules::money::Money;
use billing_rules::presets;
use billing_rules::refund::{LedgerCommand, LedgerEvent, OrderLedger, RefundFlags};
use billing_rules::time::{Days, FixedClock};
use billing_rules::usage::{
    CallCounts, Component, PackageId, PackageOrder, PackageWallet, Purchase, WalletCommand,
    WalletEvent,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

const SIZE: u32 = 1_000_000;

/// A store holding one aggregate of kind `D` built from `events`.
fn store_with<D>(id: &AggregateId, events: Vec<D::Event>) -> MemoryStore
where
    D: Aggregate + 'static,
    D::State: Send + 'static,
    D::Event: Send + 'static,
{
    let store = MemoryStore::new();
    let commit = Commit {
        expected: Version::INITIAL,
        events,
        recorded_at: DateTime::<Utc>::UNIX_EPOCH,
        next_due: None,
        policy: billing_rules::Fingerprint::ZERO,
        key: None,
    };
    Store::<D>::append(&store, id, commit).unwrap();
    store
}

fn ledger(c: &mut Criterion, now: DateTime<Utc>) {
    let policy = presets::app_store_refunds().unwrap();
    let id = AggregateId::from("app-1");
    let events = (0..SIZE)
        .map(|i| LedgerEvent::OrderRecorded {
            order: format!("o{i}").into(),
            paid_at: now - Duration::seconds(i64::from(SIZE - i)),
            amount: Money::cny(Decimal::from(30)),
            at: now,
        })
        .collect();
    let engine = Engine::new(FixedClock::new(now), store_with::<OrderLedger>(&id, events));
    // Iteration n records order n/2 (n even) or refunds it (n odd): the
    // latest order, paid at now, so every refund is eligible.
    let mut n = 0u64;
    let mut command = move || {
        n += 1;
        let order = format!("n{}", n / 2).into();
        if n.is_multiple_of(2) {
            LedgerCommand::RecordOrder {
                order,
                paid_at: now,
                amount: Money::cny(Decimal::from(30)),
            }
        } else {
            LedgerCommand::Refund {
                order,
                flags: RefundFlags::default(),
            }
        }
    };
    // The first iteration refunds n0.
    let first = LedgerCommand::RecordOrder {
        order: "n0".into(),
        paid_at: now,
        amount: Money::cny(Decimal::from(30)),
    };
    engine
        .execute::<OrderLedger>(&id, &first, &policy, None)
        .unwrap();
    c.bench_function("ledger_command_1m_orders", |b| {
        b.iter_batched(
            &mut command,
            |command| {
                let outcome =
                    engine.execute::<OrderLedger>(&id, black_box(&command), &policy, None);
                assert!(outcome.is_ok(), "{command:?}: {outcome:?}");
                outcome
            },
            BatchSize::SmallInput,
        )
    });
}

fn wallet(c: &mut Criterion, now: DateTime<Utc>) {
    let policy = presets::verification_usage().unwrap();
    let id = AggregateId::from("app-1");
    let mut events: Vec<WalletEvent> = (0..SIZE)
        .map(|i| {
            // Bought in reverse order of expiry, so the draw order is not
            // the purchase order.
            let effective_at = now - Duration::seconds(i64::from(i));
            WalletEvent::Purchased(Purchase {
                package: PackageId(i),
                order: PackageOrder::listed(1000, 365),
                calls: 1000,
                validity: Days(365),
                price: Money::cny(Decimal::from(30)),
                paid_at: effective_at,
                effective_at,
                expires_at: effective_at + Duration::days(365),
            })
        })
        .collect();
    let trial = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(policy.trial_quota()),
        at: now,
    };
    let state = PackageWallet::replay(events.iter());
    events.extend(PackageWallet::decide(&state, &trial, now, &policy).unwrap());
    drop(state);
    let engine = Engine::new(
        FixedClock::new(now),
        store_with::<PackageWallet>(&id, events),
    );
    let one = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(1),
        at: now,
    };
    c.bench_function("wallet_consume_1m_packages", |b| {
        b.iter(|| {
            let outcome = engine.execute::<PackageWallet>(&id, black_box(&one), &policy, None);
            assert!(
                matches!(&outcome, Ok(o) if matches!(&o.events[..], [WalletEvent::Consumed(c)] if c.from_packages() == 1)),
                "{outcome:?}"
            );
            outcome
        })
    });
}

fn large(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
    ledger(c, now);
    wallet(c, now);
}

criterion_group!(benches, large);
criterion_main!(benches);
