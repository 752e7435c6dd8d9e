//! Replaying a history under another policy (`billing_rules::replay`).
//!
//! - `replay_order_ledger_1000_commands`: 500 orders recorded a day apart,
//!   each asked back 8 days later (accepted under the 10-day preset,
//!   refused under a 7-day policy), replayed under both: two decisions per
//!   command, the events compared, the money summed.
//! - `decide_order_ledger_1000_commands_once`: the same commands decided
//!   once under one policy with `Decider::apply`, the floor the replay is
//!   measured against (the ratio of the two is its overhead, about 2 for
//!   deciding twice).

use std::hint::black_box;

use billing_rules::Decider;
use billing_rules::money::Money;
use billing_rules::presets;
use billing_rules::refund::{AppRefundPolicy, LedgerCommand, OrderLedger, RefundFlags};
use billing_rules::replay::{Entry, History, ReplayPolicy};
use billing_rules::{Decimal, TimeDelta};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const ORDERS: i64 = 500;

fn commands() -> Vec<Entry<LedgerCommand>> {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 2, 0, 0).unwrap();
    let mut entries = Vec::new();
    for i in 0..ORDERS {
        let paid_at = start + TimeDelta::days(i);
        entries.push(Entry {
            decided_at: paid_at,
            command: LedgerCommand::RecordOrder {
                order: format!("o{i}").into(),
                paid_at,
                amount: Money::cny(Decimal::from(100 + i)),
            },
        });
    }
    // Latest first (R-REF-02): each refund in turn, newest order first.
    let last = start + TimeDelta::days(ORDERS - 1 + 8);
    for i in (0..ORDERS).rev() {
        entries.push(Entry {
            decided_at: last,
            command: LedgerCommand::Refund {
                order: format!("o{i}").into(),
                flags: RefundFlags::default(),
            },
        });
    }
    entries
}

fn replay(c: &mut Criterion) {
    let entries = commands();
    let history = History::OrderLedger {
        commands: entries.clone(),
    };
    let base: ReplayPolicy = presets::app_store_refunds().unwrap().into();
    let mut spec = presets::app_store_refunds_spec();
    spec.window_days = 7;
    let new: ReplayPolicy = AppRefundPolicy::try_from(spec).unwrap().into();
    c.bench_function("replay_order_ledger_1000_commands", |b| {
        b.iter(|| black_box(history.replay(&base, &new).unwrap()))
    });
    let policy = presets::app_store_refunds().unwrap();
    c.bench_function("decide_order_ledger_1000_commands_once", |b| {
        b.iter(|| {
            let mut state = OrderLedger::initial();
            for entry in &entries {
                let _ = black_box(OrderLedger::apply(
                    &mut state,
                    &entry.command,
                    entry.decided_at,
                    &policy,
                ));
            }
            state
        })
    });
}

criterion_group!(benches, replay);
criterion_main!(benches);
