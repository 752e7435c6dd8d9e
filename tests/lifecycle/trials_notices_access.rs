//! Presets, trials, notices, interception and reminders (R-LIFE-01..05).

use super::*;

// ---------------------------------------------------------------- presets

#[test]
fn presets_are_valid_policies_and_round_trip_through_json() {
    for policy in [
        presets::app_store_subscription().unwrap(),
        presets::chat_service_subscription().unwrap(),
        presets::cloud_environment_subscription().unwrap(),
    ] {
        let rebuilt = SubscriptionPolicy::try_from(policy.to_spec()).unwrap();
        assert_eq!(rebuilt, policy);
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(
            serde_json::from_str::<SubscriptionPolicy>(&json).unwrap(),
            policy
        );
    }
}

#[test]
fn presets_carry_the_published_figures() {
    let store = presets::app_store_subscription().unwrap();
    assert_eq!(store.notice().map(|n| n.lead_days), Some(7));
    assert_eq!(store.lapse(), Lapse::Intercepted);
    assert_eq!(store.grace(), Duration::zero());
    let chat = presets::chat_service_subscription().unwrap();
    let r = chat.reminders().unwrap();
    assert_eq!((r.days_up_to_expiry, r.days_after_expiry), (7, 1));
    assert_eq!(r.channels, Channels::of(&[Channel::Sms, Channel::Email]));
    assert_eq!(r.recipient, Role::AccountCreator);
    assert_eq!(chat.grace(), Duration::hours(24));
    assert_eq!(chat.lapse(), Lapse::Suspended);
    assert_eq!(chat.auto_renewal(), Some(Period::Month));
    assert_eq!(
        presets::cloud_environment_subscription().unwrap().lapse(),
        Lapse::Isolated
    );
}

#[test]
fn policy_spec_rejects_bad_figures_naming_the_field_and_rule() {
    let base = presets::chat_service_subscription_spec();
    let mut spec = base.clone();
    spec.extra_trial_days = Some(0);
    let err = SubscriptionPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("extra_trial_days", Some(RuleId::Life02))
    );

    let mut spec = base.clone();
    spec.notice = Some(NoticeSpec {
        lead_days: 0,
        channels: Channels::of(&[Channel::Email]),
        recipient: Role::Admin,
    });
    let err = SubscriptionPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("notice.lead_days", Some(RuleId::Life03))
    );

    let mut spec = base.clone();
    if let Some(r) = spec.reminders.as_mut() {
        r.days_up_to_expiry = 0;
        r.days_after_expiry = 0;
    }
    let err = SubscriptionPolicy::try_from(spec).unwrap_err();
    assert_eq!(err.rule, Some(RuleId::Life05));

    let mut spec = base.clone();
    if let Some(r) = spec.reminders.as_mut() {
        r.channels = Channels::NONE;
    }
    let err = SubscriptionPolicy::try_from(spec).unwrap_err();
    assert_eq!(err.field, "reminders.channels");

    let mut spec = base;
    spec.grace_hours = 366 * 24 + 1;
    let err = SubscriptionPolicy::try_from(spec).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.rule),
        ("grace_hours", Some(RuleId::Life06))
    );
}

// ---------------------------------------------------------------- R-LIFE-01, R-LIFE-02

#[test]
fn r_life_01_trial_starts_when_the_app_goes_live() {
    let policy = presets::app_store_subscription().unwrap();
    let configured = Subscription::initial();
    // Configured but not live: no trial is running, access names R-LIFE-01.
    let before = Subscription::access(&configured, local(2025, 6, 1, 0, 0), &policy);
    assert_eq!(before.rule(), Some(RuleId::Life01));

    let live = local(2025, 6, 10, 9, 30);
    let (state, events) =
        Subscription::run(&configured, &SubscriptionCommand::GoLive, live, &policy).unwrap();
    assert_eq!(
        events,
        vec![SubscriptionEvent::WentLive {
            at: live,
            trial_end: local(2025, 6, 24, 9, 30)
        }]
    );
    assert_eq!(
        Subscription::status(&state, live, &policy),
        SubscriptionStatus::Trial {
            ends: local(2025, 6, 24, 9, 30)
        }
    );
    assert!(Subscription::access(&state, local(2025, 6, 24, 9, 29), &policy).is_allowed());
}

#[test]
fn r_life_01_go_live_is_refused_without_a_trial_or_when_already_live() {
    let chat = presets::chat_service_subscription().unwrap();
    let refusal = refused::<Subscription>(
        &Subscription::initial(),
        &SubscriptionCommand::GoLive,
        local(2025, 6, 1, 0, 0),
        &chat,
    );
    assert_eq!(refusal.rule(), RuleId::Life01);
    assert!(refusal.primary().message.contains("no trial"));

    let store = presets::app_store_subscription().unwrap();
    let live = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        local(2025, 6, 1, 0, 0),
        &store,
    );
    let refusal = refused::<Subscription>(
        &live,
        &SubscriptionCommand::GoLive,
        local(2025, 6, 2, 0, 0),
        &store,
    );
    assert_eq!(refusal.rule(), RuleId::Life01);
    assert!(refusal.primary().message.contains("already live"));
}

