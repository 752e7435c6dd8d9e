//! [`PricingModel`]: any pricing model, built from a [`ModelSpec`] with the
//! policy's locale and an optional minimum commitment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::commitment::MinimumCommitment;
use super::package::{Package, PackageSpec};
use super::percentage::{Percentage, PercentageSpec};
use super::prorated::{Prorated, ProratedSpec, ProratedUnits, continuous_table};
use super::{ModelId, ModelQuote, ModelStep, Sink, StepKind};
use crate::error::{ArithmeticError, DataError, Error, PolicyError};
use crate::exact;
use crate::money::{Currency, Money};
use crate::policy::Locale;
use crate::pricing::tiers::{
    BlockTable, BlockTableSpec, Overflow, TierMode, TierSpec, TierTable, TierTableSpec,
};

/// Volume or graduated tiers on the continuous axis (`0-10, 10-50, 50-`),
/// and what a quantity above a bounded last tier gets.
///
/// ```json
/// {"mode": "volume", "tiers": [{"from": "0", "to": "5", "flat": "10"},
///  {"from": "5", "to": "10", "unit_price": "1"}], "overflow": "top_tier"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieredSpec {
    /// Volume or graduated.
    pub mode: TierMode,
    /// The tiers, from 0 (at most [`MAX_TIERS`](crate::pricing::MAX_TIERS)).
    #[serde(deserialize_with = "crate::pricing::tiers::bounded_tiers")]
    pub tiers: Vec<TierSpec>,
    /// Above a bounded last tier: `refuse` (the default) or `top_tier`.
    #[serde(default)]
    pub overflow: Overflow,
}

/// Which model a [`ModelSpec`] prices with, and its figures; written as
/// the model's name holding its spec: `{"package": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKindSpec {
    /// [`ModelId::Package`].
    Package(PackageSpec),
    /// [`ModelId::Percentage`].
    Percentage(PercentageSpec),
    /// [`ModelId::Tiered`].
    Tiered(TieredSpec),
    /// [`ModelId::BlockTiers`].
    BlockTiers(BlockTableSpec),
    /// [`ModelId::Prorated`].
    Prorated(ProratedSpec),
}

/// A pricing model as written: the locale (currency of every amount, and
/// the final rounding), the model, and an optional minimum commitment.
///
/// # JSON
///
/// ```json
/// {"locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"},
///  "model": {"package": {"size": "10", "amount": "100", "free_units": "10"}},
///  "minimum": "50"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The currency of the amounts and the rounding of the total.
    pub locale: Locale,
    /// The model and its figures.
    pub model: ModelKindSpec,
    /// The least a charge is (in whole minor units), its shortfall a step
    /// of its own; `None` for no minimum.
    #[serde(
        default,
        with = "crate::decimal_serde::strict_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum: Option<Decimal>,
}

/// A validated tiered model.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tiered {
    table: TierTable,
    overflow: Overflow,
    /// The last tier's bound and the graduated price of the whole table up
    /// to it, when the last tier is bounded (worked out once).
    top: Option<(Decimal, Money)>,
}

/// The built model.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Package(Package),
    Percentage(Percentage),
    Tiered(Tiered),
    BlockTiers(BlockTable),
    Prorated(Prorated),
}

