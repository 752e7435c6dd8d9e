//! Regressions: each bug this suite found, named after its rule; R-USE-07's
//! draw order on both sides of the scan/sort switch.

use super::*;

pub(crate) fn same_after_json<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
}

/// The validated parts of a policy (de)serialize through their specs and
/// are validated again on the way in (R-USE-01, R-USE-03, R-USE-05,
/// R-USE-09).
#[test]
fn serde_validated_parts_of_the_usage_presets_round_trip() {
    let usage = presets::verification_usage().unwrap();
    same_after_json::<PriceList>(usage.prices());
    same_after_json::<Exemptions>(usage.exemptions());
    same_after_json::<Catalogue>(usage.catalogue());
    let traffic = presets::live_traffic().unwrap();
    for region in [Region::Mainland, Region::International] {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            same_after_json::<Tariff>(traffic.tariff(region, method).unwrap());
        }
    }
    // Validation on the way in: a bandwidth tariff whose last tier is bounded.
    let bounded = r#"{"currency":"CNY","unit":"Mbps","tiers":{"mode":"graduated","tiers":[{"from":"0","to":"10","unit_price":"1"}]}}"#;
    assert!(serde_json::from_str::<Tariff>(bounded).is_err());
    // A catalogue keeps its currency even with nothing priced in it.
    let empty = r#"{"currency":"JPY","validities":[30],"packages":[],"custom":null}"#;
    let catalogue: Catalogue = serde_json::from_str(empty).unwrap();
    assert_eq!(serde_json::to_string(&catalogue).unwrap(), empty);
}

/// R-USE-09: a method command at chrono's last instant, whose local day in
/// +08:00 does not exist, is refused naming R-USE-09 and the instant; it
/// used to panic inside `Zone::local_date`.
#[test]
fn r_use_09_a_method_command_where_the_local_day_does_not_exist_is_refused() {
    use billing_rules::Decider;
    use billing_rules::time::Zone;
    use billing_rules::usage::{BillingMethods, MethodCommand, TrafficPolicy};
    use billing_rules::{FigureValue, RuleId};
    use chrono::{DateTime, FixedOffset, Utc};

    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let beijing = presets::live_traffic().unwrap();
    let last = DateTime::<Utc>::MAX_UTC;
    let err =
        BillingMethods::decide(&BillingMethods::initial(), &open, last, &beijing).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use09);
    assert_eq!(refusal.figure("now"), Some(&FigureValue::Instant(last)));
    assert_eq!(
        refusal
            .figure("time_zone")
            .map(ToString::to_string)
            .as_deref(),
        Some("+08:00")
    );
    // The same instant in UTC has a local day: the account opens on it.
    let mut spec = presets::live_traffic_spec();
    spec.locale.time_zone = Zone::UTC;
    let utc = TrafficPolicy::try_from(spec.clone()).unwrap();
    let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, last, &utc).unwrap();
    assert_eq!(
        state.method_on(last.date_naive()),
        Some(BillingMethod::Traffic)
    );
    // chrono's first instant: fine east of UTC, refused west of it.
    let first = DateTime::<Utc>::MIN_UTC;
    assert!(BillingMethods::decide(&BillingMethods::initial(), &open, first, &beijing).is_ok());
    spec.locale.time_zone = Zone::new(FixedOffset::west_opt(3600).unwrap());
    let west = TrafficPolicy::try_from(spec).unwrap();
    let err = BillingMethods::decide(&BillingMethods::initial(), &open, first, &west).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use09));
}

/// R-USE-08: a per-call price so large that paying a package's calls per
/// call overflows still plans: every package beats it. The planner used to
/// fail with an overflow while comparing each package with the per-call
/// price.
#[test]
fn r_use_08_a_per_call_price_too_large_to_multiply_still_plans() {
    use billing_rules::time::Days;
    use billing_rules::usage::{Component, Forecast, PlanLine, UsagePolicy};
    use rust_decimal::Decimal;

    let mut spec = presets::verification_usage_spec();
    spec.prices[0].price = Decimal::MAX;
    spec.catalogue.custom = None;
    let policy = UsagePolicy::try_from(spec).unwrap();
    let forecast = Forecast::new(Component::QuickVerification, 1, Days(365));
    let best = policy.plan(&forecast).unwrap();
    assert_eq!(best.total.to_string(), "CNY 30.00");
    assert!(matches!(
        best.lines[..],
        [PlanLine::Package {
            calls: 1000,
            count: 1,
            ..
        }]
    ));
    assert_eq!(best.pay_per_call.amount(), Decimal::MAX);
    assert_eq!(best.saving.amount(), Decimal::MAX - Decimal::from(30));
}

