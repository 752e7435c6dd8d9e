//! 3. Extremes are error values, not wraps or panics.

use super::*;

pub(crate) fn usage_with(change: impl FnOnce(&mut UsagePolicySpec)) -> UsagePolicy {
    let mut spec = presets::verification_usage_spec();
    change(&mut spec);
    UsagePolicy::try_from(spec).unwrap()
}

pub(crate) fn is_arithmetic(result: &Result<impl Debug, Error>) -> bool {
    matches!(result, Err(Error::Arithmetic { .. }))
}

pub(crate) fn refused_by<T: Debug>(result: &Result<T, Error>, rule: RuleId) -> bool {
    match result {
        Err(e) => e.refusal().is_some_and(|r| r.rule() == rule),
        Ok(_) => false,
    }
}

pub(crate) fn listed(calls: u64, price: Decimal, validity_days: u32) -> PackageSpec {
    PackageSpec {
        calls,
        price,
        list_price: None,
        validity_days,
    }
}

pub(crate) fn consume(component: Component, succeeded: u64, at: DateTime<Utc>) -> WalletCommand {
    WalletCommand::Consume {
        component,
        calls: CallCounts::succeeded(succeeded),
        at,
    }
}

pub(crate) const QUICK: Component = Component::QuickVerification;

/// R-USE-05: a package priced at `Decimal::MAX` is sold at that price; a
/// plan that would need two of them is an overflow error.
#[test]
fn extremes_package_price_at_decimal_max() {
    let policy = usage_with(|s| {
        s.catalogue.packages = vec![PackageSpec {
            list_price: Some(Decimal::MAX),
            ..listed(1, Decimal::MAX, 365)
        }];
        s.catalogue.custom = None;
        s.when_exhausted = WhenExhausted::Refuse;
        s.prices[0].price = Decimal::ONE;
    });
    let quote = policy
        .catalogue()
        .quote(&PackageOrder::listed(1, 365))
        .unwrap();
    assert_eq!(quote.price.amount(), Decimal::MAX);
    let now = utc(2024, 3, 1, 0);
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1, 365),
    };
    let (state, _) = PackageWallet::run(&PackageWallet::initial(), &buy, now, &policy).unwrap();
    assert_eq!(state.packages()[0].price().amount(), Decimal::MAX);
    let one = policy.plan(&Forecast::new(QUICK, 1, Days(365))).unwrap();
    assert_eq!(one.total.amount(), Decimal::MAX);
    // Paying 1 per call would cost 1: the saving is 1 - MAX.
    assert_eq!(one.saving.amount(), Decimal::ONE - Decimal::MAX);
    assert!(is_arithmetic(&policy.plan(&Forecast::new(
        QUICK,
        2,
        Days(365)
    ))));
}

/// R-USE-01: a per-call price at `Decimal::MAX` bills one call at that
/// price; two calls overflow and are refused as an error, changing nothing.
/// The planner still plans: every package beats that price.
#[test]
fn extremes_per_call_price_at_decimal_max() {
    let policy = usage_with(|s| {
        s.prices[0].price = Decimal::MAX;
        s.trial_quota = 0;
        s.catalogue.custom = None;
    });
    let now = utc(2024, 3, 1, 0);
    let state = PackageWallet::initial();
    let (state, events) =
        PackageWallet::run(&state, &consume(QUICK, 1, now), now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.overage, c.charge.amount()), (1, Decimal::MAX));
    let two = PackageWallet::decide(&state, &consume(QUICK, 2, now), now, &policy);
    assert!(is_arithmetic(&two));
    let best = policy.plan(&Forecast::new(QUICK, 1, Days(365))).unwrap();
    assert_eq!(best.total.to_string(), "CNY 30.00");
}

