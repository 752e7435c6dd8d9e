//! The seat plan policy: its spec, and the checks that build it
//! (R-SEAT-01 to R-SEAT-07, with R-SEAT-08's and R-SEAT-10's parameters).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::channels::{ChannelSpec, PaymentChannel, Platform};
use super::duration::{self, Bonus, BonusSpec, DiscountSpec};
use chrono::TimeDelta;

use crate::Fingerprint;
use crate::error::{Error, PolicyError};
use crate::money::{Money, RoundingMode};
use crate::policy::{Locale, check};
use crate::preview::DEFAULT_WINDOW_MINUTES;
use crate::preview::MAX_WINDOW_MINUTES;
use crate::preview::check_window_minutes;
use crate::preview::window_of;
use crate::pricing::{Axis, TierTable, TierTableSpec};
use crate::rule::RuleId;
use crate::time::{Days, Period};

/// What the credit counts remaining and total time in (R-SEAT-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditGranularity {
    /// Whole local calendar days; a day that has started counts as used
    /// (the preset).
    Day,
    /// Whole seconds.
    Second,
}

impl CreditGranularity {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Day, Self::Second];
}

/// How upgrade credit counts time and rounds (R-SEAT-08).
///
/// Serialized as `{"granularity": "day", "rounding": "toward_zero"}`;
/// missing fields take the preset values
/// ([`CreditRule::DAYS_ROUNDED_DOWN`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct CreditRule {
    /// Days (preset) or seconds.
    pub granularity: CreditGranularity,
    /// How the exact pro-rata value is rounded to the minor unit (preset
    /// `toward_zero`: down).
    pub rounding: RoundingMode,
}

impl CreditRule {
    /// R-SEAT-08 (our decision, the preset): credit counts whole local days
    /// and rounds down, so it never exceeds the exact pro-rata value.
    pub const DAYS_ROUNDED_DOWN: CreditRule = CreditRule {
        granularity: CreditGranularity::Day,
        rounding: RoundingMode::TowardZero,
    };
}

impl Default for CreditRule {
    /// The preset: whole days, rounded down ([`CreditRule::DAYS_ROUNDED_DOWN`]).
    fn default() -> Self {
        CreditRule::DAYS_ROUNDED_DOWN
    }
}

/// How the price of one period is worked out from the seat count.
///
/// # JSON
///
/// Tagged by `rule`: R-SEAT-02's unit price, or R-SEAT-03's tier table (a
/// [`TierTableSpec`] on the whole-seat axis) with its fields beside the tag.
///
/// ```json
/// {"rule": "unit_price", "unit_price": "100"}
/// {"rule": "tiered", "mode": "volume", "tiers": [{"from": "1", "to": null, "unit_price": "100"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum PricingSpec {
    /// R-SEAT-02: price per period = seats x `unit_price`.
    UnitPrice {
        /// The price of one seat for one period.
        #[serde(with = "crate::decimal_serde::strict")]
        unit_price: Decimal,
    },
    /// R-SEAT-03: a volume or graduated tier table over seats
    /// (`1-50, 51-200, 201-`).
    Tiered(TierTableSpec),
}

/// A validated pricing rule.
///
/// Serialized with a `rule` tag: `{"rule": "unit_price", "unit_price":
/// {"amount": "100", "currency": "CNY"}}` or `{"rule": "tiered", "mode":
/// "volume", "axis": "whole", "currency": "CNY", "tiers": [...]}` (a
/// [`TierTable`]). Deserializing refuses a negative unit price (R-SEAT-02)
/// and a table on another axis than whole seats (R-SEAT-03).
///
/// ```
/// use billing_rules::pricing::PricingRule;
/// let policy = billing_rules::presets::app_store_seat_pricing()?;
/// let json = serde_json::to_string(policy.pricing())?;
/// assert!(json.starts_with(r#"{"rule":"tiered","mode":"volume","axis":"whole""#));
/// assert_eq!(&serde_json::from_str::<PricingRule>(&json)?, policy.pricing());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PricingRuleRepr", into = "PricingRuleRepr")]
pub enum PricingRule {
    /// R-SEAT-02: seats x this unit price, per period.
    UnitPrice(Money),
    /// R-SEAT-03: a tier table over seats.
    Tiered(TierTable),
}

