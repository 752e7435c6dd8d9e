//! Tiers priced in blocks of N units (Kill Bill's tiered blocks: 1000
//! minutes, 512 MB), what happens above a bounded last tier ([`Overflow`]),
//! and how a started block or package is counted ([`UnitRounding`]).
//!
//! A block tier sells `max_blocks` blocks of `size` units at `price` a
//! block, so it holds `size x max_blocks` units; the tiers follow one
//! another from 0, and only the last may be unbounded. Two modes, as Kill
//! Bill's `TierBlockPolicy`:
//!
//! - [`BlockMode::AllTiers`]: the units fill the tiers in order, and each
//!   tier bills the blocks its part takes (a started block counts whole).
//! - [`BlockMode::TopTier`]: the tier the quantity reaches prices every
//!   unit, in its own blocks.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, DataError, Error, PolicyError};
use crate::exact;
use crate::money::{Currency, Money, Rounding, RoundingMode};
use crate::policy::check;
use crate::pricing::scaled::Scaled;

use super::bounded::{self, MAX_TIERS};

/// How a block tier table prices a quantity (Kill Bill's
/// `TierBlockPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockMode {
    /// The units fill the tiers in order; each tier bills its own blocks
    /// (Kill Bill's `ALL_TIERS`).
    AllTiers,
    /// The tier the quantity reaches bills every unit in its blocks (Kill
    /// Bill's `TOP_TIER`).
    TopTier,
}

impl BlockMode {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::AllTiers, Self::TopTier];
}

/// What a quantity above a bounded last tier gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Refused with an error naming the quantity and the last bound (the
    /// default, and the tier tables' behaviour).
    #[default]
    Refuse,
    /// Priced at the last tier, as if it were unbounded (Kill Bill's
    /// `TOP_TIER` above its last tier).
    TopTier,
}

impl Overflow {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Refuse, Self::TopTier];

    fn is_default(&self) -> bool {
        *self == Overflow::Refuse
    }
}

/// How a part of a block or package is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitRounding {
    /// A started block or package counts whole (the default: Lago's
    /// package, Stripe's `transform_quantity` `round: up`, Kill Bill's
    /// blocks).
    #[default]
    Up,
    /// Only full blocks or packages count (Stripe's `round: down`).
    Down,
}

impl UnitRounding {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Up, Self::Down];

    pub(crate) fn is_default(&self) -> bool {
        *self == UnitRounding::Up
    }

    fn mode(self) -> RoundingMode {
        match self {
            UnitRounding::Up => RoundingMode::Ceiling,
            UnitRounding::Down => RoundingMode::Floor,
        }
    }

    /// How many `size`s `units` makes, counted this way. `units >= 0` and
    /// `size > 0`; whole figures take integer arithmetic.
    #[inline]
    pub(crate) fn count(self, units: Decimal, size: &Size) -> Result<Decimal, ArithmeticError> {
        if let (Some(size), 0) = (size.whole, units.scale())
            && let Ok(units) = u128::try_from(units.mantissa())
        {
            let count = match self {
                UnitRounding::Up => units.div_ceil(size),
                UnitRounding::Down => units / size,
            };
            // At most `units`, which a `Decimal` held.
            let count =
                i128::try_from(count).map_err(|_| ArithmeticError::overflow("block count"))?;
            return Decimal::try_from_i128_with_scale(count, 0)
                .map_err(|_| ArithmeticError::overflow("block count"));
        }
        exact::div_round(units, size.value, Rounding::new(self.mode(), 0))
    }
}

/// A block or package size, with its value as an integer when it is whole
/// (worked out once, so counting blocks divides integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Size {
    pub(crate) value: Decimal,
    whole: Option<u128>,
}

impl Size {
    /// `value`, which the caller has checked is above zero.
    pub(crate) fn new(value: Decimal) -> Size {
        let normal = value.normalize();
        let whole = (normal.scale() == 0)
            .then(|| u128::try_from(normal.mantissa()).ok())
            .flatten()
            .filter(|&w| w > 0);
        Size { value, whole }
    }
}

/// One block tier as written: `max_blocks` blocks of `size` units at
/// `price` a block; `max_blocks` null (or left out) is unbounded, which
/// only the last tier may be.
///
/// `{"size": "1000", "price": "1", "max_blocks": 100}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockTierSpec {
    /// The units in a block (more than zero).
    #[serde(with = "crate::decimal_serde::strict")]
    pub size: Decimal,
    /// The price of one block (zero or more), in the policy's currency.
    #[serde(with = "crate::decimal_serde::strict")]
    pub price: Decimal,
    /// The blocks the tier holds; `None` for an unbounded last tier.
    #[serde(default)]
    pub max_blocks: Option<u64>,
}

