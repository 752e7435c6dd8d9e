//! The package planner (R-USE-08): [`UsagePolicy::plan`] and what it reads
//! and answers ([`Forecast`], [`Plan`]). What a plan counts is documented on
//! `plan`; these notes say why its answer is exact, and fast.
//!
//! # Exactness (why this is not greedy, and why it is fast)
//!
//! A plan is a covering knapsack: counts of each candidate package, and
//! linear calls, covering the forecast at the least cost. Two exact
//! solvers answer it, the search first. Among plans of equal cost both
//! prefer the one buying fewer calls (per-call overage before a package
//! that overshoots); the search then takes the fewest packages.
//!
//! **The search** (branch and bound; `usage/planner_search.rs`). The count
//! of each size is chosen in turn, largest size first, and a choice is
//! dropped when even the best completion could not beat the best plan
//! found: what is left is covered at no better than the best rate left,
//! and the packages at that rate cover only multiples of their sizes' gcd
//! (the rest of a remainder costs a worse rate), and a plan never holds
//! `k` copies of a size when one package exactly `k` times as large costs
//! no more. The work depends on how close the rates are, not on the
//! sizes: the published catalogue, and one with sizes of 50,001, 99,991 and
//! 1,000,003 calls, plan in a few microseconds whatever the forecast. The
//! search gives up after 2^14 choices, or on more than 64 sizes, and the
//! residue classes below answer.
//!
//! **The residue classes** (`usage/planner_residue.rs`). Their table has
//! one entry per unit of the best-rate package (in units of the sizes'
//! gcd), so its work grows with the package sizes; it is the fallback.
//!
//! **Linear calls reduce to blocks.** With a linear price `p`, write the
//! forecast as `N = q g + e` with `0 <= e < g`. A plan buys packages of
//! total `P` (a multiple of `g`) and `max(0, N - P)` linear calls. If
//! `P >= N`, then `P >= (q + 1) g` when `e > 0`. If `P < N`, then `P <= q g`
//! and the linear calls are `(q g - P) + e`: whole *blocks* of `g` calls
//! priced `p g`, plus `e` calls. So the optimum is the cheaper of
//! `H(q) + p e` and `H(q + 1)`, where `H(t)` is the cheapest way to cover
//! `t` units with packages and blocks: a covering knapsack in units of `g`.
//! Without a linear option it is `H(ceil(N / g))` with packages only.
//!
//! **Few items other than `b` are needed (pigeonhole).** Take a plan with
//! `k >= m` items other than `b`, listed in any order. Their `k + 1` prefix
//! sums (from 0) take at most `m` values modulo `m`, so two are equal: a
//! non-empty run of those items has a total `j m` for some `j >= 1`.
//! Replacing the run with `j` copies of `b` covers the same calls, and costs
//! no more, since no item has a better rate than `b`. So some optimal plan
//! has fewer than `m` items other than `b`.
//!
//! **Residue classes.** Give every item the *reduced cost*
//! `w_i = c_i m - u_i c_b >= 0` (`b`'s is 0), so that `m x cost = sum of
//! w + total size x c_b` for any plan. Let `D(r)` be the least reduced cost
//! of a multiset of non-`b` items whose size is `r` modulo `m`, and `S(r)`
//! its size. A plan covering `t` units whose total is `T >= t` and `T = r`
//! modulo `m` has `T >= t + o(r)`, where `o(r) = (r - t) mod m`, so
//! `m x cost >= D(r) + (t + o(r)) c_b`. That bound is met by the `D(r)`
//! multiset plus `(t + o(r) - S(r)) / m` copies of `b` whenever
//! `S(r) <= t + o(r)`. Hence when the residue with the least bound has
//! `S(r) <= t + o(r)`, it gives an optimal plan. `D` and `S` are shortest
//! paths on `m` nodes with one edge per item, found by the round-robin
//! algorithm of Böcker and Lipták (each item relaxes every residue cycle
//! once, starting from the cycle's least label): `O(m x items)` integer
//! steps, with no heap.
//!
//! **Small forecasts.** Otherwise (`t < S(r)`, which by the pigeonhole
//! bound means `t < m x u_max`), an exact dynamic programme finds the
//! answer. An item of `t` units or more covers alone, for no more than any
//! plan holding it; the other items, all below `t`, need totals up to
//! `t + u` only, `u` the largest of them: a plan covering `t` with a total
//! of `t + u` or more can drop any item and still cover `t`, at no more
//! cost. So this table is under `2 t` entries, whatever the package sizes.
//!
//! Both tables are capped at 2^21 entries, and the work (entries x item
//! count) at 2^24 steps; a catalogue the search gives up on and that needs
//! more is refused (R-USE-08) rather than planned approximately or for
//! hours. For the published catalogue the residue table has 10 classes
//! when per-call overage at 0.03 is on (only the 1M, 5M and 10M packages
//! beat it) and 10,000 when it is off (every size is a candidate).
//!
//! Prices are compared as exact integers (every price scaled to the
//! largest number of decimal places among them), and the plan's amounts are
//! then summed in [`Money`]. Property tests check the planner against a
//! brute-force dynamic programme on small random catalogues and on
//! catalogues of awkward sizes, and the two solvers against each other.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::money::{Money, Rounding, RoundingMode};
use crate::rule::RuleId;
use crate::time::Days;