/// How a [`PricingRule`] is written.
#[derive(Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
enum PricingRuleRepr {
    UnitPrice { unit_price: Money },
    Tiered(TierTable),
}

impl From<PricingRule> for PricingRuleRepr {
    fn from(rule: PricingRule) -> PricingRuleRepr {
        match rule {
            PricingRule::UnitPrice(unit_price) => PricingRuleRepr::UnitPrice { unit_price },
            PricingRule::Tiered(table) => PricingRuleRepr::Tiered(table),
        }
    }
}

impl TryFrom<PricingRuleRepr> for PricingRule {
    type Error = PolicyError;

    fn try_from(repr: PricingRuleRepr) -> Result<PricingRule, PolicyError> {
        match repr {
            PricingRuleRepr::UnitPrice { unit_price } => {
                check::non_negative("unit_price", unit_price.amount())
                    .map_err(|e| e.with_rule(RuleId::Seat02))?;
                Ok(PricingRule::UnitPrice(unit_price))
            }
            PricingRuleRepr::Tiered(table) if table.axis() == Axis::Whole => {
                Ok(PricingRule::Tiered(table))
            }
            PricingRuleRepr::Tiered(table) => Err(PolicyError::new(
                "axis",
                format!(
                    "a seat plan's tiers count whole seats, not the {:?} axis",
                    table.axis()
                ),
                "whole",
            )
            .with_rule(RuleId::Seat03)),
        }
    }
}

impl PricingRule {
    /// The rule this pricing implements: R-SEAT-02 or R-SEAT-03.
    pub fn rule(&self) -> RuleId {
        match self {
            PricingRule::UnitPrice(_) => RuleId::Seat02,
            PricingRule::Tiered(_) => RuleId::Seat03,
        }
    }

    fn to_spec(&self) -> PricingSpec {
        match self {
            PricingRule::UnitPrice(price) => PricingSpec::UnitPrice {
                unit_price: price.amount(),
            },
            PricingRule::Tiered(table) => PricingSpec::Tiered(table.to_spec().into()),
        }
    }
}

