//! Metered add-ons, each with its own unit (R-USE-10): transcoding by
//! resolution and minutes, recording by the month's peak of concurrent
//! channels, snapshots and content moderation by count. See
//! [add-ons](super#add-ons).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, Error, Figure, PolicyError, Reason};
use crate::exact;
use crate::money::{Currency, Money, Rounding, RoundingMode};
use crate::policy::{Locale, check};
use crate::quantity::{Dimension, Quantity, Unit};
use crate::rule::RuleId;

/// A transcoding output resolution (R-USE-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Standard definition (up to 480p).
    Sd,
    /// High definition (720p).
    Hd,
    /// Full HD (1080p).
    FullHd,
    /// 2K and 4K.
    UltraHd,
}

impl Resolution {
    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Resolution::Sd => "sd",
            Resolution::Hd => "hd",
            Resolution::FullHd => "full_hd",
            Resolution::UltraHd => "ultra_hd",
        }
    }
}

/// A metered price as written in a spec: `price` for every `per` units of
/// `unit`.
///
/// # JSON
///
/// 0.10 for every 1000 snapshots:
///
/// ```json
/// {"unit": "count", "per": "1000", "price": "0.10"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeteredPriceSpec {
    /// The unit metered.
    pub unit: Unit,
    /// The block the price is for (e.g. 1000 snapshots); more than zero.
    #[serde(with = "crate::decimal_serde::strict")]
    pub per: Decimal,
    /// The price of one block, in the policy's currency.
    #[serde(with = "crate::decimal_serde::strict")]
    pub price: Decimal,
}

/// A validated metered price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeteredPrice {
    /// The unit metered.
    pub unit: Unit,
    /// The block the price is for.
    #[serde(with = "crate::decimal_serde::strict")]
    pub per: Decimal,
    /// The price of one block.
    pub price: Money,
}

impl MeteredPrice {
    fn build(
        spec: &MeteredPriceSpec,
        dimension: Dimension,
        field: &str,
        currency: Currency,
    ) -> Result<MeteredPrice, PolicyError> {
        let rule = |e: PolicyError| e.with_rule(RuleId::Use10);
        if spec.unit.dimension() != dimension {
            return Err(rule(PolicyError::new(
                format!("{field}.unit"),
                format!("{} does not measure {dimension:?}", spec.unit),
                format!("a unit measuring {dimension:?}"),
            )));
        }
        check::positive(&format!("{field}.per"), spec.per).map_err(rule)?;
        let price = check::amount(&format!("{field}.price"), spec.price, currency).map_err(rule)?;
        Ok(MeteredPrice {
            unit: spec.unit,
            per: spec.per,
            price,
        })
    }

    fn to_spec(self) -> MeteredPriceSpec {
        MeteredPriceSpec {
            unit: self.unit,
            per: self.per,
            price: self.price.amount(),
        }
    }

    /// `price x quantity / per` (the quantity converted to the price's
    /// unit first), multiplied before it is divided: the figure before the
    /// charge is rounded. It is exact when the quotient ends within the
    /// places a `Decimal` holds; otherwise it is cut there with a sticky
    /// last digit ([`exact::mul_div`]), so that it is never shown as a round
    /// figure it is not. [`MeteredPrice::charge_rounded`] rounds the true
    /// quotient once.
    ///
    /// Errors: a refusal naming R-USE-10 for a negative quantity (usage is
    /// never negative; a credit is not an add-on charge); an arithmetic
    /// error for a unit of another dimension or an overflow.
    pub fn charge(&self, quantity: Quantity) -> Result<Money, Error> {
        let value = self.metered(quantity)?;
        let amount = exact::mul_div(self.price.amount(), value, self.per)?;
        Ok(Money::new(amount, self.price.currency()))
    }

