//! [`StatementEvent`]: what a statement is built from, one variant per kind
//! of recorded charge, and its conversions from the crate's own events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::{AggregateId, Version};
use crate::error::{ArithmeticError, DataError, Error};
use crate::money::Money;
use crate::preview::PreviewAction;
use crate::pricing::SeatAccountEvent;
use crate::refund::{LedgerEvent, OrderId};
use crate::time::Zone;
use crate::usage::{AddOnCharge, Component, DailyCharge, WalletEvent};

/// Where a [`StatementEvent`] was recorded: the aggregate and the version
/// its event sits at in that aggregate's stream (the first event is
/// version 1). A statement line lists the sources it came from, and a
/// refund names the items it pays back by theirs.
///
/// Serialized as `{"aggregate": "acct-1", "version": 3}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// The aggregate whose stream holds the event.
    pub aggregate: AggregateId,
    /// The event's version in that stream.
    pub version: Version,
}

impl SourceRef {
    /// The event at `version` of `aggregate`.
    pub fn new(aggregate: impl Into<AggregateId>, version: u64) -> SourceRef {
        SourceRef {
            aggregate: aggregate.into(),
            version: Version::new(version),
        }
    }

    /// The sources of `count` events read with
    /// [`Store::events_in`](crate::engine::Store::events_in)`(id, after, ..)`:
    /// versions `after + 1`, `after + 2`, ...
    fn stream(aggregate: &AggregateId, after: Version, index: usize) -> SourceRef {
        let offset = u64::try_from(index).unwrap_or(u64::MAX);
        SourceRef {
            aggregate: aggregate.clone(),
            version: Version::new(after.get().saturating_add(1).saturating_add(offset)),
        }
    }
}

/// One recorded charge (or refund) as a statement reads it: one variant per
/// source, each with its instant and its [`SourceRef`].
///
/// Build them from the crate's events with [`StatementEvent::from_seat`],
/// [`StatementEvent::from_wallet`] (or the `*_stream` forms over what
/// [`Store::events_in`](crate::engine::Store::events_in) returns),
/// [`StatementEvent::traffic_day`], [`StatementEvent::add_on`] and
/// [`StatementEvent::from_ledger_stream`] (app orders and their refunds); any
/// other refund with [`StatementEvent::Refund`] naming the items it pays
/// back.
///
/// Amounts a rule has already rounded (a seat charge, a package price, a
/// traffic day's settlement, an add-on's total, a refund) must be at the
/// currency's minor unit: the statement never rounds them again. A per-call
/// charge is exact: the statement rounds it (see [`Statement`](super::Statement)).
///
/// # JSON
///
/// Tagged by `kind`; unknown fields are refused:
///
/// ```json
/// {"kind": "package_purchase", "at": "2025-07-01T00:00:00Z",
///  "source": {"aggregate": "wallet-1", "version": 1},
///  "calls": 10000, "price": {"amount": "300.00", "currency": "CNY"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatementEvent {
    /// Seats bought (R-SEAT-01..07).
    SeatPurchase {
        /// When it was charged.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// Seats bought.
        seats: u32,
        /// Periods bought.
        periods: u32,
        /// What was charged.
        amount: Money,
    },
    /// An upgrade: the new order's price less the credit for the unused
    /// time of the one it replaces (R-SEAT-08). Two lines.
    SeatUpgrade {
        /// When it was charged.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// The new seat count.
        seats: u32,
        /// Periods of the new order.
        periods: u32,
        /// The new order's price.
        total: Money,
        /// The credit (zero or more).
        credit: Money,
    },
    /// More periods for the current seats (R-SEAT-09).
    SeatExtension {
        /// When it was charged.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// The seat count.
        seats: u32,
        /// Periods added.
        periods: u32,
        /// What was charged.
        amount: Money,
    },
    /// A package of calls bought (R-USE-05).
    PackagePurchase {
        /// When it was paid.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// Calls bought.
        calls: u64,
        /// The price paid.
        price: Money,
    },
    /// Calls of one consumption: those drawn from the trial quota and
    /// packages (already paid for, R-USE-02, R-USE-07) and those billed per
    /// call (R-USE-01).
    Calls {
        /// When they were made.
        at: DateTime<Utc>,
        /// Where they were recorded.
        source: SourceRef,
        /// The component called.
        component: Component,
        /// Calls drawn from the trial quota and packages.
        drawn: u64,
        /// Calls billed per call.
        overage: u64,
        /// The price of one call.
        unit_price: Money,
        /// `overage x unit_price`, exact (not rounded).
        charge: Money,
    },
    /// One local day of live traffic, settled (R-USE-09).
    TrafficDay {
        /// The start of the local day.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// The billed quantity (traffic or peak bandwidth), in the tariff's
        /// unit.
        #[serde(with = "crate::decimal_serde::strict")]
        quantity: Decimal,
        /// The day's settled charge: its graduated parts summed exactly and
        /// rounded once ([`DailyCharge::total`]).
        amount: Money,
    },
    /// An add-on's charge (R-USE-10).
    AddOn {
        /// When it was charged.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// The metered quantity.
        #[serde(with = "crate::decimal_serde::strict")]
        quantity: Decimal,
        /// The price of one unit of `quantity`, when it is exact (a price
        /// per 1000 snapshots is one per snapshot divided by 1000).
        #[serde(default, with = "crate::decimal_serde::strict_option")]
        unit_price: Option<Decimal>,
        /// The charge, rounded once ([`AddOnCharge::total`]).
        amount: Money,
    },
    /// An app order paid (R-REF-01), as an [`OrderLedger`](crate::refund::OrderLedger)
    /// records it: a charge its refund pays back.
    AppOrder {
        /// When it was paid.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// What was paid.
        amount: Money,
    },
    /// Money paid back for earlier items (R-REF-01): spread over them in
    /// proportion to what is left of each, by largest remainder.
    Refund {
        /// When it was paid back.
        at: DateTime<Utc>,
        /// Where it was recorded.
        source: SourceRef,
        /// The items it pays back: the sources of earlier charges.
        items: Vec<SourceRef>,
        /// The amount paid back (zero or more).
        amount: Money,
    },
}

