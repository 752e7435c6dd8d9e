//! Presets of the per-use area (R-USE-01..10).
//!
//! - [`verification`]: the verification component's published figures:
//!   0.03 a successful quick verification and 0.04 a real-time one
//!   (R-USE-01), 1000 trial calls per app account (R-USE-02), government and
//!   non-profit organisations exempt and public institutions exempt in
//!   government services or public livelihood (R-USE-03), billing from
//!   2023-08-26 00:00 +08:00 (R-USE-06), the published 365-day package table
//!   with validities of 365, 180 and 90 days and custom packages at 0.03 a
//!   call (R-USE-05), uncovered calls billed per call (R-USE-07, a
//!   **Decision**).
//! - [`live_traffic`] and [`live_add_ons`]: the live plugin's regional
//!   traffic and bandwidth tiers (R-USE-09) and add-on prices (R-USE-10).
//!   **These prices are illustrative.** The catalogue ([`RuleId`](crate::RuleId)) has the structure
//!   (graduated tiers by region, daily settlement, base-1000 units, the add-on
//!   units) but not the figures; replace them with the platform's price list
//!   before billing anyone. Nothing in this crate claims they are published.
//!
//! Each preset is built through the same validation as any policy, so it
//! returns a `Result`; the presets are tested to build.
//!
//! ```
//! use billing_rules::presets;
//!
//! let policy = presets::usage::verification()?;
//! assert_eq!(policy.trial_quota(), 1000);
//! assert_eq!(policy.catalogue().packages().len(), 9);
//! # Ok::<(), billing_rules::PolicyError>(())
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::policy::Locale;
use crate::pricing::{TierMode, TierSpec, TierTableSpec};
use crate::quantity::Unit;
use crate::usage::addons::{
    AddOnPolicy, AddOnPolicySpec, MeteredPriceSpec, Resolution, TranscodingPriceSpec,
};
use crate::usage::calls::{
    Category, CategoryExemptionSpec, Component, ComponentPriceSpec, ExemptionsSpec, Organisation,
};
use crate::usage::catalogue::{CatalogueSpec, CustomPackagesSpec, PackageSpec};
use crate::usage::policy::{UsagePolicy, UsagePolicySpec, WhenExhausted};
use crate::usage::traffic::{
    Region, RegionTariffSpec, TariffSpec, TrafficPolicy, TrafficPolicySpec,
};

/// `n / 100` (a price in fen).
fn fen(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// `n / 1000`.
fn mills(n: i64) -> Decimal {
    Decimal::new(n, 3)
}

/// The published billing start, 2023-08-26 00:00 +08:00, which is
/// 2023-08-25 16:00 UTC (R-USE-06).
///
/// Built at compile time: the date is valid, so the fallback arm (the
/// earliest instant, which would bill every call) is never taken; a test
/// pins the value.
const BILLING_START: DateTime<Utc> = match NaiveDate::from_ymd_opt(2023, 8, 25) {
    Some(day) => match day.and_hms_opt(16, 0, 0) {
        Some(instant) => instant.and_utc(),
        None => DateTime::<Utc>::MIN_UTC,
    },
    None => DateTime::<Utc>::MIN_UTC,
};

/// The published billing start, 2023-08-26 00:00 +08:00 (R-USE-06).
///
/// ```
/// assert_eq!(
///     billing_rules::presets::usage::billing_start().to_rfc3339(),
///     "2023-08-25T16:00:00+00:00"
/// );
/// ```
pub fn billing_start() -> DateTime<Utc> {
    BILLING_START
}

/// The published 365-day package table (R-USE-05): calls, price, list price.
const PUBLISHED_365: [(u64, i64, Option<i64>); 9] = [
    (1_000, 30, None),
    (5_000, 150, None),
    (10_000, 300, None),
    (50_000, 1_500, None),
    (100_000, 3_000, None),
    (500_000, 15_000, None),
    (1_000_000, 28_000, Some(30_000)),
    (5_000_000, 140_000, Some(150_000)),
    (10_000_000, 270_000, Some(300_000)),
];

/// The verification component's policy as a spec (see the module docs).
pub fn verification_spec() -> UsagePolicySpec {
    UsagePolicySpec {
        locale: Locale::default(),
        billing_start: billing_start(),
        prices: vec![
            ComponentPriceSpec {
                component: Component::QuickVerification,
                price: fen(3),
            },
            ComponentPriceSpec {
                component: Component::RealTimeVerification,
                price: fen(4),
            },
        ],
        trial_quota: 1000,
        exemptions: ExemptionsSpec {
            organisations: vec![Organisation::Government, Organisation::NonProfit],
            by_category: vec![CategoryExemptionSpec {
                organisation: Organisation::PublicInstitution,
                categories: vec![Category::GovernmentServices, Category::PublicLivelihood],
            }],
        },
        catalogue: CatalogueSpec {
            validities: vec![365, 180, 90],
            packages: PUBLISHED_365
                .iter()
                .map(|&(calls, price, list)| PackageSpec {
                    calls,
                    price: Decimal::from(price),
                    list_price: list.map(Decimal::from),
                    validity_days: 365,
                })
                .collect(),
            custom: Some(CustomPackagesSpec { unit_price: fen(3) }),
        },
        when_exhausted: WhenExhausted::PerCall,
    }
}

/// The verification component's policy (see the module docs).
pub fn verification() -> Result<UsagePolicy, PolicyError> {
    UsagePolicy::try_from(verification_spec())
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
        locale: Locale::default(),
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
        switch_delay_days: 1,
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
        locale: Locale::default(),
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
