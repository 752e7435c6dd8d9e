//! Refund eligibility: app-order ledger and licence refunds (issue 6:
//! R-REF-01..04).

mod common;

use billing_rules::Decider;
use billing_rules::money::{Currency, Money};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, AppRefundPolicySpec, Eligibility, LedgerCommand, LedgerEvent, LedgerState,
    LicenceCharge, LicenceRefundPolicy, LicenceRefundPolicySpec, LicenceRefundRequest, Order,
    OrderId, OrderLedger, OrderStatus, RefundFlags, RefundWindow,
};
use billing_rules::time::Days;
use billing_rules::{Error, FigureValue, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cny, refused, rules};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// 00:00 UTC+08:00 on June `day`, 2025.
fn june(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 31, 16, 0, 0).unwrap() + Duration::days(i64::from(day) - 1)
}

fn gb(s: &str) -> Quantity {
    Quantity::new(s.parse().unwrap(), Unit::Gigabyte)
}

fn policy() -> AppRefundPolicy {
    presets::app_store_refunds().unwrap()
}

fn licence_policy() -> LicenceRefundPolicy {
    presets::live_plugin_licence_refunds().unwrap()
}

fn record(id: &str, paid_at: DateTime<Utc>, amount: &str) -> LedgerCommand {
    LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at,
        amount: cny(amount),
    }
}

fn invoice(id: &str) -> LedgerCommand {
    LedgerCommand::MarkInvoiced { order: id.into() }
}

fn refund(id: &str) -> LedgerCommand {
    LedgerCommand::Refund {
        order: id.into(),
        flags: RefundFlags::default(),
    }
}

fn apply(state: &LedgerState, command: &LedgerCommand, at: DateTime<Utc>) -> LedgerState {
    OrderLedger::run(state, command, at, &policy()).unwrap().0
}

/// o1: 300 paid June 1; o2: 500 paid June 5.
fn two_orders() -> LedgerState {
    let state = apply(
        &OrderLedger::initial(),
        &record("o1", june(1), "300"),
        june(1),
    );
    apply(&state, &record("o2", june(5), "500"), june(5))
}

fn eligible(order: &str, amount: &str) -> Eligibility {
    Eligibility::Eligible {
        order: order.into(),
        amount: cny(amount),
    }
}

// ---------------------------------------------------------------- R-REF-01

#[test]
fn r_ref_01_exactly_ten_days_after_payment_is_eligible_one_second_later_is_not() {
    let state = two_orders();
    let end = june(5) + Duration::days(10);
    assert_eq!(
        policy().next_refund(&state, RefundFlags::default(), end),
        eligible("o2", "500")
    );
    let late = end + Duration::seconds(1);
    let answer = policy().eligibility(&state, &"o2".into(), RefundFlags::default(), late);
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref01]);
    assert_eq!(
        refusal.primary().message,
        "the refund window of 10 days from its payment (2025-06-05 00:00:00 +08:00) closed at \
         2025-06-15 00:00:00 +08:00; it is now 2025-06-15 00:00:01 +08:00"
    );
    assert_eq!(refusal.figure("window_days"), Some(&FigureValue::Count(10)));
    assert_eq!(
        refusal.figure("window_closed_at"),
        Some(&FigureValue::Instant(end))
    );
    assert_eq!(
        refusal.figure("order"),
        Some(&FigureValue::Text("o2".into()))
    );
    // The decider agrees, and refuses the refund with the same reasons.
    assert_eq!(
        refused::<OrderLedger>(&state, &refund("o2"), late, &policy()),
        refusal.clone()
    );
    assert!(OrderLedger::run(&state, &refund("o2"), end, &policy()).is_ok());
}

#[test]
fn r_ref_01_the_window_is_counted_in_24_hour_days_from_the_paid_instant() {
    // Paid at 23:59:30 local time: the window ends 10 x 24 h later, not at
    // the end of a calendar day.
    let paid = june(1) + Duration::hours(23) + Duration::minutes(59) + Duration::seconds(30);
    let state = apply(&OrderLedger::initial(), &record("o1", paid, "300"), paid);
    let flags = RefundFlags::default();
    let end = paid + Duration::days(10);
    assert!(
        policy()
            .eligibility(&state, &"o1".into(), flags, end)
            .is_eligible()
    );
    assert!(
        !policy()
            .eligibility(&state, &"o1".into(), flags, end + Duration::seconds(1))
            .is_eligible()
    );
}

#[test]
fn r_ref_01_an_invoiced_order_is_never_refundable() {
    let state = apply(&two_orders(), &invoice("o2"), june(6));
    let refusal = refused::<OrderLedger>(&state, &refund("o2"), june(6), &policy());
    assert_eq!(rules(&refusal), [RuleId::Ref01]);
    assert_eq!(
        refusal.primary().message,
        "order o2 has been invoiced: an invoiced order is never refunded"
    );
    assert!(state.order(&"o2".into()).unwrap().is_invoiced());
}

