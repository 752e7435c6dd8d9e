//! The subscription lifecycle: trials, notices, reminders, interception,
//! grace, suspension, auto-renewal, isolation (R-LIFE-01..07, R-LIFE-10).

mod common;

use billing_rules::Decider;
use billing_rules::engine::{AggregateId, Engine, MemoryStore};
use billing_rules::lifecycle::{
    Channel, Channels, Funds, Lapse, MAX_AUTO_RENEWALS_PER_SWEEP, MAX_EVENTS_PER_ADVANCE,
    NoticeSpec, Phase, ReminderSpec, ReminderWindow, Role, Subscription, SubscriptionCommand,
    SubscriptionEvent, SubscriptionPolicy, SubscriptionPolicySpec, SubscriptionState,
    SubscriptionStatus, TermKind, expiry_day,
};
use billing_rules::money::{Currency, Money};
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::time::{FixedClock, Period, Zone};
use billing_rules::{Access, Error, FigureValue, RuleId, TimeDriven};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use common::{date, local, refused, yuan};
use proptest::prelude::*;
use rust_decimal::Decimal;

// ---------------------------------------------------------------- helpers

/// A local (+08:00) instant.
fn days(n: u32) -> Period {
    Period::days(n).unwrap()
}

fn run(
    state: &SubscriptionState,
    command: SubscriptionCommand,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> SubscriptionState {
    Subscription::run(state, &command, now, policy).unwrap().0
}

/// A paid term bought at `at` for `validity`.
fn bought(at: DateTime<Utc>, validity: Period, policy: &SubscriptionPolicy) -> SubscriptionState {
    run(
        &Subscription::initial(),
        SubscriptionCommand::Purchase { validity },
        at,
        policy,
    )
}

/// Applies every due event up to `now`.
fn swept(
    state: &SubscriptionState,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
    funds: Option<&Funds>,
) -> SubscriptionState {
    let mut out = Vec::new();
    Subscription::due_events_into(state, now, policy, funds, &mut out).unwrap()
}

fn reminders(events: &[SubscriptionEvent]) -> Vec<billing_rules::lifecycle::Reminder> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Reminder(r) => Some(*r),
            _ => None,
        })
        .collect()
}

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

use chrono::Datelike;

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

// ---------------------------------------------------------------- R-LIFE-07

fn auto_renewing(end: DateTime<Utc>) -> (SubscriptionPolicy, SubscriptionState) {
    let policy = presets::chat_service_subscription().unwrap();
    let state = bought(end - Duration::days(31), Period::Month, &policy);
    let state = run(
        &state,
        SubscriptionCommand::SetAutoRenewal { on: true },
        end - Duration::days(20),
        &policy,
    );
    (policy, state)
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

/// The chat service, renewing every `period` days instead of monthly.
fn renewing_every(period: u32) -> SubscriptionPolicy {
    let mut spec = presets::chat_service_subscription_spec();
    spec.auto_renewal = Some(days(period));
    SubscriptionPolicy::try_from(spec).unwrap()
}

/// A term of `period` days bought at `at`, with auto-renewal on.
fn auto_renewing_from(
    at: DateTime<Utc>,
    period: u32,
    policy: &SubscriptionPolicy,
) -> SubscriptionState {
    let state = bought(at, days(period), policy);
    run(
        &state,
        SubscriptionCommand::SetAutoRenewal { on: true },
        at,
        policy,
    )
}

fn renewals_in(events: &[SubscriptionEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. }))
        .count()
}

/// The balance after the prices of `events`' renewals were charged.
fn charged(balance: Money, events: &[SubscriptionEvent]) -> Money {
    events.iter().fold(balance, |left, event| match event {
        SubscriptionEvent::AutoRenewed { price, .. } => left.checked_sub(*price).unwrap(),
        _ => left,
    })
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

/// A yearly plan that renews itself and reminds the customer every day of
/// the term (366 days up to expiry, SMS at 10:00), bought on 2025-01-01 and
/// left alone for 1,100 years.
fn reminding_all_year() -> SubscriptionPolicy {
    let mut spec = presets::chat_service_subscription_spec();
    spec.auto_renewal = Some(Period::Year);
    spec.reminders = Some(ReminderSpec {
        days_up_to_expiry: 366,
        days_after_expiry: 0,
        send_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        channels: Channels::of(&[Channel::Sms]),
        recipient: Role::AccountCreator,
    });
    SubscriptionPolicy::try_from(spec).unwrap()
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

// ---------------------------------------------------------------- properties

/// A command of a random history.
#[derive(Debug, Clone)]
enum Step {
    GoLive,
    ExtraTrial(bool),
    Purchase(u32),
    Renew(u32),
    AutoRenew(bool),
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::GoLive),
        any::<bool>().prop_map(Step::ExtraTrial),
        (1u32..400).prop_map(Step::Purchase),
        (1u32..400).prop_map(Step::Renew),
        any::<bool>().prop_map(Step::AutoRenew),
        (0i64..400).prop_map(Step::Advance),
    ]
}

