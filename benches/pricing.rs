//! Calculators: tier tables and seat plans (quotes, upgrade credit).

use std::hint::black_box;

use billing_rules::money::{Currency, Money};
use billing_rules::presets::{app_store_seat_pricing, app_store_seat_pricing_spec};
use billing_rules::pricing::{
    Axis, CurrentPurchase, PricingModel, PricingSpec, SeatOrder, SeatPolicy, TierMode, TierSpec,
    TierTable, TierTableSpec,
};
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
    TierTable::try_from(ten_tier_spec(mode).on(Axis::Whole, Currency::CNY))
        .expect("a valid bench table")
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
    let volume = app_store_seat_pricing().expect("the preset builds");
    let order = SeatOrder::new(120, 2);
    c.bench_function("seat_quote_volume", |b| {
        b.iter(|| black_box(&volume).quote(black_box(&order)))
    });

    let mut spec = app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::Tiered(ten_tier_spec(TierMode::Graduated));
    let graduated = SeatPolicy::try_from(spec).expect("a valid bench policy");
    let order = SeatOrder::new(950, 2);
    c.bench_function("seat_quote_graduated_10_tiers", |b| {
        b.iter(|| black_box(&graduated).quote(black_box(&order)))
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
            black_box(&volume).credit(black_box(&current), black_box(new_price), black_box(now))
        })
    });
}

/// Hand-written `Decimal` code doing the arithmetic the seat quote and the
/// upgrade credit do, measured in the same run; the library's overhead is
/// reported as the ratio of each library bench to its baseline (README,
/// "Performance"). Each baseline is checked to give the library's answer
/// before it is timed.
///
/// What a baseline leaves out is what the library adds on top of the
/// arithmetic: the explanation (the quote's steps), refusals with their
/// figures, currencies, and the exactness check of `exact::mul` (a baseline
/// uses `Decimal::checked_mul`, which rounds silently at the 96-bit edge).
/// Everything the library computes or compares for the benched input, the
/// baseline computes or compares too, in the same order:
///
/// - [`volume`] (`seat_quote_volume`, the preset: volume tiers, 2 years at
///   0.85, no limits, no cap, no bonus days, no start instant):
///   1. R-SEAT-07: `seats >= min_seats` and, when set, `seats <= max_seats`
///      (two `u32` comparisons);
///   2. R-SEAT-01: `periods != 0`; purchased days = period days x periods
///      (checked `u32` multiplication);
///   3. R-SEAT-04 / R-SEAT-05: the discount factor and the bonus days keyed
///      by `periods` (a scan of each list, `u32` equality);
///   4. R-SEAT-03: the tier containing `seats`: a binary search over the
///      upper bounds (whole numbers, compared as integers, as a seat table
///      written by hand would) and the lower-bound check;
///   5. per period = tier unit price x seats (`Decimal` multiplication; the
///      tiers have no flat amount, so no addition);
///   6. list = per period x periods (`Decimal` multiplication);
///   7. R-SEAT-04: discounted = list x factor (`Decimal` multiplication);
///   8. R-SEAT-05: total days = purchased + bonus days (checked `u32`
///      addition);
///   9. R-SEAT-06: when the plan has a cap, `min(discounted, cap)` (one
///      `Decimal` comparison; the preset has no cap, so none);
///   10. the one rounding: to 2 places half away from zero, then padded to
///       2 places (`300` becomes `300.00`, as the library's total reads).
///
///   It returns the total and the total days (the validity's length), and
///   both are checked against the library's quote.
/// - [`graduated`] (`seat_quote_graduated_10_tiers`: the preset with 10
///   graduated tiers): the same steps, but step 5 is the graduated price:
///   the sum of every full tier below the containing one (worked out once,
///   when the plan is set up, as `TierTable::build` does) + (seats - tier
///   start + 1) x the tier's unit price (an integer subtraction, one
///   `Decimal` multiplication, one `Decimal` addition).
/// - [`credit`] (`upgrade_credit`): the two local-day counts (timed in the
///   bench closure), then `paid x remaining / total` (one `Decimal`
///   multiplication and division), rounded down to 2 places, capped by what
///   was paid and by the new price (two `Decimal` minimums).
mod raw {
    use rust_decimal::{Decimal, RoundingStrategy};

    /// One tier: inclusive whole-number bounds (`to` is `u64::MAX` when
    /// unbounded), the unit price a seat-period, and the graduated price of
    /// every tier below it, each full.
    pub struct Tier {
        pub from: u64,
        pub to: u64,
        pub unit: Decimal,
        pub below: Decimal,
    }

