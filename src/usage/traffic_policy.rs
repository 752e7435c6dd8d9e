//! The traffic policy (R-USE-09): regions, billing methods and the
//! graduated tariffs of each region. The settlement
//! ([`super::traffic_settlement`]) and the billing-method decider
//! ([`super::traffic_methods`]) read it; it reads neither. See
//! [live traffic](super#live-traffic).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, PolicyError, Reason};
use crate::money::Currency;
use crate::policy::Locale;
use crate::pricing::{Axis, TierTable, TierTableSpec};
use crate::quantity::{Dimension, Unit};
use crate::rule::RuleId;
use crate::time::Days;

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

fn switch_delay_days() -> u32 {
    TrafficPolicy::SWITCH_DELAY_DAYS
}

/// A traffic policy as written in a configuration (R-USE-09).
///
/// `locale` is required; `switch_delay_days` may be left out (1
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
    pub locale: Locale,
    /// The tariffs, one entry per region.
    pub regions: Vec<RegionTariffSpec>,
    /// Days after the day of a switch request that the new method takes
    /// effect, at the start of that local day (at least 1; default
    /// [`TrafficPolicy::SWITCH_DELAY_DAYS`], 1).
    #[serde(default = "switch_delay_days")]
    pub switch_delay_days: u32,
}

/// A validated tariff, as part of a [`TrafficPolicy`]. Built from a
/// [`StandaloneTariffSpec`] (a [`TariffSpec`] with its currency) with
/// `Tariff::try_from`; serialized as that spec, and validated again when
/// deserialized (a data or bandwidth unit, an unbounded last tier):
///
/// ```
/// use billing_rules::usage::{BillingMethod, Region, Tariff};
///
/// let policy = billing_rules::presets::live_traffic()?;
/// let tariff = policy.tariff(Region::Mainland, BillingMethod::PeakBandwidth)?;
/// let json = serde_json::to_value(tariff).unwrap();
/// assert_eq!(json["currency"], "CNY");
/// assert_eq!(json["unit"], "Mbps");
/// assert_eq!(json["tiers"]["mode"], "graduated");
/// assert_eq!(&serde_json::from_value::<Tariff>(json).unwrap(), tariff);
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StandaloneTariffSpec", into = "StandaloneTariffSpec")]
pub struct Tariff {
    unit: Unit,
    table: TierTable,
}

impl TariffSpec {
    /// This tariff standing alone, its prices in `currency`: ready for
    /// `Tariff::try_from`.
    pub fn in_currency(self, currency: Currency) -> StandaloneTariffSpec {
        StandaloneTariffSpec {
            currency,
            unit: self.unit,
            tiers: self.tiers,
        }
    }
}

/// A tariff standing alone, outside a policy: a [`TariffSpec`] with the
/// currency its policy would otherwise give. A [`Tariff`] is built from it
/// with `Tariff::try_from` and (de)serializes as it.
///
/// # JSON
///
/// ```json
/// {"currency": "CNY", "unit": "GB", "tiers": {"mode": "graduated", "tiers": [{"from": "0", "to": "2000", "unit_price": "0.20"}, {"from": "2000", "unit_price": "0.18"}]}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandaloneTariffSpec {
    /// The currency of the prices (when left out, the preset's).
    #[serde(default)]
    pub currency: Currency,
    /// The unit of the tier bounds and of the unit prices; a data unit
    /// prices traffic, a bandwidth unit peak bandwidth.
    pub unit: Unit,
    /// The tiers, on a continuous axis; the last one unbounded.
    pub tiers: TierTableSpec,
}

impl From<StandaloneTariffSpec> for TariffSpec {
    /// The unit and tiers, as a policy's spec holds them (the policy gives
    /// the currency).
    fn from(spec: StandaloneTariffSpec) -> TariffSpec {
        TariffSpec {
            unit: spec.unit,
            tiers: spec.tiers,
        }
    }
}

impl TryFrom<StandaloneTariffSpec> for Tariff {
    type Error = PolicyError;

    /// Validates the tariff (R-USE-09): its unit measures data or
    /// bandwidth, and its tiers follow the tier rules on a continuous axis
    /// with an unbounded last tier. Errors name the field under `tariff`.
    fn try_from(spec: StandaloneTariffSpec) -> Result<Self, PolicyError> {
        // A tariff prices traffic or bandwidth: its unit says which.
        let dimension = match spec.unit.dimension() {
            Dimension::Bandwidth => Dimension::Bandwidth,
            _ => Dimension::Data,
        };
        let currency = spec.currency;
        build_tariff(&spec.into(), dimension, "tariff", currency)
    }
}

spec_from!(Tariff => StandaloneTariffSpec);

impl Tariff {
    /// The unit of bounds and prices.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The tier table.
    pub fn table(&self) -> &TierTable {
        &self.table
    }

    /// The spec this tariff was built from, with its currency.
    pub fn to_spec(&self) -> StandaloneTariffSpec {
        StandaloneTariffSpec {
            currency: self.table.currency(),
            unit: self.unit,
            tiers: self.table.to_spec().into(),
        }
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
/// use billing_rules::usage::TrafficPolicy;
/// use serde_json::json;
///
/// let policy: TrafficPolicy = serde_json::from_value(json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "regions": [{
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

spec_from!(TrafficPolicy => TrafficPolicySpec);

impl TrafficPolicy {
    /// R-USE-09, a **Decision**: a switch of billing method takes effect at
    /// the start of the next local day, so every day is billed by one
    /// method only. The default of `switch_delay_days`.
    pub const SWITCH_DELAY_DAYS: u32 = 1;

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
        TrafficPolicySpec {
            locale: self.locale,
            regions: self
                .regions
                .iter()
                .map(|(region, traffic, bandwidth)| RegionTariffSpec {
                    region: *region,
                    traffic: traffic.to_spec().into(),
                    bandwidth: bandwidth.to_spec().into(),
                })
                .collect(),
            switch_delay_days: self.switch_delay.0,
        }
    }
}