/// A seat plan as written in configuration (R-SEAT-01 to R-SEAT-10).
///
/// Every field but `period` and `pricing` may be left out of the JSON:
/// lists default to empty, limits and cap to none, and the published
/// figures to the app store's values: `discount_floor`
/// [`SeatPolicy::DISCOUNT_FLOOR`] (0.70), `bonus_cap_percent`
/// [`SeatPolicy::BONUS_CAP_PERCENT`] (35), the upgrade credit rule
/// [`CreditRule::DAYS_ROUNDED_DOWN`], the payment channels
/// [`ChannelSpec::default`]. Amounts are plain decimals in
/// `locale.currency`.
///
/// Build a [`SeatPolicy`] from it with `SeatPolicy::try_from(spec)`.
///
/// # JSON
///
/// The smallest plan: 100.00 a seat a year, everything else preset (the
/// full shape is in [`SeatPolicy`]'s JSON section).
///
/// ```json
/// {"period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatPolicySpec {
    /// Currency, time zone and final rounding (preset: CNY, +08:00,
    /// half-up).
    pub locale: Locale,
    /// R-SEAT-01: the pricing period, `"year"` (365 days) or `"month"` (31
    /// days).
    pub period: Period,
    /// R-SEAT-02 / R-SEAT-03: how one period is priced.
    pub pricing: PricingSpec,
    /// R-SEAT-04: discount factors keyed by purchased duration.
    #[serde(default)]
    pub discounts: Vec<DiscountSpec>,
    /// R-SEAT-05: bonus days keyed by purchased duration; a duration may not
    /// have both a discount and bonus days.
    #[serde(default)]
    pub bonuses: Vec<BonusSpec>,
    /// R-SEAT-07: the fewest seats an order may have (at least 1).
    #[serde(default)]
    pub min_seats: Option<u32>,
    /// R-SEAT-07: the most seats an order may have.
    #[serde(default)]
    pub max_seats: Option<u32>,
    /// R-SEAT-06: the most an order may cost, after the discount, in whole
    /// minor units (`"5000.00"`).
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    pub max_total: Option<Decimal>,
    /// R-SEAT-04: the lowest discount factor allowed (preset 0.70).
    #[serde(default = "default_discount_floor")]
    #[serde(with = "crate::decimal_serde::strict")]
    pub discount_floor: Decimal,
    /// R-SEAT-05: the most bonus days allowed, as a percentage of the
    /// purchased days (preset 35).
    #[serde(default = "default_bonus_cap_percent")]
    #[serde(with = "crate::decimal_serde::strict")]
    pub bonus_cap_percent: Decimal,
    /// R-SEAT-08: how upgrade credit counts time and rounds (preset: whole
    /// days, rounded down).
    #[serde(default)]
    pub upgrade: CreditRule,
    /// R-SEAT-10: the payment channels of each platform.
    #[serde(default)]
    pub channels: ChannelSpec,
    /// How long a preview of this plan's prices may be charged as it was
    /// shown, in minutes (preset [`SeatPolicy::QUOTE_WINDOW_MINUTES`], 30;
    /// 1 to [`SeatPolicy::MAX_QUOTE_WINDOW_MINUTES`]).
    #[serde(default = "default_quote_window_minutes")]
    pub quote_window_minutes: u32,
}

fn default_quote_window_minutes() -> u32 {
    SeatPolicy::QUOTE_WINDOW_MINUTES
}

fn default_discount_floor() -> Decimal {
    SeatPolicy::DISCOUNT_FLOOR
}

fn default_bonus_cap_percent() -> Decimal {
    SeatPolicy::BONUS_CAP_PERCENT
}