#[test]
fn r_life_02_admin_starts_one_extra_trial_after_the_trial_expired() {
    let policy = presets::app_store_subscription().unwrap();
    let live = local(2025, 6, 1, 0, 0);
    let trial = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        live,
        &policy,
    );
    let expired_at = local(2025, 6, 16, 12, 0);
    // Due events not applied yet: the status is still derived as expired.
    assert_eq!(
        Subscription::status(&trial, expired_at, &policy),
        SubscriptionStatus::Intercepted {
            since: local(2025, 6, 15, 0, 0),
            ended: TermKind::Trial
        }
    );
    let (extra, events) = Subscription::run(
        &trial,
        &SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        expired_at,
        &policy,
    )
    .unwrap();
    assert_eq!(
        events,
        vec![SubscriptionEvent::ExtraTrialStarted {
            at: expired_at,
            end: local(2025, 6, 23, 12, 0),
            by: Role::Admin
        }]
    );
    assert!(Subscription::access(&extra, expired_at, &policy).is_allowed());

    // Once: after the extra trial expired, a second one is refused.
    let later = local(2025, 7, 1, 0, 0);
    let extra = swept(&extra, later, &policy, None);
    let refusal = refused::<Subscription>(
        &extra,
        &SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        later,
        &policy,
    );
    assert_eq!(refusal.rule(), RuleId::Life02);
    assert_eq!(
        refusal.figure("extra_trial_started"),
        Some(&FigureValue::Instant(expired_at))
    );
}

#[test]
fn r_life_02_extra_trial_refusals_list_every_reason() {
    let policy = presets::app_store_subscription().unwrap();
    let live = local(2025, 6, 1, 0, 0);
    let trial = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        live,
        &policy,
    );
    // A member, while the trial still runs: two reasons, both R-LIFE-02.
    let refusal = refused::<Subscription>(
        &trial,
        &SubscriptionCommand::StartExtraTrial { by: Role::Member },
        local(2025, 6, 5, 0, 0),
        &policy,
    );
    assert_eq!(refusal.reasons().len(), 2);
    assert!(refusal.rules().all(|r| r == RuleId::Life02));
    assert_eq!(
        refusal.figure("role"),
        Some(&FigureValue::Text("member".into()))
    );
    assert_eq!(
        refusal.figure("trial_end"),
        Some(&FigureValue::Instant(local(2025, 6, 15, 0, 0)))
    );

    // After a paid term: the extra trial only follows an expired trial.
    let paid = run(
        &trial,
        SubscriptionCommand::Purchase { validity: days(10) },
        local(2025, 6, 5, 0, 0),
        &policy,
    );
    let refusal = refused::<Subscription>(
        &paid,
        &SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        local(2025, 7, 1, 0, 0),
        &policy,
    );
    assert!(
        refusal
            .primary()
            .message
            .contains("only follows an expired trial")
    );

    // Not live.
    let refusal = refused::<Subscription>(
        &Subscription::initial(),
        &SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        live,
        &policy,
    );
    assert!(refusal.primary().message.contains("not live"));

    // A plan without an extra trial.
    let mut spec = presets::app_store_subscription_spec();
    spec.extra_trial_days = None;
    let plain = SubscriptionPolicy::try_from(spec).unwrap();
    let refusal = refused::<Subscription>(
        &trial,
        &SubscriptionCommand::StartExtraTrial { by: Role::Admin },
        local(2025, 7, 1, 0, 0),
        &plain,
    );
    assert_eq!(refusal.primary().message, "this plan offers no extra trial");
}

// ---------------------------------------------------------------- R-LIFE-03

#[test]
fn r_life_03_notice_is_due_seven_days_before_a_paid_term_ends() {
    let policy = presets::app_store_subscription().unwrap();
    let at = local(2025, 1, 1, 15, 0);
    let state = bought(at, Period::Year, &policy);
    let end = at + Duration::days(365);
    let notice_at = end - Duration::days(7);
    assert_eq!(
        Subscription::next_due_at(&state, &policy).unwrap(),
        Some(notice_at)
    );
    assert!(
        Subscription::due_events(&state, notice_at - Duration::seconds(1), &policy)
            .unwrap()
            .is_empty()
    );
    let events = Subscription::due_events(&state, notice_at, &policy).unwrap();
    let [SubscriptionEvent::Notice(notice)] = events.as_slice() else {
        panic!("one notice expected, got {events:?}");
    };
    assert_eq!(notice.due, notice_at);
    assert_eq!(notice.date, date(2025, 12, 25));
    assert_eq!(notice.term, TermKind::Paid);
    assert_eq!(notice.term_end, end);
    assert_eq!(notice.channels, Channels::of(&[Channel::InApp]));
    assert_eq!(notice.recipient, Role::Admin);
}

