//! Live playback traffic and bandwidth (R-USE-09): postpaid, settled daily,
//! at graduated tiers that differ by region, billed either by traffic or by
//! the day's peak bandwidth, with a switch between the two.
//!
//! - **Daily settlement.** [`settle_day`] prices one local day: the day's
//!   charge depends only on that day's quantity, its region and the billing
//!   method in force that day. Nothing accumulates across days, so days can
//!   be settled in any order, and again, with the same result.
//! - **Units in base 1000.** Quantities may be given in any data (or
//!   bandwidth) unit; they convert exactly into the tariff's unit (1 TB =
//!   1000 GB).
//! - **Graduated tiers per region.** Each region has a traffic tariff and a
//!   bandwidth tariff, each a graduated [`TierTable`] on a continuous axis
//!   whose last tier is unbounded.
//! - **The switch.** [`BillingMethods`] is a decider holding which method
//!   is in force from which day. **Decision:** a switch requested on a day
//!   takes effect at the start of a later day, `switch_delay_days` after it
//!   (preset: 1, the next day), so every day is billed by one method only.
//!   A second switch before the first takes effect replaces it.
//! - **Rounding.** Tier parts are exact; the day's total is rounded once to
//!   the currency's minor unit with the policy's rounding (preset half-up).
//!
//! ```
//! use billing_rules::usage::traffic::{settle_day, BillingMethod, DayUsage, Region};
//! use billing_rules::quantity::{Quantity, Unit};
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let policy = billing_rules::presets::usage::live_traffic()?;
//! let day = DayUsage {
//!     date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
//!     region: Region::Mainland,
//!     traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
//!     peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
//! };
//! let charge = settle_day(&policy, BillingMethod::Traffic, &day)?;
//! // Illustrative tiers: 2000 GB x 0.20 + 1000 GB x 0.18 = 580
//! assert_eq!(charge.total.to_string(), "CNY 580.00");
//! assert_eq!(charge.parts.len(), 2);
//! # Ok::<(), billing_rules::Error>(())
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, InRule, PolicyError, Reason};
use crate::money::{Currency, Money};
use crate::policy::Locale;
use crate::pricing::{Axis, TierMode, TierTable, TierTableSpec};
use crate::quantity::{Dimension, Quantity, Unit};
use crate::rule::RuleId;
use crate::time::{Days, Zone};

/// A billing region of live traffic (R-USE-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Mainland China.
    Mainland,
    /// International, and Hong Kong, Macao and Taiwan.
    International,
}

impl Region {
    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Region::Mainland => "mainland",
            Region::International => "international",
        }
    }
}

/// How a customer's live traffic is billed (R-USE-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingMethod {
    /// By the day's playback traffic (data).
    Traffic,
    /// By the day's peak bandwidth.
    PeakBandwidth,
}

impl BillingMethod {
    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            BillingMethod::Traffic => "traffic",
            BillingMethod::PeakBandwidth => "peak_bandwidth",
        }
    }
}

/// A tariff as written in a spec: the unit its bounds and prices are in,
/// and its tiers.
///
/// # JSON
///
/// ```json
/// {"unit": "GB", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "to": "2000", "unit_price": "0.20"}, {"from": "2000", "unit_price": "0.18"}]}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffSpec {
    /// The unit of the tier bounds and of the unit prices (e.g. GB, Mbps).
    pub unit: Unit,
    /// The tiers, on a continuous axis (`0-2000, 2000-10000, 10000-`); the
    /// last one unbounded.
    pub tiers: TierTableSpec,
}

/// One region's tariffs, as written in a spec.
///
/// # JSON
///
/// ```json
/// {"region": "mainland", "traffic": {"unit": "GB", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "unit_price": "0.20"}]}}, "bandwidth": {"unit": "Mbps", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "unit_price": "0.65"}]}}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionTariffSpec {
    /// The region.
    pub region: Region,
    /// Prices by the day's traffic (a data unit).
    pub traffic: TariffSpec,
    /// Prices by the day's peak bandwidth (a bandwidth unit).
    pub bandwidth: TariffSpec,
}

fn one_day() -> u32 {
    1
}

