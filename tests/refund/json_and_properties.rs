//! JSON round trips, large ledgers, data errors and the property tests.

use super::*;

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
