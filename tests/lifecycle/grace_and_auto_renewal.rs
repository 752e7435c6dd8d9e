//! Grace, suspension, auto-renewal and isolation (R-LIFE-06, R-LIFE-07,
//! R-LIFE-10).

use super::*;

// ---------------------------------------------------------------- R-LIFE-06

#[test]
fn r_life_06_chat_app_is_served_24_hours_after_expiry_then_suspended() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let until = end + Duration::hours(24);
    assert_eq!(
        Subscription::status(&state, end, &policy),
        SubscriptionStatus::Grace {
            ended: end,
            until: Some(until),
            then: Lapse::Suspended
        }
    );
    assert!(Subscription::access(&state, until - Duration::seconds(1), &policy).is_allowed());
    let answer = Subscription::access(&state, until, &policy);
    assert_eq!(answer.rule(), Some(RuleId::Life06));
    assert!(
        answer
            .reason()
            .unwrap()
            .starts_with("Suspended since 2025-07-02 00:00 +08:00")
    );

    let events = Subscription::due_events(&state, until, &policy).unwrap();
    assert!(events.contains(&SubscriptionEvent::Expired {
        at: end,
        ended: TermKind::Paid,
        grace_until: Some(until),
        grace_past_calendar: false,
        then: Lapse::Suspended,
        shortfall: None
    }));
    assert_eq!(
        events.last(),
        Some(&SubscriptionEvent::Lapsed {
            at: until,
            term_end: end,
            then: Lapse::Suspended
        })
    );
    let suspended = swept(&state, until, &policy, None);
    assert!(matches!(suspended.phase, Phase::Suspended { since, .. } if since == until));
}

#[test]
fn r_life_06_renewing_in_grace_starts_the_new_term_at_once() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = swept(
        &bought(end - Duration::days(31), Period::Month, &policy),
        end + Duration::hours(3),
        &policy,
        None,
    );
    assert!(matches!(state.phase, Phase::Grace { .. }));
    let now = end + Duration::hours(3);
    let renewed = run(
        &state,
        SubscriptionCommand::Renew {
            validity: Period::Month,
        },
        now,
        &policy,
    );
    assert_eq!(
        Subscription::status(&renewed, now, &policy),
        SubscriptionStatus::Active {
            ends: now + Duration::days(31)
        }
    );
    // The old grace's end changes nothing any more.
    assert!(
        Subscription::access(
            &swept(&renewed, end + Duration::hours(30), &policy, None),
            end + Duration::hours(30),
            &policy
        )
        .is_allowed()
    );
}

#[test]
fn r_life_07_auto_renews_for_a_month_when_the_balance_covers_it() {
    let end = local(2025, 7, 1, 0, 0);
    let (policy, state) = auto_renewing(end);
    let funds = Funds {
        balance: yuan(100),
        renewal_price: yuan(100),
    };
    let events = Subscription::due_events_with_funds(&state, end, &policy, Some(&funds)).unwrap();
    assert_eq!(
        events.last(),
        Some(&SubscriptionEvent::AutoRenewed {
            at: end,
            end: end + Duration::days(31),
            price: yuan(100)
        })
    );
    let renewed = swept(&state, end, &policy, Some(&funds));
    assert_eq!(
        Subscription::status(&renewed, end, &policy),
        SubscriptionStatus::Active {
            ends: end + Duration::days(31)
        }
    );
    // No day-after reminder for a renewed term.
    assert!(
        reminders(&Subscription::due_events(&renewed, end + Duration::days(2), &policy).unwrap())
            .is_empty()
    );
}

