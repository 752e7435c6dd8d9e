//! Lifecycle events that come due with time (R-LIFE-04..06): a chat-service
//! plan's reminders, expiry, grace and suspension, found by polling
//! `due_events` as a scheduler would, then access restored by a purchase.
//!
//! ```text
//! cargo run --example lifecycle_due_events
//! ```

use billing_rules::lifecycle::SubscriptionEvent;
use billing_rules::prelude::*;
use billing_rules::{NaiveDate, TimeDelta};

/// Local midnight (UTC+08:00) of a calendar day.
fn day(y: i32, m: u32, d: u32) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("not a date")?;
    Ok(Zone::BEIJING.start_of_day(date)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Reminders at 10:00 in the 7 days up to expiry and the day after, 24 h
    // of grace, then suspension.
    let policy = presets::chat_service_subscription()?;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&Zone::BEIJING.offset_at(t))
            .format("%m-%d %H:%M")
    };

    // A month (31 days) bought on 31 May: valid through 30 June.
    let buy = SubscriptionCommand::Purchase {
        validity: Period::Month,
    };
    let (mut state, _) =
        Subscription::run(&Subscription::initial(), &buy, day(2025, 5, 31)?, &policy)?;

    // A scheduler polling once a day at noon gets each event once, stamped
    // with the instant it came due (polling more often changes nothing).
    let mut poll = day(2025, 6, 23)? + TimeDelta::hours(12);
    while poll < day(2025, 7, 3)? {
        let events = Subscription::due_events(&state, poll, &policy)?;
        state = events.iter().fold(state, Subscription::evolve);
        // Status and access are derived from the recorded facts and `now`.
        let served = Subscription::access(&state, poll, &policy).is_allowed();
        println!(
            "{}: {}, served: {served}",
            local(poll),
            Subscription::status(&state, poll, &policy)
        );
        for event in &events {
            let what = match event {
                SubscriptionEvent::Reminder(r) => {
                    format!("reminder, day {:+}", r.days_from_expiry())
                }
                SubscriptionEvent::Expired { .. } => "expired".to_owned(),
                SubscriptionEvent::Lapsed { then, .. } => format!("grace over: {then}"),
                _ => "other".to_owned(),
            };
            println!("  came due {}: {} {what}", local(event.at()), event.rule());
        }
        poll += TimeDelta::days(1);
    }
    if let Some(reason) = Subscription::access(&state, poll, &policy).reason() {
        println!("what the app shows: {reason}");
    }

    // Buying a plan restores access at once (R-LIFE-04, R-LIFE-06).
    let (state, _) = Subscription::run(&state, &buy, poll, &policy)?;
    println!(
        "{}: bought a month: {}",
        local(poll),
        Subscription::status(&state, poll, &policy)
    );
    Ok(())
}
