//! At the calendar's end (issue 19, item 5): chrono's last instant is
//! `DateTime::<Utc>::MAX_UTC` (+262142-12-31 23:59:59.999999999 UTC). A
//! notice, reminder, end of grace or suspension that would fall past it is
//! not scheduled, and every command that does not need it still works; an
//! instant a command answers with (the end of paid validity, of a trial) is
//! still refused, naming its rule.
//!
//! One test per decider that computes future instants, driven near
//! `MAX_UTC`, and a property over command sequences in its last 400 days.

mod common;

#[allow(dead_code)]
#[path = "robustness/strategies.rs"]
mod strategies;

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, ArrearsCause, ArrearsReminderSpec, Channel, Channels, Funds, Lapse, Licence,
    LicenceCommand, LicenceEvent, LicenceState, LicenceStatus, Phase, PostpaidAccount,
    PostpaidCommand, PostpaidEvent, PostpaidPolicy, PostpaidState, PostpaidStatus, Role,
    Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy, SubscriptionState,
    SubscriptionStatus, TermKind,
};
use billing_rules::presets;
use billing_rules::time::Period;
use billing_rules::{ArithmeticError, Error};
use billing_rules::{FigureValue, RuleId, TimeDriven};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{date, local, yuan};
use proptest::prelude::*;

fn max() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

/// An instant of the calendar's last year, local +08:00.
fn last_year(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    local(262_142, m, d, h, 0)
}

fn is_out_of_range(err: &Error) -> bool {
    matches!(err.arithmetic(), Some(ArithmeticError::OutOfRange { .. }))
}

// -------------------------------------------------------------- postpaid

/// The live plugin's account (R-LIFE-09) with reminders at once and 8,784
/// hours (366 days, the longest the policy takes) after the balance ran out.
fn plugin_reminding_after_a_year() -> PostpaidPolicy {
    let mut spec = presets::live_plugin_postpaid_spec();
    spec.reminders = Some(ArrearsReminderSpec {
        after_hours: vec![0, 8_784],
        channels: Channels::of(&[Channel::Sms]),
        recipient: Role::AccountCreator,
    });
    PostpaidPolicy::try_from(spec).unwrap()
}

