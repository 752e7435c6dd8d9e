//! Payment methods and the order ledger through the engine (R-PAY-03/04,
//! R-REF-02).

use super::*;

// ------------------------------------------------------- payment method

#[test]
fn r_pay_03_the_fifth_switch_is_refused_through_the_engine() {
    let engine = new_engine();
    let env = id("env-1");
    let policy = presets::cloud_payment().unwrap();
    engine
        .execute::<EnvironmentPayment>(
            &env,
            &PaymentCommand::FirstPurchase {
                method: PaymentMethod::PrepaidPersonalWallet,
            },
            &policy,
            None,
        )
        .unwrap();
    let to = |n: u32| match n % 2 {
        1 => PaymentMethod::PrepaidCloudAccount,
        _ => PaymentMethod::PrepaidPersonalWallet,
    };
    let mut fourth = None;
    for n in 1..=4 {
        let command = PaymentCommand::switch(to(n), SwitchFacts::default());
        let switch_key = key(&format!("switch-{n}"));
        let answer =
            engine.execute::<EnvironmentPayment>(&env, &command, &policy, Some(&switch_key));
        let events = &answer.as_ref().unwrap().events;
        assert!(
            matches!(events.as_slice(), [PaymentEvent::MethodSwitched { switch_number, .. }] if *switch_number == n),
            "{events:?}"
        );
        fourth = Some((command, switch_key, answer));
    }
    let refusal = assert_refused::<EnvironmentPayment>(
        &engine,
        &env,
        &PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default()),
        &policy,
        RuleId::Pay03,
    );
    assert_eq!(
        refusal.figure("switches_used"),
        Some(&FigureValue::Count(4))
    );
    assert_eq!(refusal.figure("switch_limit"), Some(&FigureValue::Count(4)));
    let (command, switch_key, answer) = fourth.unwrap();
    assert_retried::<EnvironmentPayment>(&engine, &env, &command, &policy, &switch_key, &answer);
    assert_eq!(
        engine
            .state::<EnvironmentPayment>(&env)
            .unwrap()
            .switches_used(),
        4
    );
}

#[test]
fn r_pay_04_no_switch_after_pay_as_you_go_through_the_engine() {
    let engine = new_engine();
    let env = id("env-2");
    let policy = presets::cloud_payment().unwrap();
    engine
        .execute::<EnvironmentPayment>(
            &env,
            &PaymentCommand::FirstPurchase {
                method: PaymentMethod::PrepaidCloudAccount,
            },
            &policy,
            None,
        )
        .unwrap();
    let refund = SwitchFacts::default().with_refund(cny("150.00"), cny("400.00"));
    let payg = engine
        .execute::<EnvironmentPayment>(
            &env,
            &PaymentCommand::switch(PaymentMethod::PayAsYouGo, refund),
            &policy,
            None,
        )
        .unwrap();
    assert!(matches!(
        payg.events.as_slice(),
        [PaymentEvent::MethodSwitched { refunded: Some(r), switch_number: 1, .. }] if *r == cny("150.00")
    ));
    assert_eq!(
        engine.state::<EnvironmentPayment>(&env).unwrap(),
        PaymentState::PayAsYouGo {
            switches_used: 1,
            ever_prepaid: true
        }
    );
    assert_refused::<EnvironmentPayment>(
        &engine,
        &env,
        &PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default()),
        &policy,
        RuleId::Pay04,
    );
}

// ------------------------------------------------------- order ledger

