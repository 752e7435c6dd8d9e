//! Payment-method choice, switch limits and invoicing balances (R-PAY-01..06).

use super::*;

// ---------------------------------------------------------------- R-PAY-01

#[test]
fn r_pay_01_default_method_is_the_prepaid_personal_wallet() {
    let state = EnvironmentPayment::initial();
    assert_eq!(state, PaymentState::NotChosen);
    assert_eq!(policy().method_in_use(&state), PrepaidPersonalWallet);
    assert_eq!(PaymentMethod::default(), PrepaidPersonalWallet);
    assert_eq!(policy().default_method(), PrepaidPersonalWallet);
}

#[test]
fn r_pay_01_three_methods_with_stable_names() {
    assert_eq!(
        PaymentMethod::ALL,
        [PrepaidPersonalWallet, PrepaidCloudAccount, PayAsYouGo]
    );
    let names: Vec<String> = PaymentMethod::ALL
        .iter()
        .map(|m| serde_json::to_string(m).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            r#""prepaid_personal_wallet""#,
            r#""prepaid_cloud_account""#,
            r#""pay_as_you_go""#
        ]
    );
    for method in PaymentMethod::ALL {
        assert_eq!(method.to_string().parse::<PaymentMethod>().unwrap(), method);
    }
    assert_eq!(
        "wallet".parse::<PaymentMethod>().unwrap(),
        PrepaidPersonalWallet
    );
    assert_eq!(
        "cloud".parse::<PaymentMethod>().unwrap(),
        PrepaidCloudAccount
    );
    assert_eq!("payg".parse::<PaymentMethod>().unwrap(), PayAsYouGo);
    let err = "card".parse::<PaymentMethod>().unwrap_err();
    assert!(err.to_string().contains("`card` is not a payment method"));
    assert!(PrepaidPersonalWallet.is_prepaid() && PrepaidCloudAccount.is_prepaid());
    assert!(!PayAsYouGo.is_prepaid());
    assert_eq!(
        PrepaidCloudAccount.prepaid_source(),
        Some(PrepaidSource::CloudAccount)
    );
}

#[test]
fn r_pay_01_default_method_is_a_policy_field() {
    let policy = policy_with(|s| s.default_method = PrepaidCloudAccount);
    assert_eq!(
        policy.method_in_use(&EnvironmentPayment::initial()),
        PrepaidCloudAccount
    );
}

// ---------------------------------------------------------------- R-PAY-02

#[test]
fn r_pay_02_first_purchase_chooses_the_method() {
    let (state, events) = EnvironmentPayment::run(
        &EnvironmentPayment::initial(),
        &first(PrepaidCloudAccount),
        now(),
        &policy(),
    )
    .unwrap();
    assert_eq!(
        events,
        [PaymentEvent::MethodChosen {
            method: PrepaidCloudAccount,
            at: now()
        }]
    );
    assert_eq!(
        state,
        PaymentState::Prepaid {
            source: PrepaidSource::CloudAccount,
            switches_used: 0
        }
    );
    assert_eq!(policy().method_in_use(&state), PrepaidCloudAccount);
    assert!(state.ever_prepaid());
    assert_eq!(state.switches_used(), 0);
}

#[test]
fn r_pay_02_a_later_purchase_cannot_choose_again() {
    let state = bought(PrepaidPersonalWallet);
    let refusal =
        refused::<EnvironmentPayment>(&state, &first(PrepaidCloudAccount), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay02]);
    assert_eq!(
        refusal.figure("current_method"),
        Some(&FigureValue::Text("prepaid_personal_wallet".into()))
    );
    assert_eq!(
        refusal.figure("requested_method"),
        Some(&FigureValue::Text("prepaid_cloud_account".into()))
    );
    assert!(refusal.primary().message.contains("switch instead"));
}

#[test]
fn r_pay_02_pay_as_you_go_can_be_opened_directly() {
    let state = bought(PayAsYouGo);
    assert_eq!(
        state,
        PaymentState::PayAsYouGo {
            switches_used: 0,
            ever_prepaid: false
        }
    );
    assert_eq!(policy().method_in_use(&state), PayAsYouGo);
}

// ---------------------------------------------------------------- R-PAY-03