use super::calls::Component;
use super::planner_problem::{Candidate, Priced};
use super::policy::{UsagePolicy, WhenExhausted};
use super::{planner_residue, planner_search};

/// Calls expected over a horizon, for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Forecast {
    /// The component called; its price is the per-call baseline.
    pub component: Component,
    /// Calls to pay for over the horizon.
    pub calls: u64,
    /// Days the calls are spread over, from the day the packages are bought.
    pub horizon: Days,
    /// Free calls the account still has in its trial quota (R-USE-02),
    /// used before anything is bought: see [`Forecast::with_trial`]. 0 (the
    /// default, left out of the JSON) plans every call as paid.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub trial_calls: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Forecast {
    /// A forecast of `calls` to `component` over `horizon`, every call to
    /// be paid for (no trial calls left: add them with
    /// [`Forecast::with_trial`]).
    pub const fn new(component: Component, calls: u64, horizon: Days) -> Forecast {
        Forecast {
            component,
            calls,
            horizon,
            trial_calls: 0,
        }
    }

    /// The same forecast for an account that still has `trial_calls` free
    /// calls (R-USE-02): the plan uses them first, as its own line, and
    /// buys only for the rest. A new account has the policy's whole quota:
    /// `forecast.with_trial(policy.trial_quota())`.
    pub const fn with_trial(self, trial_calls: u64) -> Forecast {
        Forecast {
            trial_calls,
            ..self
        }
    }
}

/// One line of a plan.
///
/// Serialized with a `"kind"` tag: `{"kind": "per_call", "calls": 200000, ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanLine {
    /// `count` listed packages of one size.
    Package {
        /// Calls per package.
        calls: u64,
        /// The package's validity.
        validity: Days,
        /// Price per package.
        price: Money,
        /// How many to buy.
        count: u64,
        /// `count x price`.
        subtotal: Money,
    },
    /// One custom package.
    Custom {
        /// Its size.
        calls: u64,
        /// Its validity: the shortest allowed that lasts the horizon.
        validity: Days,
        /// Price per call.
        unit_price: Money,
        /// `calls x unit_price`.
        subtotal: Money,
    },
    /// Calls drawn from the account's trial quota (R-USE-02): free, used
    /// before anything else (R-USE-07). Always the first line when present.
    Trial {
        /// Free calls used.
        calls: u64,
        /// Zero, in the plan's currency.
        subtotal: Money,
    },
    /// Calls billed per call as overage (R-USE-01, R-USE-07).
    PerCall {
        /// Calls billed.
        calls: u64,
        /// The component's price per call.
        unit_price: Money,
        /// `calls x unit_price`.
        subtotal: Money,
    },
}

