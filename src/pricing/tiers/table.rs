//! Tier tables as written and validated (R-SEAT-03, R-USE-09): the modes,
//! the axes, the specs, and the checks that build a [`TierTable`].
//!
//! The rules are described in the [pricing module docs](crate::pricing#tier-tables).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, PolicyError};
use crate::exact;
use crate::money::{Currency, Money};
use crate::policy::check;
use crate::pricing::scaled::Scaled;
use crate::rule::RuleId;

/// How a tier table prices a quantity (R-SEAT-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    /// The containing tier prices the whole quantity (the app-store preset).
    Volume,
    /// Each tier prices the part inside it; the parts are summed.
    Graduated,
}

impl TierMode {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Volume, Self::Graduated];
}

impl fmt::Display for TierMode {
    /// `volume` or `graduated`, as in JSON.
    ///
    /// ```
    /// use billing_rules::pricing::TierMode;
    /// assert_eq!(TierMode::Volume.to_string(), "volume");
    /// assert_eq!(format!("{} tiers", TierMode::Graduated), "graduated tiers");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TierMode::Volume => "volume",
            TierMode::Graduated => "graduated",
        })
    }
}

/// What the tier bounds count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// Whole units (seats, calls): tiers `1-50, 51-200, 201-`.
    Whole,
    /// A continuous measure (GB of traffic): tiers `0-10, 10-50, 50-`.
    Continuous,
}

impl Axis {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Whole, Self::Continuous];

    fn first(self) -> Decimal {
        match self {
            Axis::Whole => Decimal::ONE,
            Axis::Continuous => Decimal::ZERO,
        }
    }

    /// Where the tier after one ending at `to` must start.
    fn next_start(self, to: Decimal) -> Option<Decimal> {
        match self {
            Axis::Whole => exact::add(to, Decimal::ONE).ok(),
            Axis::Continuous => Some(to),
        }
    }

    /// The exclusive lower edge of a tier starting at `from`: quantities
    /// above it fall in the tier.
    fn lower_edge(self, from: Decimal) -> Decimal {
        match self {
            // `from` is at least 1 and whole, so this cannot overflow.
            Axis::Whole => from - Decimal::ONE,
            Axis::Continuous => from,
        }
    }

    /// A tier's bounds as integers, for the whole-number lookup
    /// ([`TierTable::price_whole`]): the exclusive lower edge and the
    /// inclusive upper bound (`u128::MAX` when unbounded). Every whole
    /// `Decimal` fits a `u128` (its mantissa has 96 bits), so the integers
    /// compare exactly as the decimals do. `(0, 0)` on the continuous axis,
    /// where they are never read.
    fn whole_bounds(self, lower_edge: Decimal, to: Option<Decimal>) -> (u128, u128) {
        match self {
            Axis::Whole => (
                whole(lower_edge).unwrap_or(0),
                to.map_or(Some(u128::MAX), whole).unwrap_or(u128::MAX),
            ),
            Axis::Continuous => (0, 0),
        }
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

/// One tier as written in a spec: inclusive bounds and its prices, as plain
/// decimals in the policy's currency.
///
/// Serialized as `{"from": "51", "to": "200", "flat": null, "unit_price": "8"}`;
/// `to` null (or left out) is unbounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// The first quantity in the tier.
    #[serde(with = "crate::decimal_serde::strict")]
    pub from: Decimal,
    /// The last quantity in the tier; `None` for the unbounded last tier.
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    pub to: Option<Decimal>,
    /// A flat amount charged when the tier is used.
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    pub flat: Option<Decimal>,
    /// A price per unit of quantity inside the tier.
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    pub unit_price: Option<Decimal>,
}

impl TierSpec {
    /// A tier priced per unit, with whole-number bounds.
    pub fn unit(from: u64, to: Option<u64>, unit_price: Decimal) -> TierSpec {
        TierSpec {
            from: Decimal::from(from),
            to: to.map(Decimal::from),
            flat: None,
            unit_price: Some(unit_price),
        }
    }

