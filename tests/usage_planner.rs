//! The package planner (R-USE-08).

use billing_rules::presets;
use billing_rules::time::Days;
use billing_rules::usage::{
    CatalogueSpec, Component, ComponentPriceSpec, CustomPackagesSpec, Forecast, PackageSpec, Plan,
    PlanLine, UsagePolicy, UsagePolicySpec, WhenExhausted,
};
use billing_rules::{Error, RuleId};
use proptest::prelude::*;
use rust_decimal::Decimal;

const QUICK: Component = Component::QuickVerification;

fn preset() -> UsagePolicy {
    presets::verification_usage().unwrap()
}

fn with_spec(change: impl FnOnce(&mut UsagePolicySpec)) -> UsagePolicy {
    let mut s = presets::verification_usage_spec();
    change(&mut s);
    UsagePolicy::try_from(s).unwrap()
}

/// The preset without per-call overage or custom packages: listed packages only.
fn packages_only() -> UsagePolicy {
    with_spec(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = None;
    })
}

fn year(calls: u64) -> Forecast {
    Forecast::new(QUICK, calls, Days(365))
}

fn lines(plan: &Plan) -> Vec<(String, u64, u64)> {
    plan.lines
        .iter()
        .map(|l| match *l {
            PlanLine::Package { calls, count, .. } => ("package".to_owned(), calls, count),
            PlanLine::Custom { calls, .. } => ("custom".to_owned(), calls, 1),
            PlanLine::PerCall { calls, .. } => ("per_call".to_owned(), calls, 1),
            PlanLine::Trial { calls, .. } => ("trial".to_owned(), calls, 1),
        })
        .collect()
}

fn line(kind: &str, calls: u64, count: u64) -> (String, u64, u64) {
    (kind.to_owned(), calls, count)
}

/// Greedy by best rate: as many of the best-rate package as cover the
/// forecast (the answer a naive planner gives).
fn greedy_best_rate(policy: &UsagePolicy, calls: u64) -> Decimal {
    let best = policy
        .catalogue()
        .packages()
        .iter()
        .min_by(|a, b| {
            (a.price.amount() / Decimal::from(a.calls))
                .cmp(&(b.price.amount() / Decimal::from(b.calls)))
        })
        .unwrap();
    Decimal::from(calls.div_ceil(best.calls)) * best.price.amount()
}

/// Greedy by size: the largest package that fits, repeatedly, then the
/// rest per call.
fn greedy_largest_fit(policy: &UsagePolicy, mut calls: u64) -> Decimal {
    let mut packages = policy.catalogue().packages().to_vec();
    packages.sort_by_key(|p| std::cmp::Reverse(p.calls));
    let mut total = Decimal::ZERO;
    for p in &packages {
        let k = calls / p.calls;
        total += Decimal::from(k) * p.price.amount();
        calls -= k * p.calls;
    }
    total + Decimal::from(calls) * Decimal::new(3, 2)
}

#[test]
fn r_use_08_1_2_million_calls_take_one_million_package_and_overage() {
    let best = preset().plan(&year(1_200_000)).unwrap();
    assert_eq!(
        lines(&best),
        vec![line("package", 1_000_000, 1), line("per_call", 200_000, 1)]
    );
    assert_eq!(best.total.to_string(), "CNY 34000.00");
    assert_eq!(best.pay_per_call.to_string(), "CNY 36000.00");
    assert_eq!(best.saving.to_string(), "CNY 2000.00");
    assert_eq!(best.per_call_cost.unwrap().to_string(), "0.028333");
    assert_eq!(best.covered, 1_200_000);
}

#[test]
fn r_use_08_greedy_by_best_rate_loses_at_9_million() {
    let p = preset();
    let best = p.plan(&year(9_000_000)).unwrap();
    assert_eq!(
        lines(&best),
        vec![line("package", 5_000_000, 1), line("package", 1_000_000, 4)]
    );
    assert_eq!(best.total.amount(), Decimal::from(252_000));
    // Greedy buys the 10,000,000 package: 270,000.
    assert_eq!(greedy_best_rate(&p, 9_000_000), Decimal::from(270_000));
    assert!(best.total.amount() < greedy_best_rate(&p, 9_000_000));
}