#[test]
fn r_ref_01_window_length_is_a_policy_field() {
    let spec = AppRefundPolicySpec {
        window_days: 3,
        ..Default::default()
    };
    let policy = AppRefundPolicy::try_from(spec).unwrap();
    let state = two_orders();
    let flags = RefundFlags::default();
    let end = june(5) + Duration::days(3);
    assert!(
        policy
            .eligibility(&state, &"o2".into(), flags, end)
            .is_eligible()
    );
    let late = policy.eligibility(&state, &"o2".into(), flags, end + Duration::seconds(1));
    assert!(
        late.refusal()
            .unwrap()
            .primary()
            .message
            .contains("of 3 days")
    );

    let zero = AppRefundPolicy::try_from(AppRefundPolicySpec {
        window_days: 0,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(zero.field, "window_days");
    assert_eq!(zero.rule, Some(RuleId::Ref01));
    assert!(serde_json::from_str::<AppRefundPolicy>(r#"{"window_days": 0}"#).is_err());
}

#[test]
fn r_ref_01_recording_an_order_lists_every_problem_and_changes_nothing() {
    let state = two_orders();
    let before = state.clone();
    let bad = LedgerCommand::RecordOrder {
        order: "o1".into(),
        paid_at: june(20),
        amount: cny("-5"),
    };
    let refusal = refused::<OrderLedger>(&state, &bad, june(10), &policy());
    assert_eq!(
        rules(&refusal),
        [RuleId::Ref01, RuleId::Ref01, RuleId::Ref01]
    );
    let messages: Vec<&str> = refusal
        .reasons()
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    assert_eq!(
        messages[0],
        "order o1 is already in the ledger: every order needs its own id"
    );
    assert_eq!(
        messages[1],
        "order o1 has amount CNY -5.00, below zero: record what was paid"
    );
    assert!(messages[2].starts_with("order o1 is paid at 2025-06-19T16:00:00+00:00, after now"));
    assert_eq!(state, before);
    assert_eq!(state.orders().len(), 2);
}

#[test]
fn r_ref_01_an_order_in_another_currency_is_an_arithmetic_error() {
    let usd = LedgerCommand::RecordOrder {
        order: "o3".into(),
        paid_at: june(6),
        amount: Money::new(Decimal::ONE, Currency::USD),
    };
    let err = OrderLedger::decide(&two_orders(), &usd, june(6), &policy()).unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
}

#[test]
fn r_ref_01_marking_invoiced_is_refused_for_unknown_invoiced_and_refunded_orders() {
    let state = two_orders();
    let refusal = refused::<OrderLedger>(&state, &invoice("o9"), june(6), &policy());
    assert_eq!(
        refusal.primary().message,
        "there is no order o9 in this app's ledger"
    );
    let state = apply(&state, &invoice("o1"), june(6));
    assert_eq!(
        refused::<OrderLedger>(&state, &invoice("o1"), june(6), &policy())
            .primary()
            .message,
        "order o1 is already invoiced"
    );
    let state = apply(&state, &refund("o2"), june(6));
    assert_eq!(
        refused::<OrderLedger>(&state, &invoice("o2"), june(6), &policy())
            .primary()
            .message,
        "order o2 was refunded: a refunded order is not invoiced"
    );
}

#[test]
fn r_ref_01_refunding_an_unknown_order_is_refused() {
    let refusal = refused::<OrderLedger>(&two_orders(), &refund("o9"), june(6), &policy());
    assert_eq!(rules(&refusal), [RuleId::Ref01]);
    assert_eq!(
        refusal.figure("order"),
        Some(&FigureValue::Text("o9".into()))
    );
}

// ---------------------------------------------------------------- R-REF-02

#[test]
fn r_ref_02_only_the_latest_unrefunded_order_is_refundable() {
    let state = two_orders();
    let refusal = refused::<OrderLedger>(&state, &refund("o1"), june(6), &policy());
    assert_eq!(rules(&refusal), [RuleId::Ref02]);
    assert_eq!(
        refusal.primary().message,
        "order o1 is not the latest unrefunded order (o2 is): refunds go from the latest \
         order backwards"
    );
    assert_eq!(
        refusal.figure("latest_unrefunded"),
        Some(&FigureValue::Text("o2".into()))
    );
}

#[test]
fn r_ref_02_refunds_go_from_the_latest_order_backwards() {
    let state = two_orders();
    let (state, events) = OrderLedger::run(&state, &refund("o2"), june(6), &policy()).unwrap();
    assert_eq!(
        events,
        [LedgerEvent::OrderRefunded {
            order: "o2".into(),
            amount: cny("500"),
            at: june(6)
        }]
    );
    assert_eq!(
        policy().next_refund(&state, RefundFlags::default(), june(6)),
        eligible("o1", "300")
    );
    let state = apply(&state, &refund("o1"), june(6));
    assert_eq!(state.total_refunded(Currency::CNY).unwrap(), cny("800"));
    assert_eq!(state.total_paid(Currency::CNY).unwrap(), cny("800"));
    let again = refused::<OrderLedger>(&state, &refund("o1"), june(6), &policy());
    assert_eq!(rules(&again), [RuleId::Ref02]);
    assert_eq!(again.primary().message, "order o1 was already refunded");
    let none = policy().next_refund(&state, RefundFlags::default(), june(6));
    assert_eq!(
        none.refusal().unwrap().primary().message,
        "every one of the 2 orders is already refunded"
    );
    let empty = policy().next_refund(&LedgerState::default(), RefundFlags::default(), june(6));
    assert_eq!(
        empty.refusal().unwrap().primary().message,
        "the ledger has no order to refund"
    );
}

#[test]
fn r_ref_02_an_invoiced_latest_order_blocks_every_older_refund() {
    let state = apply(&two_orders(), &invoice("o2"), june(6));
    let refusal = refused::<OrderLedger>(&state, &refund("o1"), june(6), &policy());
    assert_eq!(rules(&refusal), [RuleId::Ref02]);
    let next = policy().next_refund(&state, RefundFlags::default(), june(6));
    assert_eq!(rules(next.refusal().unwrap()), [RuleId::Ref01]);
}

#[test]
fn r_ref_02_of_orders_paid_at_the_same_instant_the_later_recorded_is_latest() {
    let state = apply(
        &OrderLedger::initial(),
        &record("b", june(3), "100"),
        june(3),
    );
    let state = apply(&state, &record("a", june(3), "200"), june(3));
    assert_eq!(state.latest_unrefunded().unwrap().id, OrderId::from("a"));
    assert_eq!(
        policy().next_refund(&state, RefundFlags::default(), june(4)),
        eligible("a", "200")
    );
}

#[test]
fn r_ref_02_latest_means_paid_last_not_recorded_last() {
    let state = apply(
        &OrderLedger::initial(),
        &record("late", june(5), "500"),
        june(5),
    );
    let state = apply(&state, &record("early", june(2), "200"), june(6));
    assert_eq!(state.latest_unrefunded().unwrap().id, OrderId::from("late"));
    let refusal = refused::<OrderLedger>(&state, &refund("early"), june(6), &policy());
    assert_eq!(rules(&refusal), [RuleId::Ref02]);
}

#[test]
fn r_ref_01_02_every_reason_is_listed_in_order() {
    // o1 is old, invoiced, and not the latest; the account is banned and the
    // refund is flagged.
    let state = apply(&two_orders(), &invoice("o1"), june(2));
    let command = LedgerCommand::Refund {
        order: "o1".into(),
        flags: RefundFlags::default().banned().abnormal(),
    };
    let refusal = refused::<OrderLedger>(&state, &command, june(20), &policy());
    assert_eq!(
        rules(&refusal),
        [
            RuleId::Ref01,
            RuleId::Ref01,
            RuleId::Ref02,
            RuleId::Ref04,
            RuleId::Ref04
        ]
    );
    assert!(
        refusal.reasons()[0]
            .message
            .starts_with("the refund window")
    );
    assert!(refusal.reasons()[1].message.contains("invoiced"));
}

// ---------------------------------------------------------------- R-REF-03

fn licence_request(traffic: Quantity) -> LicenceRefundRequest {
    LicenceRefundRequest::licence("lic-1", cny("30000"), june(1), traffic)
}

#[test]
fn r_ref_03_twenty_gb_exactly_qualifies_in_any_unit() {
    let at = june(10);
    for traffic in [
        gb("20"),
        Quantity::new(Decimal::new(2, 2), Unit::Terabyte),
        Quantity::new(Decimal::from(20_000), Unit::Megabyte),
        Quantity::new(Decimal::from(20_000_000_000i64), Unit::Byte),
        gb("0"),
    ] {
        let answer = licence_policy()
            .eligibility(&licence_request(traffic), at)
            .unwrap();
        assert_eq!(answer, eligible("lic-1", "30000"), "{traffic}");
    }
}

#[test]
fn r_ref_03_more_than_twenty_gb_is_refused_with_the_figures() {
    for traffic in [
        gb("20.000000001"),
        Quantity::new("0.0200000001".parse().unwrap(), Unit::Terabyte),
        Quantity::new(Decimal::from(20_000_000_001i64), Unit::Byte),
    ] {
        let answer = licence_policy()
            .eligibility(&licence_request(traffic), june(10))
            .unwrap();
        let refusal = answer.refusal().unwrap();
        assert_eq!(rules(refusal), [RuleId::Ref03], "{traffic}");
        assert_eq!(
            refusal.figure("traffic"),
            Some(&FigureValue::Quantity(traffic))
        );
        assert_eq!(
            refusal.figure("traffic_limit"),
            Some(&FigureValue::Quantity(gb("20")))
        );
    }
    let answer = licence_policy()
        .eligibility(&licence_request(gb("21")), june(10))
        .unwrap();
    assert_eq!(
        answer.refusal().unwrap().primary().message,
        "playback traffic 21 GB > limit 20 GB over the 14 days from the account's first \
         licence purchase"
    );
}

#[test]
fn r_ref_03_exactly_fourteen_days_after_the_first_purchase_is_eligible_one_second_later_is_not() {
    let request = licence_request(gb("5"));
    let end = june(1) + Duration::days(14);
    assert!(
        licence_policy()
            .eligibility(&request, end)
            .unwrap()
            .is_eligible()
    );
    let answer = licence_policy()
        .eligibility(&request, end + Duration::seconds(1))
        .unwrap();
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref03]);
    assert!(
        refusal
            .primary()
            .message
            .starts_with("the refund window of 14 days from the account's first licence purchase")
    );
}

#[test]
fn r_ref_03_a_later_licence_still_counts_from_the_first_purchase() {
    // The second licence was bought on June 10; the first on June 1. On
    // June 16 the second is 6 days old, but the window counts from June 1.
    let second = LicenceRefundRequest::licence("lic-2", cny("30000"), june(1), gb("1"));
    let answer = licence_policy().eligibility(&second, june(16)).unwrap();
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref03]);
    assert_eq!(
        refusal.figure("window_start"),
        Some(&FigureValue::Instant(june(1)))
    );
}