#[test]
fn r_pay_03_four_switches_are_allowed_and_the_fifth_is_refused() {
    let mut state = bought(PrepaidPersonalWallet);
    let series = [
        PrepaidCloudAccount,
        PrepaidPersonalWallet,
        PrepaidCloudAccount,
        PrepaidPersonalWallet,
    ];
    for (n, to) in series.into_iter().enumerate() {
        let (next, events) =
            EnvironmentPayment::run(&state, &switch(to), now(), &policy()).unwrap();
        let expected_number = u32::try_from(n + 1).unwrap();
        assert_eq!(
            events,
            [PaymentEvent::MethodSwitched {
                from: policy().method_in_use(&state),
                to,
                switch_number: expected_number,
                refunded: None,
                at: now(),
            }]
        );
        assert_eq!(next.switches_used(), expected_number);
        state = next;
    }
    let refusal =
        refused::<EnvironmentPayment>(&state, &switch(PrepaidCloudAccount), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay03]);
    assert_eq!(
        refusal.primary().message,
        "4 of 4 switches used; no further switch is allowed"
    );
    assert_eq!(
        refusal.figure("switches_used"),
        Some(&FigureValue::Count(4))
    );
    assert_eq!(refusal.figure("switch_limit"), Some(&FigureValue::Count(4)));
    // Pay-as-you-go would be a switch too.
    let refusal = refused::<EnvironmentPayment>(&state, &switch(PayAsYouGo), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay03]);
}

#[test]
fn r_pay_03_switch_limit_is_a_policy_field() {
    let policy = policy_with(|s| s.switch_limit = 2);
    let mut state = run(
        &EnvironmentPayment::initial(),
        &first(PrepaidPersonalWallet),
        &policy,
    );
    state = run(&state, &switch(PrepaidCloudAccount), &policy);
    state = run(&state, &switch(PrepaidPersonalWallet), &policy);
    let refusal =
        refused::<EnvironmentPayment>(&state, &switch(PrepaidCloudAccount), now(), &policy);
    assert_eq!(
        refusal.primary().message,
        "2 of 2 switches used; no further switch is allowed"
    );

    let none = policy_with(|s| s.switch_limit = 0);
    let state = run(
        &EnvironmentPayment::initial(),
        &first(PrepaidPersonalWallet),
        &none,
    );
    let refusal = refused::<EnvironmentPayment>(&state, &switch(PrepaidCloudAccount), now(), &none);
    assert_eq!(
        refusal.primary().message,
        "0 of 0 switches used; no further switch is allowed"
    );
}

// ---------------------------------------------------------------- R-PAY-04

#[test]
fn r_pay_04_pay_as_you_go_is_final() {
    let state = run(&bought(PrepaidCloudAccount), &switch(PayAsYouGo), &policy());
    assert_eq!(
        state,
        PaymentState::PayAsYouGo {
            switches_used: 1,
            ever_prepaid: true
        }
    );
    for to in [PrepaidPersonalWallet, PrepaidCloudAccount] {
        let refusal = refused::<EnvironmentPayment>(&state, &switch(to), now(), &policy());
        assert_eq!(rules(&refusal), [RuleId::Pay04]);
        assert!(refusal.primary().message.contains("which is final"));
        assert_eq!(
            refusal.figure("current_method"),
            Some(&FigureValue::Text("pay_as_you_go".into()))
        );
    }
}

// ---------------------------------------------------------------- R-PAY-05

#[test]
fn r_pay_05_an_account_that_never_prepaid_cannot_switch() {
    let state = EnvironmentPayment::initial();
    let refusal =
        refused::<EnvironmentPayment>(&state, &switch(PrepaidCloudAccount), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay05]);
    assert!(
        refusal
            .primary()
            .message
            .contains("choose the method at the first purchase, or open pay-as-you-go directly")
    );
    // Opening pay-as-you-go directly is not a switch: it is the first purchase.
    assert!(EnvironmentPayment::run(&state, &first(PayAsYouGo), now(), &policy()).is_ok());
}

#[test]
fn r_pay_05_pay_as_you_go_opened_directly_cannot_switch() {
    let state = bought(PayAsYouGo);
    let refusal =
        refused::<EnvironmentPayment>(&state, &switch(PrepaidPersonalWallet), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay04, RuleId::Pay05]);
    assert!(
        refusal.reasons()[1]
            .message
            .contains("never bought prepaid quota")
    );
}

// ---------------------------------------------------------------- R-PAY-06

