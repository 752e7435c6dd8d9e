//! 1. Arbitrary JSON into every usage spec, policy, command, event and state.

use super::*;

pub(crate) fn verification_json() -> Value {
    json_of(&presets::verification_usage_spec())
}

pub(crate) fn traffic_json() -> Value {
    json_of(&presets::live_traffic_spec())
}

pub(crate) fn add_ons_json() -> Value {
    json_of(&presets::live_add_ons_spec())
}

/// The JSON of a short real wallet history: its commands, events and the
/// final state, to mutate.
pub(crate) fn wallet_samples() -> (Vec<Value>, Vec<Value>, Value) {
    let policy = verification();
    let now = utc(2024, 3, 1, 2);
    let commands = [
        WalletCommand::Purchase {
            order: PackageOrder::listed(10_000, 365),
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(250, 90),
        },
        WalletCommand::Consume {
            component: Component::QuickVerification,
            calls: CallCounts {
                succeeded: 12_000,
                failed: 3,
            },
            at: now,
        },
        WalletCommand::SetProfile {
            profile: AccountProfile::new(Organisation::Government, Category::Other),
        },
        WalletCommand::Consume {
            component: Component::RealTimeVerification,
            calls: CallCounts::succeeded(5),
            at: now,
        },
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::Off,
        },
        WalletCommand::Advance,
    ];
    let mut state = PackageWallet::initial();
    let mut events = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        let at = now + Duration::days(if i == 6 { 400 } else { 0 });
        let (next, e) = PackageWallet::run(&state, c, at, &policy).unwrap();
        state = next;
        events.extend(e);
    }
    (
        commands.iter().map(json_of).collect(),
        events.iter().map(json_of).collect(),
        json_of(&state),
    )
}

pub(crate) fn method_samples() -> (Vec<Value>, Vec<Value>, Value) {
    let policy = live_traffic();
    let now = utc(2025, 7, 1, 4);
    let commands = [
        MethodCommand::Open {
            method: BillingMethod::Traffic,
        },
        MethodCommand::Switch {
            to: BillingMethod::PeakBandwidth,
        },
    ];
    let mut state = BillingMethods::initial();
    let mut events = Vec::new();
    for c in &commands {
        let (next, e) = BillingMethods::run(&state, c, now, &policy).unwrap();
        state = next;
        events.extend(e);
    }
    (
        commands.iter().map(json_of).collect(),
        events.iter().map(json_of).collect(),
        json_of(&state),
    )
}

/// Deserializes `json` as a `T`: `Ok` or `Err`, and an `Ok` survives JSON.
pub(crate) fn parse<T>(json: &Value) -> Result<Option<T>, TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    match serde_json::from_value::<T>(json.clone()) {
        Ok(value) => {
            round_trip(&value)?;
            Ok(Some(value))
        }
        Err(err) => {
            prop_assert!(!err.to_string().is_empty());
            Ok(None)
        }
    }
}

