//! Refund eligibility: app-order ledger and licence refunds (issue 6:
//! R-REF-01..04).

mod common;

use billing_rules::Decider;
use billing_rules::money::{Currency, Money};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, AppRefundPolicySpec, Eligibility, LedgerCommand, LedgerEvent, LedgerState,
    LicenceCharge, LicenceRefundPolicy, LicenceRefundPolicySpec, LicenceRefundRequest, Order,
    OrderId, OrderLedger, OrderStatus, RefundFlags, RefundWindow,
};
use billing_rules::time::Days;
use billing_rules::{Error, FigureValue, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cny, refused, rules};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// 00:00 UTC+08:00 on June `day`, 2025.
fn june(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 31, 16, 0, 0).unwrap() + Duration::days(i64::from(day) - 1)
}

fn gb(s: &str) -> Quantity {
    Quantity::new(s.parse().unwrap(), Unit::Gigabyte)
}

fn policy() -> AppRefundPolicy {
    presets::app_store_refunds().unwrap()
}

fn licence_policy() -> LicenceRefundPolicy {
    presets::live_plugin_licence_refunds().unwrap()
}

fn record(id: &str, paid_at: DateTime<Utc>, amount: &str) -> LedgerCommand {
    LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at,
        amount: cny(amount),
    }
}

fn invoice(id: &str) -> LedgerCommand {
    LedgerCommand::MarkInvoiced { order: id.into() }
}

fn refund(id: &str) -> LedgerCommand {
    LedgerCommand::Refund {
        order: id.into(),
        flags: RefundFlags::default(),
    }
}

fn apply(state: &LedgerState, command: &LedgerCommand, at: DateTime<Utc>) -> LedgerState {
    OrderLedger::run(state, command, at, &policy()).unwrap().0
}

/// o1: 300 paid June 1; o2: 500 paid June 5.
fn two_orders() -> LedgerState {
    let state = apply(
        &OrderLedger::initial(),
        &record("o1", june(1), "300"),
        june(1),
    );
    apply(&state, &record("o2", june(5), "500"), june(5))
}

fn eligible(order: &str, amount: &str) -> Eligibility {
    Eligibility::Eligible {
        order: order.into(),
        amount: cny(amount),
    }
}

// ---------------------------------------------------------------- R-REF-03

fn licence_request(traffic: Quantity) -> LicenceRefundRequest {
    LicenceRefundRequest::licence("lic-1", cny("30000"), june(1), traffic)
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Step {
    Record {
        id: u8,
        paid_hours_ago: u16,
        cents: u32,
    },
    Invoice(u8),
    Refund(u8),
    Wait(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..8, 0u16..400, 0u32..1_000_000).prop_map(|(id, paid_hours_ago, cents)| Step::Record { id, paid_hours_ago, cents }),
        1 => (0u8..8).prop_map(Step::Invoice),
        3 => (0u8..8).prop_map(Step::Refund),
        2 => (0u16..200).prop_map(Step::Wait),
    ]
}

/// Runs `steps` through the decider from June 1, the clock moving forward;
/// calls `check` with the state before each command, the instant, the
/// command and its result.
fn simulate(
    steps: &[Step],
    mut check: impl FnMut(
        &LedgerState,
        DateTime<Utc>,
        &LedgerCommand,
        &Result<(LedgerState, Vec<LedgerEvent>), Error>,
    ),
) -> (LedgerState, Vec<LedgerEvent>) {
    let policy = policy();
    let mut now = june(1);
    let mut state = OrderLedger::initial();
    let mut log = Vec::new();
    for step in steps {
        let command = match step {
            Step::Wait(hours) => {
                now += Duration::hours(i64::from(*hours));
                continue;
            }
            Step::Record {
                id,
                paid_hours_ago,
                cents,
            } => LedgerCommand::RecordOrder {
                order: format!("o{id}").into(),
                paid_at: now - Duration::hours(i64::from(*paid_hours_ago)),
                amount: Money::cny(Decimal::new(i64::from(*cents), 2)),
            },
            Step::Invoice(id) => LedgerCommand::MarkInvoiced {
                order: format!("o{id}").into(),
            },
            Step::Refund(id) => LedgerCommand::Refund {
                order: format!("o{id}").into(),
                flags: RefundFlags::default(),
            },
        };
        let result = OrderLedger::run(&state, &command, now, &policy);
        check(&state, now, &command, &result);
        if let Ok((next, events)) = result {
            state = next;
            log.extend(events);
        }
    }
    (state, log)
}

