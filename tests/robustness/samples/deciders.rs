//! Scripted runs of every decider: the states, events, commands and
//! refusals they leave, as samples.

use super::*;

/// Subscriptions: the app store's trial path, the chat service's reminders,
/// auto-renewal, grace and suspension, the cloud's isolation.
pub(super) fn subscriptions(s: &mut Samples, t0: DateTime<Utc>) {
    let store = presets::app_store_subscription().unwrap();
    script::<Subscription>(
        &store,
        vec![
            (SubscriptionCommand::GoLive, t0),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(8),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(15),
            ),
            (
                SubscriptionCommand::StartExtraTrial {
                    by: billing_rules::lifecycle::Role::Admin,
                },
                t0 + Duration::days(16),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(30),
            ),
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Year,
                },
                t0 + Duration::days(31),
            ),
            (
                SubscriptionCommand::Renew {
                    validity: Period::days(90).unwrap(),
                },
                t0 + Duration::days(40),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(600),
            ),
            (SubscriptionCommand::GoLive, t0 + Duration::days(601)),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    let chat = presets::chat_service_subscription().unwrap();
    let funds = |balance: i64| Funds {
        balance: yuan(balance),
        renewal_price: yuan(100),
    };
    script::<Subscription>(
        &chat,
        vec![
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Month,
                },
                t0,
            ),
            (SubscriptionCommand::SetAutoRenewal { on: true }, t0),
            (
                SubscriptionCommand::Advance {
                    funds: Some(funds(150)),
                },
                t0 + Duration::days(32),
            ),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(70),
            ),
            (
                SubscriptionCommand::Advance {
                    funds: Some(funds(50)),
                },
                t0 + Duration::days(70),
            ),
            (
                SubscriptionCommand::SetAutoRenewal { on: false },
                t0 + Duration::days(71),
            ),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    let cloud = presets::cloud_environment_subscription().unwrap();
    script::<Subscription>(
        &cloud,
        vec![
            (
                SubscriptionCommand::Purchase {
                    validity: Period::Month,
                },
                t0,
            ),
            (SubscriptionCommand::SetAutoRenewal { on: true }, t0),
            (
                SubscriptionCommand::Advance { funds: None },
                t0 + Duration::days(40),
            ),
        ],
        &mut s.subscription_states,
        &mut s.subscription_events,
        &mut s.subscription_commands,
        &mut s.errors,
    );
    for state in &s.subscription_states {
        for later in [0, 10, 31, 32, 40, 400] {
            let now = t0 + Duration::days(later);
            s.subscription_statuses
                .push(Subscription::status(state, now, &chat));
            s.accesses.push(Subscription::access(state, now, &chat));
            s.accesses.push(Subscription::access(state, now, &store));
        }
    }
}

/// Postpaid: a bill in arrears, reminders, suspension, restoration; a
/// balance that runs out.
pub(super) fn postpaid(s: &mut Samples, t0: DateTime<Utc>) {
    let cloud_postpaid = presets::cloud_environment_postpaid().unwrap();
    let day2 = Utc.with_ymd_and_hms(2025, 7, 1, 17, 0, 0).unwrap();
    script::<PostpaidAccount>(
        &cloud_postpaid,
        vec![
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                day2 - Duration::days(5),
            ),
            (PostpaidCommand::IssueBill { amount: yuan(150) }, day2),
            (PostpaidCommand::Advance, day2 + Duration::hours(13)),
            (PostpaidCommand::Advance, day2 + Duration::hours(30)),
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                day2 + Duration::hours(31),
            ),
            (
                PostpaidCommand::IssueBill { amount: yuan(1) },
                day2 + Duration::days(5),
            ),
            (PostpaidCommand::Charge { amount: yuan(1) }, day2),
        ],
        &mut s.postpaid_states,
        &mut s.postpaid_events,
        &mut s.postpaid_commands,
        &mut s.errors,
    );
    let plugin_postpaid = presets::live_plugin_postpaid().unwrap();
    script::<PostpaidAccount>(
        &plugin_postpaid,
        vec![
            (PostpaidCommand::TopUp { amount: yuan(50) }, t0),
            (PostpaidCommand::Charge { amount: yuan(80) }, t0),
            (PostpaidCommand::Advance, t0 + Duration::hours(25)),
            (
                PostpaidCommand::TopUp { amount: yuan(10) },
                t0 + Duration::hours(26),
            ),
            (
                PostpaidCommand::TopUp { amount: yuan(100) },
                t0 + Duration::hours(27),
            ),
            (
                PostpaidCommand::TopUp {
                    amount: Money::new(Decimal::ONE, Currency::USD),
                },
                t0,
            ),
        ],
        &mut s.postpaid_states,
        &mut s.postpaid_events,
        &mut s.postpaid_commands,
        &mut s.errors,
    );
    for state in &s.postpaid_states {
        for later in [0, 12, 24, 48] {
            let now = t0 + Duration::hours(later);
            s.postpaid_statuses
                .push(PostpaidAccount::status(state, now, &plugin_postpaid));
            s.accesses
                .push(PostpaidAccount::access(state, now, &plugin_postpaid));
            s.accesses.push(PostpaidAccount::recording_access(
                state,
                now,
                &cloud_postpaid,
            ));
        }
    }
}

