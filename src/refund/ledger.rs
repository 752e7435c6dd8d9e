//! The order ledger of one app, as a decider: orders are recorded, invoiced
//! and refunded (R-REF-01, R-REF-02, R-REF-04).
//!
//! # "Latest"
//!
//! Refunds go from the latest order backwards (R-REF-02). The latest order
//! is the one paid last; **Decision:** of orders paid at the same instant,
//! the one recorded later is the later one. So the order of the ledger is
//! total and never depends on how ids compare.
//!
//! # Refusals
//!
//! Recording an order is refused (R-REF-01) when its id is already in the
//! ledger, its amount is below zero, or it is paid after the instant it is
//! recorded at; every such reason is listed, in that order. Marking an order
//! invoiced is refused (R-REF-01) when it is unknown, already invoiced, or
//! refunded. A refund is refused with every reason of
//! [`AppRefundPolicy::eligibility`].
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::money::Money;
//! use billing_rules::refund::{LedgerCommand, OrderLedger, OrderStatus, RefundFlags};
//! use billing_rules::{presets, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::app_store_refunds()?;
//! let paid = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let record = |id: &str, yuan| LedgerCommand::RecordOrder {
//!     order: id.into(), paid_at: paid, amount: Money::cny(Decimal::from(yuan)),
//! };
//! let mut ledger = OrderLedger::initial();
//! for command in [record("o1", 300), record("o2", 500), LedgerCommand::MarkInvoiced { order: "o2".into() }] {
//!     ledger = OrderLedger::run(&ledger, &command, paid, &policy)?.0;
//! }
//! // Both were paid at the same instant: o2, recorded later, is the latest (R-REF-02).
//! assert_eq!(ledger.latest_unrefunded().map(|o| o.id.as_str()), Some("o2"));
//!
//! // o2 is invoiced, so it is never refunded (R-REF-01), and o1 must wait for it.
//! let refund = |id: &str| LedgerCommand::Refund { order: id.into(), flags: RefundFlags::default() };
//! let err = OrderLedger::run(&ledger, &refund("o2"), paid, &policy).unwrap_err();
//! assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Ref01));
//! let err = OrderLedger::run(&ledger, &refund("o1"), paid, &policy).unwrap_err();
//! assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Ref02));
//! assert_eq!(ledger.orders()[1].status, OrderStatus::Invoiced);
//! # Ok::<(), billing_rules::Error>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, Reason, Refusal};
use crate::money::Money;
use crate::refund::eligibility::{Eligibility, RefundFlags};
use crate::refund::orders::{
    LedgerState, Order, OrderId, OrderStatus, duplicate, negative, order_figure, unknown,
};
use crate::refund::policy::AppRefundPolicy;
use crate::rule::RuleId;

/// The order ledger of one app, as a [`Decider`] (R-REF-01, R-REF-02,
/// R-REF-04).
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::money::Money;
/// use billing_rules::refund::{LedgerCommand, OrderLedger, RefundFlags};
/// use billing_rules::{presets, RuleId};
/// use chrono::{Duration, TimeZone, Utc};
/// use rust_decimal::Decimal;
///
/// let policy = presets::app_store_refunds()?;
/// let june = |d| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
/// let record = |id: &str, d, amount| LedgerCommand::RecordOrder {
///     order: id.into(), paid_at: june(d), amount: Money::cny(Decimal::from(amount)),
/// };
/// let refund = |id: &str| LedgerCommand::Refund { order: id.into(), flags: RefundFlags::default() };
///
/// let mut ledger = OrderLedger::initial();
/// ledger = OrderLedger::run(&ledger, &record("o1", 1, 300), june(1), &policy)?.0;
/// ledger = OrderLedger::run(&ledger, &record("o2", 5, 500), june(5), &policy)?.0;
///
/// // Latest first (R-REF-02): o1 must wait for o2.
/// let err = OrderLedger::run(&ledger, &refund("o1"), june(6), &policy).unwrap_err();
/// assert_eq!(err.refusal().unwrap().rule(), RuleId::Ref02);
/// ledger = OrderLedger::run(&ledger, &refund("o2"), june(6), &policy)?.0;
///
/// // o1 is the latest unrefunded now, and 10 days is still inside its window (R-REF-01)...
/// ledger = OrderLedger::run(&ledger, &refund("o1"), june(11), &policy)?.0;
/// assert_eq!(ledger.total_refunded(policy.locale().currency)?.to_string(), "CNY 800.00");
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderLedger;

/// What a caller asks of an app's order ledger.
///
/// Serialized with a `"command"` tag: `{"command": "refund", "order": "o2"}`.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`LedgerEvent`]) are tagged by
/// `event`:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::refund::{OrderLedger, LedgerCommand};
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::app_store_refunds()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let json = concat!(
///     r#"{"command":"record_order","order":"o1","paid_at":"2025-06-01T00:00:00Z","#,
///     r#""amount":{"amount":"300","currency":"CNY"}}"#,
/// );
/// let command: LedgerCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = OrderLedger::run(&OrderLedger::initial(), &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"order_recorded","order":"o1","paid_at":"2025-06-01T00:00:00Z","#,
///     r#""amount":{"amount":"300","currency":"CNY"},"at":"2025-06-01T00:00:00Z"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum LedgerCommand {
    /// Record a paid order.
    RecordOrder {
        /// A new id.
        order: OrderId,
        /// When it was paid; not after the instant of the command.
        paid_at: DateTime<Utc>,
        /// What was paid, in the policy's currency, zero or more.
        amount: Money,
    },
    /// The order was invoiced: it is never refundable from now on (R-REF-01).
    MarkInvoiced {
        /// The order.
        order: OrderId,
    },
    /// Refund the whole amount of an order, when eligible
    /// ([`AppRefundPolicy::eligibility`]).
    Refund {
        /// The order.
        order: OrderId,
        /// The account's standing (R-REF-04).
        #[serde(default)]
        flags: RefundFlags,
    },
}

