//! The postpaid account: monthly bills, arrears, reminders, suspension,
//! top-ups, paused recordings (R-LIFE-08, R-LIFE-09).

mod common;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    ArrearsCause, ArrearsReminderSpec, ArrearsTrigger, Channel, Channels, PostpaidAccount,
    PostpaidCommand, PostpaidEvent, PostpaidPolicy, PostpaidPolicySpec, PostpaidState,
    PostpaidStatus, Role, Standing,
};
use billing_rules::money::{Currency, Money};
use billing_rules::presets;
use billing_rules::{Error, FigureValue, RuleId, TimeDriven};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{date, local, refused, yuan};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn run(
    state: &PostpaidState,
    command: PostpaidCommand,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> (PostpaidState, Vec<PostpaidEvent>) {
    PostpaidAccount::run(state, &command, now, policy).unwrap()
}

/// A cloud account whose June bill of 120 is issued at `at` on a zero balance.
fn billed(at: DateTime<Utc>) -> (PostpaidPolicy, PostpaidState, Vec<PostpaidEvent>) {
    let policy = presets::cloud_environment_postpaid().unwrap();
    let (state, events) = run(
        &PostpaidAccount::initial(),
        PostpaidCommand::IssueBill { amount: yuan(120) },
        at,
        &policy,
    );
    (policy, state, events)
}

// ---------------------------------------------------------------- policy

#[test]
fn presets_are_valid_and_round_trip_through_json() {
    for policy in [
        presets::cloud_environment_postpaid().unwrap(),
        presets::live_plugin_postpaid().unwrap(),
    ] {
        assert_eq!(PostpaidPolicy::try_from(policy.to_spec()).unwrap(), policy);
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(
            serde_json::from_str::<PostpaidPolicy>(&json).unwrap(),
            policy
        );
        assert_eq!(policy.suspend_after(), Duration::hours(24));
    }
    assert_eq!(
        presets::cloud_environment_postpaid()
            .unwrap()
            .latest_bill_day(),
        3
    );
}

#[test]
fn r_life_08_policy_bill_day_must_be_1_to_3_and_reminders_ascending() {
    let mut spec = presets::cloud_environment_postpaid_spec();
    for bad in [0, 4] {
        spec.latest_bill_day = bad;
        let err = PostpaidPolicy::try_from(spec.clone()).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.rule),
            ("latest_bill_day", Some(RuleId::Life08))
        );
    }
    spec.latest_bill_day = 1;
    spec.reminders = Some(ArrearsReminderSpec {
        after_hours: vec![0, 12, 12],
        channels: Channels::of(&[Channel::Sms]),
        recipient: Role::AccountCreator,
    });
    let err = PostpaidPolicy::try_from(spec.clone()).unwrap_err();
    assert_eq!(err.field, "reminders.after_hours[2]");
    spec.reminders = Some(ArrearsReminderSpec {
        after_hours: vec![],
        channels: Channels::of(&[Channel::Sms]),
        recipient: Role::AccountCreator,
    });
    assert_eq!(
        PostpaidPolicy::try_from(spec).unwrap_err().field,
        "reminders.after_hours"
    );
}

// ---------------------------------------------------------------- R-LIFE-08

#[test]
fn r_life_08_a_bill_is_issued_on_day_1_2_or_3_of_the_next_month() {
    let policy = presets::cloud_environment_postpaid().unwrap();
    let june = date(2025, 6, 1);
    for day in 1..=3 {
        assert_eq!(
            policy.billed_month(local(2025, 7, day, 9, 0)).unwrap(),
            june
        );
    }
    // Local day counts: 2025-07-03 16:30 UTC is already 4 July in +08:00.
    let late = Utc.with_ymd_and_hms(2025, 7, 3, 16, 30, 0).unwrap();
    let refusal = refused::<PostpaidAccount>(
        &PostpaidAccount::initial(),
        &PostpaidCommand::IssueBill { amount: yuan(1) },
        late,
        &policy,
    );
    assert_eq!(refusal.rule(), RuleId::Life08);
    assert_eq!(refusal.figure("issue_day"), Some(&FigureValue::Count(4)));
    assert_eq!(
        refusal.figure("latest_bill_day"),
        Some(&FigureValue::Count(3))
    );
    // January's bill is December's.
    assert_eq!(
        policy.billed_month(local(2026, 1, 2, 0, 0)).unwrap(),
        date(2025, 12, 1)
    );
}