#[test]
fn r_use_08_greedy_by_size_loses_at_9_9_million() {
    let p = preset();
    let best = p.plan(&year(9_900_000)).unwrap();
    assert_eq!(lines(&best), vec![line("package", 10_000_000, 1)]);
    assert_eq!(best.total.amount(), Decimal::from(270_000));
    assert_eq!(best.covered, 10_000_000);
    // 5M + 4 x 1M + 900,000 per call = 140,000 + 112,000 + 27,000.
    assert_eq!(greedy_largest_fit(&p, 9_900_000), Decimal::from(279_000));
}

#[test]
fn r_use_08_greedy_loses_on_a_small_catalogue_without_overage() {
    // Sizes 6 (0.90 a call, the best rate) and 5 (1.00 a call); 10 calls.
    let p = with_spec(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue = CatalogueSpec {
            validities: vec![365],
            packages: vec![pkg(6, 540), pkg(5, 500)],
            custom: None,
        };
    });
    let best = p.plan(&year(10)).unwrap();
    assert_eq!(lines(&best), vec![line("package", 5, 2)]);
    assert_eq!(best.total.to_string(), "CNY 10.00");
    assert_eq!(greedy_best_rate(&p, 10), Decimal::new(1080, 2));
}

#[test]
fn r_use_08_packages_only_cover_with_the_smallest_overshoot_cost() {
    let p = packages_only();
    let exact = p.plan(&year(1_200_000)).unwrap();
    assert_eq!(exact.total.amount(), Decimal::from(34_000));
    assert_eq!(exact.covered, 1_200_000);
    let one_more = p.plan(&year(1_200_001)).unwrap();
    assert_eq!(one_more.total.amount(), Decimal::from(34_030));
    assert_eq!(one_more.covered, 1_201_000);
    // Too few calls for any package: the saving is negative, and says so.
    let tiny = p.plan(&year(500)).unwrap();
    assert_eq!(tiny.total.to_string(), "CNY 30.00");
    assert_eq!(tiny.saving.to_string(), "CNY -15.00");
}

#[test]
fn r_use_08_a_billion_calls_plan_exactly() {
    let best = preset().plan(&year(1_000_000_000)).unwrap();
    assert_eq!(lines(&best), vec![line("package", 10_000_000, 100)]);
    assert_eq!(best.total.amount(), Decimal::from(27_000_000));
    assert_eq!(best.saving.amount(), Decimal::from(3_000_000));
    let odd = packages_only().plan(&year(999_999_999)).unwrap();
    assert_eq!(odd.covered, 1_000_000_000);
    assert_eq!(odd.total.amount(), Decimal::from(27_000_000));
}

#[test]
fn r_use_08_a_zero_forecast_costs_nothing() {
    let best = preset().plan(&year(0)).unwrap();
    assert!(best.lines.is_empty());
    assert!(best.total.is_zero() && best.saving.is_zero());
    assert_eq!(best.per_call_cost, None);
}

#[test]
fn r_use_08_the_horizon_is_one_validity_window() {
    let p = preset();
    for days in [0, 366] {
        let err = p
            .plan(&Forecast::new(QUICK, 1_000, Days(days)))
            .unwrap_err();
        assert_eq!(err.refusal().unwrap().rule(), RuleId::Use08, "{days}");
    }
    // 90-day packages do not last a 365-day horizon.
    let short = with_spec(|s| {
        s.catalogue.packages = vec![PackageSpec {
            calls: 1_000_000,
            price: Decimal::from(20_000),
            list_price: None,
            validity_days: 90,
        }];
    });
    let year_plan = short.plan(&year(1_000_000)).unwrap();
    assert_eq!(lines(&year_plan), vec![line("per_call", 1_000_000, 1)]);
    let quarter = short
        .plan(&Forecast::new(QUICK, 1_000_000, Days(90)))
        .unwrap();
    assert_eq!(lines(&quarter), vec![line("package", 1_000_000, 1)]);
    assert_eq!(quarter.saving.amount(), Decimal::from(10_000));
}

