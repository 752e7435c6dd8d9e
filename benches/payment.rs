//! State machines: payment-method switching and refund eligibility.

use std::hint::black_box;

use billing_rules::Decider;
use billing_rules::money::Money;
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentMethod, PaymentState, PrepaidSource, SwitchFacts,
};
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    LedgerCommand, LedgerEvent, LedgerState, LicenceRefundRequest, OrderLedger, RefundFlags,
};
use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn start() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
}

fn switching(c: &mut Criterion) {
    let policy = presets::cloud_payment().unwrap();
    let prepaid = PaymentState::Prepaid {
        source: PrepaidSource::PersonalWallet,
        switches_used: 1,
    };
    let allowed =
        PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
    c.bench_function("payment_switch_allowed", |b| {
        b.iter(|| {
            EnvironmentPayment::decide(black_box(&prepaid), black_box(&allowed), start(), &policy)
        })
    });
    // Every rule refuses: seven reasons, each with its message and figures.
    let worst = PaymentState::PayAsYouGo {
        switches_used: 4,
        ever_prepaid: false,
    };
    let cny = |n: i64| Money::cny(Decimal::from(n));
    let facts = SwitchFacts::default()
        .in_isolation()
        .in_unsupported_context()
        .with_refund(cny(150), cny(100));
    let refused = PaymentCommand::switch(PaymentMethod::PayAsYouGo, facts);
    c.bench_function("payment_switch_refused_by_every_rule", |b| {
        b.iter(|| {
            EnvironmentPayment::decide(black_box(&worst), black_box(&refused), start(), &policy)
        })
    });
}

/// The events of a ledger of `n` orders, one a day.
fn ledger_events(n: i64) -> Vec<LedgerEvent> {
    (0..n)
        .map(|i| {
            let at = start() + Duration::days(i);
            LedgerEvent::OrderRecorded {
                order: format!("o{i}").into(),
                paid_at: at,
                amount: Money::cny(Decimal::new(29_900 + i, 2)),
                at,
            }
        })
        .collect()
}

fn refunds(c: &mut Criterion) {
    let policy = presets::app_store_refunds().unwrap();
    let events = ledger_events(100);
    let ledger: LedgerState = OrderLedger::replay(events.iter());
    let now = start() + Duration::days(100);
    let latest = "o99".into();
    c.bench_function("refund_eligibility_100_orders", |b| {
        b.iter(|| policy.eligibility(&ledger, black_box(&latest), RefundFlags::default(), now))
    });
    let older = "o50".into();
    c.bench_function("refund_eligibility_100_orders_refused", |b| {
        b.iter(|| policy.eligibility(&ledger, black_box(&older), RefundFlags::default(), now))
    });
    let events = ledger_events(1000);
    c.bench_function("refund_ledger_replay_1000_orders", |b| {
        b.iter(|| OrderLedger::replay(black_box(&events).iter()))
    });
    // Issue 8: a replay is linear, so 10x the orders costs about 10x.
    let events = ledger_events(10_000);
    c.bench_function("refund_ledger_replay_10000_orders", |b| {
        b.iter(|| OrderLedger::replay(black_box(&events).iter()))
    });
    // One command against a long ledger: the duplicate check, the total and
    // "latest first" must not scan every order.
    let long: LedgerState = OrderLedger::replay(events.iter());
    let now = start() + Duration::days(10_000);
    let record = LedgerCommand::RecordOrder {
        order: "new".into(),
        paid_at: now,
        amount: Money::cny(Decimal::from(299)),
    };
    c.bench_function("refund_ledger_decide_record_10000_orders", |b| {
        b.iter(|| OrderLedger::decide(black_box(&long), black_box(&record), now, &policy))
    });
    let refund = LedgerCommand::Refund {
        order: "o9999".into(),
        flags: RefundFlags::default(),
    };
    c.bench_function("refund_ledger_decide_refund_10000_orders", |b| {
        b.iter(|| OrderLedger::decide(black_box(&long), black_box(&refund), now, &policy))
    });

    let licence = presets::live_plugin_licence_refunds().unwrap();
    let request = LicenceRefundRequest::licence(
        "lic",
        Money::cny(Decimal::from(30_000)),
        start(),
        Quantity::new(Decimal::new(2, 2), Unit::Terabyte),
    );
    c.bench_function("refund_licence_eligibility", |b| {
        b.iter(|| licence.eligibility(black_box(&request), start()))
    });
}

criterion_group!(benches, switching, refunds);
criterion_main!(benches);
