//! Kinds, and the seat subscription, package wallet and licence through the
//! engine.

use super::*;

// ------------------------------------------------------- kinds

#[test]
fn every_aggregate_has_a_distinct_snake_case_kind() {
    let kinds = [
        Subscription::KIND,
        PackageWallet::KIND,
        Licence::KIND,
        EnvironmentPayment::KIND,
        OrderLedger::KIND,
    ];
    assert_eq!(
        kinds,
        [
            "subscription",
            "package_wallet",
            "licence",
            "payment_method",
            "order_ledger"
        ]
    );
    for (i, kind) in kinds.iter().enumerate() {
        assert!(
            kind.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{kind}"
        );
        assert!(!kinds[..i].contains(kind), "{kind} is used twice");
    }
}

#[test]
fn every_aggregate_can_be_shared_between_threads() {
    shareable::<Subscription>();
    shareable::<PackageWallet>();
    shareable::<Licence>();
    shareable::<EnvironmentPayment>();
    shareable::<OrderLedger>();
}

#[test]
fn one_store_keeps_the_five_kinds_of_one_account_apart() {
    let engine = new_engine();
    let account = id("acct-1");
    let usage = presets::verification_usage().unwrap();
    engine
        .execute::<Subscription>(
            &account,
            &SubscriptionCommand::Purchase {
                validity: Period::Year,
            },
            &presets::app_store_subscription().unwrap(),
            None,
        )
        .unwrap();
    engine
        .execute::<PackageWallet>(
            &account,
            &WalletCommand::Purchase {
                order: PackageOrder::listed(1_000, 365),
            },
            &usage,
            None,
        )
        .unwrap();
    engine
        .execute::<Licence>(
            &account,
            &LicenceCommand::Purchase {
                app: AppId::new("app-1"),
                account: AccountId::new("acct-1"),
            },
            &presets::live_plugin_licence().unwrap(),
            None,
        )
        .unwrap();
    engine
        .execute::<EnvironmentPayment>(
            &account,
            &PaymentCommand::FirstPurchase {
                method: PaymentMethod::PrepaidCloudAccount,
            },
            &presets::cloud_payment().unwrap(),
            None,
        )
        .unwrap();
    engine
        .execute::<OrderLedger>(
            &account,
            &LedgerCommand::RecordOrder {
                order: "o1".into(),
                paid_at: t0(),
                amount: cny("100.00"),
            },
            &presets::app_store_refunds().unwrap(),
            None,
        )
        .unwrap();
    // Each stream counts its own events: the licence's purchase bound the
    // app first (2 events); every other stream holds one.
    assert_eq!(version::<Subscription>(&engine, &account), Version::new(1));
    assert_eq!(version::<PackageWallet>(&engine, &account), Version::new(1));
    assert_eq!(version::<Licence>(&engine, &account), Version::new(2));
    assert_eq!(
        version::<EnvironmentPayment>(&engine, &account),
        Version::new(1)
    );
    assert_eq!(version::<OrderLedger>(&engine, &account), Version::new(1));
    assert_eq!(engine.store().ids::<OrderLedger>(), vec![account]);
}

// ------------------------------------------------------- subscription

#[test]
fn r_life_04_seat_subscription_purchase_priced_by_the_seat_plan() {
    let engine = new_engine();
    let org = id("org-1");
    let seats = presets::app_store_seat_pricing().unwrap();
    let life = presets::app_store_subscription().unwrap();

    // 120 seats for a year: the 51-200 tier, 80.00 a seat (R-SEAT-03).
    let priced = seats.quote(&SeatOrder::new(120, 1)).unwrap();
    assert_eq!(priced.total.to_string(), "CNY 9600.00");
    let validity = Period::days(priced.validity.total_days.0).unwrap();
    let buy = SubscriptionCommand::Purchase { validity };
    let buy_key = key("org-1-purchase-1");
    let first = engine.execute::<Subscription>(&org, &buy, &life, Some(&buy_key));
    let end = t0() + Duration::days(365);
    assert_eq!(
        first,
        Ok(Outcome {
            events: vec![SubscriptionEvent::Purchased { at: t0(), end }],
            version: Version::new(1),
            decided_at: t0(),
        })
    );

    // Going live after a purchase is refused: the trial starts once.
    assert_refused::<Subscription>(
        &engine,
        &org,
        &SubscriptionCommand::GoLive,
        &life,
        RuleId::Life01,
    );

    // The purchase is retried a day later: nothing is bought twice.
    engine.clock().advance(Duration::days(1)).unwrap();
    assert_retried::<Subscription>(&engine, &org, &buy, &life, &buy_key, &first);
    let state = engine.state::<Subscription>(&org).unwrap();
    assert_eq!(
        Subscription::status(&state, engine.clock().now(), &life),
        SubscriptionStatus::Active { ends: end }
    );
    assert!(Subscription::access(&state, engine.clock().now(), &life).is_allowed());
}