#[test]
fn r_use_08_custom_packages_cover_the_rest_when_overage_is_off() {
    let p = with_spec(|s| s.when_exhausted = WhenExhausted::Refuse);
    let best = p.plan(&year(1_200_250)).unwrap();
    assert_eq!(
        lines(&best),
        vec![line("package", 1_000_000, 1), line("custom", 200_250, 1)]
    );
    assert_eq!(best.total.to_string(), "CNY 34007.50");
    let PlanLine::Custom { validity, .. } = best.lines[1] else {
        panic!("a custom line")
    };
    assert_eq!(validity, Days(365));
}

#[test]
fn r_use_08_nothing_to_cover_with_is_refused() {
    let p = with_spec(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue.custom = None;
        s.catalogue.validities = vec![365, 400];
    });
    let err = p.plan(&Forecast::new(QUICK, 10, Days(400))).unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use08);
}

#[test]
fn r_use_08_a_catalogue_too_irregular_to_plan_exactly_is_refused() {
    // 65 sizes (more than the search takes) with no common divisor, the
    // best rate at 10,000,000 calls: a residue table of 10^7 classes.
    let p = with_spec(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        let mut packages = vec![pkg(10_000_000, 100)];
        packages.extend((1..=64).map(|calls| pkg(calls, 100)));
        s.catalogue = CatalogueSpec {
            validities: vec![365],
            packages,
            custom: None,
        };
    });
    let err = p.plan(&year(5)).unwrap_err();
    let refusal = err.refusal().unwrap();
    assert_eq!(refusal.rule(), RuleId::Use08);
    assert!(refusal.figure("table_limit").is_some());
}

/// The preset with package sizes changed: `(old, new)`.
fn resized(changes: &[(u64, u64)], packages_only: bool) -> UsagePolicy {
    with_spec(|s| {
        for p in &mut s.catalogue.packages {
            if let Some(&(_, new)) = changes.iter().find(|(old, _)| *old == p.calls) {
                p.calls = new;
            }
        }
        if packages_only {
            s.when_exhausted = WhenExhausted::Refuse;
            s.catalogue.custom = None;
        }
    })
}

/// Issue 19 item 3: sizes with no common divisor made the residue table as
/// large as the best-rate package (10^7 classes: refused), or, with a
/// 50,001-call package at the best rate, 50,001 classes built for every
/// plan, even of one call. The search plans them in one pass.
#[test]
fn r_use_08_awkward_sizes_plan_exactly_for_one_call_and_ten_million() {
    let awkward = [(50_000, 50_001), (100_000, 99_991), (1_000_000, 1_000_003)];
    let total = |p: &UsagePolicy, n| p.plan(&year(n)).unwrap().total.to_string();

    let p = resized(&awkward, false);
    assert_eq!(total(&p, 1), "CNY 0.03");
    // 10^7 at the best rate (0.027) is the least any plan can cost.
    assert_eq!(total(&p, 10_000_000), "CNY 270000.00");
    // 5,000,000 + 4 x 1,000,003 and 9 x 1,000,003 both cost 252,000; the
    // plan buys fewer calls (9,000,012 against 9,000,027).
    let nine = p.plan(&year(9_000_000)).unwrap();
    assert_eq!(
        lines(&nine),
        vec![line("package", 5_000_000, 1), line("package", 1_000_003, 4)]
    );
    assert_eq!(nine.covered, 9_000_012);
    assert_eq!(nine.total.to_string(), "CNY 252000.00");

    let only = resized(&awkward, true);
    assert_eq!(total(&only, 1), "CNY 30.00");
    assert_eq!(total(&only, 10_000_000), "CNY 270000.00");

    // 50,001 calls for 30: the best rate by far.
    let best = resized(&[(1_000, 50_001)], false);
    assert_eq!(total(&best, 1), "CNY 0.03");
    let ten_million = best.plan(&year(10_000_000)).unwrap();
    assert_eq!(lines(&ten_million), vec![line("package", 50_001, 200)]);
    assert_eq!(ten_million.total.to_string(), "CNY 6000.00");
}

