//! Tiered price tables in volume or graduated mode (R-SEAT-03, R-USE-09).
//!
//! A [`TierTable`] cuts a quantity axis into contiguous tiers. Each tier has
//! a flat amount, a unit price, or both.
//!
//! - **Volume**: the tier that contains the quantity prices all of it:
//!   `flat + quantity x unit price`. Crossing a boundary can make a larger
//!   order cheaper (the "price cliff").
//! - **Graduated**: each tier prices only the part of the quantity inside it
//!   (`flat + part x unit price`, the flat only when the part is not empty),
//!   and the parts are summed. The total never falls as the quantity grows.
//!
//! Tiers are written with inclusive bounds. On an [`Axis::Whole`] axis
//! (seats, calls) they read `1-50, 51-200, 201-`: each tier starts one after
//! the previous one ends, and the first starts at 1. On an
//! [`Axis::Continuous`] axis (traffic) they read `0-10, 10-50, 50-`: each
//! starts where the previous ends, the first at 0, and a boundary quantity
//! belongs to the lower tier. A gap, an overlap, a tier ending before it
//! starts, or an unbounded tier that is not last is refused when the table is
//! built.
//!
//! ```
//! use billing_rules::pricing::tiers::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
//! use billing_rules::money::Currency;
//! use rust_decimal::Decimal;
//!
//! let spec = TierTableSpec {
//!     mode: TierMode::Graduated,
//!     tiers: vec![
//!         TierSpec::unit(1, Some(50), Decimal::from(10)),
//!         TierSpec::unit(51, Some(200), Decimal::from(8)),
//!         TierSpec::unit(201, None, Decimal::from(6)),
//!     ],
//! };
//! let table = TierTable::build(&spec, Axis::Whole, Currency::CNY)?;
//! // 50 x 10 + 70 x 8 = 1060
//! assert_eq!(table.price(Decimal::from(120))?.total.to_string(), "CNY 1060.00");
//!
//! let volume = TierTable::build(&TierTableSpec { mode: TierMode::Volume, ..spec }, Axis::Whole, Currency::CNY)?;
//! // all 120 seats at the 51-200 tier's price: 120 x 8 = 960
//! assert_eq!(volume.price(Decimal::from(120))?.total.to_string(), "CNY 960.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, Error, Figure, PolicyError, Reason};
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

impl fmt::Display for TierMode {
    /// `volume` or `graduated`, as in JSON.
    ///
    /// ```
    /// use billing_rules::pricing::tiers::TierMode;
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

/// A tier table as written in a spec.
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
/// use billing_rules::pricing::tiers::Tier;
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
    from: Decimal,
    to: Option<Decimal>,
    lower_edge: Decimal,
    flat: Money,
    unit_price: Money,
    has_flat: bool,
    has_unit: bool,
    /// On a whole axis, `lower_edge` as an integer: a seat count is looked
    /// up with integer comparisons, not decimal ones (a third of a seat
    /// quote went to `Decimal` comparisons in a profile).
    lower_whole: u128,
    /// On a whole axis, `to` as an integer, `u128::MAX` when unbounded.
    upper_whole: u128,
    /// The graduated price of every tier before this one, each full, summed
    /// in order exactly as [`TierTable::price`] would; worked out once when
    /// the table is built so a graduated price costs one part, not one per
    /// tier. `None` when it cannot be computed exactly (then `price` sums
    /// the parts and reports the error).
    graduated_below: Option<Money>,
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

    fn contains(&self, quantity: Decimal) -> bool {
        exact::cmp(quantity, self.lower_edge).is_gt()
            && self.to.is_none_or(|to| exact::cmp(quantity, to).is_le())
    }

