//! Per-call pricing, catalogue and the package wallet (R-USE-01..07).

use billing_rules::Decider;
use billing_rules::presets;
use billing_rules::usage::{
    AccountProfile, CallCounts, Category, Component, ComponentPriceSpec, Consumption, Expiry,
    FeatureSwitch, Organisation, PackageId, PackageOrder, PackageSpec, PackageStatus,
    PackageWallet, UsagePolicy, UsagePolicySpec, Waiver, WalletCommand, WalletEvent, WalletState,
    WhenExhausted,
};
use billing_rules::{Error, RuleId};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

const QUICK: Component = Component::QuickVerification;
const REAL_TIME: Component = Component::RealTimeVerification;

fn policy() -> UsagePolicy {
    presets::verification_usage().unwrap()
}

fn spec() -> UsagePolicySpec {
    presets::verification_usage_spec()
}

fn with_spec(change: impl FnOnce(&mut UsagePolicySpec)) -> UsagePolicy {
    let mut s = spec();
    change(&mut s);
    UsagePolicy::try_from(s).unwrap()
}

/// A local instant in UTC+08:00.
fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn t0() -> DateTime<Utc> {
    local(2024, 3, 1, 10)
}

fn run(
    state: &WalletState,
    command: WalletCommand,
    now: DateTime<Utc>,
    policy: &UsagePolicy,
) -> (WalletState, Vec<WalletEvent>) {
    PackageWallet::run(state, &command, now, policy).unwrap()
}

fn buy(
    state: &WalletState,
    order: PackageOrder,
    now: DateTime<Utc>,
    p: &UsagePolicy,
) -> WalletState {
    run(state, WalletCommand::Purchase { order }, now, p).0
}

fn consume(
    state: &WalletState,
    component: Component,
    calls: CallCounts,
    at: DateTime<Utc>,
    p: &UsagePolicy,
) -> (WalletState, Consumption) {
    let (state, events) = run(
        state,
        WalletCommand::Consume {
            component,
            calls,
            at,
        },
        at,
        p,
    );
    assert_eq!(events.len(), 1, "one consume, one event");
    match events.into_iter().next() {
        Some(WalletEvent::Consumed(c)) => (state, c),
        other => panic!("expected a consumption, got {other:?}"),
    }
}

fn cny(s: &str) -> String {
    format!("CNY {s}")
}

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

#[test]
fn r_use_07_refusing_policy_refuses_uncovered_calls() {
    let p = with_spec(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (_, used) = consume(
        &WalletState::default(),
        QUICK,
        CallCounts::succeeded(1_500),
        t0(),
        &p,
    );
    assert_eq!(
        (used.from_trial, used.overage, used.refused),
        (1_000, 0, 500)
    );
    assert!(used.charge.is_zero());
}

#[test]
fn r_use_07_calls_dated_in_the_future_are_refused() {
    let p = policy();
    let err = PackageWallet::decide(
        &WalletState::default(),
        &WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(1),
            at: t0() + Duration::seconds(1),
        },
        t0(),
        &p,
    )
    .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use07);
}

#[test]
fn r_use_07_late_reports_draw_packages_valid_when_the_calls_were_made() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(2_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_000), t0(), &p);
    let made = t0() + Duration::days(89);
    let reported = t0() + Duration::days(95); // after expiry, before Advance ran
    let (_, events) = run(
        &state,
        WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(100),
            at: made,
        },
        reported,
        &p,
    );
    let Some(WalletEvent::Consumed(used)) = events.first() else {
        panic!("a consumption")
    };
    assert_eq!(used.from_packages(), 100);
}

// ------------------------------------------------------------------ serde

