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

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, DataError, Error, Figure, Reason, Refusal};
use crate::money::{Currency, Money};
use crate::refund::eligibility::{Eligibility, RefundFlags};
use crate::refund::policy::AppRefundPolicy;
use crate::rule::RuleId;

/// The id of an order, as the caller's order system writes it.
///
/// Serialized as a plain string.
///
/// ```
/// use billing_rules::refund::OrderId;
/// let id = OrderId::from("o-2025-0601");
/// assert_eq!(id.as_str(), "o-2025-0601");
/// assert_eq!(serde_json::to_string(&id)?, r#""o-2025-0601""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(String);

impl OrderId {
    /// An order id.
    pub fn new(id: impl Into<String>) -> OrderId {
        OrderId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for OrderId {
    fn from(id: &str) -> OrderId {
        OrderId::new(id)
    }
}

impl From<String> for OrderId {
    fn from(id: String) -> OrderId {
        OrderId(id)
    }
}

/// Where an order stands. An order is invoiced or refunded, never both: an
/// invoiced order is not refunded (R-REF-01), and a refunded order is not
/// invoiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Paid; neither invoiced nor refunded.
    Open,
    /// Invoiced: never refundable (R-REF-01).
    Invoiced,
    /// Refunded.
    Refunded,
}

/// One paid order of an app.
///
/// Serialized as `{"id": "o1", "paid_at": "2025-06-01T00:00:00Z", "amount":
/// {"amount": "300", "currency": "CNY"}, "status": "open"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Order {
    /// The order's id, unique in its ledger.
    pub id: OrderId,
    /// When it was paid: the refund window starts here (R-REF-01).
    pub paid_at: DateTime<Utc>,
    /// What was paid, and what a refund pays back.
    pub amount: Money,
    /// Open, invoiced or refunded.
    #[serde(default = "open")]
    pub status: OrderStatus,
}

fn open() -> OrderStatus {
    OrderStatus::Open
}

impl Order {
    /// An open order.
    pub fn new(id: impl Into<OrderId>, paid_at: DateTime<Utc>, amount: Money) -> Order {
        Order {
            id: id.into(),
            paid_at,
            amount,
            status: OrderStatus::Open,
        }
    }

    /// The invoiced flag.
    pub fn is_invoiced(&self) -> bool {
        self.status == OrderStatus::Invoiced
    }

    /// The refunded flag.
    pub fn is_refunded(&self) -> bool {
        self.status == OrderStatus::Refunded
    }
}

/// The orders of one app, in the order they were recorded.
///
/// Every order id is unique, no amount is below zero, and every amount is
/// in one currency: the decider keeps these, and
/// [`LedgerState::from_orders`] and deserializing check them (with the
/// total paid computable exactly). Only orders paid are refunded, each at
/// most once, so the total refunded never exceeds the total paid.
///
/// Serialized as `{"orders": [...]}`: only the orders. Lookups by id, the
/// latest unrefunded order (R-REF-02) and the total paid are kept in an
/// index beside them, so a command and each replayed event cost O(log n)
/// rather than a scan of the ledger, and a replay of n orders is O(n log n)
/// (issue 8). The index is rebuilt when a ledger is read back, and two
/// ledgers are equal when their orders are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "LedgerRepr")]
pub struct LedgerState {
    orders: Vec<Order>,
    #[serde(skip)]
    index: LedgerIndex,
}

/// What a ledger derives from its orders, so that no command scans them.
///
/// **Decision:** a `HashMap` for ids (O(1) lookups; its per-process random
/// hash seed only changes iteration order, which nothing reads, so answers
/// stay deterministic) and a `BTreeSet` ordered by (paid at, position) for
/// the unrefunded orders, whose last element is the latest (R-REF-02) with
/// the same tie rule as the module docs.
#[derive(Debug, Clone, Default)]
struct LedgerIndex {
    /// The position of each order in `orders`.
    by_id: HashMap<OrderId, usize>,
    /// (paid at, position) of every order not refunded.
    unrefunded: BTreeSet<(DateTime<Utc>, usize)>,
    /// The exact sum of every amount; `None` while the ledger is empty.
    total_paid: Option<Money>,
}

impl PartialEq for LedgerState {
    /// The orders decide; the index is derived from them.
    fn eq(&self, other: &LedgerState) -> bool {
        self.orders == other.orders
    }
}

impl Eq for LedgerState {}

#[derive(Deserialize)]
struct LedgerRepr {
    orders: Vec<Order>,
}

impl TryFrom<LedgerRepr> for LedgerState {
    type Error = Error;

    fn try_from(repr: LedgerRepr) -> Result<Self, Error> {
        LedgerState::from_orders(repr.orders)
    }
}