#[test]
fn r_pay_06_less_open_for_invoicing_than_the_refund_refuses() {
    let state = bought(PrepaidPersonalWallet);
    let facts = SwitchFacts::default().with_refund(cny("150"), cny("100"));
    let refusal = refused::<EnvironmentPayment>(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    );
    assert_eq!(rules(&refusal), [RuleId::Pay06]);
    assert!(
        refusal
            .primary()
            .message
            .starts_with("open for invoicing CNY 100.00 < refund CNY 150.00")
    );
    assert_eq!(
        refusal.figure("open_for_invoicing"),
        Some(&FigureValue::Money(cny("100")))
    );
    assert_eq!(
        refusal.figure("refund"),
        Some(&FigureValue::Money(cny("150")))
    );
}

#[test]
fn r_pay_06_enough_open_for_invoicing_allows_the_switch_and_records_the_refund() {
    let state = bought(PrepaidPersonalWallet);
    let facts = SwitchFacts::default().with_refund(cny("150"), cny("150"));
    let (_, events) = EnvironmentPayment::run(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    )
    .unwrap();
    assert_eq!(
        events,
        [PaymentEvent::MethodSwitched {
            from: PrepaidPersonalWallet,
            to: PrepaidCloudAccount,
            switch_number: 1,
            refunded: Some(cny("150")),
            at: now(),
        }]
    );
    // One fen short is refused.
    let facts = SwitchFacts::default().with_refund(cny("150"), cny("149.99"));
    let refusal = refused::<EnvironmentPayment>(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    );
    assert_eq!(rules(&refusal), [RuleId::Pay06]);
}

#[test]
fn r_pay_06_negative_amounts_are_refused_with_their_figures() {
    let state = bought(PrepaidPersonalWallet);
    let facts = SwitchFacts::default().with_refund(cny("-1"), cny("-2"));
    let refusal = refused::<EnvironmentPayment>(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    );
    assert_eq!(rules(&refusal), [RuleId::Pay06, RuleId::Pay06]);
    assert_eq!(
        refusal.reasons()[0].message,
        "refund is CNY -1.00, below zero: give the amount as zero or more"
    );
    assert_eq!(
        refusal.reasons()[1].message,
        "open_for_invoicing is CNY -2.00, below zero: give the amount as zero or more"
    );
}

#[test]
fn r_pay_06_amounts_in_another_currency_are_an_arithmetic_error() {
    let state = bought(PrepaidPersonalWallet);
    let usd = Money::new(Decimal::ONE, Currency::USD);
    let facts = SwitchFacts::default().with_refund(usd, cny("1"));
    let err = EnvironmentPayment::decide(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }), "{err:?}");
}

// ---------------------------------------------------------------- R-PAY-07

#[test]
fn r_pay_07_an_unsupported_context_refuses() {
    let state = bought(PrepaidPersonalWallet);
    let facts = SwitchFacts::default().in_unsupported_context();
    let refusal = refused::<EnvironmentPayment>(
        &state,
        &PaymentCommand::switch(PrepaidCloudAccount, facts),
        now(),
        &policy(),
    );
    assert_eq!(rules(&refusal), [RuleId::Pay07]);
    assert_eq!(
        refusal.primary().message,
        "the current payment context does not support a switch from prepaid_personal_wallet \
         to prepaid_cloud_account"
    );
}

#[test]
fn r_pay_07_a_switch_to_the_current_method_is_refused() {
    let state = bought(PrepaidCloudAccount);
    let refusal =
        refused::<EnvironmentPayment>(&state, &switch(PrepaidCloudAccount), now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay07]);
    assert_eq!(
        refusal.primary().message,
        "prepaid_cloud_account is already the method: a switch must change it"
    );
    // It spends no switch.
    assert_eq!(state.switches_used(), 0);
}

// ---------------------------------------------------------------- R-PAY-08

#[test]
fn r_pay_08_isolation_blocks_switching_until_renewed() {
    let state = bought(PrepaidPersonalWallet);
    let isolated =
        PaymentCommand::switch(PrepaidCloudAccount, SwitchFacts::default().in_isolation());
    let refusal = refused::<EnvironmentPayment>(&state, &isolated, now(), &policy());
    assert_eq!(rules(&refusal), [RuleId::Pay08]);
    assert!(
        refusal
            .primary()
            .message
            .contains("renew it before switching")
    );
    assert!(refusal.primary().message.contains("R-LIFE-10"));
    // Renewed (no longer isolated): the same switch goes through.
    assert!(
        EnvironmentPayment::run(&state, &switch(PrepaidCloudAccount), now(), &policy()).is_ok()
    );
}

