//! Due events applied once, JSON round trips, and the property tests.

use super::*;

// ---------------------------------------------------------------- due events, replay, serde

#[test]
fn due_events_applied_twice_change_nothing() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let events = Subscription::due_events(&state, end + Duration::days(3), &policy).unwrap();
    let once = events.iter().fold(state, Subscription::evolve);
    let twice = events.iter().fold(once, Subscription::evolve);
    assert_eq!(once, twice);
    assert!(
        Subscription::due_events(&once, end + Duration::days(3), &policy)
            .unwrap()
            .is_empty()
    );
    assert_eq!(Subscription::next_due_at(&once, &policy).unwrap(), None);
}

#[test]
fn advance_command_applies_the_due_events() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let now = end + Duration::days(3);
    let (after, events) = Subscription::run(
        &state,
        &SubscriptionCommand::Advance { funds: None },
        now,
        &policy,
    )
    .unwrap();
    assert_eq!(
        events,
        Subscription::due_events(&state, now, &policy).unwrap()
    );
    assert_eq!(after, swept(&state, now, &policy, None));
}

#[test]
fn states_events_and_commands_round_trip_through_json() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let events = Subscription::due_events(&state, end + Duration::days(3), &policy).unwrap();
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<SubscriptionEvent>>(&json).unwrap(),
        events
    );
    let after = swept(&state, end + Duration::hours(30), &policy, None);
    let json = serde_json::to_string(&after).unwrap();
    assert!(json.contains(r#""phase":"suspended""#), "{json}");
    assert_eq!(
        serde_json::from_str::<SubscriptionState>(&json).unwrap(),
        after
    );
    let command = SubscriptionCommand::Advance {
        funds: Some(Funds {
            balance: yuan(5),
            renewal_price: yuan(3),
        }),
    };
    let json = serde_json::to_string(&command).unwrap();
    assert_eq!(
        serde_json::from_str::<SubscriptionCommand>(&json).unwrap(),
        command
    );
    let access_json = serde_json::to_string(&Subscription::access(
        &after,
        end + Duration::hours(30),
        &policy,
    ))
    .unwrap();
    assert!(
        access_json.starts_with(r#"{"access":"intercepted","rule":"R-LIFE-06""#),
        "{access_json}"
    );
}

#[test]
fn every_phase_round_trips_through_json() {
    let policy = presets::app_store_subscription().unwrap();
    let live = local(2025, 6, 1, 0, 0);
    let trial = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        live,
        &policy,
    );
    let lapsed = swept(&trial, local(2025, 6, 20, 0, 0), &policy, None);
    let extra = run(
        &lapsed,
        SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        local(2025, 6, 20, 0, 0),
        &policy,
    );
    let chat = presets::chat_service_subscription().unwrap();
    let paid = bought(live, Period::Month, &chat);
    let grace = swept(
        &paid,
        live + Duration::days(31) + Duration::hours(1),
        &chat,
        None,
    );
    let isolated = swept(
        &paid,
        live + Duration::days(40),
        &presets::cloud_environment_subscription().unwrap(),
        None,
    );
    let states = [
        Subscription::initial(),
        trial,
        lapsed,
        extra,
        paid,
        grace,
        isolated,
    ];
    let phases: Vec<&str> = states
        .iter()
        .map(|s| match s.phase {
            Phase::NotLive => "not_live",
            Phase::Trial(_) => "trial",
            Phase::ExtraTrial(_) => "extra_trial",
            Phase::Active(_) => "active",
            Phase::Grace { .. } => "grace",
            Phase::Intercepted { .. } => "intercepted",
            Phase::Suspended { .. } => "suspended",
            Phase::Isolated { .. } => "isolated",
        })
        .collect();
    assert_eq!(
        phases,
        [
            "not_live",
            "trial",
            "intercepted",
            "extra_trial",
            "active",
            "grace",
            "isolated"
        ]
    );
    for (state, phase) in states.iter().zip(phases) {
        let json = serde_json::to_string(state).unwrap();
        assert!(json.contains(&format!(r#""phase":"{phase}""#)), "{json}");
        assert_eq!(
            serde_json::from_str::<SubscriptionState>(&json).unwrap(),
            *state
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn r_life_04_access_is_never_allowed_after_end_plus_grace_without_a_later_purchase(
        policy in policy(),
        steps in history(),
        probe_minutes in 0i64..(120 * 24 * 60),
        past_the_end in 0i64..180,
        behind in 0i64..(2 * 24 * 60),
        balance in 0i64..1000,
    ) {
        let (state, events, last) = play(&policy, &steps);
        // Probe anywhere later, and right at / just after end + grace, where
        // an off-by-some-minutes leak would show.
        let mut probes = vec![last + Duration::minutes(probe_minutes)];
        if let Some(until) = served_until(&events, &policy) {
            probes.push(until.max(last));
            probes.push(until.max(last) + Duration::minutes(past_the_end));
        }
        for probe in probes {
            // Whether or not the scheduler caught up (with any balance).
            let funds = Funds { balance: yuan(balance), renewal_price: yuan(100) };
            let caught_up = Subscription::due_events_with_funds(&state, probe, &policy, Some(&funds)).unwrap();
            let swept_state = caught_up.iter().fold(state, Subscription::evolve);
            // A scheduler lagging `behind` minutes.
            let lagging = (probe - Duration::minutes(behind)).max(last);
            let partly = swept(&state, lagging, &policy, Some(&funds));
            let mut all = events.clone();
            all.extend(caught_up);
            let until = served_until(&all, &policy);
            for candidate in [&state, &partly, &swept_state] {
                if Subscription::access(candidate, probe, &policy).is_allowed() {
                    prop_assert!(until.is_some_and(|u| probe < u), "allowed at {} past {:?}", probe, until);
                }
            }
        }
    }

    #[test]
    fn r_life_04_a_purchase_always_restores_access(
        policy in policy(),
        steps in history(),
        gap in 0i64..(400 * 24 * 60),
        validity in 1u32..400,
    ) {
        let (state, _, last) = play(&policy, &steps);
        let now = last + Duration::minutes(gap);
        for command in [SubscriptionCommand::Purchase { validity: days(validity) }, SubscriptionCommand::Renew { validity: days(validity) }] {
            let (after, _) = Subscription::run(&state, &command, now, &policy).unwrap();
            prop_assert!(Subscription::access(&after, now, &policy).is_allowed());
            prop_assert!(Subscription::access(&after, now + Duration::days(i64::from(validity)) - Duration::seconds(1), &policy).is_allowed());
        }
    }

    #[test]
    fn r_life_04_replaying_the_same_events_gives_the_same_state(policy in policy(), steps in history(), gap in 0i64..(90 * 24 * 60)) {
        let (state, events, last) = play(&policy, &steps);
        prop_assert_eq!(Subscription::replay(events.iter()), state);
        let json = serde_json::to_string(&events).unwrap();
        let stored: Vec<SubscriptionEvent> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Subscription::replay(stored.iter()), state);
        // The same instant gives the same status and access.
        let probe = last + Duration::minutes(gap);
        let replayed = Subscription::replay(stored.iter());
        prop_assert_eq!(Subscription::status(&replayed, probe, &policy), Subscription::status(&state, probe, &policy));
        prop_assert_eq!(Subscription::access(&replayed, probe, &policy), Subscription::access(&state, probe, &policy));
    }

    #[test]
    fn r_life_05_due_events_do_not_depend_on_the_polling_cadence(
        policy in policy(),
        steps in history(),
        polls in prop::collection::vec(0i64..(5 * 24 * 60), 1..40),
        balance in 0i64..1000,
    ) {
        let (state, _, last) = play(&policy, &steps);
        // Polled at irregular steps, the caller charging each renewal...
        let mut polled = state;
        let mut polled_events = Vec::new();
        let mut now = last;
        let mut left = yuan(balance);
        for step in &polls {
            now += Duration::minutes(*step);
            let funds = Funds { balance: left, renewal_price: yuan(100) };
            let new = Subscription::due_events_with_funds(&polled, now, &policy, Some(&funds)).unwrap();
            for e in &new {
                if let SubscriptionEvent::AutoRenewed { price, .. } = e {
                    left = left.checked_sub(*price).unwrap();
                }
            }
            polled = new.iter().fold(polled, Subscription::evolve);
            polled_events.extend(new);
        }
        // ...or once at the end: the same events, the same state.
        let funds = Funds { balance: yuan(balance), renewal_price: yuan(100) };
        let once = Subscription::due_events_with_funds(&state, now, &policy, Some(&funds)).unwrap();
        prop_assert_eq!(&once, &polled_events);
        prop_assert_eq!(once.iter().fold(state, Subscription::evolve), polled);
        // And applying them again changes nothing.
        prop_assert_eq!(once.iter().fold(polled, Subscription::evolve), polled);
        // Due instants never go backwards.
        prop_assert!(once.windows(2).all(|w| w[0].at() <= w[1].at()));
    }

    #[test]
    fn r_life_05_every_reminder_date_lies_inside_its_window(
        policy in policy(),
        steps in history(),
        horizon_days in 0i64..120,
    ) {
        let (state, _, last) = play(&policy, &steps);
        let zone = policy.locale().time_zone;
        let funds = Funds { balance: yuan(10_000), renewal_price: yuan(100) };
        let events = Subscription::due_events_with_funds(&state, last + Duration::days(horizon_days), &policy, Some(&funds)).unwrap();
        let spec = policy.reminders();
        for r in reminders(&events) {
            let spec = spec.unwrap();
            let window = ReminderWindow::around(expiry_day(r.term_end, zone), spec.days_up_to_expiry, spec.days_after_expiry).unwrap();
            prop_assert!(window.contains(r.date), "{} outside {:?}", r.date, window);
            prop_assert_eq!(zone.local_date(r.due), r.date);
            prop_assert_eq!(r.expiry_day, expiry_day(r.term_end, zone));
        }
        // One reminder per day per term at most.
        let mut keys: Vec<(DateTime<Utc>, NaiveDate)> = reminders(&events).iter().map(|r| (r.term_end, r.date)).collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), count);
    }

    #[test]
    fn r_life_05_a_full_window_sends_one_reminder_for_each_of_its_days(
        start_minutes in 0i64..(365 * 24 * 60),
        validity in 9u32..400,
    ) {
        // Terms longer than the window: all 8 days, each at 10:00 local.
        let policy = presets::chat_service_subscription().unwrap();
        let at = t0() + Duration::minutes(start_minutes);
        let state = bought(at, days(validity), &policy);
        let end = at + Duration::days(i64::from(validity));
        let sent = reminders(&Subscription::due_events(&state, end + Duration::days(3), &policy).unwrap());
        let window = ReminderWindow::around(expiry_day(end, Zone::BEIJING), 7, 1).unwrap();
        let expected: Vec<NaiveDate> = window.days().collect();
        prop_assert_eq!(sent.iter().map(|r| r.date).collect::<Vec<_>>(), expected);
        prop_assert!(sent.iter().all(|r| r.due.with_timezone(&Zone::BEIJING.offset_at(r.due)).time() == NaiveTime::from_hms_opt(10, 0, 0).unwrap()));
    }
}

proptest! {
    /// R-LIFE-07: whatever number of renewals is due (up to 2.6 times the
    /// bound), any period, price and balance: repeating `Advance` until it
    /// returns no events, passing the balance left after each batch's
    /// renewals, makes monotone progress in batches of at most
    /// `MAX_EVENTS_PER_ADVANCE` events and `MAX_AUTO_RENEWALS_PER_SWEEP`
    /// renewals, each batch but the last full to one of the bounds, and
    /// ends with exactly the events and state of one sweep (taken in steps
    /// within the bound, and taken at once when it fits in one). Periods of
    /// 4 to 7 days bring 5 to 7 events a renewal, so the event bound stops
    /// those batches first (issue 19, item 6).
    #[test]
    fn r_life_07_advance_until_no_events_is_one_sweep(
        period in 1u32..8,
        periods_due in 0i64..2600,
        extra_minutes in 0i64..(24 * 60),
        price_cents in 0i64..300,
        balance_cents in 0i64..600_000,
    ) {
        let policy = renewing_every(period);
        let start = t0();
        let state = auto_renewing_from(start, period, &policy);
        let now = start + Duration::days(i64::from(period) * periods_due) + Duration::minutes(extra_minutes);
        let funds = |balance: Money| Funds { balance, renewal_price: Money::cny(Decimal::new(price_cents, 2)) };
        let opening = Money::cny(Decimal::new(balance_cents, 2));
        let bound = MAX_AUTO_RENEWALS_PER_SWEEP as usize;

        let (mut advanced, mut events, mut balance, mut calls) = (state, Vec::new(), opening, 0);
        let (mut previous, mut last_renewals) = (None, 0);
        loop {
            let command = SubscriptionCommand::Advance { funds: Some(funds(balance)) };
            let (next, batch) = Subscription::run(&advanced, &command, now, &policy).unwrap();
            calls += 1;
            if batch.is_empty() {
                prop_assert_eq!(next, advanced);
                break;
            }
            prop_assert!(renewals_in(&batch) <= bound);
            prop_assert!(batch.len() <= MAX_EVENTS_PER_ADVANCE);
            // Monotone: each batch starts where the last one stopped, and
            // the last one stopped only at a bound.
            prop_assert!(events.last().is_none_or(|last: &SubscriptionEvent| last.at() <= batch[0].at()));
            if let Some(last) = &previous {
                prop_assert!(
                    last == &MAX_EVENTS_PER_ADVANCE || last_renewals == bound,
                    "a batch of {} events and {} renewals was not full", last, last_renewals
                );
            }
            previous = Some(batch.len());
            last_renewals = renewals_in(&batch);
            balance = charged(balance, &batch);
            advanced = next;
            events.extend(batch);
        }
        let most = renewals_in(&events) / bound + events.len() / MAX_EVENTS_PER_ADVANCE + 2;
        prop_assert!(calls <= most, "{} calls, at most {} expected", calls, most);
        prop_assert!(Subscription::next_due_at(&advanced, &policy).unwrap().is_none_or(|at| at > now));

        // One sweep, in steps of 500 periods (each within the bound).
        let (mut reference, mut swept_events, mut left, mut at) = (state, Vec::new(), opening, start);
        while at < now {
            at = (at + Duration::days(i64::from(period) * 500)).min(now);
            let step = Subscription::due_events_with_funds(&reference, at, &policy, Some(&funds(left))).unwrap();
            left = charged(left, &step);
            reference = step.iter().fold(reference, Subscription::evolve);
            swept_events.extend(step);
        }
        prop_assert!(events == swept_events, "Advance differs from one sweep");
        prop_assert_eq!(advanced, reference);
        prop_assert_eq!(balance, left);
        if renewals_in(&events) <= bound {
            let once = Subscription::due_events_with_funds(&state, now, &policy, Some(&funds(opening))).unwrap();
            prop_assert!(once == events, "Advance differs from one sweep at once");
        }
    }
}