#[test]
fn r_life_07_a_short_balance_follows_the_normal_expiry_path() {
    let end = local(2025, 7, 1, 0, 0);
    let (policy, state) = auto_renewing(end);
    let funds = Funds {
        balance: Money::cny(Decimal::new(9999, 2)),
        renewal_price: yuan(100),
    };
    let events =
        Subscription::due_events_with_funds(&state, end + Duration::days(2), &policy, Some(&funds))
            .unwrap();
    let expired = events
        .iter()
        .find(|e| matches!(e, SubscriptionEvent::Expired { .. }))
        .unwrap();
    let SubscriptionEvent::Expired {
        shortfall: Some(short),
        grace_until,
        ..
    } = expired
    else {
        panic!("a shortfall expected: {expired:?}");
    };
    assert_eq!(
        (short.balance, short.price),
        (Money::cny(Decimal::new(9999, 2)), yuan(100))
    );
    assert_eq!(*grace_until, Some(end + Duration::hours(24)));
    assert_eq!(expired.rule(), RuleId::Life07);
    assert!(matches!(
        events.last(),
        Some(SubscriptionEvent::Lapsed {
            then: Lapse::Suspended,
            ..
        })
    ));
}

#[test]
fn r_life_07_each_renewal_of_a_sweep_draws_from_the_balance() {
    let end = local(2025, 7, 1, 0, 0);
    let (policy, state) = auto_renewing(end);
    let funds = Funds {
        balance: yuan(250),
        renewal_price: yuan(100),
    };
    let events = Subscription::due_events_with_funds(
        &state,
        end + Duration::days(70),
        &policy,
        Some(&funds),
    )
    .unwrap();
    let renewals = events
        .iter()
        .filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. }))
        .count();
    assert_eq!(renewals, 2);
    let shortfall = events.iter().find_map(|e| match e {
        SubscriptionEvent::Expired { at, shortfall, .. } => Some((*at, *shortfall)),
        _ => None,
    });
    assert_eq!(
        shortfall.map(|(at, s)| (at, s.map(|s| s.balance))),
        Some((end + Duration::days(62), Some(yuan(50))))
    );
}

#[test]
fn r_life_07_an_auto_renewal_needs_the_balance_fact() {
    let end = local(2025, 7, 1, 0, 0);
    let (policy, state) = auto_renewing(end);
    // Nothing due yet: no funds needed.
    assert!(
        Subscription::due_events(&state, end - Duration::days(8), &policy)
            .unwrap()
            .is_empty()
    );
    let err = Subscription::due_events(&state, end, &policy).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Life07));
    // No partial output on error.
    let mut out = vec![SubscriptionEvent::AutoRenewalSet { at: end, on: true }];
    assert!(Subscription::due_events_into(&state, end, &policy, None, &mut out).is_err());
    assert_eq!(out.len(), 1);
    // Balance and price in different currencies cannot be compared.
    let usd = Funds {
        balance: Money::new(Decimal::from(500), Currency::USD),
        renewal_price: yuan(100),
    };
    assert!(matches!(
        Subscription::due_events_with_funds(&state, end, &policy, Some(&usd)),
        Err(Error::Arithmetic { .. })
    ));
}

#[test]
fn r_life_07_auto_renewal_is_refused_when_the_plan_has_none() {
    let policy = presets::app_store_subscription().unwrap();
    let state = bought(local(2025, 1, 1, 0, 0), Period::Year, &policy);
    let refusal = refused::<Subscription>(
        &state,
        &SubscriptionCommand::SetAutoRenewal { on: true },
        local(2025, 1, 2, 0, 0),
        &policy,
    );
    assert_eq!(refusal.rule(), RuleId::Life07);
    // Turning it off is always allowed; setting the current value is a no-op.
    let (_, events) = Subscription::run(
        &state,
        &SubscriptionCommand::SetAutoRenewal { on: false },
        local(2025, 1, 2, 0, 0),
        &policy,
    )
    .unwrap();
    assert!(events.is_empty());
}

