//! The percentage model (Lago's percentage charge model): a rate on each
//! transaction's amount, a fixed fee a transaction, free units by count of
//! transactions or by total amount, and a minimum and maximum a
//! transaction.
//!
//! Transactions are taken in order. While free units last, a transaction
//! is free: the first `free_transactions` of them, and only while their
//! running total stays within `free_amount` (when both are set, whichever
//! runs out first ends the free units). The transaction that crosses
//! `free_amount` pays on its part above it, and every later one pays in
//! full. A paying transaction's fee is `paid amount x rate / 100 + fixed
//! fee`, raised to the minimum or cut to the maximum; a free one pays
//! nothing. Everything is exact; the policy rounds the total once.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ModelId, ModelStep, Sink, StepKind, add, mul};
use crate::error::{DataError, Error, PolicyError};
use crate::exact;
use crate::money::{Currency, Money};
use crate::policy::check;

/// The percentage model as written. Only `rate` is required.
///
/// ```json
/// {"rate": "2.99", "fixed_amount": "0", "free_transactions": 2, "free_amount": "30",
///  "min_per_transaction": "1.75", "max_per_transaction": "12"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PercentageSpec {
    /// The rate, in percent of the amount (`"1.3"` is 1.3%), zero or more.
    #[serde(with = "crate::decimal_serde::strict")]
    pub rate: Decimal,
    /// A fee on each paying transaction, zero or more.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub fixed_amount: Option<Decimal>,
    /// How many transactions are free, counted from the first.
    #[serde(default)]
    pub free_transactions: Option<u64>,
    /// The total amount given free, counted from the first transaction.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub free_amount: Option<Decimal>,
    /// The least a paying transaction is charged.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub min_per_transaction: Option<Decimal>,
    /// The most a paying transaction is charged (not below the minimum).
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub max_per_transaction: Option<Decimal>,
}

/// A validated percentage model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Percentage {
    rate: Decimal,
    /// `rate / 100`, worked out once (exact: a shift of the scale).
    fraction: Decimal,
    /// The fixed fee, `None` when it is absent or zero (nothing to add).
    fixed: Option<Money>,
    /// The fixed fee as written, for `to_spec`.
    fixed_written: Option<Decimal>,
    free_transactions: Option<u64>,
    free_amount: Option<Decimal>,
    min: Option<Money>,
    max: Option<Money>,
    currency: Currency,
}

/// The running figures of a percentage charge.
#[derive(Default)]
struct Tally {
    free_units: Decimal,
    free_count: u64,
    paid_units: Decimal,
    paid_count: u64,
    rate_total: Decimal,
    limited_count: u64,
    adjustment: Decimal,
}

impl Percentage {
    pub(crate) fn build(
        spec: &PercentageSpec,
        currency: Currency,
    ) -> Result<Percentage, PolicyError> {
        check::non_negative("rate", spec.rate)?;
        let fraction = exact::div(spec.rate, Decimal::ONE_HUNDRED)
            .map_err(|_| PolicyError::new("rate", "too many decimal places", "at most 26"))?;
        let optional = |field: &str, value: Option<Decimal>| {
            value.map(|v| check::amount(field, v, currency)).transpose()
        };
        let fixed = optional("fixed_amount", spec.fixed_amount)?;
        if let Some(free) = spec.free_amount {
            check::non_negative("free_amount", free)?;
        }
        let min = optional("min_per_transaction", spec.min_per_transaction)?;
        let max = optional("max_per_transaction", spec.max_per_transaction)?;
        if let (Some(min), Some(max)) = (spec.min_per_transaction, spec.max_per_transaction) {
            check::ordered("min_per_transaction", min, "max_per_transaction", max)?;
        }
        Ok(Percentage {
            rate: spec.rate,
            fraction,
            fixed: fixed.filter(|f| !f.is_zero()),
            fixed_written: spec.fixed_amount,
            free_transactions: spec.free_transactions,
            free_amount: spec.free_amount,
            min,
            max,
            currency,
        })
    }

    pub(crate) fn to_spec(&self) -> PercentageSpec {
        PercentageSpec {
            rate: self.rate,
            fixed_amount: self.fixed_written,
            free_transactions: self.free_transactions,
            free_amount: self.free_amount,
            min_per_transaction: self.min.map(|m| m.amount()),
            max_per_transaction: self.max.map(|m| m.amount()),
        }
    }