/// A table of block tiers as written in a
/// [`ModelSpec`](crate::pricing::ModelSpec): the mode, the tiers in order
/// from 0, what a quantity above a bounded last tier gets, and how a
/// started block counts.
///
/// ```json
/// {"mode": "all_tiers", "tiers": [{"size": "100", "price": "1", "max_blocks": 10},
///  {"size": "1000", "price": "1", "max_blocks": 100}], "overflow": "top_tier"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockTableSpec {
    /// All tiers or the top tier.
    pub mode: BlockMode,
    /// The tiers, in order from 0 (at most
    /// [`MAX_TIERS`](crate::pricing::MAX_TIERS)).
    #[serde(deserialize_with = "bounded::deserialize")]
    pub tiers: Vec<BlockTierSpec>,
    /// Above a bounded last tier: refuse (the default) or price at the last
    /// tier.
    #[serde(default, skip_serializing_if = "Overflow::is_default")]
    pub overflow: Overflow,
    /// A started block counts whole (`up`, the default) or not at all
    /// (`down`).
    #[serde(default, skip_serializing_if = "UnitRounding::is_default")]
    pub rounding: UnitRounding,
}

/// A validated block tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockTier {
    pub(crate) size: Size,
    pub(crate) price: Money,
    pub(crate) max_blocks: Option<u64>,
    /// `size x max_blocks`: the units the tier holds.
    capacity: Option<Decimal>,
    /// `capacity` as an integer, when whole (`None` also when unbounded).
    capacity_whole: Option<u128>,
    /// The units of this tier and every tier below it.
    upper: Option<Decimal>,
}

/// A validated block table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockTable {
    mode: BlockMode,
    tiers: Vec<BlockTier>,
    overflow: Overflow,
    rounding: UnitRounding,
}

/// One tier's share of a block price: the units it takes, the blocks they
/// make, and what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockPart {
    pub(crate) tier: usize,
    pub(crate) units: Decimal,
    pub(crate) blocks: Decimal,
    pub(crate) amount: Money,
}

