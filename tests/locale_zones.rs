//! Issue 15: calendar-day rules in IANA zones with daylight saving, and
//! calendar periods. Transition instants are those of the tz database
//! (2025): Berlin 30 Mar / 26 Oct at 01:00 UTC, New York 9 Mar 07:00 UTC /
//! 2 Nov 06:00 UTC, Juneau 9 Mar 11:00 UTC / 2 Nov 10:00 UTC, Lord Howe
//! (a 30-minute shift) 5 Apr 15:00 UTC / 4 Oct 15:30 UTC.

use billing_rules::Decider;
use billing_rules::TimeDriven;
use billing_rules::lifecycle::{Subscription, SubscriptionCommand, SubscriptionEvent};
use billing_rules::lifecycle::{SubscriptionPolicy, SubscriptionState, SubscriptionStatus};
use billing_rules::money::Money;
use billing_rules::policy::Locale;
use billing_rules::presets;
use billing_rules::pricing::{CurrentPurchase, SeatOrder, SeatPolicy};
use billing_rules::refund::RefundWindow;
use billing_rules::time::{CalendarPeriod, Days, Period, Zone};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/Juneau",
    "America/New_York",
    "Australia/Lord_Howe",
    "+05:30",
];

/// UTC instants of the 2025 transitions, in the order of `ZONES` (the
/// fixed offset gets two ordinary instants).
fn transitions(zone: usize) -> [DateTime<Utc>; 2] {
    let t = |m, d, h, min| Utc.with_ymd_and_hms(2025, m, d, h, min, 0).unwrap();
    match zone {
        0 => [t(3, 30, 1, 0), t(10, 26, 1, 0)],
        1 => [t(3, 9, 11, 0), t(11, 2, 10, 0)],
        2 => [t(3, 9, 7, 0), t(11, 2, 6, 0)],
        3 => [t(4, 5, 15, 0), t(10, 4, 15, 30)],
        _ => [t(3, 30, 1, 0), t(10, 26, 1, 0)],
    }
}

fn zone(name: &str) -> Zone {
    name.parse().unwrap()
}

/// A zone of `ZONES` and an instant within three days of one of its
/// transitions, to the second.
fn around_transition() -> impl Strategy<Value = (Zone, DateTime<Utc>)> {
    (0..ZONES.len(), 0..2usize, -3 * 86_400i64..=3 * 86_400).prop_map(|(z, which, offset)| {
        (
            zone(ZONES[z]),
            transitions(z)[which] + Duration::seconds(offset),
        )
    })
}

fn with_zone(mut locale: Locale, zone: Zone) -> Locale {
    locale.time_zone = zone;
    locale
}

/// The chat service's plan (reminders D-6..D+1 at 10:00, 24 h grace), in
/// `zone`.
fn chat_plan(zone: Zone) -> SubscriptionPolicy {
    let mut spec = presets::chat_service_subscription_spec();
    spec.locale = with_zone(spec.locale, zone);
    spec.auto_renewal = None;
    SubscriptionPolicy::try_from(spec).unwrap()
}

fn bought(at: DateTime<Utc>, validity: Period, policy: &SubscriptionPolicy) -> SubscriptionState {
    let command = SubscriptionCommand::Purchase { validity };
    Subscription::run(&Subscription::initial(), &command, at, policy)
        .unwrap()
        .0
}

fn reminder_dates(events: &[SubscriptionEvent]) -> Vec<NaiveDate> {
    events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Reminder(r) => Some(r.date),
            _ => None,
        })
        .collect()
}