#[test]
fn r_life_03_notice_and_expiry_come_due_through_the_engine() {
    let engine = new_engine();
    let org = id("org-2");
    let life = presets::app_store_subscription().unwrap();
    engine
        .execute::<Subscription>(
            &org,
            &SubscriptionCommand::Purchase {
                validity: Period::Month,
            },
            &life,
            None,
        )
        .unwrap();
    let end = t0() + Duration::days(31);
    let advance = SubscriptionCommand::Advance { funds: None };

    // An hour after the notice came due (7 x 24 h before the end), the
    // scheduler's Advance records it, dated when it came due.
    engine
        .clock()
        .set(end - Duration::days(7) + Duration::hours(1));
    let notice_key = key("sweep-1");
    let noticed = engine.execute::<Subscription>(&org, &advance, &life, Some(&notice_key));
    let events = &noticed.as_ref().unwrap().events;
    assert_eq!(events.len(), 1);
    let SubscriptionEvent::Notice(notice) = &events[0] else {
        panic!("a notice, got {events:?}");
    };
    assert_eq!(
        (notice.due, notice.term, notice.term_end),
        (end - Duration::days(7), TermKind::Paid, end)
    );

    // After the end: the expiry is recorded and access is intercepted
    // (R-LIFE-04; the seat plan has no grace).
    engine.clock().set(end + Duration::hours(1));
    let expired = engine
        .execute::<Subscription>(&org, &advance, &life, None)
        .unwrap();
    assert_eq!(
        expired.events,
        vec![SubscriptionEvent::Expired {
            at: end,
            ended: TermKind::Paid,
            grace_until: None,
            grace_past_calendar: false,
            then: Lapse::Intercepted,
            shortfall: None,
        }]
    );
    assert_eq!(expired.version, Version::new(3));
    let state = engine.state::<Subscription>(&org).unwrap();
    assert!(matches!(state.phase, Phase::Intercepted { .. }));
    assert_eq!(
        Subscription::access(&state, engine.clock().now(), &life).rule(),
        Some(RuleId::Life04)
    );

    // A sweep with nothing due is accepted and writes nothing; the first
    // sweep, retried, still answers with its notice.
    let idle = engine
        .execute::<Subscription>(&org, &advance, &life, None)
        .unwrap();
    assert_eq!((idle.events.len(), idle.version), (0, Version::new(3)));
    assert_retried::<Subscription>(&engine, &org, &advance, &life, &notice_key, &noticed);

    // Renewing restores access at once (R-LIFE-04).
    engine
        .execute::<Subscription>(
            &org,
            &SubscriptionCommand::Renew {
                validity: Period::Month,
            },
            &life,
            None,
        )
        .unwrap();
    let state = engine.state::<Subscription>(&org).unwrap();
    assert!(Subscription::access(&state, engine.clock().now(), &life).is_allowed());
}