/// R-USE-05: a catalogue of a million listed packages builds and quotes;
/// building used to compare every package with every other (hours for
/// 10^6), and an unlisted size's refusal listed every size.
#[test]
fn r_use_05_a_catalogue_of_a_million_packages_builds_and_quotes() {
    use billing_rules::RuleId;
    use billing_rules::money::Currency;
    use billing_rules::usage::{CatalogueSpec, PackageOrder, PackageSpec};
    use rust_decimal::Decimal;

    let spec = CatalogueSpec {
        validities: vec![365, 90],
        packages: (1..=1_000_000u64)
            .map(|k| PackageSpec {
                calls: 1000 * k,
                price: Decimal::from(29 * k),
                list_price: None,
                validity_days: 365,
            })
            .collect(),
        custom: None,
    };
    let catalogue = Catalogue::try_from(spec.clone().in_currency(Currency::CNY)).unwrap();
    let quote = catalogue
        .quote(&PackageOrder::listed(777_777_000, 365))
        .unwrap();
    assert_eq!(quote.price.amount(), Decimal::from(29 * 777_777));
    let err = catalogue
        .quote(&PackageOrder::listed(999, 365))
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Use05));
    let message = err.to_string();
    assert!(message.contains("1000, 2000, 3000"), "{message}");
    assert!(message.contains("and 999988 more"), "{message}");
    // The last package repeats the first: refused, naming the index.
    let mut twice = spec;
    twice.packages.push(twice.packages[0].clone());
    let err = Catalogue::try_from(twice.clone().in_currency(Currency::CNY)).unwrap_err();
    assert!(
        err.to_string()
            .contains("catalogue.packages[1000000].calls"),
        "{err}"
    );
}

/// R-USE-08: a catalogue of a million sizes plans when its tables are
/// small, and is refused naming R-USE-08 and the step count when they are
/// not; both used to run for hours (a pairwise scan of the sizes, then a
/// table of 10^6 entries relaxed by each of 10^6 sizes).
#[test]
fn r_use_08_a_million_package_sizes_plan_or_are_refused_quickly() {
    use billing_rules::time::Days;
    use billing_rules::usage::{Component, Forecast, PackageSpec, Plan, UsagePolicy};
    use billing_rules::{FigureValue, RuleId};
    use rust_decimal::Decimal;

    let with_prices = |price: fn(u64) -> Decimal| {
        let mut spec = presets::verification_usage_spec();
        spec.catalogue.packages = (1..=1_000_000u64)
            .map(|k| PackageSpec {
                calls: 1000 * k,
                price: price(k),
                list_price: None,
                validity_days: 365,
            })
            .collect();
        UsagePolicy::try_from(spec).unwrap()
    };
    let forecast = Forecast::new(Component::QuickVerification, 123_456_789, Days(365));
    // The smallest size has the best rate (29.01 k - 0.01 for k x 1000
    // calls): the table has one entry. 123,456 packages of 1000 at 29, and
    // 789 calls at 0.03.
    let smallest_best = with_prices(|k| Decimal::new(2901 * k as i64 - 1, 2));
    let best = smallest_best.plan(&forecast).unwrap();
    assert_eq!(best.total.to_string(), "CNY 3580247.67");
    // Every size at 0.029 a call: the best is the largest, 10^6 entries for
    // each of 10^6 sizes.
    let flat = with_prices(|k| Decimal::from(29 * k));
    let err = flat.plan(&forecast).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use08);
    assert_eq!(
        refusal.figure("work_limit"),
        Some(&FigureValue::Count(Plan::WORK_LIMIT))
    );
    assert_eq!(
        refusal.figure("package_sizes"),
        Some(&FigureValue::Count(1_000_001))
    );
}

/// R-USE-07: a Consume spanning a wallet of a million packages draws them
/// all, expiring first first, in one pass; it used to scan the wallet once
/// per package drawn (10^12 steps).
#[test]
fn r_use_07_a_consume_spanning_a_million_packages_draws_them_in_order() {
    use billing_rules::Decider;
    use billing_rules::money::Money;
    use billing_rules::time::Days;
    use billing_rules::usage::{
        CallCounts, Component, PackageId, PackageOrder, PackageWallet, Purchase, WalletCommand,
        WalletEvent,
    };
    use chrono::{Duration, TimeZone, Utc};
    use rust_decimal::Decimal;

    let policy = presets::verification_usage().unwrap();
    let now = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let mut state = PackageWallet::initial();
    for i in 0..1_000_000u32 {
        // Package i expires i seconds before package i - 1 (and the last
        // two at the same instant: the one bought first goes first).
        let effective_at = now - Duration::seconds(i64::from(i.min(999_998)));
        let purchase = Purchase {
            package: PackageId(i),
            order: PackageOrder::listed(1000, 365),
            calls: 1000,
            validity: Days(365),
            price: Money::cny(Decimal::from(30)),
            paid_at: effective_at,
            effective_at,
            expires_at: effective_at + Duration::days(365),
        };
        state = PackageWallet::evolve(state, &WalletEvent::Purchased(purchase));
    }
    let consume = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(999_999_999 + 1000),
        at: now,
    };
    let events = PackageWallet::decide(&state, &consume, now, &policy).unwrap();
    let [WalletEvent::Consumed(c)] = &events[..] else {
        panic!("one consumption")
    };
    assert_eq!(c.from_trial, 1000);
    assert_eq!(c.draws.len(), 1_000_000);
    assert_eq!(c.draws[0].package, PackageId(999_998));
    assert_eq!(c.draws[1].package, PackageId(999_999));
    assert_eq!(c.draws[2].package, PackageId(999_997));
    assert_eq!(c.draws[999_999].package, PackageId(0));
    assert_eq!(c.draws[999_999].calls, 999);
    assert_eq!((c.overage, c.from_packages()), (0, 999_999_999));
}