    /// A seat plan as hand-written code would hold it.
    pub struct Plan {
        pub period_days: u32,
        pub tiers: Vec<Tier>,
        pub discounts: Vec<(u32, Decimal)>,
        pub bonuses: Vec<(u32, u32)>,
        pub min_seats: u32,
        pub max_seats: Option<u32>,
        pub cap: Option<Decimal>,
    }

    impl Plan {
        /// Tiers from `(from, to, unit)`, with the sums below each worked
        /// out once (as `TierTable::build` does).
        pub fn tiers(spec: &[(u64, Option<u64>, Decimal)]) -> Vec<Tier> {
            let mut below = Decimal::ZERO;
            spec.iter()
                .map(|&(from, to, unit)| {
                    let tier = Tier {
                        from,
                        to: to.unwrap_or(u64::MAX),
                        unit,
                        below,
                    };
                    if let Some(to) = to {
                        below += unit * Decimal::from(to - from + 1);
                    }
                    tier
                })
                .collect()
        }
    }

    /// Steps 1 to 4: the offers, the purchased days and the tier.
    fn prelude(plan: &Plan, seats: u32, periods: u32) -> Option<(Option<Decimal>, u32, &Tier)> {
        if seats < plan.min_seats || plan.max_seats.is_some_and(|max| seats > max) {
            return None;
        }
        if periods == 0 {
            return None;
        }
        let purchased = plan.period_days.checked_mul(periods)?;
        let factor = plan
            .discounts
            .iter()
            .find(|(p, _)| *p == periods)
            .map(|(_, f)| *f);
        let bonus = plan
            .bonuses
            .iter()
            .find(|(p, _)| *p == periods)
            .map_or(0, |(_, d)| *d);
        let seats = u64::from(seats);
        let idx = plan.tiers.partition_point(|t| t.to < seats);
        let tier = plan.tiers.get(idx).filter(|t| seats >= t.from)?;
        let total_days = purchased.checked_add(bonus)?;
        Some((factor, total_days, tier))
    }

    /// Steps 6 to 10, from the price of one period.
    fn finish(
        plan: &Plan,
        per_period: Decimal,
        periods: u32,
        factor: Option<Decimal>,
    ) -> Option<Decimal> {
        let mut price = per_period.checked_mul(Decimal::from(periods))?;
        if let Some(factor) = factor {
            price = price.checked_mul(factor)?;
        }
        if let Some(cap) = plan.cap {
            price = price.min(cap);
        }
        let mut total = price.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if total.scale() < 2 {
            total.rescale(2);
        }
        Some(total)
    }

    /// The volume quote: (total, total days).
    pub fn volume(plan: &Plan, seats: u32, periods: u32) -> Option<(Decimal, u32)> {
        let (factor, days, tier) = prelude(plan, seats, periods)?;
        let per_period = tier.unit.checked_mul(Decimal::from(seats))?;
        Some((finish(plan, per_period, periods, factor)?, days))
    }

