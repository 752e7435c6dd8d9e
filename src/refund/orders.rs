//! The orders of a ledger and the state that indexes them: the facts the
//! refund rules read (R-REF-01, R-REF-02). The decider that records them is
//! in `ledger.rs`; eligibility reads them from `eligibility.rs`.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, DataError, Error, Figure, Reason, Refusal};
use crate::money::{Currency, Money};
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

impl OrderStatus {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 3] = [Self::Open, Self::Invoiced, Self::Refunded];
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
    pub(crate) fn record(mut self, order: Order) -> LedgerState {
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
    pub(crate) fn close(mut self, id: &OrderId, status: OrderStatus) -> LedgerState {
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

pub(crate) fn duplicate(id: &OrderId) -> Reason {
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

pub(crate) fn negative(id: &OrderId, amount: Money) -> Reason {
    Reason::new(
        RuleId::Ref01,
        format!("order {id} has amount {amount}, below zero: record what was paid"),
    )
    .with(order_figure(id))
    .with(Figure::money("amount", amount))
}

#[cfg(test)]
mod tests {
    use super::OrderStatus;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(OrderStatus: Open, Invoiced, Refunded);
    }
}
