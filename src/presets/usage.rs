//! Presets of the per-use area (R-USE-01..10).
//!
//! - [`verification_usage`]: the verification component's published
//!   figures, held by the usage module as constants and composed here:
//!   0.03 a successful quick verification and 0.04 a real-time one
//!   ([`ComponentPriceSpec::VERIFICATION`], R-USE-01), 1000 trial calls per
//!   app account ([`UsagePolicy::TRIAL_QUOTA`], R-USE-02), government and
//!   non-profit organisations exempt and public institutions exempt in
//!   government services or public livelihood
//!   ([`ExemptionsSpec::ORGANISATIONS`],
//!   [`ExemptionsSpec::PUBLIC_INSTITUTION_CATEGORIES`], R-USE-03), billing
//!   from 2023-08-26 00:00 +08:00 ([`UsagePolicy::BILLING_START`],
//!   R-USE-06), the published 365-day package table with validities of 365,
//!   180 and 90 days and custom packages at 0.03 a call
//!   ([`CatalogueSpec::PACKAGES_365`], [`CatalogueSpec::VALIDITIES`],
//!   [`CustomPackagesSpec::VERIFICATION`], R-USE-05), and uncovered calls
//!   billed per call (R-USE-07, a **Decision**).
//! - [`live_traffic`] and [`live_add_ons`]: the live plugin's regional
//!   traffic and bandwidth tiers (R-USE-09) and add-on prices (R-USE-10).
//!   **These prices are illustrative.** The catalogue ([`RuleId`](crate::RuleId)) has the structure
//!   (graduated tiers by region, daily settlement, base-1000 units, the add-on
//!   units) but not the figures; replace them with the platform's price list
//!   before billing anyone. Nothing in this crate claims they are published.
//!   The switch delay is [`TrafficPolicy::SWITCH_DELAY_DAYS`] (a
//!   **Decision**).
//!
//! Each preset is built through the same validation as any policy, so it
//! returns a `Result`; the presets are tested to build.
//!
//! ```
//! use billing_rules::presets;
//!
//! let policy = presets::verification_usage()?;
//! assert_eq!(policy.trial_quota(), 1000);
//! assert_eq!(policy.catalogue().packages().len(), 9);
//! # Ok::<(), billing_rules::PolicyError>(())
//! ```

use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::pricing::{TierMode, TierSpec, TierTableSpec};
use crate::quantity::Unit;
use crate::usage::{
    AddOnPolicy, AddOnPolicySpec, CatalogueSpec, CategoryExemptionSpec, ComponentPriceSpec,
    CustomPackagesSpec, ExemptionsSpec, MeteredPriceSpec, Organisation, Region, RegionTariffSpec,
    Resolution, TariffSpec, TrafficPolicy, TrafficPolicySpec, TranscodingPriceSpec, UsagePolicy,
    UsagePolicySpec, WhenExhausted,
};