impl PlanLine {
    /// Calls this line pays for.
    pub fn calls(&self) -> u64 {
        match *self {
            PlanLine::Package { calls, count, .. } => calls.saturating_mul(count),
            PlanLine::Custom { calls, .. }
            | PlanLine::Trial { calls, .. }
            | PlanLine::PerCall { calls, .. } => calls,
        }
    }

    /// What this line costs.
    pub fn subtotal(&self) -> Money {
        match *self {
            PlanLine::Package { subtotal, .. }
            | PlanLine::Custom { subtotal, .. }
            | PlanLine::Trial { subtotal, .. }
            | PlanLine::PerCall { subtotal, .. } => subtotal,
        }
    }
}

/// The cheapest way to pay for a [`Forecast`] (R-USE-08).
///
/// # JSON
///
/// Lines are tagged by `kind`; amounts are [`Money`] objects and exact (not
/// rounded). 1.2 million quick verifications over a year:
///
/// ```
/// use billing_rules::time::Days;
/// use billing_rules::usage::{Component, Forecast};
/// use serde_json::json;
///
/// let policy = billing_rules::presets::verification_usage()?;
/// let best = policy.plan(&Forecast::new(Component::QuickVerification, 1_200_000, Days(365)))?;
/// let cny = |amount: &str| json!({"amount": amount, "currency": "CNY"});
/// assert_eq!(serde_json::to_value(&best)?, json!({
///     "forecast": {"component": "quick_verification", "calls": 1200000, "horizon": 365},
///     "lines": [
///         {"kind": "package", "calls": 1000000, "validity": 365, "price": cny("28000"),
///          "count": 1, "subtotal": cny("28000")},
///         {"kind": "per_call", "calls": 200000, "unit_price": cny("0.03"), "subtotal": cny("6000.00")}
///     ],
///     "covered": 1200000,
///     "total": cny("34000.00"),
///     "per_call_cost": "0.028333",
///     "pay_per_call": cny("36000.00"),
///     "saving": cny("2000.00")
/// }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// What was planned.
    pub forecast: Forecast,
    /// The trial calls used (when the forecast has some), packages
    /// (largest first), then the custom package or per-call overage.
    pub lines: Vec<PlanLine>,
    /// Calls the plan pays for: at least the forecast (packages may
    /// overshoot).
    pub covered: u64,
    /// The plan's cost, exact.
    pub total: Money,
    /// `total / forecast calls` (trial calls included: they are calls
    /// made), the true quotient rounded half-up once to
    /// four digits below the currency's minor unit (0.000001 yuan), with no
    /// trailing zeros past the total's places (0.028, not 0.028000); `None`
    /// for a forecast of 0.
    #[serde(default, with = "crate::decimal_serde::strict_option")]
    pub per_call_cost: Option<Decimal>,
    /// The forecast paid per call at the component's price (R-USE-01),
    /// after the same trial calls.
    pub pay_per_call: Money,
    /// `pay_per_call - total`. Negative only when per-call overage is off
    /// and the smallest package costs more than the calls it covers.
    pub saving: Money,
}

impl Plan {
    /// The largest table the residue solver builds (entries); above it a
    /// plan the search gave up on is refused (R-USE-08) rather than
    /// approximated.
    pub const TABLE_LIMIT: u64 = planner_residue::TABLE_LIMIT;

    /// The most steps (table entries x package sizes) the residue solver
    /// takes; above it a plan the search gave up on is refused (R-USE-08)
    /// rather than left running for hours on a catalogue of a million
    /// sizes. A plan at this limit takes under a second in a release build
    /// (measured on a loaded 2-core machine: about 0.75 s).
    pub const WORK_LIMIT: u64 = planner_residue::WORK_LIMIT;
}

