//! Pricing a quantity by a tier table (R-SEAT-03, R-USE-09): finding the
//! tier, and the volume or graduated price with its parts.
//!
//! The rules are described in the [pricing module docs](crate::pricing#tier-tables).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::table::{Axis, Tier, TierMode, TierTable};
use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::exact;
use crate::money::Money;
use crate::pricing::scaled::Scaled;
use crate::rule::RuleId;

/// The price of a quantity by a tier table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPrice {
    /// The total.
    pub total: Money,
    /// The index of the tier containing the quantity (the pricing tier in
    /// volume mode, the last tier used in graduated mode).
    pub tier: usize,
}

/// The part of a graduated price that one tier contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPart {
    /// The tier's index.
    pub tier: usize,
    /// The quantity inside the tier.
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// `flat + quantity x unit price` for that tier.
    pub amount: Money,
}

impl Tier {
    fn contains(&self, quantity: Decimal) -> bool {
        exact::cmp(quantity, self.lower_edge).is_gt()
            && self.to.is_none_or(|to| exact::cmp(quantity, to).is_le())
    }
}

impl TierTable {
    /// The index of the tier containing `quantity`, or a refusal naming
    /// R-SEAT-03 when no tier covers it (below the first or above a bounded
    /// last tier).
    pub fn tier_index(&self, quantity: Decimal) -> Result<usize, Error> {
        if let Some(count) = self.whole_count(quantity) {
            return self
                .locate_whole(count)
                .map(|(index, _)| index)
                .ok_or_else(|| self.uncovered(quantity));
        }
        // Tiers are ascending: a binary search keeps 10^6 tiers cheap.
        let idx = self
            .tiers
            .partition_point(|t| t.to.is_some_and(|to| exact::cmp(to, quantity).is_lt()));
        match self.tiers.get(idx) {
            Some(tier) if tier.contains(quantity) || self.covers_zero(idx, quantity) => Ok(idx),
            _ => Err(self.uncovered(quantity)),
        }
    }

    /// Zero usage on the continuous axis: the first tier (which starts at
    /// 0) covers a quantity of 0, so its flat amount is billed, as every
    /// peer bills it (Stripe "always bills the first flat rate tier when
    /// quantity=0"; Lago's and OpenMeter's first tier too). Every other
    /// tier is open below (a boundary belongs to the lower tier). The whole
    /// axis starts at 1, so 0 seats stays refused (R-SEAT-07).
    #[inline]
    fn covers_zero(&self, index: usize, quantity: Decimal) -> bool {
        index == 0 && self.axis == Axis::Continuous && quantity.is_zero()
    }

    fn uncovered(&self, quantity: Decimal) -> Error {
        let first = self.tiers.first().map(|t| t.from).unwrap_or_default();
        let last = self.tiers.last().and_then(|t| t.to);
        // The whole axis's first tier starts at 1 and the continuous
        // axis's at 0 (0 included), so this range never contains the
        // quantity it refuses.
        let covered = match last {
            Some(to) => format!("{first} to {to}"),
            None => format!("{first} and above"),
        };
        Reason::new(
            RuleId::Seat03,
            format!("no tier covers a quantity of {quantity}; the tiers cover {covered}"),
        )
        .with(Figure::decimal("quantity", quantity))
        .with(Figure::decimal("first_tier_from", first))
        .into()
    }

    /// `quantity` as a whole count, when the table is on the whole axis
    /// and the quantity is a whole number written without decimals (the
    /// integer lookup then gives the same tier and the same amounts, to the
    /// digit, as the decimal one).
    #[inline]
    fn whole_count(&self, quantity: Decimal) -> Option<u64> {
        if self.axis == Axis::Whole && quantity.scale() == 0 {
            u64::try_from(quantity.mantissa()).ok()
        } else {
            None
        }
    }

    /// The tier containing a whole `count`, on a whole axis: a binary
    /// search over the integer upper bounds.
    #[inline]
    fn locate_whole(&self, count: u64) -> Option<(usize, &Tier)> {
        let count = u128::from(count);
        let index = self.tiers.partition_point(|t| t.upper_whole < count);
        self.tiers
            .get(index)
            .filter(|t| count > t.lower_whole)
            .map(|t| (index, t))
    }

