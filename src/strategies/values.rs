//! Strategies for values and policies: amounts, instants, seat policies
//! and orders, usage policies and package orders.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::money::{Money, RoundingMode};
use crate::presets;
use crate::pricing::{
    BonusAmount, BonusSpec, CreditGranularity, CreditRule, CurrentPurchase, DiscountSpec,
    PricingSpec, SeatOrder, SeatPolicy, SeatPolicySpec, TierMode, TierSpec, TierTableSpec,
};
use crate::time::{Period, Zone};
use crate::usage::{
    CatalogueSpec, Component, ComponentPriceSpec, CustomPackagesSpec, ExemptionsSpec, PackageOrder,
    PackageSpec, UsagePolicy, UsagePolicySpec, WhenExhausted,
};

/// 2020-01-01T00:00:00Z.
const FROM_2020: i64 = 1_577_836_800;
/// 2030-01-01T00:00:00Z.
const TO_2030: i64 = 1_893_456_000;

/// An amount in fen, 0 to 10,000.00 (zero one time in ten).
pub fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        1 => Just(Decimal::ZERO),
        9 => (0i64..=1_000_000).prop_map(|fen| Decimal::new(fen, 2)),
    ]
}

/// An instant from 2020 to 2030, to the second.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (FROM_2020..TO_2030)
        .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH))
}

/// Any tier mode.
pub fn tier_mode() -> impl Strategy<Value = TierMode> {
    prop::sample::select(TierMode::ALL.to_vec())
}

/// Any rounding mode.
pub fn rounding_mode() -> impl Strategy<Value = RoundingMode> {
    prop::sample::select(RoundingMode::ALL.to_vec())
}

/// Contiguous tiers on the seat axis from seat 1, 1 to 6 of them, each
/// with a flat amount, a unit price, or both; the last unbounded.
pub fn seat_tiers() -> impl Strategy<Value = Vec<TierSpec>> {
    prop::collection::vec(
        (
            1u64..=300,
            prop::option::of(amount()),
            prop::option::of(amount()),
        ),
        1..=6,
    )
    .prop_map(|raw| {
        let last = raw.len().saturating_sub(1);
        let mut from = 1u64;
        raw.into_iter()
            .enumerate()
            .map(|(i, (width, flat, unit))| {
                // A tier with neither price is no tier: one yuan a seat.
                let unit = if flat.is_none() && unit.is_none() {
                    Some(Decimal::ONE)
                } else {
                    unit
                };
                let to = (i < last).then(|| from + width - 1);
                let tier = TierSpec {
                    from: Decimal::from(from),
                    to: to.map(Decimal::from),
                    flat,
                    unit_price: unit,
                };
                from += width;
                tier
            })
            .collect()
    })
}

/// Any valid seat policy spec around the app store's preset: a unit price
/// or tiers, discounts (factor 0.70 to 1.00, R-SEAT-04) or bonuses (up to
/// 35 %, R-SEAT-05) on distinct durations, seat limits, a cap, any
/// rounding, day or second credit. Every spec it gives builds.
pub fn seat_policy_spec() -> impl Strategy<Value = SeatPolicySpec> {
    let pricing = prop_oneof![
        amount().prop_map(|unit_price| PricingSpec::UnitPrice { unit_price }),
        (tier_mode(), seat_tiers())
            .prop_map(|(mode, tiers)| PricingSpec::Tiered(TierTableSpec { mode, tiers })),
    ];
    (
        pricing,
        prop_oneof![Just(Period::Year), Just(Period::Month)],
        prop::collection::btree_map(1u32..=6, (any::<bool>(), 70i64..=100, 0u32..=35), 0..4),
        prop::option::of((1u32..=50, 0u32..=2000)),
        prop::option::of(amount()),
        rounding_mode(),
        (rounding_mode(), any::<bool>()),
    )
        .prop_map(
            |(pricing, period, offers, limits, cap, final_rounding, (credit_rounding, seconds))| {
                let mut spec = presets::app_store_seat_pricing_spec();
                spec.pricing = pricing;
                spec.period = period;
                spec.discounts.clear();
                for (periods, (is_discount, factor, percent)) in offers {
                    if is_discount {
                        spec.discounts.push(DiscountSpec {
                            periods,
                            factor: Decimal::new(factor, 2),
                        });
                    } else {
                        spec.bonuses.push(BonusSpec {
                            periods,
                            bonus: BonusAmount::Percent(percent.into()),
                        });
                    }
                }
                if let Some((min, extra)) = limits {
                    spec.min_seats = Some(min);
                    spec.max_seats = Some(min + extra);
                }
                spec.max_total = cap;
                spec.locale.rounding = final_rounding;
                spec.upgrade = CreditRule {
                    granularity: if seconds {
                        CreditGranularity::Second
                    } else {
                        CreditGranularity::Day
                    },
                    rounding: credit_rounding,
                };
                spec
            },
        )
}

/// A seat policy built from [`seat_policy_spec`].
pub fn seat_policy() -> impl Strategy<Value = SeatPolicy> {
    seat_policy_spec().prop_filter_map("a seat policy that builds", |spec| {
        SeatPolicy::try_from(spec).ok()
    })
}

