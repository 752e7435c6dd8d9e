//! Lifecycle sweeps: the due events of many subscriptions at one instant.
//!
//! `lifecycle_sweep_1m` models an hourly scheduler over 1,000,000 chat
//! service subscriptions (the preset with the most time-driven rules:
//! daily reminders, 24 h grace, suspension, auto-renewal). Terms end
//! anywhere from 60 days ago to a year ahead; a quarter renew
//! automatically. Every state was swept an hour earlier (setup, not
//! measured), so the measured sweep finds what came due in the last hour,
//! as a real scheduler does. The instant is 10:00 local, when that day's
//! reminders come due: the busiest hour of the day. One event buffer is reused: the sweep
//! allocates nothing unless an event comes due and the buffer must grow.

use std::hint::black_box;

use billing_rules::Decider;
use billing_rules::lifecycle::{Funds, Subscription, SubscriptionEvent, SubscriptionState};
use billing_rules::money::Money;
use billing_rules::presets::chat_service_subscription;
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

const SUBSCRIPTIONS: usize = 1_000_000;

/// A fixed-seed xorshift, so every run sweeps the same population.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn population(now: DateTime<Utc>, funds: &Funds) -> Vec<SubscriptionState> {
    let policy = chat_service_subscription().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut buffer = Vec::new();
    (0..SUBSCRIPTIONS)
        .map(|_| {
            // Ends from 60 days ago to 365 days ahead, to the second.
            let offset = i64::try_from(rng.below(425 * 86_400)).unwrap_or(0) - 60 * 86_400;
            let end = now + Duration::seconds(offset);
            let bought = end - Duration::days(31);
            let mut state = Subscription::evolve(
                Subscription::initial(),
                &SubscriptionEvent::Purchased { at: bought, end },
            );
            if rng.below(4) == 0 {
                state = Subscription::evolve(
                    state,
                    &SubscriptionEvent::AutoRenewalSet {
                        at: bought,
                        on: true,
                    },
                );
            }
            buffer.clear();
            Subscription::due_events_into(
                &state,
                now - Duration::hours(1),
                &policy,
                Some(funds),
                &mut buffer,
            )
            .unwrap_or(state)
        })
        .collect()
}

fn sweep(c: &mut Criterion) {
    let policy = chat_service_subscription().unwrap();
    let now = Utc.with_ymd_and_hms(2025, 6, 30, 2, 0, 0).unwrap();
    let funds = Funds {
        balance: Money::cny(Decimal::from(1_000)),
        renewal_price: Money::cny(Decimal::from(100)),
    };
    let states = population(now, &funds);
    let mut buffer: Vec<SubscriptionEvent> = Vec::with_capacity(64);
    c.bench_function("lifecycle_sweep_1m", |b| {
        b.iter(|| {
            let mut due = 0usize;
            for state in &states {
                buffer.clear();
                if Subscription::due_events_into(
                    state,
                    black_box(now),
                    &policy,
                    Some(&funds),
                    &mut buffer,
                )
                .is_ok()
                {
                    due += buffer.len();
                }
            }
            black_box(due)
        })
    });
    // The same population never swept before: every past event comes due.
    let fresh: Vec<SubscriptionState> = states
        .iter()
        .map(|s| {
            let mut s = *s;
            if let Some(term) = s.phase.term() {
                s = Subscription::evolve(
                    Subscription::initial(),
                    &SubscriptionEvent::Purchased {
                        at: term.since,
                        end: term.end,
                    },
                );
            }
            s
        })
        .collect();
    c.bench_function("lifecycle_sweep_1m_never_swept", |b| {
        b.iter(|| {
            let mut due = 0usize;
            for state in &fresh {
                buffer.clear();
                if Subscription::due_events_into(state, black_box(now), &policy, None, &mut buffer)
                    .is_ok()
                {
                    due += buffer.len();
                }
            }
            black_box(due)
        })
    });
}

criterion_group! {
    name = benches;
    // Each iteration sweeps a million subscriptions: ten samples suffice.
    config = Criterion::default().sample_size(10);
    targets = sweep
}
criterion_main!(benches);