/// What happened to an app's orders.
///
/// Serialized with an `"event"` tag.
///
/// # JSON
///
/// Tagged by `event`; see [`LedgerCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// An order was recorded.
    OrderRecorded {
        /// Its id.
        order: OrderId,
        /// When it was paid.
        paid_at: DateTime<Utc>,
        /// What was paid.
        amount: Money,
        /// When it was recorded.
        at: DateTime<Utc>,
    },
    /// An order was invoiced.
    OrderInvoiced {
        /// Its id.
        order: OrderId,
        /// When.
        at: DateTime<Utc>,
    },
    /// An order was refunded in full.
    OrderRefunded {
        /// Its id.
        order: OrderId,
        /// The amount paid back.
        amount: Money,
        /// When.
        at: DateTime<Utc>,
    },
}

impl Decider for OrderLedger {
    type State = LedgerState;
    type Command = LedgerCommand;
    type Event = LedgerEvent;
    type Policy = AppRefundPolicy;

    fn initial() -> LedgerState {
        LedgerState::default()
    }

    fn decide(
        state: &LedgerState,
        command: &LedgerCommand,
        now: DateTime<Utc>,
        policy: &AppRefundPolicy,
    ) -> Result<Vec<LedgerEvent>, Error> {
        let decided = || match command {
            LedgerCommand::RecordOrder {
                order,
                paid_at,
                amount,
            } => {
                let currency = policy.locale().currency;
                if amount.currency() != currency {
                    return Err(ArithmeticError::CurrencyMismatch {
                        left: currency,
                        right: amount.currency(),
                    }
                    .into());
                }
                let mut reasons = Vec::new();
                if state.order(order).is_some() {
                    reasons.push(duplicate(order));
                }
                if amount.is_negative() {
                    reasons.push(negative(order, *amount));
                }
                if *paid_at > now {
                    reasons.push(
                        Reason::new(
                            RuleId::Ref01,
                            format!(
                                "order {order} is paid at {}, after now ({}): record an order \
                                 once it is paid",
                                paid_at.to_rfc3339(),
                                now.to_rfc3339()
                            ),
                        )
                        .with(Figure::instant("paid_at", *paid_at))
                        .with(Figure::instant("now", now)),
                    );
                }
                if let Some(refusal) = Refusal::from_reasons(reasons) {
                    return Err(refusal.into());
                }
                // The total must stay computable, so totals never fail later.
                state.total_paid(currency)?.checked_add(*amount)?;
                Ok(vec![LedgerEvent::OrderRecorded {
                    order: order.clone(),
                    paid_at: *paid_at,
                    amount: *amount,
                    at: now,
                }])
            }
            LedgerCommand::MarkInvoiced { order } => {
                let status = state.order(order).map(|o| o.status);
                let problem = match status {
                    None => Some(unknown(order)),
                    Some(OrderStatus::Open) => None,
                    Some(OrderStatus::Invoiced) => Some(
                        Reason::new(RuleId::Ref01, format!("order {order} is already invoiced"))
                            .with(order_figure(order)),
                    ),
                    Some(OrderStatus::Refunded) => Some(
                        Reason::new(
                            RuleId::Ref01,
                            format!("order {order} was refunded: a refunded order is not invoiced"),
                        )
                        .with(order_figure(order)),
                    ),
                };
                match problem {
                    Some(reason) => Err(reason.into()),
                    None => Ok(vec![LedgerEvent::OrderInvoiced {
                        order: order.clone(),
                        at: now,
                    }]),
                }
            }
            LedgerCommand::Refund { order, flags } => {
                match policy.eligibility(state, order, *flags, now) {
                    Eligibility::Eligible { order, amount } => {
                        Ok(vec![LedgerEvent::OrderRefunded {
                            order,
                            amount,
                            at: now,
                        }])
                    }
                    Eligibility::Refused(refusal) => Err(refusal.into()),
                }
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: LedgerState, event: &LedgerEvent) -> LedgerState {
        // `decide` only emits events that fit the state; an event that does
        // not (a corrupted stream) leaves the ledger as it was, so its
        // invariants hold whatever is replayed.
        match event {
            LedgerEvent::OrderRecorded {
                order,
                paid_at,
                amount,
                ..
            } => state.record(Order::new(order.clone(), *paid_at, *amount)),
            LedgerEvent::OrderInvoiced { order, .. } => state.close(order, OrderStatus::Invoiced),
            LedgerEvent::OrderRefunded { order, .. } => state.close(order, OrderStatus::Refunded),
        }
    }
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &LedgerCommand) -> RuleId {
    match command {
        LedgerCommand::RecordOrder { .. } | LedgerCommand::MarkInvoiced { .. } => RuleId::Ref01,
        LedgerCommand::Refund { .. } => RuleId::Ref02,
    }
}