    /// The exact charge for `transactions` (each >= 0), in order.
    pub(crate) fn price(
        &self,
        transactions: &[Decimal],
        sink: &mut Sink<'_>,
    ) -> Result<Money, Error> {
        if !sink.wants() && self.free_transactions.is_none() && self.free_amount.is_none() {
            return self.total(transactions);
        }
        let mut tally = Tally::default();
        let mut freeing = self.free_transactions.is_some() || self.free_amount.is_some();
        for (i, &amount) in transactions.iter().enumerate() {
            refuse_negative(i, amount)?;
            let mut paid = amount;
            if freeing {
                let counted = self
                    .free_transactions
                    .is_none_or(|n| u64::try_from(i).is_ok_and(|i| i < n));
                match (counted, self.free_amount) {
                    (false, _) => freeing = false,
                    (true, None) => paid = Decimal::ZERO,
                    (true, Some(limit)) => {
                        let room = exact::sub(limit, tally.free_units)?;
                        if amount <= room {
                            paid = Decimal::ZERO;
                        } else {
                            // Crosses the free amount: pays on the rest,
                            // and the free units end here.
                            paid = exact::sub(amount, room)?;
                            freeing = false;
                        }
                    }
                }
                let free = exact::sub(amount, paid)?;
                tally.free_units = exact::add(tally.free_units, free)?;
                if freeing {
                    tally.free_count += 1;
                    continue;
                }
            }
            self.charge(paid, &mut tally, sink.wants())?;
        }
        let currency = self.currency;
        let step = |kind, quantity, amount| ModelStep {
            model: ModelId::Percentage,
            kind,
            tier: None,
            quantity,
            amount: Money::new(amount, currency),
        };
        if !tally.free_units.is_zero() || tally.free_count > 0 {
            sink.push(|| step(StepKind::FreeUnits, tally.free_units, Decimal::ZERO));
        }
        sink.push(|| step(StepKind::Rate, tally.paid_units, tally.rate_total));
        let mut total = tally.rate_total;
        if let Some(fixed) = self.fixed {
            let fees = mul(fixed.amount(), Decimal::from(tally.paid_count))?;
            sink.push(|| step(StepKind::FixedFees, Decimal::from(tally.paid_count), fees));
            total = add(total, fees)?;
        }
        if tally.limited_count > 0 {
            let limited = Decimal::from(tally.limited_count);
            sink.push(|| step(StepKind::TransactionLimits, limited, tally.adjustment));
            total = add(total, tally.adjustment)?;
        }
        Ok(Money::new(total, currency))
    }

    /// The exact charge when nothing is free and no step is asked: the sum
    /// of each transaction's fee, raised or cut to the limits. The same
    /// value as the explained path's rate + fees + adjustment (exact sums
    /// in another order); its scale may differ, which the rounded total
    /// does not show.
    fn total(&self, transactions: &[Decimal]) -> Result<Money, Error> {
        let mut total = Decimal::ZERO;
        for (i, &amount) in transactions.iter().enumerate() {
            refuse_negative(i, amount)?;
            let mut fee = mul(amount, self.fraction)?;
            if let Some(fixed) = self.fixed {
                fee = add(fee, fixed.amount())?;
            }
            if let Some(min) = self.min
                && fee < min.amount()
            {
                fee = min.amount();
            }
            if let Some(max) = self.max
                && fee > max.amount()
            {
                fee = max.amount();
            }
            total = add(total, fee)?;
        }
        Ok(Money::new(total, self.currency))
    }

    /// Adds one paying transaction of `paid` to `tally`.
    #[inline]
    fn charge(&self, paid: Decimal, tally: &mut Tally, explained: bool) -> Result<(), Error> {
        tally.paid_count += 1;
        // The paid units are only a step's figure.
        if explained {
            tally.paid_units = add(tally.paid_units, paid)?;
        }
        let on_rate = mul(paid, self.fraction)?;
        tally.rate_total = if tally.paid_count == 1 {
            on_rate
        } else {
            add(tally.rate_total, on_rate)?
        };
        if self.min.is_none() && self.max.is_none() {
            return Ok(());
        }
        let fee = match self.fixed {
            Some(fixed) => add(on_rate, fixed.amount())?,
            None => on_rate,
        };
        let mut limited = fee;
        if let Some(min) = self.min {
            limited = limited.max(min.amount());
        }
        if let Some(max) = self.max {
            limited = limited.min(max.amount());
        }
        if limited != fee {
            tally.limited_count += 1;
            tally.adjustment = add(tally.adjustment, exact::sub(limited, fee)?)?;
        }
        Ok(())
    }
}

/// Refuses a negative transaction, naming it.
#[inline]
fn refuse_negative(index: usize, amount: Decimal) -> Result<(), Error> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(DataError::new(
            format!("transactions[{index}]"),
            format!("a transaction of {amount}"),
            "amounts of zero or more (a refund is its own record)",
        )
        .into());
    }
    Ok(())
}