#[test]
fn r_life_03_a_term_shorter_than_the_lead_gets_its_notice_at_once() {
    let policy = presets::app_store_subscription().unwrap();
    let at = local(2025, 3, 3, 11, 11);
    let state = bought(at, days(3), &policy);
    let events = Subscription::due_events(&state, at, &policy).unwrap();
    assert!(matches!(events.as_slice(), [SubscriptionEvent::Notice(n)] if n.due == at));
    // Exactly the lead: end - 7 x 24 h is the purchase instant itself.
    let state = bought(at, days(7), &policy);
    let events = Subscription::due_events(&state, at, &policy).unwrap();
    assert!(matches!(events.as_slice(), [SubscriptionEvent::Notice(n)] if n.due == at));
}

#[test]
fn r_life_03_the_trial_gets_a_notice_too() {
    let policy = presets::app_store_subscription().unwrap();
    let live = local(2025, 6, 1, 8, 0);
    let trial = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        live,
        &policy,
    );
    let events = Subscription::due_events(&trial, local(2025, 6, 15, 8, 0), &policy).unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        matches!(events[0], SubscriptionEvent::Notice(n) if n.term == TermKind::Trial && n.due == local(2025, 6, 8, 8, 0))
    );
    assert!(matches!(
        events[1],
        SubscriptionEvent::Expired {
            ended: TermKind::Trial,
            then: Lapse::Intercepted,
            grace_until: None,
            ..
        }
    ));
}

// ---------------------------------------------------------------- R-LIFE-04

#[test]
fn r_life_04_access_is_intercepted_after_the_trial_until_a_purchase() {
    let policy = presets::app_store_subscription().unwrap();
    let trial = run(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        local(2025, 6, 1, 0, 0),
        &policy,
    );
    let end = local(2025, 6, 15, 0, 0);
    assert!(Subscription::access(&trial, end - Duration::seconds(1), &policy).is_allowed());
    let answer = Subscription::access(&trial, end, &policy);
    assert_eq!(
        answer,
        Access::Intercepted {
            rule: RuleId::Life04,
            reason: "The trial ended on 2025-06-15 00:00 +08:00; buy or renew to continue.".into()
        }
    );
    // The same answer whether or not the due events were applied.
    assert_eq!(
        Subscription::access(&swept(&trial, end, &policy, None), end, &policy),
        answer
    );

    let buy_at = local(2025, 6, 20, 13, 0);
    let paid = run(
        &trial,
        SubscriptionCommand::Purchase {
            validity: Period::Month,
        },
        buy_at,
        &policy,
    );
    assert!(Subscription::access(&paid, buy_at, &policy).is_allowed());
    assert_eq!(
        Subscription::status(&paid, buy_at, &policy),
        SubscriptionStatus::Active {
            ends: buy_at + Duration::days(31)
        }
    );
}

#[test]
fn r_life_04_buying_restores_access_at_once_from_every_lapsed_state() {
    for policy in [
        presets::app_store_subscription().unwrap(),
        presets::chat_service_subscription().unwrap(),
        presets::cloud_environment_subscription().unwrap(),
    ] {
        let at = local(2025, 1, 1, 0, 0);
        let state = bought(at, Period::Month, &policy);
        let late = at + Duration::days(60);
        let lapsed = swept(&state, late, &policy, None);
        assert!(!Subscription::access(&lapsed, late, &policy).is_allowed());
        for command in [
            SubscriptionCommand::Purchase { validity: days(1) },
            SubscriptionCommand::Renew { validity: days(1) },
        ] {
            let restored = run(&lapsed, command, late, &policy);
            assert!(
                Subscription::access(&restored, late, &policy).is_allowed(),
                "{command:?}"
            );
            assert_eq!(
                Subscription::status(&restored, late, &policy),
                SubscriptionStatus::Active {
                    ends: late + Duration::days(1)
                }
            );
        }
    }
}

#[test]
fn renew_extends_a_running_paid_term_from_its_end() {
    // R-SEAT-09: extending adds the validity after the current end.
    let policy = presets::chat_service_subscription().unwrap();
    let at = local(2025, 1, 1, 0, 0);
    let state = bought(at, Period::Month, &policy);
    let (_, events) = Subscription::run(
        &state,
        &SubscriptionCommand::Renew {
            validity: Period::Year,
        },
        at + Duration::days(10),
        &policy,
    )
    .unwrap();
    assert_eq!(
        events,
        vec![SubscriptionEvent::Renewed {
            at: at + Duration::days(10),
            start: at + Duration::days(31),
            end: at + Duration::days(31 + 365)
        }]
    );
}

