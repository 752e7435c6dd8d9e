//! Calculators: tier tables and seat plans (quotes, upgrade credit).

use std::hint::black_box;

use billing_rules::money::{Currency, Money};
use billing_rules::presets::seat::{app_store_seat_plan, app_store_seat_plan_spec};
use billing_rules::pricing::seats::{
    CurrentPurchase, PricingSpec, SeatOrder, SeatPolicy, credit, quote,
};
use billing_rules::pricing::tiers::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn ten_tier_spec(mode: TierMode) -> TierTableSpec {
    let tiers = (0..10u64)
        .map(|i| {
            let to = (i < 9).then_some((i + 1) * 100);
            TierSpec::unit(i * 100 + 1, to, Decimal::from(20 - i))
        })
        .collect();
    TierTableSpec { mode, tiers }
}

fn ten_tiers(mode: TierMode) -> TierTable {
    TierTable::build(&ten_tier_spec(mode), Axis::Whole, Currency::CNY).expect("a valid bench table")
}

fn tiers(c: &mut Criterion) {
    let graduated = ten_tiers(TierMode::Graduated);
    let volume = ten_tiers(TierMode::Volume);
    c.bench_function("tier_table_graduated_10_tiers", |b| {
        b.iter(|| graduated.price(black_box(Decimal::from(950))))
    });
    c.bench_function("tier_table_volume_10_tiers", |b| {
        b.iter(|| volume.price(black_box(Decimal::from(950))))
    });
}

fn seats(c: &mut Criterion) {
    // The preset: volume tiers, 2 years at 0.85.
    let volume = app_store_seat_plan().expect("the preset builds");
    let order = SeatOrder::new(120, 2);
    c.bench_function("seat_quote_volume", |b| {
        b.iter(|| quote(black_box(&volume), black_box(&order)))
    });

    let mut spec = app_store_seat_plan_spec();
    spec.pricing = PricingSpec::Tiered(ten_tier_spec(TierMode::Graduated));
    let graduated = SeatPolicy::try_from(spec).expect("a valid bench policy");
    let order = SeatOrder::new(950, 2);
    c.bench_function("seat_quote_graduated_10_tiers", |b| {
        b.iter(|| quote(black_box(&graduated), black_box(&order)))
    });

    let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    let current = CurrentPurchase {
        paid: Money::cny(Decimal::from(1000)),
        start,
        end: start + Duration::days(365),
    };
    let now = current.end - Duration::days(100);
    let new_price = Money::cny(Decimal::from(16320));
    c.bench_function("upgrade_credit", |b| {
        b.iter(|| {
            credit(
                black_box(&volume),
                black_box(&current),
                black_box(new_price),
                black_box(now),
            )
        })
    });
}

criterion_group!(benches, tiers, seats);
criterion_main!(benches);