#[test]
fn r_use_08_a_component_without_a_price_is_refused() {
    let p = with_spec(|s| s.prices.retain(|c| c.component == QUICK));
    let err = p
        .plan(&Forecast::new(
            Component::RealTimeVerification,
            10,
            Days(365),
        ))
        .unwrap_err();
    assert_eq!(err.refusal().unwrap().rule(), RuleId::Use01);
}

#[test]
fn r_use_08_a_plan_round_trips_through_json() {
    let best = preset().plan(&year(1_200_000)).unwrap();
    let json = serde_json::to_string(&best).unwrap();
    assert!(json.contains(r#""kind":"per_call""#));
    assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), best);
}

// -------------------------------------------------------------- properties

fn pkg(calls: u64, fen: i64) -> PackageSpec {
    PackageSpec {
        calls,
        price: Decimal::new(fen, 2),
        list_price: None,
        validity_days: 365,
    }
}

/// A random small catalogue: sizes 1..=30, prices in fen, optional overage
/// and custom packages.
#[derive(Debug, Clone)]
struct Small {
    packages: Vec<(u64, i64)>,
    overage: Option<i64>,
    custom: Option<i64>,
}

fn small() -> impl Strategy<Value = Small> {
    (
        prop::collection::vec((1u64..=30, 1i64..=600), 1..=4),
        prop::option::of(1i64..=40),
        prop::option::of(1i64..=40),
    )
        .prop_map(|(mut packages, overage, custom)| {
            packages.sort_by_key(|p| p.0);
            packages.dedup_by_key(|p| p.0);
            Small {
                packages,
                overage,
                custom,
            }
        })
}

impl Small {
    fn policy(&self) -> UsagePolicy {
        with_spec(|s| {
            s.prices = vec![ComponentPriceSpec {
                component: QUICK,
                price: Decimal::new(self.overage.unwrap_or(999), 2),
            }];
            s.when_exhausted = if self.overage.is_some() {
                WhenExhausted::PerCall
            } else {
                WhenExhausted::Refuse
            };
            s.catalogue = CatalogueSpec {
                validities: vec![365],
                packages: self.packages.iter().map(|&(c, f)| pkg(c, f)).collect(),
                custom: self.custom.map(|f| CustomPackagesSpec {
                    unit_price: Decimal::new(f, 2),
                }),
            };
        })
    }

    /// Brute force: the cheapest multiset (packages, and single calls at the
    /// linear price) whose total is at least `n`, in fen.
    fn brute(&self, n: u64) -> i64 {
        let linear = match (self.overage, self.custom) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut items: Vec<(usize, i64)> = self
            .packages
            .iter()
            .map(|&(c, f)| (c as usize, f))
            .collect();
        if let Some(p) = linear {
            items.push((1, p));
        }
        let max = items.iter().map(|i| i.0).max().unwrap();
        let len = n as usize + max + 1;
        let mut dp = vec![i64::MAX; len];
        dp[0] = 0;
        for t in 1..len {
            for &(s, c) in &items {
                if s <= t && dp[t - s] != i64::MAX {
                    dp[t] = dp[t].min(dp[t - s] + c);
                }
            }
        }
        dp[n as usize..].iter().copied().min().unwrap()
    }
}