/// R-USE-09: a negative day is refused naming R-USE-09 in any unit; one
/// too large to convert into the tariff's unit used to be an overflow
/// error that did not say the day was negative.
#[test]
fn r_use_09_a_negative_day_is_refused_before_its_unit_is_converted() {
    use billing_rules::quantity::{Quantity, Unit};
    use billing_rules::usage::DayUsage;
    use billing_rules::{FigureValue, RuleId};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    let policy = presets::live_traffic().unwrap();
    let traffic = Quantity::new(Decimal::MIN, Unit::Terabyte);
    let day = DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic,
        peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Megabit),
    };
    let err = policy.settle_day(BillingMethod::Traffic, &day).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use09);
    assert_eq!(
        refusal.figure("quantity"),
        Some(&FigureValue::Quantity(traffic))
    );
    // The bandwidth is positive: that way the day settles.
    let charge = policy
        .settle_day(BillingMethod::PeakBandwidth, &day)
        .unwrap();
    assert_eq!(charge.total.to_string(), "CNY 0.65");
}

/// R-USE-10: a metered price refuses a negative quantity; it used to
/// price -1000 snapshots as a charge of -0.10.
#[test]
fn r_use_10_a_metered_price_refuses_a_negative_quantity() {
    use billing_rules::quantity::{Quantity, Unit};
    use billing_rules::{FigureValue, RuleId};
    use rust_decimal::Decimal;

    let policy = presets::live_add_ons().unwrap();
    let minus = Quantity::new(Decimal::from(-1000), Unit::Count);
    let err = policy.snapshots().charge(minus).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use10);
    assert_eq!(
        refusal.figure("quantity"),
        Some(&FigureValue::Quantity(minus))
    );
    let plus = Quantity::new(Decimal::from(1000), Unit::Count);
    assert_eq!(
        policy.snapshots().charge(plus).unwrap().to_string(),
        "CNY 0.10"
    );
    let zero = Quantity::new(Decimal::ZERO, Unit::Count);
    assert!(policy.snapshots().charge(zero).unwrap().is_zero());
}

// ===========================================================================
// R-USE-07 draw order on both sides of the scan/sort switch
// ===========================================================================

proptest! {
    /// R-USE-07: whatever the wallet's size, a Consume draws the drawable
    /// packages in (expiry, purchase) order, one per key, as a reference
    /// sort says; wallets of 0 to 60 packages cross the point where the
    /// decider stops scanning and sorts.
    #[test]
    fn r_use_07_draws_follow_expiry_then_purchase_order_in_wallets_of_any_size(
        packages in prop::collection::vec((0i64..40, 0i64..3, 1u64..5, any::<bool>()), 0..60),
        wanted in 0u64..300,
    ) {
        let policy = usage_with(|s| s.trial_quota = 0);
        let now = utc(2024, 3, 1, 0);
        let mut state = PackageWallet::initial();
        for (i, &(expires_in, starts_before, calls, expired)) in packages.iter().enumerate() {
            let effective_at = now - Duration::days(starts_before);
            let id = PackageId(i as u32);
            state = PackageWallet::evolve(state, &WalletEvent::Purchased(Purchase {
                package: id,
                order: PackageOrder::custom(calls, 90),
                calls,
                validity: Days(90),
                price: Money::cny(Decimal::ONE),
                paid_at: effective_at,
                effective_at,
                // Many packages share an expiry: ties go to the one bought first.
                expires_at: now + Duration::hours(expires_in) - Duration::hours(20),
            }));
            if expired {
                state = PackageWallet::evolve(state, &WalletEvent::Expired(Expiry {
                    package: id,
                    expired_at: now,
                    lost: calls,
                }));
            }
        }
        let mut reference: Vec<&HeldPackage> =
            state.packages().iter().filter(|p| p.drawable_at(now)).collect();
        reference.sort_by_key(|p| (p.expires_at(), p.id()));
        let mut left = wanted;
        let mut expected = Vec::new();
        for p in reference {
            if left == 0 {
                break;
            }
            let take = left.min(p.remaining());
            expected.push(Draw { package: p.id(), calls: take });
            left -= take;
        }
        let events = PackageWallet::decide(&state, &consume(QUICK, wanted, now), now, &policy)
            .map_err(fail)?;
        match &events[..] {
            [] => prop_assert_eq!(wanted, 0),
            [WalletEvent::Consumed(c)] => {
                prop_assert_eq!(&c.draws, &expected);
                prop_assert_eq!(c.overage, left);
            }
            other => return Err(fail(format!("{other:?}"))),
        }
    }
}