/// R-USE-09: tier prices and bounds near `Decimal::MAX`.
#[test]
fn extremes_tier_prices_and_bounds_near_decimal_max() {
    let mut spec = presets::live_traffic_spec();
    let tiers = &mut spec.regions[0].traffic.tiers.tiers;
    tiers.truncate(1);
    tiers[0].to = Some(Decimal::MAX);
    tiers[0].unit_price = Some(Decimal::new(1, 2));
    tiers.push(billing_rules::pricing::TierSpec {
        from: Decimal::MAX,
        to: None,
        flat: None,
        unit_price: Some(Decimal::MAX),
    });
    let policy = TrafficPolicy::try_from(spec).unwrap();
    let day = |value: Decimal, unit: Unit| DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic: Quantity::new(value, unit),
        peak_bandwidth: Quantity::new(Decimal::ZERO, Unit::Megabit),
    };
    // All of Decimal::MAX GB in the first tier, at 0.01.
    let all = policy
        .settle_day(BillingMethod::Traffic, &day(Decimal::MAX, Unit::Gigabyte))
        .unwrap();
    assert_eq!(all.exact.amount(), Decimal::MAX * Decimal::new(1, 2));
    assert_eq!(all.parts.len(), 1);
    // Decimal::MAX TB does not fit in GB: an error, not a wrap.
    let tb = policy.settle_day(BillingMethod::Traffic, &day(Decimal::MAX, Unit::Terabyte));
    assert!(is_arithmetic(&tb));
    // The preset's 0.12 a GB on Decimal::MAX / 1000 TB overflows.
    let preset = live_traffic();
    let huge = day(Decimal::MAX / Decimal::from(1000), Unit::Terabyte);
    assert!(is_arithmetic(
        &preset.settle_day(BillingMethod::Traffic, &huge)
    ));
    // A negative day is refused naming R-USE-09.
    let negative = day(Decimal::MIN, Unit::Terabyte);
    assert!(refused_by(
        &preset.settle_day(BillingMethod::Traffic, &negative),
        RuleId::Use09
    ));
}

/// R-USE-08: forecasts of 10^18 and u64::MAX calls plan exactly, or fail
/// as an overflow when the cover cannot be counted in a u64.
#[test]
fn extremes_forecasts_of_10_pow_18_and_u64_max_calls() {
    let policy = verification();
    let big = policy
        .plan(&Forecast::new(QUICK, 1_000_000_000_000_000_000, Days(365)))
        .unwrap();
    // 10^11 packages of 10,000,000 at 270,000.
    assert_eq!(big.total.to_string(), "CNY 27000000000000000.00");
    assert_eq!(big.covered, 1_000_000_000_000_000_000);
    // u64::MAX: 1,844,674,407,370 packages of 10M, one of 5M, four of 1M
    // and 551,615 calls at 0.03 (per call, or in a custom package).
    let max = policy
        .plan(&Forecast::new(QUICK, u64::MAX, Days(365)))
        .unwrap();
    assert_eq!(max.covered, u64::MAX);
    assert_eq!(max.total.to_string(), "CNY 498062089990168548.45");
    assert_eq!(max.pay_per_call.to_string(), "CNY 553402322211286548.45");
    let refuse = usage_with(|s| s.when_exhausted = WhenExhausted::Refuse);
    let custom = refuse
        .plan(&Forecast::new(QUICK, u64::MAX, Days(365)))
        .unwrap();
    assert_eq!(custom.total, max.total);
    // With packages only, covering u64::MAX calls needs more than u64::MAX
    // calls: an overflow error, not a wrapped count.
    let packages_only = usage_with(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = None;
    });
    let max = packages_only.plan(&Forecast::new(QUICK, u64::MAX, Days(365)));
    assert!(is_arithmetic(&max), "{max:?}");
    let horizon = policy.plan(&Forecast::new(QUICK, u64::MAX, Days(u32::MAX)));
    assert!(refused_by(&horizon, RuleId::Use08));
}

/// R-USE-07: a Consume of u64::MAX successful and u64::MAX failed calls
/// accounts for every call.
#[test]
fn extremes_consume_of_u64_max_calls() {
    let policy = verification();
    let now = utc(2024, 3, 1, 0);
    let mut run_state = PackageWallet::initial();
    for size in [10_000_000, 5_000_000] {
        let buy = WalletCommand::Purchase {
            order: PackageOrder::listed(size, 365),
        };
        run_state = PackageWallet::run(&run_state, &buy, now, &policy)
            .unwrap()
            .0;
    }
    let all = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts {
            succeeded: u64::MAX,
            failed: u64::MAX,
        },
        at: now,
    };
    let (state, events) = PackageWallet::run(&run_state, &all, now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.from_trial, c.from_packages()), (1000, 15_000_000));
    assert_eq!(c.overage, u64::MAX - 15_001_000);
    assert_eq!(
        c.charge.amount(),
        Decimal::from(u64::MAX - 15_001_000) * Decimal::new(3, 2)
    );
    assert!(state.packages().iter().all(|p| p.remaining() == 0));
    let refuse = usage_with(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (_, events) = PackageWallet::run(&run_state, &all, now, &refuse).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.refused, u64::MAX - 15_001_000);
    // A custom package of u64::MAX calls costs 0.03 x u64::MAX.
    let buy = WalletCommand::Purchase {
        order: PackageOrder::custom(u64::MAX, 90),
    };
    let (state, _) = PackageWallet::run(&PackageWallet::initial(), &buy, now, &policy).unwrap();
    assert_eq!(
        state.packages()[0].price().to_string(),
        "CNY 553402322211286548.45"
    );
}