/// A traffic policy as written in a configuration (R-USE-09).
///
/// `locale` and `switch_delay_days` may be left out (preset locale, 1
/// day); the full shape is in [`TrafficPolicy`]'s JSON section.
///
/// # JSON
///
/// ```json
/// {"regions": [{"region": "mainland", "traffic": {"unit": "GB", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "unit_price": "0.20"}]}}, "bandwidth": {"unit": "Mbps", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "unit_price": "0.65"}]}}}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficPolicySpec {
    /// Currency, time zone (days are local days) and final rounding.
    #[serde(default)]
    pub locale: Locale,
    /// The tariffs, one entry per region.
    pub regions: Vec<RegionTariffSpec>,
    /// Days after the day of a switch request that the new method takes
    /// effect, at the start of that local day (at least 1; preset 1).
    #[serde(default = "one_day")]
    pub switch_delay_days: u32,
}

/// A validated tariff.
///
/// Serialized as its currency, unit and tiers, and validated again when
/// deserialized (a data or bandwidth unit, an unbounded last tier):
///
/// ```
/// use billing_rules::usage::traffic::{BillingMethod, Region, Tariff};
///
/// let policy = billing_rules::presets::usage::live_traffic()?;
/// let tariff = policy.tariff(Region::Mainland, BillingMethod::PeakBandwidth)?;
/// let json = serde_json::to_value(tariff).unwrap();
/// assert_eq!(json["currency"], "CNY");
/// assert_eq!(json["unit"], "Mbps");
/// assert_eq!(json["tiers"]["mode"], "graduated");
/// assert_eq!(&serde_json::from_value::<Tariff>(json).unwrap(), tariff);
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TariffRepr", into = "TariffRepr")]
pub struct Tariff {
    unit: Unit,
    table: TierTable,
}

/// How a [`Tariff`] is written in JSON: its currency, then its spec.
#[derive(Serialize, Deserialize)]
struct TariffRepr {
    #[serde(default)]
    currency: Currency,
    unit: Unit,
    tiers: TierTableSpec,
}

impl TryFrom<TariffRepr> for Tariff {
    type Error = PolicyError;

    fn try_from(repr: TariffRepr) -> Result<Self, PolicyError> {
        let spec = TariffSpec {
            unit: repr.unit,
            tiers: repr.tiers,
        };
        // A tariff prices traffic or bandwidth: its unit says which.
        let dimension = match repr.unit.dimension() {
            Dimension::Bandwidth => Dimension::Bandwidth,
            _ => Dimension::Data,
        };
        build_tariff(&spec, dimension, "tariff", repr.currency)
    }
}

impl From<Tariff> for TariffRepr {
    fn from(tariff: Tariff) -> Self {
        TariffRepr {
            currency: tariff.table.currency(),
            unit: tariff.unit,
            tiers: tariff.table.to_spec().into(),
        }
    }
}

impl Tariff {
    /// The unit of bounds and prices.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The tier table.
    pub fn table(&self) -> &TierTable {
        &self.table
    }
}

/// A validated traffic policy (R-USE-09). Built from a [`TrafficPolicySpec`]
/// with `TryFrom`, which refuses a region listed twice, a tariff whose unit
/// measures the wrong thing (traffic in a data unit, bandwidth in a
/// bandwidth unit), tiers that break the tier rules or whose last tier is
/// bounded, and a switch delay of 0 days; (de)serializes through it.
///
/// # JSON
///
/// A one-region policy, as written and as serialized (defaults filled in):
///
/// ```
/// use billing_rules::usage::traffic::TrafficPolicy;
/// use serde_json::json;
///
/// let policy: TrafficPolicy = serde_json::from_value(json!({"regions": [{
///     "region": "mainland",
///     "traffic": {"unit": "GB", "tiers": {"mode": "graduated", "tiers": [
///         {"from": "0", "to": "2000", "unit_price": "0.20"}, {"from": "2000", "unit_price": "0.18"}]}},
///     "bandwidth": {"unit": "Mbps", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "unit_price": "0.65"}]}}
/// }]}))?;
/// assert_eq!(serde_json::to_value(&policy)?, json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "regions": [{
///         "region": "mainland",
///         "traffic": {"unit": "GB", "tiers": {"mode": "graduated", "tiers": [
///             {"from": "0", "to": "2000", "flat": null, "unit_price": "0.20"},
///             {"from": "2000", "to": null, "flat": null, "unit_price": "0.18"}]}},
///         "bandwidth": {"unit": "Mbps", "tiers": {"mode": "graduated", "tiers": [
///             {"from": "0", "to": null, "flat": null, "unit_price": "0.65"}]}}
///     }],
///     "switch_delay_days": 1
/// }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TrafficPolicySpec", into = "TrafficPolicySpec")]
pub struct TrafficPolicy {
    locale: Locale,
    regions: Vec<(Region, Tariff, Tariff)>,
    switch_delay: Days,
}