    /// The price of a whole `count` (seats, calls), in the table's mode,
    /// with the tier that contains it. On a whole axis the tier is found
    /// with integer comparisons; on a continuous axis this is
    /// `price(Decimal::from(count))`. A refusal naming R-SEAT-03 when no
    /// tier covers the count.
    ///
    /// ```
    /// use billing_rules::pricing::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
    /// use billing_rules::money::Currency;
    /// use rust_decimal::Decimal;
    ///
    /// let table = TierTable::try_from(TierTableSpec {
    ///     mode: TierMode::Volume,
    ///     tiers: vec![TierSpec::unit(1, Some(50), Decimal::from(10)), TierSpec::unit(51, None, Decimal::from(8))],
    /// }.on(Axis::Whole, Currency::CNY))?;
    /// let (price, tier) = table.price_whole(60)?;
    /// assert_eq!((price.tier, tier.bounds()), (1, "51-".to_owned()));
    /// assert_eq!(price.total.to_string(), "CNY 480.00");
    /// assert!(table.price_whole(0).is_err());
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    #[inline]
    pub fn price_whole(&self, count: u64) -> Result<(TierPrice, &Tier), Error> {
        if self.axis != Axis::Whole {
            let price = self.price(Decimal::from(count))?;
            let tier = self
                .tiers
                .get(price.tier)
                .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
            return Ok((price, tier));
        }
        let Some((index, tier)) = self.locate_whole(count) else {
            return Err(self.uncovered(Decimal::from(count)));
        };
        let currency = tier.unit_price.currency();
        let total = match (self.mode, tier.graduated_below) {
            (TierMode::Volume, _) => match tier.charge_scaled(count).and_then(Scaled::decimal) {
                Some(amount) => Money::new(amount, currency),
                None => tier.charge(Decimal::from(count))?,
            },
            (TierMode::Graduated, Some(below)) => {
                // `count` is above the tier's lower edge: the part inside
                // is at least 1 and at most `count`.
                let inside = u128::from(count)
                    .checked_sub(tier.lower_whole)
                    .and_then(|inside| u64::try_from(inside).ok())
                    .ok_or_else(|| ArithmeticError::out_of_range("tier part"))?;
                let fast = tier
                    .charge_scaled(inside)
                    .and_then(|part| Scaled::of(below.amount()).add(part))
                    .and_then(Scaled::decimal);
                match fast {
                    Some(amount) => Money::new(amount, currency),
                    None => below.checked_add(tier.charge(Decimal::from(inside))?)?,
                }
            }
            (TierMode::Graduated, None) => self.graduated_sum(Decimal::from(count), index)?,
        };
        Ok((TierPrice { total, tier: index }, tier))
    }

    /// The graduated price of `quantity` in tier `last`, part by part.
    fn graduated_sum(&self, quantity: Decimal, last: usize) -> Result<Money, Error> {
        let mut total = Money::zero(self.currency());
        for part in self.parts_upto(quantity, last) {
            total = total.checked_add(part?.amount)?;
        }
        Ok(total)
    }

    /// The price of `quantity`, in the table's mode.
    pub fn price(&self, quantity: Decimal) -> Result<TierPrice, Error> {
        if let Some(count) = self.whole_count(quantity) {
            return self.price_whole(count).map(|(price, _)| price);
        }
        let tier = self.tier_index(quantity)?;
        let total = match self.mode {
            TierMode::Volume => self.tiers[tier].charge(quantity)?,
            TierMode::Graduated => {
                let t = &self.tiers[tier];
                match t.graduated_below {
                    // The tiers below are full: their sum is known, only
                    // the containing tier's part is left.
                    Some(below) => {
                        let inside = exact::sub(quantity, t.lower_edge)?;
                        below.checked_add(t.charge(inside)?)?
                    }
                    None => self.graduated_sum(quantity, tier)?,
                }
            }
        };
        Ok(TierPrice { total, tier })
    }

    /// The graduated parts of `quantity`: one per tier the quantity reaches,
    /// in order. In volume mode, the single containing tier's charge.
    ///
    /// ```
    /// # use billing_rules::pricing::*;
    /// # use billing_rules::money::Currency;
    /// # use rust_decimal::Decimal;
    /// let table = TierTable::try_from(TierTableSpec {
    ///     mode: TierMode::Graduated,
    ///     tiers: vec![TierSpec::unit(1, Some(50), Decimal::from(10)), TierSpec::unit(51, None, Decimal::from(8))],
    /// }.on(Axis::Whole, Currency::CNY))?;
    /// let parts: Vec<_> = table.parts(Decimal::from(60))?.collect::<Result<_, _>>()?;
    /// assert_eq!(parts.len(), 2);
    /// assert_eq!(parts[1].quantity, Decimal::from(10));
    /// assert_eq!(parts[1].amount.to_string(), "CNY 80.00");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    pub fn parts(&self, quantity: Decimal) -> Result<TierParts<'_>, Error> {
        let last = self.tier_index(quantity)?;
        let next = match self.mode {
            TierMode::Volume => last,
            TierMode::Graduated => 0,
        };
        Ok(TierParts {
            table: self,
            quantity,
            next,
            last,
        })
    }

    fn parts_upto(&self, quantity: Decimal, last: usize) -> TierParts<'_> {
        TierParts {
            table: self,
            quantity,
            next: 0,
            last,
        }
    }
}

/// The parts of a price, from [`TierTable::parts`]: one per tier the
/// quantity reaches in graduated mode, the containing tier alone in volume
/// mode. A plain struct rather than an adapter chain, so iterating costs no
/// more than the arithmetic (traffic settles every day on it).
#[derive(Debug, Clone)]
pub struct TierParts<'a> {
    table: &'a TierTable,
    quantity: Decimal,
    next: usize,
    last: usize,
}

impl Iterator for TierParts<'_> {
    type Item = Result<TierPart, ArithmeticError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next > self.last {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let tier = self.table.tiers.get(index)?;
        let inside = match self.table.mode {
            TierMode::Volume => Ok(self.quantity),
            TierMode::Graduated => {
                let top = tier.to.map_or(self.quantity, |to| to.min(self.quantity));
                exact::sub(top, tier.lower_edge)
            }
        };
        Some(inside.and_then(|inside| {
            Ok(TierPart {
                tier: index,
                quantity: inside,
                amount: tier.charge(inside)?,
            })
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.last + 1).saturating_sub(self.next);
        (left, Some(left))
    }
}