    /// A tier priced by a flat amount, with whole-number bounds.
    pub fn flat(from: u64, to: Option<u64>, flat: Decimal) -> TierSpec {
        TierSpec {
            from: Decimal::from(from),
            to: to.map(Decimal::from),
            flat: Some(flat),
            unit_price: None,
        }
    }
}

/// A tier table as written inside a policy's spec: the mode and the tiers.
/// The policy gives the rest: the axis its bounds count (whole seats, a
/// continuous measure) and the currency of its amounts (its locale's).
///
/// # JSON
///
/// ```json
/// {"mode": "graduated", "tiers": [{"from": "0", "to": "2000", "unit_price": "0.20"}, {"from": "2000", "unit_price": "0.18"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierTableSpec {
    /// Volume or graduated.
    pub mode: TierMode,
    /// The tiers, ascending.
    pub tiers: Vec<TierSpec>,
}

impl TierTableSpec {
    /// This table standing alone: counted on `axis`, priced in `currency`,
    /// ready for `TierTable::try_from`.
    pub fn on(self, axis: Axis, currency: Currency) -> StandaloneTierTableSpec {
        StandaloneTierTableSpec {
            mode: self.mode,
            axis,
            currency,
            tiers: self.tiers,
        }
    }
}

/// A tier table standing alone, outside a policy: its mode and tiers (a
/// [`TierTableSpec`]) with the axis and the currency that an enclosing
/// policy would otherwise give. A [`TierTable`] is built from it with
/// `TierTable::try_from` and (de)serializes as it.
///
/// # JSON
///
/// ```json
/// {"mode": "volume", "axis": "whole", "currency": "CNY", "tiers": [{"from": "1", "to": "50", "unit_price": "10"}, {"from": "51", "unit_price": "8"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandaloneTierTableSpec {
    /// Volume or graduated.
    pub mode: TierMode,
    /// What the bounds count.
    pub axis: Axis,
    /// The currency of the amounts.
    pub currency: Currency,
    /// The tiers, ascending.
    pub tiers: Vec<TierSpec>,
}

impl From<StandaloneTierTableSpec> for TierTableSpec {
    /// The mode and tiers, as a policy's spec holds them (the policy gives
    /// the axis and currency).
    fn from(spec: StandaloneTierTableSpec) -> TierTableSpec {
        TierTableSpec {
            mode: spec.mode,
            tiers: spec.tiers,
        }
    }
}

/// A validated tier.
///
/// Serialized with its axis and its prices as [`Money`]:
/// `{"axis": "whole", "from": "51", "to": "200", "flat": null,
/// "unit_price": {"amount": "80", "currency": "CNY"}}`. Deserializing checks
/// the tier alone (bounds on its axis, a price, no negative amount, one
/// currency); whether it fits its neighbours is the table's check, so a
/// table is (de)serialized as a whole ([`TierTable`]).
///
/// ```
/// use billing_rules::pricing::Tier;
/// let json = r#"{"axis": "whole", "from": "51", "to": "200",
///                "unit_price": {"amount": "80", "currency": "CNY"}}"#;
/// let tier: Tier = serde_json::from_str(json)?;
/// assert_eq!(tier.bounds(), "51-200");
/// assert!(serde_json::from_str::<Tier>(&json.replace("51", "0")).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "TierRepr", into = "TierRepr")]
pub struct Tier {
    pub(super) from: Decimal,
    pub(super) to: Option<Decimal>,
    pub(super) lower_edge: Decimal,
    pub(super) flat: Money,
    pub(super) unit_price: Money,
    pub(super) has_flat: bool,
    pub(super) has_unit: bool,
    /// On a whole axis, `lower_edge` as an integer: a seat count is looked
    /// up with integer comparisons, not decimal ones (a third of a seat
    /// quote went to `Decimal` comparisons in a profile).
    pub(super) lower_whole: u128,
    /// On a whole axis, `to` as an integer, `u128::MAX` when unbounded.
    pub(super) upper_whole: u128,
    /// The graduated price of every tier before this one, each full, summed
    /// in order exactly as [`TierTable::price`] would; worked out once when
    /// the table is built so a graduated price costs one part, not one per
    /// tier. `None` when it cannot be computed exactly (then `price` sums
    /// the parts and reports the error).
    pub(super) graduated_below: Option<Money>,
}