    /// `price x quantity / per` rounded once, exactly, to the currency's
    /// minor unit with `mode`: the true quotient is rounded (a floor of
    /// 3 x 1 / 3 is 1.00, not the 0.99 of a cut 1/3 times 3). This is where
    /// an add-on charge is rounded, and the only place.
    ///
    /// Errors: those of [`MeteredPrice::charge`].
    pub fn charge_rounded(&self, quantity: Quantity, mode: RoundingMode) -> Result<Money, Error> {
        let value = self.metered(quantity)?;
        let currency = self.price.currency();
        let rounding = Rounding::minor_unit(currency, mode);
        let amount = exact::mul_div_round(self.price.amount(), value, self.per, rounding)?;
        Ok(Money::new(amount, currency))
    }

    /// The quantity's value in the price's unit; a negative one is refused.
    fn metered(&self, quantity: Quantity) -> Result<Decimal, Error> {
        if quantity.value().is_sign_negative() && !quantity.value().is_zero() {
            return Err(Reason::new(
                RuleId::Use10,
                format!("{quantity} is negative; report the quantity used"),
            )
            .with(Figure::quantity("quantity", quantity))
            .into());
        }
        Ok(quantity.convert_to(self.unit)?.value())
    }
}

/// A transcoding price for one resolution, as written in a spec.
///
/// # JSON
///
/// ```json
/// {"resolution": "hd", "price": {"unit": "minutes", "per": "1", "price": "0.035"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscodingPriceSpec {
    /// The output resolution.
    pub resolution: Resolution,
    /// Its price (a unit of minutes).
    pub price: MeteredPriceSpec,
}

/// An add-on policy as written in a configuration (R-USE-10).
///
/// # JSON
///
/// `locale` is required (a policy never guesses its currency). The live plugin's
/// **illustrative** preset, with one resolution:
///
/// ```json
/// {"transcoding": [{"resolution": "hd", "price": {"unit": "minutes", "per": "1", "price": "0.035"}}], "recording": {"unit": "channels", "per": "1", "price": "30"}, "snapshots": {"unit": "count", "per": "1000", "price": "0.10"}, "moderation": {"unit": "count", "per": "1000", "price": "2.50"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddOnPolicySpec {
    /// Currency, time zone and final rounding.
    pub locale: Locale,
    /// Transcoding prices by resolution (units of minutes).
    pub transcoding: Vec<TranscodingPriceSpec>,
    /// Recording, per concurrent channel at the month's peak (a channel unit).
    pub recording: MeteredPriceSpec,
    /// Snapshots (a count unit).
    pub snapshots: MeteredPriceSpec,
    /// Content moderation (a count unit).
    pub moderation: MeteredPriceSpec,
}

/// A validated add-on policy (R-USE-10). Built from an [`AddOnPolicySpec`]
/// with `TryFrom`, which refuses a resolution priced twice, a price in a
/// unit of the wrong kind (minutes, channels, counts), a block (`per`) of
/// zero or less and a negative price; (de)serializes through it, so its
/// JSON is the spec's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AddOnPolicySpec", into = "AddOnPolicySpec")]
pub struct AddOnPolicy {
    locale: Locale,
    transcoding: Vec<(Resolution, MeteredPrice)>,
    recording: MeteredPrice,
    snapshots: MeteredPrice,
    moderation: MeteredPrice,
}

impl TryFrom<AddOnPolicySpec> for AddOnPolicy {
    type Error = PolicyError;

    fn try_from(spec: AddOnPolicySpec) -> Result<Self, PolicyError> {
        let currency = spec.locale.currency;
        let mut transcoding: Vec<(Resolution, MeteredPrice)> = Vec::new();
        for (i, t) in spec.transcoding.iter().enumerate() {
            if transcoding.iter().any(|(r, _)| *r == t.resolution) {
                return Err(PolicyError::new(
                    format!("transcoding[{i}].resolution"),
                    format!("{} is priced twice", t.resolution.name()),
                    "one price per resolution",
                )
                .with_rule(RuleId::Use10));
            }
            let price = MeteredPrice::build(
                &t.price,
                Dimension::Minutes,
                &format!("transcoding[{i}].price"),
                currency,
            )?;
            transcoding.push((t.resolution, price));
        }
        Ok(AddOnPolicy {
            locale: spec.locale,
            transcoding,
            recording: MeteredPrice::build(
                &spec.recording,
                Dimension::Channels,
                "recording",
                currency,
            )?,
            snapshots: MeteredPrice::build(
                &spec.snapshots,
                Dimension::Count,
                "snapshots",
                currency,
            )?,
            moderation: MeteredPrice::build(
                &spec.moderation,
                Dimension::Count,
                "moderation",
                currency,
            )?,
        })
    }
}