proptest! {
    /// A local day starts at or before each of its instants and ends where
    /// the next one starts; the start reads back as the same day.
    #[test]
    fn local_day_arithmetic_round_trips((zone, t) in around_transition()) {
        let day = zone.local_date(t);
        let start = zone.start_of_day(day).unwrap();
        let next = zone.start_of_day(day.succ_opt().unwrap()).unwrap();
        prop_assert!(start <= t && t < next, "{zone}: {t} not in [{start}, {next})");
        prop_assert_eq!(zone.local_date(start), day);
        prop_assert_eq!(zone.start_of_local_day(t).unwrap(), start);
        // A local day lasts 23 to 25 hours (23.5 or 24.5 at Lord Howe).
        let hours = (next - start).num_minutes();
        prop_assert!((23 * 60..=25 * 60).contains(&hours), "{zone}: {day} lasts {hours} min");
    }

    /// `plus_days(n)` then `calendar_days_between` gives n, and the local
    /// time of day is kept unless the clocks skipped it.
    #[test]
    fn plus_days_then_days_between_gives_n((zone, t) in around_transition(), n in 0u32..400) {
        let later = zone.plus_days(t, Days(n)).unwrap();
        prop_assert_eq!(zone.calendar_days_between(t, later), i64::from(n));
        let earlier = zone.minus_days(t, Days(n)).unwrap();
        prop_assert_eq!(zone.calendar_days_between(earlier, t), i64::from(n));
        let drift = (later - t - Duration::days(i64::from(n))).num_minutes().abs();
        prop_assert!(drift <= 60, "{zone}: {n} days from {t} drift {drift} min");
    }

    /// A 24-hour grace from an expiry in a 23- or 25-hour day ends 24 hours
    /// later, not at the same local time.
    #[test]
    fn a_24_hour_grace_ends_24_hours_later((zone, t) in around_transition()) {
        let policy = chat_plan(zone);
        let state = bought(t - Duration::days(31), Period::Days(31.try_into().unwrap()), &policy);
        let end = state.phase.term().unwrap().end;
        match Subscription::status(&state, end, &policy) {
            SubscriptionStatus::Grace { until, .. } => {
                prop_assert_eq!(until, Some(end + Duration::hours(24)));
            }
            other => prop_assert!(false, "not in grace at the end: {other:?}"),
        }
    }

    /// Sweeps terminate (Kill Bill #445) and give the same reminders whether
    /// polled hourly or once.
    #[test]
    fn due_event_sweeps_terminate_and_are_the_same_hourly_or_once(
        (zone, t) in around_transition(),
    ) {
        let policy = chat_plan(zone);
        let state = bought(t - Duration::days(30), Period::Month, &policy);
        let until = t + Duration::days(4);
        let once = Subscription::due_events(&state, until, &policy).unwrap();
        let mut hourly = Vec::new();
        let mut polled = state;
        let mut now = t - Duration::days(9);
        while now <= until {
            let events = Subscription::due_events(&polled, now, &policy).unwrap();
            polled = events.iter().fold(polled, Subscription::evolve);
            hourly.extend(events);
            now += Duration::hours(1);
        }
        let tail = Subscription::due_events(&polled, until, &policy).unwrap();
        hourly.extend(tail);
        prop_assert_eq!(reminder_dates(&hourly), reminder_dates(&once));
    }
}

#[test]
fn killbill_445_juneau_dst_terminates() {
    // Kill Bill #445: converting a date across Juneau's spring-forward
    // night looped forever. Every calendar answer around it is a few
    // lookups; a sweep across it ends with its reminders.
    let juneau = zone("America/Juneau");
    let night = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
    let start = juneau.start_of_day(night).unwrap();
    assert_eq!(start, Utc.with_ymd_and_hms(2025, 3, 9, 9, 0, 0).unwrap()); // 00:00 AKST
    let next = juneau.start_of_day(night.succ_opt().unwrap()).unwrap();
    assert_eq!((next - start).num_hours(), 23);
    let skipped = night.and_hms_opt(2, 30, 0).unwrap();
    assert_eq!(
        juneau.from_local(skipped).unwrap(),
        juneau.at(2025, 3, 9, 3, 30, 0).unwrap()
    );
    let policy = chat_plan(juneau);
    let state = bought(
        juneau.at(2025, 2, 9, 2, 30, 0).unwrap(),
        Period::Month,
        &policy,
    );
    let events = Subscription::due_events(&state, start + Duration::days(40), &policy).unwrap();
    assert_eq!(reminder_dates(&events).len(), 8);
}