impl BlockTable {
    /// Checks `spec`, amounts in `currency`. Field paths are relative to
    /// the table (`tiers[1].size`).
    pub(crate) fn build(spec: &BlockTableSpec, currency: Currency) -> Result<Self, PolicyError> {
        if spec.tiers.is_empty() {
            return Err(PolicyError::new(
                "tiers",
                "no tier is given",
                "at least one tier",
            ));
        }
        if spec.tiers.len() > MAX_TIERS {
            return Err(PolicyError::new(
                "tiers",
                format!("{} tiers are listed", spec.tiers.len()),
                format!("at most {MAX_TIERS}"),
            ));
        }
        let last = spec.tiers.len() - 1;
        let mut tiers = Vec::with_capacity(spec.tiers.len());
        let mut upper = Some(Decimal::ZERO);
        for (i, t) in spec.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            check::positive(&field("size"), t.size)?;
            let price = check::amount(&field("price"), t.price, currency)?;
            let capacity = match t.max_blocks {
                Some(0) => {
                    return Err(PolicyError::new(
                        field("max_blocks"),
                        "a tier of 0 blocks holds nothing",
                        "1 block or more, or null for an unbounded last tier",
                    ));
                }
                Some(max) => Some(exact::mul(t.size, Decimal::from(max)).map_err(|_| {
                    PolicyError::new(field("max_blocks"), "too large", "a smaller count")
                })?),
                None if i != last => {
                    return Err(PolicyError::new(
                        field("max_blocks"),
                        "only the last tier may be unbounded",
                        "a count of blocks on every tier but the last",
                    ));
                }
                None => None,
            };
            upper = match (upper, capacity) {
                (Some(below), Some(capacity)) => {
                    Some(exact::add(below, capacity).map_err(|_| {
                        PolicyError::new(field("max_blocks"), "too large", "a smaller count")
                    })?)
                }
                _ => None,
            };
            tiers.push(BlockTier {
                size: Size::new(t.size),
                price,
                max_blocks: t.max_blocks,
                capacity,
                capacity_whole: capacity.and_then(whole),
                upper,
            });
        }
        Ok(BlockTable {
            mode: spec.mode,
            tiers,
            overflow: spec.overflow,
            rounding: spec.rounding,
        })
    }

    /// The spec it was built from.
    pub(crate) fn to_spec(&self) -> BlockTableSpec {
        BlockTableSpec {
            mode: self.mode,
            tiers: self
                .tiers
                .iter()
                .map(|t| BlockTierSpec {
                    size: t.size.value,
                    price: t.price.amount(),
                    max_blocks: t.max_blocks,
                })
                .collect(),
            overflow: self.overflow,
            rounding: self.rounding,
        }
    }

    /// The price of `quantity` (>= 0) without its parts: in all-tiers mode
    /// on whole numbers, counted in integers and summed on the integer
    /// fast path ([`Scaled`]), which gives what [`price`](Self::price)
    /// gives, to the digit, or hands over to it.
    #[inline]
    pub(crate) fn total(&self, quantity: Decimal) -> Result<Money, Error> {
        if self.mode == BlockMode::AllTiers
            && let Some(total) = self.total_whole(quantity)
        {
            return Ok(total);
        }
        self.price(quantity, |_| {})
    }

    /// The all-tiers price of a whole `quantity` with whole block sizes,
    /// in integers; `None` to take the exact path.
    fn total_whole(&self, quantity: Decimal) -> Option<Money> {
        let currency = self.tiers.first()?.price.currency();
        if quantity.scale() != 0 {
            return None;
        }
        let mut left = u64::try_from(quantity.mantissa()).ok()?;
        let mut total: Option<Scaled> = None;
        let last = self.tiers.len() - 1;
        for (index, tier) in self.tiers.iter().enumerate() {
            if left == 0 {
                break;
            }
            let size = tier.size.whole?;
            let open = index == last && self.overflow == Overflow::TopTier;
            let units = match (tier.capacity, tier.capacity_whole) {
                (Some(_), Some(capacity)) if !open => u128::from(left).min(capacity),
                (Some(_), None) if !open => return None,
                _ => u128::from(left),
            };
            let blocks = match self.rounding {
                UnitRounding::Up => units.div_ceil(size),
                UnitRounding::Down => units / size,
            };
            // `units` is at most `left`, a u64.
            left -= u64::try_from(units).ok()?;
            if blocks == 0 {
                // A zero product's scale is `exact`'s to decide.
                return None;
            }
            let amount =
                Scaled::of(tier.price.amount()).mul(Scaled::whole(u64::try_from(blocks).ok()?))?;
            total = Some(match total {
                None => amount,
                Some(sum) => sum.add(amount)?,
            });
        }
        if left != 0 {
            return None;
        }
        // Zero usage: no block, and the exact path's zero.
        Some(Money::new(total?.decimal()?, currency))
    }

    /// The price of `quantity` (>= 0), each tier's part handed to `part`
    /// as it is worked out (nothing is allocated when it ignores them).
    pub(crate) fn price(
        &self,
        quantity: Decimal,
        mut part: impl FnMut(BlockPart),
    ) -> Result<Money, Error> {
        let currency = self
            .tiers
            .first()
            .map(|t| t.price.currency())
            .unwrap_or_default();
        match self.mode {
            BlockMode::TopTier => {
                let found = self
                    .tiers
                    .iter()
                    .position(|t| t.upper.is_none_or(|u| quantity <= u));
                let index = match (found, self.overflow) {
                    (Some(index), _) => index,
                    (None, Overflow::TopTier) => self.tiers.len() - 1,
                    (None, Overflow::Refuse) => return Err(self.above(quantity)),
                };
                let tier = self
                    .tiers
                    .get(index)
                    .ok_or_else(|| ArithmeticError::out_of_range("block tier"))?;
                let blocks = self.rounding.count(quantity, &tier.size)?;
                let amount = tier.price.checked_mul(blocks)?;
                part(BlockPart {
                    tier: index,
                    units: quantity,
                    blocks,
                    amount,
                });
                Ok(amount)
            }
            BlockMode::AllTiers => {
                let mut total = Money::zero(currency);
                let mut left = quantity;
                let last = self.tiers.len() - 1;
                for (index, tier) in self.tiers.iter().enumerate() {
                    if left.is_zero() {
                        break;
                    }
                    let open = index == last && self.overflow == Overflow::TopTier;
                    let units = match tier.capacity {
                        Some(capacity) if !open => left.min(capacity),
                        _ => left,
                    };
                    let blocks = self.rounding.count(units, &tier.size)?;
                    let amount = tier.price.checked_mul(blocks)?;
                    total = total.checked_add(amount)?;
                    left = exact::sub(left, units)?;
                    part(BlockPart {
                        tier: index,
                        units,
                        blocks,
                        amount,
                    });
                }
                if !left.is_zero() {
                    return Err(self.above(quantity));
                }
                Ok(total)
            }
        }
    }

    fn above(&self, quantity: Decimal) -> Error {
        let top = self.tiers.last().and_then(|t| t.upper).unwrap_or_default();
        DataError::new(
            "quantity",
            format!("{quantity} is above the last tier, which ends at {top}"),
            format!("at most {top}, or `\"overflow\": \"top_tier\"` in the policy"),
        )
        .into()
    }
}

/// A whole, non-negative decimal as an integer.
fn whole(value: Decimal) -> Option<u128> {
    let value = value.normalize();
    if value.scale() != 0 {
        return None;
    }
    u128::try_from(value.mantissa()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(BlockMode: AllTiers, TopTier);
        assert_all_variants!(Overflow: Refuse, TopTier);
        assert_all_variants!(UnitRounding: Up, Down);
    }

    #[test]
    fn whole_and_fractional_counts_agree() {
        // The integer path and the exact division give the same count.
        for (units, size) in [
            ("5325", "1000"),
            ("4325", "1000"),
            ("0", "7"),
            ("10.5", "2"),
        ] {
            let units: Decimal = units.parse().unwrap_or_default();
            let size = Size::new(size.parse().unwrap_or_default());
            for rounding in UnitRounding::ALL {
                let slow = exact::div_round(units, size.value, Rounding::new(rounding.mode(), 0));
                assert_eq!(rounding.count(units, &size).ok(), slow.ok());
            }
        }
    }
}
