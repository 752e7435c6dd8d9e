//! The branch-and-bound solver of the package planner (R-USE-08), tried
//! first: its work depends on how close the candidates' rates are, not on
//! their sizes, so a catalogue of sizes with no common divisor (50,001 and
//! 1,000,003 calls) plans in microseconds where the residue table
//! ([`super::planner_residue`]) would need one class per call of the
//! best-rate package. When it needs more than [`NODE_LIMIT`] steps it gives
//! up, and the residue solver answers instead; see the
//! [planner's docs](super::planner) for why both are exact.

use super::planner_problem::{Priced, Solution};

/// The most nodes (choices of a package count) the search visits before it
/// hands the plan to the residue solver. A node is a few integer operations;
/// at this limit the search takes well under a millisecond.
pub(super) const NODE_LIMIT: u64 = 1 << 14;

/// The most package sizes the search takes: its recursion is one level per
/// size, and a catalogue of thousands of sizes is the residue solver's case.
const MAX_SIZES: usize = 64;

/// A price for a number of calls: a package, or per-call overage (1 call).
#[derive(Debug, Clone, Copy)]
struct Rate {
    cost: i128,
    calls: u64,
}

impl Rate {
    /// `self` is a lower price per call than `other` (cross-multiplied;
    /// the products were checked to fit when the search was set up).
    fn below(self, other: Rate) -> bool {
        self.cost.saturating_mul(i128::from(other.calls))
            < other.cost.saturating_mul(i128::from(self.calls))
    }

    fn same(self, other: Rate) -> bool {
        !self.below(other) && !other.below(self)
    }
}

/// A candidate package, in the search's order.
#[derive(Debug, Clone, Copy)]
struct Item {
    /// Its place in the candidates.
    index: usize,
    rate: Rate,
    /// The most copies some optimal plan holds (dominance, see
    /// [`cap_dominated`]).
    cap: u64,
}

/// What is left to cover calls with from one level of the search on: the
/// best rate, the gcd of the sizes of the packages at that rate, and the
/// next worse rate. Per-call overage counts as a rate for one call.
#[derive(Debug, Clone, Copy)]
struct Rest {
    best: Option<Rate>,
    gcd: u64,
    worse: Option<Rate>,
    /// Without per-call overage: the gcd of every size left (what is
    /// covered is a multiple of it) and the largest size (how many
    /// packages covering takes at least). With it, 1 and 0: overage covers
    /// any number of calls with no package.
    granule: u64,
    largest: u64,
}

impl Rest {
    /// The least calls covered, and packages bought, in covering `left`.
    fn least_cover(&self, left: u64) -> (u128, u64) {
        let covered = u128::from(left.div_ceil(self.granule)) * u128::from(self.granule);
        let packages = if self.largest == 0 {
            0
        } else {
            left.div_ceil(self.largest)
        };
        (covered, packages)
    }
}

/// A plan's key: cost, calls covered, packages bought. The least key wins:
/// the cheapest plan; among those, the one buying fewest calls (per-call
/// overage before a package that overshoots); then the fewest packages.
type Key = (i128, u128, u64);

/// The best plan found so far.
struct Best {
    key: Key,
    counts: Vec<u64>,
    linear_calls: u64,
}

/// The search gave up: too many nodes, or a figure beyond `i128`.
struct GiveUp;

/// The cheapest covering of `calls` with `priced`, or `None` when the search
/// gave up (the caller then asks the residue solver).
pub(super) fn solve(priced: &Priced, calls: u64) -> Option<Solution> {
    solve_within(priced, calls, NODE_LIMIT)
}

/// [`solve`], giving up after `limit` nodes.
fn solve_within(priced: &Priced, calls: u64, limit: u64) -> Option<Solution> {
    if priced.sizes.len() > MAX_SIZES {
        return None;
    }
    let linear = priced.linear.map(|cost| Rate { cost, calls: 1 });
    let mut items = Vec::with_capacity(priced.sizes.len());
    for (index, (&calls, &cost)) in priced.sizes.iter().zip(&priced.costs).enumerate() {
        items.push(Item {
            index,
            rate: Rate { cost, calls },
            cap: u64::MAX,
        });
    }
    // Every rate comparison cross-multiplies two of these; check they fit
    // once, so that comparisons cannot fail later.
    for a in items.iter().map(|i| i.rate).chain(linear) {
        for b in items.iter().map(|i| i.rate).chain(linear) {
            a.cost.checked_mul(i128::from(b.calls))?;
        }
    }
    cap_dominated(&mut items)?;
    order(&mut items);
    let rests = (0..=items.len())
        .map(|i| rest_from(&items[i..], linear))
        .collect();
    let mut search = Search {
        counts: vec![0; items.len()],
        items,
        rests,
        linear,
        calls,
        best: None,
        nodes: 0,
        limit,
    };
    search.visit(0, calls, 0, 0).ok()?;
    let best = search.best?;
    let mut package_counts = vec![0; priced.sizes.len()];
    for (item, count) in search.items.iter().zip(best.counts) {
        package_counts[item.index] = count;
    }
    Some(Solution {
        package_counts,
        linear_calls: best.linear_calls,
    })
}