impl StatementEvent {
    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            StatementEvent::SeatPurchase { at, .. }
            | StatementEvent::SeatUpgrade { at, .. }
            | StatementEvent::SeatExtension { at, .. }
            | StatementEvent::PackagePurchase { at, .. }
            | StatementEvent::Calls { at, .. }
            | StatementEvent::TrafficDay { at, .. }
            | StatementEvent::AddOn { at, .. }
            | StatementEvent::AppOrder { at, .. }
            | StatementEvent::Refund { at, .. } => *at,
        }
    }

    /// Where it was recorded.
    pub fn source(&self) -> &SourceRef {
        match self {
            StatementEvent::SeatPurchase { source, .. }
            | StatementEvent::SeatUpgrade { source, .. }
            | StatementEvent::SeatExtension { source, .. }
            | StatementEvent::PackagePurchase { source, .. }
            | StatementEvent::Calls { source, .. }
            | StatementEvent::TrafficDay { source, .. }
            | StatementEvent::AddOn { source, .. }
            | StatementEvent::AppOrder { source, .. }
            | StatementEvent::Refund { source, .. } => source,
        }
    }

    /// A seat account's charge (purchase, upgrade or extension), recorded
    /// at `source`.
    pub fn from_seat(source: SourceRef, event: &SeatAccountEvent) -> StatementEvent {
        let charge = event.charge();
        let (at, seats, periods) = (charge.at, charge.holding.seats, charge.periods);
        match charge.action {
            // A seat account never records a package purchase; a charge
            // made by hand with that action is read as what it charged.
            PreviewAction::SeatPurchase | PreviewAction::PackagePurchase => {
                StatementEvent::SeatPurchase {
                    at,
                    source,
                    seats,
                    periods,
                    amount: charge.amount_due,
                }
            }
            PreviewAction::SeatUpgrade => StatementEvent::SeatUpgrade {
                at,
                source,
                seats,
                periods,
                total: charge.total,
                credit: charge.credit,
            },
            PreviewAction::SeatExtension => StatementEvent::SeatExtension {
                at,
                source,
                seats,
                periods,
                amount: charge.amount_due,
            },
        }
    }

    /// The statement events of a seat account's events read from version
    /// `after + 1` on (what `Store::events_in(id, after, ..)` returns).
    pub fn from_seat_stream(
        aggregate: &AggregateId,
        after: Version,
        events: &[SeatAccountEvent],
    ) -> Vec<StatementEvent> {
        events
            .iter()
            .enumerate()
            .map(|(i, e)| StatementEvent::from_seat(SourceRef::stream(aggregate, after, i), e))
            .collect()
    }

    /// A package wallet's event, recorded at `source`: a purchase, or the
    /// calls of a consumption; `None` for an event that charges nothing
    /// (an expiry, a feature switch, a profile).
    pub fn from_wallet(source: SourceRef, event: &WalletEvent) -> Option<StatementEvent> {
        match event {
            WalletEvent::Purchased(p) => Some(StatementEvent::PackagePurchase {
                at: p.paid_at,
                source,
                calls: p.calls,
                price: p.price,
            }),
            WalletEvent::Consumed(c) => Some(StatementEvent::Calls {
                at: c.at,
                source,
                component: c.component,
                drawn: c.drawn(),
                overage: c.overage,
                unit_price: c.unit_price,
                charge: c.charge,
            }),
            WalletEvent::Expired(_)
            | WalletEvent::FeatureSwitched { .. }
            | WalletEvent::ProfileSet { .. } => None,
        }
    }

    /// The statement events of a wallet's events read from version
    /// `after + 1` on.
    pub fn from_wallet_stream(
        aggregate: &AggregateId,
        after: Version,
        events: &[WalletEvent],
    ) -> Vec<StatementEvent> {
        events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                StatementEvent::from_wallet(SourceRef::stream(aggregate, after, i), e)
            })
            .collect()
    }

    /// A settled traffic day, recorded at `source`, dated at the start of
    /// its local day in `zone` (the traffic policy's zone).
    ///
    /// # Errors
    ///
    /// When the day's start is out of range.
    pub fn traffic_day(
        source: SourceRef,
        day: &DailyCharge,
        zone: &Zone,
    ) -> Result<StatementEvent, ArithmeticError> {
        Ok(StatementEvent::TrafficDay {
            at: zone.start_of_day(day.date)?,
            source,
            quantity: day.quantity.value(),
            amount: day.total,
        })
    }

    /// The statement events of an app's order ledger read from version
    /// `after + 1` on: each order paid, and each refund paying back its
    /// order in full (R-REF-01); an invoicing charges nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] when a refund's order is not among `events`: read
    /// the ledger from its first event.
    pub fn from_ledger_stream(
        aggregate: &AggregateId,
        after: Version,
        events: &[LedgerEvent],
    ) -> Result<Vec<StatementEvent>, Error> {
        let mut orders: BTreeMap<&OrderId, SourceRef> = BTreeMap::new();
        let mut out = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let source = SourceRef::stream(aggregate, after, i);
            match event {
                LedgerEvent::OrderRecorded {
                    order,
                    paid_at,
                    amount,
                    ..
                } => {
                    orders.insert(order, source.clone());
                    out.push(StatementEvent::AppOrder {
                        at: *paid_at,
                        source,
                        amount: *amount,
                    });
                }
                LedgerEvent::OrderInvoiced { .. } => {}
                LedgerEvent::OrderRefunded { order, amount, at } => {
                    let Some(item) = orders.get(order) else {
                        return Err(Error::Data(DataError::new(
                            format!("events[{i}].order"),
                            format!(
                                "order {order} is refunded but not recorded among the events given"
                            ),
                            "the ledger's events from its first (Store::events_in from version 0)",
                        )));
                    };
                    out.push(StatementEvent::Refund {
                        at: *at,
                        source,
                        items: vec![item.clone()],
                        amount: *amount,
                    });
                }
            }
        }
        Ok(out)
    }

    /// An add-on's charge at `at`, recorded at `source`.
    pub fn add_on(source: SourceRef, at: DateTime<Utc>, charge: &AddOnCharge) -> StatementEvent {
        let unit_price = charge
            .price
            .price
            .amount()
            .checked_div(charge.price.per)
            // An exact quotient only: one with 28 digits was cut.
            .filter(|p| p.scale() < 28);
        StatementEvent::AddOn {
            at,
            source,
            quantity: charge.quantity.value(),
            unit_price,
            amount: charge.total,
        }
    }
}