// ---------------------------------------------------------------- long ledgers (issue 8)

/// What a ledger answers, for comparing two ledgers that should agree: the
/// lookups, "latest first" (R-REF-02), the totals, and the decider's answer
/// to a refund, an invoice and a record of every probed id.
fn answers(state: &LedgerState, probes: &[OrderId], now: DateTime<Utc>) -> Vec<String> {
    let policy = policy();
    let mut out = vec![
        format!("{:?}", state.latest_unrefunded()),
        format!("{:?}", state.total_paid(Currency::CNY)),
        format!("{:?}", state.total_refunded(Currency::CNY)),
        format!(
            "{:?}",
            policy.next_refund(state, RefundFlags::default(), now)
        ),
    ];
    for id in probes {
        out.push(format!("{:?}", state.order(id)));
        for command in [
            LedgerCommand::Refund {
                order: id.clone(),
                flags: RefundFlags::default(),
            },
            LedgerCommand::MarkInvoiced { order: id.clone() },
            LedgerCommand::RecordOrder {
                order: id.clone(),
                paid_at: now,
                amount: cny("1"),
            },
        ] {
            out.push(format!(
                "{:?}",
                OrderLedger::decide(state, &command, now, &policy)
            ));
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Fact {
    Recorded { id: u8, paid_hours: u16, cents: i32 },
    Invoiced(u8),
    Refunded(u8),
}

/// Any events, also ones `decide` never emits (refunds out of order,
/// duplicates, negative amounts): a stream read from a store may be
/// corrupted, and `evolve` must stay total.
fn fact() -> impl Strategy<Value = Fact> {
    prop_oneof![
        4 => (0u8..12, 0u16..50, -100i32..100_000)
            .prop_map(|(id, paid_hours, cents)| Fact::Recorded { id, paid_hours, cents }),
        1 => (0u8..12).prop_map(Fact::Invoiced),
        3 => (0u8..12).prop_map(Fact::Refunded),
    ]
}

/// The ledger as a plain list, applied the way `evolve` documents it, with
/// every answer found by scanning.
#[derive(Default)]
struct Model(Vec<Order>);

impl Model {
    fn apply(&mut self, event: &LedgerEvent) {
        match event {
            LedgerEvent::OrderRecorded {
                order,
                paid_at,
                amount,
                ..
            } => {
                if !amount.is_negative() && self.0.iter().all(|o| &o.id != order) {
                    self.0.push(Order::new(order.clone(), *paid_at, *amount));
                }
            }
            LedgerEvent::OrderInvoiced { order, .. } | LedgerEvent::OrderRefunded { order, .. } => {
                let status = match event {
                    LedgerEvent::OrderInvoiced { .. } => OrderStatus::Invoiced,
                    _ => OrderStatus::Refunded,
                };
                if let Some(o) = self
                    .0
                    .iter_mut()
                    .find(|o| &o.id == order && o.status == OrderStatus::Open)
                {
                    o.status = status;
                }
            }
        }
    }

    fn latest_unrefunded(&self) -> Option<&Order> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.is_refunded())
            .max_by_key(|(i, o)| (o.paid_at, *i))
            .map(|(_, o)| o)
    }
}

#[path = "refund/eligibility.rs"]
mod eligibility;
#[path = "refund/json_and_properties.rs"]
mod json_and_properties;