/// Caps an item at `k - 1` copies when another has exactly `k` times its
/// size at no more than `k` times its price: `k` copies can be swapped for
/// the larger package, for no more money and fewer packages, so the least
/// key never holds `k`. This keeps equal-rate sizes such as 1,000 and
/// 5,000 calls at 0.03 from multiplying the search.
fn cap_dominated(items: &mut [Item]) -> Option<()> {
    for i in 0..items.len() {
        for j in 0..items.len() {
            let (small, large) = (items[i].rate, items[j].rate);
            if i == j || !large.calls.is_multiple_of(small.calls) {
                continue;
            }
            let k = large.calls / small.calls;
            if k >= 2 && large.cost <= small.cost.checked_mul(i128::from(k))? {
                items[i].cap = items[i].cap.min(k - 1);
            }
        }
    }
    Some(())
}

/// The order the counts are chosen in: the largest package first. A large
/// package's count has few values that can help, and what it leaves is
/// smaller; the small sizes, which often share a divisor, come last, where
/// the gcd in [`group_bound`] and [`Rest::least_cover`] makes the bounds
/// nearly exact. (Best rate first, the textbook order, gave up on many
/// more catalogues with awkward sizes: the near-equal rates of 1,000 and
/// 99,991 calls at about 0.03 then came last, both, with a loose bound.)
fn order(items: &mut [Item]) {
    items.sort_by_key(|i| std::cmp::Reverse(i.rate.calls));
}

/// The [`Rest`] of `items` and per-call overage.
fn rest_from(items: &[Item], linear: Option<Rate>) -> Rest {
    let rates = items.iter().map(|i| i.rate).chain(linear);
    let best = rates.clone().reduce(|a, b| if b.below(a) { b } else { a });
    let (granule, largest) = match linear {
        Some(_) => (1, 0),
        None => (
            items.iter().fold(0, |g, i| gcd(g, i.rate.calls)).max(1),
            items.iter().map(|i| i.rate.calls).max().unwrap_or(0),
        ),
    };
    let Some(best) = best else {
        return Rest {
            best: None,
            gcd: 1,
            worse: None,
            granule,
            largest,
        };
    };
    // Overage at the best rate covers any number of calls: a gcd of 1.
    let gcd = items
        .iter()
        .map(|i| i.rate)
        .chain(linear)
        .filter(|r| r.same(best))
        .fold(0, |g, r| gcd(g, r.calls))
        .max(1);
    let worse = rates
        .filter(|r| best.below(*r))
        .reduce(|a, b| if b.below(a) { b } else { a });
    Rest {
        best: Some(best),
        gcd,
        worse,
        granule,
        largest,
    }
}

struct Search {
    items: Vec<Item>,
    /// Per level (and one past the last): what is left from there on.
    rests: Vec<Rest>,
    linear: Option<Rate>,
    calls: u64,
    /// The counts on the current path, per item.
    counts: Vec<u64>,
    best: Option<Best>,
    nodes: u64,
    limit: u64,
}

impl Search {
    /// Chooses how many of `items[i]` to buy, with `rest` calls still to
    /// cover (more than zero), `cost` spent and `packages` bought.
    ///
    /// The count runs from the most that can help down to 0 when this item
    /// is at least as good a rate as anything after it, and up from 0
    /// otherwise: either way the rate bound of what follows only grows
    /// along the run, so the run stops at the first count whose bound
    /// exceeds the best cost found.
    fn visit(&mut self, i: usize, rest: u64, cost: i128, packages: u64) -> Result<(), GiveUp> {
        let Some(item) = self.items.get(i).copied() else {
            // No package left: the rest per call, when the policy allows.
            if let Some(linear) = self.linear {
                let total = add(cost, mul(linear.cost, i128::from(rest))?)?;
                self.offer((total, u128::from(self.calls), packages), rest);
            }
            return Ok(());
        };
        let after = self.rests[i + 1];
        let most = rest.div_ceil(item.rate.calls).min(item.cap);
        let downward = after.best.is_none_or(|b| !b.below(item.rate));
        let mut count = if downward { most } else { 0 };
        loop {
            self.nodes += 1;
            if self.nodes > self.limit {
                return Err(GiveUp);
            }
            let spent = add(cost, mul(item.rate.cost, i128::from(count))?)?;
            let bought = packages.saturating_add(count);
            let covered = u128::from(count) * u128::from(item.rate.calls);
            self.counts[i] = count;
            if covered >= u128::from(rest) {
                let total = u128::from(self.calls - rest) + covered;
                self.offer((spent, total, bought), 0);
                if !downward {
                    // More copies only cost more.
                    break;
                }
            } else {
                let left = rest - covered as u64;
                let Some(floor) = rate_bound(after, left, spent)? else {
                    // Nothing after this item covers calls: only a count
                    // that covers alone can, and it was the first tried.
                    break;
                };
                if self.best.as_ref().is_some_and(|best| floor > best.key.0) {
                    break;
                }
                let bound = group_bound(after, left, spent)?;
                let (more_calls, more_packages) = after.least_cover(left);
                let key = (
                    bound,
                    u128::from(self.calls - left) + more_calls,
                    bought.saturating_add(more_packages),
                );
                if self.best.as_ref().is_none_or(|best| key < best.key) {
                    self.visit(i + 1, left, spent, bought)?;
                }
            }
            match (downward, count) {
                (true, 0) => break,
                (true, _) => count -= 1,
                (false, _) if count >= most => break,
                (false, _) => count += 1,
            }
        }
        self.counts[i] = 0;
        Ok(())
    }