/// Steps with the minutes elapsed before each (up to 40 days).
fn history() -> impl Strategy<Value = Vec<(i64, Step)>> {
    prop::collection::vec((0i64..(40 * 24 * 60), step()), 0..12)
}

fn policy() -> impl Strategy<Value = SubscriptionPolicy> {
    let presets = prop_oneof![
        Just(presets::app_store_subscription().unwrap()),
        Just(presets::chat_service_subscription().unwrap()),
        Just(presets::cloud_environment_subscription().unwrap()),
    ];
    let custom = (
        proptest::option::of(1u32..30),
        proptest::option::of(1u32..30),
        proptest::option::of(1u32..20),
        proptest::option::of((0u32..10, 0u32..4, 0u32..24)),
        0u32..96,
        prop::sample::select(Lapse::ALL.to_vec()),
        proptest::option::of(1u32..40),
    )
        .prop_filter_map(
            "a valid custom policy",
            |(trial, extra, lead, reminders, grace, lapse, renew)| {
                SubscriptionPolicy::try_from(SubscriptionPolicySpec {
                    locale: Locale::default(),
                    trial_days: trial,
                    extra_trial_days: extra,
                    notice: lead.map(|lead_days| NoticeSpec {
                        lead_days,
                        channels: Channels::of(&[Channel::Email]),
                        recipient: Role::Admin,
                    }),
                    reminders: reminders.map(|(up, after, hour)| ReminderSpec {
                        days_up_to_expiry: up,
                        days_after_expiry: after,
                        send_at: NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
                        channels: Channels::of(&[Channel::Sms]),
                        recipient: Role::AccountCreator,
                    }),
                    grace_hours: grace,
                    lapse,
                    auto_renewal: renew.and_then(Period::days),
                })
                .ok()
            },
        );
    prop_oneof![presets, custom]
}

fn t0() -> DateTime<Utc> {
    local(2025, 1, 1, 9, 0)
}

/// Runs a history (refused commands change nothing); returns the state,
/// every event, and the instant of the last step.
fn play(
    policy: &SubscriptionPolicy,
    steps: &[(i64, Step)],
) -> (SubscriptionState, Vec<SubscriptionEvent>, DateTime<Utc>) {
    let mut state = Subscription::initial();
    let mut events = Vec::new();
    let mut now = t0();
    for (minutes, step) in steps {
        now += Duration::minutes(*minutes);
        let command = match step {
            Step::GoLive => SubscriptionCommand::GoLive,
            Step::ExtraTrial(admin) => SubscriptionCommand::StartExtraTrial {
                by: if *admin { Role::Admin } else { Role::Member },
            },
            Step::Purchase(d) => SubscriptionCommand::Purchase { validity: days(*d) },
            Step::Renew(d) => SubscriptionCommand::Renew { validity: days(*d) },
            Step::AutoRenew(on) => SubscriptionCommand::SetAutoRenewal { on: *on },
            Step::Advance(balance) => SubscriptionCommand::Advance {
                funds: Some(Funds {
                    balance: yuan(*balance),
                    renewal_price: yuan(100),
                }),
            },
        };
        match Subscription::run(&state, &command, now, policy) {
            Ok((next, new)) => {
                state = next;
                events.extend(new);
            }
            Err(Error::Refused(_)) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    (state, events, now)
}

/// The end of the latest service any event granted: trial ends, and paid
/// ends plus the grace.
fn served_until(
    events: &[SubscriptionEvent],
    policy: &SubscriptionPolicy,
) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::WentLive { trial_end, .. } => Some(*trial_end),
            SubscriptionEvent::ExtraTrialStarted { end, .. } => Some(*end),
            SubscriptionEvent::Purchased { end, .. }
            | SubscriptionEvent::Renewed { end, .. }
            | SubscriptionEvent::AutoRenewed { end, .. } => Some(*end + policy.grace()),
            _ => None,
        })
        .max()
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