// The cached sum below a tier is worked out from the other tiers of its
// table; two tiers are equal when what they say is.
impl PartialEq for Tier {
    fn eq(&self, other: &Tier) -> bool {
        (
            self.from,
            self.to,
            self.lower_edge,
            self.flat,
            self.unit_price,
            self.has_flat,
            self.has_unit,
        ) == (
            other.from,
            other.to,
            other.lower_edge,
            other.flat,
            other.unit_price,
            other.has_flat,
            other.has_unit,
        )
    }
}

impl Eq for Tier {}

/// How a [`Tier`] is written: its axis, bounds and prices.
#[derive(Serialize, Deserialize)]
struct TierRepr {
    axis: Axis,
    #[serde(with = "crate::decimal_serde::strict")]
    from: Decimal,
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    to: Option<Decimal>,
    #[serde(default)]
    flat: Option<Money>,
    #[serde(default)]
    unit_price: Option<Money>,
}

impl From<Tier> for TierRepr {
    fn from(tier: Tier) -> TierRepr {
        TierRepr {
            // A whole-axis tier's lower edge is one below its start.
            axis: if tier.lower_edge == tier.from {
                Axis::Continuous
            } else {
                Axis::Whole
            },
            from: tier.from,
            to: tier.to,
            flat: tier.has_flat.then_some(tier.flat),
            unit_price: tier.has_unit.then_some(tier.unit_price),
        }
    }
}

impl TryFrom<TierRepr> for Tier {
    type Error = PolicyError;

    fn try_from(repr: TierRepr) -> Result<Tier, PolicyError> {
        let rule = |e: PolicyError| e.with_rule(RuleId::Seat03);
        let axis = repr.axis;
        if repr.from < axis.first() || (axis == Axis::Whole && !is_whole(repr.from)) {
            return Err(rule(PolicyError::new(
                "from",
                format!("{} cannot start a tier on the {axis:?} axis", repr.from),
                "a whole number from 1 on the whole axis, 0 or more on the continuous axis",
            )));
        }
        if let Some(to) = repr.to {
            let fits = match axis {
                Axis::Whole => is_whole(to) && to >= repr.from,
                Axis::Continuous => to > repr.from,
            };
            if !fits {
                return Err(rule(PolicyError::new(
                    "to",
                    format!("the tier ends at {to}, before it starts at {}", repr.from),
                    format!("above {}", repr.from),
                )));
            }
        }
        let Some(currency) = repr.flat.or(repr.unit_price).map(|m| m.currency()) else {
            return Err(rule(PolicyError::new(
                "unit_price",
                "the tier has neither a flat amount nor a unit price",
                "a flat amount, a unit price, or both",
            )));
        };
        for (field, price) in [("flat", repr.flat), ("unit_price", repr.unit_price)] {
            if let Some(price) = price {
                if price.currency() != currency {
                    return Err(rule(PolicyError::new(
                        field,
                        format!("{price} is not in {currency}"),
                        "both prices in one currency",
                    )));
                }
                check::non_negative(field, price.amount()).map_err(rule)?;
            }
        }
        let lower_edge = axis.lower_edge(repr.from);
        let (lower_whole, upper_whole) = axis.whole_bounds(lower_edge, repr.to);
        Ok(Tier {
            from: repr.from,
            to: repr.to,
            lower_edge,
            lower_whole,
            upper_whole,
            flat: repr.flat.unwrap_or(Money::zero(currency)),
            unit_price: repr.unit_price.unwrap_or(Money::zero(currency)),
            has_flat: repr.flat.is_some(),
            has_unit: repr.unit_price.is_some(),
            graduated_below: None,
        })
    }
}

impl Tier {
    /// The first quantity in the tier.
    pub fn from(&self) -> Decimal {
        self.from
    }

    /// The last quantity in the tier; `None` when unbounded.
    pub fn to(&self) -> Option<Decimal> {
        self.to
    }