fn build_tariff(
    spec: &TariffSpec,
    dimension: Dimension,
    field: &str,
    currency: Currency,
) -> Result<Tariff, PolicyError> {
    if spec.unit.dimension() != dimension {
        return Err(PolicyError::new(
            format!("{field}.unit"),
            format!("{} does not measure {dimension:?}", spec.unit),
            match dimension {
                Dimension::Data => "a data unit: B, KB, MB, GB or TB",
                _ => "a bandwidth unit: bps, Kbps, Mbps or Gbps",
            },
        )
        .with_rule(RuleId::Use09));
    }
    let table = TierTable::try_from(spec.tiers.clone().on(Axis::Continuous, currency))
        .map_err(|e| e.within(field).with_rule(RuleId::Use09))?;
    if table.tiers().last().is_some_and(|t| t.to().is_some()) {
        return Err(PolicyError::new(
            format!("{field}.tiers"),
            "the last tier is bounded, so a large day would have no price",
            "an unbounded last tier (`to` left out)",
        )
        .with_rule(RuleId::Use09));
    }
    Ok(Tariff {
        unit: spec.unit,
        table,
    })
}

impl TryFrom<TrafficPolicySpec> for TrafficPolicy {
    type Error = PolicyError;

    fn try_from(spec: TrafficPolicySpec) -> Result<Self, PolicyError> {
        let mut regions: Vec<(Region, Tariff, Tariff)> = Vec::with_capacity(spec.regions.len());
        for (i, r) in spec.regions.iter().enumerate() {
            if regions.iter().any(|(region, _, _)| *region == r.region) {
                return Err(PolicyError::new(
                    format!("regions[{i}].region"),
                    format!("{} is listed twice", r.region.name()),
                    "one entry per region",
                )
                .with_rule(RuleId::Use09));
            }
            let traffic = build_tariff(
                &r.traffic,
                Dimension::Data,
                &format!("regions[{i}].traffic"),
                spec.locale.currency,
            )?;
            let bandwidth = build_tariff(
                &r.bandwidth,
                Dimension::Bandwidth,
                &format!("regions[{i}].bandwidth"),
                spec.locale.currency,
            )?;
            regions.push((r.region, traffic, bandwidth));
        }
        if spec.switch_delay_days == 0 {
            return Err(PolicyError::new(
                "switch_delay_days",
                "0 would let one day be billed by two methods",
                "1 day or more",
            )
            .with_rule(RuleId::Use09));
        }
        Ok(TrafficPolicy {
            locale: spec.locale,
            regions,
            switch_delay: Days(spec.switch_delay_days),
        })
    }
}

impl From<TrafficPolicy> for TrafficPolicySpec {
    fn from(policy: TrafficPolicy) -> Self {
        let tariff = |t: &Tariff| TariffSpec {
            unit: t.unit,
            tiers: t.table.to_spec().into(),
        };
        TrafficPolicySpec {
            locale: policy.locale,
            regions: policy
                .regions
                .iter()
                .map(|(region, traffic, bandwidth)| RegionTariffSpec {
                    region: *region,
                    traffic: tariff(traffic),
                    bandwidth: tariff(bandwidth),
                })
                .collect(),
            switch_delay_days: policy.switch_delay.0,
        }
    }
}

impl TrafficPolicy {
    /// Currency, time zone and final rounding.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Days between a switch request and the day it takes effect.
    pub fn switch_delay(&self) -> Days {
        self.switch_delay
    }