#[test]
fn r_life_07_auto_renewal_and_r_life_06_suspension_through_the_engine() {
    let engine = new_engine();
    let chat = id("chat-1");
    let life = presets::chat_service_subscription().unwrap();
    for command in [
        SubscriptionCommand::Purchase {
            validity: Period::Month,
        },
        SubscriptionCommand::SetAutoRenewal { on: true },
    ] {
        engine
            .execute::<Subscription>(&chat, &command, &life, None)
            .unwrap();
    }
    let end = t0() + Duration::days(31);
    let funds = |balance: &str| SubscriptionCommand::Advance {
        funds: Some(Funds {
            balance: cny(balance),
            renewal_price: cny("300.00"),
        }),
    };

    // At the end, 500.00 covers the 300.00 renewal: one more month.
    engine.clock().set(end);
    let renewed = engine
        .execute::<Subscription>(&chat, &funds("500.00"), &life, None)
        .unwrap();
    let renewals: Vec<_> = renewed
        .events
        .iter()
        .filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. }))
        .collect();
    let second_end = end + Duration::days(31);
    assert_eq!(
        renewals,
        [&SubscriptionEvent::AutoRenewed {
            at: end,
            end: second_end,
            price: cny("300.00"),
        }]
    );

    // The next renewal needs the balance: without it nothing is decided.
    engine.clock().set(second_end + Duration::hours(1));
    let refusal = assert_refused::<Subscription>(
        &engine,
        &chat,
        &SubscriptionCommand::Advance { funds: None },
        &life,
        RuleId::Life07,
    );
    assert!(refusal.figure("term_end").is_some());

    // 100.00 falls short: expired with 24 h of grace, still served...
    let lapsing = engine
        .execute::<Subscription>(&chat, &funds("100.00"), &life, None)
        .unwrap();
    assert_eq!(
        lapsing.events.last(),
        Some(&SubscriptionEvent::Expired {
            at: second_end,
            ended: TermKind::Paid,
            grace_until: Some(second_end + Duration::hours(24)),
            grace_past_calendar: false,
            then: Lapse::Suspended,
            shortfall: Some(Shortfall {
                balance: cny("100.00"),
                price: cny("300.00"),
            }),
        })
    );
    let state = engine.state::<Subscription>(&chat).unwrap();
    assert!(Subscription::access(&state, engine.clock().now(), &life).is_allowed());

    // ...then suspended (R-LIFE-06), served no more.
    engine.clock().set(second_end + Duration::hours(25));
    let lapsed = engine
        .execute::<Subscription>(&chat, &funds("100.00"), &life, None)
        .unwrap();
    assert!(matches!(
        lapsed.events.last(),
        Some(SubscriptionEvent::Lapsed {
            then: Lapse::Suspended,
            ..
        })
    ));
    let state = engine.state::<Subscription>(&chat).unwrap();
    assert!(matches!(state.phase, Phase::Suspended { .. }));
    assert_eq!(
        Subscription::access(&state, engine.clock().now(), &life).rule(),
        Some(RuleId::Life06)
    );
}

// ------------------------------------------------------- package wallet

#[test]
fn r_use_07_package_wallet_purchase_consume_and_expire_through_the_engine() {
    let engine = new_engine();
    let app = id("app-account-1");
    let usage = presets::verification_usage().unwrap();

    let buy = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };
    let buy_key = key("package-order-1");
    let bought = engine.execute::<PackageWallet>(&app, &buy, &usage, Some(&buy_key));
    let expires = t0() + Duration::days(365);
    let Ok(Outcome { events, .. }) = &bought else {
        panic!("bought: {bought:?}");
    };
    let [WalletEvent::Purchased(package)] = events.as_slice() else {
        panic!("one purchase, got {events:?}");
    };
    assert_eq!(package.price.to_string(), "CNY 300.00");
    assert_eq!(
        (package.calls, package.effective_at, package.expires_at),
        (10_000, t0(), expires)
    );

    // 5,000 calls: 1,000 from the trial quota (R-USE-02), 4,000 from the
    // package; failed calls are never drawn (R-USE-01).
    engine.clock().advance(Duration::days(1)).unwrap();
    let at = engine.clock().now();
    let consume = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts {
            succeeded: 5_000,
            failed: 7,
        },
        at,
    };
    let used = engine
        .execute::<PackageWallet>(&app, &consume, &usage, None)
        .unwrap();
    let [WalletEvent::Consumed(used)] = used.events.as_slice() else {
        panic!("one consumption");
    };
    assert_eq!((used.from_trial, used.overage, used.failed), (1_000, 0, 7));
    assert_eq!(
        used.draws,
        vec![Draw {
            package: PackageId(0),
            calls: 4_000
        }]
    );
    assert_eq!(used.charge, cny("0"));

    // Switched off, no call is made and nothing is written (R-USE-04).
    engine
        .execute::<PackageWallet>(
            &app,
            &WalletCommand::SwitchFeature {
                switch: FeatureSwitch::Off,
            },
            &usage,
            None,
        )
        .unwrap();
    let refusal = assert_refused::<PackageWallet>(&engine, &app, &consume, &usage, RuleId::Use04);
    assert_eq!(refusal.figure("calls"), Some(&FigureValue::Count(5_007)));

    // The package order is retried: still one package.
    assert_retried::<PackageWallet>(&engine, &app, &buy, &usage, &buy_key, &bought);
    assert_eq!(
        engine
            .state::<PackageWallet>(&app)
            .unwrap()
            .packages()
            .len(),
        1
    );

    // A year on, the daily Advance closes it: 6,000 calls are lost.
    engine.clock().set(expires + Duration::hours(2));
    let expired = engine
        .execute::<PackageWallet>(&app, &WalletCommand::Advance, &usage, None)
        .unwrap();
    assert_eq!(
        expired.events,
        vec![WalletEvent::Expired(Expiry {
            package: PackageId(0),
            expired_at: expires,
            lost: 6_000,
        })]
    );
    let wallet = engine.state::<PackageWallet>(&app).unwrap();
    assert_eq!(
        wallet.packages()[0].status(),
        PackageStatus::Expired { lost: 6_000 }
    );
    // Nothing more is due: a second Advance writes nothing.
    let again = engine
        .execute::<PackageWallet>(&app, &WalletCommand::Advance, &usage, None)
        .unwrap();
    assert_eq!((again.events.len(), again.version), (0, expired.version));
}

