//! The package model: `ceil((units - free units) / size) x amount` (Lago's
//! package charge model; Stripe's `transform_quantity`, which divides the
//! quantity and rounds up or down before pricing it).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ModelId, ModelStep, Sink, StepKind};
use crate::error::{Error, PolicyError};
use crate::exact;
use crate::money::{Currency, Money};
use crate::policy::check;
use crate::pricing::tiers::{Size, UnitRounding};

/// The package model as written: packages of `size` units at `amount`
/// each, after `free_units`; a started package counts whole unless
/// `rounding` is `down`.
///
/// `{"size": "10", "amount": "100", "free_units": "0", "rounding": "up"}`
/// (`free_units` and `rounding` may be left out: 0 and `up`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// The units in a package (more than zero).
    #[serde(with = "crate::decimal_serde::strict")]
    pub size: Decimal,
    /// The price of one package (zero or more), in the policy's currency.
    #[serde(with = "crate::decimal_serde::strict")]
    pub amount: Decimal,
    /// Units given free before the first package (zero or more).
    #[serde(
        default,
        with = "crate::decimal_serde::strict",
        skip_serializing_if = "Decimal::is_zero"
    )]
    pub free_units: Decimal,
    /// How a started package counts: `up` (whole, the default) or `down`.
    #[serde(default, skip_serializing_if = "UnitRounding::is_default")]
    pub rounding: UnitRounding,
}

/// A validated package model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    size: Size,
    amount: Money,
    free_units: Decimal,
    rounding: UnitRounding,
}

impl Package {
    pub(crate) fn build(spec: &PackageSpec, currency: Currency) -> Result<Package, PolicyError> {
        check::positive("size", spec.size)?;
        let amount = check::amount("amount", spec.amount, currency)?;
        check::non_negative("free_units", spec.free_units)?;
        Ok(Package {
            size: Size::new(spec.size),
            amount,
            free_units: spec.free_units,
            rounding: spec.rounding,
        })
    }

    pub(crate) fn to_spec(&self) -> PackageSpec {
        PackageSpec {
            size: self.size.value,
            amount: self.amount.amount(),
            free_units: self.free_units,
            rounding: self.rounding,
        }
    }

    /// The exact price of `units` (>= 0).
    #[inline]
    pub(crate) fn price(&self, units: Decimal, sink: &mut Sink<'_>) -> Result<Money, Error> {
        let paid = if self.free_units.is_zero() {
            units
        } else {
            let free = units.min(self.free_units);
            sink.push(|| {
                self.step(
                    StepKind::FreeUnits,
                    free,
                    Money::zero(self.amount.currency()),
                )
            });
            if units > self.free_units {
                exact::sub(units, self.free_units)?
            } else {
                Decimal::ZERO
            }
        };
        let packages = self.rounding.count(paid, &self.size)?;
        let amount = self.amount.checked_mul(packages)?;
        sink.push(|| self.step(StepKind::Packages, packages, amount));
        Ok(amount)
    }

    fn step(&self, kind: StepKind, quantity: Decimal, amount: Money) -> ModelStep {
        ModelStep {
            model: ModelId::Package,
            kind,
            tier: None,
            quantity,
            amount,
        }
    }
}
