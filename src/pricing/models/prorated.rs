//! Prorated units (Lago's prorated graduated and volume models): usage that
//! lives for part of a period (seats added mid-period) is priced on its
//! prorated quantity, `quantity x fraction` of the period.
//!
//! Which tier prices it is a stated option ([`TierBy`]):
//!
//! - [`TierBy::Full`] (Lago's choice): the tiers are reached by the full
//!   units. In graduated mode the usage fills the tiers in order, each
//!   record's units at its own fraction, and a tier's flat amount is billed
//!   whole once the tier is reached; in volume mode the tier of the full
//!   total prices the prorated total.
//! - [`TierBy::Prorated`]: the prorated total is priced by the table like
//!   any quantity.
//!
//! The first tier's flat amount is billed even for zero usage, as for any
//! tier table on the continuous axis.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ModelId, ModelStep, Sink, StepKind, add};
use crate::error::{ArithmeticError, DataError, Error, PolicyError};
use crate::exact;
use crate::money::{Currency, Money};
use crate::pricing::tiers::{Axis, MAX_TIERS, TierMode, TierSpec, TierTable, TierTableSpec};

/// Which quantity chooses the tier of a prorated price.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBy {
    /// The full units reach the tiers (Lago's prorated models; the default).
    #[default]
    Full,
    /// The prorated units reach the tiers.
    Prorated,
}

impl TierBy {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Full, Self::Prorated];

    fn is_default(&self) -> bool {
        *self == TierBy::Full
    }
}

/// Units that lived for `fraction` of the period (0 to 1): 5 seats added
/// with 70% of the month left are `{"quantity": "5", "fraction": "0.7"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProratedUnits {
    /// The units (zero or more).
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// The part of the period they lived for, 0 to 1.
    #[serde(with = "crate::decimal_serde::strict")]
    pub fraction: Decimal,
}

impl ProratedUnits {
    /// `quantity` units for `fraction` of the period.
    pub fn new(quantity: Decimal, fraction: Decimal) -> ProratedUnits {
        ProratedUnits { quantity, fraction }
    }

    /// Checks the figures of `usage[index]`.
    pub(crate) fn check(&self, index: usize) -> Result<(), Error> {
        if self.quantity.is_sign_negative() && !self.quantity.is_zero() {
            return Err(DataError::new(
                format!("usage[{index}].quantity"),
                format!("{} units", self.quantity),
                "zero units or more",
            )
            .into());
        }
        if self.fraction.is_sign_negative() && !self.fraction.is_zero()
            || self.fraction > Decimal::ONE
        {
            return Err(DataError::new(
                format!("usage[{index}].fraction"),
                format!("{} of the period", self.fraction),
                "0 to 1",
            )
            .into());
        }
        Ok(())
    }

    /// `quantity x fraction`.
    pub(crate) fn prorated(&self) -> Result<Decimal, ArithmeticError> {
        exact::mul(self.quantity, self.fraction)
    }
}

/// The prorated model as written: a tier table on the continuous axis
/// (tiers `0-5, 5-`, the last unbounded) and which quantity chooses the
/// tier.
///
/// ```json
/// {"mode": "graduated", "tier_by": "full", "tiers": [
///   {"from": "0", "to": "5", "flat": "100", "unit_price": "10"},
///   {"from": "5", "flat": "50", "unit_price": "5"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProratedSpec {
    /// Volume or graduated.
    pub mode: TierMode,
    /// The tiers, from 0, the last unbounded (at most
    /// [`MAX_TIERS`](crate::pricing::MAX_TIERS)).
    #[serde(deserialize_with = "crate::pricing::tiers::bounded_tiers")]
    pub tiers: Vec<TierSpec>,
    /// Which quantity chooses the tier (`full`, the default, or
    /// `prorated`).
    #[serde(default, skip_serializing_if = "TierBy::is_default")]
    pub tier_by: TierBy,
}

/// A validated prorated model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prorated {
    table: TierTable,
    tier_by: TierBy,
}

impl Prorated {
    pub(crate) fn build(spec: &ProratedSpec, currency: Currency) -> Result<Prorated, PolicyError> {
        let table = continuous_table(spec.mode, &spec.tiers, currency)?;
        if let Some(to) = table.tiers().last().and_then(|t| t.to()) {
            return Err(PolicyError::new(
                format!("tiers[{}].to", spec.tiers.len() - 1),
                format!("the last tier ends at {to}"),
                "an unbounded last tier (prorated usage has no ceiling)",
            ));
        }
        Ok(Prorated {
            table,
            tier_by: spec.tier_by,
        })
    }

    pub(crate) fn to_spec(&self) -> ProratedSpec {
        let spec = TierTableSpec::from(self.table.to_spec());
        ProratedSpec {
            mode: spec.mode,
            tiers: spec.tiers,
            tier_by: self.tier_by,
        }
    }

    /// The exact price of `quantity` (>= 0) living the whole period: its
    /// full and prorated quantities are equal, so whichever chooses the
    /// tier, the table's price is the answer (the property test
    /// `the_total_only_price_is_the_quotes_total` holds it to `price`).
    #[inline]
    pub(crate) fn whole_period(&self, quantity: Decimal) -> Result<Money, Error> {
        Ok(self.table.price(quantity)?.total)
    }