/// A validated seat plan (R-SEAT-01 to R-SEAT-10).
///
/// Built from a [`SeatPolicySpec`] with `TryFrom`, which refuses, with a
/// [`PolicyError`] naming the field and the allowed range:
///
/// - a period other than a year or a month (R-SEAT-01);
/// - a negative unit price or tier price (R-SEAT-02, R-SEAT-03);
/// - tiers with a gap or an overlap, or an unbounded tier that is not last
///   (R-SEAT-03);
/// - a discount factor below `discount_floor` (0.70) or above 1, or two
///   discounts for one duration (R-SEAT-04);
/// - bonus days above `bonus_cap_percent` (35%) of the purchased days, or
///   bonus days for a duration that also has a discount (R-SEAT-05);
/// - a negative cap, or one finer than the currency's minor unit
///   (R-SEAT-06);
/// - `min_seats` of 0 or above `max_seats` (R-SEAT-07);
/// - a platform without a payment channel (R-SEAT-10).
///
/// It (de)serializes as its spec, so reading a policy from JSON validates
/// it.
///
/// ```
/// use billing_rules::pricing::{DiscountSpec, PricingSpec, SeatPolicy, SeatPolicySpec};
/// use billing_rules::time::Period;
/// use rust_decimal::Decimal;
///
/// let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///                "period": "year", "pricing": {"rule": "unit_price", "unit_price": "100"},
///                "discounts": [{"periods": 2, "factor": "0.65"}]}"#;
/// let err = serde_json::from_str::<SeatPolicy>(json).unwrap_err();
/// assert!(err.to_string().contains("`discounts[0].factor`"));
/// assert!(err.to_string().contains("allowed: 0.70 to 1 (R-SEAT-04)"));
///
/// let mut spec: SeatPolicySpec = serde_json::from_str(json)?;
/// spec.discounts[0].factor = Decimal::new(85, 2);
/// let policy = SeatPolicy::try_from(spec)?;
/// assert_eq!(policy.period(), Period::Year);
/// assert_eq!(policy.discount_for(2), Some(Decimal::new(85, 2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # JSON
///
/// The shape of its [`SeatPolicySpec`], every field written out. The app
/// store's preset:
///
/// ```
/// use billing_rules::pricing::SeatPolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::app_store_seat_pricing()?;
/// let shape = json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "period": "year",
///     "pricing": {"rule": "tiered", "mode": "volume", "tiers": [
///         {"from": "1", "to": "50", "flat": null, "unit_price": "100"},
///         {"from": "51", "to": "200", "flat": null, "unit_price": "80"},
///         {"from": "201", "to": null, "flat": null, "unit_price": "60"}
///     ]},
///     "discounts": [{"periods": 2, "factor": "0.85"}],
///     "bonuses": [],
///     "min_seats": null, "max_seats": null, "max_total": null,
///     "discount_floor": "0.70", "bonus_cap_percent": "35",
///     "upgrade": {"granularity": "day", "rounding": "toward_zero"},
///     "channels": {"mobile": ["wallet"], "desktop": ["wallet", "corporate_bank_transfer"]},
///     "quote_window_minutes": 30
/// });
/// assert_eq!(serde_json::to_value(&policy)?, shape);
/// assert_eq!(serde_json::from_value::<SeatPolicy>(shape)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatPolicy {
    locale: Locale,
    period: Period,
    pricing: PricingRule,
    discounts: Vec<DiscountSpec>,
    bonuses: Vec<Bonus>,
    min_seats: Option<u32>,
    max_seats: Option<u32>,
    max_total: Option<Money>,
    discount_floor: Decimal,
    bonus_cap_percent: Decimal,
    upgrade: CreditRule,
    channels: ChannelSpec,
    quote_window_minutes: u32,
    // The spec's fingerprint, computed once when the policy is built: a
    // quoted charge compares it on every command, and hashing the whole
    // spec each time would cost more than the charge.
    fingerprint: Fingerprint,
}

impl TryFrom<SeatPolicySpec> for SeatPolicy {
    type Error = PolicyError;