fn run_postpaid(
    state: &PostpaidState,
    command: PostpaidCommand,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> (PostpaidState, Vec<PostpaidEvent>) {
    PostpaidAccount::run(state, &command, now, policy).unwrap()
}

/// Issue 19's account: charged 30 days before the end, topped up (not
/// enough) two hours later. The second reminder, 8,784 h after the charge,
/// would fall past the calendar; it used to refuse every later command
/// with "R-LIFE-09: arrears reminder instant: the instant is out of the
/// supported date range". Now it is not scheduled: the top-up, the
/// suspension and the restoring top-up all happen.
#[test]
fn extremes_postpaid_reminder_past_the_calendar_is_not_scheduled() {
    let policy = plugin_reminding_after_a_year();
    let charged_at = max() - Duration::days(30);
    let (state, events) = run_postpaid(
        &PostpaidAccount::initial(),
        PostpaidCommand::Charge { amount: yuan(80) },
        charged_at,
        &policy,
    );
    assert_eq!(
        events.last(),
        Some(&PostpaidEvent::ArrearsStarted {
            at: charged_at,
            cause: ArrearsCause::BalanceRanOut,
            balance: yuan(-80),
            suspend_at: Some(charged_at + Duration::hours(24)),
        })
    );

    let topped_up_at = charged_at + Duration::hours(2);
    let (state, events) = run_postpaid(
        &state,
        PostpaidCommand::TopUp { amount: yuan(10) },
        topped_up_at,
        &policy,
    );
    // The first reminder (at once) caught up, then the top-up: -70, still
    // in arrears.
    let [
        PostpaidEvent::Reminder(first),
        PostpaidEvent::ToppedUp { balance, .. },
    ] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!((first.number, first.due), (1, charged_at));
    assert_eq!(first.date, date(262_142, 12, 2));
    assert_eq!(*balance, yuan(-70));

    // 24 h after the charge the service pauses.
    let (state, events) = run_postpaid(
        &state,
        PostpaidCommand::Advance,
        charged_at + Duration::hours(25),
        &policy,
    );
    assert_eq!(
        events,
        [PostpaidEvent::Suspended {
            at: charged_at + Duration::hours(24),
            arrears_since: charged_at,
            cause: ArrearsCause::BalanceRanOut,
        }]
    );

    // At the last instant nothing more is due: the second reminder is not
    // scheduled.
    assert_eq!(
        PostpaidAccount::due_events(&state, max(), &policy).unwrap(),
        []
    );
    let (state, events) = run_postpaid(&state, PostpaidCommand::Advance, max(), &policy);
    assert_eq!(events, []);
    assert_eq!(
        PostpaidAccount::status(&state, max(), &policy),
        PostpaidStatus::Suspended {
            since: charged_at + Duration::hours(24),
            cause: ArrearsCause::BalanceRanOut,
        }
    );

    // A top-up at the last instant restores the service.
    let (state, events) = run_postpaid(
        &state,
        PostpaidCommand::TopUp { amount: yuan(100) },
        max(),
        &policy,
    );
    assert_eq!(
        events,
        [
            PostpaidEvent::ToppedUp {
                at: max(),
                amount: yuan(100),
                balance: yuan(30),
            },
            PostpaidEvent::Restored {
                at: max(),
                balance: yuan(30),
            },
        ]
    );
    assert!(PostpaidAccount::recording_access(&state, max(), &policy).is_allowed());
}

/// R-LIFE-09 with 8,784 h to top up: arrears starting 30 days before the
/// end never reach the pause. The charge is settled (it used to be
/// refused for the suspension instant), `suspend_at` is `None`, and the
/// service is served to the end.
#[test]
fn extremes_postpaid_suspension_past_the_calendar_is_not_scheduled() {
    let mut spec = presets::live_plugin_postpaid_spec();
    spec.suspend_after_hours = 8_784;
    let policy = PostpaidPolicy::try_from(spec).unwrap();
    let charged_at = max() - Duration::days(30);
    let (state, events) = run_postpaid(
        &PostpaidAccount::initial(),
        PostpaidCommand::Charge { amount: yuan(80) },
        charged_at,
        &policy,
    );
    assert_eq!(
        events.last(),
        Some(&PostpaidEvent::ArrearsStarted {
            at: charged_at,
            cause: ArrearsCause::BalanceRanOut,
            balance: yuan(-80),
            suspend_at: None,
        })
    );
    assert_eq!(
        PostpaidAccount::status(&state, max(), &policy),
        PostpaidStatus::InArrears {
            since: charged_at,
            suspend_at: None,
            cause: ArrearsCause::BalanceRanOut,
        }
    );
    assert!(PostpaidAccount::access(&state, max(), &policy).is_allowed());
    let (state, events) = run_postpaid(&state, PostpaidCommand::Advance, max(), &policy);
    assert_eq!(events, []);
    let (_, events) = run_postpaid(
        &state,
        PostpaidCommand::Charge { amount: yuan(5) },
        max(),
        &policy,
    );
    assert_eq!(events.len(), 1, "{events:?}");
}

/// R-LIFE-08 in the calendar's last month: the November bill, issued on
/// 262142-12-02, reminds at once and 12 h later and stops every service
/// 24 h after it: due events this near the end are computed exactly.
#[test]
fn extremes_postpaid_bill_in_the_calendars_last_month_reminds_and_stops() {
    let policy = presets::cloud_environment_postpaid().unwrap();
    let issued = last_year(12, 2, 9);
    let (state, events) = run_postpaid(
        &PostpaidAccount::initial(),
        PostpaidCommand::IssueBill { amount: yuan(120) },
        issued,
        &policy,
    );
    assert!(matches!(
        events.as_slice(),
        [
            PostpaidEvent::BillIssued { month, .. },
            PostpaidEvent::ArrearsStarted { suspend_at: Some(stop), .. },
        ] if *month == date(262_142, 11, 1)
            && *stop == issued + Duration::hours(24)
    ));
    let due = PostpaidAccount::due_events(&state, max(), &policy).unwrap();
    let instants: Vec<DateTime<Utc>> = due.iter().map(PostpaidEvent::at).collect();
    assert_eq!(
        instants,
        [
            issued,
            issued + Duration::hours(12),
            issued + Duration::hours(24)
        ]
    );
    assert!(matches!(due[2], PostpaidEvent::Suspended { .. }));
}

// ---------------------------------------------------------- subscription

fn run_subscription(
    state: &SubscriptionState,
    command: SubscriptionCommand,
    now: DateTime<Utc>,
    policy: &SubscriptionPolicy,
) -> (SubscriptionState, Vec<SubscriptionEvent>) {
    Subscription::run(state, &command, now, policy).unwrap()
}

/// The chat service's month, bought so that it ends on the calendar's last
/// local day (262142-12-31 20:00 +08:00).
fn chat_month_ending_on_the_last_day(policy: &SubscriptionPolicy) -> SubscriptionState {
    let end = last_year(12, 31, 20);
    run_subscription(
        &Subscription::initial(),
        SubscriptionCommand::Purchase {
            validity: Period::Month,
        },
        end - Duration::days(31),
        policy,
    )
    .0
}

/// R-LIFE-05, R-LIFE-06: the chat service's month ends on the calendar's
/// last local day. Its 7 reminders up to the expiry day come due; the one
/// of the day after (262143-01-01, which does not exist) is not scheduled;
/// the 24 h grace would end past the calendar, so the term is served to the
/// end and no lapse is scheduled. Commands that do not need a later
/// instant still work; a renewal, which would, is refused under its rule.
#[test]
fn extremes_subscription_reminder_and_grace_past_the_calendar_are_not_scheduled() {
    let policy = presets::chat_service_subscription().unwrap();
    let state = chat_month_ending_on_the_last_day(&policy);
    let end = last_year(12, 31, 20);

    let (state, events) = run_subscription(
        &state,
        SubscriptionCommand::Advance { funds: None },
        max(),
        &policy,
    );
    let reminders: Vec<NaiveDate> = events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Reminder(r) => Some(r.date),
            _ => None,
        })
        .collect();
    let days: Vec<NaiveDate> = (25..=31).map(|d| date(262_142, 12, d)).collect();
    assert_eq!(reminders, days);
    let expired = SubscriptionEvent::Expired {
        at: end,
        ended: TermKind::Paid,
        grace_until: None,
        grace_past_calendar: true,
        then: Lapse::Suspended,
        shortfall: None,
    };
    assert_eq!(events.last(), Some(&expired));
    assert_eq!(expired.rule(), RuleId::Life06);
    assert_eq!(
        expired.to_string(),
        "R-LIFE-06 expired: paid term ended +262142-12-31 12:00 +00:00; served to the \
         calendar's end"
    );
    let json = serde_json::to_string(&expired).unwrap();
    assert!(json.contains(r#""grace_past_calendar":true"#), "{json}");
    assert_eq!(
        serde_json::from_str::<SubscriptionEvent>(&json).unwrap(),
        expired
    );
    assert!(matches!(state.phase, Phase::Grace { until: None, .. }));

    // Served to the end; nothing more comes due.
    assert_eq!(
        Subscription::status(&state, max(), &policy),
        SubscriptionStatus::Grace {
            ended: end,
            until: None,
            then: Lapse::Suspended,
        }
    );
    assert!(Subscription::access(&state, max(), &policy).is_allowed());
    assert_eq!(Subscription::next_due_at(&state, &policy).unwrap(), None);
    let (state, events) = run_subscription(
        &state,
        SubscriptionCommand::Advance { funds: None },
        max(),
        &policy,
    );
    assert_eq!(events, []);

    // Commands that do not need a later instant work.
    let (_, events) = run_subscription(
        &state,
        SubscriptionCommand::SetAutoRenewal { on: true },
        max(),
        &policy,
    );
    assert_eq!(events.len(), 1);
    // A renewal's end is paid validity: refused, never cut short.
    let err = Subscription::decide(
        &state,
        &SubscriptionCommand::Renew {
            validity: Period::Month,
        },
        max(),
        &policy,
    )
    .unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    assert_eq!(err.rule(), Some(RuleId::Seat09));
}

/// The status derives the same grace before the sweep records it.
#[test]
fn extremes_subscription_status_before_the_sweep_serves_to_the_end() {
    let policy = presets::chat_service_subscription().unwrap();
    let state = chat_month_ending_on_the_last_day(&policy);
    assert_eq!(
        Subscription::status(&state, max(), &policy),
        SubscriptionStatus::Grace {
            ended: last_year(12, 31, 20),
            until: None,
            then: Lapse::Suspended,
        }
    );
}

/// R-LIFE-07: with auto-renewal on and the balance covering it, the renewal
/// would run a month past the calendar. Paid validity is not a schedule:
/// the sweep is refused under R-LIFE-07 with the term's end as a figure.
/// Turning auto-renewal off, which needs no instant, lets it expire.
#[test]
fn extremes_subscription_auto_renewal_past_the_calendar_is_refused_naming_r_life_07() {
    let policy = presets::chat_service_subscription().unwrap();
    let state = chat_month_ending_on_the_last_day(&policy);
    let end = last_year(12, 31, 20);
    let (state, _) = run_subscription(
        &state,
        SubscriptionCommand::SetAutoRenewal { on: true },
        end - Duration::days(1),
        &policy,
    );
    let funds = Funds {
        balance: yuan(100),
        renewal_price: yuan(30),
    };
    let advance = SubscriptionCommand::Advance { funds: Some(funds) };
    let err = Subscription::decide(&state, &advance, max(), &policy).unwrap_err();
    let refusal = err.refusal().expect("a refusal");
    assert_eq!(refusal.rule(), RuleId::Life07);
    assert_eq!(refusal.figure("term_end"), Some(&FigureValue::Instant(end)));
    assert_eq!(
        refusal.figure("renewal_days"),
        Some(&FigureValue::Count(31))
    );
    assert!(
        refusal
            .to_string()
            .contains("past the calendar's last instant"),
        "{refusal}"
    );

    let (state, _) = run_subscription(
        &state,
        SubscriptionCommand::SetAutoRenewal { on: false },
        max(),
        &policy,
    );
    let (_, events) = run_subscription(&state, advance, max(), &policy);
    assert!(matches!(
        events.last(),
        Some(SubscriptionEvent::Expired {
            grace_past_calendar: true,
            shortfall: None,
            ..
        })
    ));
}

/// R-LIFE-03: a term recorded to start an hour before the end (a replayed
/// log; no command sets one this short) would get its notice at once, on a
/// local day past the calendar: not scheduled. The expiry still comes due.
#[test]
fn extremes_subscription_notice_on_a_day_past_the_calendar_is_not_scheduled() {
    let policy = presets::app_store_subscription().unwrap();
    let state = Subscription::evolve(
        Subscription::initial(),
        &SubscriptionEvent::Purchased {
            at: max() - Duration::hours(1),
            end: max(),
        },
    );
    assert_eq!(
        Subscription::due_events(&state, max(), &policy).unwrap(),
        [SubscriptionEvent::Expired {
            at: max(),
            ended: TermKind::Paid,
            grace_until: None,
            grace_past_calendar: false,
            then: Lapse::Intercepted,
            shortfall: None,
        }]
    );
}

/// R-LIFE-01, R-LIFE-03: a trial near the end gets its notice and expiry;
/// a trial whose end would be past the calendar is what `GoLive` answers
/// with, so it is refused under R-LIFE-01.
#[test]
fn extremes_subscription_trial_near_the_end_expires_and_one_past_it_is_refused() {
    let policy = presets::app_store_subscription().unwrap();
    let live = max() - Duration::days(20);
    let (state, _) = run_subscription(
        &Subscription::initial(),
        SubscriptionCommand::GoLive,
        live,
        &policy,
    );
    let (state, events) = run_subscription(
        &state,
        SubscriptionCommand::Advance { funds: None },
        max(),
        &policy,
    );
    let instants: Vec<DateTime<Utc>> = events.iter().map(SubscriptionEvent::at).collect();
    assert_eq!(
        instants,
        [live + Duration::days(7), live + Duration::days(14)]
    );
    assert!(matches!(
        Subscription::status(&state, max(), &policy),
        SubscriptionStatus::Intercepted {
            ended: TermKind::Trial,
            ..
        }
    ));

    let err = Subscription::decide(
        &Subscription::initial(),
        &SubscriptionCommand::GoLive,
        max() - Duration::days(10),
        &policy,
    )
    .unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    assert_eq!(err.rule(), Some(RuleId::Life01));
}

// --------------------------------------------------------------- licence

/// R-LIC-05: the licence schedules nothing but its expiry, a recorded
/// instant: a year bought 400 days before the end expires 35 days before
/// it. A second year bought the day before the end would run past the
/// calendar: that is the purchase's answer, refused under R-LIC-03.
#[test]
fn extremes_licence_expiry_near_the_end_comes_due_and_a_term_past_it_is_refused() {
    let policy = presets::live_plugin_licence().unwrap();
    let buy = LicenceCommand::Purchase {
        app: AppId::new("app-1"),
        account: AccountId::new("alice"),
    };
    let bought = max() - Duration::days(400);
    let (state, _) = Licence::run(&Licence::initial(), &buy, bought, &policy).unwrap();
    let end = bought + Duration::days(365);
    assert_eq!(
        Licence::due_events(&state, max(), &policy).unwrap(),
        [LicenceEvent::Expired { at: end }]
    );
    let (state, _) = Licence::run(&state, &LicenceCommand::Advance, max(), &policy).unwrap();
    assert!(matches!(state, LicenceState::Expired(_)));
    assert_eq!(
        Licence::status(&state, max(), &policy),
        LicenceStatus::Expired { since: end }
    );

    let err = Licence::decide(&state, &buy, max() - Duration::days(1), &policy).unwrap_err();
    assert!(is_out_of_range(&err), "{err}");
    assert_eq!(err.rule(), Some(RuleId::Lic03));
}

// -------------------------------------------------------------- property

/// Instants in the calendar's last 400 days, in clock order (one in eight
/// steps goes back up to two days: callers are not ordered).
fn last_400_days(n: usize) -> impl Strategy<Value = Vec<DateTime<Utc>>> {
    let window = 400 * 86_400_i64;
    prop::collection::vec((0..=window, 0u32..1_000_000_000, 0u8..8), n).prop_map(move |steps| {
        let mut offsets: Vec<(i64, u32, u8)> = steps;
        offsets.sort_unstable();
        offsets
            .into_iter()
            .map(|(back, nanos, jitter)| {
                let back = if jitter == 0 { back + 2 * 86_400 } else { back };
                (max() - Duration::seconds(back.min(window)))
                    .checked_sub_signed(Duration::nanoseconds(i64::from(nanos)))
                    .unwrap_or(max())
            })
            .rev()
            .collect()
    })
}

fn subscription_command() -> impl Strategy<Value = SubscriptionCommand> {
    let funds = (0i64..1_000, 0i64..100).prop_map(|(balance, price)| Funds {
        balance: yuan(balance),
        renewal_price: yuan(price),
    });
    prop_oneof![
        2 => Just(SubscriptionCommand::GoLive),
        1 => strategies::role().prop_map(|by| SubscriptionCommand::StartExtraTrial { by }),
        2 => strategies::period().prop_map(|validity| SubscriptionCommand::Purchase { validity }),
        2 => strategies::period().prop_map(|validity| SubscriptionCommand::Renew { validity }),
        1 => any::<bool>().prop_map(|on| SubscriptionCommand::SetAutoRenewal { on }),
        4 => prop::option::of(funds).prop_map(|funds| SubscriptionCommand::Advance { funds }),
    ]
}

/// The commands that answer with an instant of their own: a refusal of it
/// as out of range is the command's answer, under the command's rule.
fn answers_with_an_instant(command: &SubscriptionCommand, err: &Error) -> bool {
    matches!(
        (command, err.rule()),
        (SubscriptionCommand::Purchase { .. }, Some(RuleId::Seat01))
            | (SubscriptionCommand::Renew { .. }, Some(RuleId::Seat09))
            | (SubscriptionCommand::GoLive, Some(RuleId::Life01))
            | (
                SubscriptionCommand::StartExtraTrial { .. },
                Some(RuleId::Life02)
            )
    )
}

fn postpaid_command() -> impl Strategy<Value = PostpaidCommand> {
    let amount = || (0i64..200).prop_map(yuan);
    prop_oneof![
        2 => amount().prop_map(|amount| PostpaidCommand::IssueBill { amount }),
        3 => amount().prop_map(|amount| PostpaidCommand::Charge { amount }),
        3 => amount().prop_map(|amount| PostpaidCommand::TopUp { amount }),
        2 => Just(PostpaidCommand::Advance),
    ]
}

proptest! {
    /// Issue 19: any subscription commands at instants within 400 days of
    /// the calendar's end, under any policy. No command is refused as out
    /// of range except for the instant it answers with (a paid or trial
    /// term's end); an auto-renewal past the end is a refusal under
    /// R-LIFE-07; and the due events at every step and at the last instant
    /// are computed without a range error.
    #[test]
    fn extremes_no_subscription_command_is_refused_for_a_schedule_past_the_calendar(
        policy in strategies::subscription_policy(),
        commands in prop::collection::vec(subscription_command(), 1..=16),
        times in last_400_days(16),
        funds in 0i64..1_000,
    ) {
        let funds = Funds { balance: yuan(funds), renewal_price: yuan(0) };
        let mut state = Subscription::initial();
        for (command, now) in commands.iter().zip(times) {
            match Subscription::run(&state, command, now, &policy) {
                Ok((next, _)) => state = next,
                Err(err) => {
                    prop_assert!(
                        !is_out_of_range(&err) || answers_with_an_instant(command, &err),
                        "{:?} at {} refused: {}", command, now, err
                    );
                }
            }
            for at in [now, max()] {
                prop_assert!(Subscription::next_due_at(&state, &policy).is_ok());
                for funds in [None, Some(&funds)] {
                    if let Err(err) = Subscription::due_events_with_funds(&state, at, &policy, funds) {
                        prop_assert!(!is_out_of_range(&err), "due events at {}: {}", at, err);
                        prop_assert_eq!(err.rule(), Some(RuleId::Life07), "{}", err);
                    }
                }
                let status = Subscription::status(&state, at, &policy);
                prop_assert_eq!(Subscription::access(&state, at, &policy).is_allowed(), status.is_served());
            }
        }
    }

    /// Issue 19: any postpaid commands at instants within 400 days of the
    /// calendar's end, under any policy (reminders and suspension up to
    /// 366 days after the arrears began). Only a bill is ever refused as
    /// out of range: on the calendar's last hours, its local day (from
    /// which it takes its month) does not exist. Catching up never fails.
    #[test]
    fn extremes_no_postpaid_command_is_refused_for_a_schedule_past_the_calendar(
        policy in strategies::postpaid_policy(),
        commands in prop::collection::vec(postpaid_command(), 1..=16),
        times in last_400_days(16),
    ) {
        let mut state = PostpaidAccount::initial();
        for (command, now) in commands.iter().zip(times) {
            match PostpaidAccount::run(&state, command, now, &policy) {
                Ok((next, _)) => state = next,
                Err(err) => prop_assert!(
                    !is_out_of_range(&err)
                        || matches!(command, PostpaidCommand::IssueBill { .. })
                            && err.rule() == Some(RuleId::Life08),
                    "{:?} at {} refused: {}", command, now, err
                ),
            }
            for at in [now, max()] {
                let due = PostpaidAccount::due_events(&state, at, &policy);
                prop_assert!(due.is_ok(), "due events at {}: {:?}", at, due);
            }
        }
    }
}
