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

/// Hand-written `Decimal` loops doing the same arithmetic as the seat quote
/// and the upgrade credit, with no policy, no steps and no checks beyond
/// `checked_*`. The library's overhead is reported as the ratio of each
/// library bench to its baseline, measured in the same run (README,
/// "Performance").
mod raw {
    use rust_decimal::{Decimal, RoundingStrategy};

    /// (from, to, unit price per seat-period)
    pub type Tier = (Decimal, Option<Decimal>, Decimal);

    pub fn volume(
        seats: Decimal,
        periods: Decimal,
        tiers: &[Tier],
        factor: Decimal,
    ) -> Option<Decimal> {
        let (_, _, unit) = tiers
            .iter()
            .find(|(_, to, _)| to.is_none_or(|to| seats <= to))?;
        let total = unit
            .checked_mul(seats)?
            .checked_mul(periods)?
            .checked_mul(factor)?;
        Some(total.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn graduated(
        seats: Decimal,
        periods: Decimal,
        tiers: &[Tier],
        factor: Decimal,
    ) -> Option<Decimal> {
        let mut total = Decimal::ZERO;
        for (from, to, unit) in tiers {
            if seats < *from {
                break;
            }
            let top = to.map_or(seats, |to| to.min(seats));
            let inside = top.checked_sub(*from)?.checked_add(Decimal::ONE)?;
            total = total.checked_add(unit.checked_mul(inside)?)?;
        }
        let total = total.checked_mul(periods)?.checked_mul(factor)?;
        Some(total.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn credit(
        paid: Decimal,
        remaining_days: i64,
        total_days: i64,
        new_price: Decimal,
    ) -> Option<Decimal> {
        let exact = paid
            .checked_mul(Decimal::from(remaining_days))?
            .checked_div(Decimal::from(total_days))?;
        Some(
            exact
                .round_dp_with_strategy(2, RoundingStrategy::ToZero)
                .min(paid)
                .min(new_price),
        )
    }
}

fn baselines(c: &mut Criterion) {
    let d = Decimal::from;
    let preset: Vec<raw::Tier> = vec![
        (d(1), Some(d(50)), d(100)),
        (d(51), Some(d(200)), d(80)),
        (d(201), None, d(60)),
    ];
    let factor = Decimal::new(85, 2);
    // A baseline that computed something else would make the ratio
    // meaningless: check each against the library before timing it.
    let policy = app_store_seat_plan().expect("the preset builds");
    let lib = quote(&policy, &SeatOrder::new(120, 2)).expect("prices");
    assert_eq!(
        raw::volume(d(120), d(2), &preset, factor),
        Some(lib.total.amount())
    );
    c.bench_function("raw_decimal_seat_quote_volume", |b| {
        b.iter(|| {
            raw::volume(
                black_box(d(120)),
                black_box(d(2)),
                black_box(&preset),
                factor,
            )
        })
    });
    let ten: Vec<raw::Tier> = (0..10i64)
        .map(|i| (d(i * 100 + 1), (i < 9).then(|| d((i + 1) * 100)), d(20 - i)))
        .collect();
    let mut spec = app_store_seat_plan_spec();
    spec.pricing = PricingSpec::Tiered(ten_tier_spec(TierMode::Graduated));
    let graduated = SeatPolicy::try_from(spec).expect("a valid bench policy");
    let lib = quote(&graduated, &SeatOrder::new(950, 2)).expect("prices");
    assert_eq!(
        raw::graduated(d(950), d(2), &ten, factor),
        Some(lib.total.amount())
    );
    c.bench_function("raw_decimal_graduated_10_tiers", |b| {
        b.iter(|| raw::graduated(black_box(d(950)), black_box(d(2)), black_box(&ten), factor))
    });
    let zone = billing_rules::time::Zone::BEIJING;
    let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    let end = start + Duration::days(365);
    let now = end - Duration::days(100);
    let current = CurrentPurchase {
        paid: Money::cny(d(1000)),
        start,
        end,
    };
    let lib = credit(&policy, &current, Money::cny(d(16320)), now).expect("credits");
    assert_eq!(
        raw::credit(d(1000), 100, 365, d(16320)),
        Some(lib.amount.amount())
    );
    c.bench_function("raw_decimal_upgrade_credit", |b| {
        b.iter(|| {
            let remaining = zone.calendar_days_between(black_box(now), black_box(end));
            let total = zone.calendar_days_between(black_box(start), black_box(end));
            raw::credit(black_box(d(1000)), remaining, total, black_box(d(16320)))
        })
    });
}

criterion_group!(benches, tiers, seats, baselines);
criterion_main!(benches);
