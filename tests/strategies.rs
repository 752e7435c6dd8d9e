//! The exported strategies and invariant checks (issue 13 item 7, feature
//! `strategies`): the crate's outputs pass the checks for every input the
//! strategies draw, every aggregate's command sequence runs through the
//! engine keeping versions contiguous, time monotonic and the stored state
//! the replay of its events, and each check catches an output that breaks
//! its invariant.

use std::fmt::Debug;

use billing_rules::engine::{Aggregate, AggregateId, Engine, MemoryStore, Version};
use billing_rules::lifecycle::{BundleClaim, Licence, PostpaidAccount, Subscription};
use billing_rules::money::Money;
use billing_rules::payment::EnvironmentPayment;
use billing_rules::pricing::{CurrentPurchase, SeatAccount, SeatOrder};
use billing_rules::refund::OrderLedger;
use billing_rules::strategies::{
    self, InvariantViolation, Timed, check_credit_invariants, check_outcomes,
    check_quote_invariants, check_replay, check_upgrade_invariants,
};
use billing_rules::time::{Clock, FixedClock};
use billing_rules::usage::{BillingMethods, PackageWallet};
use billing_rules::{RuleId, presets};
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn fail(broken: InvariantViolation) -> TestCaseError {
    TestCaseError::fail(broken.to_string())
}

