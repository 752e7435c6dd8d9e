//! Refusing policies, late reports, JSON, replay and status (R-USE-07).

use super::*;

#[test]
fn r_use_07_refusing_policy_refuses_uncovered_calls() {
    let p = with_spec(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (_, used) = consume(
        &WalletState::default(),
        QUICK,
        CallCounts::succeeded(1_500),
        t0(),
        &p,
    );
    assert_eq!(
        (used.from_trial, used.overage, used.refused),
        (1_000, 0, 500)
    );
    assert!(used.charge.is_zero());
}

#[test]
fn r_use_07_calls_dated_in_the_future_are_refused() {
    let p = policy();
    let err = PackageWallet::decide(
        &WalletState::default(),
        &WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(1),
            at: t0() + Duration::seconds(1),
        },
        t0(),
        &p,
    )
    .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use07);
}

#[test]
fn r_use_07_late_reports_draw_packages_valid_when_the_calls_were_made() {
    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(2_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_000), t0(), &p);
    let made = t0() + Duration::days(89);
    let reported = t0() + Duration::days(95); // after expiry, before Advance ran
    let (_, events) = run(
        &state,
        WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(100),
            at: made,
        },
        reported,
        &p,
    );
    let Some(WalletEvent::Consumed(used)) = events.first() else {
        panic!("a consumption")
    };
    assert_eq!(used.from_packages(), 100);
}

// ------------------------------------------------------------------ serde

