//! Extremes of licences, payments and ledgers.

use super::*;

#[test]
fn extremes_licence_price_at_decimal_max_and_terms_of_a_million_days() {
    let policy = licence_policy(Decimal::MAX, Period::days(1_000_000).unwrap(), 10);
    let app = AppId::new("app-1");
    let alice = AccountId::new("alice");
    let buy = LicenceCommand::Purchase {
        app: app.clone(),
        account: alice.clone(),
    };
    let (state, events) = Licence::run(&Licence::initial(), &buy, t2025(), &policy).unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        LicenceEvent::Purchased { price, .. } if *price == Money::cny(Decimal::MAX)
    )));
    // Ten free terms of 10^6 days each stack from the end (R-LIC-03, R-LIC-06).
    let package = TrafficPackage {
        id: "p1".into(),
        size: Quantity::new(Decimal::from(200), Unit::Terabyte),
        buyer: alice.clone(),
    };
    let claim = LicenceCommand::ClaimBundled {
        receipt: claimed(&app, package, &policy),
        app,
        account: alice,
    };
    let (state, _) = Licence::run(&state, &claim, t2025(), &policy).unwrap();
    let LicenceState::Available(held) = &state else {
        panic!("available")
    };
    assert_eq!(held.end, t2025() + Duration::days(11_000_000));
    assert_eq!(held.granted(&policy).unwrap(), Days(11_000_000));
    // Stacking goes on until the end would pass chrono's range; that
    // purchase is an error and the licence keeps its end.
    let room = (max_utc() - held.end).num_days() / 1_000_000;
    let mut state = state;
    let mut stacked = 0;
    loop {
        match Licence::run(&state, &buy, t2025(), &policy) {
            Ok((next, _)) => {
                state = next;
                stacked += 1;
                assert!(stacked <= room);
            }
            Err(err) => {
                assert!(is_out_of_range(&err), "{err}");
                break;
            }
        }
    }
    assert_eq!(stacked, room);
    let LicenceState::Available(last) = &state else {
        panic!("available")
    };
    assert_eq!(
        last.end,
        t2025() + Duration::days(11_000_000 + 1_000_000 * room)
    );
}

#[test]
fn extremes_licence_of_u32_max_days_is_an_error_value() {
    let policy = licence_policy(Decimal::ONE, Period::days(u32::MAX).unwrap(), 10);
    let buy = LicenceCommand::Purchase {
        app: AppId::new("app-1"),
        account: AccountId::new("alice"),
    };
    let err = Licence::run(&Licence::initial(), &buy, t2025(), &policy).unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    let package = TrafficPackage {
        id: "p1".into(),
        size: Quantity::new(Decimal::MAX, Unit::Terabyte),
        buyer: AccountId::new("alice"),
    };
    let claim = LicenceCommand::ClaimBundled {
        app: AppId::new("app-1"),
        account: AccountId::new("alice"),
        receipt: claimed(&AppId::new("app-1"), package, &policy),
    };
    // 10 x u32::MAX days does not fit a day count.
    let err = Licence::run(&Licence::initial(), &claim, t2025(), &policy).unwrap_err();
    assert!(is_overflow(&err), "{err}");
}

// ------------------------------------------------------ payment, refunds

#[test]
fn extremes_payment_invoice_balances_at_decimal_max_and_min() {
    let policy = presets::cloud_payment().unwrap();
    let state = PaymentState::Prepaid {
        source: billing_rules::payment::PrepaidSource::PersonalWallet,
        switches_used: 0,
    };
    let cny = Money::cny;
    let switch = |refund: Decimal, open: Decimal| {
        PaymentCommand::switch(
            PaymentMethod::PrepaidCloudAccount,
            SwitchFacts::default().with_refund(cny(refund), cny(open)),
        )
    };
    // Enough open for invoicing: accepted, the refund recorded exactly.
    let (_, events) = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MAX, Decimal::MAX),
        t2025(),
        &policy,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    // Not enough: R-PAY-06 with the figures.
    let err = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MAX, Decimal::MAX - Decimal::ONE),
        t2025(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Pay06));
    // Negative amounts: one R-PAY-06 reason each.
    let err = EnvironmentPayment::run(
        &state,
        &switch(Decimal::MIN, Decimal::MIN),
        t2025(),
        &policy,
    )
    .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.reasons().len()), Some(2));
}

