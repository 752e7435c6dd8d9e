//! Per-call billing, trial quota, exemptions, feature switches and packages
//! (R-USE-01..07).

use super::*;

// ---------------------------------------------------------------- R-USE-01

#[test]
fn r_use_01_only_successful_calls_are_billed() {
    let p = policy();
    let calls = CallCounts {
        succeeded: 1500,
        failed: 300,
    };
    let (state, used) = consume(&WalletState::default(), QUICK, calls, t0(), &p);
    assert_eq!(used.requested, 1500);
    assert_eq!(used.failed, 300);
    assert_eq!(used.from_trial, 1000);
    assert_eq!(used.overage, 500);
    assert_eq!(used.charge.to_string(), cny("15.00"));
    // Failed calls drew nothing: only the 1000 successful trial calls.
    assert_eq!(state.trial_used(), 1000);
}

#[test]
fn r_use_01_failed_calls_alone_are_recorded_and_free() {
    let p = policy();
    let calls = CallCounts {
        succeeded: 0,
        failed: 40,
    };
    let (state, used) = consume(&WalletState::default(), QUICK, calls, t0(), &p);
    assert_eq!((used.requested, used.failed, used.drawn()), (0, 40, 0));
    assert!(used.charge.is_zero());
    assert_eq!(state.trial_used(), 0);
}

#[test]
fn r_use_01_real_time_verification_costs_0_04_a_call() {
    let p = policy();
    let (_, used) = consume(
        &WalletState::default(),
        REAL_TIME,
        CallCounts::succeeded(2000),
        t0(),
        &p,
    );
    assert_eq!(used.unit_price.to_string(), cny("0.04"));
    assert_eq!(used.overage, 1000);
    assert_eq!(used.charge.to_string(), cny("40.00"));
    assert_eq!(
        p.per_call_charge(REAL_TIME, 1_000).unwrap().to_string(),
        cny("40.00")
    );
    assert!(p.per_call_charge(REAL_TIME, 0).unwrap().is_zero());
}

#[test]
fn r_use_01_a_component_without_a_price_is_refused() {
    let p = with_spec(|s| s.prices.retain(|c| c.component == QUICK));
    let err = PackageWallet::decide(
        &WalletState::default(),
        &WalletCommand::Consume {
            component: REAL_TIME,
            calls: CallCounts::succeeded(1),
            at: t0(),
        },
        t0(),
        &p,
    )
    .unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use01);
    assert!(refusal.to_string().contains("real_time_verification"));
}

#[test]
fn r_use_01_policy_rejects_a_negative_or_repeated_price() {
    let mut s = spec();
    s.prices[0].price = Decimal::new(-3, 2);
    let err = UsagePolicy::try_from(s).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("prices[0].price", Some(RuleId::Use01))
    );

    let mut s = spec();
    s.prices.push(ComponentPriceSpec {
        component: QUICK,
        price: Decimal::new(5, 2),
    });
    let err = UsagePolicy::try_from(s).unwrap_err();
    assert_eq!(err.field, "prices[2].component");
}

// ---------------------------------------------------------------- R-USE-02

#[test]
fn r_use_02_trial_quota_is_drawn_before_packages() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(10_000, 365),
        t0(),
        &p,
    );
    let at = t0() + Duration::hours(1);
    let (state, used) = consume(&state, QUICK, CallCounts::succeeded(1200), at, &p);
    assert_eq!(used.from_trial, 1000);
    assert_eq!(used.from_packages(), 200);
    assert_eq!(state.packages()[0].remaining(), 9_800);
    assert_eq!(state.trial_remaining(&p), 0);
}

#[test]
fn r_use_02_trial_quota_is_per_account_across_components() {
    let p = policy();
    let (state, quick) = consume(
        &WalletState::default(),
        QUICK,
        CallCounts::succeeded(600),
        t0(),
        &p,
    );
    assert_eq!(quick.from_trial, 600);
    let (_, real) = consume(&state, REAL_TIME, CallCounts::succeeded(600), t0(), &p);
    assert_eq!((real.from_trial, real.overage), (400, 200));
    assert_eq!(real.charge.to_string(), cny("8.00"));
}

// ---------------------------------------------------------------- R-USE-03