#[test]
fn r_life_08_a_month_is_billed_once() {
    let (policy, state, _) = billed(local(2025, 7, 1, 8, 0));
    let refusal = refused::<PostpaidAccount>(
        &state,
        &PostpaidCommand::IssueBill { amount: yuan(5) },
        local(2025, 7, 2, 8, 0),
        &policy,
    );
    assert!(refusal.primary().message.contains("already issued"));
    assert_eq!(
        refusal.figure("last_billed"),
        Some(&FigureValue::Text("2025-06".into()))
    );
}

#[test]
fn r_life_08_in_arrears_reminders_go_out_and_services_stop_24_hours_after_the_bill() {
    let at = local(2025, 7, 2, 9, 0);
    let (policy, state, events) = billed(at);
    assert_eq!(
        events,
        vec![
            PostpaidEvent::BillIssued {
                at,
                month: date(2025, 6, 1),
                amount: yuan(120),
                balance: yuan(-120)
            },
            PostpaidEvent::ArrearsStarted {
                at,
                cause: ArrearsCause::Bill {
                    month: date(2025, 6, 1)
                },
                balance: yuan(-120),
                suspend_at: Some(at + Duration::hours(24))
            },
        ]
    );
    let stop = at + Duration::hours(24);
    assert!(PostpaidAccount::access(&state, stop - Duration::seconds(1), &policy).is_allowed());
    let answer = PostpaidAccount::access(&state, stop, &policy);
    assert_eq!(answer.rule(), Some(RuleId::Life08));
    assert!(answer.reason().unwrap().contains("bill for 2025-06"));

    let due = PostpaidAccount::due_events(&state, stop, &policy).unwrap();
    let reminders: Vec<(u32, DateTime<Utc>)> = due
        .iter()
        .filter_map(|e| match e {
            PostpaidEvent::Reminder(r) => Some((r.number, r.due)),
            _ => None,
        })
        .collect();
    assert_eq!(reminders, vec![(1, at), (2, at + Duration::hours(12))]);
    assert!(matches!(due.last(), Some(PostpaidEvent::Suspended { at: s, .. }) if *s == stop));
    if let Some(PostpaidEvent::Reminder(r)) = due.first() {
        assert_eq!(r.channels, Channels::of(&[Channel::Sms, Channel::Email]));
        assert_eq!(r.recipient, Role::AccountCreator);
        assert_eq!(r.balance, yuan(-120));
    }
}

#[test]
fn r_life_08_a_bill_the_balance_covers_brings_no_arrears() {
    let policy = presets::cloud_environment_postpaid().unwrap();
    let (state, _) = run(
        &PostpaidAccount::initial(),
        PostpaidCommand::TopUp { amount: yuan(120) },
        local(2025, 6, 20, 0, 0),
        &policy,
    );
    let (state, events) = run(
        &state,
        PostpaidCommand::IssueBill { amount: yuan(120) },
        local(2025, 7, 1, 0, 0),
        &policy,
    );
    assert_eq!(events.len(), 1);
    assert_eq!(state.standing, Standing::Good);
    assert!(PostpaidAccount::access(&state, local(2025, 8, 1, 0, 0), &policy).is_allowed());
}

#[test]
fn r_life_08_a_top_up_restores_service_only_when_it_clears_the_arrears() {
    let at = local(2025, 7, 2, 9, 0);
    let (policy, state, _) = billed(at);
    let later = at + Duration::hours(30);
    // Not enough: still stopped.
    let (partial, events) = run(
        &state,
        PostpaidCommand::TopUp { amount: yuan(100) },
        later,
        &policy,
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, PostpaidEvent::Restored { .. }))
    );
    assert_eq!(
        PostpaidAccount::access(&partial, later, &policy).rule(),
        Some(RuleId::Life08)
    );
    // Exactly zero clears a bill's arrears.
    let (restored, events) = run(
        &partial,
        PostpaidCommand::TopUp { amount: yuan(20) },
        later,
        &policy,
    );
    assert_eq!(
        events.last(),
        Some(&PostpaidEvent::Restored {
            at: later,
            balance: yuan(0)
        })
    );
    assert!(PostpaidAccount::access(&restored, later, &policy).is_allowed());
    assert_eq!(
        PostpaidAccount::status(&restored, later, &policy),
        PostpaidStatus::Good
    );
}