impl UsagePolicy {
    /// The cheapest mix of packages and per-call overage that pays for
    /// `forecast` (R-USE-08), with its cost, the cost per call and the
    /// saving against paying per call. Exact, not greedy: see the
    /// [planner](crate::usage#the-package-planner) for how.
    ///
    /// What it counts:
    ///
    /// - **One validity window.** Every package is bought at the start of
    ///   the horizon and must last all of it, so only packages whose
    ///   validity is at least the horizon are candidates (a custom package
    ///   takes the shortest allowed validity that lasts the horizon). Plan a
    ///   longer horizon window by window.
    /// - **What may cover calls:** listed packages (R-USE-05) that last the
    ///   horizon; per-call overage at the component's price (R-USE-01) when
    ///   the policy bills uncovered calls per call (R-USE-07); custom
    ///   packages at their per-call price, when the catalogue sells them.
    ///   Of overage and custom packages the cheaper is used (overage on a
    ///   tie: it needs no prepayment and cannot expire), and a package whose
    ///   price per call is not strictly below it is never bought.
    /// - **The trial quota, when the forecast says the account has one**
    ///   ([`Forecast::with_trial`]; the what-if program counts the policy's
    ///   whole quota by default, `--no-trial` turns it off): those calls are
    ///   free and used first (R-USE-02, R-USE-07), shown as their own
    ///   [`PlanLine::Trial`] line; the packages and overage pay for the
    ///   rest, and so does the pay-per-call baseline. A forecast built with
    ///   [`Forecast::new`] alone has no trial calls.
    /// - **Not packages already held:** subtract what the account's
    ///   packages still hold from the forecast before planning.
    /// - Among plans of equal cost, the one buying fewer calls (per-call
    ///   overage before a package that overshoots), then fewer packages.
    ///
    /// ```
    /// use billing_rules::time::Days;
    /// use billing_rules::usage::{Component, Forecast, PlanLine};
    ///
    /// let policy = billing_rules::presets::verification_usage()?;
    /// // 9 million calls: the best-rate package (10,000,000 for 270,000) is not
    /// // the answer; 5,000,000 + 4 x 1,000,000 is.
    /// let best = policy.plan(&Forecast::new(Component::QuickVerification, 9_000_000, Days(365)))?;
    /// assert_eq!(best.total.to_string(), "CNY 252000.00");
    /// assert_eq!(best.pay_per_call.to_string(), "CNY 270000.00");
    /// assert_eq!(best.saving.to_string(), "CNY 18000.00");
    /// assert_eq!(best.per_call_cost.map(|c| c.to_string()).as_deref(), Some("0.028"));
    /// assert!(matches!(best.lines[0], PlanLine::Package { calls: 5_000_000, count: 1, .. }));
    ///
    /// // A new account first uses its 1000 free trial calls (R-USE-02): 1.2M
    /// // calls are then 1,000,000 in a package and 199,000 per call.
    /// let forecast = Forecast::new(Component::QuickVerification, 1_200_000, Days(365));
    /// let best = policy.plan(&forecast.with_trial(policy.trial_quota()))?;
    /// assert!(matches!(best.lines[0], PlanLine::Trial { calls: 1000, .. }));
    /// assert_eq!(best.total.to_string(), "CNY 33970.00"); // 28000 + 199,000 x 0.03
    /// assert_eq!(best.pay_per_call.to_string(), "CNY 35970.00"); // 1,199,000 x 0.03
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A refusal naming R-USE-08 when the horizon is zero or longer than
    /// the longest validity, when nothing can cover calls (no package lasts
    /// the horizon and per-call billing is off), or when the search gives up
    /// and the residue solver would need a table above
    /// [`Plan::TABLE_LIMIT`] or more than [`Plan::WORK_LIMIT`] steps;
    /// R-USE-01 when the component has no price; an arithmetic error when
    /// an amount overflows.
    pub fn plan(&self, forecast: &Forecast) -> Result<Plan, Error> {
        plan_unruled(self, forecast).map_err(|e| e.in_rule(RuleId::Use08))
    }
}

