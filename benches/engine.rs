//! The engine: one command end to end (idempotency lookup, load, decide,
//! append with the key) through a `MemoryStore`.
//!
//! Phase 1 uses a purchase-like decider defined here; phase 2 switches it to
//! a real seat purchase.

use std::hint::black_box;
use std::time::Instant;

use billing_rules::decider::Decider;
use billing_rules::engine::{AggregateId, Engine, FixedClock, IdempotencyKey, MemoryStore};
use billing_rules::money::Money;
use billing_rules::{Error, Reason, RuleId};
use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

/// Orders of seats at a unit price; each order of 1 to `max_seats` seats, at
/// or after the last, is accepted and its amount added to what was paid.
struct Orders;

#[derive(Clone)]
struct Paid {
    seats: u64,
    total: Money,
    last_order: Option<DateTime<Utc>>,
}

struct Purchase {
    seats: u32,
    unit_price: Money,
}

#[derive(Clone)]
struct Purchased {
    seats: u32,
    amount: Money,
    at: DateTime<Utc>,
}

impl Decider for Orders {
    type State = Paid;
    type Command = Purchase;
    type Event = Purchased;
    type Policy = u32;

    fn initial() -> Paid {
        Paid {
            seats: 0,
            total: Money::cny(Decimal::ZERO),
            last_order: None,
        }
    }

    fn decide(
        paid: &Paid,
        order: &Purchase,
        now: DateTime<Utc>,
        max_seats: &u32,
    ) -> Result<Vec<Purchased>, Error> {
        if order.seats == 0 || order.seats > *max_seats {
            return Err(Reason::new(RuleId::Seat07, "seats out of limits").into());
        }
        if paid.last_order.is_some_and(|last| now < last) {
            return Err(Reason::new(RuleId::Seat09, "an order cannot predate the last").into());
        }
        let amount = order.unit_price.checked_mul(Decimal::from(order.seats))?;
        paid.total.checked_add(amount)?;
        Ok(vec![Purchased {
            seats: order.seats,
            amount,
            at: now,
        }])
    }

    fn evolve(paid: Paid, event: &Purchased) -> Paid {
        Paid {
            seats: paid.seats.saturating_add(u64::from(event.seats)),
            total: paid.total.checked_add(event.amount).unwrap_or(paid.total),
            last_order: Some(event.at),
        }
    }
}

fn engine(c: &mut Criterion) {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let accounts: Vec<AggregateId> = (0..64).map(|i| format!("org-{i}").into()).collect();
    let order = Purchase {
        seats: 20,
        unit_price: Money::cny(Decimal::new(1999, 2)),
    };
    // A fresh store per sample keeps memory bounded; the keys are made
    // before the clock starts, as a client sends them.
    c.bench_function("engine_command_memory_store", |b| {
        b.iter_custom(|iters| {
            let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
            let keys: Vec<IdempotencyKey> =
                (0..iters).map(|i| format!("order-{i}").into()).collect();
            let timer = Instant::now();
            for (key, account) in keys.iter().zip(accounts.iter().cycle()) {
                let outcome =
                    engine.execute::<Orders>(black_box(account), &order, &1000, Some(key));
                black_box(outcome).ok();
            }
            timer.elapsed()
        })
    });
    // A retried command: found under its key, nothing decided or written.
    c.bench_function("engine_retried_command_memory_store", |b| {
        let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
        let key = IdempotencyKey::from("order-1");
        engine
            .execute::<Orders>(&accounts[0], &order, &1000, Some(&key))
            .ok();
        b.iter(|| engine.execute::<Orders>(black_box(&accounts[0]), &order, &1000, Some(&key)))
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
