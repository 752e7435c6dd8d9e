//! Pricing models: the general pricing the peers' engines offer (Lago,
//! Stripe, Kill Bill, OpenMeter), beside the catalogue's own rules. They
//! have no rule id; each step of a [`ModelQuote`] names its [`ModelId`].
//!
//! `package.rs`, `percentage.rs`, `prorated.rs` and `commitment.rs` hold
//! one model each; block tiers live with the tier tables
//! (`pricing/tiers/blocks.rs`); `any.rs` holds [`PricingModel`], the policy
//! that is any of them, built from a [`ModelSpec`].

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;
use crate::exact;
use crate::money::{Money, RoundingMode};
use crate::pricing::scaled::Scaled;

mod any;
mod commitment;
mod package;
mod percentage;
mod prorated;

pub use any::{ModelKindSpec, ModelSpec, PricingModel, TieredSpec};
pub use commitment::MinimumCommitment;
pub use package::PackageSpec;
pub use percentage::PercentageSpec;
pub use prorated::{ProratedSpec, ProratedUnits, TierBy};

/// The pricing model a quote step comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelId {
    /// Packages of N units at a price each, free units first (Lago's
    /// package model, Stripe's `transform_quantity`).
    Package,
    /// A rate on transaction amounts, a fixed fee a transaction, free
    /// units, per-transaction minimum and maximum (Lago's percentage model).
    Percentage,
    /// Volume or graduated tiers on a continuous axis, with a choice above
    /// a bounded last tier (Stripe's tiers, Lago's graduated and volume).
    Tiered,
    /// Tiers priced in blocks of N units (Kill Bill's tiered blocks).
    BlockTiers,
    /// Tiers priced on prorated units (Lago's prorated graduated and
    /// volume models).
    Prorated,
    /// A period's charge raised to a stated minimum (OpenMeter's minimum
    /// spend, Lago's minimum commitment).
    MinimumCommitment,
}

impl ModelId {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Package,
        Self::Percentage,
        Self::Tiered,
        Self::BlockTiers,
        Self::Prorated,
        Self::MinimumCommitment,
    ];

    /// The name used in JSON (`block_tiers`).
    pub fn name(self) -> &'static str {
        match self {
            ModelId::Package => "package",
            ModelId::Percentage => "percentage",
            ModelId::Tiered => "tiered",
            ModelId::BlockTiers => "block_tiers",
            ModelId::Prorated => "prorated",
            ModelId::MinimumCommitment => "minimum_commitment",
        }
    }
}

impl fmt::Display for ModelId {
    /// The JSON name.
    ///
    /// ```
    /// use billing_rules::pricing::ModelId;
    /// assert_eq!(ModelId::BlockTiers.to_string(), "block_tiers");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a [`ModelStep`] accounts for; its `quantity` reads accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Units (or, for a percentage, an amount) given free; the step's
    /// amount is zero.
    FreeUnits,
    /// Packages billed: `quantity` packages.
    Packages,
    /// The rate on the paid amount (`quantity`).
    Rate,
    /// The fixed fee on each of `quantity` paid transactions.
    FixedFees,
    /// The per-transaction minimum and maximum: `quantity` transactions
    /// raised or cut, `amount` the net change (negative when cut).
    TransactionLimits,
    /// A tier's part: `quantity` units inside tier `tier` (prorated units
    /// for a prorated model), flat amount included where the tier has one.
    TierPart,
    /// A tier's flat amount, billed once when the tier is reached (the
    /// prorated model bills it apart from the prorated units).
    TierFlat,
    /// Blocks billed in tier `tier`: `quantity` blocks.
    Blocks,
    /// What the minimum commitment adds: `quantity` is the minimum.
    Shortfall,
}

impl StepKind {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::FreeUnits,
        Self::Packages,
        Self::Rate,
        Self::FixedFees,
        Self::TransactionLimits,
        Self::TierPart,
        Self::TierFlat,
        Self::Blocks,
        Self::Shortfall,
    ];
}

/// One step of a [`ModelQuote`]: which model, what it accounts for, and
/// what it adds (exact, before the one final rounding).
///
/// `{"model": "package", "kind": "packages", "tier": null, "quantity": "13", "amount": {"amount": "1300", "currency": "USD"}}`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelStep {
    /// The model that took the step.
    pub model: ModelId,
    /// What the step accounts for.
    pub kind: StepKind,
    /// The tier, for a tier's part, flat amount or blocks.
    pub tier: Option<usize>,
    /// The units, packages, blocks, transactions or amount the step is
    /// about (see [`StepKind`]).
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// What the step adds to the charge, exact.
    pub amount: Money,
}