/// R-USE-05, R-USE-08: a policy whose catalogue lists 10^6 packages
/// builds, sells its last package and a custom one, and plans with per-call
/// billing off.
#[test]
fn extremes_million_packages_in_a_catalogue() {
    // The smallest size has the best rate (29.01 k - 0.01 for k x 1000
    // calls): a one-entry table.
    let policy = usage_with(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = Some(CustomPackagesSpec {
            unit_price: Decimal::new(3, 2),
        });
        s.catalogue.packages = (1..=1_000_000u64)
            .map(|k| listed(1000 * k, Decimal::new(2901 * k as i64 - 1, 2), 365))
            .collect();
    });
    assert_eq!(policy.catalogue().packages().len(), 1_000_000);
    let now = utc(2024, 3, 1, 0);
    let mut run = WalletRun::new(&policy);
    for order in [
        PackageOrder::listed(1_000_000_000, 365),
        PackageOrder::custom(1, 365),
    ] {
        assert!(run.step(&WalletCommand::Purchase { order }, now).unwrap());
    }
    assert_eq!(
        run.state.packages()[0].price().to_string(),
        "CNY 29009999.99"
    );
    let best = policy
        .plan(&Forecast::new(QUICK, 123_456_789, Days(365)))
        .unwrap();
    // Custom packages at 0.03 cover the 789 calls left over. (Every size at
    // one rate is refused naming R-USE-08: see
    // r_use_08_a_million_package_sizes_plan_or_are_refused_quickly.)
    assert_eq!(best.total.to_string(), "CNY 3580247.67");
    assert!(matches!(
        best.lines.last(),
        Some(PlanLine::Custom { calls: 789, .. })
    ));
}

/// R-USE-07: a wallet holding 10^6 packages draws a Consume across all of
/// them in R-USE-07 order, and expires them, without a quadratic scan.
#[test]
fn extremes_million_packages_in_a_wallet() {
    let policy = verification();
    let now = utc(2024, 3, 1, 0);
    let mut log = Vec::with_capacity(1_000_002);
    let mut state = PackageWallet::initial();
    for i in 0..1_000_000u32 {
        // Bought in reverse order of expiry, so the draw order is not the
        // purchase order.
        let effective_at = now - Duration::seconds(i64::from(i));
        let event = WalletEvent::Purchased(Purchase {
            package: PackageId(i),
            order: PackageOrder::listed(1000, 365),
            calls: 1000,
            validity: Days(365),
            price: Money::cny(Decimal::from(30)),
            paid_at: effective_at,
            effective_at,
            expires_at: effective_at + Duration::days(365),
        });
        state = PackageWallet::evolve(state, &event);
        log.push(event);
    }
    let all = consume(QUICK, u64::MAX, now);
    let events = PackageWallet::decide(&state, &all, now, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.draws.len(), 1_000_000);
    assert_eq!(c.draws[0].package, PackageId(999_999));
    assert_eq!(c.draws[999_999].package, PackageId(0));
    assert_eq!(c.from_packages(), 1_000_000_000);
    assert_eq!(c.overage, u64::MAX - 1_000_000_000 - 1000);
    for e in &events {
        state = PackageWallet::evolve(state, e);
    }
    log.extend(events);
    let expiries = PackageWallet::decide(
        &state,
        &WalletCommand::Advance,
        now + Duration::days(400),
        &policy,
    )
    .unwrap();
    assert_eq!(expiries.len(), 1_000_000);
    for e in &expiries {
        state = PackageWallet::evolve(state, e);
    }
    log.extend(expiries);
    assert_eq!(PackageWallet::replay(log.iter()), state);
}