#[test]
fn killbill_1856_end_of_day_in_account_zone() {
    // Kill Bill #1856: "end of day" taken in UTC, not the account's zone,
    // billed a period twice. A New York term bought at 23:30 local (04:30
    // UTC the next day) expires on the local day, and its reminders fall on
    // New York days.
    let ny = zone("America/New_York");
    let policy = chat_plan(ny);
    let bought_at = ny.at(2025, 5, 31, 23, 30, 0).unwrap();
    assert_eq!(
        bought_at,
        Utc.with_ymd_and_hms(2025, 6, 1, 3, 30, 0).unwrap()
    );
    let state = bought(bought_at, Period::Days(30.try_into().unwrap()), &policy);
    let end = state.phase.term().unwrap().end;
    assert_eq!(end, ny.at(2025, 6, 30, 23, 30, 0).unwrap());
    let events = Subscription::due_events(&state, end + Duration::days(3), &policy).unwrap();
    let dates = reminder_dates(&events);
    // D-6..D+1 around the local expiry day, 30 June (not UTC's 1 July).
    let day = |d| NaiveDate::from_ymd_opt(2025, 6, d).unwrap();
    assert_eq!(dates.first(), Some(&day(24)));
    assert_eq!(
        dates.last(),
        Some(&NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
    );
    assert_eq!(dates.len(), 8);
}

#[test]
fn killbill_127_day_31_anchor_kept() {
    // Kill Bill #127: billing day 31 became 28 after February and stayed.
    // Calendar months count from the anchor: Jan 31 -> Feb 28 -> Mar 31 ->
    // Apr 30.
    let zone = zone("Europe/Berlin");
    let month = Period::Calendar(CalendarPeriod::Month);
    let bought_at = zone.at(2025, 1, 31, 9, 0, 0).unwrap();
    let ends: Vec<_> = (1..=3)
        .map(|n| zone.local_date(month.end_after(bought_at, n, zone).unwrap()))
        .collect();
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    assert_eq!(ends, [day(2, 28), day(3, 31), day(4, 30)]);
    // The same through a seat quote: 3 calendar months hold 28+31+30 days.
    let policy = calendar_seat_policy(zone);
    let quote = policy
        .quote(&SeatOrder::new(1, 3).starting(bought_at))
        .unwrap();
    assert_eq!(quote.validity.purchased_days, Days(89));
    assert_eq!(
        quote.validity.end,
        Some(zone.at(2025, 4, 30, 9, 0, 0).unwrap())
    );
}

/// A seat policy of calendar months in `zone`, written as JSON as a user
/// would: the period is selectable in the spec.
fn calendar_seat_policy(zone: Zone) -> SeatPolicy {
    let json = format!(
        r#"{{"locale": {{"currency": "EUR", "time_zone": "{zone}", "rounding": "half_up"}},
            "period": {{"calendar": "month"}},
            "pricing": {{"rule": "unit_price", "unit_price": "10"}}}}"#
    );
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_calendar_period_is_selectable_and_prorates_on_actual_days() {
    let berlin = zone("Europe/Berlin");
    let policy = calendar_seat_policy(berlin);
    assert_eq!(policy.period(), Period::Calendar(CalendarPeriod::Month));
    let start = berlin.at(2025, 2, 1, 0, 0, 0).unwrap();
    let quote = policy.quote(&SeatOrder::new(1, 1).starting(start)).unwrap();
    assert_eq!(quote.validity.purchased_days, Days(28));
    let current = CurrentPurchase {
        paid: quote.total,
        start,
        end: quote.validity.end.unwrap(),
    };
    // On 8 February at noon, 9..28 February are left: 20/28 of 10.00 =
    // 7.142857..., rounded toward zero (the preset credit rule) to 7.14.
    let credit = policy
        .pro_rata_credit(&current, berlin.at(2025, 2, 8, 12, 0, 0).unwrap())
        .unwrap();
    assert_eq!((credit.remaining, credit.total), (20, 28));
    assert_eq!(
        credit.amount,
        Money::new(Decimal::new(714, 2), quote.total.currency())
    );
    // The policy writes back its calendar period.
    let json = serde_json::to_value(&policy).unwrap();
    assert_eq!(json["period"], serde_json::json!({"calendar": "month"}));
}

#[test]
fn dst_refund_window_across_spring_forward_ends_at_the_same_local_time() {
    // 10 days from 25 March 09:30 in Berlin cross the 23-hour night of
    // 30 March: the window closes at 09:30 on 4 April, 239 hours later.
    let berlin = zone("Europe/Berlin");
    let window = RefundWindow::new(Days(10));
    let paid = berlin.at(2025, 3, 25, 9, 30, 0).unwrap();
    let closes = window.closes_at(paid, berlin).unwrap();
    assert_eq!(closes, berlin.at(2025, 4, 4, 9, 30, 0).unwrap());
    assert_eq!((closes - paid).num_hours(), 239);
    assert!(window.contains(paid, closes, berlin));
    assert!(!window.contains(paid, closes + Duration::seconds(1), berlin));
}

