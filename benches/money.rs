//! Raw value arithmetic: the floor the calculators are compared against.

use std::hint::black_box;

use billing_rules::exact;
use billing_rules::money::{Money, RoundingMode};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

fn money(c: &mut Criterion) {
    let paid = Money::cny(Decimal::new(100_000, 2));
    let price = Money::cny(Decimal::new(1999, 2));
    c.bench_function("money_add", |b| {
        b.iter(|| black_box(paid).checked_add(black_box(price)))
    });
    c.bench_function("money_mul_round", |b| {
        b.iter(|| {
            black_box(price)
                .checked_mul(black_box(Decimal::from(120)))
                .map(|m| m.round_to_minor(RoundingMode::HalfUp))
        })
    });
    c.bench_function("prorate_published_example", |b| {
        b.iter(|| {
            black_box(paid)
                .checked_mul(black_box(Decimal::from(100)))
                .and_then(|m| m.checked_div(black_box(Decimal::from(365))))
                .map(|m| m.round_to_minor(RoundingMode::TowardZero))
        })
    });
    c.bench_function("raw_decimal_mul_round", |b| {
        b.iter(|| {
            black_box(Decimal::new(1999, 2))
                .checked_mul(black_box(Decimal::from(120)))
                .map(|d| d.round_dp(2))
        })
    });
    c.bench_function("exact_add", |b| {
        b.iter(|| {
            exact::add(
                black_box(Decimal::new(1999, 2)),
                black_box(Decimal::from(120)),
            )
        })
    });
}

criterion_group!(benches, money);
criterion_main!(benches);