#[test]
fn r_use_03_government_and_non_profit_pay_nothing_in_any_category() {
    let p = policy();
    for org in [Organisation::Government, Organisation::NonProfit] {
        for cat in [Category::Other, Category::PublicLivelihood] {
            assert!(
                p.exemptions()
                    .check(&AccountProfile::new(org, cat))
                    .is_some()
            );
        }
    }
}

#[test]
fn r_use_03_public_institutions_are_exempt_only_in_listed_categories() {
    let p = policy();
    let inst = |cat| AccountProfile::new(Organisation::PublicInstitution, cat);
    assert!(
        p.exemptions()
            .check(&inst(Category::GovernmentServices))
            .is_some()
    );
    assert!(
        p.exemptions()
            .check(&inst(Category::PublicLivelihood))
            .is_some()
    );
    assert!(p.exemptions().check(&inst(Category::Other)).is_none());
    let shop = AccountProfile::new(Organisation::Enterprise, Category::GovernmentServices);
    assert!(p.exemptions().check(&shop).is_none());
}

#[test]
fn r_use_03_an_exempt_account_draws_nothing_and_pays_nothing() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(1_000, 365),
        t0(),
        &p,
    );
    let profile = AccountProfile::new(Organisation::NonProfit, Category::Other);
    let (state, _) = run(&state, WalletCommand::SetProfile { profile }, t0(), &p);
    let (state, used) = consume(&state, QUICK, CallCounts::succeeded(5_000), t0(), &p);
    assert_eq!(used.waived, 5_000);
    assert!(matches!(used.waiver, Some(Waiver::Exempt { .. })));
    assert_eq!((used.drawn(), used.overage), (0, 0));
    assert!(used.charge.is_zero());
    assert_eq!(state.trial_used(), 0);
    assert_eq!(state.packages()[0].remaining(), 1_000);
}

#[test]
fn r_use_03_an_organisation_listed_twice_is_rejected() {
    let mut s = spec();
    s.exemptions.organisations.push(Organisation::Government);
    let err = UsagePolicy::try_from(s).unwrap_err();
    assert_eq!(err.rule, Some(RuleId::Use03));
    assert_eq!(err.field, "exemptions.organisations[2]");
}

// ---------------------------------------------------------------- R-USE-04

#[test]
fn r_use_04_a_switched_off_feature_refuses_before_drawing_or_billing() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(1_000, 365),
        t0(),
        &p,
    );
    let (off, events) = run(
        &state,
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::Off,
        },
        t0(),
        &p,
    );
    assert_eq!(events.len(), 1);
    let command = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts::succeeded(10),
        at: t0(),
    };
    let err = PackageWallet::run(&off, &command, t0(), &p).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use04);
    assert_eq!(
        refusal.figure("calls").map(|f| f.to_string()).as_deref(),
        Some("10")
    );
    // Switched back on, the same command draws the trial quota.
    let (on, _) = run(
        &off,
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::On,
        },
        t0(),
        &p,
    );
    let (_, used) = consume(&on, QUICK, CallCounts::succeeded(10), t0(), &p);
    assert_eq!(used.from_trial, 10);
    assert!(FeatureSwitch::On.authorize(1).is_ok());
}

#[test]
fn r_use_04_switching_to_the_current_position_records_nothing() {
    let p = policy();
    let events = PackageWallet::decide(
        &WalletState::default(),
        &WalletCommand::SwitchFeature {
            switch: FeatureSwitch::On,
        },
        t0(),
        &p,
    )
    .unwrap();
    assert!(events.is_empty());
}

// ---------------------------------------------------------------- R-USE-05

#[test]
fn r_use_05_the_published_365_day_catalogue() {
    let p = policy();
    let rows: Vec<(u64, String, Option<String>, u32)> = p
        .catalogue()
        .packages()
        .iter()
        .map(|pk| {
            (
                pk.calls,
                pk.price.amount().to_string(),
                pk.list_price.map(|l| l.amount().to_string()),
                pk.validity.0,
            )
        })
        .collect();
    let s = |x: &str| x.to_owned();
    assert_eq!(
        rows,
        vec![
            (1_000, s("30"), None, 365),
            (5_000, s("150"), None, 365),
            (10_000, s("300"), None, 365),
            (50_000, s("1500"), None, 365),
            (100_000, s("3000"), None, 365),
            (500_000, s("15000"), None, 365),
            (1_000_000, s("28000"), Some(s("30000")), 365),
            (5_000_000, s("140000"), Some(s("150000")), 365),
            (10_000_000, s("270000"), Some(s("300000")), 365),
        ]
    );
    let validities: Vec<u32> = p.catalogue().validities().iter().map(|d| d.0).collect();
    assert_eq!(validities, vec![365, 180, 90]);
}