    /// The tariff of `region` for `method`, or a refusal naming R-USE-09
    /// when the policy does not serve the region.
    pub fn tariff(&self, region: Region, method: BillingMethod) -> Result<&Tariff, Error> {
        self.regions
            .iter()
            .find(|(r, _, _)| *r == region)
            .map(|(_, traffic, bandwidth)| match method {
                BillingMethod::Traffic => traffic,
                BillingMethod::PeakBandwidth => bandwidth,
            })
            .ok_or_else(|| {
                Reason::new(
                    RuleId::Use09,
                    format!("this policy has no tariff for the {} region", region.name()),
                )
                .with(Figure::text("region", region.name()))
                .into()
            })
    }

    /// The spec of this policy.
    pub fn to_spec(&self) -> TrafficPolicySpec {
        self.clone().into()
    }
}

/// One local day's measured usage in one region.
///
/// # JSON
///
/// ```json
/// {
///   "date": "2025-07-01",
///   "region": "mainland",
///   "traffic": {"value": "3", "unit": "TB"},
///   "peak_bandwidth": {"value": "800", "unit": "Mbps"}
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsage {
    /// The local day (in the policy's time zone).
    pub date: NaiveDate,
    /// The region the traffic was served in.
    pub region: Region,
    /// Playback traffic that day (a data quantity).
    pub traffic: Quantity,
    /// The day's peak bandwidth (a bandwidth quantity).
    pub peak_bandwidth: Quantity,
}

/// The part of a day's charge inside one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargePart {
    /// The tier's index in its table.
    pub tier: usize,
    /// The tier's lower bound, in the tariff's unit.
    #[serde(with = "crate::decimal_serde::strict")]
    pub from: Decimal,
    /// The tier's upper bound; `None` when unbounded.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub to: Option<Decimal>,
    /// The quantity inside the tier.
    #[serde(with = "crate::decimal_serde::strict")]
    pub quantity: Decimal,
    /// The tier's price per unit.
    pub unit_price: Money,
    /// `quantity x unit_price` (plus the tier's flat amount, if any), exact.
    pub amount: Money,
}

/// One day's settled charge (R-USE-09).
///
/// # JSON
///
/// 3 TB in the mainland, by traffic (illustrative tiers):
///
/// ```json
/// {
///   "date": "2025-07-01",
///   "region": "mainland",
///   "method": "traffic",
///   "quantity": {"value": "3000", "unit": "GB"},
///   "parts": [
///     {
///       "tier": 0,
///       "from": "0",
///       "to": "2000",
///       "quantity": "2000",
///       "unit_price": {"amount": "0.20", "currency": "CNY"},
///       "amount": {"amount": "400.00", "currency": "CNY"}
///     },
///     {
///       "tier": 1,
///       "from": "2000",
///       "to": "10000",
///       "quantity": "1000",
///       "unit_price": {"amount": "0.18", "currency": "CNY"},
///       "amount": {"amount": "180.00", "currency": "CNY"}
///     }
///   ],
///   "exact": {"amount": "580.00", "currency": "CNY"},
///   "total": {"amount": "580.00", "currency": "CNY"}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCharge {
    /// The local day.
    pub date: NaiveDate,
    /// The region.
    pub region: Region,
    /// The method it was billed by.
    pub method: BillingMethod,
    /// The billed quantity, in the tariff's unit.
    pub quantity: Quantity,
    /// The graduated parts, one per tier reached.
    pub parts: Vec<ChargePart>,
    /// The sum of the parts, exact.
    pub exact: Money,
    /// `exact` rounded to the minor unit with the policy's rounding.
    pub total: Money,
}

/// Settles one day by `method` (R-USE-09): the day's traffic or peak
/// bandwidth, in the region's graduated tariff.
///
/// Errors: a refusal naming R-USE-09 for a negative quantity or a region
/// the policy does not serve; an arithmetic error when the quantity is not
/// of the tariff's dimension or does not convert exactly.
pub fn settle_day(
    policy: &TrafficPolicy,
    method: BillingMethod,
    usage: &DayUsage,
) -> Result<DailyCharge, Error> {
    settle_day_unruled(policy, method, usage).in_rule(RuleId::Use09)
}