/// [`UsagePolicy::plan`] before it names R-USE-08 on an arithmetic error.
fn plan_unruled(policy: &UsagePolicy, forecast: &Forecast) -> Result<Plan, Error> {
    let price = policy.prices().require(forecast.component)?;
    let catalogue = policy.catalogue();
    let horizon = forecast.horizon;
    let longest = catalogue
        .validities()
        .iter()
        .max()
        .copied()
        .unwrap_or_default();
    if horizon.0 == 0 || horizon > longest {
        return Err(Reason::new(
            RuleId::Use08,
            format!(
                "a horizon of {horizon} cannot be planned in one validity window: use 1 to {} \
                 days, and plan a longer horizon window by window",
                longest.0
            ),
        )
        .with(Figure::count("horizon_days", u64::from(horizon.0)))
        .with(Figure::count("longest_validity_days", u64::from(longest.0)))
        .into());
    }

    let linear = linear_option(policy, price, horizon);
    let candidates = candidates(policy, horizon, linear.map(|l| l.unit_price))?;
    // R-USE-02/07: free trial calls first; the rest is what is paid for.
    let trial = forecast.trial_calls.min(forecast.calls);
    let n = forecast.calls - trial;

    let mut counts: Vec<u64> = vec![0; candidates.len()];
    let mut linear_calls: u64 = 0;
    if n > 0 {
        match (candidates.is_empty(), linear) {
            (true, None) => {
                return Err(Reason::new(
                    RuleId::Use08,
                    format!(
                        "nothing can cover {n} calls over {horizon}: no listed package lasts the \
                         horizon, and neither per-call billing nor custom packages are available"
                    ),
                )
                .with(Figure::count("calls", n))
                .with(Figure::count("horizon_days", u64::from(horizon.0)))
                .into());
            }
            (true, Some(_)) => linear_calls = n,
            (false, _) => {
                let priced = Priced::new(&candidates, linear.map(|l| l.unit_price))?;
                let solution = match planner_search::solve(&priced, n) {
                    Some(found) => found,
                    None => planner_residue::Model::new(&priced)?.solve(n)?,
                };
                counts = solution.package_counts;
                linear_calls = solution.linear_calls;
            }
        }
    }

    let currency = price.currency();
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[b].calls.cmp(&candidates[a].calls));
    let mut lines = Vec::new();
    if trial > 0 {
        lines.push(PlanLine::Trial {
            calls: trial,
            subtotal: Money::zero(currency),
        });
    }
    for i in order {
        let count = counts.get(i).copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        let c = &candidates[i];
        lines.push(PlanLine::Package {
            calls: c.calls,
            validity: c.validity,
            price: c.price,
            count,
            subtotal: c.price.checked_mul(Decimal::from(count))?,
        });
    }
    if linear_calls > 0
        && let Some(l) = linear
    {
        let subtotal = l.unit_price.checked_mul(Decimal::from(linear_calls))?;
        lines.push(match l.custom_validity {
            Some(validity) => PlanLine::Custom {
                calls: linear_calls,
                validity,
                unit_price: l.unit_price,
                subtotal,
            },
            None => PlanLine::PerCall {
                calls: linear_calls,
                unit_price: l.unit_price,
                subtotal,
            },
        });
    }
    let total = Money::checked_sum(currency, lines.iter().map(PlanLine::subtotal))?;
    let covered = lines.iter().try_fold(0u64, |sum, l| {
        sum.checked_add(l.calls())
            .ok_or_else(|| ArithmeticError::overflow("count the calls a plan covers"))
    })?;
    let pay_per_call = price.checked_mul(Decimal::from(n))?;
    let saving = pay_per_call.checked_sub(total)?;
    let made = forecast.calls;
    let per_call_cost = if made == 0 {
        None
    } else {
        // The true quotient, rounded once: rounding a 28-digit quotient
        // again could tip a near-tie (two roundings of one amount).
        let rounding = Rounding::new(RoundingMode::HalfUp, currency.scale().saturating_add(4));
        let rounded = crate::exact::div_round(total.amount(), Decimal::from(made), rounding)?;
        Some(without_padding(rounded, total.amount().scale()))
    };
    Ok(Plan {
        forecast: *forecast,
        lines,
        covered,
        total,
        per_call_cost,
        pay_per_call,
        saving,
    })
}