#[test]
fn r_life_08_commands_catch_up_on_what_came_due_first() {
    let at = local(2025, 7, 2, 9, 0);
    let (policy, state, _) = billed(at);
    let later = at + Duration::hours(30);
    let (_, events) = run(
        &state,
        PostpaidCommand::TopUp { amount: yuan(500) },
        later,
        &policy,
    );
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            PostpaidEvent::Reminder(_) => "reminder",
            PostpaidEvent::Suspended { .. } => "suspended",
            PostpaidEvent::ToppedUp { .. } => "topped_up",
            PostpaidEvent::Restored { .. } => "restored",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["reminder", "reminder", "suspended", "topped_up", "restored"]
    );
}

#[test]
fn r_life_08_monthly_accounts_take_no_charges_and_plugin_accounts_no_bills() {
    let cloud = presets::cloud_environment_postpaid().unwrap();
    let refusal = refused::<PostpaidAccount>(
        &PostpaidAccount::initial(),
        &PostpaidCommand::Charge { amount: yuan(1) },
        local(2025, 7, 1, 0, 0),
        &cloud,
    );
    assert_eq!(refusal.rule(), RuleId::Life08);
    let plugin = presets::live_plugin_postpaid().unwrap();
    let refusal = refused::<PostpaidAccount>(
        &PostpaidAccount::initial(),
        &PostpaidCommand::IssueBill { amount: yuan(1) },
        local(2025, 7, 1, 0, 0),
        &plugin,
    );
    assert!(
        refusal
            .primary()
            .message
            .contains("settles charges as they occur")
    );
}

#[test]
fn amounts_in_another_currency_or_non_positive_top_ups_are_errors() {
    let policy = presets::live_plugin_postpaid().unwrap();
    let usd = Money::new(Decimal::ONE, Currency::USD);
    let err = PostpaidAccount::decide(
        &PostpaidAccount::initial(),
        &PostpaidCommand::TopUp { amount: usd },
        local(2025, 7, 1, 0, 0),
        &policy,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Arithmetic { .. }));
    let refusal = refused::<PostpaidAccount>(
        &PostpaidAccount::initial(),
        &PostpaidCommand::TopUp { amount: yuan(0) },
        local(2025, 7, 1, 0, 0),
        &policy,
    );
    assert_eq!(refusal.rule(), RuleId::Life09);
    let refusal = refused::<PostpaidAccount>(
        &PostpaidAccount::initial(),
        &PostpaidCommand::Charge { amount: yuan(-1) },
        local(2025, 7, 1, 0, 0),
        &policy,
    );
    assert_eq!(
        refusal.figure("amount"),
        Some(&FigureValue::Money(yuan(-1)))
    );
}

// ---------------------------------------------------------------- R-LIFE-09

fn ran_out(at: DateTime<Utc>) -> (PostpaidPolicy, PostpaidState) {
    let policy = presets::live_plugin_postpaid().unwrap();
    let (state, _) = run(
        &PostpaidAccount::initial(),
        PostpaidCommand::TopUp { amount: yuan(50) },
        at - Duration::days(3),
        &policy,
    );
    let (state, events) = run(
        &state,
        PostpaidCommand::Charge { amount: yuan(50) },
        at,
        &policy,
    );
    // Exactly zero left: the balance ran out.
    assert!(matches!(
        events.last(),
        Some(PostpaidEvent::ArrearsStarted {
            cause: ArrearsCause::BalanceRanOut,
            ..
        })
    ));
    (policy, state)
}