#[test]
fn r_ref_03_traffic_that_is_not_data_is_an_error() {
    let calls = Quantity::new(Decimal::from(5), Unit::Call);
    let err = licence_policy()
        .eligibility(&licence_request(calls), june(2))
        .unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
}

#[test]
fn r_ref_03_negative_traffic_or_amount_is_refused() {
    let mut request = licence_request(gb("-1"));
    request.amount = cny("-1");
    let answer = licence_policy().eligibility(&request, june(2)).unwrap();
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref03, RuleId::Ref03]);
    assert!(
        refusal.reasons()[0]
            .message
            .contains("amount CNY -1.00, below zero")
    );
    assert!(
        refusal.reasons()[1]
            .message
            .contains("traffic is -1 GB, below zero")
    );
}

#[test]
fn r_ref_03_policy_is_validated_and_defaults_to_the_published_figures() {
    let spec: LicenceRefundPolicySpec = serde_json::from_str(
        r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#,
    )
    .unwrap();
    assert_eq!(spec, presets::live_plugin_licence_refunds_spec());
    assert_eq!(
        LicenceRefundPolicy::try_from(spec).unwrap(),
        licence_policy()
    );
    assert_eq!(licence_policy().window(), RefundWindow::new(Days(14)));

    let err = LicenceRefundPolicy::try_from(LicenceRefundPolicySpec {
        traffic_limit: Quantity::new(Decimal::from(20), Unit::Call),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.field, "traffic_limit");
    assert_eq!(err.rule, Some(RuleId::Ref03));
    let err = LicenceRefundPolicy::try_from(LicenceRefundPolicySpec {
        traffic_limit: gb("-1"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.problem, "-1 GB is negative");
    let err = LicenceRefundPolicy::try_from(LicenceRefundPolicySpec {
        window_days: 0,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.field, "window_days");

    // A policy serializes back to its spec.
    let json = serde_json::to_value(licence_policy()).unwrap();
    assert_eq!(json["window_days"], 14);
    assert_eq!(json["traffic_limit"]["unit"], "GB");
    let back: LicenceRefundPolicy = serde_json::from_value(json).unwrap();
    assert_eq!(back, licence_policy());
}

// ---------------------------------------------------------------- R-REF-04

#[test]
fn r_ref_04_traffic_fees_are_never_refunded() {
    let mut request = licence_request(gb("0"));
    request.charge = LicenceCharge::TrafficFee;
    let answer = licence_policy().eligibility(&request, june(1)).unwrap();
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref04]);
    assert_eq!(
        refusal.primary().message,
        "order lic-1 is a traffic fee: traffic fees are never refunded"
    );
}

#[test]
fn r_ref_04_a_banned_account_is_not_refunded() {
    let flags = RefundFlags::default().banned();
    let answer = policy().eligibility(&two_orders(), &"o2".into(), flags, june(6));
    let refusal = answer.refusal().unwrap();
    assert_eq!(rules(refusal), [RuleId::Ref04]);
    assert_eq!(
        refusal.primary().message,
        "the account is banned for content: it is not refunded"
    );
    let mut request = licence_request(gb("1"));
    request.flags = flags;
    let answer = licence_policy().eligibility(&request, june(2)).unwrap();
    assert_eq!(rules(answer.refusal().unwrap()), [RuleId::Ref04]);
}

#[test]
fn r_ref_04_an_abnormal_flag_refuses_unless_the_policy_allows_it() {
    let flags = RefundFlags::default().abnormal();
    let answer = policy().eligibility(&two_orders(), &"o2".into(), flags, june(6));
    assert_eq!(
        answer.refusal().unwrap().primary().message,
        "the refund is flagged as abnormal: it is refused"
    );
    let lenient = AppRefundPolicy::try_from(AppRefundPolicySpec {
        refuse_abnormal: false,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        lenient.eligibility(&two_orders(), &"o2".into(), flags, june(6)),
        eligible("o2", "500")
    );
}

#[test]
fn r_ref_03_04_every_licence_reason_is_listed_in_order() {
    let mut request = licence_request(gb("25"));
    request.flags = RefundFlags::default().banned().abnormal();
    let answer = licence_policy().eligibility(&request, june(30)).unwrap();
    assert_eq!(
        rules(answer.refusal().unwrap()),
        [RuleId::Ref03, RuleId::Ref03, RuleId::Ref04, RuleId::Ref04]
    );
    request.charge = LicenceCharge::TrafficFee;
    let answer = licence_policy().eligibility(&request, june(30)).unwrap();
    assert_eq!(
        rules(answer.refusal().unwrap()),
        [RuleId::Ref04, RuleId::Ref04, RuleId::Ref04]
    );
}

// ---------------------------------------------------------------- serde

#[test]
fn r_ref_01_ledger_commands_events_states_and_answers_round_trip_through_json() {
    let state = apply(&two_orders(), &invoice("o1"), june(6));
    let json = serde_json::to_string(&state).unwrap();
    assert!(json.contains(r#""status":"invoiced""#), "{json}");
    assert_eq!(serde_json::from_str::<LedgerState>(&json).unwrap(), state);

    let duplicate = r#"{"orders": [
        {"id": "a", "paid_at": "2025-06-01T00:00:00Z", "amount": {"amount": "1", "currency": "CNY"}},
        {"id": "a", "paid_at": "2025-06-02T00:00:00Z", "amount": {"amount": "2", "currency": "CNY"}}]}"#;
    assert!(serde_json::from_str::<LedgerState>(duplicate).is_err());
    let mixed = r#"{"orders": [
        {"id": "a", "paid_at": "2025-06-01T00:00:00Z", "amount": {"amount": "1", "currency": "CNY"}},
        {"id": "b", "paid_at": "2025-06-02T00:00:00Z", "amount": {"amount": "2", "currency": "USD"}}]}"#;
    assert!(serde_json::from_str::<LedgerState>(mixed).is_err());

    let command: LedgerCommand =
        serde_json::from_str(r#"{"command": "refund", "order": "o2"}"#).unwrap();
    assert_eq!(command, refund("o2"));
    let back: LedgerCommand =
        serde_json::from_str(&serde_json::to_string(&record("o3", june(7), "9.99")).unwrap())
            .unwrap();
    assert_eq!(back, record("o3", june(7), "9.99"));

    let answer = eligible("o2", "500");
    let json = serde_json::to_string(&answer).unwrap();
    assert_eq!(
        json,
        r#"{"answer":"eligible","order":"o2","amount":{"amount":"500","currency":"CNY"}}"#
    );
    let refused =
        policy().eligibility(&two_orders(), &"o1".into(), RefundFlags::default(), june(6));
    let json = serde_json::to_string(&refused).unwrap();
    assert!(
        json.starts_with(r#"{"answer":"refused","reasons":[{"rule":"R-REF-02""#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Eligibility>(&json).unwrap(), refused);

    let request: LicenceRefundRequest = serde_json::from_str(
        r#"{"order": "lic-1", "amount": {"amount": "30000", "currency": "CNY"},
            "first_licence_purchase": "2025-05-31T16:00:00Z",
            "traffic": {"value": "0.02", "unit": "TB"}}"#,
    )
    .unwrap();
    assert_eq!(request.charge, LicenceCharge::Licence);
    assert_eq!(request.flags, RefundFlags::default());
    assert_eq!(request.first_licence_purchase, june(1));
}

#[test]
fn r_ref_01_status_flags_are_exclusive() {
    let mut order = Order::new("o", june(1), cny("1"));
    assert!(!order.is_invoiced() && !order.is_refunded());
    order.status = OrderStatus::Refunded;
    assert!(order.is_refunded() && !order.is_invoiced());
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Step {
    Record {
        id: u8,
        paid_hours_ago: u16,
        cents: u32,
    },
    Invoice(u8),
    Refund(u8),
    Wait(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..8, 0u16..400, 0u32..1_000_000).prop_map(|(id, paid_hours_ago, cents)| Step::Record { id, paid_hours_ago, cents }),
        1 => (0u8..8).prop_map(Step::Invoice),
        3 => (0u8..8).prop_map(Step::Refund),
        2 => (0u16..200).prop_map(Step::Wait),
    ]
}

/// Runs `steps` through the decider from June 1, the clock moving forward;
/// calls `check` with the state before each command, the instant, the
/// command and its result.
fn simulate(
    steps: &[Step],
    mut check: impl FnMut(
        &LedgerState,
        DateTime<Utc>,
        &LedgerCommand,
        &Result<(LedgerState, Vec<LedgerEvent>), Error>,
    ),
) -> (LedgerState, Vec<LedgerEvent>) {
    let policy = policy();
    let mut now = june(1);
    let mut state = OrderLedger::initial();
    let mut log = Vec::new();
    for step in steps {
        let command = match step {
            Step::Wait(hours) => {
                now += Duration::hours(i64::from(*hours));
                continue;
            }
            Step::Record {
                id,
                paid_hours_ago,
                cents,
            } => LedgerCommand::RecordOrder {
                order: format!("o{id}").into(),
                paid_at: now - Duration::hours(i64::from(*paid_hours_ago)),
                amount: Money::cny(Decimal::new(i64::from(*cents), 2)),
            },
            Step::Invoice(id) => LedgerCommand::MarkInvoiced {
                order: format!("o{id}").into(),
            },
            Step::Refund(id) => LedgerCommand::Refund {
                order: format!("o{id}").into(),
                flags: RefundFlags::default(),
            },
        };
        let result = OrderLedger::run(&state, &command, now, &policy);
        check(&state, now, &command, &result);
        if let Ok((next, events)) = result {
            state = next;
            log.extend(events);
        }
    }
    (state, log)
}

proptest! {
    #[test]
    fn r_ref_01_02_total_refunded_never_exceeds_total_paid(steps in prop::collection::vec(step(), 0..60)) {
        let mut refunds = Money::cny(Decimal::ZERO);
        let (state, log) = simulate(&steps, |before, _, _, result| {
            if let Ok((after, events)) = result {
                for event in events {
                    if let LedgerEvent::OrderRefunded { amount, .. } = event {
                        refunds = refunds.checked_add(*amount).unwrap();
                    }
                }
                let paid = after.total_paid(Currency::CNY).unwrap();
                let refunded = after.total_refunded(Currency::CNY).unwrap();
                assert!(refunded.amount() <= paid.amount(), "{refunded} > {paid}");
                assert!(before.total_refunded(Currency::CNY).unwrap().amount() <= refunded.amount());
            }
        });
        prop_assert_eq!(state.total_refunded(Currency::CNY).unwrap(), refunds);
        prop_assert!(state.total_refunded(Currency::CNY).unwrap().amount() <= state.total_paid(Currency::CNY).unwrap().amount());
        // Replaying the events gives the same ledger.
        prop_assert_eq!(OrderLedger::replay(log.iter()), state);
    }

    #[test]
    fn r_ref_02_only_the_latest_unrefunded_order_is_ever_eligible(
        steps in prop::collection::vec(step(), 0..60),
        probe_hours in 0i64..400,
    ) {
        let policy = policy();
        let (state, _) = simulate(&steps, |before, _, command, result| {
            if let (LedgerCommand::Refund { order, .. }, Ok(_)) = (command, result) {
                assert_eq!(&before.latest_unrefunded().unwrap().id, order);
            }
        });
        let latest = state.latest_unrefunded().map(|o| o.id.clone());
        let now = june(1) + Duration::hours(probe_hours);
        for order in state.orders() {
            let answer = policy.eligibility(&state, &order.id, RefundFlags::default(), now);
            if answer.is_eligible() {
                prop_assert_eq!(Some(&order.id), latest.as_ref());
            }
        }
        // And the next refund names that order, when it is eligible.
        if let Eligibility::Eligible { order, .. } = policy.next_refund(&state, RefundFlags::default(), now) {
            prop_assert_eq!(Some(order), latest);
        }
    }

    #[test]
    fn r_ref_01_an_invoiced_order_is_never_eligible(
        steps in prop::collection::vec(step(), 0..60),
        probe_hours in -400i64..400,
    ) {
        let policy = policy();
        let (state, _) = simulate(&steps, |before, _, command, result| {
            if let (LedgerCommand::Refund { order, .. }, Ok(_)) = (command, result) {
                assert!(!before.order(order).unwrap().is_invoiced());
            }
        });
        let now = june(1) + Duration::hours(probe_hours);
        for order in state.orders().iter().filter(|o| o.is_invoiced()) {
            let answer = policy.eligibility(&state, &order.id, RefundFlags::default(), now);
            let refusal = answer.refusal();
            prop_assert!(refusal.is_some());
            prop_assert!(refusal.unwrap().reasons().iter().any(|r| r.rule == RuleId::Ref01 && r.message.contains("invoiced")));
        }
    }

    #[test]
    fn r_ref_01_exactly_n_days_is_eligible_and_n_days_plus_one_second_is_not(
        days in 1u32..3650,
        paid_seconds in 0i64..4_000_000_000,
        cents in 0i64..10_000_000,
    ) {
        let policy = AppRefundPolicy::try_from(AppRefundPolicySpec { window_days: days, ..Default::default() }).unwrap();
        let paid = DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(paid_seconds);
        let amount = Money::cny(Decimal::new(cents, 2));
        let state = LedgerState::from_orders(vec![Order::new("o", paid, amount)]).unwrap();
        let end = paid + Duration::days(i64::from(days));
        let flags = RefundFlags::default();
        prop_assert_eq!(
            policy.eligibility(&state, &"o".into(), flags, end),
            Eligibility::Eligible { order: "o".into(), amount }
        );
        prop_assert!(policy.eligibility(&state, &"o".into(), flags, paid).is_eligible());
        let late = policy.eligibility(&state, &"o".into(), flags, end + Duration::seconds(1));
        prop_assert_eq!(late.refusal().map(|r| r.rule()), Some(RuleId::Ref01));
    }

    #[test]
    fn r_ref_03_exactly_n_days_is_eligible_and_n_days_plus_one_second_is_not(
        days in 1u32..3650,
        first_seconds in 0i64..4_000_000_000,
        traffic_mb in 0i64..=20_000,
    ) {
        let policy = LicenceRefundPolicy::try_from(LicenceRefundPolicySpec { window_days: days, ..Default::default() }).unwrap();
        let first = DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(first_seconds);
        let traffic = Quantity::new(Decimal::from(traffic_mb), Unit::Megabyte);
        let request = LicenceRefundRequest::licence("lic", Money::cny(Decimal::from(30_000)), first, traffic);
        let end = first + Duration::days(i64::from(days));
        prop_assert!(policy.eligibility(&request, end).unwrap().is_eligible());
        let late = policy.eligibility(&request, end + Duration::seconds(1)).unwrap();
        prop_assert_eq!(late.refusal().map(|r| r.rules().collect::<Vec<_>>()), Some(vec![RuleId::Ref03]));
    }

    #[test]
    fn r_ref_03_traffic_qualifies_exactly_up_to_the_limit_in_any_unit(
        bytes in 0i64..40_000_000_000,
        unit in prop::sample::select(vec![Unit::Byte, Unit::Kilobyte, Unit::Megabyte, Unit::Gigabyte, Unit::Terabyte]),
    ) {
        let traffic = Quantity::new(Decimal::from(bytes), Unit::Byte).convert_to(unit).unwrap();
        let request = LicenceRefundRequest::licence("lic", Money::cny(Decimal::from(30_000)), june(1), traffic);
        let answer = licence_policy().eligibility(&request, june(2)).unwrap();
        prop_assert_eq!(answer.is_eligible(), bytes <= 20_000_000_000);
    }
}

// ---------------------------------------------------------------- long ledgers (issue 8)

/// What a ledger answers, for comparing two ledgers that should agree: the
/// lookups, "latest first" (R-REF-02), the totals, and the decider's answer
/// to a refund, an invoice and a record of every probed id.
fn answers(state: &LedgerState, probes: &[OrderId], now: DateTime<Utc>) -> Vec<String> {
    let policy = policy();
    let mut out = vec![
        format!("{:?}", state.latest_unrefunded()),
        format!("{:?}", state.total_paid(Currency::CNY)),
        format!("{:?}", state.total_refunded(Currency::CNY)),
        format!(
            "{:?}",
            policy.next_refund(state, RefundFlags::default(), now)
        ),
    ];
    for id in probes {
        out.push(format!("{:?}", state.order(id)));
        for command in [
            LedgerCommand::Refund {
                order: id.clone(),
                flags: RefundFlags::default(),
            },
            LedgerCommand::MarkInvoiced { order: id.clone() },
            LedgerCommand::RecordOrder {
                order: id.clone(),
                paid_at: now,
                amount: cny("1"),
            },
        ] {
            out.push(format!(
                "{:?}",
                OrderLedger::decide(state, &command, now, &policy)
            ));
        }
    }
    out
}

/// R-REF-02: a ledger of 100,000 orders (every tenth invoiced, the latest
/// thousand refunded) replays, and reads back from JSON answering exactly
/// as before (issue 8: the index is rebuilt, not serialized).
#[test]
fn r_ref_02_a_ledger_of_100000_orders_replays_and_reads_back_identically() {
    let n = 100_000i64;
    let start = june(1) - Duration::days(n);
    let id = |i: i64| OrderId::from(format!("o{i}"));
    let mut events: Vec<LedgerEvent> = (0..n)
        .map(|i| LedgerEvent::OrderRecorded {
            order: id(i),
            // Two orders a day, so "latest" needs the recording order too.
            paid_at: start + Duration::hours(12 * i),
            amount: Money::cny(Decimal::new(29_900 + i, 2)),
            at: start + Duration::hours(12 * i),
        })
        .collect();
    events.extend((0..n).step_by(10).map(|i| LedgerEvent::OrderInvoiced {
        order: id(i),
        at: june(1),
    }));
    events.extend((n - 1000..n).rev().filter(|i| i % 10 != 0).map(|i| {
        LedgerEvent::OrderRefunded {
            order: id(i),
            amount: cny("0"),
            at: june(1),
        }
    }));
    let state = OrderLedger::replay(events.iter());
    assert_eq!(state.orders().len(), 100_000);
    // The latest unrefunded is the newest invoiced one of the refunded tail.
    assert_eq!(
        state.latest_unrefunded().map(|o| o.id.clone()),
        Some(id(n - 10))
    );
    assert_eq!(
        state.order(&id(n - 10)).map(|o| o.status),
        Some(OrderStatus::Invoiced)
    );
    assert_eq!(
        state.order(&id(n - 11)).map(|o| o.status),
        Some(OrderStatus::Refunded)
    );
    assert_eq!(
        state.order(&id(42)).map(|o| o.status),
        Some(OrderStatus::Open)
    );
    // The sum of 299.00 + i / 100 for i < n: 299 n + n (n - 1) / 200.
    assert_eq!(state.total_paid(Currency::CNY).unwrap(), cny("79899500.00"));

    let json = serde_json::to_string(&state).unwrap();
    assert!(
        json.starts_with(r#"{"orders":[{"id":"o0","paid_at":"#),
        "{}",
        &json[..80]
    );
    let back: LedgerState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
    let probes: Vec<OrderId> = [0, 41, 42, n - 11, n - 10, n - 1, n, n + 1]
        .into_iter()
        .map(id)
        .collect();
    let now = june(1);
    assert_eq!(answers(&back, &probes, now), answers(&state, &probes, now));
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    // Older orders wait for the latest (R-REF-02), on the read-back ledger too.
    let refusal = refused::<OrderLedger>(&back, &refund(&format!("o{}", n - 20)), now, &policy());
    assert_eq!(
        refusal.figure("latest_unrefunded"),
        Some(&FigureValue::Text(format!("o{}", n - 10).into()))
    );
    // A new order is recorded and refunded alike on both.
    let fresh = |state: &LedgerState| {
        let state = apply(state, &record("fresh", now, "9.90"), now);
        apply(&state, &refund("fresh"), now)
    };
    let (fresh_state, fresh_back) = (fresh(&state), fresh(&back));
    assert_eq!(fresh_back, fresh_state);
    assert_eq!(
        fresh_back.total_refunded(Currency::CNY),
        fresh_state.total_refunded(Currency::CNY)
    );
    assert_eq!(
        fresh_back.latest_unrefunded().map(|o| o.id.clone()),
        Some(id(n - 10))
    );
}

/// R-REF-01: two orders of one id in a history read back (or passed to
/// `from_orders`) are a data error naming the duplicate's path and its
/// earlier twin, not a rule's refusal; a new order with a used id is
/// still refused under R-REF-01 by the decider.
#[test]
fn r_ref_01_a_duplicate_id_in_a_history_is_a_data_error_naming_both() {
    let orders = vec![
        Order::new("a", june(1), cny("1")),
        Order::new("b", june(2), cny("2")),
        Order::new("a", june(3), cny("3")),
    ];
    let Err(Error::Data(err)) = LedgerState::from_orders(orders) else {
        panic!("a duplicate id is a data error")
    };
    assert_eq!(err.field, "orders[2].id");
    assert_eq!(err.problem, "order id a is already used by orders[0]");
    assert_eq!(
        err.allowed,
        "one order per id: merge the two entries or give one its own id"
    );
    assert_eq!(Error::Data(err.clone()).rule(), None);

    let json = r#"{"orders": [
        {"id": "a", "paid_at": "2025-06-01T00:00:00Z", "amount": {"amount": "1", "currency": "CNY"}},
        {"id": "a", "paid_at": "2025-06-02T00:00:00Z", "amount": {"amount": "2", "currency": "CNY"}}]}"#;
    let err = serde_json::from_str::<LedgerState>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("`orders[1].id`: order id a is already used by orders[0]"),
        "{err}"
    );

    let refusal = refused::<OrderLedger>(
        &two_orders(),
        &record("o1", june(5), "1"),
        june(5),
        &policy(),
    );
    assert_eq!(rules(&refusal), [RuleId::Ref01]);
}

#[derive(Debug, Clone)]
enum Fact {
    Recorded { id: u8, paid_hours: u16, cents: i32 },
    Invoiced(u8),
    Refunded(u8),
}

/// Any events, also ones `decide` never emits (refunds out of order,
/// duplicates, negative amounts): a stream read from a store may be
/// corrupted, and `evolve` must stay total.
fn fact() -> impl Strategy<Value = Fact> {
    prop_oneof![
        4 => (0u8..12, 0u16..50, -100i32..100_000)
            .prop_map(|(id, paid_hours, cents)| Fact::Recorded { id, paid_hours, cents }),
        1 => (0u8..12).prop_map(Fact::Invoiced),
        3 => (0u8..12).prop_map(Fact::Refunded),
    ]
}

/// The ledger as a plain list, applied the way `evolve` documents it, with
/// every answer found by scanning.
#[derive(Default)]
struct Model(Vec<Order>);

impl Model {
    fn apply(&mut self, event: &LedgerEvent) {
        match event {
            LedgerEvent::OrderRecorded {
                order,
                paid_at,
                amount,
                ..
            } => {
                if !amount.is_negative() && self.0.iter().all(|o| &o.id != order) {
                    self.0.push(Order::new(order.clone(), *paid_at, *amount));
                }
            }
            LedgerEvent::OrderInvoiced { order, .. } | LedgerEvent::OrderRefunded { order, .. } => {
                let status = match event {
                    LedgerEvent::OrderInvoiced { .. } => OrderStatus::Invoiced,
                    _ => OrderStatus::Refunded,
                };
                if let Some(o) = self
                    .0
                    .iter_mut()
                    .find(|o| &o.id == order && o.status == OrderStatus::Open)
                {
                    o.status = status;
                }
            }
        }
    }

    fn latest_unrefunded(&self) -> Option<&Order> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.is_refunded())
            .max_by_key(|(i, o)| (o.paid_at, *i))
            .map(|(_, o)| o)
    }
}