#[test]
fn r_use_07_commands_events_states_and_policy_round_trip_through_json() {
    let p = policy();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<UsagePolicy>(&json).unwrap(), p);

    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(1_000, 365),
        t0(),
        &p,
    );
    let command = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts::succeeded(1_200),
        at: t0(),
    };
    let (state, events) = run(&state, command.clone(), t0(), &p);
    let json = serde_json::to_string(&command).unwrap();
    assert!(json.contains(r#""command":"consume""#));
    assert_eq!(
        serde_json::from_str::<WalletCommand>(&json).unwrap(),
        command
    );
    let json = serde_json::to_string(&events).unwrap();
    assert!(json.contains(r#""event":"consumed""#));
    let back: Vec<WalletEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, events);
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<WalletState>(&json).unwrap(), state);

    // A policy that breaks a rule does not deserialize.
    let mut bad = serde_json::to_value(&p).unwrap();
    bad["catalogue"]["validities"] = serde_json::json!([]);
    assert!(serde_json::from_value::<UsagePolicy>(bad).is_err());
}

#[test]
fn r_use_07_replaying_the_events_gives_the_same_state() {
    let p = policy();
    let mut state = WalletState::default();
    let mut log = Vec::new();
    let commands = [
        WalletCommand::Purchase {
            order: PackageOrder::listed(5_000, 365),
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(800, 90),
        },
        WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(2_500),
            at: t0(),
        },
        WalletCommand::Advance,
    ];
    for (i, c) in commands.into_iter().enumerate() {
        let now = t0() + Duration::days(i64::try_from(i).unwrap() * 50);
        let (next, events) = run(&state, c, now.max(t0()), &p);
        state = next;
        log.extend(events);
    }
    assert_eq!(PackageWallet::replay(log.iter()), state);
}

// -------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Step {
    Buy(PackageOrder),
    Use(Component, u64, u64),
    Advance,
    Switch(FeatureSwitch),
    Profile(AccountProfile),
}

fn order() -> impl Strategy<Value = PackageOrder> {
    prop_oneof![
        prop::sample::select(vec![1_000u64, 5_000, 10_000, 50_000])
            .prop_map(|calls| PackageOrder::listed(calls, 365)),
        (1u64..3_000, prop::sample::select(vec![90u32, 180, 365]))
            .prop_map(|(calls, days)| PackageOrder::custom(calls, days)),
    ]
}

fn profile() -> impl Strategy<Value = AccountProfile> {
    (
        prop::sample::select(vec![
            Organisation::Enterprise,
            Organisation::Individual,
            Organisation::Government,
            Organisation::NonProfit,
            Organisation::PublicInstitution,
        ]),
        prop::sample::select(vec![
            Category::GovernmentServices,
            Category::PublicLivelihood,
            Category::Other,
        ]),
    )
        .prop_map(|(o, c)| AccountProfile::new(o, c))
}

fn step(with_switch: bool) -> impl Strategy<Value = Step> {
    let switch = if with_switch { 1 } else { 0 };
    prop_oneof![
        3 => order().prop_map(Step::Buy),
        6 => (prop::sample::select(vec![QUICK, REAL_TIME]), 0u64..20_000, 0u64..50)
            .prop_map(|(c, s, f)| Step::Use(c, s, f)),
        1 => Just(Step::Advance),
        switch => prop::sample::select(vec![FeatureSwitch::On, FeatureSwitch::Off]).prop_map(Step::Switch),
        1 => profile().prop_map(Step::Profile),
    ]
}

fn command(step: &Step, now: DateTime<Utc>) -> WalletCommand {
    match step.clone() {
        Step::Buy(order) => WalletCommand::Purchase { order },
        Step::Use(component, succeeded, failed) => WalletCommand::Consume {
            component,
            calls: CallCounts { succeeded, failed },
            at: now,
        },
        Step::Advance => WalletCommand::Advance,
        Step::Switch(switch) => WalletCommand::SwitchFeature { switch },
        Step::Profile(profile) => WalletCommand::SetProfile { profile },
    }
}

