//! Calculators: tier tables (and, with the seat plans, seat quotes).

use std::hint::black_box;

use billing_rules::money::Currency;
use billing_rules::pricing::tiers::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn ten_tiers(mode: TierMode) -> TierTable {
    let tiers = (0..10u64)
        .map(|i| {
            let to = (i < 9).then_some((i + 1) * 100);
            TierSpec::unit(i * 100 + 1, to, Decimal::from(20 - i))
        })
        .collect();
    let spec = TierTableSpec { mode, tiers };
    TierTable::build(&spec, Axis::Whole, Currency::CNY).expect("a valid bench table")
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

criterion_group!(benches, tiers);
criterion_main!(benches);