proptest! {
    /// R-REF-02: the index answers exactly as a scan of the orders would
    /// (lookups, latest unrefunded with its tie rule, total paid) after any
    /// stream of events, and so does the ledger read back from JSON or
    /// rebuilt from its orders.
    #[test]
    fn r_ref_02_the_index_answers_as_a_scan_of_the_orders(facts in prop::collection::vec(fact(), 0..80)) {
        let id = |i: u8| OrderId::from(format!("o{i}"));
        let events: Vec<LedgerEvent> = facts
            .iter()
            .map(|fact| match *fact {
                Fact::Recorded { id: i, paid_hours, cents } => LedgerEvent::OrderRecorded {
                    order: id(i),
                    // Few distinct instants, so ties are common.
                    paid_at: june(1) + Duration::hours(i64::from(paid_hours % 8)),
                    amount: Money::cny(Decimal::new(i64::from(cents), 2)),
                    at: june(1),
                },
                Fact::Invoiced(i) => LedgerEvent::OrderInvoiced { order: id(i), at: june(1) },
                Fact::Refunded(i) => LedgerEvent::OrderRefunded { order: id(i), amount: cny("0"), at: june(1) },
            })
            .collect();
        let mut model = Model::default();
        let mut state = OrderLedger::initial();
        for event in &events {
            model.apply(event);
            state = OrderLedger::evolve(state, event);
            prop_assert_eq!(state.orders(), &model.0[..]);
            prop_assert_eq!(state.latest_unrefunded(), model.latest_unrefunded());
        }
        let probes: Vec<OrderId> = (0..13).map(id).collect();
        for probe in &probes {
            prop_assert_eq!(state.order(probe), model.0.iter().find(|o| &o.id == probe));
        }
        prop_assert_eq!(
            state.total_paid(Currency::CNY).unwrap(),
            Money::checked_sum(Currency::CNY, model.0.iter().map(|o| o.amount)).unwrap()
        );
        let now = june(3);
        let expected = answers(&state, &probes, now);
        let back: LedgerState = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        prop_assert_eq!(&back, &state);
        prop_assert_eq!(answers(&back, &probes, now), expected.clone());
        let rebuilt = LedgerState::from_orders(state.orders().to_vec()).unwrap();
        prop_assert_eq!(answers(&rebuilt, &probes, now), expected);
    }
}