/// Licences: bind, buy, stack, claim a bundled year, expire, refusals.
pub(super) fn licences(s: &mut Samples, t0: DateTime<Utc>) {
    let lic = presets::live_plugin_licence().unwrap();
    let app = AppId::new("app-1");
    let alice = AccountId::new("alice");
    let package = |id: &str, tb: i64, buyer: &str| TrafficPackage {
        id: id.to_owned(),
        size: Quantity::new(Decimal::from(tb), Unit::Terabyte),
        buyer: AccountId::new(buyer),
    };
    // R-LIC-06: the package's claim issues the receipt the licence needs.
    let claim = BundleClaimCommand::Claim {
        app: app.clone(),
        account: alice.clone(),
        package: package("pkg-1", 200, "alice"),
    };
    let (claims, _) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim,
        t0 + Duration::days(101),
        &lic,
    )
    .unwrap();
    let claimed = claims.receipt().unwrap().clone();
    script::<Licence>(
        &lic,
        vec![
            (
                LicenceCommand::Bind {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0,
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0,
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0 + Duration::days(100),
            ),
            (
                LicenceCommand::ClaimBundled {
                    app: app.clone(),
                    account: alice.clone(),
                    receipt: claimed.clone(),
                },
                t0 + Duration::days(101),
            ),
            (
                LicenceCommand::ClaimBundled {
                    app: app.clone(),
                    account: alice.clone(),
                    receipt: crate::strategies::receipt_of(
                        &app,
                        &package("pkg-2", 199, "bob"),
                        t0 + Duration::days(101),
                    ),
                },
                t0 + Duration::days(101),
            ),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: AccountId::new("bob"),
                },
                t0,
            ),
            (LicenceCommand::Advance, t0 + Duration::days(2000)),
            (
                LicenceCommand::Purchase {
                    app: app.clone(),
                    account: alice.clone(),
                },
                t0 + Duration::days(2001),
            ),
        ],
        &mut s.licence_states,
        &mut s.licence_events,
        &mut s.licence_commands,
        &mut s.errors,
    );
    for state in &s.licence_states {
        for later in [0, 500, 5000] {
            let now = t0 + Duration::days(later);
            s.licence_statuses.push(Licence::status(state, now, &lic));
            s.accesses.push(Licence::access(state, now, &lic));
        }
    }
}

/// Payment methods: first purchase, switches, refusals.
pub(super) fn payments(s: &mut Samples, t0: DateTime<Utc>) {
    let pay = presets::cloud_payment().unwrap();
    script::<EnvironmentPayment>(
        &pay,
        vec![
            (
                PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default()),
                t0,
            ),
            (
                PaymentCommand::FirstPurchase {
                    method: PaymentMethod::PrepaidPersonalWallet,
                },
                t0,
            ),
            (
                PaymentCommand::switch(
                    PaymentMethod::PrepaidCloudAccount,
                    SwitchFacts::default().with_refund(yuan(100), yuan(150)),
                ),
                t0,
            ),
            (
                PaymentCommand::switch(
                    PaymentMethod::PayAsYouGo,
                    SwitchFacts::default()
                        .in_isolation()
                        .in_unsupported_context()
                        .with_refund(yuan(150), yuan(100)),
                ),
                t0,
            ),
            (
                PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default()),
                t0,
            ),
            (
                PaymentCommand::FirstPurchase {
                    method: PaymentMethod::PrepaidCloudAccount,
                },
                t0,
            ),
        ],
        &mut s.payment_states,
        &mut s.payment_events,
        &mut s.payment_commands,
        &mut s.errors,
    );
}

/// Order ledger: record, invoice, refund latest first, refusals.
pub(super) fn ledgers(s: &mut Samples, t0: DateTime<Utc>) {
    let refunds = presets::app_store_refunds().unwrap();
    let june = |d: u32| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
    let record = |id: &str, d: u32, amount: i64| LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at: june(d),
        amount: yuan(amount),
    };
    script::<OrderLedger>(
        &refunds,
        vec![
            (record("o1", 1, 300), june(1)),
            (record("o2", 5, 500), june(5)),
            (record("o3", 6, 0), june(6)),
            (LedgerCommand::MarkInvoiced { order: "o1".into() }, june(7)),
            (
                LedgerCommand::Refund {
                    order: "o2".into(),
                    flags: RefundFlags::default(),
                },
                june(7),
            ),
            (
                LedgerCommand::Refund {
                    order: "o3".into(),
                    flags: RefundFlags::default().abnormal().banned(),
                },
                june(7),
            ),
            (
                LedgerCommand::Refund {
                    order: "o3".into(),
                    flags: RefundFlags::default(),
                },
                june(8),
            ),
            (record("o1", 9, 1), june(8)),
        ],
        &mut s.ledger_states,
        &mut s.ledger_events,
        &mut s.ledger_commands,
        &mut s.errors,
    );
    for state in &s.ledger_states {
        s.eligibilities
            .push(refunds.next_refund(state, RefundFlags::default(), june(9)));
        s.eligibilities
            .push(refunds.next_refund(state, RefundFlags::default().banned(), june(30)));
    }
    let lic_refunds = presets::live_plugin_licence_refunds().unwrap();
    let request = LicenceRefundRequest::licence(
        "lic-1",
        yuan(30_000),
        t0,
        Quantity::new(Decimal::new(2, 2), Unit::Terabyte),
    );
    let traffic_fee = LicenceRefundRequest {
        charge: billing_rules::refund::LicenceCharge::TrafficFee,
        flags: RefundFlags::default().abnormal(),
        ..request.clone()
    };
    for req in [request, traffic_fee] {
        for later in [0, 14, 15] {
            s.eligibilities.push(
                lic_refunds
                    .eligibility(&req, t0 + Duration::days(later))
                    .unwrap(),
            );
        }
        s.licence_refund_requests.push(req);
    }
}
