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

#[path = "usage/billing_and_packages.rs"]
mod billing_and_packages;
#[path = "usage/late_reports_and_json.rs"]
mod late_reports_and_json;