/// Any pricing model, validated: [`ModelId`] names which. Built from a
/// [`ModelSpec`] with `PricingModel::try_from`, and (de)serialized as it, so
/// reading one validates it; `to_spec` gives the spec back.
///
/// - [`price`](PricingModel::price): the rounded total of a quantity, and
///   nothing else (the fast path).
/// - [`quote`](PricingModel::quote): the same total with its steps.
/// - [`quote_transactions`](PricingModel::quote_transactions) and
///   [`quote_prorated`](PricingModel::quote_prorated): usage given record by
///   record (a percentage model charges each transaction; a prorated model
///   prices each record at its fraction).
///
/// Usage that cannot be priced (a negative quantity, a quantity above a
/// bounded last tier that the policy refuses) is an [`Error::Data`] naming
/// the field, the figures, and what would be accepted.
///
/// ```
/// use billing_rules::pricing::{ModelId, PricingModel, StepKind};
/// use billing_rules::Decimal;
///
/// // Kill Bill's TOP_TIER: 101001 units reach the third tier: 102 blocks at 0.5.
/// let json = r#"{"locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"},
///   "model": {"block_tiers": {"mode": "top_tier", "overflow": "top_tier", "tiers": [
///     {"size": "100", "price": "1", "max_blocks": 10},
///     {"size": "1000", "price": "1", "max_blocks": 100},
///     {"size": "1000", "price": "0.5", "max_blocks": 100}]}}}"#;
/// let model: PricingModel = serde_json::from_str(json)?;
/// assert_eq!(model.model(), ModelId::BlockTiers);
/// assert_eq!(model.price(Decimal::from(101_001))?.to_string(), "USD 51.00");
/// let quote = model.quote(Decimal::from(300_000))?; // above the last tier: priced at it
/// assert_eq!((quote.steps[0].kind, quote.steps[0].tier), (StepKind::Blocks, Some(2)));
/// assert_eq!(quote.total.to_string(), "USD 150.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingModel {
    locale: Locale,
    kind: Kind,
    minimum: Option<MinimumCommitment>,
}

impl TryFrom<ModelSpec> for PricingModel {
    type Error = PolicyError;

    /// Checks every figure; errors name the field from the spec's root
    /// (`model.package.size`).
    fn try_from(spec: ModelSpec) -> Result<PricingModel, PolicyError> {
        let currency = spec.locale.currency;
        let kind = match &spec.model {
            ModelKindSpec::Package(p) => {
                Kind::Package(Package::build(p, currency).map_err(|e| e.within("model.package"))?)
            }
            ModelKindSpec::Percentage(p) => Kind::Percentage(
                Percentage::build(p, currency).map_err(|e| e.within("model.percentage"))?,
            ),
            ModelKindSpec::Tiered(t) => {
                Kind::Tiered(Tiered::build(t, currency).map_err(|e| e.within("model.tiered"))?)
            }
            ModelKindSpec::BlockTiers(b) => Kind::BlockTiers(
                BlockTable::build(b, currency).map_err(|e| e.within("model.block_tiers"))?,
            ),
            ModelKindSpec::Prorated(p) => Kind::Prorated(
                Prorated::build(p, currency).map_err(|e| e.within("model.prorated"))?,
            ),
        };
        let minimum = spec
            .minimum
            .map(|m| MinimumCommitment::new(Money::new(m, currency)))
            .transpose()?;
        Ok(PricingModel {
            locale: spec.locale,
            kind,
            minimum,
        })
    }
}

crate::policy::policy_spec!(PricingModel => ModelSpec);

impl Tiered {
    fn build(spec: &TieredSpec, currency: Currency) -> Result<Tiered, PolicyError> {
        let table = continuous_table(spec.mode, &spec.tiers, currency)?;
        let top = match table.tiers().last().and_then(|t| t.to()) {
            Some(to) => {
                let full = table.price(to).map_err(|_| {
                    PolicyError::new(
                        "tiers",
                        "the full table cannot be priced exactly",
                        "smaller figures",
                    )
                })?;
                Some((to, full.total))
            }
            None => None,
        };
        Ok(Tiered {
            table,
            overflow: spec.overflow,
            top,
        })
    }

    fn to_spec(&self) -> TieredSpec {
        let spec = TierTableSpec::from(self.table.to_spec());
        TieredSpec {
            mode: spec.mode,
            tiers: spec.tiers,
            overflow: self.overflow,
        }
    }