/// Feeds `json` to every usage type; each parsed policy, command, event or
/// state is then used.
pub(crate) fn feed_everything(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    if let Some(spec) = parse::<UsagePolicySpec>(json)? {
        match UsagePolicy::try_from(spec.clone()) {
            Ok(policy) => {
                prop_assert_eq!(policy.to_spec(), spec.clone());
                exercise_usage(&policy, probe)?;
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
    if let Some(policy) = parse::<UsagePolicy>(json)? {
        exercise_usage(&policy, probe)?;
    }
    if let Some(spec) = parse::<CatalogueSpec>(json)? {
        for currency in [Currency::CNY, Currency::JPY] {
            if let Ok(catalogue) = Catalogue::try_from(spec.clone().in_currency(currency)) {
                round_trip(&catalogue)?;
                for p in catalogue.packages().iter().take(4) {
                    let q = catalogue
                        .quote(&PackageOrder::listed(p.calls, p.validity.0))
                        .map_err(fail)?;
                    prop_assert_eq!(q.price, p.price);
                }
                if let Err(e) = catalogue.quote(&PackageOrder::custom(probe.calls, probe.horizon)) {
                    check_error(&e)?;
                }
            }
        }
    }
    parse::<Catalogue>(json)?;
    parse::<PriceList>(json)?;
    parse::<Exemptions>(json)?;
    parse::<ExemptionsSpec>(json)?;
    parse::<Tariff>(json)?;
    if let Some(spec) = parse::<TrafficPolicySpec>(json)?
        && let Ok(policy) = TrafficPolicy::try_from(spec)
    {
        exercise_traffic(&policy, probe)?;
    }
    if let Some(policy) = parse::<TrafficPolicy>(json)? {
        exercise_traffic(&policy, probe)?;
    }
    if let Some(spec) = parse::<AddOnPolicySpec>(json)?
        && let Ok(policy) = AddOnPolicy::try_from(spec)
    {
        exercise_add_ons(&policy, probe)?;
    }
    if let Some(policy) = parse::<AddOnPolicy>(json)? {
        exercise_add_ons(&policy, probe)?;
    }
    if let Some(forecast) = parse::<Forecast>(json)? {
        check_plan(&verification(), &forecast)?;
    }
    if let Some(order) = parse::<PackageOrder>(json)?
        && let Err(e) = verification().catalogue().quote(&order)
    {
        check_error(&e)?;
    }
    if let Some(day) = parse::<DayUsage>(json)? {
        for method in [BillingMethod::Traffic, BillingMethod::PeakBandwidth] {
            check_settlement(&live_traffic(), method, &day)?;
        }
    }
    if let Some(usage) = parse::<AddOnUsage>(json)?
        && let Err(e) = live_add_ons().charge(&usage)
    {
        check_error(&e)?;
    }
    feed_wallet(json, probe)?;
    feed_methods(json, probe)
}

/// Wallet commands, events and states from JSON: a parsed command is
/// decided on an empty and a used wallet, a parsed event is applied, and a
/// parsed state (which may hold anything a store could) is driven.
pub(crate) fn feed_wallet(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    let policy = verification();
    if let Some(command) = parse::<WalletCommand>(json)? {
        let mut run = WalletRun::new(&policy);
        run.step(&command, probe.now)?;
        run.step(
            &WalletCommand::Purchase {
                order: PackageOrder::listed(1_000, 365),
            },
            probe.now,
        )?;
        run.step(&command, probe.now)?;
        run.check_replay()?;
    }
    if let Some(event) = parse::<WalletEvent>(json)? {
        // evolve is total: a hand-made event never panics.
        let state = PackageWallet::evolve(PackageWallet::initial(), &event);
        let state = PackageWallet::evolve(state, &event);
        drive_foreign_wallet(&state, &policy, probe)?;
    }
    if let Some(state) = parse::<WalletState>(json)? {
        drive_foreign_wallet(&state, &policy, probe)?;
    }
    parse::<HeldPackage>(json)?;
    parse::<Consumption>(json)?;
    parse::<Purchase>(json)?;
    parse::<Expiry>(json)?;
    parse::<Waiver>(json)?;
    parse::<Draw>(json)?;
    Ok(())
}

/// A wallet state that did not come from this decider: every command still
/// answers `Ok` or `Err`, and an `Err` changes nothing.
pub(crate) fn drive_foreign_wallet(
    state: &WalletState,
    policy: &UsagePolicy,
    probe: &Probe,
) -> Result<(), TestCaseError> {
    let commands = [
        WalletCommand::Consume {
            component: probe.component,
            calls: CallCounts {
                succeeded: probe.succeeded,
                failed: probe.failed,
            },
            at: probe.now,
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(probe.calls, 90),
        },
        WalletCommand::Advance,
    ];
    let mut state = state.clone();
    for command in &commands {
        let before = state.clone();
        match PackageWallet::run(&state, command, probe.now, policy) {
            Ok((next, events)) => {
                for e in &events {
                    if let WalletEvent::Consumed(c) = e {
                        let drawn: u128 = c.draws.iter().map(|d| u128::from(d.calls)).sum();
                        prop_assert_eq!(
                            u128::from(c.waived)
                                + u128::from(c.from_trial)
                                + drawn
                                + u128::from(c.overage)
                                + u128::from(c.refused),
                            u128::from(c.requested)
                        );
                    }
                }
                state = next;
            }
            Err(e) => {
                check_error(&e)?;
                prop_assert_eq!(&state, &before);
            }
        }
        let _ = state.package_calls_at(probe.now);
        let _ = state.trial_remaining(policy);
    }
    Ok(())
}

pub(crate) fn feed_methods(json: &Value, probe: &Probe) -> Result<(), TestCaseError> {
    let policy = live_traffic();
    if let Some(command) = parse::<MethodCommand>(json)? {
        let mut run = MethodRun::new(&policy);
        run.step(&command, probe.now)?;
        run.step(
            &MethodCommand::Open {
                method: BillingMethod::Traffic,
            },
            probe.now,
        )?;
        run.step(&command, probe.now)?;
        run.check_replay()?;
    }
    let mut foreign = Vec::new();
    if let Some(event) = parse::<MethodEvent>(json)? {
        foreign.push(BillingMethods::evolve(BillingMethods::initial(), &event));
        let open = BillingMethods::evolve(
            BillingMethods::initial(),
            &MethodEvent::Opened {
                method: BillingMethod::Traffic,
                from: probe.day.date,
            },
        );
        foreign.push(BillingMethods::evolve(open, &event));
    }
    if let Some(state) = parse::<MethodState>(json)? {
        foreign.push(state);
    }
    for state in foreign {
        let _ = state.method_on(probe.day.date);
        for command in [
            MethodCommand::Switch {
                to: BillingMethod::PeakBandwidth,
            },
            MethodCommand::Open {
                method: BillingMethod::Traffic,
            },
        ] {
            if let Err(e) = BillingMethods::decide(&state, &command, probe.now, &policy) {
                check_error(&e)?;
            }
        }
        if let Err(e) = policy.settle(&state, &probe.day) {
            check_error(&e)?;
        }
    }
    parse::<MethodChange>(json)?;
    Ok(())
}

proptest! {
    /// Random JSON trees into every usage type: never a panic.
    #[test]
    fn r_use_any_json_tree_is_ok_or_an_error(json in arb_json(), probe in probe()) {
        feed_everything(&json, &probe)?;
    }

    /// Random JSON wrapped as the field of a spec, so the tree lands where
    /// a real field is expected.
    #[test]
    fn r_use_any_json_in_any_preset_field_is_ok_or_an_error(
        json in arb_json(),
        pick in any::<Index>(),
        probe in probe(),
    ) {
        let bases = [verification_json(), traffic_json(), add_ons_json()];
        let base = &bases[pick.index(bases.len())];
        let edited = mutate(base, &[(pick, Edit::Replace(json))]);
        feed_everything(&edited, &probe)?;
    }

    /// R-USE-01..08: the verification preset with one leaf replaced.
    #[test]
    fn r_use_05_usage_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(verification_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-01..08: the verification preset with up to four mutations.
    #[test]
    fn r_use_05_near_valid_usage_policy_is_ok_or_an_error(
        json in near(verification_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-05: the preset catalogue alone, mutated.
    #[test]
    fn r_use_05_near_valid_catalogue_is_ok_or_an_error(
        json in near(json_of(&presets::verification_usage_spec().catalogue)),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-09: the traffic preset with one leaf replaced.
    #[test]
    fn r_use_09_traffic_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(traffic_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-09: the traffic preset with up to four mutations.
    #[test]
    fn r_use_09_near_valid_traffic_policy_is_ok_or_an_error(
        json in near(traffic_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-10: the add-on preset with one leaf replaced.
    #[test]
    fn r_use_10_add_on_preset_with_one_leaf_replaced_is_ok_or_an_error(
        json in one_leaf(add_ons_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-10: the add-on preset with up to four mutations.
    #[test]
    fn r_use_10_near_valid_add_on_policy_is_ok_or_an_error(
        json in near(add_ons_json()),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-08: forecasts from near-valid JSON.
    #[test]
    fn r_use_08_near_valid_forecast_is_ok_or_an_error(
        json in near(json_of(&Forecast::new(Component::QuickVerification, 1_200_000, Days(365)))),
        probe in probe(),
    ) {
        feed_everything(&json, &probe)?;
    }

    /// R-USE-01..07: wallet commands, events and states from near-valid JSON.
    #[test]
    fn r_use_07_near_valid_wallet_commands_events_and_states_are_ok_or_errors(
        pick in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), arb_edit()), 1..=3),
        probe in probe(),
    ) {
        let (commands, events, state) = wallet_samples();
        let mut all = commands;
        all.extend(events);
        all.push(state);
        let base = &all[pick.index(all.len())];
        feed_everything(&mutate(base, &edits), &probe)?;
    }

    /// R-USE-09: method commands, events and states from near-valid JSON.
    #[test]
    fn r_use_09_near_valid_method_commands_events_and_states_are_ok_or_errors(
        pick in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), arb_edit()), 1..=3),
        probe in probe(),
    ) {
        let (commands, events, state) = method_samples();
        let mut all = commands;
        all.extend(events);
        all.push(state);
        let base = &all[pick.index(all.len())];
        feed_everything(&mutate(base, &edits), &probe)?;
    }
}