fn check_plan(p: &UsagePolicy, n: u64) -> Result<Plan, TestCaseError> {
    let best = p
        .plan(&year(n))
        .map_err(|e: Error| TestCaseError::fail(e.to_string()))?;
    prop_assert!(best.covered >= n, "covers {} < {}", best.covered, n);
    let sum: Decimal = best.lines.iter().map(|l| l.subtotal().amount()).sum();
    prop_assert_eq!(sum, best.total.amount());
    let calls: u64 = best.lines.iter().map(PlanLine::calls).sum();
    prop_assert_eq!(calls, best.covered);
    Ok(best)
}

/// A random catalogue of awkward sizes (1..=3000 calls, rarely with a
/// common divisor) at rates of 0.028 to 0.030 a call, close to each other
/// and to overage at 0.03, which is what makes a plan hard.
fn awkward() -> impl Strategy<Value = Small> {
    (
        prop::collection::btree_map(1u64..=3000, 280i64..=300, 1..=5),
        prop::option::of(Just(3i64)),
        prop::option::of(3i64..=4),
    )
        .prop_map(|(packages, overage, custom)| Small {
            packages: packages
                .into_iter()
                .map(|(calls, rate)| (calls, (calls as i64 * rate / 100).max(1)))
                .collect(),
            overage,
            custom,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn r_use_08_plan_matches_a_brute_force_search_with_awkward_sizes(
        s in awkward(),
        n in prop_oneof![0u64..=100, 0u64..=10_000],
    ) {
        let p = s.policy();
        let best = check_plan(&p, n)?;
        prop_assert_eq!(best.total.amount(), Decimal::new(s.brute(n), 2), "{:?}", best.lines);
    }

    #[test]
    fn r_use_08_plan_matches_a_brute_force_search(s in small(), n in 0u64..=400) {
        let p = s.policy();
        let best = check_plan(&p, n)?;
        prop_assert_eq!(best.total.amount(), Decimal::new(s.brute(n), 2), "{:?}", best.lines);
    }

    #[test]
    fn r_use_08_plan_covers_and_beats_per_call_and_every_single_size_plan(
        n in prop_oneof![0u64..100_000, 0u64..50_000_000, 0u64..=1_000_000_000],
        overage in any::<bool>(),
    ) {
        let p = if overage { preset() } else { packages_only() };
        let best = check_plan(&p, n)?;
        let total = best.total.amount();
        if overage {
            prop_assert!(total <= best.pay_per_call.amount());
            prop_assert!(best.saving.amount() >= Decimal::ZERO);
        }
        for pk in p.catalogue().packages() {
            let price = pk.price.amount();
            // Only this size, enough of it to cover.
            let covering = Decimal::from(n.div_ceil(pk.calls)) * price;
            prop_assert!(total <= covering, "{} > {} x {}", total, n.div_ceil(pk.calls), pk.calls);
            if overage {
                // This size, and the rest per call.
                let with_rest = Decimal::from(n / pk.calls) * price
                    + Decimal::from(n % pk.calls) * Decimal::new(3, 2);
                prop_assert!(total <= with_rest);
            }
        }
    }
}

/// Issue 19's audit: the cost per call is the true `total / calls` rounded
/// half-up once. Rounding the 28-digit quotient again read
/// ...459.0071775 (a tie) for ...459.00717749999903..., and rounded up.
#[test]
fn r_use_08_per_call_cost_rounds_the_true_quotient_once() {
    let p = with_spec(|s| {
        s.when_exhausted = WhenExhausted::Refuse;
        s.catalogue = CatalogueSpec {
            validities: vec![365],
            packages: vec![PackageSpec {
                calls: 56_962_682,
                price: "8126886932786052935971887.65".parse().unwrap(),
                list_price: None,
                validity_days: 365,
            }],
            custom: None,
        };
    });
    let best = p.plan(&year(56_962_682)).unwrap();
    assert_eq!(lines(&best), vec![line("package", 56_962_682, 1)]);
    assert_eq!(
        best.per_call_cost.unwrap().to_string(),
        "142670370274806459.007177"
    );
}
