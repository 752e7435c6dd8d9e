//! JSON round trips and the property tests.

use super::*;

#[test]
fn r_pay_02_commands_events_and_states_round_trip_through_json() {
    let command: PaymentCommand = serde_json::from_str(
        r#"{"command": "switch", "to": "pay_as_you_go", "facts": {"isolated": true}}"#,
    )
    .unwrap();
    assert_eq!(
        command,
        PaymentCommand::switch(PayAsYouGo, SwitchFacts::default().in_isolation())
    );
    let command: PaymentCommand =
        serde_json::from_str(r#"{"command": "switch", "to": "prepaid_cloud_account"}"#).unwrap();
    assert_eq!(command, switch(PrepaidCloudAccount));
    let command = PaymentCommand::switch(
        PrepaidCloudAccount,
        SwitchFacts::default().with_refund(cny("150"), cny("100")),
    );
    let back: PaymentCommand =
        serde_json::from_str(&serde_json::to_string(&command).unwrap()).unwrap();
    assert_eq!(back, command);

    let state = bought(PrepaidCloudAccount);
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(
        json,
        r#"{"state":"prepaid","source":"cloud_account","switches_used":0}"#
    );
    assert_eq!(serde_json::from_str::<PaymentState>(&json).unwrap(), state);

    let event = PaymentEvent::MethodSwitched {
        from: PrepaidPersonalWallet,
        to: PayAsYouGo,
        switch_number: 1,
        refunded: Some(cny("12.50")),
        at: now(),
    };
    let json = serde_json::to_string(&event).unwrap();
    assert!(json.starts_with(r#"{"event":"method_switched""#), "{json}");
    assert_eq!(serde_json::from_str::<PaymentEvent>(&json).unwrap(), event);
}

proptest! {
    #[test]
    fn r_pay_03_fifth_switch_is_always_refused(
        commands in prop::collection::vec(command(), 0..40),
        last in (method(), facts()),
    ) {
        let policy = policy();
        let mut state = EnvironmentPayment::initial();
        let mut switches = 0u32;
        let mut events = Vec::new();
        for (i, command) in commands.iter().chain([&PaymentCommand::switch(last.0, last.1)]).enumerate() {
            let at = now() + Duration::hours(i64::try_from(i).unwrap());
            let before = state;
            match EnvironmentPayment::run(&state, command, at, &policy) {
                Ok((next, new)) => {
                    if matches!(command, PaymentCommand::Switch { .. }) {
                        switches += 1;
                        prop_assert!(switches <= 4, "switch number {switches} was allowed");
                        prop_assert!(before.switches_used() < 4);
                    }
                    events.extend(new);
                    state = next;
                }
                Err(err) => {
                    let refusal = err.refusal().cloned();
                    prop_assert!(refusal.is_some(), "{err:?}");
                    if before.switches_used() >= 4 && matches!(command, PaymentCommand::Switch { .. }) {
                        prop_assert!(refusal.unwrap().refused_by(RuleId::Pay03));
                    }
                }
            }
            prop_assert_eq!(state.switches_used(), switches);
        }
        // Replaying the events gives the same state.
        prop_assert_eq!(EnvironmentPayment::replay(events.iter()), state);
    }

    #[test]
    fn r_pay_04_after_pay_as_you_go_every_switch_is_refused(
        prepaid in prop::sample::select(vec![PrepaidPersonalWallet, PrepaidCloudAccount]),
        direct in any::<bool>(),
        commands in prop::collection::vec((method(), facts()), 1..20),
    ) {
        let policy = policy();
        let state = if direct {
            bought(PayAsYouGo)
        } else {
            run(&bought(prepaid), &switch(PayAsYouGo), &policy)
        };
        for (to, facts) in commands {
            let err = EnvironmentPayment::decide(&state, &PaymentCommand::switch(to, facts), now(), &policy)
                .unwrap_err();
            let refusal = err.refusal().unwrap();
            prop_assert!(refusal.refused_by(RuleId::Pay04));
            prop_assert_eq!(policy.method_in_use(&state), PayAsYouGo);
        }
    }

    #[test]
    fn r_pay_03_to_08_refusal_order_is_catalogue_order(
        state in prop_oneof![
            Just(PaymentState::NotChosen),
            (prop::sample::select(PrepaidSource::ALL.to_vec()), 0u32..8)
                .prop_map(|(source, switches_used)| PaymentState::Prepaid { source, switches_used }),
            (0u32..8, any::<bool>())
                .prop_map(|(switches_used, ever_prepaid)| PaymentState::PayAsYouGo { switches_used, ever_prepaid }),
        ],
        to in method(),
        facts in facts(),
    ) {
        let policy = policy();
        match EnvironmentPayment::decide(&state, &PaymentCommand::switch(to, facts), now(), &policy) {
            Ok(_) => {
                // Allowed only when no rule refuses.
                let allowed = matches!(state, PaymentState::Prepaid { .. })
                    && state.switches_used() < 4
                    && !facts.isolated
                    && facts.context_supported
                    && to != policy.method_in_use(&state)
                    && facts.invoice_balance.is_none_or(|b| b.open_for_invoicing.amount() >= b.unused_prepaid.amount());
                prop_assert!(allowed);
            }
            Err(err) => {
                let rules: Vec<RuleId> = err.refusal().unwrap().rules().collect();
                let mut sorted = rules.clone();
                sorted.sort();
                prop_assert_eq!(&rules, &sorted);
                prop_assert_eq!(rules.contains(&RuleId::Pay08), facts.isolated);
                prop_assert_eq!(rules.contains(&RuleId::Pay03), state.switches_used() >= 4);
                prop_assert_eq!(rules.contains(&RuleId::Pay05), !state.ever_prepaid());
            }
        }
    }
}