    /// `flat + quantity x unit price`.
    fn charge(&self, quantity: Decimal) -> Result<Money, ArithmeticError> {
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
    fn charge_scaled(&self, count: u64) -> Option<Scaled> {
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

/// A validated tier table. Built from a [`TierTableSpec`] with
/// [`TierTable::build`]; see the module docs.
///
/// Serialized as its spec with the axis and currency it was built on:
/// `{"mode": "volume", "axis": "whole", "currency": "CNY", "tiers": [...]}`;
/// deserializing builds it again, so every check of [`TierTable::build`]
/// applies.
///
/// ```
/// use billing_rules::pricing::tiers::TierTable;
/// use rust_decimal::Decimal;
/// let json = r#"{"mode": "graduated", "axis": "whole", "currency": "CNY",
///                "tiers": [{"from": "1", "to": "50", "unit_price": "10"},
///                          {"from": "51", "unit_price": "8"}]}"#;
/// let table: TierTable = serde_json::from_str(json)?;
/// assert_eq!(table.price(Decimal::from(60))?.total.to_string(), "CNY 580.00");
/// assert!(serde_json::from_str::<TierTable>(&json.replace("51", "52")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TierTableRepr", into = "TierTableRepr")]
pub struct TierTable {
    mode: TierMode,
    axis: Axis,
    tiers: Vec<Tier>,
}

/// How a [`TierTable`] is written: its spec, axis and currency.
#[derive(Serialize, Deserialize)]
struct TierTableRepr {
    mode: TierMode,
    axis: Axis,
    currency: Currency,
    tiers: Vec<TierSpec>,
}

impl From<TierTable> for TierTableRepr {
    fn from(table: TierTable) -> TierTableRepr {
        let TierTableSpec { mode, tiers } = table.to_spec();
        TierTableRepr {
            mode,
            axis: table.axis,
            currency: table.currency(),
            tiers,
        }
    }
}

impl TryFrom<TierTableRepr> for TierTable {
    type Error = PolicyError;

    fn try_from(repr: TierTableRepr) -> Result<TierTable, PolicyError> {
        let spec = TierTableSpec {
            mode: repr.mode,
            tiers: repr.tiers,
        };
        TierTable::build(&spec, repr.axis, repr.currency)
    }
}

impl TierTable {
    /// Validates `spec` on `axis`, with amounts in `currency`.
    ///
    /// Errors name the field (`tiers[2].from`) and what is allowed; every
    /// tier rule of R-SEAT-03 is checked here, so a built table is always
    /// contiguous, ascending and non-overlapping.
    pub fn build(
        spec: &TierTableSpec,
        axis: Axis,
        currency: Currency,
    ) -> Result<TierTable, PolicyError> {
        let rule = |e: PolicyError| e.with_rule(RuleId::Seat03);
        if spec.tiers.is_empty() {
            return Err(rule(PolicyError::new(
                "tiers",
                "no tier is given",
                "at least one tier",
            )));
        }
        let mut tiers = Vec::with_capacity(spec.tiers.len());
        let mut expected_from = axis.first();
        let mut graduated_below = Some(Money::zero(currency));
        let last = spec.tiers.len() - 1;
        for (i, t) in spec.tiers.iter().enumerate() {
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
                        spec.tiers[i - 1].to.unwrap_or_default(),
                        t.from
                    )
                } else {
                    format!(
                        "an overlap: the previous tier ends at {}, this one starts at {}",
                        spec.tiers[i - 1].to.unwrap_or_default(),
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
        Ok(TierTable {
            mode: spec.mode,
            axis,
            tiers,
        })
    }

    /// The spec this table was built from.
    pub fn to_spec(&self) -> TierTableSpec {
        TierTableSpec {
            mode: self.mode,
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
            Some(tier) if tier.contains(quantity) => Ok(idx),
            _ => Err(self.uncovered(quantity)),
        }
    }

    fn uncovered(&self, quantity: Decimal) -> Error {
        let first = self.tiers.first().map(|t| t.from).unwrap_or_default();
        let last = self.tiers.last().and_then(|t| t.to);
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
    fn whole_count(&self, quantity: Decimal) -> Option<u64> {
        if self.axis == Axis::Whole && quantity.scale() == 0 {
            u64::try_from(quantity.mantissa()).ok()
        } else {
            None
        }
    }

    /// The tier containing a whole `count`, on a whole axis: a binary
    /// search over the integer upper bounds.
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
    /// use billing_rules::pricing::tiers::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
    /// use billing_rules::money::Currency;
    /// use rust_decimal::Decimal;
    ///
    /// let table = TierTable::build(&TierTableSpec {
    ///     mode: TierMode::Volume,
    ///     tiers: vec![TierSpec::unit(1, Some(50), Decimal::from(10)), TierSpec::unit(51, None, Decimal::from(8))],
    /// }, Axis::Whole, Currency::CNY)?;
    /// let (price, tier) = table.price_whole(60)?;
    /// assert_eq!((price.tier, tier.bounds()), (1, "51-".to_owned()));
    /// assert_eq!(price.total.to_string(), "CNY 480.00");
    /// assert!(table.price_whole(0).is_err());
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
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
    /// # use billing_rules::pricing::tiers::*;
    /// # use billing_rules::money::Currency;
    /// # use rust_decimal::Decimal;
    /// let table = TierTable::build(&TierTableSpec {
    ///     mode: TierMode::Graduated,
    ///     tiers: vec![TierSpec::unit(1, Some(50), Decimal::from(10)), TierSpec::unit(51, None, Decimal::from(8))],
    /// }, Axis::Whole, Currency::CNY)?;
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
                crate::exact::sub(top, tier.lower_edge)
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

fn is_whole(value: Decimal) -> bool {
    value.fract().is_zero()
}