/// [`settle_day`] before it names R-USE-09 on an arithmetic error.
fn settle_day_unruled(
    policy: &TrafficPolicy,
    method: BillingMethod,
    usage: &DayUsage,
) -> Result<DailyCharge, Error> {
    let tariff = policy.tariff(usage.region, method)?;
    let measured = match method {
        BillingMethod::Traffic => usage.traffic,
        BillingMethod::PeakBandwidth => usage.peak_bandwidth,
    };
    // Negative in any unit: refused before converting, which could
    // overflow and hide the reason.
    if measured.value().is_sign_negative() && !measured.value().is_zero() {
        return Err(Reason::new(
            RuleId::Use09,
            format!(
                "a day's {} cannot be negative ({measured}); report what was measured",
                method.name()
            ),
        )
        .with(Figure::quantity("quantity", measured))
        .into());
    }
    let quantity = measured.convert_to(tariff.unit)?;
    let value = quantity.value();
    let currency = policy.locale.currency;
    let mut parts = Vec::new();
    // Every part is in the table's currency: sum the amounts directly.
    let mut sum = Decimal::ZERO;
    if !value.is_zero() {
        let table = &tariff.table;
        parts.reserve_exact(table.tiers().len());
        if table.mode() == TierMode::Graduated {
            graduated_parts(table, value, &mut parts)?;
        } else {
            for part in table.parts(value)? {
                let part = part?;
                let tier = table
                    .tiers()
                    .get(part.tier)
                    .ok_or_else(|| ArithmeticError::overflow("find a tier"))?;
                parts.push(ChargePart {
                    tier: part.tier,
                    from: tier.from(),
                    to: tier.to(),
                    quantity: part.quantity,
                    unit_price: tier.unit_price(),
                    amount: part.amount,
                });
            }
        }
        for part in &parts {
            sum = crate::exact::add(sum, part.amount.amount())?;
        }
    }
    let exact = Money::new(sum, currency);
    Ok(DailyCharge {
        date: usage.date,
        region: usage.region,
        method,
        quantity,
        parts,
        exact,
        total: exact.round_to_minor(policy.locale.rounding),
    })
}

/// The graduated parts of `quantity` (> 0) on a continuous axis: what
/// [`TierTable::parts`] gives, computed in one pass over the tiers. Daily
/// settlement runs for every customer every day, and the shared iterator
/// (a chain of optional iterators, and a flat amount added to every part
/// even when the tier has none) costs about a third of a settlement. A
/// property test (`r_use_09_settlement_parts_match_the_tier_table`) holds
/// the two equal, so the tier semantics stay in `pricing::tiers`.
fn graduated_parts(
    table: &TierTable,
    quantity: Decimal,
    parts: &mut Vec<ChargePart>,
) -> Result<(), Error> {
    for (i, tier) in table.tiers().iter().enumerate() {
        // On a continuous axis a tier holds the quantities above `from` up
        // to `to` (inclusive); the table is contiguous from 0.
        let top = tier.to().map_or(quantity, |to| to.min(quantity));
        let inside = crate::exact::sub(top, tier.from())?;
        let mut amount = tier.unit_price().checked_mul(inside)?;
        if !tier.flat().is_zero() {
            amount = amount.checked_add(tier.flat())?;
        }
        parts.push(ChargePart {
            tier: i,
            from: tier.from(),
            to: tier.to(),
            quantity: inside,
            unit_price: tier.unit_price(),
            amount,
        });
        if tier.to().is_none_or(|to| quantity <= to) {
            break;
        }
    }
    Ok(())
}

/// The billing-method decider (R-USE-09): which method is in force from
/// which local day. See the module docs for when a switch takes effect.
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::traffic::{BillingMethod, BillingMethods, MethodCommand};
/// use chrono::{NaiveDate, TimeZone, Utc};
///
/// let policy = billing_rules::presets::usage::live_traffic()?;
/// let day = |d| NaiveDate::from_ymd_opt(2025, 7, d).unwrap();
/// let now = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap(); // 12:00 in +08:00
///
/// let open = MethodCommand::Open { method: BillingMethod::Traffic };
/// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, now, &policy)?;
/// let switch = MethodCommand::Switch { to: BillingMethod::PeakBandwidth };
/// let (state, _) = BillingMethods::run(&state, &switch, now, &policy)?;
/// // The day of the request stays on traffic; the next day is by bandwidth.
/// assert_eq!(state.method_on(day(1)), Some(BillingMethod::Traffic));
/// assert_eq!(state.method_on(day(2)), Some(BillingMethod::PeakBandwidth));
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BillingMethods;