spec_from!(AddOnPolicy => AddOnPolicySpec);

impl AddOnPolicy {
    /// Currency, time zone and final rounding.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The spec of this policy; `AddOnPolicy::try_from(p.to_spec())`
    /// gives back `p`.
    pub fn to_spec(&self) -> AddOnPolicySpec {
        AddOnPolicySpec {
            locale: self.locale,
            transcoding: self
                .transcoding
                .iter()
                .map(|(resolution, price)| TranscodingPriceSpec {
                    resolution: *resolution,
                    price: price.to_spec(),
                })
                .collect(),
            recording: self.recording.to_spec(),
            snapshots: self.snapshots.to_spec(),
            moderation: self.moderation.to_spec(),
        }
    }

    /// The price of transcoding to `resolution`, when the policy sells it.
    pub fn transcoding(&self, resolution: Resolution) -> Option<MeteredPrice> {
        self.transcoding
            .iter()
            .find(|(r, _)| *r == resolution)
            .map(|(_, p)| *p)
    }

    /// The recording price (per channel at the month's peak).
    pub fn recording(&self) -> MeteredPrice {
        self.recording
    }

    /// The snapshot price.
    pub fn snapshots(&self) -> MeteredPrice {
        self.snapshots
    }

    /// The moderation price.
    pub fn moderation(&self) -> MeteredPrice {
        self.moderation
    }
}

/// What an add-on was used for, in its own unit (R-USE-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "add_on", rename_all = "snake_case")]
pub enum AddOnUsage {
    /// Minutes transcoded to a resolution.
    Transcoding {
        /// The output resolution.
        resolution: Resolution,
        /// Minutes of output (a minutes quantity).
        minutes: Quantity,
    },
    /// Recording: the month's peak of concurrent channels
    /// ([`AddOnUsage::month_peak`]).
    Recording {
        /// The peak.
        peak_channels: u32,
    },
    /// Snapshots taken.
    Snapshots {
        /// How many.
        count: u64,
    },
    /// Items moderated.
    Moderation {
        /// How many.
        count: u64,
    },
}

/// The charge of one add-on (R-USE-10).
///
/// # JSON
///
/// 600 minutes of HD transcoding (illustrative price):
///
/// ```json
/// {
///   "usage": {
///     "add_on": "transcoding",
///     "resolution": "hd",
///     "minutes": {"value": "600", "unit": "minutes"}
///   },
///   "quantity": {"value": "600", "unit": "minutes"},
///   "price": {
///     "unit": "minutes",
///     "per": "1",
///     "price": {"amount": "0.035", "currency": "CNY"}
///   },
///   "exact": {"amount": "21.000", "currency": "CNY"},
///   "total": {"amount": "21.00", "currency": "CNY"}
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOnCharge {
    /// What was used.
    pub usage: AddOnUsage,
    /// The metered quantity, in the price's unit.
    pub quantity: Quantity,
    /// The price applied.
    pub price: MeteredPrice,
    /// `price x quantity / per` before rounding: exact, or cut with a
    /// sticky last digit when the quotient does not end within 28 places
    /// ([`MeteredPrice::charge`]).
    pub exact: Money,
    /// The true `price x quantity / per` rounded once to the minor unit
    /// with the policy's rounding ([`MeteredPrice::charge_rounded`]); it is
    /// also what `exact` rounds to.
    pub total: Money,
}