#[test]
fn extremes_payment_switch_limit_at_u32_max() {
    let mut spec = presets::cloud_payment_spec();
    spec.switch_limit = u32::MAX;
    let policy = PaymentPolicy::try_from(spec).unwrap();
    let state = PaymentState::Prepaid {
        source: billing_rules::payment::PrepaidSource::PersonalWallet,
        switches_used: u32::MAX - 1,
    };
    let to = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
    let (state, _) = EnvironmentPayment::run(&state, &to, t2025(), &policy).unwrap();
    assert_eq!(state.switches_used(), u32::MAX);
    let back = PaymentCommand::switch(PaymentMethod::PrepaidPersonalWallet, SwitchFacts::default());
    let err = EnvironmentPayment::run(&state, &back, t2025(), &policy).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Pay03));
}

#[test]
fn extremes_ledger_totals_near_decimal_max() {
    let policy = presets::app_store_refunds().unwrap();
    let now = t2025();
    let record = |id: &str, amount: Decimal| LedgerCommand::RecordOrder {
        order: id.into(),
        paid_at: now,
        amount: Money::cny(amount),
    };
    let (state, _) = OrderLedger::run(
        &OrderLedger::initial(),
        &record("o1", Decimal::MAX),
        now,
        &policy,
    )
    .unwrap();
    // The total paid would pass the maximum: refused as an overflow, and
    // the ledger keeps its one order.
    let err =
        OrderLedger::run(&state, &record("o2", Decimal::new(1, 2)), now, &policy).unwrap_err();
    assert!(is_too_large(&err), "{err}");
    assert_eq!(state.orders().len(), 1);
    // A zero order still fits, and refunds go latest first (R-REF-02).
    let (state, _) = OrderLedger::run(&state, &record("o2", Decimal::ZERO), now, &policy).unwrap();
    let next = policy.next_refund(&state, RefundFlags::default(), now);
    assert_eq!(
        next,
        Eligibility::Eligible {
            order: "o2".into(),
            amount: Money::cny(Decimal::ZERO)
        }
    );
    let refund = |id: &str| LedgerCommand::Refund {
        order: id.into(),
        flags: RefundFlags::default(),
    };
    let (state, _) = OrderLedger::run(&state, &refund("o2"), now, &policy).unwrap();
    let (state, _) = OrderLedger::run(&state, &refund("o1"), now, &policy).unwrap();
    assert_eq!(
        state.total_refunded(Currency::CNY).unwrap(),
        Money::cny(Decimal::MAX)
    );
}

#[test]
fn extremes_ledger_window_across_chrono_whole_range() {
    let mut spec = presets::app_store_refunds_spec();
    spec.window_days = u32::MAX;
    let policy = billing_rules::refund::AppRefundPolicy::try_from(spec).unwrap();
    let (state, _) = OrderLedger::run(
        &OrderLedger::initial(),
        &LedgerCommand::RecordOrder {
            order: "o1".into(),
            paid_at: min_utc(),
            amount: Money::cny(Decimal::ONE),
        },
        max_utc(),
        &policy,
    )
    .unwrap();
    // 4294967295 days (11.7 million years) from chrono's first instant
    // closes after its last: still inside at the last instant.
    assert!(
        policy
            .next_refund(&state, RefundFlags::default(), max_utc())
            .is_eligible()
    );
    // The preset's 10 days closed long before.
    let preset = presets::app_store_refunds().unwrap();
    let answer = preset.next_refund(&state, RefundFlags::default(), max_utc());
    assert_eq!(answer.refusal().map(|r| r.rule()), Some(RuleId::Ref01));
}

#[test]
fn extremes_licence_refund_traffic_near_decimal_max() {
    let policy = presets::live_plugin_licence_refunds().unwrap();
    let first = t2025();
    let request = |traffic: Quantity| {
        LicenceRefundRequest::licence("lic-1", Money::cny(Decimal::MAX), first, traffic)
    };
    // The maximum in GB is compared exactly with 20 GB: over the limit.
    let over = policy
        .eligibility(&request(Quantity::new(Decimal::MAX, Unit::Gigabyte)), first)
        .unwrap();
    assert_eq!(over.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
    // The maximum in TB cannot be written in GB, but the comparison does
    // not need to: it is over the limit too, never an overflow or a wrap.
    let over = policy
        .eligibility(&request(Quantity::new(Decimal::MAX, Unit::Terabyte)), first)
        .unwrap();
    assert_eq!(over.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
    // The smallest positive amount of bytes qualifies, at chrono's last
    // instant the window is closed.
    let tiny = request(Quantity::new(Decimal::new(1, 28), Unit::Byte));
    assert!(policy.eligibility(&tiny, first).unwrap().is_eligible());
    let late = policy.eligibility(&tiny, max_utc()).unwrap();
    assert_eq!(late.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
}