    fn try_from(spec: SeatPolicySpec) -> Result<Self, PolicyError> {
        let currency = spec.locale.currency;
        if let Period::Days(n) = spec.period {
            return Err(PolicyError::new(
                "period",
                format!("a period of {n} days is not a seat plan period"),
                "year (365 days), month (31 days), or a calendar month or year from the \
                 purchase day ({\"calendar\": \"month\"})",
            )
            .with_rule(RuleId::Seat01));
        }
        let pricing = match spec.pricing {
            PricingSpec::UnitPrice { unit_price } => PricingRule::UnitPrice(
                check::amount("pricing.unit_price", unit_price, currency)
                    .map_err(|e| e.with_rule(RuleId::Seat02))?,
            ),
            PricingSpec::Tiered(table) => PricingRule::Tiered(
                TierTable::try_from(table.on(Axis::Whole, currency))
                    .map_err(|e| e.within("pricing"))?,
            ),
        };
        if spec.discount_floor <= Decimal::ZERO || spec.discount_floor > Decimal::ONE {
            return Err(PolicyError::new(
                "discount_floor",
                format!("{} is out of range", spec.discount_floor),
                "above 0, at most 1",
            )
            .with_rule(RuleId::Seat04));
        }
        check::in_range(
            "bonus_cap_percent",
            spec.bonus_cap_percent,
            Decimal::ZERO,
            Decimal::ONE_HUNDRED,
            Some(RuleId::Seat05),
        )?;
        duration::validate_discounts(&spec.discounts, spec.discount_floor)?;
        let bonuses = duration::validate_bonuses(
            &spec.bonuses,
            &spec.discounts,
            spec.period,
            spec.bonus_cap_percent,
        )?;
        let max_total = spec
            .max_total
            .map(|cap| {
                let cap_rule = |e: PolicyError| e.with_rule(RuleId::Seat06);
                let money = check::amount("max_total", cap, currency).map_err(cap_rule)?;
                // A cap finer than the minor unit could be exceeded by the
                // final rounding; one in whole minor units never is.
                if cap.normalize().scale() > currency.scale() {
                    return Err(cap_rule(PolicyError::new(
                        "max_total",
                        format!(
                            "{cap} is finer than the minor unit {}",
                            currency.minor_unit()
                        ),
                        format!("a whole number of {}", currency.minor_unit()),
                    )));
                }
                Ok(money)
            })
            .transpose()?;
        let seats_rule = |e: PolicyError| e.with_rule(RuleId::Seat07);
        for (field, value) in [("min_seats", spec.min_seats), ("max_seats", spec.max_seats)] {
            if value == Some(0) {
                return Err(seats_rule(PolicyError::new(
                    field,
                    "0 seats is never sold",
                    "1 or more",
                )));
            }
        }
        if let (Some(min), Some(max)) = (spec.min_seats, spec.max_seats) {
            check::ordered("min_seats", min, "max_seats", max).map_err(seats_rule)?;
        }
        spec.channels.validate()?;
        check_window_minutes(spec.quote_window_minutes)?;
        let mut policy = SeatPolicy {
            locale: spec.locale,
            period: spec.period,
            pricing,
            discounts: spec.discounts,
            bonuses,
            min_seats: spec.min_seats,
            max_seats: spec.max_seats,
            max_total,
            discount_floor: spec.discount_floor,
            bonus_cap_percent: spec.bonus_cap_percent,
            upgrade: spec.upgrade,
            channels: spec.channels,
            quote_window_minutes: spec.quote_window_minutes,
            fingerprint: Fingerprint::ZERO,
        };
        // Of the normalized spec, so a policy and the policy read back from
        // its JSON have the same fingerprint.
        policy.fingerprint = Fingerprint::of(&policy.to_spec()).map_err(|e| {
            PolicyError::new("spec", e.to_string(), "a spec whose JSON can be written")
        })?;
        Ok(policy)
    }
}

crate::policy::policy_spec!(SeatPolicy => SeatPolicySpec);

impl SeatPolicy {
    /// R-SEAT-04: the lowest discount factor published, 0.70 (no deeper
    /// than 30% off); the default of `discount_floor`.
    // 70 at scale 2, written `0.70` as published.
    pub const DISCOUNT_FLOOR: Decimal = Decimal::from_parts(70, 0, 0, false, 2);

    /// R-SEAT-05: the most bonus days published, 35 percent of the
    /// purchased days; the default of `bonus_cap_percent`.
    // 35 at scale 0, written `35`.
    pub const BONUS_CAP_PERCENT: Decimal = Decimal::from_parts(35, 0, 0, false, 0);

    /// The spec this policy was built from.
    pub fn to_spec(&self) -> SeatPolicySpec {
        SeatPolicySpec {
            locale: self.locale,
            period: self.period,
            pricing: self.pricing.to_spec(),
            discounts: self.discounts.clone(),
            bonuses: self.bonuses.iter().map(|b| b.spec).collect(),
            min_seats: self.min_seats,
            max_seats: self.max_seats,
            max_total: self.max_total.map(|m| m.amount()),
            discount_floor: self.discount_floor,
            bonus_cap_percent: self.bonus_cap_percent,
            upgrade: self.upgrade,
            channels: self.channels.clone(),
            quote_window_minutes: self.quote_window_minutes,
        }
    }

    /// The preset window of a preview, 30 minutes: long enough to read and
    /// pay, short enough that a shown price is not charged a day later.
    pub const QUOTE_WINDOW_MINUTES: u32 = DEFAULT_WINDOW_MINUTES;

    /// The longest window a policy may give a preview: 30 days.
    pub const MAX_QUOTE_WINDOW_MINUTES: u32 = MAX_WINDOW_MINUTES;