/// R-LIFE-07: a free plan renewing daily, left alone for ten years, and a
/// scheduler driving the engine (which takes `now` from its clock) wakes
/// up: 3,652 renewals are due, more than one sweep applies. Repeating
/// `Advance` until it returns no events catches up in batches of at most
/// `MAX_AUTO_RENEWALS_PER_SWEEP` renewals, to the same state and events as
/// sweeping year by year.
#[test]
fn r_life_07_repeated_advance_catches_up_ten_dormant_years_through_the_engine() {
    let policy = renewing_every(1);
    let start = local(2025, 1, 1, 9, 0);
    let engine = Engine::new(FixedClock::new(start), MemoryStore::new());
    let id = AggregateId::from("dormant");
    for command in [
        SubscriptionCommand::Purchase { validity: days(1) },
        SubscriptionCommand::SetAutoRenewal { on: true },
    ] {
        engine
            .execute::<Subscription>(&id, &command, &policy, None)
            .unwrap();
    }
    let free = Funds {
        balance: yuan(0),
        renewal_price: yuan(0),
    };
    let advance = SubscriptionCommand::Advance { funds: Some(free) };
    let later = local(2035, 1, 1, 9, 0);
    engine.clock().set(later);

    let mut batches = Vec::new();
    loop {
        let outcome = engine
            .execute::<Subscription>(&id, &advance, &policy, None)
            .unwrap();
        if outcome.events.is_empty() {
            break;
        }
        assert!(batches.len() < 10, "no progress");
        batches.push(outcome.events);
    }
    let sizes: Vec<usize> = batches.iter().map(|b| renewals_in(b)).collect();
    // 2025-01-01 to 2035-01-01 is 3,652 days, each ending a one-day term.
    assert_eq!(sizes, [1000, 1000, 1000, 652]);
    let caught_up = engine.state::<Subscription>(&id).unwrap();
    assert_eq!(
        Subscription::status(&caught_up, later, &policy),
        SubscriptionStatus::Active {
            ends: later + Duration::days(1)
        }
    );

    // Sweeping at the start of every year instead.
    let mut yearly = auto_renewing_from(start, 1, &policy);
    let mut yearly_events = Vec::new();
    for year in 2026..=2035 {
        let events = Subscription::due_events_with_funds(
            &yearly,
            local(year, 1, 1, 9, 0),
            &policy,
            Some(&free),
        )
        .unwrap();
        yearly = events.iter().fold(yearly, Subscription::evolve);
        yearly_events.extend(events);
    }
    assert_eq!(caught_up, yearly);
    // Thousands of events: compared without printing them.
    assert!(
        batches.concat() == yearly_events,
        "batches differ from yearly sweeps"
    );
    assert!(
        engine.store().events::<Subscription>(&id)[2..] == yearly_events[..],
        "the stored events differ from yearly sweeps"
    );
    // The free function, asked for all of it at once, still refuses.
    let initial = auto_renewing_from(start, 1, &policy);
    let err =
        Subscription::due_events_with_funds(&initial, later, &policy, Some(&free)).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Life07));
}