    /// The graduated quote: (total, total days).
    pub fn graduated(plan: &Plan, seats: u32, periods: u32) -> Option<(Decimal, u32)> {
        let (factor, days, tier) = prelude(plan, seats, periods)?;
        let inside = u64::from(seats) - tier.from + 1;
        let part = tier.unit.checked_mul(Decimal::from(inside))?;
        let per_period = tier.below.checked_add(part)?;
        Some((finish(plan, per_period, periods, factor)?, days))
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
    let preset = raw::Plan {
        period_days: 365,
        tiers: raw::Plan::tiers(&[
            (1, Some(50), d(100)),
            (51, Some(200), d(80)),
            (201, None, d(60)),
        ]),
        discounts: vec![(2, Decimal::new(85, 2))],
        bonuses: Vec::new(),
        min_seats: 1,
        max_seats: None,
        cap: None,
    };
    // A baseline that computed something else would make the ratio
    // meaningless: check each against the library before timing it.
    let policy = app_store_seat_pricing().expect("the preset builds");
    let lib = policy.quote(&SeatOrder::new(120, 2)).expect("prices");
    assert_eq!(
        raw::volume(&preset, 120, 2),
        Some((lib.total.amount(), lib.validity.total_days.0))
    );
    assert_eq!(
        raw::volume(&preset, 120, 2).map(|(t, _)| t.to_string()),
        Some(lib.total.amount().to_string())
    );
    c.bench_function("raw_decimal_seat_quote_volume", |b| {
        b.iter(|| raw::volume(black_box(&preset), black_box(120), black_box(2)))
    });
    let ten: Vec<(u64, Option<u64>, Decimal)> = (0..10u64)
        .map(|i| {
            (
                i * 100 + 1,
                (i < 9).then(|| (i + 1) * 100),
                Decimal::from(20 - i),
            )
        })
        .collect();
    let ten_tiers = raw::Plan {
        tiers: raw::Plan::tiers(&ten),
        ..preset
    };
    let mut spec = app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::Tiered(ten_tier_spec(TierMode::Graduated));
    let graduated = SeatPolicy::try_from(spec).expect("a valid bench policy");
    let lib = graduated.quote(&SeatOrder::new(950, 2)).expect("prices");
    assert_eq!(
        raw::graduated(&ten_tiers, 950, 2),
        Some((lib.total.amount(), lib.validity.total_days.0))
    );
    c.bench_function("raw_decimal_graduated_10_tiers", |b| {
        b.iter(|| raw::graduated(black_box(&ten_tiers), black_box(950), black_box(2)))
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
    let lib = policy
        .credit(&current, Money::cny(d(16320)), now)
        .expect("credits");
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

/// A pricing model from the JSON of its `model` object (issue 18).
fn pricing_model(model: &str, extra: &str) -> PricingModel {
    let json = format!(
        r#"{{"locale": {{"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"}},
            "model": {model}{extra}}}"#
    );
    serde_json::from_str(&json).expect("a valid bench model")
}

/// Each pricing model prices one quantity, total only (`PricingModel::price`,
/// the rounded total without steps); figures from the peers' examples
/// (tests/pricing_models.rs).
fn models(c: &mut Criterion) {
    let block_tiers = r#"[{"size": "100", "price": "1", "max_blocks": 10},
        {"size": "1000", "price": "1", "max_blocks": 100},
        {"size": "1000", "price": "0.5", "max_blocks": 100}]"#;
    let lago_tiers = r#"[{"from": "0", "to": "5", "flat": "100", "unit_price": "10"},
        {"from": "5", "to": "15", "flat": "50", "unit_price": "5"},
        {"from": "15", "unit_price": "2"}]"#;
    let cases = [
        // Lago: 121 units, 100 a package of 10 -> 1300.
        (
            "model_package",
            pricing_model(r#"{"package": {"size": "10", "amount": "100"}}"#, ""),
            "121",
        ),
        // Lago: 2.99% with min 1.75 and max 12, one transaction of 80.
        (
            "model_percentage",
            pricing_model(
                r#"{"percentage": {"rate": "2.99", "fixed_amount": "2", "min_per_transaction": "1.75", "max_per_transaction": "12"}}"#,
                "",
            ),
            "80",
        ),
        // OpenMeter: packages of 10 at 15 with a minimum spend of 100.
        (
            "model_minimum_commitment",
            pricing_model(
                r#"{"package": {"size": "10", "amount": "15"}}"#,
                r#", "minimum": "100""#,
            ),
            "10",
        ),
        // Kill Bill ALL_TIERS: 101001 units over three block tiers.
        (
            "model_block_all_tiers",
            pricing_model(
                &format!(r#"{{"block_tiers": {{"mode": "all_tiers", "tiers": {block_tiers}}}}}"#),
                "",
            ),
            "101001",
        ),
        // Kill Bill TOP_TIER: 101001 units reach the third tier -> 51.
        (
            "model_block_top_tier",
            pricing_model(
                &format!(r#"{{"block_tiers": {{"mode": "top_tier", "tiers": {block_tiers}}}}}"#),
                "",
            ),
            "101001",
        ),
        // A graduated table above its bounded last tier, priced at it.
        (
            "model_tiered_overflow",
            pricing_model(
                r#"{"tiered": {"mode": "graduated", "overflow": "top_tier", "tiers": [
                    {"from": "0", "to": "10", "flat": "5", "unit_price": "2"},
                    {"from": "10", "to": "20", "unit_price": "1"}]}}"#,
                "",
            ),
            "25",
        ),
        // Lago prorated graduated: 75 units over three ranges -> 370.
        (
            "model_prorated_graduated",
            pricing_model(
                &format!(r#"{{"prorated": {{"mode": "graduated", "tiers": {lago_tiers}}}}}"#),
                "",
            ),
            "75",
        ),
    ];
    for (name, model, quantity) in cases {
        let quantity: Decimal = quantity.parse().expect("a bench quantity");
        model.price(quantity).expect("prices");
        c.bench_function(name, |b| {
            b.iter(|| black_box(&model).price(black_box(quantity)))
        });
    }
}

criterion_group!(benches, tiers, seats, baselines, models);
criterion_main!(benches);