/// Runs `commands` on one aggregate through the engine (the clock set to
/// each command's instant) and checks the accepted outcomes and the
/// stored state.
fn run_through_engine<D>(
    commands: &[Timed<D::Command>],
    policy: &D::Policy,
) -> Result<usize, TestCaseError>
where
    D: Aggregate + 'static,
    D::Command: serde::Serialize,
    D::State: Send + PartialEq + Debug + 'static,
    D::Event: Send + 'static,
{
    let Some(first) = commands.first() else {
        return Ok(0);
    };
    let engine = Engine::new(FixedClock::new(first.at), MemoryStore::new());
    let id = AggregateId::from("subject");
    let mut accepted = Vec::new();
    for (i, step) in commands.iter().enumerate() {
        prop_assert!(
            step.at >= engine.clock().now(),
            "command {i} at {} before its predecessor",
            step.at
        );
        engine.clock().set(step.at);
        if let Ok(outcome) = engine.execute::<D>(&id, &step.command, policy, None) {
            accepted.push(outcome);
        }
    }
    check_outcomes(Version::INITIAL, &accepted).map_err(fail)?;
    let state = engine
        .state::<D>(&id)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    check_replay::<D>(&state, &engine.store().events::<D>(&id)).map_err(fail)?;
    Ok(accepted.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_quote_keeps_the_quote_invariants(
        policy in strategies::seat_policy(), order in strategies::seat_order(),
    ) {
        if let Ok(quote) = policy.quote(&order) {
            check_quote_invariants(&policy, &order, &quote).map_err(fail)?;
        }
    }

    #[test]
    fn every_upgrade_keeps_the_credit_invariants(
        policy in strategies::seat_policy(), current in strategies::current_purchase(),
        order in strategies::seat_order(), offset in -1_000i64..90_000_000,
    ) {
        let now = current.start + Duration::seconds(offset);
        if let Ok(upgrade) = policy.upgrade(&current, &order, now) {
            check_upgrade_invariants(&policy, &current, &order, &upgrade).map_err(fail)?;
        }
    }

    #[test]
    fn usage_policies_build_and_price_listed_packages(
        policy in strategies::usage_policy(), order in strategies::package_order(),
    ) {
        // Whatever the policy, a package order is priced or refused with a
        // usage rule, never failed otherwise.
        if let Err(error) = policy.catalogue().quote(&order) {
            let rule = error.refusal().map(|r| r.rule());
            prop_assert!(rule.is_some_and(|r| r.family() == billing_rules::RuleFamily::Use), "{}", error);
        }
    }

    #[test]
    fn seat_account_sequences_keep_the_stream_invariants(commands in strategies::seat_account_commands(1..=25)) {
        run_through_engine::<SeatAccount>(&commands, &presets::app_store_seat_pricing().unwrap())?;
    }

    #[test]
    fn wallet_sequences_keep_the_stream_invariants(commands in strategies::wallet_commands(1..=25)) {
        run_through_engine::<PackageWallet>(&commands, &presets::verification_usage().unwrap())?;
    }

    #[test]
    fn ledger_sequences_keep_the_stream_invariants(commands in strategies::ledger_commands(1..=25)) {
        run_through_engine::<OrderLedger>(&commands, &presets::app_store_refunds().unwrap())?;
    }

    #[test]
    fn subscription_sequences_keep_the_stream_invariants(commands in strategies::subscription_commands(1..=25)) {
        run_through_engine::<Subscription>(&commands, &presets::chat_service_subscription().unwrap())?;
    }

    #[test]
    fn postpaid_sequences_keep_the_stream_invariants(commands in strategies::postpaid_commands(1..=25)) {
        run_through_engine::<PostpaidAccount>(&commands, &presets::live_plugin_postpaid().unwrap())?;
    }

    #[test]
    fn payment_sequences_keep_the_stream_invariants(commands in strategies::payment_commands(1..=25)) {
        run_through_engine::<EnvironmentPayment>(&commands, &presets::cloud_payment().unwrap())?;
    }

    #[test]
    fn billing_method_sequences_keep_the_stream_invariants(commands in strategies::billing_method_commands(1..=25)) {
        run_through_engine::<BillingMethods>(&commands, &presets::live_traffic().unwrap())?;
    }

    #[test]
    fn bundle_claim_sequences_keep_the_stream_invariants(commands in strategies::bundle_claim_commands("pkg-1", 1..=25)) {
        run_through_engine::<BundleClaim>(&commands, &presets::live_plugin_licence().unwrap())?;
    }

    #[test]
    fn licence_sequences_keep_the_stream_invariants(commands in strategies::licence_commands("app-1", 1..=25)) {
        run_through_engine::<Licence>(&commands, &presets::live_plugin_licence().unwrap())?;
    }
}

/// 120 seats for two years on the app store's preset: 120 x 80.00 x 2 x
/// 0.85 = CNY 16,320.00 (volume tier 51-200, the 2-year discount of
/// R-SEAT-04; the preset's docs), and the checks catch a total that is not
/// the exact price rounded.
#[test]
fn the_quote_check_catches_a_total_off_by_a_fen() {
    let policy = presets::app_store_seat_pricing().unwrap();
    let order = SeatOrder::new(120, 2);
    let mut quote = policy.quote(&order).unwrap();
    assert_eq!(quote.total.to_string(), "CNY 16320.00");
    check_quote_invariants(&policy, &order, &quote).unwrap();
    quote.total = Money::cny(Decimal::new(1_632_001, 2));
    let broken = check_quote_invariants(&policy, &order, &quote).unwrap_err();
    // The rounding step shows the quote's total as the rounded price.
    assert_eq!(
        broken.invariant,
        "the final rounding rounds with the policy's mode"
    );
    assert!(broken.detail.contains("16320.01"), "{broken}");
    // Another order's quote is caught too.
    let other = SeatOrder::new(121, 2);
    let broken =
        check_quote_invariants(&policy, &other, &policy.quote(&order).unwrap()).unwrap_err();
    assert_eq!(broken.invariant, "the quote prices the order");
}

/// R-SEAT-08's published example: 1000.00 paid for 365 days, 100 days
/// left: credit 273.97 (RULES.md). A credit above what was paid is caught.
#[test]
fn the_credit_check_catches_a_credit_above_what_was_paid() {
    let policy = presets::app_store_seat_pricing().unwrap();
    let zone = policy.locale().time_zone;
    let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    let end = zone
        .plus_days(start, billing_rules::time::Days(365))
        .unwrap();
    let now = zone
        .minus_days(end, billing_rules::time::Days(100))
        .unwrap();
    let current = CurrentPurchase {
        paid: Money::cny(Decimal::from(1000)),
        start,
        end,
    };
    let order = SeatOrder::new(20, 1);
    let upgrade = policy.upgrade(&current, &order, now).unwrap();
    assert_eq!(upgrade.credit.amount.to_string(), "CNY 273.97");
    check_upgrade_invariants(&policy, &current, &order, &upgrade).unwrap();
    let mut credit = upgrade.credit;
    credit.amount = Money::cny(Decimal::from(1001));
    let broken = check_credit_invariants(&current, upgrade.quote.total, &credit).unwrap_err();
    assert_eq!(
        (broken.invariant.as_str(), broken.rule),
        ("credit <= paid", Some(RuleId::Seat08))
    );
}

/// Outcomes with a gap in their versions, or decided before their
/// predecessor, are caught.
#[test]
fn the_outcome_check_catches_a_lost_event_and_time_going_back() {
    let engine = Engine::new(
        FixedClock::new(Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()),
        MemoryStore::new(),
    );
    let ledger = AggregateId::from("app-1");
    let policy = presets::app_store_refunds().unwrap();
    let mut outcomes = Vec::new();
    for n in 0..3 {
        engine.clock().advance(Duration::hours(1)).unwrap();
        let command = billing_rules::refund::LedgerCommand::RecordOrder {
            order: format!("o{n}").into(),
            paid_at: engine.clock().now(),
            amount: Money::cny(Decimal::from(30)),
        };
        outcomes.push(
            engine
                .execute::<OrderLedger>(&ledger, &command, &policy, None)
                .unwrap(),
        );
    }
    check_outcomes(Version::INITIAL, &outcomes).unwrap();
    let skipped = [outcomes[0].clone(), outcomes[2].clone()];
    let broken = check_outcomes(Version::INITIAL, &skipped).unwrap_err();
    assert_eq!(broken.invariant, "versions are contiguous");
    let mut back = outcomes.clone();
    back[2].decided_at = back[0].decided_at - Duration::seconds(1);
    let broken = check_outcomes(Version::INITIAL, &back).unwrap_err();
    assert_eq!(
        broken.invariant,
        "no command is decided before its predecessor"
    );
    let events = engine.store().events::<OrderLedger>(&ledger);
    let state = engine.state::<OrderLedger>(&ledger).unwrap();
    check_replay::<OrderLedger>(&state, &events).unwrap();
    let broken = check_replay::<OrderLedger>(&state, &events[..2]).unwrap_err();
    assert_eq!(broken.invariant, "the state is the replay of its events");
}