impl LedgerState {
    /// A ledger of `orders` (in recording order), for a history kept
    /// elsewhere: a status is taken as given.
    ///
    /// Errors: [`Error::Data`] for a duplicate id (a data error in the
    /// history, not a rule's answer: its `field` is the duplicate's path
    /// `orders[i].id`, and the problem names the id and the position of its
    /// earlier twin); a refusal under R-REF-01 naming every amount below
    /// zero; [`ArithmeticError::CurrencyMismatch`] when the orders are in
    /// different currencies; an overflow when their total does not fit.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::refund::{LedgerState, Order};
    /// use chrono::{TimeZone, Utc};
    /// use rust_decimal::Decimal;
    ///
    /// let paid = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    /// let order = Order::new("o1", paid, Money::cny(Decimal::from(300)));
    /// assert!(LedgerState::from_orders(vec![order.clone()]).is_ok());
    ///
    /// let err = LedgerState::from_orders(vec![order.clone(), order]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid data: `orders[1].id`: order id o1 is already used by orders[0]; \
    ///      allowed: one order per id: merge the two entries or give one its own id"
    /// );
    /// ```
    pub fn from_orders(orders: Vec<Order>) -> Result<LedgerState, Error> {
        // One pass builds the index and finds the duplicates, so a long
        // history deserializes in O(n log n).
        let mut index = LedgerIndex::default();
        index.by_id.reserve(orders.len());
        let mut reasons = Vec::new();
        // The total's error is reported after the refusals, as before the
        // index existed.
        let mut total: Result<Option<Money>, ArithmeticError> = Ok(None);
        for (position, order) in orders.iter().enumerate() {
            if let Some(earlier) = index.by_id.insert(order.id.clone(), position) {
                return Err(duplicate_in_history(&order.id, position, earlier).into());
            }
            if order.amount.is_negative() {
                reasons.push(negative(&order.id, order.amount));
            }
            if !order.is_refunded() {
                index.unrefunded.insert((order.paid_at, position));
            }
            total = total.and_then(|sum| match sum {
                Some(sum) => sum.checked_add(order.amount).map(Some),
                None => Ok(Some(order.amount)),
            });
        }
        if let Some(refusal) = Refusal::from_reasons(reasons) {
            return Err(refusal.into());
        }
        index.total_paid = total?;
        Ok(LedgerState { orders, index })
    }

    /// Every order, in recording order.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// The order with `id` (O(1), from the index).
    pub fn order(&self, id: &OrderId) -> Option<&Order> {
        self.position(id).and_then(|i| self.orders.get(i))
    }

    fn position(&self, id: &OrderId) -> Option<usize> {
        self.index.by_id.get(id).copied()
    }

    /// The latest order not yet refunded: the only one a refund may take
    /// (R-REF-02). Of orders paid at the same instant, the later recorded.
    /// O(log n), from the index.
    pub fn latest_unrefunded(&self) -> Option<&Order> {
        self.index
            .unrefunded
            .last()
            .and_then(|&(_, i)| self.orders.get(i))
    }

    /// The sum of every order's amount, in `currency` (zero when empty).
    /// O(1): the sum is kept as orders are recorded.
    ///
    /// Errors: [`ArithmeticError::CurrencyMismatch`] when the orders are in
    /// another currency.
    pub fn total_paid(&self, currency: Currency) -> Result<Money, ArithmeticError> {
        match self.index.total_paid {
            Some(total) => Money::zero(currency).checked_add(total),
            None => Ok(Money::zero(currency)),
        }
    }

    /// The sum of the refunded orders' amounts, in `currency`.
    pub fn total_refunded(&self, currency: Currency) -> Result<Money, ArithmeticError> {
        Money::checked_sum(
            currency,
            self.orders
                .iter()
                .filter(|o| o.is_refunded())
                .map(|o| o.amount),
        )
    }

    /// Records `order` when its id is new, its amount is not below zero,
    /// it is in the ledger's currency and the total still fits; any other
    /// case leaves the ledger unchanged.
    fn record(mut self, order: Order) -> LedgerState {
        let total = match self.index.total_paid {
            Some(total) => total.checked_add(order.amount).ok(),
            None => Some(order.amount),
        };
        let Some(total) = total else {
            return self;
        };
        if self.index.by_id.contains_key(&order.id) || order.amount.is_negative() {
            return self;
        }
        let position = self.orders.len();
        self.index.by_id.insert(order.id.clone(), position);
        self.index.unrefunded.insert((order.paid_at, position));
        self.index.total_paid = Some(total);
        self.orders.push(order);
        self
    }

    /// Sets the status of the order `id` when it is open; any other case
    /// leaves the ledger unchanged.
    fn close(mut self, id: &OrderId, status: OrderStatus) -> LedgerState {
        let Some(position) = self.position(id) else {
            return self;
        };
        if let Some(order) = self
            .orders
            .get_mut(position)
            .filter(|o| o.status == OrderStatus::Open)
        {
            order.status = status;
            if status == OrderStatus::Refunded {
                self.index.unrefunded.remove(&(order.paid_at, position));
            }
        }
        self
    }
}

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

pub(crate) fn order_figure(id: &OrderId) -> Figure {
    Figure::text("order", id.as_str().to_owned())
}

pub(crate) fn unknown(id: &OrderId) -> Reason {
    Reason::new(
        RuleId::Ref01,
        format!("there is no order {id} in this app's ledger"),
    )
    .with(order_figure(id))
}

fn duplicate(id: &OrderId) -> Reason {
    Reason::new(
        RuleId::Ref01,
        format!("order {id} is already in the ledger: every order needs its own id"),
    )
    .with(order_figure(id))
}

/// A history with two orders of one id: a data error, not a rule's answer.
fn duplicate_in_history(id: &OrderId, position: usize, earlier: usize) -> DataError {
    DataError::new(
        format!("orders[{position}].id"),
        format!("order id {id} is already used by orders[{earlier}]"),
        "one order per id: merge the two entries or give one its own id",
    )
}

fn negative(id: &OrderId, amount: Money) -> Reason {
    Reason::new(
        RuleId::Ref01,
        format!("order {id} has amount {amount}, below zero: record what was paid"),
    )
    .with(order_figure(id))
    .with(Figure::money("amount", amount))
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &LedgerCommand) -> RuleId {
    match command {
        LedgerCommand::RecordOrder { .. } | LedgerCommand::MarkInvoiced { .. } => RuleId::Ref01,
        LedgerCommand::Refund { .. } => RuleId::Ref02,
    }
}