impl AddOnUsage {
    /// The month's peak of concurrent recording channels: the largest
    /// sample (0 for a month with none). Recording is billed by it
    /// (R-USE-10), as [`AddOnUsage::Recording`]'s `peak_channels`.
    ///
    /// ```
    /// use billing_rules::usage::AddOnUsage;
    ///
    /// assert_eq!(AddOnUsage::month_peak([3, 7, 5]), 7);
    /// assert_eq!(AddOnUsage::month_peak([]), 0);
    /// ```
    pub fn month_peak<I: IntoIterator<Item = u32>>(samples: I) -> u32 {
        samples.into_iter().max().unwrap_or(0)
    }
}

impl AddOnPolicy {
    /// Prices one add-on's usage (R-USE-10).
    ///
    /// ```
    /// use billing_rules::quantity::{Quantity, Unit};
    /// use billing_rules::usage::{AddOnUsage, Resolution};
    /// use rust_decimal::Decimal;
    ///
    /// let policy = billing_rules::presets::live_add_ons()?;
    /// let hd = AddOnUsage::Transcoding {
    ///     resolution: Resolution::Hd,
    ///     minutes: Quantity::new(Decimal::from(600), Unit::Minute),
    /// };
    /// // Illustrative price: 0.035 a minute of HD transcoding.
    /// assert_eq!(policy.charge(&hd)?.total.to_string(), "CNY 21.00");
    ///
    /// // Recording is billed by the month's peak of concurrent channels.
    /// let peak = AddOnUsage::month_peak([3, 7, 5]);
    /// let recording = policy.charge(&AddOnUsage::Recording { peak_channels: peak })?;
    /// assert_eq!(recording.quantity.to_string(), "7 channels");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A refusal naming R-USE-10 for a resolution the policy does not price
    /// or a negative number of minutes; an arithmetic error for a quantity
    /// in a unit of another dimension.
    pub fn charge(&self, usage: &AddOnUsage) -> Result<AddOnCharge, Error> {
        charge_unruled(self, usage).map_err(|e| e.in_rule(RuleId::Use10))
    }
}

/// [`AddOnPolicy::charge`] before it names R-USE-10 on an arithmetic error.
fn charge_unruled(policy: &AddOnPolicy, usage: &AddOnUsage) -> Result<AddOnCharge, Error> {
    let (price, quantity) = match *usage {
        AddOnUsage::Transcoding {
            resolution,
            minutes,
        } => {
            let price = policy.transcoding(resolution).ok_or_else(|| {
                Error::from(
                    Reason::new(
                        RuleId::Use10,
                        format!(
                            "this policy has no transcoding price for {}",
                            resolution.name()
                        ),
                    )
                    .with(Figure::text("resolution", resolution.name())),
                )
            })?;
            if minutes.value().is_sign_negative() && !minutes.value().is_zero() {
                return Err(Reason::new(
                    RuleId::Use10,
                    format!("{minutes} of transcoding is negative; report the minutes produced"),
                )
                .with(Figure::quantity("minutes", minutes))
                .into());
            }
            (price, minutes.convert_to(price.unit)?)
        }
        AddOnUsage::Recording { peak_channels } => (
            policy.recording,
            Quantity::new(Decimal::from(peak_channels), Unit::Channel),
        ),
        AddOnUsage::Snapshots { count } => (
            policy.snapshots,
            Quantity::new(Decimal::from(count), Unit::Count),
        ),
        AddOnUsage::Moderation { count } => (
            policy.moderation,
            Quantity::new(Decimal::from(count), Unit::Count),
        ),
    };
    let quantity = quantity.convert_to(price.unit)?;
    let exact = price.charge(quantity)?;
    let mode = policy.locale.rounding;
    let total = price.charge_rounded(quantity, mode)?;
    // The figure shown must round to the total. A cut figure does when it
    // keeps two places more than the minor unit; only a quotient too large
    // for that (above about 10^24) is refused rather than shown otherwise.
    if exact.round_to_minor(mode) != total {
        return Err(ArithmeticError::precision_loss("divide an add-on charge").into());
    }
    Ok(AddOnCharge {
        usage: *usage,
        quantity,
        price,
        exact,
        total,
    })
}