    fn price(&self, quantity: Decimal, sink: &mut Sink<'_>) -> Result<Money, Error> {
        let step = |tier, quantity, amount| ModelStep {
            model: ModelId::Tiered,
            kind: StepKind::TierPart,
            tier: Some(tier),
            quantity,
            amount,
        };
        if let Some((to, full)) = self.top.filter(|(to, _)| quantity > *to) {
            let last = self.table.tiers().len() - 1;
            let tier = self
                .table
                .tiers()
                .get(last)
                .ok_or_else(|| ArithmeticError::out_of_range("tier index"))?;
            return match (self.overflow, self.table.mode()) {
                (Overflow::Refuse, _) => Err(DataError::new(
                    "quantity",
                    format!("{quantity} is above the last tier, which ends at {to}"),
                    format!("at most {to}, or `\"overflow\": \"top_tier\"` in the policy"),
                )
                .into()),
                (Overflow::TopTier, TierMode::Volume) => {
                    let mut total = tier.unit_price().checked_mul(quantity)?;
                    total = total.checked_add(tier.flat())?;
                    sink.push(|| step(last, quantity, total));
                    Ok(total)
                }
                (Overflow::TopTier, TierMode::Graduated) => {
                    // Every tier full, then the rest at the last tier's
                    // unit price.
                    if sink.wants() {
                        for part in self.table.parts(to)? {
                            let part = part?;
                            sink.push(|| step(part.tier, part.quantity, part.amount));
                        }
                    }
                    let above = exact::sub(quantity, to)?;
                    let extra = tier.unit_price().checked_mul(above)?;
                    sink.push(|| step(last, above, extra));
                    Ok(full.checked_add(extra)?)
                }
            };
        }
        let price = self.table.price(quantity)?;
        if sink.wants() {
            for part in self.table.parts(quantity)? {
                let part = part?;
                sink.push(|| step(part.tier, part.quantity, part.amount));
            }
        }
        Ok(price.total)
    }
}

impl PricingModel {
    /// The spec this model was built from.
    pub fn to_spec(&self) -> ModelSpec {
        ModelSpec {
            locale: self.locale,
            model: match &self.kind {
                Kind::Package(p) => ModelKindSpec::Package(p.to_spec()),
                Kind::Percentage(p) => ModelKindSpec::Percentage(p.to_spec()),
                Kind::Tiered(t) => ModelKindSpec::Tiered(t.to_spec()),
                Kind::BlockTiers(b) => ModelKindSpec::BlockTiers(b.to_spec()),
                Kind::Prorated(p) => ModelKindSpec::Prorated(p.to_spec()),
            },
            minimum: self.minimum.map(|m| m.minimum().amount()),
        }
    }

    /// Which model this is.
    pub fn model(&self) -> ModelId {
        match self.kind {
            Kind::Package(_) => ModelId::Package,
            Kind::Percentage(_) => ModelId::Percentage,
            Kind::Tiered(_) => ModelId::Tiered,
            Kind::BlockTiers(_) => ModelId::BlockTiers,
            Kind::Prorated(_) => ModelId::Prorated,
        }
    }

    /// The locale: the currency of every amount, and the final rounding.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The minimum commitment, if any.
    pub fn minimum(&self) -> Option<MinimumCommitment> {
        self.minimum
    }

    /// The total for `quantity`, rounded once to the minor unit, without
    /// the steps: what [`quote`](Self::quote) totals, computed without
    /// building a step. A percentage model reads `quantity` as one
    /// transaction (0 as none); a prorated model as units that lived the
    /// whole period.
    #[inline]
    pub fn price(&self, quantity: Decimal) -> Result<Money, Error> {
        let exact = self.exact(quantity, &mut Sink::none())?;
        Ok(self
            .finish(exact, &mut Sink::none())?
            .round_to_minor(self.locale.rounding))
    }

    /// The total for `quantity` with the steps that made it (see
    /// [`price`](Self::price) for how each model reads `quantity`).
    pub fn quote(&self, quantity: Decimal) -> Result<ModelQuote, Error> {
        let mut steps = Vec::new();
        let exact = self.exact(quantity, &mut Sink(Some(&mut steps)))?;
        self.quoted(exact, steps)
    }

