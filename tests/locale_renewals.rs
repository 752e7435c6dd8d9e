//! Issue 15, Kill Bill #127 across renewals: a calendar month bought on
//! the 31st renews to the 31st wherever the month has one (Jan 31 ->
//! Feb 28 -> Mar 31 -> Apr 30), by auto-renewal, by hand and for the
//! licence, not only inside one multi-period purchase. The anchor is kept
//! in the recorded state (`Term::anchor`, `Held::anchor`), and states
//! recorded without it still load.

use billing_rules::Decider;
use billing_rules::lifecycle::{
    AccountId, AppId, Funds, Licence, LicenceCommand, LicencePolicy, LicenceState, Phase,
    Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy, SubscriptionState,
};
use billing_rules::money::Money;
use billing_rules::presets;
use billing_rules::time::{CalendarPeriod, Period, Zone};
use chrono::{DateTime, Months, NaiveDate, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

const MONTH: Period = Period::Calendar(CalendarPeriod::Month);

fn berlin() -> Zone {
    "Europe/Berlin".parse().unwrap()
}

/// The chat service's plan in `zone`, renewing automatically for a
/// calendar month (R-LIFE-07).
fn monthly_plan(zone: Zone) -> SubscriptionPolicy {
    let mut spec = presets::chat_service_subscription_spec();
    spec.locale.time_zone = zone;
    spec.auto_renewal = Some(MONTH);
    SubscriptionPolicy::try_from(spec).unwrap()
}

/// Bought for a calendar month at `at`, auto-renewal on.
fn bought_renewing(at: DateTime<Utc>, policy: &SubscriptionPolicy) -> SubscriptionState {
    let mut state = Subscription::initial();
    for command in [
        SubscriptionCommand::Purchase { validity: MONTH },
        SubscriptionCommand::SetAutoRenewal { on: true },
    ] {
        state = Subscription::run(&state, &command, at, policy).unwrap().0;
    }
    state
}

fn plenty() -> Funds {
    Funds {
        balance: Money::cny(Decimal::from(1_000_000)),
        renewal_price: Money::cny(Decimal::from(10)),
    }
}

fn renewal_ends(events: &[SubscriptionEvent]) -> Vec<DateTime<Utc>> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::AutoRenewed { end, .. } => Some(*end),
            _ => None,
        })
        .collect()
}

fn term_end(state: &SubscriptionState) -> DateTime<Utc> {
    state.phase.term().unwrap().end
}

#[test]
fn killbill_127_renewals_keep_the_anchor() {
    // Kill Bill #127: billing day 31 became 28 after February and stayed
    // (renewals went Jan 31 -> Feb 28 -> Mar 28). Bought 2025-01-31 09:00
    // in Berlin; each renewal keeps day 31 and 09:00 local, also across the
    // spring-forward night of 2025-03-30 (09:00 is 08:00 UTC before it,
    // 07:00 UTC after).
    let zone = berlin();
    let policy = monthly_plan(zone);
    let bought_at = zone.at(2025, 1, 31, 9, 0, 0).unwrap();
    let state = bought_renewing(bought_at, &policy);
    assert_eq!(term_end(&state), zone.at(2025, 2, 28, 9, 0, 0).unwrap());

    let now = zone.at(2025, 5, 1, 0, 0, 0).unwrap();
    let events =
        Subscription::due_events_with_funds(&state, now, &policy, Some(&plenty())).unwrap();
    let expected = [
        zone.at(2025, 3, 31, 9, 0, 0).unwrap(),
        zone.at(2025, 4, 30, 9, 0, 0).unwrap(),
        zone.at(2025, 5, 31, 9, 0, 0).unwrap(),
    ];
    assert_eq!(renewal_ends(&events), expected);
    assert_eq!(expected[0].to_rfc3339(), "2025-03-31T07:00:00+00:00");

    // The recorded state keeps the anchor (the purchase) and goes on from
    // it: June 30, July 31.
    let after = events.iter().fold(state, Subscription::evolve);
    let Phase::Active(term) = after.phase else {
        panic!("not active: {after:?}");
    };
    assert_eq!(term.anchor, Some(bought_at));
    assert_eq!(term.run_start(), bought_at);
    let later = zone.at(2025, 7, 1, 0, 0, 0).unwrap();
    let more =
        Subscription::due_events_with_funds(&after, later, &policy, Some(&plenty())).unwrap();
    assert_eq!(
        renewal_ends(&more),
        [
            zone.at(2025, 6, 30, 9, 0, 0).unwrap(),
            zone.at(2025, 7, 31, 9, 0, 0).unwrap()
        ]
    );

    // Polled every day, the renewals are the same as in one sweep.
    let (mut polled, mut ends) = (state, Vec::new());
    let mut at = bought_at;
    while at < now {
        at += chrono::Duration::days(1);
        let (next, events) = Subscription::run(
            &polled,
            &SubscriptionCommand::Advance {
                funds: Some(plenty()),
            },
            at.min(now),
            &policy,
        )
        .unwrap();
        ends.extend(renewal_ends(&events));
        polled = next;
    }
    assert_eq!(ends, expected);
    assert_eq!(polled, after);
}

