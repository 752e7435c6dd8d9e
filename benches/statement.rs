//! Issue 16 item 2: a statement over a year of daily traffic (365 settled
//! days) plus 10 purchases (target: under 50 us median).

use std::hint::black_box;

use billing_rules::money::Money;
use billing_rules::policy::Locale;
use billing_rules::presets::live_traffic;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::statement::{SourceRef, Statement, StatementEvent};
use billing_rules::time::{Days, Zone};
use billing_rules::usage::{BillingMethod, DayUsage, Region};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

/// 365 days of traffic settled by the preset's tariff (R-USE-09), 1.0 to
/// 4.64 TB a day, and 10 package purchases (R-USE-05) through the year.
fn a_year() -> (Vec<StatementEvent>, Locale) {
    let policy = live_traffic().expect("the preset");
    let zone = Zone::BEIJING;
    let first = zone.at(2025, 1, 1, 0, 0, 0).expect("a local time");
    let mut events = Vec::new();
    for d in 0..365u32 {
        let date = zone.local_date(zone.plus_days(first, Days(d)).expect("in range"));
        let day = DayUsage {
            date,
            region: Region::Mainland,
            traffic: Quantity::new(Decimal::new(1000 + i64::from(d) * 10, 3), Unit::Terabyte),
            peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
        };
        let charge = policy
            .settle_day(BillingMethod::Traffic, &day)
            .expect("settled");
        let source = SourceRef::new("traffic-1", u64::from(d) + 1);
        events.push(StatementEvent::traffic_day(source, &charge, &zone).expect("in range"));
    }
    for p in 0..10u32 {
        events.push(StatementEvent::PackagePurchase {
            at: zone.plus_days(first, Days(p * 36)).expect("in range"),
            source: SourceRef::new("wallet-1", u64::from(p) + 1),
            calls: 10_000,
            price: Money::cny(Decimal::from(300)),
        });
    }
    (events, Locale::default())
}

fn statements(c: &mut Criterion) {
    let (events, locale) = a_year();
    let zone = Zone::BEIJING;
    let from = zone.at(2025, 1, 1, 0, 0, 0).expect("a local time");
    let to = zone.at(2026, 1, 1, 0, 0, 0).expect("a local time");
    let year = Statement::build(&events, from, to, &locale).expect("a statement");
    assert_eq!(year.lines.len(), 375);
    c.bench_function("statement/year_365_traffic_days_10_purchases", |b| {
        b.iter(|| Statement::build(black_box(&events), from, to, &locale))
    });
    let june = zone.at(2025, 6, 1, 0, 0, 0).expect("a local time");
    let july = zone.at(2025, 7, 1, 0, 0, 0).expect("a local time");
    c.bench_function("statement/one_month_of_the_same_year", |b| {
        b.iter(|| Statement::build(black_box(&events), june, july, &locale))
    });
}

criterion_group!(benches, statements);
criterion_main!(benches);
