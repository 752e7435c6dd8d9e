//! Statements whose lines add up (issue 16, item 2): an account's recorded
//! events over a period, itemized, the lines adding up to the total to the
//! digit, each figure rounded once, sub-periods adding up to the whole.

use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets::{app_store_seat_pricing, verification_usage};
use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
use billing_rules::statement::{LineKind, SourceRef, Statement, StatementEvent};
use billing_rules::time::Zone;
use billing_rules::usage::{CallCounts, Component, PackageOrder, PackageWallet, WalletCommand};
use billing_rules::{DateTime, Decider, Decimal, Error, RuleId, TimeDelta, Utc};
use proptest::prelude::*;

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Zone::UTC.at(y, m, d, 0, 0, 0).unwrap()
}

fn cny(cents: i64) -> Money {
    Money::cny(Decimal::new(cents, 2))
}

fn add_on(version: u64, at: DateTime<Utc>, cents: i64) -> StatementEvent {
    StatementEvent::AddOn {
        at,
        source: SourceRef::new("acct", version),
        quantity: Decimal::ONE,
        unit_price: None,
        amount: cny(cents),
    }
}

fn refund(version: u64, at: DateTime<Utc>, items: &[u64], cents: i64) -> StatementEvent {
    StatementEvent::Refund {
        at,
        source: SourceRef::new("acct", version),
        items: items.iter().map(|v| SourceRef::new("acct", *v)).collect(),
        amount: cny(cents),
    }
}

fn calls(version: u64, at: DateTime<Utc>, overage: u64, unit: Decimal) -> StatementEvent {
    let unit_price = Money::cny(unit);
    StatementEvent::Calls {
        at,
        source: SourceRef::new("wallet", version),
        component: Component::QuickVerification,
        drawn: 0,
        overage,
        unit_price,
        charge: unit_price.checked_mul(Decimal::from(overage)).unwrap(),
    }
}

fn july() -> (DateTime<Utc>, DateTime<Utc>) {
    (utc(2025, 7, 1), utc(2025, 8, 1))
}

fn amounts(statement: &Statement, kind: LineKind) -> Vec<String> {
    statement
        .lines
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.amount.to_string())
        .collect()
}

fn lines_sum(statement: &Statement) -> Decimal {
    statement.lines.iter().map(|l| l.amount).sum()
}

fn data_error(result: Result<Statement, Error>) -> (String, String) {
    match result {
        Err(Error::Data(e)) => (e.field, e.problem),
        other => panic!("expected a data error, got {other:?}"),
    }
}

// ---- properties ----

const YEAR_MINUTES: i64 = 366 * 24 * 60;

fn base() -> DateTime<Utc> {
    utc(2025, 1, 1)
}

/// A charge of some kind at `minute`, in cents.
fn charge(kind: u8, version: u64, minute: i64, cents: i64, credit: i64) -> StatementEvent {
    let at = base() + TimeDelta::minutes(minute);
    let source = SourceRef::new("acct", version);
    match kind % 7 {
        0 => StatementEvent::SeatPurchase {
            at,
            source,
            seats: 10,
            periods: 1,
            amount: cny(cents),
        },
        1 => StatementEvent::SeatUpgrade {
            at,
            source,
            seats: 20,
            periods: 1,
            total: cny(cents),
            credit: cny(credit.min(cents)),
        },
        2 => StatementEvent::SeatExtension {
            at,
            source,
            seats: 10,
            periods: 1,
            amount: cny(cents),
        },
        3 => StatementEvent::PackagePurchase {
            at,
            source,
            calls: 1000,
            price: cny(cents),
        },
        4 => StatementEvent::TrafficDay {
            at,
            source,
            quantity: Decimal::from(cents),
            amount: cny(cents),
        },
        5 => StatementEvent::AppOrder {
            at,
            source,
            amount: cny(cents),
        },
        _ => add_on(version, at, cents),
    }
}

/// What is left to refund of a charge: its amount, less an upgrade's credit.
fn due(event: &StatementEvent) -> Decimal {
    match event {
        StatementEvent::SeatUpgrade { total, credit, .. } => total.amount() - credit.amount(),
        StatementEvent::SeatPurchase { amount, .. }
        | StatementEvent::SeatExtension { amount, .. }
        | StatementEvent::TrafficDay { amount, .. }
        | StatementEvent::AddOn { amount, .. }
        | StatementEvent::AppOrder { amount, .. } => amount.amount(),
        StatementEvent::PackagePurchase { price, .. } => price.amount(),
        StatementEvent::Calls { .. } | StatementEvent::Refund { .. } => Decimal::ZERO,
    }
}

const PRICES: [i64; 4] = [300, 400, 125, 10]; // 0.0300, 0.0400, 0.0125, 0.0010

/// Charges, calls at several prices, and refunds each paying back part of
/// a distinct set of earlier charges, with unique sources.
fn account() -> impl Strategy<Value = Vec<StatementEvent>> {
    let charges = prop::collection::vec(
        (any::<u8>(), 0..YEAR_MINUTES, 0i64..1_000_000, 0i64..500_000),
        0..16,
    );
    let uses = prop::collection::vec(
        (
            0..YEAR_MINUTES,
            0u64..5000,
            0u64..2000,
            0usize..4,
            any::<bool>(),
        ),
        0..16,
    );
    let refunds = prop::collection::vec((any::<u16>(), 0u32..=100, 1i64..10_000), 0..4);
    (charges, uses, refunds).prop_map(|(charges, uses, refunds)| {
        let mut events: Vec<StatementEvent> = charges
            .iter()
            .enumerate()
            .map(|(i, (k, m, c, cr))| charge(*k, i as u64 + 1, *m, *c, *cr))
            .collect();
        let charged = events.len();
        let mut taken = vec![false; charged];
        for (r, (mask, percent, later)) in refunds.iter().enumerate() {
            let items: Vec<usize> = (0..charged.min(16))
                .filter(|i| mask & (1 << i) != 0 && !taken[*i])
                .collect();
            if items.is_empty() {
                continue;
            }
            let left: Decimal = items.iter().map(|i| due(&events[*i])).sum();
            let amount = (left * Decimal::from(*percent) / Decimal::from(100))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
            let at =
                items.iter().map(|i| events[*i].at()).max().unwrap() + TimeDelta::minutes(*later);
            for i in &items {
                taken[*i] = true;
            }
            events.push(StatementEvent::Refund {
                at,
                source: SourceRef::new("refunds", r as u64 + 1),
                items: items.iter().map(|i| events[*i].source().clone()).collect(),
                amount: Money::cny(amount),
            });
        }
        for (i, (m, drawn, overage, price, real_time)) in uses.into_iter().enumerate() {
            let unit = Money::cny(Decimal::new(PRICES[price], 4));
            events.push(StatementEvent::Calls {
                at: base() + TimeDelta::minutes(m),
                source: SourceRef::new("wallet", i as u64 + 1),
                component: if real_time {
                    Component::RealTimeVerification
                } else {
                    Component::QuickVerification
                },
                drawn,
                overage,
                unit_price: unit,
                charge: unit.checked_mul(Decimal::from(overage)).unwrap(),
            });
        }
        events
    })
}

fn whole_life() -> (DateTime<Utc>, DateTime<Utc>) {
    (base(), base() + TimeDelta::days(400))
}

#[path = "statements/anchors_and_sources.rs"]
mod anchors_and_sources;
#[path = "statements/json_errors_and_properties.rs"]
mod json_errors_and_properties;