#[test]
fn r_use_05_a_custom_order_of_250_calls_for_90_days_costs_7_50() {
    let p = policy();
    let quote = p.catalogue().quote(&PackageOrder::custom(250, 90)).unwrap();
    assert_eq!(quote.price.to_string(), cny("7.50"));
    assert_eq!(quote.validity.0, 90);
}

#[test]
fn r_use_05_orders_the_catalogue_does_not_sell_are_refused() {
    let p = policy();
    for order in [
        PackageOrder::listed(2_000, 365),
        PackageOrder::listed(1_000, 180),
        PackageOrder::custom(250, 30),
        PackageOrder::custom(0, 90),
    ] {
        let err = p.catalogue().quote(&order).unwrap_err();
        assert_eq!(err.refusal().unwrap().rule(), RuleId::Use05, "{order:?}");
    }
    let no_custom = with_spec(|s| s.catalogue.custom = None);
    let err = no_custom
        .catalogue()
        .quote(&PackageOrder::custom(250, 90))
        .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use05);
}

#[test]
fn r_use_05_catalogue_rejects_bad_packages() {
    let bad = |change: fn(&mut PackageSpec)| {
        let mut s = spec();
        change(&mut s.catalogue.packages[6]);
        UsagePolicy::try_from(s).unwrap_err()
    };
    let err = bad(|p| p.list_price = Some(Decimal::from(1)));
    assert_eq!(err.field, "catalogue.packages[6].price");
    assert_eq!(err.rule, Some(RuleId::Use05));
    assert_eq!(
        bad(|p| p.validity_days = 30).field,
        "catalogue.packages[6].validity_days"
    );
    assert_eq!(bad(|p| p.calls = 0).field, "catalogue.packages[6].calls");
    assert_eq!(
        bad(|p| p.calls = 500_000).field,
        "catalogue.packages[6].calls"
    );

    let mut s = spec();
    s.catalogue.validities = vec![];
    assert_eq!(
        UsagePolicy::try_from(s).unwrap_err().field,
        "catalogue.validities"
    );
}

// ---------------------------------------------------------------- R-USE-06

#[test]
fn r_use_06_bought_before_billing_start_takes_effect_at_the_start() {
    let p = policy();
    let paid = local(2023, 8, 1, 9);
    let (state, events) = run(
        &WalletState::default(),
        WalletCommand::Purchase {
            order: PackageOrder::listed(1_000, 365),
        },
        paid,
        &p,
    );
    let Some(WalletEvent::Purchased(purchase)) = events.first() else {
        panic!("a purchase")
    };
    assert_eq!(purchase.paid_at, paid);
    assert_eq!(purchase.effective_at, local(2023, 8, 26, 0));
    // 365 days after 2023-08-26 crosses 2024-02-29: 2024-08-25 00:00 +08:00.
    assert_eq!(purchase.expires_at, local(2024, 8, 25, 0));
    assert_eq!(state.packages()[0].effective_at(), local(2023, 8, 26, 0));
}

#[test]
fn r_use_06_bought_after_billing_start_takes_effect_at_payment() {
    let p = policy();
    let paid = local(2024, 3, 1, 10);
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(500, 90),
        paid,
        &p,
    );
    let pk = &state.packages()[0];
    assert_eq!(pk.effective_at(), paid);
    assert_eq!(pk.expires_at(), local(2024, 5, 30, 10));
}

#[test]
fn r_use_06_calls_before_billing_start_are_free() {
    let p = policy();
    let at = local(2023, 8, 25, 23);
    let (state, used) = consume(
        &WalletState::default(),
        QUICK,
        CallCounts::succeeded(3_000),
        at,
        &p,
    );
    assert_eq!(used.waived, 3_000);
    assert!(matches!(
        used.waiver,
        Some(Waiver::BeforeBillingStart { .. })
    ));
    assert_eq!(state.trial_used(), 0);
}

