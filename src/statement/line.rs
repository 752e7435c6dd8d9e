//! [`Statement`] and [`StatementLine`]: the itemized result, and the check
//! that its lines add up.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::event::SourceRef;
use crate::error::{ArithmeticError, DataError, Error};
use crate::money::{Currency, Money};
use crate::rule::RuleId;

/// What a [`StatementLine`] charges (or pays back). Lines of one instant
/// are listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Seats bought (R-SEAT-01).
    SeatPurchase,
    /// An upgrade's new order (R-SEAT-08).
    SeatUpgrade,
    /// An upgrade's credit for unused time, negative (R-SEAT-08).
    SeatUpgradeCredit,
    /// Periods added (R-SEAT-09).
    SeatExtension,
    /// A package bought (R-USE-05).
    PackagePurchase,
    /// Calls drawn from the trial quota and packages, already paid: zero
    /// (R-USE-07).
    PackageCalls,
    /// Calls billed per call, one line per component and price (R-USE-01).
    CallOverage,
    /// A settled traffic day (R-USE-09).
    TrafficDay,
    /// An add-on (R-USE-10).
    AddOn,
    /// An app order paid (R-REF-01).
    AppOrder,
    /// A refund's share for one item, negative (R-REF-01).
    Refund,
}

impl LineKind {
    /// The rule whose figure the line shows.
    pub fn rule(self) -> RuleId {
        match self {
            LineKind::SeatPurchase => RuleId::Seat01,
            LineKind::SeatUpgrade | LineKind::SeatUpgradeCredit => RuleId::Seat08,
            LineKind::SeatExtension => RuleId::Seat09,
            LineKind::PackagePurchase => RuleId::Use05,
            LineKind::PackageCalls => RuleId::Use07,
            LineKind::CallOverage => RuleId::Use01,
            LineKind::TrafficDay => RuleId::Use09,
            LineKind::AddOn => RuleId::Use10,
            LineKind::AppOrder | LineKind::Refund => RuleId::Ref01,
        }
    }
}

/// One line of a [`Statement`].
///
/// Amounts are in the statement's currency. `amount` is at the currency's
/// minor unit; `exact` is the figure before the line's single rounding
/// (equal to `amount` when the line rounds nothing).
///
/// # JSON
///
/// Money as strings at the minor unit:
///
/// ```json
/// {"kind": "package_purchase", "rule": "R-USE-05", "at": "2025-07-01T00:00:00Z",
///  "quantity": "1", "unit_price": "300.00", "exact": "300.00", "amount": "300.00",
///  "sources": [{"aggregate": "wallet-1", "version": 1}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementLine {
    /// What it charges.
    pub kind: LineKind,
    /// The rule whose figure it shows ([`LineKind::rule`]).
    pub rule: RuleId,
    /// The instant of its first source.
    pub at: DateTime<Utc>,
    /// How many: seats, calls, a day's billed quantity, an add-on's metered
    /// quantity; 1 for one purchase or one refunded item.
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// The price of one, when the amount is `quantity x unit_price`
    /// (`None` for a graduated traffic day, or a price with no exact unit).
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub unit_price: Option<Decimal>,
    /// The exact figure before rounding.
    #[serde(with = "crate::decimal_serde::strict")]
    pub exact: Decimal,
    /// The line's amount, at the minor unit.
    #[serde(with = "crate::decimal_serde::strict")]
    pub amount: Decimal,
    /// The events it came from.
    pub sources: Vec<SourceRef>,
}

/// An itemized statement of one account over a period `[from, to)`: built
/// by [`Statement::build`].
///
/// Its `total` is the exact sum of its lines' amounts, each at the minor
/// unit, so the lines add up to the total to the digit;
/// [`Statement::check`] verifies it, and reading one from JSON checks it.
///
/// # JSON
///
/// Money as strings at the minor unit, the currency once:
///
/// ```json
/// {"from": "2025-07-01T00:00:00Z", "to": "2025-08-01T00:00:00Z", "currency": "CNY",
///  "lines": [...], "total": "241.67"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "StatementRepr")]
pub struct Statement {
    /// The first instant of the period.
    pub from: DateTime<Utc>,
    /// The first instant after it.
    pub to: DateTime<Utc>,
    /// The currency of every amount.
    pub currency: Currency,
    /// The lines, ordered by instant, then [`LineKind`], then source.
    pub lines: Vec<StatementLine>,
    /// The sum of the lines' amounts.
    #[serde(with = "crate::decimal_serde::strict")]
    pub total: Decimal,
}