#[test]
fn r_ref_02_order_ledger_refunds_latest_first_through_the_engine() {
    let engine = new_engine();
    let app = id("app-ledger-1");
    let policy = presets::app_store_refunds().unwrap();
    let record = |order: &str, amount: &str| LedgerCommand::RecordOrder {
        order: order.into(),
        paid_at: engine.clock().now(),
        amount: cny(amount),
    };
    let refund = |order: &str| LedgerCommand::Refund {
        order: order.into(),
        flags: RefundFlags::default(),
    };
    engine
        .execute::<OrderLedger>(&app, &record("o1", "9600.00"), &policy, None)
        .unwrap();
    engine.clock().advance(Duration::days(1)).unwrap();
    engine
        .execute::<OrderLedger>(&app, &record("o2", "4080.00"), &policy, None)
        .unwrap();

    // o1 is not the latest: refused (R-REF-02), and remembered so.
    let early_key = key("refund-o1-early");
    let early = engine.execute::<OrderLedger>(&app, &refund("o1"), &policy, Some(&early_key));
    assert_eq!(
        early.as_ref().unwrap_err().refusal().map(Refusal::rule),
        Some(RuleId::Ref02)
    );
    assert_refused::<OrderLedger>(&engine, &app, &refund("o1"), &policy, RuleId::Ref02);

    let refunded = engine
        .execute::<OrderLedger>(&app, &refund("o2"), &policy, None)
        .unwrap();
    assert_eq!(
        refunded.events,
        vec![LedgerEvent::OrderRefunded {
            order: "o2".into(),
            amount: cny("4080.00"),
            at: t0() + Duration::days(1),
        }]
    );
    // o1 would now be refundable, but the retried request keeps its first
    // answer; a new request is a new command.
    assert_retried::<OrderLedger>(&engine, &app, &refund("o1"), &policy, &early_key, &early);

    // Eleven days after its payment, o1's window has closed (R-REF-01).
    engine
        .clock()
        .set(t0() + Duration::days(10) + Duration::seconds(1));
    assert_refused::<OrderLedger>(&engine, &app, &refund("o1"), &policy, RuleId::Ref01);
    let ledger = engine.state::<OrderLedger>(&app).unwrap();
    let currency = policy.locale().currency;
    assert_eq!(ledger.total_paid(currency).unwrap(), cny("13680.00"));
    assert_eq!(ledger.total_refunded(currency).unwrap(), cny("4080.00"));
}

#[test]
fn r_ref_02_two_engines_racing_on_one_ledger_lose_no_order() {
    let store = Arc::new(MemoryStore::new());
    let app = id("app-race");
    let policy = Arc::new(presets::app_store_refunds().unwrap());
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let (store, policy, barrier, app) = (
                Arc::clone(&store),
                Arc::clone(&policy),
                Arc::clone(&barrier),
                app.clone(),
            );
            thread::spawn(move || {
                let engine = Engine::new(FixedClock::new(t0()), store).with_retries(0);
                barrier.wait();
                (0..50)
                    .map(|i| {
                        let command = LedgerCommand::RecordOrder {
                            order: format!("t{t}-o{i}").into(),
                            paid_at: t0() - Duration::minutes(i),
                            amount: cny("1.00"),
                        };
                        let answer = engine.execute::<OrderLedger>(&app, &command, &policy, None);
                        (format!("t{t}-o{i}"), answer)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut accepted = Vec::new();
    for handle in handles {
        for (order, answer) in handle.join().unwrap() {
            match answer {
                Ok(outcome) => accepted.push((outcome.version, order, outcome.events)),
                // Without retries a lost race is reported, and writes nothing.
                Err(EngineError::Store(StoreError::Conflict { .. })) => {}
                Err(other) => panic!("{order}: {other}"),
            }
        }
    }
    accepted.sort_by_key(|(version, ..)| *version);
    let events = store.events::<OrderLedger>(&app);
    // The stream is exactly the accepted commands, at their versions.
    assert_eq!(events.len(), accepted.len());
    for (i, (version, order, outcome_events)) in accepted.iter().enumerate() {
        assert_eq!(version.get(), u64::try_from(i + 1).unwrap());
        assert_eq!(&events[i..=i], outcome_events.as_slice());
        assert!(
            matches!(&events[i], LedgerEvent::OrderRecorded { order: o, .. } if o.as_str() == order)
        );
    }
    let engine = Engine::new(FixedClock::new(t0()), &*store);
    let ledger = engine.state::<OrderLedger>(&app).unwrap();
    assert_eq!(ledger, OrderLedger::replay(events.iter()));
    assert_eq!(
        ledger.total_paid(policy.locale().currency).unwrap(),
        Money::cny(Decimal::from(accepted.len()))
    );
}
