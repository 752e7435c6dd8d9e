//! [`Statement::build`]: recorded events over a period to itemized lines.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::event::{SourceRef, StatementEvent};
use super::line::{LineKind, Statement, StatementLine, bad_period, data};
use crate::engine::Version;
use crate::error::{ArithmeticError, Error};
use crate::money::{Currency, Money, Rounding};
use crate::policy::Locale;
use crate::usage::Component;

impl Statement {
    /// The statement of `events` over `[from, to)`, in `locale`'s currency,
    /// rounding what it rounds with `locale`'s rounding.
    ///
    /// Pass every recorded event of the account (from its first), in any
    /// order: those outside the period make no line, but a refund is
    /// spread over what is left of its items whenever they were charged,
    /// and per-call charges are rounded cumulatively (below). The result
    /// depends on the set of events only, not their order.
    ///
    /// Lines:
    /// - one per seat purchase, extension and package purchase; two per
    ///   upgrade (the new order, and its credit as a negative line); one per
    ///   settled traffic day (R-USE-09 settles daily: the day's graduated
    ///   parts were summed exactly and rounded once, and the statement does
    ///   not round them again) and per add-on;
    /// - one per component and unit price for the calls billed per call
    ///   (R-USE-01): their exact charges are summed, and rounded once. So
    ///   that the statements of consecutive periods add up to the statement
    ///   of the whole, the line is `round(charges before to) - round(charges
    ///   before from)`: the running total rounded once, per period its
    ///   difference (for a period from the account's first call, simply the
    ///   period's exact sum rounded once);
    /// - one per component for the calls drawn from the trial quota and
    ///   packages, at zero (they were paid for by the package);
    /// - a refund's amount spread over its items in proportion to what is
    ///   left of each (charged less earlier refunds) with
    ///   [`Money::allocate`] (largest remainder), one negative line per
    ///   item, so the shares add up exactly to the refund.
    ///
    /// ```
    /// use billing_rules::policy::Locale;
    /// use billing_rules::statement::{SourceRef, Statement, StatementEvent};
    /// use billing_rules::{money::Money, time::Zone, Decimal, TimeDelta};
    ///
    /// let at = Zone::UTC.at(2025, 7, 1, 0, 0, 0)?;
    /// let events = [StatementEvent::PackagePurchase {
    ///     at,
    ///     source: SourceRef::new("wallet-1", 1),
    ///     calls: 10_000,
    ///     price: Money::cny(Decimal::new(30000, 2)),
    /// }];
    /// let to = Zone::UTC.at(2025, 8, 1, 0, 0, 0)?;
    /// let statement = Statement::build(&events, at, to, &Locale::default())?;
    /// assert_eq!(statement.total_money().to_string(), "CNY 300.00");
    /// // A period that ends at the purchase has no line.
    /// let june = Statement::build(&events, at - TimeDelta::days(30), at, &Locale::default())?;
    /// assert!(june.lines.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Data`], naming the event (`events[i]`) and the figures, when
    /// `from` is not before `to`; an event is in another currency than the
    /// locale's (both named); a rounded amount has digits below the minor
    /// unit, or a price or amount is negative; two events share a source; a
    /// refund names no item, an item twice, an item that is not a charge
    /// recorded before it, or pays back more than is left of its items (a
    /// refund larger than what it refunds is an error, not a negative net
    /// line: money paid back that was never charged is a recording error
    /// the statement must not hide). [`Error::Arithmetic`] on overflow.
    pub fn build(
        events: &[StatementEvent],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        locale: &Locale,
    ) -> Result<Statement, Error> {
        if from >= to {
            return Err(bad_period(from, to));
        }
        let currency = locale.currency;
        let rounding = Rounding::minor_unit(currency, locale.rounding);
        for (i, event) in events.iter().enumerate() {
            validate(i, event, currency)?;
        }
        // Sources are unique, so (instant, source) orders the events the
        // same way whatever order they came in.
        // Sorted by small keys (the text of an aggregate id is compared
        // only on a tie): most of a statement's time is these two sorts.
        let mut keyed: Vec<(DateTime<Utc>, Version, usize)> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.at(), e.source().version, i))
            .collect();
        let aggregate = |i: usize| &events[i].source().aggregate;
        keyed.sort_unstable_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| aggregate(a.2).cmp(aggregate(b.2)))
        });
        let order: Vec<usize> = keyed.iter().map(|k| k.2).collect();
        keyed.sort_unstable_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| aggregate(a.2).cmp(aggregate(b.2)))
        });
        let by_source: Vec<usize> = keyed.iter().map(|k| k.2).collect();
        if let Some(pair) = by_source
            .windows(2)
            .find(|w| events[w[0]].source() == events[w[1]].source())
        {
            let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
            return Err(data(
                format!("events[{b}].source"),
                format!("{:?} is also the source of events[{a}]", events[b].source()),
                "each recorded event once, with its own source",
            ));
        }
        let mut run = Run {
            events,
            by_source: &by_source,
            from,
            to,
            currency,
            left: vec![None; events.len()],
            lines: Vec::with_capacity(events.len().saturating_add(8)),
            overage: BTreeMap::new(),
            drawn: BTreeMap::new(),
        };
        for &i in &order {
            run.event(i)?;
        }
        let mut lines = run.finish(rounding)?;
        // Lines come out of the events in order but for the per-call
        // groups. Stable: a refund's lines keep the order of its items.
        if !lines.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
            lines.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        let total = lines
            .iter()
            .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.amount))
            .ok_or_else(|| overflow("sum a statement's lines"))?;
        Ok(Statement {
            from,
            to,
            currency,
            lines,
            total: at_minor(total, currency),
        })
    }
}