#[test]
fn dst_reminders_fire_on_the_right_local_days_across_the_autumn_fallback() {
    // A Berlin term expiring on 28 October: D-6..D+1 are 22..29 October, at
    // 10:00 local, whether the day is summer (+02:00) or winter (+01:00).
    let berlin = zone("Europe/Berlin");
    let policy = chat_plan(berlin);
    let state = bought(
        berlin.at(2025, 9, 28, 12, 0, 0).unwrap(),
        Period::Days(30.try_into().unwrap()),
        &policy,
    );
    let events =
        Subscription::due_events(&state, berlin.at(2025, 11, 1, 0, 0, 0).unwrap(), &policy)
            .unwrap();
    let reminders: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Reminder(r) => Some(r),
            _ => None,
        })
        .collect();
    let days: Vec<u32> = reminders
        .iter()
        .map(|r| chrono::Datelike::day(&r.date))
        .collect();
    assert_eq!(days, [22, 23, 24, 25, 26, 27, 28, 29]);
    for r in &reminders {
        assert_eq!(berlin.local_date(r.due), r.date);
        assert_eq!(
            berlin.checked_local(r.due).unwrap().time().to_string(),
            "10:00:00"
        );
    }
    // Before and after the change the same local 10:00 is a different UTC hour.
    assert_eq!(chrono::Timelike::hour(&reminders[3].due), 8);
    assert_eq!(chrono::Timelike::hour(&reminders[4].due), 9);
}

#[test]
fn dst_upgrade_remaining_days_across_a_transition() {
    // Bought 20 March 00:00 Berlin for 31 days: it ends 20 April 00:00
    // local (743 hours, one lost to the spring-forward night). On 29 March
    // at noon, the local days left are 30 March .. 19 April: 21 of 31.
    let berlin = zone("Europe/Berlin");
    let mut spec = presets::app_store_seat_pricing_spec();
    spec.locale = with_zone(spec.locale, berlin);
    spec.period = Period::Month;
    let policy = SeatPolicy::try_from(spec).unwrap();
    let start = berlin.at(2025, 3, 20, 0, 0, 0).unwrap();
    let quote = policy.quote(&SeatOrder::new(1, 1).starting(start)).unwrap();
    let end = quote.validity.end.unwrap();
    assert_eq!(end, berlin.at(2025, 4, 20, 0, 0, 0).unwrap());
    assert_eq!((end - start).num_hours(), 31 * 24 - 1);
    let current = CurrentPurchase {
        paid: quote.total,
        start,
        end,
    };
    let credit = policy
        .pro_rata_credit(&current, berlin.at(2025, 3, 29, 12, 0, 0).unwrap())
        .unwrap();
    assert_eq!((credit.remaining, credit.total), (21, 31));
}

#[test]
fn a_skipped_midnight_starts_the_day_at_the_end_of_the_jump() {
    // Havana's clocks jump from 00:00 to 01:00 on 9 March 2025: the day
    // starts at 01:00 local, and a term bought then counts it as a day.
    let havana = zone("America/Havana");
    let day = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
    let start = havana.start_of_day(day).unwrap();
    assert_eq!(start, havana.at(2025, 3, 9, 1, 0, 0).unwrap());
    assert_eq!(havana.local_date(start), day);
    assert_eq!(
        havana.local_date(start - Duration::seconds(1)),
        day.pred_opt().unwrap()
    );
    // A local time that exists twice is the earlier instant.
    let berlin = zone("Europe/Berlin");
    let twice = NaiveDate::from_ymd_opt(2025, 10, 26)
        .unwrap()
        .and_hms_opt(2, 30, 0)
        .unwrap();
    assert_eq!(
        berlin.from_local(twice).unwrap(),
        Utc.with_ymd_and_hms(2025, 10, 26, 0, 30, 0).unwrap()
    );
}