/// R-USE-06, R-USE-07, R-USE-09: instants at chrono's first and last
/// instants are answered, never a panic.
#[test]
fn extremes_instants_at_chronos_limits() {
    let first = DateTime::<Utc>::MIN_UTC;
    let last = DateTime::<Utc>::MAX_UTC;
    let policy = verification();
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1000, 365),
    };
    // Paid at the last instant, it would expire after it: out of range.
    let at_last = PackageWallet::decide(&PackageWallet::initial(), &buy, last, &policy);
    assert!(is_arithmetic(&at_last));
    // Paid at the first instant, it takes effect at the billing start.
    let (state, events) =
        PackageWallet::run(&PackageWallet::initial(), &buy, first, &policy).unwrap();
    let WalletEvent::Purchased(p) = &events[0] else {
        panic!("a purchase")
    };
    assert_eq!(p.effective_at, policy.billing_start());
    // Calls at the first instant are before billing starts: waived.
    let (_, events) =
        PackageWallet::run(&state, &consume(QUICK, 5, first), first, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!(c.waived, 5);
    // At the last instant the package has expired: trial, then per call.
    let (state, events) =
        PackageWallet::run(&state, &consume(QUICK, 1005, last), last, &policy).unwrap();
    let WalletEvent::Consumed(c) = &events[0] else {
        panic!("a consumption")
    };
    assert_eq!((c.from_trial, c.from_packages(), c.overage), (1000, 0, 5));
    let (state, events) =
        PackageWallet::run(&state, &WalletCommand::Advance, last, &policy).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        state.packages()[0].status(),
        PackageStatus::Expired { lost: 1000 }
    );
    // A billing start at the last instant: every earlier call is waived.
    let late = usage_with(|s| s.billing_start = last);
    let (_, events) = PackageWallet::run(
        &PackageWallet::initial(),
        &consume(QUICK, 7, first),
        first,
        &late,
    )
    .unwrap();
    assert!(matches!(&events[0], WalletEvent::Consumed(c) if c.waived == 7));
    assert!(is_arithmetic(&PackageWallet::decide(
        &PackageWallet::initial(),
        &buy,
        first,
        &late
    )));
    // A package valid u32::MAX days cannot expire within the calendar.
    let forever = usage_with(|s| s.catalogue.validities.push(u32::MAX));
    let custom = WalletCommand::Purchase {
        order: PackageOrder::custom(10, u32::MAX),
    };
    assert!(is_arithmetic(&PackageWallet::decide(
        &PackageWallet::initial(),
        &custom,
        first,
        &forever
    )));
    // Method switches: a delay of u32::MAX days does not fit the calendar.
    let mut spec = presets::live_traffic_spec();
    spec.switch_delay_days = u32::MAX;
    let slow = TrafficPolicy::try_from(spec).unwrap();
    let open = MethodCommand::Open {
        method: BillingMethod::Traffic,
    };
    let (state, _) = BillingMethods::run(&BillingMethods::initial(), &open, first, &slow).unwrap();
    let switch = MethodCommand::Switch {
        to: BillingMethod::PeakBandwidth,
    };
    assert!(is_arithmetic(&BillingMethods::decide(
        &state, &switch, first, &slow
    )));
    // Settling the calendar's last and first days.
    let traffic = live_traffic();
    for date in [NaiveDate::MIN, NaiveDate::MAX] {
        let day = DayUsage {
            date,
            region: Region::International,
            traffic: Quantity::new(Decimal::from(3), Unit::Terabyte),
            peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Gigabit),
        };
        let charge = traffic.settle_day(BillingMethod::Traffic, &day).unwrap();
        assert_eq!(charge.date, date);
    }
}