#[test]
fn killbill_127_manual_renewals_keep_the_anchor() {
    // Renewed by hand a day before each end (R-SEAT-09: from the end).
    let zone = berlin();
    let policy = monthly_plan(zone);
    let mut state = Subscription::initial();
    let purchase = SubscriptionCommand::Purchase { validity: MONTH };
    let bought_at = zone.at(2025, 1, 31, 9, 0, 0).unwrap();
    state = Subscription::run(&state, &purchase, bought_at, &policy)
        .unwrap()
        .0;
    let mut ends = vec![term_end(&state)];
    for _ in 0..3 {
        let renew_at = term_end(&state) - chrono::Duration::days(1);
        let renew = SubscriptionCommand::Renew { validity: MONTH };
        state = Subscription::run(&state, &renew, renew_at, &policy)
            .unwrap()
            .0;
        ends.push(term_end(&state));
    }
    let day = |m, d| zone.at(2025, m, d, 9, 0, 0).unwrap();
    assert_eq!(ends, [day(2, 28), day(3, 31), day(4, 30), day(5, 31)]);

    // A purchase starts a new run: bought again on April 15 (an upgrade),
    // with auto-renewal on, the months end on the 15th.
    let rebought = zone.at(2025, 4, 15, 12, 0, 0).unwrap();
    let mut state = Subscription::run(&state, &purchase, rebought, &policy)
        .unwrap()
        .0;
    let on = SubscriptionCommand::SetAutoRenewal { on: true };
    state = Subscription::run(&state, &on, rebought, &policy).unwrap().0;
    assert_eq!(state.phase.term().unwrap().anchor, None);
    let events = Subscription::due_events_with_funds(
        &state,
        zone.at(2025, 5, 16, 0, 0, 0).unwrap(),
        &policy,
        Some(&plenty()),
    )
    .unwrap();
    assert_eq!(
        renewal_ends(&events),
        [zone.at(2025, 6, 15, 12, 0, 0).unwrap()]
    );
}

