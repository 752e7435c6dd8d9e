//! The planner counts the trial quota when the forecast says the account
//! has one (issue 17 item 4; RULES.md R-USE-02: 1000 free calls per app
//! account, used before anything is billed; R-USE-07: the trial first).

use billing_rules::time::Days;
use billing_rules::usage::{Component, Forecast, PlanLine};
use proptest::prelude::*;

fn quick(calls: u64) -> Forecast {
    Forecast::new(Component::QuickVerification, calls, Days(365))
}

#[test]
fn a_new_account_uses_its_1000_trial_calls_first_as_their_own_line() {
    let policy = billing_rules::presets::verification_usage().unwrap();
    assert_eq!(policy.trial_quota(), 1000); // R-USE-02
    let best = policy
        .plan(&quick(1_200_000).with_trial(policy.trial_quota()))
        .unwrap();
    // 1000 free, then the 1,000,000 package (28,000, R-USE-05) and 199,000
    // calls at 0.03 (R-USE-01) = 5970.00.
    assert!(
        matches!(best.lines[0], PlanLine::Trial { calls: 1000, subtotal } if subtotal.is_zero())
    );
    assert!(matches!(
        best.lines[1],
        PlanLine::Package {
            calls: 1_000_000,
            count: 1,
            ..
        }
    ));
    assert!(matches!(
        best.lines[2],
        PlanLine::PerCall { calls: 199_000, .. }
    ));
    assert_eq!(best.total.to_string(), "CNY 33970.00");
    assert_eq!(best.pay_per_call.to_string(), "CNY 35970.00");
    assert_eq!(best.saving.to_string(), "CNY 2000.00");
    assert_eq!(best.covered, 1_200_000);
}

#[test]
fn a_forecast_inside_the_trial_costs_nothing() {
    let policy = billing_rules::presets::verification_usage().unwrap();
    let best = policy.plan(&quick(500).with_trial(1000)).unwrap();
    assert_eq!(best.lines.len(), 1);
    assert!(matches!(best.lines[0], PlanLine::Trial { calls: 500, .. }));
    assert!(best.total.is_zero() && best.pay_per_call.is_zero());
}

#[test]
fn without_trial_calls_the_plan_and_its_json_are_unchanged() {
    let policy = billing_rules::presets::verification_usage().unwrap();
    let best = policy.plan(&quick(1_200_000)).unwrap();
    assert_eq!(best.total.to_string(), "CNY 34000.00");
    let json = serde_json::to_value(best.forecast).unwrap();
    assert!(json.get("trial_calls").is_none(), "{json}");
    // And a JSON forecast with trial calls reads back.
    let with: Forecast = serde_json::from_str(
        r#"{"component": "quick_verification", "calls": 10, "horizon": 365, "trial_calls": 3}"#,
    )
    .unwrap();
    assert_eq!(with, quick(10).with_trial(3));
}

proptest! {
    /// Trial calls are free and used first: a plan with `t` trial calls
    /// costs what a plan of the calls left costs, covers every call, and
    /// never costs more than without the trial.
    #[test]
    fn the_trial_only_takes_calls_off_the_bill(calls in 0u64..3_000_000, trial in 0u64..5000) {
        let policy = billing_rules::presets::verification_usage().unwrap();
        let with = policy.plan(&quick(calls).with_trial(trial)).unwrap();
        let used = trial.min(calls);
        let rest = policy.plan(&quick(calls - used)).unwrap();
        prop_assert_eq!(with.total, rest.total);
        prop_assert_eq!(with.pay_per_call, rest.pay_per_call);
        prop_assert!(with.covered >= calls);
        let without = policy.plan(&quick(calls)).unwrap();
        prop_assert!(with.total.amount() <= without.total.amount());
        let trial_lines = with.lines.iter().filter(|l| matches!(l, PlanLine::Trial { .. })).count();
        prop_assert_eq!(trial_lines, usize::from(used > 0));
    }
}
