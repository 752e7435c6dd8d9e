//! Replaying a recorded history under another policy (issue 17 item 1):
//! the sample histories of examples/histories/ against the published
//! presets, with figures from RULES.md.

use billing_rules::payment::PaymentPolicy;
use billing_rules::presets;
use billing_rules::refund::AppRefundPolicy;
use billing_rules::replay::{Change, History, HistoryReplay, ReplayError, ReplayPolicy};
use billing_rules::usage::UsagePolicy;
use proptest::prelude::*;

fn history(name: &str) -> History {
    let path = format!("{}/examples/histories/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn refunds(window_days: u32) -> ReplayPolicy {
    let mut spec = presets::app_store_refunds_spec();
    spec.window_days = window_days;
    AppRefundPolicy::try_from(spec).unwrap().into()
}

fn preset_refunds() -> ReplayPolicy {
    presets::app_store_refunds().unwrap().into()
}

#[test]
fn a_longer_refund_window_accepts_the_refund_on_day_12() {
    // R-REF-01: 10 days after payment (preset) against 14. o1 (300, paid
    // 1 June 10:00 +08:00) asked back on 13 June: refused, then accepted.
    let replay = history("order_ledger.json")
        .replay(&preset_refunds(), &refunds(14))
        .unwrap();
    assert_eq!(replay.changes(), vec![(4, Change::RefusalDisappears)]);
    let (base, new, difference) = replay.totals();
    // 300 + 500 + 120 charged under both; 500 refunded (o2 on day 7), and
    // 300 more under 14 days. o3 is invoiced, never refundable (R-REF-01).
    assert_eq!(base.charged.to_string(), "CNY 920.00");
    assert_eq!(base.refunded.to_string(), "CNY 500.00");
    assert_eq!(new.refunded.to_string(), "CNY 800.00");
    assert_eq!(difference.refunded.to_string(), "CNY 300.00");
    assert_eq!(difference.net.to_string(), "CNY -300.00");
    assert_eq!(new.net.to_string(), "CNY 120.00");
}

#[test]
fn a_shorter_refund_window_refuses_a_refund_and_changes_the_next_refusal() {
    // 5 days: o2's refund on day 7 is refused (R-REF-01); o1's on day 12
    // is refused under both, but now also because o2, the later order, is
    // still open (R-REF-02: latest first).
    let HistoryReplay::OrderLedger(replay) = history("order_ledger.json")
        .replay(&preset_refunds(), &refunds(5))
        .unwrap()
    else {
        panic!("an order ledger history replays as one");
    };
    let changes: Vec<_> = replay.changed().map(|s| (s.step, s.change)).collect();
    assert_eq!(
        changes,
        vec![(3, Change::RefusalAppears), (4, Change::RefusalsDiffer)]
    );
    assert_eq!(
        replay.steps[2].difference.refunded.to_string(),
        "CNY -500.00"
    );
    assert_eq!(replay.difference.net.to_string(), "CNY 500.00");
}

#[test]
fn a_cheaper_per_call_price_changes_the_overage_charge() {
    // R-USE-07: 10,000 bought (300, R-USE-05); 9000 calls use the 1000
    // trial calls (R-USE-02) and 8000 of the package; 4000 more use the
    // 2000 left and 2000 per call: 60.00 at 0.03 (R-USE-01), 50.000 at 0.025.
    let mut spec = presets::verification_usage_spec();
    for price in &mut spec.prices {
        if price.component == billing_rules::usage::Component::QuickVerification {
            price.price = "0.025".parse().unwrap();
        }
    }
    let new: ReplayPolicy = UsagePolicy::try_from(spec).unwrap().into();
    let base: ReplayPolicy = presets::verification_usage().unwrap().into();
    let replay = history("package_wallet.json").replay(&base, &new).unwrap();
    assert_eq!(
        replay.changes(),
        vec![(2, Change::EventsDiffer), (3, Change::EventsDiffer)]
    );
    let (base, new, difference) = replay.totals();
    assert_eq!(base.charged.to_string(), "CNY 360.00");
    assert_eq!(new.charged.to_string(), "CNY 350.000");
    assert_eq!(difference.net.to_string(), "CNY -10.000");
}

#[test]
fn a_lower_switch_limit_refuses_the_third_switch() {
    // R-PAY-03: the preset allows 4 switches; with 2 the third is refused.
    let mut spec = presets::cloud_payment_spec();
    spec.switch_limit = 2;
    let new: ReplayPolicy = PaymentPolicy::try_from(spec).unwrap().into();
    let base: ReplayPolicy = presets::cloud_payment().unwrap().into();
    let replay = history("payment_method.json").replay(&base, &new).unwrap();
    assert_eq!(replay.changes(), vec![(4, Change::RefusalAppears)]);
    assert!(replay.difference().is_zero());
}

#[test]
fn a_policy_of_another_kind_is_an_error_naming_both_kinds() {
    let usage: ReplayPolicy = presets::verification_usage().unwrap().into();
    let err = history("order_ledger.json")
        .replay(&preset_refunds(), &usage)
        .unwrap_err();
    assert_eq!(
        err,
        ReplayError::KindMismatch {
            history: "order_ledger",
            which: "new",
            policy: "package_wallet"
        }
    );
    assert!(
        err.to_string()
            .contains("give the new policy of kind order_ledger"),
        "{err}"
    );
}

#[test]
fn the_history_json_round_trips() {
    let h = history("order_ledger.json");
    let text = serde_json::to_string(&h).unwrap();
    assert_eq!(serde_json::from_str::<History>(&text).unwrap(), h);
    assert_eq!((h.kind(), h.len()), ("order_ledger", 7));
}

proptest! {
    /// Under the same policy nothing changes; under any two windows, the
    /// total difference is the sum of the steps' differences, and a longer
    /// window never refunds less.
    #[test]
    fn replay_invariants(base_days in 1u32..30, new_days in 1u32..30) {
        let h = history("order_ledger.json");
        let same = h.replay(&refunds(base_days), &refunds(base_days)).unwrap();
        prop_assert!(same.changes().is_empty());
        prop_assert!(same.difference().is_zero());
        let HistoryReplay::OrderLedger(r) = h.replay(&refunds(base_days), &refunds(new_days)).unwrap() else {
            panic!("an order ledger history replays as one");
        };
        let mut sum = billing_rules::replay::Flows::zero(billing_rules::money::Currency::CNY);
        for step in &r.steps {
            sum = sum.plus(&step.difference).unwrap();
        }
        prop_assert_eq!(sum, r.difference);
        if new_days >= base_days {
            prop_assert!(r.new_total.refunded.amount() >= r.base_total.refunded.amount());
        }
    }
}

#[test]
fn a_longer_grace_keeps_the_chat_service_from_lapsing() {
    // R-LIFE-06: the chat preset serves 24 hours of grace after the expiry
    // day, then suspends; with 72 hours the account has not lapsed when it
    // is advanced 26 hours after the term's end.
    use billing_rules::lifecycle::{SubscriptionEvent, SubscriptionPolicy};
    let mut spec = presets::chat_service_subscription_spec();
    spec.grace_hours = 72;
    let new: ReplayPolicy = SubscriptionPolicy::try_from(spec).unwrap().into();
    let base: ReplayPolicy = presets::chat_service_subscription().unwrap().into();
    let HistoryReplay::Subscription(replay) =
        history("subscription.json").replay(&base, &new).unwrap()
    else {
        panic!("a subscription history replays as one");
    };
    let changes: Vec<_> = replay.changed().map(|s| (s.step, s.change)).collect();
    assert_eq!(
        changes,
        vec![(2, Change::EventsDiffer), (3, Change::EventsDiffer)]
    );
    let lapsed = |outcome: &billing_rules::replay::Outcome<SubscriptionEvent>| match outcome {
        billing_rules::replay::Outcome::Accepted { events, .. } => events
            .iter()
            .any(|e| matches!(e, SubscriptionEvent::Lapsed { .. })),
        billing_rules::replay::Outcome::Refused { .. } => false,
    };
    assert!(lapsed(&replay.steps[2].base));
    assert!(!lapsed(&replay.steps[2].new));
    assert!(replay.difference.is_zero());
}