/// The per-call charges of one component at one price.
struct Overage {
    /// Exact charges recorded before `from`.
    before: Decimal,
    /// Exact charges recorded before `to`.
    through: Decimal,
    /// Calls billed in the period.
    calls: u64,
    /// The first in the period.
    at: Option<DateTime<Utc>>,
    /// Its sources in the period.
    sources: Vec<SourceRef>,
}

/// Calls drawn from the trial quota and packages in the period.
struct Drawn {
    calls: u64,
    at: DateTime<Utc>,
    sources: Vec<SourceRef>,
}

/// One pass over the events in (instant, source) order.
struct Run<'a> {
    events: &'a [StatementEvent],
    by_source: &'a [usize],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    currency: Currency,
    /// What is left to refund of each charge seen so far (by event index).
    left: Vec<Option<Decimal>>,
    lines: Vec<StatementLine>,
    overage: BTreeMap<(Component, Decimal), Overage>,
    drawn: BTreeMap<Component, Drawn>,
}

impl Run<'_> {
    fn in_period(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    fn line(
        &mut self,
        kind: LineKind,
        event: &StatementEvent,
        qty: Decimal,
        unit: Option<Decimal>,
        amount: Decimal,
    ) {
        self.lines.push(StatementLine {
            kind,
            rule: kind.rule(),
            at: event.at(),
            quantity: qty,
            unit_price: unit,
            exact: amount,
            amount: at_minor(amount, self.currency),
            sources: vec![event.source().clone()],
        });
    }

    fn event(&mut self, i: usize) -> Result<(), Error> {
        let events = self.events;
        let event = &events[i];
        let at = event.at();
        let shown = self.in_period(at);
        match event {
            StatementEvent::SeatPurchase { amount, .. } => {
                self.left[i] = Some(amount.amount());
                if shown {
                    self.line(
                        LineKind::SeatPurchase,
                        event,
                        Decimal::ONE,
                        Some(amount.amount()),
                        amount.amount(),
                    );
                }
            }
            StatementEvent::SeatUpgrade { total, credit, .. } => {
                let due = total
                    .amount()
                    .checked_sub(credit.amount())
                    .ok_or_else(|| overflow("an upgrade's amount due"))?;
                self.left[i] = Some(due.max(Decimal::ZERO));
                if shown {
                    self.line(
                        LineKind::SeatUpgrade,
                        event,
                        Decimal::ONE,
                        Some(total.amount()),
                        total.amount(),
                    );
                    if !credit.is_zero() {
                        self.line(
                            LineKind::SeatUpgradeCredit,
                            event,
                            Decimal::ONE,
                            None,
                            -credit.amount(),
                        );
                    }
                }
            }
            StatementEvent::SeatExtension { amount, .. } => {
                self.left[i] = Some(amount.amount());
                if shown {
                    self.line(
                        LineKind::SeatExtension,
                        event,
                        Decimal::ONE,
                        Some(amount.amount()),
                        amount.amount(),
                    );
                }
            }
            StatementEvent::PackagePurchase { price, .. } => {
                self.left[i] = Some(price.amount());
                if shown {
                    self.line(
                        LineKind::PackagePurchase,
                        event,
                        Decimal::ONE,
                        Some(price.amount()),
                        price.amount(),
                    );
                }
            }
            StatementEvent::TrafficDay {
                quantity, amount, ..
            } => {
                self.left[i] = Some(amount.amount());
                if shown {
                    self.line(
                        LineKind::TrafficDay,
                        event,
                        *quantity,
                        None,
                        amount.amount(),
                    );
                }
            }
            StatementEvent::AddOn {
                quantity,
                unit_price,
                amount,
                ..
            } => {
                self.left[i] = Some(amount.amount());
                if shown {
                    self.line(
                        LineKind::AddOn,
                        event,
                        *quantity,
                        *unit_price,
                        amount.amount(),
                    );
                }
            }
            StatementEvent::AppOrder { amount, .. } => {
                self.left[i] = Some(amount.amount());
                if shown {
                    self.line(
                        LineKind::AppOrder,
                        event,
                        Decimal::ONE,
                        Some(amount.amount()),
                        amount.amount(),
                    );
                }
            }
            StatementEvent::Calls {
                component,
                drawn,
                overage,
                unit_price,
                charge,
                source,
                ..
            } => {
                if at < self.to {
                    let group = self
                        .overage
                        .entry((*component, unit_price.amount().normalize()))
                        .or_insert_with(|| Overage {
                            before: Decimal::ZERO,
                            through: Decimal::ZERO,
                            calls: 0,
                            at: None,
                            sources: Vec::new(),
                        });
                    let add = |sum: Decimal| {
                        sum.checked_add(charge.amount())
                            .ok_or_else(|| overflow("sum per-call charges"))
                    };
                    group.through = add(group.through)?;
                    if at < self.from {
                        group.before = add(group.before)?;
                    } else if *overage > 0 || !charge.is_zero() {
                        group.calls = group
                            .calls
                            .checked_add(*overage)
                            .ok_or_else(|| overflow("count calls billed"))?;
                        group.at.get_or_insert(at);
                        group.sources.push(source.clone());
                    }
                }
                if shown && *drawn > 0 {
                    let group = self.drawn.entry(*component).or_insert_with(|| Drawn {
                        calls: 0,
                        at,
                        sources: Vec::new(),
                    });
                    group.calls = group
                        .calls
                        .checked_add(*drawn)
                        .ok_or_else(|| overflow("count calls drawn"))?;
                    group.sources.push(source.clone());
                }
            }
            StatementEvent::Refund {
                items,
                amount,
                source,
                ..
            } => {
                self.refund(i, items, *amount, source, shown)?;
            }
        }
        Ok(())
    }

    fn refund(
        &mut self,
        i: usize,
        items: &[SourceRef],
        amount: Money,
        source: &SourceRef,
        shown: bool,
    ) -> Result<(), Error> {
        let events = self.events;
        let field = format!("events[{i}].items");
        if items.is_empty() {
            return Err(data(
                field,
                "a refund of no item",
                "the sources of the charges it pays back",
            ));
        }
        let mut found = Vec::with_capacity(items.len());
        for (k, item) in items.iter().enumerate() {
            if items[..k].contains(item) {
                return Err(data(
                    format!("{field}[{k}]"),
                    format!("{item:?} is named twice"),
                    "each item once",
                ));
            }
            let index = self
                .by_source
                .binary_search_by(|&e| quick(events[e].source(), item))
                .ok()
                .and_then(|p| self.by_source.get(p).copied());
            let Some(index) = index else {
                return Err(data(
                    format!("{field}[{k}]"),
                    format!("{item:?} is not among the events"),
                    "the source of a charge given to the statement",
                ));
            };
            let Some(left) = self.left[index] else {
                return Err(data(
                    format!("{field}[{k}]"),
                    format!(
                        "{item:?} is not a charge recorded before the refund (at {})",
                        events[i].at()
                    ),
                    "a seat, package, traffic day, add-on or app order charge recorded earlier",
                ));
            };
            found.push((index, left));
        }
        let left: Decimal = found
            .iter()
            .try_fold(Decimal::ZERO, |sum, (_, l)| sum.checked_add(*l))
            .ok_or_else(|| overflow("sum what is left to refund"))?;
        if amount.amount() > left {
            return Err(data(
                format!("events[{i}].amount"),
                format!(
                    "the refund of {amount} is more than the {} {left} left of its items",
                    self.currency
                ),
                format!("at most {left}: what was charged for the items less earlier refunds"),
            ));
        }
        if amount.is_zero() {
            return Ok(());
        }
        let weights: Vec<Decimal> = found.iter().map(|(_, l)| *l).collect();
        let shares = amount.allocate(&weights).map_err(Error::from)?;
        for ((index, left), share) in found.iter().zip(shares) {
            self.left[*index] = Some(*left - share.amount());
            if shown {
                self.lines.push(StatementLine {
                    kind: LineKind::Refund,
                    rule: LineKind::Refund.rule(),
                    at: events[i].at(),
                    quantity: Decimal::ONE,
                    unit_price: None,
                    exact: -share.amount(),
                    amount: at_minor(-share.amount(), self.currency),
                    sources: vec![source.clone(), events[*index].source().clone()],
                });
            }
        }
        Ok(())
    }

    fn finish(mut self, rounding: Rounding) -> Result<Vec<StatementLine>, Error> {
        for ((_, price), group) in std::mem::take(&mut self.overage) {
            let Some(at) = group.at else { continue };
            let exact = group
                .through
                .checked_sub(group.before)
                .ok_or_else(|| overflow("a period's per-call charges"))?;
            let amount = rounding
                .apply(group.through)
                .checked_sub(rounding.apply(group.before))
                .ok_or_else(|| overflow("a period's per-call charges"))?;
            self.lines.push(StatementLine {
                kind: LineKind::CallOverage,
                rule: LineKind::CallOverage.rule(),
                at,
                quantity: Decimal::from(group.calls),
                unit_price: Some(price),
                exact,
                amount: at_minor(amount, self.currency),
                sources: group.sources,
            });
        }
        for group in std::mem::take(&mut self.drawn).into_values() {
            self.lines.push(StatementLine {
                kind: LineKind::PackageCalls,
                rule: LineKind::PackageCalls.rule(),
                at: group.at,
                quantity: Decimal::from(group.calls),
                unit_price: Some(Decimal::ZERO),
                exact: Decimal::ZERO,
                amount: at_minor(Decimal::ZERO, self.currency),
                sources: group.sources,
            });
        }
        Ok(self.lines)
    }
}