    /// How long a preview of this plan's prices may be charged as shown
    /// (the spec's `quote_window_minutes`).
    pub fn quote_window(&self) -> TimeDelta {
        window_of(self.quote_window_minutes)
    }

    /// The [`Fingerprint`] of this policy's spec: equal for two policies
    /// that price alike field for field, and what a
    /// [`Preview`](crate::preview::Preview) records as `policy`.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Currency, time zone and final rounding.
    #[inline]
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// R-SEAT-01: the pricing period.
    #[inline]
    pub fn period(&self) -> Period {
        self.period
    }

    /// R-SEAT-02 / R-SEAT-03: how one period is priced.
    #[inline]
    pub fn pricing(&self) -> &PricingRule {
        &self.pricing
    }

    /// R-SEAT-04: the discounts, as configured.
    pub fn discounts(&self) -> &[DiscountSpec] {
        &self.discounts
    }

    /// R-SEAT-05: the bonuses, as configured.
    pub fn bonuses(&self) -> impl Iterator<Item = BonusSpec> + '_ {
        self.bonuses.iter().map(|b| b.spec)
    }

    /// R-SEAT-04: the discount factor for an order of `periods` periods,
    /// when one is configured for exactly that duration.
    #[inline]
    pub fn discount_for(&self, periods: u32) -> Option<Decimal> {
        self.discounts
            .iter()
            .find(|d| d.periods == periods)
            .map(|d| d.factor)
    }

    /// R-SEAT-05: the bonus days for an order of `periods` periods (a
    /// percentage already rounded down to whole days), when configured for
    /// exactly that duration.
    #[inline]
    pub fn bonus_for(&self, periods: u32) -> Option<Days> {
        self.bonuses
            .iter()
            .find(|b| b.spec.periods == periods)
            .map(|b| b.days)
    }

    /// R-SEAT-07: the fewest seats an order may have.
    #[inline]
    pub fn min_seats(&self) -> Option<u32> {
        self.min_seats
    }

    /// R-SEAT-07: the most seats an order may have.
    #[inline]
    pub fn max_seats(&self) -> Option<u32> {
        self.max_seats
    }

    /// R-SEAT-06: the most an order may cost, when capped.
    #[inline]
    pub fn max_total(&self) -> Option<Money> {
        self.max_total
    }

    /// R-SEAT-04: the lowest discount factor this policy allows.
    pub fn discount_floor(&self) -> Decimal {
        self.discount_floor
    }

    /// R-SEAT-05: the most bonus days allowed, in percent of purchased days.
    pub fn bonus_cap_percent(&self) -> Decimal {
        self.bonus_cap_percent
    }

    /// R-SEAT-08: how upgrade credit counts time and rounds (the spec's
    /// `upgrade` field).
    pub fn credit_rule(&self) -> CreditRule {
        self.upgrade
    }

    /// R-SEAT-10: the payment channels offered on `platform`.
    ///
    /// ```
    /// use billing_rules::pricing::{PaymentChannel, Platform};
    /// let policy = billing_rules::presets::app_store_seat_pricing()?;
    /// assert_eq!(policy.channels(Platform::Mobile), [PaymentChannel::Wallet]);
    /// assert!(policy.check_channel(Platform::Mobile, PaymentChannel::CorporateBankTransfer).is_err());
    /// # Ok::<(), billing_rules::PolicyError>(())
    /// ```
    pub fn channels(&self, platform: Platform) -> &[PaymentChannel] {
        self.channels.on(platform)
    }

    /// R-SEAT-10: `Ok` when `channel` is offered on `platform`, otherwise a
    /// refusal naming R-SEAT-10, the platform and the channel.
    pub fn check_channel(&self, platform: Platform, channel: PaymentChannel) -> Result<(), Error> {
        self.channels.check(platform, channel)
    }
}

#[cfg(test)]
mod tests {
    use super::CreditGranularity;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(CreditGranularity: Day, Second);
    }
}