// ------------------------------------------------- every rule, in order

#[test]
fn r_pay_03_to_08_a_refusal_lists_every_rule_in_catalogue_order() {
    // Not reachable through the decider (pay-as-you-go opened directly
    // spends no switch), but a stored state may say anything: every check
    // still runs and is listed.
    let state = PaymentState::PayAsYouGo {
        switches_used: 4,
        ever_prepaid: false,
    };
    let facts = SwitchFacts::default()
        .in_isolation()
        .in_unsupported_context()
        .with_refund(cny("150"), cny("100"));
    let refusal = refused::<EnvironmentPayment>(
        &state,
        &PaymentCommand::switch(PayAsYouGo, facts),
        now(),
        &policy(),
    );
    assert_eq!(
        rules(&refusal),
        [
            RuleId::Pay03,
            RuleId::Pay04,
            RuleId::Pay05,
            RuleId::Pay06,
            RuleId::Pay07,
            RuleId::Pay07,
            RuleId::Pay08
        ]
    );
    let text = refusal.to_string();
    assert!(text.starts_with("R-PAY-03: 4 of 4 switches used"), "{text}");
    assert!(text.contains("R-PAY-06: open for invoicing CNY 100.00 < refund CNY 150.00"));
}

#[test]
fn r_pay_03_and_06_refused_switch_leaves_the_state_unchanged() {
    let state = bought(PrepaidPersonalWallet);
    let before = state;
    let facts = SwitchFacts::default().with_refund(cny("150"), cny("100"));
    assert!(
        EnvironmentPayment::run(
            &state,
            &PaymentCommand::switch(PrepaidCloudAccount, facts),
            now(),
            &policy()
        )
        .is_err()
    );
    assert_eq!(state, before);
}

// ---------------------------------------------------------------- R-PAY-09

#[test]
fn r_pay_09_invoices_come_from_where_the_order_was_paid() {
    let routing = PaymentPolicy::INVOICE_ROUTING;
    assert_eq!(
        routing.invoice_source(PrepaidPersonalWallet),
        InvoiceSource::EnvironmentConsole
    );
    assert_eq!(
        routing.invoice_source(PrepaidCloudAccount),
        InvoiceSource::CloudAccountBillingCentre
    );
    assert_eq!(
        routing.invoice_source(PayAsYouGo),
        InvoiceSource::CloudAccountBillingCentre
    );

    let policy = policy();
    let state = bought(PrepaidPersonalWallet);
    assert_eq!(
        policy.invoice_source(&state),
        InvoiceSource::EnvironmentConsole
    );
    let state = run(&state, &switch(PrepaidCloudAccount), &policy);
    assert_eq!(
        policy.invoice_source(&state),
        InvoiceSource::CloudAccountBillingCentre
    );
    assert_eq!(
        InvoiceSource::CloudAccountBillingCentre.to_string(),
        "cloud_account_billing_centre"
    );
}

#[test]
fn r_pay_09_routing_is_policy_data() {
    let json = r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}, "invoice_routing": {
        "prepaid_personal_wallet": "environment_console",
        "prepaid_cloud_account": "environment_console",
        "pay_as_you_go": "cloud_account_billing_centre"}}"#;
    let policy: PaymentPolicy = serde_json::from_str(json).unwrap();
    assert_eq!(
        policy.invoice_routing(),
        &InvoiceRouting {
            prepaid_personal_wallet: InvoiceSource::EnvironmentConsole,
            prepaid_cloud_account: InvoiceSource::EnvironmentConsole,
            pay_as_you_go: InvoiceSource::CloudAccountBillingCentre,
        }
    );
    assert_eq!(policy.switch_limit(), 4);
}

// ---------------------------------------------------------------- serde

#[test]
fn r_pay_03_policy_spec_defaults_to_the_published_figures() {
    let spec: PaymentPolicySpec = serde_json::from_str(
        r#"{"locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#,
    )
    .unwrap();
    assert_eq!(spec, presets::cloud_payment_spec());
    assert_eq!(PaymentPolicy::try_from(spec).unwrap(), policy());
    let json = serde_json::to_value(policy()).unwrap();
    assert_eq!(json["switch_limit"], 4);
    assert_eq!(json["default_method"], "prepaid_personal_wallet");
    assert_eq!(
        json["invoice_routing"]["prepaid_personal_wallet"],
        "environment_console"
    );
}