    /// The flat amount (zero when the tier has none).
    pub fn flat(&self) -> Money {
        self.flat
    }

    /// The unit price (zero when the tier has none).
    pub fn unit_price(&self) -> Money {
        self.unit_price
    }
    /// `flat + quantity x unit price`.
    pub(super) fn charge(&self, quantity: Decimal) -> Result<Money, ArithmeticError> {
        let variable = self.unit_price.checked_mul(quantity)?;
        // Most tiers have no flat part: skip adding a zero on the hot path.
        if self.has_flat {
            variable.checked_add(self.flat)
        } else {
            Ok(variable)
        }
    }

    /// `flat + count x unit price` for a whole count, on the integer fast
    /// path ([`Scaled`]); `None` when a figure leaves it (then `charge`
    /// gives the same answer or the error).
    pub(super) fn charge_scaled(&self, count: u64) -> Option<Scaled> {
        let variable = Scaled::of(self.unit_price.amount()).mul(Scaled::whole(count))?;
        if self.has_flat {
            variable.add(Scaled::of(self.flat.amount()))
        } else {
            Some(variable)
        }
    }

    /// Writes the tier's bounds as `51-200` or `201-`.
    pub fn bounds(&self) -> String {
        match self.to {
            Some(to) => format!("{}-{}", self.from.normalize(), to.normalize()),
            None => format!("{}-", self.from.normalize()),
        }
    }
}

/// A validated tier table (R-SEAT-03, R-USE-09), built from a
/// [`StandaloneTierTableSpec`] with `TierTable::try_from`; see
/// [tier tables](crate::pricing#tier-tables).
///
/// Serialized as that spec: `{"mode": "volume", "axis": "whole",
/// "currency": "CNY", "tiers": [...]}`; deserializing builds it again, so
/// every check applies.
///
/// ```
/// use billing_rules::pricing::TierTable;
/// use rust_decimal::Decimal;
/// let json = r#"{"mode": "graduated", "axis": "whole", "currency": "CNY",
///                "tiers": [{"from": "1", "to": "50", "unit_price": "10"},
///                          {"from": "51", "unit_price": "8"}]}"#;
/// let table: TierTable = serde_json::from_str(json)?;
/// assert_eq!(table.price(Decimal::from(60))?.total.to_string(), "CNY 580.00");
/// assert!(serde_json::from_str::<TierTable>(&json.replace("51", "52")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierTable {
    pub(super) mode: TierMode,
    pub(super) axis: Axis,
    pub(super) tiers: Vec<Tier>,
}

impl TryFrom<StandaloneTierTableSpec> for TierTable {
    type Error = PolicyError;

