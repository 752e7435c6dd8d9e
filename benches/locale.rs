//! Issue 15: seat quotes and upgrade credits in an IANA zone against the
//! same in a fixed offset, in one run (target: within 1.2x).

use std::hint::black_box;

use billing_rules::money::Money;
use billing_rules::presets::app_store_seat_pricing_spec;
use billing_rules::pricing::{CurrentPurchase, SeatOrder, SeatPolicy};
use billing_rules::time::Zone;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn policy(zone: Zone) -> SeatPolicy {
    let mut spec = app_store_seat_pricing_spec();
    spec.locale.time_zone = zone;
    SeatPolicy::try_from(spec).expect("a valid bench policy")
}

fn zones(c: &mut Criterion) {
    let fixed: Zone = "+01:00".parse().expect("an offset");
    let berlin: Zone = "Europe/Berlin".parse().expect("a zone");
    for (name, zone) in [("fixed_offset", fixed), ("europe_berlin", berlin)] {
        let plan = policy(zone);
        // The preset's order, with a start, so the validity's end is
        // counted in the zone (a start in winter, an end in summer time).
        let start = zone.at(2025, 3, 20, 10, 0, 0).expect("a local time");
        let order = SeatOrder::new(120, 2).starting(start);
        c.bench_function(&format!("seat_quote_in_zone/{name}"), |b| {
            b.iter(|| black_box(&plan).quote(black_box(&order)))
        });

        let end = zone
            .plus_days(start, billing_rules::time::Days(365))
            .expect("in range");
        let current = CurrentPurchase {
            paid: Money::cny(Decimal::from(1000)),
            start,
            end,
        };
        let now = zone
            .minus_days(end, billing_rules::time::Days(100))
            .expect("in range");
        let new_price = Money::cny(Decimal::from(16320));
        c.bench_function(&format!("upgrade_credit_in_zone/{name}"), |b| {
            b.iter(|| {
                black_box(&plan).credit(black_box(&current), black_box(new_price), black_box(now))
            })
        });
    }
}

/// The two lookups the zone answers are made of, in Berlin.
fn lookups(c: &mut Criterion) {
    let berlin: Zone = "Europe/Berlin".parse().expect("a zone");
    let t = berlin.at(2025, 3, 20, 10, 0, 0).expect("a local time");
    let local = berlin.checked_local(t).expect("in range");
    c.bench_function("zone_lookup/offset_at", |b| {
        b.iter(|| black_box(berlin).offset_at(black_box(t)))
    });
    c.bench_function("zone_lookup/from_local", |b| {
        b.iter(|| black_box(berlin).from_local(black_box(local)))
    });
}

criterion_group!(benches, zones, lookups);
criterion_main!(benches);