/// A method in force from a local day on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChange {
    /// The first local day billed by `method`.
    pub from: NaiveDate,
    /// The method.
    pub method: BillingMethod,
}

/// The state of a customer's billing method.
///
/// # JSON
///
/// Tagged by `state`; by traffic, switching to bandwidth the next day:
///
/// ```json
/// {
///   "state": "open",
///   "changes": [
///     {"from": "2025-07-01", "method": "traffic"},
///     {"from": "2025-07-02", "method": "peak_bandwidth"}
///   ]
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MethodState {
    /// No method chosen yet: nothing can be settled.
    #[default]
    NotOpened,
    /// Methods in force, by first day, ascending (the first is the opening).
    Open {
        /// The changes, ascending by day.
        changes: Vec<MethodChange>,
    },
}

impl MethodState {
    /// The method in force on `date`, or `None` before the account opened.
    pub fn method_on(&self, date: NaiveDate) -> Option<BillingMethod> {
        match self {
            MethodState::NotOpened => None,
            MethodState::Open { changes } => changes
                .iter()
                .rev()
                .find(|c| c.from <= date)
                .map(|c| c.method),
        }
    }
}

/// What a customer asks about its billing method.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`MethodEvent`]) are tagged by
/// `event`:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::usage::traffic::{BillingMethods, MethodCommand};
/// use billing_rules::usage::traffic::BillingMethod;
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::usage::live_traffic()?;
/// let now = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap();
/// let first = MethodCommand::Open { method: BillingMethod::Traffic };
/// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &first, now, &policy)?;
/// let json = r#"{"command":"switch","to":"peak_bandwidth"}"#;
/// let command: MethodCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = BillingMethods::run(&state, &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"switch_scheduled","to":"peak_bandwidth","#,
///     r#""requested_at":"2025-07-01T04:00:00Z","effective_from":"2025-07-02"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MethodCommand {
    /// Choose the first method, in force from today.
    Open {
        /// The method.
        method: BillingMethod,
    },
    /// Switch to the other method, from a later day (module docs).
    Switch {
        /// The new method.
        to: BillingMethod,
    },
}

/// What happened to a customer's billing method.
///
/// # JSON
///
/// Tagged by `event`; see [`MethodCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum MethodEvent {
    /// The first method was chosen.
    Opened {
        /// The method.
        method: BillingMethod,
        /// The first day billed by it.
        from: NaiveDate,
    },
    /// A switch was requested.
    SwitchScheduled {
        /// The new method.
        to: BillingMethod,
        /// When it was requested.
        requested_at: DateTime<Utc>,
        /// The first day billed by it.
        effective_from: NaiveDate,
    },
}

impl Decider for BillingMethods {
    type State = MethodState;
    type Command = MethodCommand;
    type Event = MethodEvent;
    type Policy = TrafficPolicy;

    fn initial() -> MethodState {
        MethodState::NotOpened
    }