// ---------------------------------------------------------------- R-LIFE-05

#[test]
fn r_life_05_chat_reminders_run_from_expiry_day_minus_6_to_the_day_after() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0); // expires on 2025-06-30, local
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let events = Subscription::due_events(&state, end + Duration::days(5), &policy).unwrap();
    let sent = reminders(&events);
    let dates: Vec<NaiveDate> = sent.iter().map(|r| r.date).collect();
    let expected: Vec<NaiveDate> = (24..=30)
        .map(|d| date(2025, 6, d))
        .chain([date(2025, 7, 1)])
        .collect();
    assert_eq!(dates, expected);
    for r in &sent {
        assert_eq!(r.expiry_day, date(2025, 6, 30));
        assert_eq!(
            r.due,
            local(2025, r.date.month0() + 1, r.date.day0() + 1, 10, 0)
        );
        assert_eq!(r.channels, Channels::of(&[Channel::Sms, Channel::Email]));
        assert_eq!(r.recipient, Role::AccountCreator);
    }
    assert_eq!(sent.first().map(|r| r.days_from_expiry()), Some(-6));
    assert_eq!(sent.last().map(|r| r.days_from_expiry()), Some(1));
    // The day-after reminder falls inside the grace, before the suspension.
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            SubscriptionEvent::Reminder(_) => "reminder",
            SubscriptionEvent::Expired { .. } => "expired",
            SubscriptionEvent::Lapsed { .. } => "lapsed",
            _ => "other",
        })
        .collect();
    assert_eq!(&kinds[6..], &["reminder", "expired", "reminder", "lapsed"]);
}

#[test]
fn r_life_05_a_term_bought_inside_the_window_is_reminded_from_its_start() {
    let policy = presets::chat_service_subscription().unwrap();
    // Bought at 14:00 on a 3-day term: the window opened days ago; the
    // purchase day's 10:00 reminder is due at the purchase instant.
    let at = local(2025, 6, 10, 14, 0);
    let state = bought(at, days(3), &policy);
    let sent =
        reminders(&Subscription::due_events(&state, at + Duration::days(10), &policy).unwrap());
    let dates: Vec<NaiveDate> = sent.iter().map(|r| r.date).collect();
    assert_eq!(
        dates,
        vec![
            date(2025, 6, 10),
            date(2025, 6, 11),
            date(2025, 6, 12),
            date(2025, 6, 13),
            date(2025, 6, 14)
        ]
    );
    assert_eq!(sent[0].due, at);
    assert_eq!(sent[1].due, local(2025, 6, 11, 10, 0));
}

#[test]
fn r_life_05_a_renewal_stops_the_old_terms_reminders() {
    let policy = presets::chat_service_subscription().unwrap();
    let end = local(2025, 7, 1, 0, 0);
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let on_expiry_day = local(2025, 6, 30, 12, 0);
    let state = swept(&state, on_expiry_day, &policy, None);
    let renewed = run(
        &state,
        SubscriptionCommand::Renew {
            validity: Period::Month,
        },
        on_expiry_day,
        &policy,
    );
    // Nothing for the old term any more: the next reminder is the new
    // window's first, expiry day 2025-07-31 - 6.
    assert_eq!(
        Subscription::next_due_at(&renewed, &policy).unwrap(),
        Some(local(2025, 7, 25, 10, 0))
    );
}

#[test]
fn r_life_05_window_is_the_days_up_to_and_including_expiry_and_after() {
    let window = ReminderWindow::around(date(2025, 6, 30), 7, 1).unwrap();
    assert_eq!(
        (window.first(), window.last(), window.len()),
        (date(2025, 6, 24), date(2025, 7, 1), 8)
    );
    assert!(window.contains(date(2025, 6, 24)) && window.contains(date(2025, 7, 1)));
    assert!(!window.contains(date(2025, 6, 23)) && !window.contains(date(2025, 7, 2)));
    let after_only = ReminderWindow::around(date(2025, 6, 30), 0, 2).unwrap();
    assert_eq!(
        (after_only.first(), after_only.last()),
        (date(2025, 7, 1), date(2025, 7, 2))
    );
    assert_eq!(ReminderWindow::around(date(2025, 6, 30), 0, 0), None);
    // A term ending at local midnight expires the day before.
    assert_eq!(
        expiry_day(local(2025, 7, 1, 0, 0), Zone::BEIJING),
        date(2025, 6, 30)
    );
    assert_eq!(
        expiry_day(local(2025, 7, 1, 0, 1), Zone::BEIJING),
        date(2025, 7, 1)
    );
}