/// A statement as read, before [`Statement::check`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementRepr {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    currency: Currency,
    lines: Vec<StatementLine>,
    #[serde(with = "crate::decimal_serde::strict")]
    total: Decimal,
}

impl TryFrom<StatementRepr> for Statement {
    type Error = Error;

    fn try_from(repr: StatementRepr) -> Result<Statement, Error> {
        let statement = Statement {
            from: repr.from,
            to: repr.to,
            currency: repr.currency,
            lines: repr.lines,
            total: repr.total,
        };
        statement.check()?;
        Ok(statement)
    }
}

impl Statement {
    /// The total as money.
    pub fn total_money(&self) -> Money {
        Money::new(self.total, self.currency)
    }

    /// A line's amount as money.
    pub fn amount_of(&self, line: &StatementLine) -> Money {
        Money::new(line.amount, self.currency)
    }

    /// Verifies the statement's invariants: `from < to`; every line's
    /// amount at the currency's minor unit, its rule that of its kind, its
    /// instant in the period, its sources named; lines in order; and the
    /// lines' amounts adding up exactly to `total`.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] naming the first line (or field) that breaks one,
    /// with the figures.
    pub fn check(&self) -> Result<(), Error> {
        if self.from >= self.to {
            return Err(bad_period(self.from, self.to));
        }
        let mut sum = Decimal::ZERO;
        for (i, line) in self.lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            if !super::build::at_minor_unit(line.amount, self.currency) {
                return Err(data(
                    format!("{field}.amount"),
                    format!(
                        "{} has digits below the minor unit of {}",
                        line.amount, self.currency
                    ),
                    "an amount rounded once to the minor unit",
                ));
            }
            if line.rule != line.kind.rule() {
                return Err(data(
                    format!("{field}.rule"),
                    format!("{} on a {:?} line", line.rule, line.kind),
                    format!("{} for that kind", line.kind.rule()),
                ));
            }
            if line.at < self.from || line.at >= self.to {
                return Err(data(
                    format!("{field}.at"),
                    format!("{} is outside [{}, {})", line.at, self.from, self.to),
                    "an instant in the statement's period",
                ));
            }
            if line.sources.is_empty() {
                return Err(data(
                    format!("{field}.sources"),
                    "no source",
                    "the events the line came from",
                ));
            }
            if let Some(prev) = i.checked_sub(1).and_then(|p| self.lines.get(p))
                && prev.sort_key() > line.sort_key()
            {
                return Err(data(
                    field,
                    "out of order",
                    "lines ordered by instant, kind, then first source",
                ));
            }
            sum = sum
                .checked_add(line.amount)
                .ok_or_else(|| Error::from(ArithmeticError::overflow("sum a statement's lines")))?;
        }
        if sum != self.total {
            return Err(data(
                "total",
                format!("{} but the lines add up to {sum}", self.total),
                "the exact sum of the lines' amounts",
            ));
        }
        Ok(())
    }
}

impl StatementLine {
    pub(super) fn sort_key(&self) -> (DateTime<Utc>, LineKind, Option<&SourceRef>) {
        (self.at, self.kind, self.sources.first())
    }
}

pub(super) fn data(
    field: impl Into<String>,
    problem: impl Into<String>,
    allowed: impl Into<String>,
) -> Error {
    Error::Data(DataError::new(field, problem, allowed))
}

pub(super) fn bad_period(from: DateTime<Utc>, to: DateTime<Utc>) -> Error {
    data(
        "period",
        format!("from {from} is not before to {to}"),
        "a period [from, to) with from before to",
    )
}