    fn decide(
        state: &MethodState,
        command: &MethodCommand,
        now: DateTime<Utc>,
        policy: &TrafficPolicy,
    ) -> Result<Vec<MethodEvent>, Error> {
        let today = local_day(policy.locale.time_zone, now).in_rule(RuleId::Use09)?;
        let decided = || match (state, command) {
            (MethodState::NotOpened, MethodCommand::Open { method }) => {
                Ok(vec![MethodEvent::Opened {
                    method: *method,
                    from: today,
                }])
            }
            (MethodState::Open { .. }, MethodCommand::Open { .. }) => Err(Reason::new(
                RuleId::Use09,
                "a billing method is already chosen; switch it instead",
            )
            .into()),
            (MethodState::NotOpened, MethodCommand::Switch { to }) => Err(Reason::new(
                RuleId::Use09,
                "no billing method is chosen yet; open the account with one first",
            )
            .with(Figure::text("to", to.name()))
            .into()),
            (open @ MethodState::Open { .. }, MethodCommand::Switch { to }) => {
                let effective_from = today
                    .checked_add_days(chrono::Days::new(u64::from(policy.switch_delay.0)))
                    .ok_or(ArithmeticError::out_of_range("schedule a method switch"))?;
                if open.method_on(effective_from) == Some(*to) {
                    return Err(Reason::new(
                        RuleId::Use09,
                        format!(
                            "the account is already billed by {} from {effective_from}; nothing \
                             to switch",
                            to.name()
                        ),
                    )
                    .with(Figure::text("method", to.name()))
                    .into());
                }
                Ok(vec![MethodEvent::SwitchScheduled {
                    to: *to,
                    requested_at: now,
                    effective_from,
                }])
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: MethodState, event: &MethodEvent) -> MethodState {
        match (state, event) {
            (_, MethodEvent::Opened { method, from }) => MethodState::Open {
                changes: vec![MethodChange {
                    from: *from,
                    method: *method,
                }],
            },
            (
                MethodState::Open { mut changes },
                MethodEvent::SwitchScheduled {
                    to, effective_from, ..
                },
            ) => {
                // A later request replaces one not yet in force.
                changes.retain(|c| c.from < *effective_from);
                changes.push(MethodChange {
                    from: *effective_from,
                    method: *to,
                });
                MethodState::Open { changes }
            }
            (state @ MethodState::NotOpened, MethodEvent::SwitchScheduled { .. }) => state,
        }
    }
}

/// The local day of `now` in `zone` (R-USE-09 counts local days), or a
/// refusal naming R-USE-09 within a day of chrono's first or last instant,
/// where the local day does not exist. `Zone::local_date` panics there
/// (chrono's `naive_local` expects the local time to exist), so the
/// decider works it out checked.
fn local_day(zone: Zone, now: DateTime<Utc>) -> Result<NaiveDate, Error> {
    let offset = chrono::Duration::seconds(i64::from(zone.offset().local_minus_utc()));
    now.naive_utc()
        .checked_add_signed(offset)
        .map(|local| local.date())
        .ok_or_else(|| {
            Reason::new(
                RuleId::Use09,
                format!(
                    "{} is at the edge of the calendar: its local day in {zone} does not exist; \
                     give an instant within the calendar",
                    now.to_rfc3339()
                ),
            )
            .with(Figure::instant("now", now))
            .with(Figure::text("time_zone", zone.to_string()))
            .into()
        })
}

/// Settles one day by the method `state` holds for it (R-USE-09), or a
/// refusal naming R-USE-09 when no method was in force that day.
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::quantity::{Quantity, Unit};
/// use billing_rules::usage::traffic::{settle, BillingMethod, BillingMethods, DayUsage, MethodCommand, Region};
/// use billing_rules::RuleId;
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use rust_decimal::Decimal;
///
/// let policy = billing_rules::presets::usage::live_traffic()?;
/// let opened = Utc.with_ymd_and_hms(2025, 7, 1, 4, 0, 0).unwrap(); // 2025-07-01 12:00 +08:00
/// let open = MethodCommand::Open { method: BillingMethod::PeakBandwidth };
/// let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, opened, &policy)?;
///
/// let day = |month, day| DayUsage {
///     date: NaiveDate::from_ymd_opt(2025, month, day).unwrap(),
///     region: Region::Mainland,
///     traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
///     peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
/// };
/// // Illustrative tiers: 500 Mbps x 0.65 + 300 Mbps x 0.60 = 505.
/// assert_eq!(settle(&policy, &state, &day(7, 2))?.total.to_string(), "CNY 505.00");
/// // June 30 came before the account opened: no method was in force.
/// let err = settle(&policy, &state, &day(6, 30)).unwrap_err();
/// assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use09));
/// # Ok::<(), billing_rules::Error>(())
/// ```
pub fn settle(
    policy: &TrafficPolicy,
    state: &MethodState,
    usage: &DayUsage,
) -> Result<DailyCharge, Error> {
    let method = state.method_on(usage.date).ok_or_else(|| {
        Error::from(
            Reason::new(
                RuleId::Use09,
                format!(
                    "no billing method was in force on {}; open the account first",
                    usage.date
                ),
            )
            .with(Figure::text("date", usage.date.to_string())),
        )
    })?;
    settle_day(policy, method, usage)
}

/// The rule an arithmetic error of `command` is reported under: every
/// billing-method command schedules by R-USE-09.
fn command_rule(_: &MethodCommand) -> RuleId {
    RuleId::Use09
}