    /// Keeps the current path (plus `linear_calls` per call) when its key
    /// beats the best so far.
    fn offer(&mut self, key: Key, linear_calls: u64) {
        if self.best.as_ref().is_none_or(|best| key < best.key) {
            self.best = Some(Best {
                key,
                counts: self.counts.clone(),
                linear_calls,
            });
        }
    }
}

/// A lower bound on `spent` plus the cost of covering `rest` calls with
/// what is left: `rest` at the best rate left, rounded up to a whole scaled
/// unit. `None` when nothing is left to cover calls with.
fn rate_bound(after: Rest, rest: u64, spent: i128) -> Result<Option<i128>, GiveUp> {
    let Some(best) = after.best else {
        return Ok(None);
    };
    let at_best = ceil_div(mul(best.cost, i128::from(rest))?, best.calls);
    Ok(Some(add(spent, at_best)?))
}

/// A tighter lower bound than [`rate_bound`], for pruning one choice: the
/// packages at the best rate left cover only multiples of their gcd `g`,
/// so `rest = q g + r` is covered either by `q + 1` blocks of `g` at that
/// rate, or by `q` blocks and `r` calls at the next worse rate. Without it,
/// equal-rate sizes that reach one multiple of `g` in many ways (1,000,
/// 10,000 and 500,000 calls at 0.03) would each be tried against a bound
/// that ignores the rest.
fn group_bound(after: Rest, rest: u64, spent: i128) -> Result<i128, GiveUp> {
    let best = after.best.ok_or(GiveUp)?;
    let g = after.gcd;
    let (q, r) = (rest / g, rest % g);
    let block = mul(best.cost, i128::from(g))?;
    let mut least = ceil_div(mul(block, i128::from(q + u64::from(r > 0)))?, best.calls);
    if r > 0
        && let Some(worse) = after.worse
    {
        // q g best.cost / best.calls + r worse.cost / worse.calls.
        let numerator = add(
            mul(mul(block, i128::from(q))?, i128::from(worse.calls))?,
            mul(mul(worse.cost, i128::from(r))?, i128::from(best.calls))?,
        )?;
        let denominator =
            u64::try_from(u128::from(best.calls) * u128::from(worse.calls)).map_err(|_| GiveUp)?;
        least = least.min(ceil_div(numerator, denominator));
    }
    add(spent, least)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `n / d` rounded up, for `n >= 0` and `d > 0`.
fn ceil_div(n: i128, d: u64) -> i128 {
    let d = i128::from(d);
    n / d + i128::from(n % d != 0)
}

fn mul(a: i128, b: i128) -> Result<i128, GiveUp> {
    a.checked_mul(b).ok_or(GiveUp)
}

fn add(a: i128, b: i128) -> Result<i128, GiveUp> {
    a.checked_add(b).ok_or(GiveUp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::planner_residue::Model;
    use proptest::prelude::*;

    /// The cost and the calls covered of `solution`.
    fn cost_of(priced: &Priced, solution: &Solution) -> (i128, u128) {
        let mut cost = i128::from(solution.linear_calls) * priced.linear.unwrap_or(0);
        let mut covered = u128::from(solution.linear_calls);
        for ((&count, &size), &price) in solution
            .package_counts
            .iter()
            .zip(&priced.sizes)
            .zip(&priced.costs)
        {
            cost += i128::from(count) * price;
            covered += u128::from(count) * u128::from(size);
        }
        (cost, covered)
    }

    /// Catalogues of awkward sizes (no common divisor to speak of) at rates
    /// close to each other, with or without overage: what the search is
    /// for, small enough for the residue solver to check.
    fn priced() -> impl Strategy<Value = Priced> {
        (
            prop::collection::btree_map(1u64..=3000, 2_600i128..=3_000, 1..=6),
            prop::option::of(3_000i128..=3_200),
        )
            .prop_map(|(packages, linear)| Priced {
                sizes: packages.keys().copied().collect(),
                // A price in thousandths of a fen: size x rate.
                costs: packages
                    .iter()
                    .map(|(&size, &rate)| i128::from(size) * rate)
                    .collect(),
                linear,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The search and the residue solver, both exact, agree on the
        /// cost; the search's plan covers the forecast.
        #[test]
        fn r_use_08_search_agrees_with_the_residue_solver(
            priced in priced(),
            calls in prop_oneof![1u64..=5_000, 1u64..=1_000_000],
        ) {
            let Ok(residue) = Model::new(&priced).and_then(|m| m.solve(calls)) else {
                return Err(TestCaseError::fail("the residue solver failed"));
            };
            let Some(found) = solve(&priced, calls) else {
                // Giving up is allowed (the residue solver answers then).
                return Ok(());
            };
            let (cost, covered) = cost_of(&priced, &found);
            prop_assert!(covered >= u128::from(calls));
            prop_assert_eq!(cost, cost_of(&priced, &residue).0);
        }
    }

    /// The least key (cost, calls covered, packages) over every plan, by a
    /// dynamic programme over exact package totals.
    fn brute_key(priced: &Priced, calls: u64) -> Option<Key> {
        let largest = priced.sizes.iter().copied().max().unwrap_or(0);
        let len = usize::try_from(calls + largest).ok()? + 1;
        let mut exact: Vec<Option<(i128, u64)>> = vec![None; len];
        exact[0] = Some((0, 0));
        for total in 1..len {
            for (&size, &cost) in priced.sizes.iter().zip(&priced.costs) {
                let size = usize::try_from(size).ok()?;
                if let Some(Some((c, n))) = total.checked_sub(size).map(|from| exact[from]) {
                    let candidate = (c + cost, n + 1);
                    if exact[total].is_none_or(|e| candidate < e) {
                        exact[total] = Some(candidate);
                    }
                }
            }
        }
        let mut best: Option<Key> = None;
        for (total, reached) in exact.iter().enumerate() {
            let Some((cost, packages)) = *reached else {
                continue;
            };
            let total = total as u64;
            let key = if total >= calls {
                (cost, u128::from(total), packages)
            } else if let Some(price) = priced.linear {
                (
                    cost + price * i128::from(calls - total),
                    u128::from(calls),
                    packages,
                )
            } else {
                continue;
            };
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On small catalogues the search finds the least key of all
        /// plans: the cheapest, then the fewest calls bought, then the
        /// fewest packages.
        #[test]
        fn r_use_08_search_finds_the_least_key(
            // Few rates, so that plans of equal cost and equal calls are
            // common and the later keys decide.
            sizes in prop::collection::btree_map(1u64..=60, prop_oneof![Just(30i128), 20i128..=40], 1..=5),
            linear in prop::option::of(30i128..=45),
            calls in 1u64..=300,
        ) {
            let priced = Priced {
                sizes: sizes.keys().copied().collect(),
                costs: sizes.iter().map(|(&s, &r)| i128::from(s) * r).collect(),
                linear,
            };
            let Some(found) = solve(&priced, calls) else {
                return Err(TestCaseError::fail("the search gave up"));
            };
            let (cost, covered) = cost_of(&priced, &found);
            let packages: u64 = found.package_counts.iter().sum();
            prop_assert_eq!(Some((cost, covered, packages)), brute_key(&priced, calls));
        }
    }

    #[test]
    fn r_use_08_search_gives_up_past_its_node_limit() -> Result<(), String> {
        let priced = Priced {
            sizes: vec![1009, 997, 1013],
            costs: vec![30_270, 29_910, 30_390],
            linear: None,
        };
        assert!(solve_within(&priced, 123_457, 3).is_none());
        let found = solve(&priced, 123_457).ok_or("the search gave up")?;
        let residue = Model::new(&priced)
            .and_then(|m| m.solve(123_457))
            .map_err(|e| e.to_string())?;
        assert_eq!(cost_of(&priced, &found).0, cost_of(&priced, &residue).0);
        Ok(())
    }

    #[test]
    fn r_use_08_dominated_counts_are_capped() -> Result<(), &'static str> {
        // 5 x 1,000 calls at 30 is one 5,000 at 150: at most 4 of the 1,000.
        let mut items = [1000u64, 5000, 1_000_003].map(|calls| Item {
            index: 0,
            rate: Rate {
                cost: i128::from(calls) * 3,
                calls,
            },
            cap: u64::MAX,
        });
        cap_dominated(&mut items).ok_or("overflow")?;
        assert_eq!(items.map(|i| i.cap), [4, u64::MAX, u64::MAX]);
        Ok(())
    }
}