#[test]
fn killbill_127_licence_extensions_keep_the_anchor() {
    // A licence of calendar-month terms, bought on Jan 31 and bought again
    // before each end (R-LIC-03: from the end).
    let zone = berlin();
    let mut spec = presets::live_plugin_licence_spec();
    spec.locale.time_zone = zone;
    spec.term = MONTH;
    let policy = LicencePolicy::try_from(spec).unwrap();
    let buy = LicenceCommand::Purchase {
        app: AppId::new("app-31"),
        account: AccountId::new("alice"),
    };
    let mut state = Licence::initial();
    let mut at = zone.at(2025, 1, 31, 9, 0, 0).unwrap();
    let mut ends = Vec::new();
    for _ in 0..4 {
        state = Licence::run(&state, &buy, at, &policy).unwrap().0;
        let end = state.end().unwrap();
        ends.push(end);
        at = end - chrono::Duration::hours(1);
    }
    let day = |m, d| zone.at(2025, m, d, 9, 0, 0).unwrap();
    assert_eq!(ends, [day(2, 28), day(3, 31), day(4, 30), day(5, 31)]);
    // The first run is anchored at the first purchase: nothing recorded.
    let LicenceState::Available(held) = &state else {
        panic!("not available: {state:?}");
    };
    assert_eq!((held.anchor, held.run_start()), (None, day(1, 31)));

    // Expired, then bought again on June 10: a new run from June 10.
    let again = zone.at(2025, 6, 10, 9, 0, 0).unwrap();
    let state = Licence::run(&state, &buy, again, &policy).unwrap().0;
    let LicenceState::Available(held) = &state else {
        panic!("not available: {state:?}");
    };
    assert_eq!(held.anchor, Some(again));
    assert_eq!(held.end, zone.at(2025, 7, 10, 9, 0, 0).unwrap());
}

#[test]
fn states_recorded_without_an_anchor_still_load() {
    // A term and a licence as recorded before the anchor existed.
    let state: SubscriptionState = serde_json::from_str(
        r#"{"phase": {"phase": "active", "since": "2025-02-28T08:00:00Z",
            "end": "2025-03-28T08:00:00Z", "notified": false, "reminded_through": null},
            "auto_renew": true, "extra_trial_started": null}"#,
    )
    .unwrap();
    assert_eq!(state.phase.term().unwrap().anchor, None);
    // Without an anchor the run starts at `since`; nothing new is written
    // for a state that never renewed.
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains("anchor"), "{json}");
    let licence: LicenceState = serde_json::from_str(
        r#"{"state": "available",
            "binding": {"app": "app-1", "owner": "alice", "bound_at": "2025-06-01T00:00:00Z"},
            "first_purchase": "2025-06-01T00:00:00Z", "end": "2026-06-01T00:00:00Z",
            "terms": 1, "bundled_packages": []}"#,
    )
    .unwrap();
    let LicenceState::Available(held) = licence else {
        panic!("not available");
    };
    assert_eq!(held.anchor, None);
    assert!(!serde_json::to_string(&held).unwrap().contains("anchor"));
}

const ZONES: [&str; 4] = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "+05:30",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any anchor day and n auto-renewals, the n-th period's end is the
    /// anchor plus n calendar months, clamped to the month's end, at the
    /// purchase's local time (under the zone's transition rule).
    #[test]
    fn the_nth_renewal_ends_n_months_after_the_anchor(
        zone in 0..ZONES.len(),
        month in 1u32..=12,
        day in 1u32..=31,
        hour in 0u32..24,
        renewals in 1u32..=26,
    ) {
        let zone: Zone = ZONES[zone].parse().unwrap();
        // 2024 is a leap year: February 29 is an anchor too.
        let Some(date) = NaiveDate::from_ymd_opt(2024, month, day) else {
            return Ok(());
        };
        let local = date.and_hms_opt(hour, 0, 0).unwrap();
        let bought_at = zone.from_local(local).unwrap();
        let policy = monthly_plan(zone);
        let state = bought_renewing(bought_at, &policy);
        let expected = |n: u32| {
            let day = date.checked_add_months(Months::new(n)).unwrap();
            zone.from_local(day.and_time(local.time())).unwrap()
        };
        prop_assert_eq!(term_end(&state), expected(1));
        let mut state = state;
        let mut ends = Vec::new();
        // Swept at each end: one renewal a sweep, applied as recorded.
        while ends.len() < renewals as usize {
            let now = term_end(&state);
            let events =
                Subscription::due_events_with_funds(&state, now, &policy, Some(&plenty()))
                    .unwrap();
            ends.extend(renewal_ends(&events));
            state = events.iter().fold(state, Subscription::evolve);
        }
        let wanted: Vec<_> = (2..=renewals + 1).map(expected).collect();
        prop_assert_eq!(ends, wanted);
    }
}