/// Runs `steps` a few days apart from just before the billing start, and
/// checks every consumption against the state it was decided on.
fn check_run(
    p: &UsagePolicy,
    steps: &[(Step, u16)],
    mut check: impl FnMut(&WalletState, &Consumption, &WalletState),
) -> Result<(), TestCaseError> {
    let mut state = WalletState::default();
    let mut now = local(2023, 8, 20, 12);
    for (step, hours) in steps {
        now += Duration::hours(i64::from(*hours));
        let cmd = command(step, now);
        match PackageWallet::decide(&state, &cmd, now, p) {
            Ok(events) => {
                for e in &events {
                    let next = PackageWallet::evolve(state.clone(), e);
                    if let WalletEvent::Consumed(c) = e {
                        check(&state, c, &next);
                    }
                    state = next;
                }
            }
            Err(Error::Refused(r)) => {
                // Only the switch refuses a consume here; and it changes nothing.
                prop_assert_eq!(r.rule(), RuleId::Use04);
                prop_assert_eq!(state.feature(), FeatureSwitch::Off);
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
    Ok(())
}

fn any_policy() -> impl Strategy<Value = UsagePolicy> {
    prop::sample::select(vec![WhenExhausted::PerCall, WhenExhausted::Refuse])
        .prop_map(|w| with_spec(|s| s.when_exhausted = w))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn r_use_07_drawn_plus_overage_plus_refused_equals_requested(
        p in any_policy(),
        steps in prop::collection::vec((step(true), 0u16..2_000), 1..40),
    ) {
        check_run(&p, &steps, |_, c, _| {
            assert_eq!(c.waived + c.drawn() + c.overage + c.refused, c.requested, "{c:?}");
            if c.waiver.is_none() {
                assert_eq!(c.waived, 0);
            }
            match p.when_exhausted() {
                WhenExhausted::PerCall => assert_eq!(c.refused, 0),
                WhenExhausted::Refuse => assert_eq!(c.overage, 0),
            }
            assert_eq!(c.charge.amount(), c.unit_price.amount() * Decimal::from(c.overage));
        })?;
    }

    #[test]
    fn r_use_07_no_package_balance_is_ever_negative(
        p in any_policy(),
        steps in prop::collection::vec((step(true), 0u16..2_000), 1..40),
    ) {
        check_run(&p, &steps, |before, c, after| {
            // Every draw fits what the package held, and is taken exactly.
            for d in &c.draws {
                let was = before.package(d.package).unwrap();
                assert!(d.calls <= was.remaining(), "{d:?} from {was:?}");
                assert!(was.drawable_at(c.at));
                let now = after.package(d.package).unwrap();
                assert_eq!(now.remaining(), was.remaining() - d.calls);
            }
            assert!(c.from_trial <= before.trial_remaining(&p));
            assert!(after.trial_used() <= p.trial_quota());
            for pk in after.packages() {
                assert!(pk.remaining() <= pk.calls());
            }
        })?;
    }

    #[test]
    fn r_use_03_an_exempt_account_is_never_billed(
        steps in prop::collection::vec((step(false), 0u16..2_000), 1..30),
        org in prop::sample::select(vec![Organisation::Government, Organisation::NonProfit]),
    ) {
        let p = policy();
        let mut prefixed = vec![(Step::Profile(AccountProfile::new(org, Category::Other)), 0u16)];
        prefixed.extend(steps.into_iter().filter(|(s, _)| !matches!(s, Step::Profile(_))));
        check_run(&p, &prefixed, |before, c, after| {
            assert_eq!(c.waived, c.requested);
            assert!(c.charge.is_zero());
            assert_eq!(c.drawn() + c.overage + c.refused, 0);
            assert_eq!(before.trial_used(), after.trial_used());
        })?;
    }

    #[test]
    fn r_use_04_a_switched_off_feature_never_bills(
        steps in prop::collection::vec((step(false), 0u16..2_000), 1..30),
    ) {
        let p = policy();
        let mut state = WalletState::default();
        let (off, _) = run(&state, WalletCommand::SwitchFeature { switch: FeatureSwitch::Off }, t0(), &p);
        state = off;
        let mut now = t0();
        for (step, hours) in &steps {
            now += Duration::hours(i64::from(*hours));
            let cmd = command(step, now);
            match PackageWallet::decide(&state, &cmd, now, &p) {
                Ok(events) => {
                    prop_assert!(!events.iter().any(|e| matches!(e, WalletEvent::Consumed(_))));
                    state = events.iter().fold(state, PackageWallet::evolve);
                }
                Err(e) => {
                    let is_consume = matches!(cmd, WalletCommand::Consume { .. });
                    prop_assert!(is_consume);
                    prop_assert_eq!(e.refusal().map(|r| r.rule()), Some(RuleId::Use04));
                }
            }
        }
        prop_assert_eq!(state.trial_used(), 0);
        let untouched = state.packages().iter().all(|pk| match pk.status() {
            PackageStatus::Expired { lost } => lost == pk.calls(),
            PackageStatus::Open => pk.remaining() == pk.calls(),
        });
        prop_assert!(untouched);
    }
}

/// The wallet is time-driven (R-USE-07): its due events are the expiries
/// Advance records, and its status reads the validities at `now`, whether
/// or not Advance has run.
#[test]
fn r_use_07_the_wallet_answers_status_and_due_events_at_an_instant() {
    use billing_rules::TimeDriven;
    use billing_rules::usage::WalletStatus;

    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(1_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_300), t0(), &p);
    let expiry = state.packages()[0].expires_at();
    assert_eq!(
        PackageWallet::status(&state, t0(), &p),
        WalletStatus {
            feature: FeatureSwitch::On,
            trial_remaining: 0,
            package_calls: 700,
            next_expiry: Some(expiry),
        }
    );
    assert!(
        PackageWallet::due_events(&state, expiry - Duration::seconds(1), &p)
            .unwrap()
            .is_empty()
    );
    let due = PackageWallet::due_events(&state, expiry, &p).unwrap();
    let (after, advanced) = run(&state, WalletCommand::Advance, expiry, &p);
    assert_eq!(due, advanced);
    // Past the expiry the package serves nothing, closed or not.
    let ended = PackageWallet::status(&state, expiry, &p);
    assert_eq!((ended.package_calls, ended.next_expiry), (0, None));
    assert_eq!(PackageWallet::status(&after, expiry, &p), ended);
}

/// Access follows the rules a consume applies: a switched-off feature is
/// intercepted by R-USE-04; a policy that refuses uncovered calls is
/// intercepted by R-USE-07 once nothing covers a call, unless the account
/// is exempt.
#[test]
fn r_use_04_and_07_access_is_what_a_consume_would_do() {
    use billing_rules::TimeDriven;

    let p = policy();
    let fresh = WalletState::default();
    assert!(PackageWallet::access(&fresh, t0(), &p).is_allowed());
    let (off, _) = run(
        &fresh,
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::Off,
        },
        t0(),
        &p,
    );
    assert_eq!(
        PackageWallet::access(&off, t0(), &p).rule(),
        Some(RuleId::Use04)
    );

    let refuse = with_spec(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (used_up, _) = consume(&fresh, QUICK, CallCounts::succeeded(1_000), t0(), &refuse);
    // Per-call billing serves an uncovered call; a refusing policy does not.
    assert!(PackageWallet::access(&used_up, t0(), &p).is_allowed());
    assert_eq!(
        PackageWallet::access(&used_up, t0(), &refuse).rule(),
        Some(RuleId::Use07)
    );
    let (_, refused) = consume(&used_up, QUICK, CallCounts::succeeded(1), t0(), &refuse);
    assert_eq!(refused.refused, 1);
    // A package, or an exemption, serves it again.
    let bought = buy(&used_up, PackageOrder::custom(10, 90), t0(), &refuse);
    assert!(PackageWallet::access(&bought, t0(), &refuse).is_allowed());
    let (exempt, _) = run(
        &used_up,
        WalletCommand::SetProfile {
            profile: AccountProfile::new(Organisation::Government, Category::Other),
        },
        t0(),
        &refuse,
    );
    assert!(PackageWallet::access(&exempt, t0(), &refuse).is_allowed());
}

/// The time command is `advance`; its former name `expire` is still read,
/// and the event keeps its name `expired`.
#[test]
fn the_advance_command_reads_its_former_name() {
    let advance: WalletCommand = serde_json::from_str(r#"{"command":"expire"}"#).unwrap();
    assert_eq!(advance, WalletCommand::Advance);
    assert_eq!(
        serde_json::to_string(&WalletCommand::Advance).unwrap(),
        r#"{"command":"advance"}"#
    );
    let event = WalletEvent::Expired(Expiry {
        package: PackageId(0),
        expired_at: t0(),
        lost: 1,
    });
    assert!(
        serde_json::to_string(&event)
            .unwrap()
            .starts_with(r#"{"event":"expired""#)
    );
}