/// A seat order: 1 to 2,999 seats, 1 to 6 periods, starting at once.
/// Some fall outside a policy's seat limits (refused, R-SEAT-07).
pub fn seat_order() -> impl Strategy<Value = SeatOrder> {
    (1u32..3000, 1u32..=6).prop_map(|(seats, periods)| SeatOrder::new(seats, periods))
}

/// A purchase that is running or was: paid [`amount`], from an
/// [`instant`], 1 to 800 days long.
pub fn current_purchase() -> impl Strategy<Value = CurrentPurchase> {
    (amount(), instant(), 1i64..800).prop_map(|(paid, start, days)| CurrentPurchase {
        paid: Money::cny(paid),
        start,
        end: start + chrono::Duration::days(days),
    })
}

/// A per-call price: 0 to 10.0000 yuan.
fn call_price() -> impl Strategy<Value = Decimal> {
    (0i64..=100_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s))
}

/// A time zone a policy's JSON can hold: Beijing, UTC, or a whole-minute
/// offset.
fn zone() -> impl Strategy<Value = Zone> {
    prop_oneof![
        3 => Just(Zone::BEIJING),
        1 => Just(Zone::UTC),
        2 => (-1439i32..=1439).prop_filter_map("a whole-minute offset", |m| {
            chrono::FixedOffset::east_opt(m * 60).map(Zone::new)
        }),
    ]
}

/// A package catalogue: the verification preset's, or 1 to 3 validities
/// with up to 5 packages on them and maybe custom packages.
fn catalogue_spec() -> impl Strategy<Value = CatalogueSpec> {
    let preset = presets::verification_usage_spec().catalogue;
    prop_oneof![
        2 => Just(preset),
        3 => (
            prop::collection::btree_set(prop_oneof![Just(30u32), Just(90), Just(180), Just(365), 1u32..=730], 1..4),
            prop::collection::vec(
                (1u64..=100_000, call_price(), any::<prop::sample::Index>()),
                0..6,
            ),
            prop::option::of(call_price()),
        )
            .prop_map(|(validities, packages, custom)| {
                let validities: Vec<u32> = validities.into_iter().collect();
                CatalogueSpec {
                    packages: packages
                        .into_iter()
                        .map(|(calls, price, v)| PackageSpec {
                            calls,
                            price,
                            list_price: None,
                            validity_days: validities
                                .get(v.index(validities.len()))
                                .copied()
                                .unwrap_or(365),
                        })
                        .collect(),
                    validities,
                    custom: custom.map(|unit_price| CustomPackagesSpec { unit_price }),
                }
            }),
    ]
}

/// A usage policy spec around the verification preset: its billing start
/// or another, per-call prices, a trial quota of 0 to 5,000, either rule
/// for exhausted packages, a catalogue, a zone, with or without the
/// exemptions. Most build; [`usage_policy`] keeps those that do.
pub fn usage_policy_spec() -> impl Strategy<Value = UsagePolicySpec> {
    (
        prop_oneof![3 => Just(UsagePolicy::BILLING_START), 2 => instant()],
        (
            prop::option::weighted(0.9, call_price()),
            prop::option::weighted(0.9, call_price()),
        ),
        prop_oneof![Just(0u64), Just(1000), 0u64..5000],
        prop::sample::select(vec![WhenExhausted::PerCall, WhenExhausted::Refuse]),
        catalogue_spec(),
        zone(),
        any::<bool>(),
    )
        .prop_map(
            |(start, (quick, real_time), trial, exhausted, catalogue, zone, exempt)| {
                let mut spec = presets::verification_usage_spec();
                spec.billing_start = start;
                spec.prices = [
                    (Component::QuickVerification, quick),
                    (Component::RealTimeVerification, real_time),
                ]
                .into_iter()
                .filter_map(|(component, price)| {
                    price.map(|price| ComponentPriceSpec { component, price })
                })
                .collect();
                spec.trial_quota = trial;
                spec.when_exhausted = exhausted;
                spec.catalogue = catalogue;
                spec.locale.time_zone = zone;
                if !exempt {
                    spec.exemptions = ExemptionsSpec::default();
                }
                spec
            },
        )
}

/// A usage (package) policy built from [`usage_policy_spec`].
pub fn usage_policy() -> impl Strategy<Value = UsagePolicy> {
    usage_policy_spec().prop_filter_map("a usage policy that builds", |spec| {
        UsagePolicy::try_from(spec).ok()
    })
}

/// A package order: mostly one the verification preset lists, sometimes a
/// custom size on one of its validities (a policy without custom packages
/// refuses it, R-USE-05).
pub fn package_order() -> impl Strategy<Value = PackageOrder> {
    let listed: Vec<PackageOrder> = CatalogueSpec::PACKAGES_365
        .iter()
        .map(|p| PackageOrder::listed(p.calls, p.validity_days))
        .collect();
    prop_oneof![
        4 => prop::sample::select(listed),
        1 => (1u64..=200_000, prop::sample::select(CatalogueSpec::VALIDITIES.to_vec()))
            .prop_map(|(calls, days)| PackageOrder::custom(calls, days)),
    ]
}