    /// Validates the tiers on the spec's axis, with amounts in its currency.
    ///
    /// Errors name the field (`tiers[2].from`) and what is allowed; every
    /// tier rule of R-SEAT-03 is checked here, so a built table is always
    /// contiguous, ascending and non-overlapping.
    fn try_from(spec: StandaloneTierTableSpec) -> Result<TierTable, PolicyError> {
        let StandaloneTierTableSpec {
            mode,
            axis,
            currency,
            tiers: specs,
        } = spec;
        let rule = |e: PolicyError| e.with_rule(RuleId::Seat03);
        if specs.is_empty() {
            return Err(rule(PolicyError::new(
                "tiers",
                "no tier is given",
                "at least one tier",
            )));
        }
        let mut tiers = Vec::with_capacity(specs.len());
        let mut expected_from = axis.first();
        let mut graduated_below = Some(Money::zero(currency));
        let last = specs.len() - 1;
        for (i, t) in specs.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            if axis == Axis::Whole && !is_whole(t.from) {
                return Err(rule(PolicyError::new(
                    field("from"),
                    format!("{} is not a whole number", t.from),
                    "whole numbers on this axis",
                )));
            }
            if t.from != expected_from {
                let problem = if i == 0 {
                    format!("the first tier starts at {}", t.from)
                } else if t.from > expected_from {
                    format!(
                        "a gap: the previous tier ends at {}, this one starts at {}",
                        specs[i - 1].to.unwrap_or_default(),
                        t.from
                    )
                } else {
                    format!(
                        "an overlap: the previous tier ends at {}, this one starts at {}",
                        specs[i - 1].to.unwrap_or_default(),
                        t.from
                    )
                };
                return Err(rule(PolicyError::new(
                    field("from"),
                    problem,
                    format!("{expected_from}"),
                )));
            }
            match t.to {
                None if i != last => {
                    return Err(rule(PolicyError::new(
                        field("to"),
                        "only the last tier may be unbounded",
                        "an upper bound on every tier but the last",
                    )));
                }
                None => {}
                Some(to) => {
                    if axis == Axis::Whole && !is_whole(to) {
                        return Err(rule(PolicyError::new(
                            field("to"),
                            format!("{to} is not a whole number"),
                            "whole numbers on this axis",
                        )));
                    }
                    let too_low = match axis {
                        Axis::Whole => to < t.from,
                        Axis::Continuous => to <= t.from,
                    };
                    if too_low {
                        return Err(rule(PolicyError::new(
                            field("to"),
                            format!("the tier ends at {to}, before it starts at {}", t.from),
                            format!("above {}", t.from),
                        )));
                    }
                    expected_from = axis.next_start(to).ok_or_else(|| {
                        rule(PolicyError::new(
                            field("to"),
                            "too large",
                            "a smaller bound",
                        ))
                    })?;
                }
            }
            if t.flat.is_none() && t.unit_price.is_none() {
                return Err(rule(PolicyError::new(
                    field("unit_price"),
                    "the tier has neither a flat amount nor a unit price",
                    "a flat amount, a unit price, or both",
                )));
            }
            let flat = check::amount(&field("flat"), t.flat.unwrap_or_default(), currency)
                .map_err(rule)?;
            let unit_price = check::amount(
                &field("unit_price"),
                t.unit_price.unwrap_or_default(),
                currency,
            )
            .map_err(rule)?;
            let lower_edge = axis.lower_edge(t.from);
            let (lower_whole, upper_whole) = axis.whole_bounds(lower_edge, t.to);
            let tier = Tier {
                from: t.from,
                to: t.to,
                lower_edge,
                lower_whole,
                upper_whole,
                flat,
                unit_price,
                has_flat: t.flat.is_some(),
                has_unit: t.unit_price.is_some(),
                graduated_below,
            };
            // The same operations, in the same order, as `parts_upto` on a
            // full tier, so the sum is the same to the last digit.
            graduated_below = graduated_below.and_then(|below| {
                let inside = exact::sub(tier.to?, tier.lower_edge).ok()?;
                below.checked_add(tier.charge(inside).ok()?).ok()
            });
            tiers.push(tier);
        }
        Ok(TierTable { mode, axis, tiers })
    }
}

crate::policy::policy_spec!(TierTable => StandaloneTierTableSpec);

impl TierTable {
    /// The spec this table was built from, with its axis and currency.
    pub fn to_spec(&self) -> StandaloneTierTableSpec {
        StandaloneTierTableSpec {
            mode: self.mode,
            axis: self.axis,
            currency: self.currency(),
            tiers: self
                .tiers
                .iter()
                .map(|t| TierSpec {
                    from: t.from,
                    to: t.to,
                    flat: t.has_flat.then_some(t.flat.amount()),
                    unit_price: t.has_unit.then_some(t.unit_price.amount()),
                })
                .collect(),
        }
    }

    /// Volume or graduated.
    pub fn mode(&self) -> TierMode {
        self.mode
    }

    /// What the bounds count.
    pub fn axis(&self) -> Axis {
        self.axis
    }

    /// The tiers, ascending.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The currency of the table's amounts.
    pub fn currency(&self) -> Currency {
        // A built table has at least one tier.
        self.tiers
            .first()
            .map(|t| t.flat.currency())
            .unwrap_or_default()
    }
}

fn is_whole(value: Decimal) -> bool {
    value.fract().is_zero()
}

#[cfg(test)]
mod tests {
    use super::{Axis, TierMode};

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(TierMode: Volume, Graduated);
        assert_all_variants!(Axis: Whole, Continuous);
    }
}