#[test]
fn an_iana_zone_travels_as_its_name_and_a_fixed_offset_as_today() {
    let locale: Locale = serde_json::from_str(
        r#"{"currency": "EUR", "time_zone": "Europe/Berlin", "rounding": "half_up"}"#,
    )
    .unwrap();
    assert_eq!(locale.time_zone, zone("Europe/Berlin"));
    let json = serde_json::to_string(&locale).unwrap();
    assert!(json.contains(r#""time_zone":"Europe/Berlin""#), "{json}");
    assert_eq!(
        serde_json::to_string(&Zone::BEIJING).unwrap(),
        r#""+08:00""#
    );
    assert_eq!(
        zone("+05:30").fixed_offset().map(|o| o.local_minus_utc()),
        Some(19_800)
    );
    assert_eq!(zone("Europe/Berlin").fixed_offset(), None);
}

#[test]
fn the_berlin_eur_example_policy_reads_quotes_and_writes_its_locale_back() {
    // examples/policies/berlin_eur.json, the file `whatif seats --policy`
    // takes: 120 seats in the 51-200 tier at 9.50 EUR for 2 years at 0.85
    // = 1938.00 EUR.
    let policy: SeatPolicy =
        serde_json::from_str(include_str!("../examples/policies/berlin_eur.json")).unwrap();
    let berlin = zone("Europe/Berlin");
    assert_eq!(policy.locale().time_zone, berlin);
    let start = berlin.at(2025, 3, 29, 10, 0, 0).unwrap();
    let quote = policy
        .quote(&SeatOrder::new(120, 2).starting(start))
        .unwrap();
    assert_eq!(quote.total.to_string(), "EUR 1938.00");
    assert_eq!(
        quote.validity.end,
        Some(berlin.at(2027, 3, 29, 10, 0, 0).unwrap())
    );
    // What `--print-policy` prints: the spec, locale first and explicit.
    let printed = serde_json::to_value(&policy).unwrap();
    assert_eq!(
        printed["locale"],
        serde_json::json!({"currency": "EUR", "time_zone": "Europe/Berlin", "rounding": "half_up"})
    );
    // The presets print theirs too.
    let preset = serde_json::to_value(presets::app_store_seat_pricing().unwrap()).unwrap();
    assert_eq!(preset["locale"]["time_zone"], "+08:00");
}

#[test]
fn a_quote_read_back_redoes_its_end_to_the_instant_in_its_zone() {
    // A calendar month bought 1 March 10:00 in Berlin ends 1 April 10:00
    // local: 31 local days of 743 hours (the spring-forward night of 30
    // March). The quote carries its zone, so reading it back redoes that
    // end exactly; an end moved by an hour (once let through as "up to a
    // daylight-saving shift") or a second is refused.
    let berlin = zone("Europe/Berlin");
    let policy = calendar_seat_policy(berlin);
    let start = berlin.at(2025, 3, 1, 10, 0, 0).unwrap();
    let quote = policy.quote(&SeatOrder::new(1, 1).starting(start)).unwrap();
    let end = berlin.at(2025, 4, 1, 10, 0, 0).unwrap();
    assert_eq!(quote.validity.end, Some(end));
    assert_eq!((end - start).num_hours(), 31 * 24 - 1);
    assert_eq!(quote.validity.time_zone, Some(berlin));
    let json = serde_json::to_value(&quote).unwrap();
    assert_eq!(json["validity"]["time_zone"], "Europe/Berlin");
    let back: billing_rules::pricing::Quote = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, quote);

    let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json = json.clone();
        edit(&mut json);
        serde_json::from_value::<billing_rules::pricing::Quote>(json)
            .unwrap_err()
            .to_string()
    };
    let moved = |by: Duration| {
        move |json: &mut serde_json::Value| {
            json["validity"]["end"] = serde_json::to_value(end + by).unwrap();
        }
    };
    for by in [
        Duration::hours(1),
        Duration::hours(-1),
        Duration::seconds(1),
    ] {
        let err = edited(&moved(by));
        assert!(err.contains("validity.end does not follow"), "{by}: {err}");
    }
    // Without its zone the days are 24 hours: the Berlin end is an hour
    // early for that, and refused; in another zone too.
    let err = edited(&|json| {
        json["validity"]
            .as_object_mut()
            .unwrap()
            .remove("time_zone");
    });
    assert!(err.contains("validity.end does not follow"), "{err}");
    let err = edited(&|json| json["validity"]["time_zone"] = "+01:00".into());
    assert!(err.contains("validity.end does not follow"), "{err}");
    // A quote without a start names no zone.
    let unstarted = serde_json::to_value(policy.quote(&SeatOrder::new(1, 1)).unwrap()).unwrap();
    assert!(unstarted["validity"].get("time_zone").is_none());
    let mut zoned = unstarted.clone();
    zoned["validity"]["time_zone"] = "Europe/Berlin".into();
    let err = serde_json::from_value::<billing_rules::pricing::Quote>(zoned)
        .unwrap_err()
        .to_string();
    assert!(err.contains("validity.time_zone"), "{err}");
}
