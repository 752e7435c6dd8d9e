//! Refund eligibility, ordering and licence reasons (R-REF-01..04).

use super::*;

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
