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

use chrono::Datelike;

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

#[path = "lifecycle/due_events_and_json.rs"]
mod due_events_and_json;
#[path = "lifecycle/grace_and_auto_renewal.rs"]
mod grace_and_auto_renewal;
#[path = "lifecycle/trials_notices_access.rs"]
mod trials_notices_access;