/// A total order on sources that compares the version before the text of
/// the aggregate id: the same answers as a string-first order would give
/// on uniqueness and lookup, at the cost of an integer compare.
fn quick(a: &SourceRef, b: &SourceRef) -> Ordering {
    a.version
        .cmp(&b.version)
        .then_with(|| a.aggregate.cmp(&b.aggregate))
}

/// Checks one event before anything is computed from it.
fn validate(i: usize, event: &StatementEvent, currency: Currency) -> Result<(), Error> {
    let check = |name: &str, money: &Money, rounded: bool| -> Result<(), Error> {
        // Formatted only for an error: a statement checks every event.
        let field = || format!("events[{i}].{name}");
        if money.currency() != currency {
            return Err(data(
                field(),
                format!(
                    "{money} is in {}, but the statement is in {currency} (its locale's currency)",
                    money.currency()
                ),
                format!("every amount in {currency}; make one statement per currency"),
            ));
        }
        if money.is_negative() {
            return Err(data(
                field(),
                format!("{money} is negative"),
                "zero or more",
            ));
        }
        if rounded && !at_minor_unit(money.amount(), currency) {
            return Err(data(
                field(),
                format!("{money} has digits below the minor unit"),
                "an amount its rule rounded once to the minor unit (the statement never rounds it again)",
            ));
        }
        Ok(())
    };
    match event {
        StatementEvent::SeatPurchase { amount, .. }
        | StatementEvent::SeatExtension { amount, .. }
        | StatementEvent::TrafficDay { amount, .. }
        | StatementEvent::AddOn { amount, .. }
        | StatementEvent::AppOrder { amount, .. }
        | StatementEvent::Refund { amount, .. } => check("amount", amount, true),
        StatementEvent::SeatUpgrade { total, credit, .. } => {
            check("total", total, true)?;
            check("credit", credit, true)
        }
        StatementEvent::PackagePurchase { price, .. } => check("price", price, true),
        StatementEvent::Calls {
            unit_price, charge, ..
        } => {
            check("unit_price", unit_price, false)?;
            check("charge", charge, false)
        }
    }
}

/// True when `amount` has no digit below the currency's minor unit.
pub(super) fn at_minor_unit(amount: Decimal, currency: Currency) -> bool {
    amount.scale() <= currency.scale() || amount.round_dp(currency.scale()) == amount
}

/// `amount` written at the currency's minor unit (`7.5` as `7.50`); an
/// amount already at it or finer is kept as it is.
fn at_minor(amount: Decimal, currency: Currency) -> Decimal {
    let mut shown = amount;
    if shown.scale() < currency.scale() {
        shown.rescale(currency.scale());
    }
    shown
}

fn overflow(operation: &'static str) -> Error {
    Error::from(ArithmeticError::overflow(operation))
}