// ------------------------------------------------------- licence

#[test]
fn r_lic_04_licence_purchase_stacking_and_expiry_through_the_engine() {
    let engine = new_engine();
    let app = AppId::new("app-9");
    let stream = id("app-9");
    let policy = presets::live_plugin_licence().unwrap();
    let buy = |account: &str| LicenceCommand::Purchase {
        app: app.clone(),
        account: AccountId::new(account),
    };

    let alice_key = key("alice-licence-1");
    let first = engine.execute::<Licence>(&stream, &buy("alice"), &policy, Some(&alice_key));
    let year = t0() + Duration::days(365);
    assert_eq!(
        first.as_ref().unwrap().events,
        vec![
            LicenceEvent::Bound {
                at: t0(),
                app: app.clone(),
                owner: AccountId::new("alice"),
            },
            LicenceEvent::Purchased {
                at: t0(),
                price: cny("30000.00"),
                start: t0(),
                end: year,
            },
        ]
    );

    // R-LIC-04: bob cannot bind alice's app id.
    let refusal = assert_refused::<Licence>(&engine, &stream, &buy("bob"), &policy, RuleId::Lic04);
    assert_eq!(
        refusal.figure("owner"),
        Some(&FigureValue::Text("alice".into()))
    );

    // R-LIC-03: 100 days on, a second licence stacks from the current end.
    engine.clock().advance(Duration::days(100)).unwrap();
    let stacked = engine
        .execute::<Licence>(&stream, &buy("alice"), &policy, None)
        .unwrap();
    let two_years = t0() + Duration::days(730);
    assert_eq!(
        stacked.events,
        vec![LicenceEvent::Purchased {
            at: t0() + Duration::days(100),
            price: cny("30000.00"),
            start: year,
            end: two_years,
        }]
    );
    assert_retried::<Licence>(&engine, &stream, &buy("alice"), &policy, &alice_key, &first);

    // The expiry comes due through Advance; the plugin is then refused.
    engine.clock().set(two_years + Duration::days(1));
    let expired = engine
        .execute::<Licence>(&stream, &LicenceCommand::Advance, &policy, None)
        .unwrap();
    assert_eq!(
        expired.events,
        vec![LicenceEvent::Expired { at: two_years }]
    );
    let state = engine.state::<Licence>(&stream).unwrap();
    assert!(matches!(state, LicenceState::Expired(_)));
    assert_eq!(
        Licence::access(&state, engine.clock().now(), &policy).rule(),
        Some(RuleId::Lic05)
    );
}