#[test]
fn r_use_06_a_package_is_valid_from_its_effective_instant_until_its_expiry() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(5_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_000), t0(), &p); // trial
    let expiry = state.packages()[0].expires_at();
    let (state, last_second) = consume(
        &state,
        QUICK,
        CallCounts::succeeded(10),
        expiry - Duration::seconds(1),
        &p,
    );
    assert_eq!(last_second.from_packages(), 10);
    let (_, at_expiry) = consume(&state, QUICK, CallCounts::succeeded(10), expiry, &p);
    assert_eq!((at_expiry.from_packages(), at_expiry.overage), (0, 10));
}

// ---------------------------------------------------------------- R-USE-07

#[test]
fn r_use_07_the_package_expiring_first_is_drawn_first() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(10_000, 365),
        t0(),
        &p,
    );
    // Bought later, but expires sooner.
    let state = buy(
        &state,
        PackageOrder::custom(500, 90),
        t0() + Duration::days(1),
        &p,
    );
    let at = t0() + Duration::days(2);
    let (state, used) = consume(&state, QUICK, CallCounts::succeeded(1_600), at, &p);
    assert_eq!(used.from_trial, 1_000);
    let draws: Vec<(u32, u64)> = used.draws.iter().map(|d| (d.package.0, d.calls)).collect();
    assert_eq!(draws, vec![(1, 500), (0, 100)]);
    assert_eq!(state.packages()[0].remaining(), 9_900);
    assert_eq!(state.packages()[1].remaining(), 0);
}

#[test]
fn r_use_07_ties_draw_the_package_bought_first() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(1_000, 365),
        t0(),
        &p,
    );
    let state = buy(&state, PackageOrder::listed(1_000, 365), t0(), &p);
    let (_, used) = consume(&state, QUICK, CallCounts::succeeded(1_500), t0(), &p);
    let draws: Vec<(u32, u64)> = used.draws.iter().map(|d| (d.package.0, d.calls)).collect();
    assert_eq!(draws, vec![(0, 500)]);
}

#[test]
fn r_use_07_a_consume_spanning_many_packages_is_one_event() {
    let p = policy();
    let mut state = WalletState::default();
    for i in 0..5 {
        state = buy(
            &state,
            PackageOrder::listed(1_000, 365),
            t0() + Duration::minutes(i),
            &p,
        );
    }
    let at = t0() + Duration::hours(1);
    let (state, used) = consume(&state, QUICK, CallCounts::succeeded(6_500), at, &p);
    assert_eq!(used.draws.len(), 5);
    assert_eq!(
        (used.from_trial, used.from_packages(), used.overage),
        (1_000, 5_000, 500)
    );
    assert_eq!(used.charge.to_string(), cny("15.00"));
    assert!(state.packages().iter().all(|p| p.remaining() == 0));
}

#[test]
fn r_use_07_expired_remainders_are_lost_and_reported() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(1_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_300), t0(), &p);
    assert_eq!(state.packages()[0].remaining(), 700);
    // Not yet expired: nothing happens.
    let (state, early) = run(
        &state,
        WalletCommand::Advance,
        t0() + Duration::days(89),
        &p,
    );
    assert!(early.is_empty());
    let expiry = state.packages()[0].expires_at();
    let (state, events) = run(&state, WalletCommand::Advance, expiry, &p);
    assert_eq!(
        events,
        vec![WalletEvent::Expired(Expiry {
            package: PackageId(0),
            expired_at: expiry,
            lost: 700,
        })]
    );
    assert_eq!(
        state.packages()[0].status(),
        PackageStatus::Expired { lost: 700 }
    );
    assert_eq!(state.packages()[0].remaining(), 0);
    // Expiring again changes nothing.
    let (_, again) = run(
        &state,
        WalletCommand::Advance,
        expiry + Duration::days(1),
        &p,
    );
    assert!(again.is_empty());
}

#[test]
fn r_use_07_an_expired_package_is_never_drawn() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(1_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_000), t0(), &p); // trial
    let later = t0() + Duration::days(91);
    let (_, used) = consume(&state, QUICK, CallCounts::succeeded(10), later, &p);
    assert_eq!((used.from_packages(), used.overage), (0, 10));
    assert_eq!(used.charge.to_string(), cny("0.30"));
}