#[test]
fn r_use_07_commands_events_states_and_policy_round_trip_through_json() {
    let p = policy();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<UsagePolicy>(&json).unwrap(), p);

    let state = buy(
        &WalletState::default(),
        PackageOrder::listed(1_000, 365),
        t0(),
        &p,
    );
    let command = WalletCommand::Consume {
        component: QUICK,
        calls: CallCounts::succeeded(1_200),
        at: t0(),
    };
    let (state, events) = run(&state, command.clone(), t0(), &p);
    let json = serde_json::to_string(&command).unwrap();
    assert!(json.contains(r#""command":"consume""#));
    assert_eq!(
        serde_json::from_str::<WalletCommand>(&json).unwrap(),
        command
    );
    let json = serde_json::to_string(&events).unwrap();
    assert!(json.contains(r#""event":"consumed""#));
    let back: Vec<WalletEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, events);
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<WalletState>(&json).unwrap(), state);

    // A policy that breaks a rule does not deserialize.
    let mut bad = serde_json::to_value(&p).unwrap();
    bad["catalogue"]["validities"] = serde_json::json!([]);
    assert!(serde_json::from_value::<UsagePolicy>(bad).is_err());
}

#[test]
fn r_use_07_replaying_the_events_gives_the_same_state() {
    let p = policy();
    let mut state = WalletState::default();
    let mut log = Vec::new();
    let commands = [
        WalletCommand::Purchase {
            order: PackageOrder::listed(5_000, 365),
        },
        WalletCommand::Purchase {
            order: PackageOrder::custom(800, 90),
        },
        WalletCommand::Consume {
            component: QUICK,
            calls: CallCounts::succeeded(2_500),
            at: t0(),
        },
        WalletCommand::Advance,
    ];
    for (i, c) in commands.into_iter().enumerate() {
        let now = t0() + Duration::days(i64::try_from(i).unwrap() * 50);
        let (next, events) = run(&state, c, now.max(t0()), &p);
        state = next;
        log.extend(events);
    }
    assert_eq!(PackageWallet::replay(log.iter()), state);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn r_use_07_drawn_plus_overage_plus_refused_equals_requested(
        p in any_policy(),
        steps in prop::collection::vec((step(true), 0u16..2_000), 1..40),
    ) {
        check_run(&p, &steps, |_, c, _| {
            assert_eq!(c.waived + c.drawn() + c.overage + c.refused, c.requested, "{c:?}");
            if c.waiver.is_none() {
                assert_eq!(c.waived, 0);
            }
            match p.when_exhausted() {
                WhenExhausted::PerCall => assert_eq!(c.refused, 0),
                WhenExhausted::Refuse => assert_eq!(c.overage, 0),
            }
            assert_eq!(c.charge.amount(), c.unit_price.amount() * Decimal::from(c.overage));
        })?;
    }

    #[test]
    fn r_use_07_no_package_balance_is_ever_negative(
        p in any_policy(),
        steps in prop::collection::vec((step(true), 0u16..2_000), 1..40),
    ) {
        check_run(&p, &steps, |before, c, after| {
            // Every draw fits what the package held, and is taken exactly.
            for d in &c.draws {
                let was = before.package(d.package).unwrap();
                assert!(d.calls <= was.remaining(), "{d:?} from {was:?}");
                assert!(was.drawable_at(c.at));
                let now = after.package(d.package).unwrap();
                assert_eq!(now.remaining(), was.remaining() - d.calls);
            }
            assert!(c.from_trial <= before.trial_remaining(&p));
            assert!(after.trial_used() <= p.trial_quota());
            for pk in after.packages() {
                assert!(pk.remaining() <= pk.calls());
            }
        })?;
    }

    #[test]
    fn r_use_03_an_exempt_account_is_never_billed(
        steps in prop::collection::vec((step(false), 0u16..2_000), 1..30),
        org in prop::sample::select(vec![Organisation::Government, Organisation::NonProfit]),
    ) {
        let p = policy();
        let mut prefixed = vec![(Step::Profile(AccountProfile::new(org, Category::Other)), 0u16)];
        prefixed.extend(steps.into_iter().filter(|(s, _)| !matches!(s, Step::Profile(_))));
        check_run(&p, &prefixed, |before, c, after| {
            assert_eq!(c.waived, c.requested);
            assert!(c.charge.is_zero());
            assert_eq!(c.drawn() + c.overage + c.refused, 0);
            assert_eq!(before.trial_used(), after.trial_used());
        })?;
    }

    #[test]
    fn r_use_04_a_switched_off_feature_never_bills(
        steps in prop::collection::vec((step(false), 0u16..2_000), 1..30),
    ) {
        let p = policy();
        let mut state = WalletState::default();
        let (off, _) = run(&state, WalletCommand::SwitchFeature { switch: FeatureSwitch::Off }, t0(), &p);
        state = off;
        let mut now = t0();
        for (step, hours) in &steps {
            now += Duration::hours(i64::from(*hours));
            let cmd = command(step, now);
            match PackageWallet::decide(&state, &cmd, now, &p) {
                Ok(events) => {
                    prop_assert!(!events.iter().any(|e| matches!(e, WalletEvent::Consumed(_))));
                    state = events.iter().fold(state, PackageWallet::evolve);
                }
                Err(e) => {
                    let is_consume = matches!(cmd, WalletCommand::Consume { .. });
                    prop_assert!(is_consume);
                    prop_assert_eq!(e.refusal().map(|r| r.rule()), Some(RuleId::Use04));
                }
            }
        }
        prop_assert_eq!(state.trial_used(), 0);
        let untouched = state.packages().iter().all(|pk| match pk.status() {
            PackageStatus::Expired { lost } => lost == pk.calls(),
            PackageStatus::Open => pk.remaining() == pk.calls(),
        });
        prop_assert!(untouched);
    }
}

/// The wallet is time-driven (R-USE-07): its due events are the expiries
/// Advance records, and its status reads the validities at `now`, whether
/// or not Advance has run.
#[test]
fn r_use_07_the_wallet_answers_status_and_due_events_at_an_instant() {
    use billing_rules::TimeDriven;
    use billing_rules::usage::WalletStatus;

    let p = policy();
    let state = buy(
        &WalletState::default(),
        PackageOrder::custom(1_000, 90),
        t0(),
        &p,
    );
    let (state, _) = consume(&state, QUICK, CallCounts::succeeded(1_300), t0(), &p);
    let expiry = state.packages()[0].expires_at();
    assert_eq!(
        PackageWallet::status(&state, t0(), &p),
        WalletStatus {
            feature: FeatureSwitch::On,
            trial_remaining: 0,
            package_calls: 700,
            next_expiry: Some(expiry),
        }
    );
    assert!(
        PackageWallet::due_events(&state, expiry - Duration::seconds(1), &p)
            .unwrap()
            .is_empty()
    );
    let due = PackageWallet::due_events(&state, expiry, &p).unwrap();
    let (after, advanced) = run(&state, WalletCommand::Advance, expiry, &p);
    assert_eq!(due, advanced);
    // Past the expiry the package serves nothing, closed or not.
    let ended = PackageWallet::status(&state, expiry, &p);
    assert_eq!((ended.package_calls, ended.next_expiry), (0, None));
    assert_eq!(PackageWallet::status(&after, expiry, &p), ended);
}

/// Access follows the rules a consume applies: a switched-off feature is
/// intercepted by R-USE-04; a policy that refuses uncovered calls is
/// intercepted by R-USE-07 once nothing covers a call, unless the account
/// is exempt.
#[test]
fn r_use_04_and_07_access_is_what_a_consume_would_do() {
    use billing_rules::TimeDriven;

    let p = policy();
    let fresh = WalletState::default();
    assert!(PackageWallet::access(&fresh, t0(), &p).is_allowed());
    let (off, _) = run(
        &fresh,
        WalletCommand::SwitchFeature {
            switch: FeatureSwitch::Off,
        },
        t0(),
        &p,
    );
    assert_eq!(
        PackageWallet::access(&off, t0(), &p).rule(),
        Some(RuleId::Use04)
    );

    let refuse = with_spec(|s| s.when_exhausted = WhenExhausted::Refuse);
    let (used_up, _) = consume(&fresh, QUICK, CallCounts::succeeded(1_000), t0(), &refuse);
    // Per-call billing serves an uncovered call; a refusing policy does not.
    assert!(PackageWallet::access(&used_up, t0(), &p).is_allowed());
    assert_eq!(
        PackageWallet::access(&used_up, t0(), &refuse).rule(),
        Some(RuleId::Use07)
    );
    let (_, refused) = consume(&used_up, QUICK, CallCounts::succeeded(1), t0(), &refuse);
    assert_eq!(refused.refused, 1);
    // A package, or an exemption, serves it again.
    let bought = buy(&used_up, PackageOrder::custom(10, 90), t0(), &refuse);
    assert!(PackageWallet::access(&bought, t0(), &refuse).is_allowed());
    let (exempt, _) = run(
        &used_up,
        WalletCommand::SetProfile {
            profile: AccountProfile::new(Organisation::Government, Category::Other),
        },
        t0(),
        &refuse,
    );
    assert!(PackageWallet::access(&exempt, t0(), &refuse).is_allowed());
}

/// The time command is `advance`; its former name `expire` is still read,
/// and the event keeps its name `expired`.
#[test]
fn the_advance_command_reads_its_former_name() {
    let advance: WalletCommand = serde_json::from_str(r#"{"command":"expire"}"#).unwrap();
    assert_eq!(advance, WalletCommand::Advance);
    assert_eq!(
        serde_json::to_string(&WalletCommand::Advance).unwrap(),
        r#"{"command":"advance"}"#
    );
    let event = WalletEvent::Expired(Expiry {
        package: PackageId(0),
        expired_at: t0(),
        lost: 1,
    });
    assert!(
        serde_json::to_string(&event)
            .unwrap()
            .starts_with(r#"{"event":"expired""#)
    );
}