#[test]
fn r_life_09_topped_up_within_24_hours_nothing_changes() {
    let at = local(2025, 6, 30, 12, 0);
    let (policy, state) = ran_out(at);
    let inside = at + Duration::hours(23) + Duration::minutes(59);
    let (state, events) = run(
        &state,
        PostpaidCommand::TopUp { amount: yuan(10) },
        inside,
        &policy,
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, PostpaidEvent::Suspended { .. }))
    );
    assert_eq!(state.standing, Standing::Good);
    let much_later = at + Duration::days(10);
    assert!(
        PostpaidAccount::due_events(&state, much_later, &policy)
            .unwrap()
            .is_empty()
    );
    assert!(PostpaidAccount::access(&state, much_later, &policy).is_allowed());
    assert!(PostpaidAccount::recording_access(&state, much_later, &policy).is_allowed());
}

#[test]
fn r_life_09_not_topped_up_the_service_pauses_and_recordings_are_unreadable() {
    let at = local(2025, 6, 30, 12, 0);
    let (policy, state) = ran_out(at);
    let paused_at = at + Duration::hours(24);
    assert!(
        PostpaidAccount::recording_access(&state, paused_at - Duration::seconds(1), &policy)
            .is_allowed()
    );
    let recordings = PostpaidAccount::recording_access(&state, paused_at, &policy);
    assert_eq!(recordings.rule(), Some(RuleId::Life09));
    assert_eq!(
        recordings.reason(),
        Some(
            "Recordings are unreadable while the service is paused (since 2025-07-01 12:00 +08:00). Top up to read them again."
        )
    );
    assert_eq!(
        PostpaidAccount::access(&state, paused_at, &policy).rule(),
        Some(RuleId::Life09)
    );
    assert_eq!(
        PostpaidAccount::due_events(&state, paused_at, &policy).unwrap(),
        vec![PostpaidEvent::Suspended {
            at: paused_at,
            arrears_since: at,
            cause: ArrearsCause::BalanceRanOut
        }]
    );
    // A top-up that leaves the balance above zero restores both.
    let later = paused_at + Duration::hours(5);
    let (state, _) = run(
        &state,
        PostpaidCommand::TopUp {
            amount: Money::cny(Decimal::new(1, 2)),
        },
        later,
        &policy,
    );
    assert!(PostpaidAccount::recording_access(&state, later, &policy).is_allowed());
}

#[test]
fn r_life_09_a_charge_that_leaves_money_is_not_arrears() {
    let policy = presets::live_plugin_postpaid().unwrap();
    let (state, _) = run(
        &PostpaidAccount::initial(),
        PostpaidCommand::TopUp { amount: yuan(50) },
        local(2025, 6, 1, 0, 0),
        &policy,
    );
    let (state, events) = run(
        &state,
        PostpaidCommand::Charge {
            amount: Money::cny(Decimal::new(4999, 2)),
        },
        local(2025, 6, 2, 0, 0),
        &policy,
    );
    assert_eq!(events.len(), 1);
    assert_eq!(state.standing, Standing::Good);
}

#[test]
fn postpaid_state_and_events_round_trip_through_json() {
    let at = local(2025, 7, 2, 9, 0);
    let (policy, state, mut events) = billed(at);
    events.extend(PostpaidAccount::due_events(&state, at + Duration::days(2), &policy).unwrap());
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<PostpaidEvent>>(&json).unwrap(),
        events
    );
    let state = PostpaidAccount::replay(events.iter());
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<PostpaidState>(&json).unwrap(), state);
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Step {
    Bill(i64),
    Charge(i64),
    TopUp(i64),
    Advance,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..300).prop_map(Step::Bill),
        (0i64..300).prop_map(Step::Charge),
        (1i64..300).prop_map(Step::TopUp),
        Just(Step::Advance),
    ]
}

fn policy() -> impl Strategy<Value = PostpaidPolicy> {
    prop_oneof![
        Just(presets::cloud_environment_postpaid().unwrap()),
        Just(presets::live_plugin_postpaid().unwrap()),
        (
            prop::sample::select(ArrearsTrigger::ALL.to_vec()),
            1u32..=3,
            0u32..72,
            prop::collection::btree_set(0u32..96, 1..5)
        )
            .prop_map(|(trigger, latest_bill_day, suspend_after_hours, hours)| {
                PostpaidPolicy::try_from(PostpaidPolicySpec {
                    locale: Default::default(),
                    trigger,
                    latest_bill_day,
                    suspend_after_hours,
                    reminders: Some(ArrearsReminderSpec {
                        after_hours: hours.into_iter().collect(),
                        channels: Channels::of(&[Channel::Email]),
                        recipient: Role::Admin,
                    }),
                })
                .unwrap()
            }),
    ]
}