/// R-USE-10: add-on prices and quantities near the limits.
#[test]
fn extremes_add_on_prices_and_quantities() {
    let mut spec = presets::live_add_ons_spec();
    spec.snapshots.per = Decimal::new(1, 28);
    spec.snapshots.price = Decimal::MAX;
    spec.moderation.price = Decimal::MAX;
    let policy = AddOnPolicy::try_from(spec).unwrap();
    let snaps = policy.charge(&AddOnUsage::Snapshots { count: u64::MAX });
    assert!(is_arithmetic(&snaps));
    let one = policy
        .charge(&AddOnUsage::Moderation { count: 1000 })
        .unwrap();
    assert_eq!(one.exact.amount(), Decimal::MAX);
    let two = policy.charge(&AddOnUsage::Moderation { count: 2000 });
    assert!(is_arithmetic(&two));
    let preset = live_add_ons();
    let minutes = AddOnUsage::Transcoding {
        resolution: Resolution::UltraHd,
        minutes: Quantity::new(Decimal::MAX, Unit::Minute),
    };
    assert!(is_arithmetic(&preset.charge(&minutes)));
    let negative = AddOnUsage::Transcoding {
        resolution: Resolution::Sd,
        minutes: Quantity::new(Decimal::MIN, Unit::Minute),
    };
    assert!(refused_by(&preset.charge(&negative), RuleId::Use10));
    let peak = preset
        .charge(&AddOnUsage::Recording {
            peak_channels: AddOnUsage::month_peak([u32::MAX, 0]),
        })
        .unwrap();
    assert_eq!(
        peak.exact.amount(),
        Decimal::from(u32::MAX) * Decimal::from(30)
    );
}

/// R-USE-01, R-USE-05, R-USE-08..10: empty price lists, catalogues,
/// regions, tiers and add-on lists are answered with the rule that needs
/// them, never a panic.
#[test]
fn extremes_empty_lists_are_answered_with_their_rule() {
    let now = utc(2024, 3, 1, 0);
    // No validity: the catalogue cannot build (R-USE-05).
    let mut spec = presets::verification_usage_spec();
    spec.catalogue.validities.clear();
    let err = UsagePolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("catalogue.validities", Some(RuleId::Use05))
    );
    // No package and no custom package: everything is paid per call, or
    // nothing can cover the forecast when per-call billing is off (R-USE-08).
    let empty = usage_with(|s| {
        s.catalogue.packages.clear();
        s.catalogue.custom = None;
    });
    let best = empty.plan(&Forecast::new(QUICK, 5000, Days(30))).unwrap();
    assert_eq!(best.total.to_string(), "CNY 150.00");
    let refuse = usage_with(|s| {
        s.catalogue.packages.clear();
        s.catalogue.custom = None;
        s.when_exhausted = WhenExhausted::Refuse;
    });
    let nothing = refuse.plan(&Forecast::new(QUICK, 5000, Days(30)));
    assert!(refused_by(&nothing, RuleId::Use08));
    assert!(
        refuse
            .plan(&Forecast::new(QUICK, 0, Days(30)))
            .unwrap()
            .lines
            .is_empty()
    );
    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(1000, 365),
    };
    let refused = PackageWallet::decide(&PackageWallet::initial(), &buy, now, &refuse);
    assert!(refused_by(&refused, RuleId::Use05));
    // No price: calls and plans are refused naming R-USE-01.
    let unpriced = usage_with(|s| s.prices.clear());
    let calls = PackageWallet::decide(
        &PackageWallet::initial(),
        &consume(QUICK, 1, now),
        now,
        &unpriced,
    );
    assert!(refused_by(&calls, RuleId::Use01));
    assert!(refused_by(
        &unpriced.plan(&Forecast::new(QUICK, 1, Days(30))),
        RuleId::Use01
    ));
    // No region: a day is refused naming R-USE-09; no tier: no policy.
    let mut spec = presets::live_traffic_spec();
    spec.regions.clear();
    let no_region = TrafficPolicy::try_from(spec).unwrap();
    let day = DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic: Quantity::new(Decimal::ONE, Unit::Gigabyte),
        peak_bandwidth: Quantity::new(Decimal::ONE, Unit::Megabit),
    };
    assert!(refused_by(
        &no_region.settle_day(BillingMethod::Traffic, &day),
        RuleId::Use09
    ));
    let mut spec = presets::live_traffic_spec();
    spec.regions[1].bandwidth.tiers.tiers.clear();
    let err = TrafficPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("regions[1].bandwidth.tiers", Some(RuleId::Use09))
    );
    // No transcoding price: transcoding is refused naming R-USE-10.
    let mut spec = presets::live_add_ons_spec();
    spec.transcoding.clear();
    let no_transcoding = AddOnPolicy::try_from(spec).unwrap();
    let hd = AddOnUsage::Transcoding {
        resolution: Resolution::Hd,
        minutes: Quantity::new(Decimal::ONE, Unit::Minute),
    };
    assert!(refused_by(&no_transcoding.charge(&hd), RuleId::Use10));
}