/// The per-call way to cover calls: overage or a custom package.
#[derive(Debug, Clone, Copy)]
struct Linear {
    unit_price: Money,
    /// `Some` for a custom package (its validity), `None` for overage.
    custom_validity: Option<Days>,
}

fn linear_option(policy: &UsagePolicy, price: Money, horizon: Days) -> Option<Linear> {
    let overage = (policy.when_exhausted() == WhenExhausted::PerCall).then_some(Linear {
        unit_price: price,
        custom_validity: None,
    });
    let catalogue = policy.catalogue();
    let custom_validity = catalogue
        .validities()
        .iter()
        .filter(|v| **v >= horizon)
        .min()
        .copied();
    let custom = match (catalogue.custom_unit_price(), custom_validity) {
        (Some(unit_price), Some(validity)) => Some(Linear {
            unit_price,
            custom_validity: Some(validity),
        }),
        _ => None,
    };
    match (overage, custom) {
        (Some(o), Some(c)) if c.unit_price.amount() < o.unit_price.amount() => Some(c),
        (Some(o), _) => Some(o),
        (None, c) => c,
    }
}

/// Listed packages that last the horizon, the cheapest per size, beating
/// the linear price strictly.
fn candidates(
    policy: &UsagePolicy,
    horizon: Days,
    linear: Option<Money>,
) -> Result<Vec<Candidate>, Error> {
    let mut out: Vec<Candidate> = Vec::new();
    // Where each size sits in `out`: one lookup per package, so a catalogue
    // of 10^6 sizes is not compared pairwise.
    let mut by_size: HashMap<u64, usize> = HashMap::new();
    for p in policy.catalogue().packages() {
        if p.validity < horizon {
            continue;
        }
        if let Some(unit) = linear {
            // Dropped unless price < unit x calls: the same calls bought per
            // call would cost no more. A product too large for a Decimal is
            // above every price, so the package stays a candidate.
            match unit.checked_mul(Decimal::from(p.calls)) {
                Ok(linear_cost) if p.price.amount() >= linear_cost.amount() => continue,
                Ok(_) | Err(ArithmeticError::Overflow { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        match by_size.get(&p.calls).and_then(|&i| out.get_mut(i)) {
            Some(c) => {
                let cheaper = p.price.amount() < c.price.amount();
                let shorter = p.price.amount() == c.price.amount() && p.validity < c.validity;
                if cheaper || shorter {
                    *c = Candidate {
                        calls: p.calls,
                        price: p.price,
                        validity: p.validity,
                    };
                }
            }
            None => {
                by_size.insert(p.calls, out.len());
                out.push(Candidate {
                    calls: p.calls,
                    price: p.price,
                    validity: p.validity,
                });
            }
        }
    }
    Ok(out)
}

/// `value` without the trailing zeros a rounding padded past `places`: a
/// cost per call reads 0.028 (or 0.03), not 0.028000.
fn without_padding(value: Decimal, places: u32) -> Decimal {
    let stripped = value.normalize();
    if stripped.scale() >= places {
        return stripped;
    }
    let mut shown = stripped;
    shown.rescale(places.min(value.scale()));
    shown
}