/// Steps with the hours elapsed before each; refused commands change nothing.
fn play(
    policy: &PostpaidPolicy,
    steps: &[(i64, Step)],
) -> (PostpaidState, Vec<PostpaidEvent>, DateTime<Utc>) {
    let mut state = PostpaidAccount::initial();
    let mut events = Vec::new();
    let mut now = local(2025, 1, 1, 0, 0);
    for (hours, step) in steps {
        now += Duration::hours(*hours);
        let command = match step {
            Step::Bill(n) => PostpaidCommand::IssueBill { amount: yuan(*n) },
            Step::Charge(n) => PostpaidCommand::Charge { amount: yuan(*n) },
            Step::TopUp(n) => PostpaidCommand::TopUp { amount: yuan(*n) },
            Step::Advance => PostpaidCommand::Advance,
        };
        match PostpaidAccount::run(&state, &command, now, policy) {
            Ok((next, new)) => {
                state = next;
                events.extend(new);
            }
            Err(Error::Refused(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    (state, events, now)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn r_life_08_due_events_do_not_depend_on_the_polling_cadence(
        policy in policy(),
        steps in prop::collection::vec((0i64..(20 * 24), step()), 0..16),
        polls in prop::collection::vec(0i64..(24 * 60), 1..30),
    ) {
        let (state, _, last) = play(&policy, &steps);
        let mut polled = state;
        let mut polled_events = Vec::new();
        let mut now = last;
        for minutes in &polls {
            now += Duration::minutes(*minutes);
            let new = PostpaidAccount::due_events(&polled, now, &policy).unwrap();
            polled = new.iter().fold(polled, PostpaidAccount::evolve);
            polled_events.extend(new);
        }
        let once = PostpaidAccount::due_events(&state, now, &policy).unwrap();
        prop_assert_eq!(&once, &polled_events);
        prop_assert_eq!(once.iter().fold(state, PostpaidAccount::evolve), polled);
        prop_assert_eq!(once.iter().fold(polled, PostpaidAccount::evolve), polled);
    }

    #[test]
    fn r_life_09_access_is_never_allowed_after_the_grace_without_a_clearing_top_up(
        policy in policy(),
        steps in prop::collection::vec((0i64..(20 * 24), step()), 0..16),
        probe_minutes in 0i64..(3 * 24 * 60),
    ) {
        let (state, events, last) = play(&policy, &steps);
        // The last time arrears began, and whether a restore followed.
        let mut arrears_since = None;
        for e in &events {
            match e {
                PostpaidEvent::ArrearsStarted { at, .. } => arrears_since = Some(*at),
                PostpaidEvent::Restored { .. } => arrears_since = None,
                _ => {}
            }
        }
        // Anywhere later, and exactly when the grace ends.
        let mut probes = vec![last + Duration::minutes(probe_minutes)];
        if let Some(since) = arrears_since {
            probes.push((since + policy.suspend_after()).max(last));
        }
        for probe in probes {
            let swept = PostpaidAccount::due_events(&state, probe, &policy).unwrap().iter().fold(state, PostpaidAccount::evolve);
            if let Some(since) = arrears_since
                && probe >= since + policy.suspend_after()
            {
                prop_assert!(!PostpaidAccount::access(&state, probe, &policy).is_allowed());
                prop_assert!(!PostpaidAccount::access(&swept, probe, &policy).is_allowed());
                prop_assert!(!PostpaidAccount::recording_access(&swept, probe, &policy).is_allowed());
            }
            if arrears_since.is_none() {
                prop_assert!(PostpaidAccount::access(&state, probe, &policy).is_allowed());
            }
        }
        prop_assert_eq!(PostpaidAccount::replay(events.iter()), state);
    }
}