/// R-LIFE-07: a batch stops just before the renewal past the bound, with
/// every event before it; `complete` says so.
#[test]
fn r_life_07_a_bounded_sweep_stops_before_the_renewal_past_the_bound() {
    let policy = renewing_every(1);
    let start = local(2025, 1, 1, 9, 0);
    let state = auto_renewing_from(start, 1, &policy);
    let free = Funds {
        balance: yuan(0),
        renewal_price: yuan(0),
    };
    let bound = i64::from(MAX_AUTO_RENEWALS_PER_SWEEP);
    // Exactly the bound is due: one complete batch, as one sweep.
    let at_bound = start + Duration::days(bound);
    let sweep = Subscription::due_events_bounded(&state, at_bound, &policy, Some(&free)).unwrap();
    assert!(sweep.complete);
    let once = Subscription::due_events_with_funds(&state, at_bound, &policy, Some(&free)).unwrap();
    assert!(sweep.events == once, "a complete batch is one sweep");
    assert_eq!(renewals_in(&sweep.events), 1000);
    // One more: the batch is incomplete. It holds the bound's batch and
    // the reminder of the last renewed term (10:00 local, an hour after it
    // renewed), which comes before the next renewal.
    let past = at_bound + Duration::days(1);
    let first = Subscription::due_events_bounded(&state, past, &policy, Some(&free)).unwrap();
    assert!(!first.complete);
    let (head, tail) = first.events.split_at(sweep.events.len());
    assert!(head == sweep.events, "the batch starts as the complete one");
    assert!(
        matches!(tail, [SubscriptionEvent::Reminder(r)] if r.due == at_bound + Duration::hours(1)),
        "{tail:?}"
    );
    let next = first.events.iter().fold(state, Subscription::evolve);
    assert_eq!(
        Subscription::next_due_at(&next, &policy).unwrap(),
        Some(past)
    );
    let rest = Subscription::due_events_bounded(&next, past, &policy, Some(&free)).unwrap();
    assert!(rest.complete);
    assert_eq!(
        rest.events,
        [SubscriptionEvent::AutoRenewed {
            at: past,
            end: past + Duration::days(1),
            price: yuan(0)
        }]
    );
    let json = serde_json::to_string(&rest).unwrap();
    assert!(
        json.starts_with(r#"{"events":[{"event":"auto_renewed","#),
        "{json}"
    );
    assert!(json.ends_with(r#""complete":true}"#), "{json}");
    assert_eq!(
        serde_json::from_str::<billing_rules::lifecycle::Sweep>(&json).unwrap(),
        rest
    );
}

/// R-LIFE-07: funds across batches. A balance covering 1,500 renewals of
/// 1.00: the first Advance renews 1,000 times and its events name every
/// price drawn; passed the balance left (500.00), the second renews 500
/// times and then falls short at 0.00, exactly where one sweep (taken in
/// two steps within the bound) does. Nothing is drawn twice.
#[test]
fn r_life_07_advance_with_the_balance_left_draws_exactly_as_one_sweep() {
    let policy = renewing_every(1);
    let start = local(2025, 1, 1, 9, 0);
    let state = auto_renewing_from(start, 1, &policy);
    let funds = |balance: Money| Funds {
        balance,
        renewal_price: yuan(1),
    };
    let later = start + Duration::days(2000);
    let advance = |state: &SubscriptionState, balance: Money| {
        Subscription::run(
            state,
            &SubscriptionCommand::Advance {
                funds: Some(funds(balance)),
            },
            later,
            &policy,
        )
        .unwrap()
    };
    let (after_first, first) = advance(&state, yuan(1500));
    assert_eq!(renewals_in(&first), 1000);
    let left = charged(yuan(1500), &first);
    assert_eq!(left, yuan(500));
    let (after_second, second) = advance(&after_first, left);
    assert_eq!(renewals_in(&second), 500);
    let shortfall = second.iter().find_map(|e| match e {
        SubscriptionEvent::Expired {
            shortfall: Some(s),
            at,
            ..
        } => Some((*at, s.balance)),
        _ => None,
    });
    assert_eq!(shortfall, Some((start + Duration::days(1501), yuan(0))));
    let (done, none) = advance(&after_second, charged(left, &second));
    assert!(none.is_empty());
    assert_eq!(done, after_second);

    // One sweep, taken in two steps each within the bound.
    let middle = start + Duration::days(800);
    let part =
        Subscription::due_events_with_funds(&state, middle, &policy, Some(&funds(yuan(1500))))
            .unwrap();
    let halfway = part.iter().fold(state, Subscription::evolve);
    let rest = Subscription::due_events_with_funds(
        &halfway,
        later,
        &policy,
        Some(&funds(charged(yuan(1500), &part))),
    )
    .unwrap();
    assert!(
        [first, second].concat() == [part, rest.clone()].concat(),
        "the batches differ from one sweep"
    );
    assert_eq!(
        rest.iter().fold(halfway, Subscription::evolve),
        after_second
    );
}

/// Issue 19, item 6: one `Advance` returned 366,365 events before the
/// event bound (1,000 renewals, each with its 365 daily reminders, plus
/// the reminders before the renewal past the renewal bound): one answer,
/// and one store write, of 65.5 MB of JSON. Now each call returns at
/// most `MAX_EVENTS_PER_ADVANCE`, every call but the last exactly that
/// many; repeating it until it returns no events ends with exactly the
/// events and state of one sweep (taken in steps within the renewal
/// bound).
#[test]
fn r_life_07_one_advance_returns_at_most_max_events_per_advance_after_a_dormant_millennium() {
    let policy = reminding_all_year();
    let start = t0();
    let state = run(
        &bought(start, Period::Year, &policy),
        SubscriptionCommand::SetAutoRenewal { on: true },
        start,
        &policy,
    );
    let free = Funds {
        balance: yuan(0),
        renewal_price: yuan(0),
    };
    let advance = SubscriptionCommand::Advance { funds: Some(free) };
    let now = start + Duration::days(365 * 1_100);

    let (mut advanced, mut events, mut sizes) = (state, Vec::new(), Vec::new());
    loop {
        let (next, batch) = Subscription::run(&advanced, &advance, now, &policy).unwrap();
        if batch.is_empty() {
            assert_eq!(next, advanced);
            break;
        }
        assert!(sizes.len() < 200, "no progress");
        sizes.push(batch.len());
        advanced = next;
        events.extend(batch);
    }
    let (last, full) = sizes.split_last().unwrap();
    assert!(
        full.iter().all(|n| *n == MAX_EVENTS_PER_ADVANCE),
        "{sizes:?}"
    );
    assert!(*last <= MAX_EVENTS_PER_ADVANCE);
    // 1,100 terms of 365 days: 1,100 renewals and 365 reminders each.
    assert_eq!(renewals_in(&events), 1_100);
    assert_eq!(events.len(), 1_100 * 366);
    assert_eq!(
        sizes.len(),
        (1_100 * 366_usize).div_ceil(MAX_EVENTS_PER_ADVANCE)
    );

    // One sweep, in steps of 500 terms (each within the renewal bound).
    let (mut reference, mut swept_events) = (state, Vec::new());
    for step in [500, 1_000, 1_100] {
        let at = start + Duration::days(365 * step);
        let batch =
            Subscription::due_events_with_funds(&reference, at, &policy, Some(&free)).unwrap();
        reference = batch.iter().fold(reference, Subscription::evolve);
        swept_events.extend(batch);
    }
    assert_eq!(advanced, reference);
    // Hundreds of thousands of events: compared without printing them.
    assert!(events == swept_events, "Advance differs from one sweep");
    assert_eq!(
        Subscription::status(&advanced, now, &policy),
        SubscriptionStatus::Active {
            ends: now + Duration::days(365)
        }
    );
}

// ---------------------------------------------------------------- R-LIFE-10

#[test]
fn r_life_10_cloud_environment_is_isolated_after_an_unrenewed_term_until_renewed() {
    let policy = presets::cloud_environment_subscription().unwrap();
    let at = local(2025, 1, 1, 0, 0);
    let state = bought(at, Period::Year, &policy);
    let end = at + Duration::days(365);
    assert_eq!(
        Subscription::status(&state, end, &policy),
        SubscriptionStatus::Isolated { since: end }
    );
    let answer = Subscription::access(&state, end, &policy);
    assert_eq!(answer.rule(), Some(RuleId::Life10));
    let events = Subscription::due_events(&state, end, &policy).unwrap();
    assert_eq!(
        events,
        vec![SubscriptionEvent::Expired {
            at: end,
            ended: TermKind::Paid,
            grace_until: None,
            grace_past_calendar: false,
            then: Lapse::Isolated,
            shortfall: None
        }]
    );
    assert_eq!(events[0].rule(), RuleId::Life10);
    let isolated = swept(&state, end, &policy, None);
    let renewed = run(
        &isolated,
        SubscriptionCommand::Renew {
            validity: Period::Year,
        },
        end + Duration::days(3),
        &policy,
    );
    assert!(Subscription::access(&renewed, end + Duration::days(3), &policy).is_allowed());
}