/// `n / 100` (a price in fen).
fn fen(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// `n / 1000`.
fn mills(n: i64) -> Decimal {
    Decimal::new(n, 3)
}

/// The verification component's policy as a spec (see the module docs),
/// composed from the usage module's published constants.
pub fn verification_usage_spec() -> UsagePolicySpec {
    UsagePolicySpec {
        locale: super::locale(),
        billing_start: UsagePolicy::BILLING_START,
        prices: ComponentPriceSpec::VERIFICATION.to_vec(),
        trial_quota: UsagePolicy::TRIAL_QUOTA,
        exemptions: ExemptionsSpec {
            organisations: ExemptionsSpec::ORGANISATIONS.to_vec(),
            by_category: vec![CategoryExemptionSpec {
                organisation: Organisation::PublicInstitution,
                categories: ExemptionsSpec::PUBLIC_INSTITUTION_CATEGORIES.to_vec(),
            }],
        },
        catalogue: CatalogueSpec {
            validities: CatalogueSpec::VALIDITIES.to_vec(),
            packages: CatalogueSpec::PACKAGES_365.to_vec(),
            custom: Some(CustomPackagesSpec::VERIFICATION),
        },
        when_exhausted: WhenExhausted::PerCall,
        quote_window_minutes: UsagePolicy::QUOTE_WINDOW_MINUTES,
    }
}

/// The verification component's policy (see the module docs):
/// [`verification_usage_spec`], validated.
pub fn verification_usage() -> Result<UsagePolicy, PolicyError> {
    UsagePolicy::try_from(verification_usage_spec())
}

/// A graduated table of per-unit tiers on a continuous axis:
/// `(upper bound or None, unit price)`, from 0.
fn graduated(tiers: &[(Option<u64>, Decimal)]) -> TierTableSpec {
    let mut from = 0u64;
    let tiers = tiers
        .iter()
        .map(|&(to, unit_price)| {
            let tier = TierSpec::unit(from, to, unit_price);
            from = to.unwrap_or(from);
            tier
        })
        .collect();
    TierTableSpec {
        mode: TierMode::Graduated,
        tiers,
    }
}

/// The live plugin's traffic policy as a spec, with **illustrative** prices
/// (module docs): per GB of a day's traffic, mainland 0.20 up to 2000 GB,
/// 0.18 to 10,000 GB, 0.15 to 50,000 GB, 0.12 above; international and
/// Hong Kong/Macao/Taiwan 0.50, 0.45, 0.40, 0.35 on the same bounds. Per
/// Mbps of a day's peak bandwidth, mainland 0.65 up to 500 Mbps, 0.60 to
/// 5000 Mbps, 0.55 above; international 1.50, 1.40, 1.30. A switch takes
/// effect the next day.
pub fn live_traffic_spec() -> TrafficPolicySpec {
    let traffic = |prices: [i64; 4]| TariffSpec {
        unit: Unit::Gigabyte,
        tiers: graduated(&[
            (Some(2_000), fen(prices[0])),
            (Some(10_000), fen(prices[1])),
            (Some(50_000), fen(prices[2])),
            (None, fen(prices[3])),
        ]),
    };
    let bandwidth = |prices: [i64; 3]| TariffSpec {
        unit: Unit::Megabit,
        tiers: graduated(&[
            (Some(500), fen(prices[0])),
            (Some(5_000), fen(prices[1])),
            (None, fen(prices[2])),
        ]),
    };
    TrafficPolicySpec {
        locale: super::locale(),
        regions: vec![
            RegionTariffSpec {
                region: Region::Mainland,
                traffic: traffic([20, 18, 15, 12]),
                bandwidth: bandwidth([65, 60, 55]),
            },
            RegionTariffSpec {
                region: Region::International,
                traffic: traffic([50, 45, 40, 35]),
                bandwidth: bandwidth([150, 140, 130]),
            },
        ],
        switch_delay_days: TrafficPolicy::SWITCH_DELAY_DAYS,
    }
}

/// The live plugin's traffic policy, with **illustrative** prices (see
/// [`live_traffic_spec`]).
pub fn live_traffic() -> Result<TrafficPolicy, PolicyError> {
    TrafficPolicy::try_from(live_traffic_spec())
}

/// The live plugin's add-on policy as a spec, with **illustrative** prices
/// (module docs): transcoding per minute SD 0.025, HD 0.035, full HD 0.070,
/// 2K/4K 0.140; recording 30 per channel at the month's peak; snapshots
/// 0.10 per 1000; moderation 2.50 per 1000 items.
pub fn live_add_ons_spec() -> AddOnPolicySpec {
    let per_minute = |resolution, price| TranscodingPriceSpec {
        resolution,
        price: MeteredPriceSpec {
            unit: Unit::Minute,
            per: Decimal::ONE,
            price,
        },
    };
    AddOnPolicySpec {
        locale: super::locale(),
        transcoding: vec![
            per_minute(Resolution::Sd, mills(25)),
            per_minute(Resolution::Hd, mills(35)),
            per_minute(Resolution::FullHd, mills(70)),
            per_minute(Resolution::UltraHd, mills(140)),
        ],
        recording: MeteredPriceSpec {
            unit: Unit::Channel,
            per: Decimal::ONE,
            price: Decimal::from(30),
        },
        snapshots: MeteredPriceSpec {
            unit: Unit::Count,
            per: Decimal::from(1000),
            price: fen(10),
        },
        moderation: MeteredPriceSpec {
            unit: Unit::Count,
            per: Decimal::from(1000),
            price: fen(250),
        },
    }
}

/// The live plugin's add-on policy, with **illustrative** prices (see
/// [`live_add_ons_spec`]).
pub fn live_add_ons() -> Result<AddOnPolicy, PolicyError> {
    AddOnPolicy::try_from(live_add_ons_spec())
}