/// A price with the steps that made it: the exact sum of the steps, and the
/// total rounded once to the currency's minor unit with the policy's
/// rounding.
///
/// ```
/// use billing_rules::pricing::{ModelId, PricingModel, StepKind};
/// use billing_rules::Decimal;
///
/// // Lago's package charge: 121 units, 100 a package of 10, no free units.
/// let json = r#"{"locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"},
///                "model": {"package": {"size": "10", "amount": "100"}}}"#;
/// let model: PricingModel = serde_json::from_str(json)?;
/// let quote = model.quote(Decimal::from(121))?;
/// assert_eq!(quote.total.to_string(), "USD 1300.00");
/// assert_eq!((quote.steps[0].model, quote.steps[0].kind), (ModelId::Package, StepKind::Packages));
/// assert_eq!(quote.steps[0].quantity, Decimal::from(13));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelQuote {
    /// The model that priced the usage.
    pub model: ModelId,
    /// The exact sum of the steps.
    pub exact: Money,
    /// `exact` rounded once to the minor unit with `rounding`.
    pub total: Money,
    /// The rounding of the total (the policy's locale's).
    pub rounding: RoundingMode,
    /// The steps, in the order they were taken.
    pub steps: Vec<ModelStep>,
}

/// Where a model puts its steps: a quote's list, or nowhere when only the
/// total is asked (then no step is even built).
pub(crate) struct Sink<'a>(Option<&'a mut Vec<ModelStep>>);

impl Sink<'_> {
    /// A sink that drops every step.
    pub(crate) fn none() -> Sink<'static> {
        Sink(None)
    }

    /// Whether steps are kept: work done only for the steps is skipped
    /// otherwise.
    #[inline]
    pub(crate) fn wants(&self) -> bool {
        self.0.is_some()
    }

    #[inline]
    pub(crate) fn push(&mut self, step: impl FnOnce() -> ModelStep) {
        if let Some(steps) = self.0.as_deref_mut() {
            steps.push(step());
        }
    }
}

/// `a x b`, as [`exact::mul`] gives it (same value and scale), on the
/// integer fast path when it can ([`Scaled`]).
#[inline]
pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    match Scaled::of(a).mul(Scaled::of(b)).and_then(Scaled::decimal) {
        Some(product) => Ok(product),
        None => exact::mul(a, b),
    }
}

/// `a + b`, as [`exact::add`] gives it, on the integer fast path when it
/// can. A zero operand gives the other as it is, as `exact::add` does.
#[inline]
pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal, ArithmeticError> {
    if a.is_zero() {
        return exact::add(a, b);
    }
    match Scaled::of(a).add(Scaled::of(b)).and_then(Scaled::decimal) {
        Some(sum) => Ok(sum),
        None => exact::add(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(
            ModelId: Package,
            Percentage,
            Tiered,
            BlockTiers,
            Prorated,
            MinimumCommitment,
        );
        assert_all_variants!(
            StepKind: FreeUnits,
            Packages,
            Rate,
            FixedFees,
            TransactionLimits,
            TierPart,
            TierFlat,
            Blocks,
            Shortfall,
        );
    }

    #[test]
    fn fast_arithmetic_is_exact_arithmetic() {
        let values = [
            "0", "0.00", "80", "0.0299", "1.75", "-2.5", "12.000", "7.9E+27",
        ];
        for a in values {
            for b in values {
                let (a, b): (Decimal, Decimal) = (
                    a.parse().unwrap_or(Decimal::MAX),
                    b.parse().unwrap_or(Decimal::MAX),
                );
                let same = |x: Result<Decimal, ArithmeticError>,
                            y: Result<Decimal, ArithmeticError>| {
                    match (x, y) {
                        (Ok(x), Ok(y)) => x.mantissa() == y.mantissa() && x.scale() == y.scale(),
                        (Err(_), Err(_)) => true,
                        _ => false,
                    }
                };
                assert!(same(mul(a, b), exact::mul(a, b)), "{a} x {b}");
                assert!(same(add(a, b), exact::add(a, b)), "{a} + {b}");
            }
        }
    }

    #[test]
    fn names_are_the_json_names() {
        for id in ModelId::ALL {
            let json = serde_json::to_string(&id).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", id.name()));
        }
    }
}