    /// Transactions one by one: a percentage model charges each (free
    /// units, fixed fee, minimum and maximum a transaction); any other
    /// model prices their sum.
    pub fn quote_transactions(&self, transactions: &[Decimal]) -> Result<ModelQuote, Error> {
        let mut steps = Vec::new();
        let mut sink = Sink(Some(&mut steps));
        let exact = match &self.kind {
            Kind::Percentage(p) => p.price(transactions, &mut sink)?,
            _ => {
                let mut sum = Decimal::ZERO;
                for (i, &t) in transactions.iter().enumerate() {
                    non_negative(&format!("transactions[{i}]"), t)?;
                    sum = exact::add(sum, t)?;
                }
                self.exact(sum, &mut sink)?
            }
        };
        self.quoted(exact, steps)
    }

    /// Prorated usage record by record: a prorated model prices each record
    /// at its fraction, its tier chosen as its spec says; any other model
    /// prices the prorated total (`sum of quantity x fraction`).
    pub fn quote_prorated(&self, usage: &[ProratedUnits]) -> Result<ModelQuote, Error> {
        let mut steps = Vec::new();
        let mut sink = Sink(Some(&mut steps));
        let exact = match &self.kind {
            Kind::Prorated(p) => p.price(usage, &mut sink)?,
            _ => {
                let mut sum = Decimal::ZERO;
                for (i, units) in usage.iter().enumerate() {
                    units.check(i)?;
                    sum = exact::add(sum, units.prorated()?)?;
                }
                self.exact(sum, &mut sink)?
            }
        };
        self.quoted(exact, steps)
    }

    /// The exact charge for `quantity`, before the minimum.
    #[inline]
    fn exact(&self, quantity: Decimal, sink: &mut Sink<'_>) -> Result<Money, Error> {
        non_negative("quantity", quantity)?;
        match &self.kind {
            Kind::Package(p) => p.price(quantity, sink),
            Kind::Percentage(p) => {
                let one = [quantity];
                let transactions: &[Decimal] = if quantity.is_zero() { &[] } else { &one };
                p.price(transactions, sink)
            }
            Kind::Tiered(t) => t.price(quantity, sink),
            Kind::BlockTiers(b) if !sink.wants() => b.total(quantity),
            Kind::BlockTiers(b) => b.price(quantity, |part| {
                sink.push(|| ModelStep {
                    model: ModelId::BlockTiers,
                    kind: StepKind::Blocks,
                    tier: Some(part.tier),
                    quantity: part.blocks,
                    amount: part.amount,
                })
            }),
            // A quantity for the whole period: the full and the prorated
            // quantities are the same, so every mode is the table's price.
            Kind::Prorated(p) if !sink.wants() => p.whole_period(quantity),
            Kind::Prorated(p) => p.price(&[ProratedUnits::new(quantity, Decimal::ONE)], sink),
        }
    }

    /// `exact` raised to the minimum commitment, if any.
    #[inline]
    fn finish(&self, exact: Money, sink: &mut Sink<'_>) -> Result<Money, Error> {
        match self.minimum {
            None => Ok(exact),
            Some(minimum) => {
                let (raised, shortfall) = minimum.apply(exact)?;
                if let Some(step) = shortfall {
                    sink.push(|| step);
                }
                Ok(raised)
            }
        }
    }

    fn quoted(&self, exact: Money, mut steps: Vec<ModelStep>) -> Result<ModelQuote, Error> {
        let exact = self.finish(exact, &mut Sink(Some(&mut steps)))?;
        Ok(ModelQuote {
            model: self.model(),
            exact,
            total: exact.round_to_minor(self.locale.rounding),
            rounding: self.locale.rounding,
            steps,
        })
    }
}

/// Refuses a negative figure of usage.
fn non_negative(field: &str, value: Decimal) -> Result<(), Error> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(DataError::new(field, format!("{value} is negative"), "zero or more").into());
    }
    Ok(())
}