    /// The exact price of `usage`, each record checked.
    pub(crate) fn price(
        &self,
        usage: &[ProratedUnits],
        sink: &mut Sink<'_>,
    ) -> Result<Money, Error> {
        let mut full = Decimal::ZERO;
        let mut whole_period = true;
        for (i, units) in usage.iter().enumerate() {
            units.check(i)?;
            full = add(full, units.quantity)?;
            whole_period &= units.fraction == Decimal::ONE;
        }
        let prorated = if whole_period {
            full
        } else {
            let mut prorated = Decimal::ZERO;
            for units in usage {
                prorated = add(prorated, units.prorated()?)?;
            }
            prorated
        };
        let step = |kind, tier, quantity, amount| ModelStep {
            model: ModelId::Prorated,
            kind,
            tier: Some(tier),
            quantity,
            amount,
        };
        match (self.tier_by, self.table.mode()) {
            (TierBy::Prorated, _) => {
                let price = self.table.price(prorated)?;
                sink.push(|| step(StepKind::TierPart, price.tier, prorated, price.total));
                Ok(price.total)
            }
            (TierBy::Full, TierMode::Volume) => {
                let index = self.table.tier_index(full)?;
                let tier = self
                    .table
                    .tiers()
                    .get(index)
                    .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
                let flat = tier.flat();
                let units = tier.unit_price().checked_mul(prorated)?;
                sink.push(|| step(StepKind::TierFlat, index, Decimal::ZERO, flat));
                sink.push(|| step(StepKind::TierPart, index, prorated, units));
                Ok(flat.checked_add(units)?)
            }
            // Usage that lived the whole period is not prorated: its
            // graduated price is the table's, worked out once per tier
            // (the same sum, to the digit: the property test
            // `prorated_full_period_usage_is_the_tier_tables_price` holds
            // them equal).
            (TierBy::Full, TierMode::Graduated) if !sink.wants() && whole_period => {
                Ok(self.table.price(full)?.total)
            }
            (TierBy::Full, TierMode::Graduated) => self.graduated_full(usage, sink),
        }
    }

    /// Lago's prorated graduated price: the records fill the tiers in
    /// order by their full units; each unit is priced at its tier's unit
    /// price times its record's fraction; a tier's flat amount is billed
    /// once, when the tier is reached (the first tier always).
    fn graduated_full(&self, usage: &[ProratedUnits], sink: &mut Sink<'_>) -> Result<Money, Error> {
        let tiers = self.table.tiers();
        let first = tiers
            .first()
            .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
        let mut total = first.flat();
        sink.push(|| ModelStep {
            model: ModelId::Prorated,
            kind: StepKind::TierFlat,
            tier: Some(0),
            quantity: Decimal::ZERO,
            amount: first.flat(),
        });
        // The tier the next unit goes to, and the units placed so far.
        let mut index = 0;
        let mut placed = Decimal::ZERO;
        for units in usage {
            let mut left = units.quantity;
            while !left.is_zero() {
                let tier = tiers
                    .get(index)
                    .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
                let room = match tier.to() {
                    Some(to) => exact::sub(to, placed)?,
                    None => left,
                };
                if room <= Decimal::ZERO {
                    // This tier is full: the next one is reached.
                    index += 1;
                    let next = tiers
                        .get(index)
                        .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
                    if next.flat().amount() > Decimal::ZERO {
                        total = total.checked_add(next.flat())?;
                        sink.push(|| ModelStep {
                            model: ModelId::Prorated,
                            kind: StepKind::TierFlat,
                            tier: Some(index),
                            quantity: Decimal::ZERO,
                            amount: next.flat(),
                        });
                    }
                    continue;
                }
                let take = left.min(room);
                let prorated = exact::mul(take, units.fraction)?;
                let amount = tier.unit_price().checked_mul(prorated)?;
                total = total.checked_add(amount)?;
                sink.push(|| ModelStep {
                    model: ModelId::Prorated,
                    kind: StepKind::TierPart,
                    tier: Some(index),
                    quantity: prorated,
                    amount,
                });
                placed = exact::add(placed, take)?;
                left = exact::sub(left, take)?;
            }
        }
        Ok(total)
    }
}

/// A tier table on the continuous axis from a model's tiers, with the tier
/// count capped (a spec built in code skips the reader's cap).
pub(crate) fn continuous_table(
    mode: TierMode,
    tiers: &[TierSpec],
    currency: Currency,
) -> Result<TierTable, PolicyError> {
    if tiers.len() > MAX_TIERS {
        return Err(PolicyError::new(
            "tiers",
            format!("{} tiers are listed", tiers.len()),
            format!("at most {MAX_TIERS}"),
        ));
    }
    let spec = TierTableSpec {
        mode,
        tiers: tiers.to_vec(),
    };
    // The tier checks name R-SEAT-03, the catalogue's tier rule; a model
    // is general pricing, so the rule is left off.
    TierTable::try_from(spec.on(Axis::Continuous, currency)).map_err(|mut e| {
        e.rule = None;
        e
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(TierBy: Full, Prorated);
    }

    #[test]
    fn a_fraction_above_one_names_the_record() {
        let err = ProratedUnits::new(Decimal::ONE, Decimal::TWO).check(3);
        assert!(matches!(err, Err(Error::Data(e)) if e.field == "usage[3].fraction"));
    }
}
