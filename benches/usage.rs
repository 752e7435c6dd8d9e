//! Per-use charges: the package wallet, the planner and daily traffic
//! settlement (R-USE-07, R-USE-08, R-USE-09).

use std::hint::black_box;
use std::time::Instant;

use billing_rules::Decider;
use billing_rules::presets;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::time::Days;
use billing_rules::usage::{
    BillingMethod, CallCounts, Component, DayUsage, Forecast, PackageOrder, PackageWallet, Region,
    UsagePolicy, WalletCommand, WalletState, WhenExhausted,
};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

/// A wallet of 10 packages of 10,000,000 calls, bought a day apart (so each
/// expires at its own instant), with the trial quota used up.
fn ten_packages(policy: &UsagePolicy) -> WalletState {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut state = PackageWallet::initial();
    for day in (0..10).rev() {
        let buy = WalletCommand::Purchase {
            order: PackageOrder::listed(10_000_000, 365),
        };
        let now = start + chrono::Duration::days(day);
        state = PackageWallet::run(&state, &buy, now, policy).unwrap().0;
    }
    let trial = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(1000),
        at: start + chrono::Duration::days(20),
    };
    PackageWallet::run(&state, &trial, start + chrono::Duration::days(20), policy)
        .unwrap()
        .0
}

fn wallet(c: &mut Criterion) {
    let policy = presets::verification_usage().unwrap();
    let wallet = ten_packages(&policy);
    let at = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
    // One successful call per command: decide + evolve, the state moved (not
    // cloned) from one call to the next, as a service holding the wallet
    // would. Each iteration is one call, so the time shown is per call.
    let one = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(1),
        at,
    };
    c.bench_function("wallet_consume", |b| {
        b.iter_custom(|iters| {
            let mut state = wallet.clone();
            let begin = Instant::now();
            for _ in 0..iters {
                let events = PackageWallet::decide(&state, black_box(&one), at, &policy).unwrap();
                for e in &events {
                    state = PackageWallet::evolve(state, e);
                }
            }
            let spent = begin.elapsed();
            black_box(state);
            spent
        })
    });
    // One command of 100,000,000 calls spanning all ten packages, per command.
    let all = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(100_000_000),
        at,
    };
    c.bench_function("wallet_consume_spanning_10_packages", |b| {
        b.iter(|| PackageWallet::decide(&wallet, black_box(&all), at, &policy).unwrap())
    });
}

fn planner(c: &mut Criterion) {
    let policy = presets::verification_usage().unwrap();
    let forecast = Forecast::new(Component::QuickVerification, 10_000_000, Days(365));
    c.bench_function("plan_packages_10m", |b| {
        b.iter(|| policy.plan(black_box(&forecast)).unwrap())
    });
    // Without overage or custom packages every size is a candidate and the
    // residue table has 10,000 classes.
    let mut spec = presets::verification_usage_spec();
    spec.when_exhausted = WhenExhausted::Refuse;
    spec.catalogue.custom = None;
    let packages_only = UsagePolicy::try_from(spec).unwrap();
    let odd = Forecast::new(Component::QuickVerification, 10_001_000, Days(365));
    c.bench_function("plan_packages_10m_packages_only", |b| {
        b.iter(|| packages_only.plan(black_box(&odd)).unwrap())
    });
    let billion = Forecast::new(Component::QuickVerification, 999_999_999, Days(365));
    c.bench_function("plan_packages_1g_packages_only", |b| {
        b.iter(|| packages_only.plan(black_box(&billion)).unwrap())
    });
    awkward_sizes(c);
}

/// The preset with `changes` applied to its package sizes: `(old, new)`.
fn resized(changes: &[(u64, u64)], packages_only: bool) -> UsagePolicy {
    let mut spec = presets::verification_usage_spec();
    for p in &mut spec.catalogue.packages {
        if let Some((_, new)) = changes.iter().find(|(old, _)| *old == p.calls) {
            p.calls = *new;
        }
    }
    if packages_only {
        spec.when_exhausted = WhenExhausted::Refuse;
        spec.catalogue.custom = None;
    }
    UsagePolicy::try_from(spec).unwrap()
}

/// Issue 19 item 3: sizes with no common divisor. The residue table would be
/// as large as the best-rate package (10,000,000 classes, refused; or
/// 50,001, built for every plan, when a 50,001-call package at 30 has the
/// best rate): it grows with package sizes, not with the forecast. The
/// branch-and-bound search plans these without it.
fn awkward_sizes(c: &mut Criterion) {
    let awkward = [(50_000, 50_001), (100_000, 99_991), (1_000_000, 1_000_003)];
    let cases = [
        ("plan_packages_awkward_sizes", resized(&awkward, false)),
        (
            "plan_packages_awkward_sizes_packages_only",
            resized(&awkward, true),
        ),
        // 50,001 calls for 30: the best rate, and an awkward size.
        (
            "plan_packages_awkward_best_rate",
            resized(&[(1_000, 50_001)], false),
        ),
    ];
    for (name, policy) in &cases {
        for (label, calls) in [("10m", 10_000_000), ("1", 1)] {
            let forecast = Forecast::new(Component::QuickVerification, calls, Days(365));
            c.bench_function(&format!("{name}_{label}"), |b| {
                b.iter(|| policy.plan(black_box(&forecast)).unwrap())
            });
        }
    }
}

fn traffic(c: &mut Criterion) {
    let policy = presets::live_traffic().unwrap();
    let usage = DayUsage {
        date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        region: Region::Mainland,
        traffic: Quantity::new(Decimal::from(250), Unit::Terabyte),
        peak_bandwidth: Quantity::new(Decimal::from(800), Unit::Megabit),
    };
    c.bench_function("traffic_daily_settle", |b| {
        b.iter(|| {
            policy
                .settle_day(BillingMethod::Traffic, black_box(&usage))
                .unwrap()
        })
    });
}

criterion_group!(benches, wallet, planner, traffic);
criterion_main!(benches);
