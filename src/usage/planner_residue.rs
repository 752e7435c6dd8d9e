//! The residue-class solver of the package planner (R-USE-08): the exact
//! method described in the [planner's docs](super::planner), in
//! `O(m x items)` steps where `m` is the best-rate package's size in units
//! of the sizes' gcd.

use crate::error::{ArithmeticError, Error, Figure, Reason};
use crate::rule::RuleId;

use super::planner_problem::{Priced, Solution};

/// The largest table the residue solver builds (entries): published as
/// [`Plan::TABLE_LIMIT`](super::Plan::TABLE_LIMIT).
pub(super) const TABLE_LIMIT: u64 = 1 << 21;

/// The most steps (table entries x package sizes) the residue solver takes:
/// published as [`Plan::WORK_LIMIT`](super::Plan::WORK_LIMIT).
pub(super) const WORK_LIMIT: u64 = 1 << 24;

/// An item of the covering knapsack, in units of the gcd.
#[derive(Debug, Clone, Copy)]
struct Item {
    units: u64,
    cost: i128,
}

/// The knapsack in integers: candidate packages (and, with a linear price,
/// a block of `g` linear calls as the last item).
pub(super) struct Model {
    gcd: u64,
    items: Vec<Item>,
    /// The linear price per call, scaled, when there is one.
    linear: Option<i128>,
    packages: usize,
}

const NONE: u32 = u32::MAX;

impl Model {
    pub(super) fn new(priced: &Priced) -> Result<Model, Error> {
        let gcd = priced.sizes.iter().fold(0u64, |g, &c| gcd(g, c));
        let mut items = Vec::with_capacity(priced.sizes.len() + 1);
        for (&calls, &cost) in priced.sizes.iter().zip(&priced.costs) {
            items.push(Item {
                units: calls / gcd.max(1),
                cost,
            });
        }
        let linear = priced.linear;
        if let Some(p) = linear {
            items.push(Item {
                units: 1,
                cost: mul(p, i128::from(gcd))?,
            });
        }
        if items.len() >= NONE as usize {
            return Err(too_large("package sizes", items.len() as u64));
        }
        Ok(Model {
            gcd: gcd.max(1),
            items,
            linear,
            packages: priced.sizes.len(),
        })
    }

    pub(super) fn solve(&self, n: u64) -> Result<Solution, Error> {
        let g = self.gcd;
        let cover = Cover::new(&self.items)?;
        let (counts, extra_linear) = match self.linear {
            Some(p) => {
                let (q, e) = (n / g, n % g);
                let a = cover.solve(q)?;
                if e == 0 {
                    (a.counts, 0)
                } else {
                    let cost_a = add(a.cost, mul(p, i128::from(e))?)?;
                    let b = cover.solve(q.saturating_add(1))?;
                    // On a tie, the plan paying the remainder per call: it
                    // buys fewer calls in advance.
                    if b.cost < cost_a {
                        (b.counts, 0)
                    } else {
                        (a.counts, e)
                    }
                }
            }
            None => {
                let t = n / g + u64::from(!n.is_multiple_of(g));
                (cover.solve(t)?.counts, 0)
            }
        };
        let mut package_counts = counts;
        let blocks = if self.linear.is_some() {
            package_counts.pop().unwrap_or(0)
        } else {
            0
        };
        package_counts.truncate(self.packages);
        let linear_calls = blocks
            .checked_mul(g)
            .and_then(|c| c.checked_add(extra_linear))
            .ok_or_else(|| ArithmeticError::overflow("count linear calls"))?;
        Ok(Solution {
            package_counts,
            linear_calls,
        })
    }
}

/// A covering solution: counts per item, and its cost.
struct Covering {
    counts: Vec<u64>,
    cost: i128,
}

/// The residue-class shortest paths for one item set (module docs).
struct Cover<'a> {
    items: &'a [Item],
    best: usize,
    m: u64,
    /// Least (reduced cost, size, items) per residue; `None` when
    /// unreachable. Size and item count only break ties.
    labels: Vec<Option<Label>>,
    /// The item of the last relaxation into each residue.
    via: Vec<u32>,
}

impl<'a> Cover<'a> {
    fn new(items: &'a [Item]) -> Result<Cover<'a>, Error> {
        let mut best = 0usize;
        for (i, it) in items.iter().enumerate().skip(1) {
            let b = &items[best];
            // rate_i < rate_b  <=>  c_i u_b < c_b u_i; ties go to the larger.
            let lhs = mul(it.cost, i128::from(b.units))?;
            let rhs = mul(b.cost, i128::from(it.units))?;
            if lhs < rhs || (lhs == rhs && it.units > b.units) {
                best = i;
            }
        }
        let b = items[best];
        let m = b.units;
        if m > TABLE_LIMIT {
            return Err(too_large("residue classes", m));
        }
        within_work_limit(m, items.len())?;
        let size = usize::try_from(m).map_err(|_| too_large("residue classes", m))?;
        let mut labels: Vec<Option<Label>> = vec![None; size];
        let mut via = vec![NONE; size];
        labels[0] = Some((0, 0, 0));
        for (i, it) in items.iter().enumerate() {
            let step = it.units % m;
            if i == best || step == 0 {
                // Adding b, or a multiple of b's size at no better rate,
                // never improves a residue.
                continue;
            }
            let w = sub(
                mul(it.cost, i128::from(m))?,
                mul(i128::from(it.units), b.cost)?,
            )?;
            let cycles = gcd(step, m);
            let length = m / cycles;
            for start in 0..cycles {
                // The cycle's least label cannot improve: begin there.
                let mut min_at = start;
                let mut at = start;
                for _ in 0..length {
                    if better(labels[at as usize], labels[min_at as usize]) {
                        min_at = at;
                    }
                    at = (at + step) % m;
                }
                let mut at = min_at;
                for _ in 1..length {
                    let next = (at + step) % m;
                    if let Some((red, units, count)) = labels[at as usize] {
                        let candidate = Some((
                            add(red, w)?,
                            units
                                .checked_add(it.units)
                                .ok_or_else(|| ArithmeticError::overflow("plan sizes"))?,
                            count.saturating_add(1),
                        ));
                        if better(candidate, labels[next as usize]) {
                            labels[next as usize] = candidate;
                            via[next as usize] = i as u32;
                        }
                    }
                    at = next;
                }
            }
        }
        Ok(Cover {
            items,
            best,
            m,
            labels,
            via,
        })
    }

    /// The cheapest covering of `t` units.
    fn solve(&self, t: u64) -> Result<Covering, Error> {
        let mut counts = vec![0u64; self.items.len()];
        if t == 0 {
            return Ok(Covering { counts, cost: 0 });
        }
        let b = self.items[self.best];
        let m = self.m;
        // (bound, total, items, residue, achievable) of the best residue.
        let mut best: Option<(i128, u64, u64, u64, bool)> = None;
        let t_mod = t % m;
        for (r, label) in self.labels.iter().enumerate() {
            let Some((red, size, count)) = *label else {
                continue;
            };
            let r = r as u64;
            let o = (r + m - t_mod) % m;
            let total = t
                .checked_add(o)
                .ok_or_else(|| ArithmeticError::overflow("plan sizes"))?;
            let bound = add(red, mul(i128::from(total), b.cost)?)?;
            let achievable = size <= total;
            // Ties: an achievable bound, then the least overshoot, then the
            // fewest packages.
            let items = count.saturating_add(total.saturating_sub(size) / m);
            let wins = match best {
                None => true,
                Some((bb, bt, bi, _, ba)) => (bound, !achievable, total, items) < (bb, !ba, bt, bi),
            };
            if wins {
                best = Some((bound, total, items, r, achievable));
            }
        }
        match best {
            Some((_, total, _, r, true)) => {
                let size = self.walk(r, &mut counts)?;
                // total - size is a multiple of m: the copies of b.
                counts[self.best] = counts[self.best].saturating_add((total - size) / m);
                let cost = self.cost_of(&counts)?;
                Ok(Covering { counts, cost })
            }
            _ => self.small(t),
        }
    }

    /// Collects the items on the path to residue `r`; returns its size.
    fn walk(&self, mut r: u64, counts: &mut [u64]) -> Result<u64, Error> {
        let mut size = 0u64;
        for _ in 0..=self.m {
            let i = self.via[r as usize];
            if i == NONE {
                return Ok(size);
            }
            let it = self.items[i as usize];
            counts[i as usize] += 1;
            size = size
                .checked_add(it.units)
                .ok_or_else(|| ArithmeticError::overflow("plan sizes"))?;
            r = (r + self.m - it.units % self.m) % self.m;
        }
        Err(ArithmeticError::overflow("retrace a plan").into())
    }

    fn cost_of(&self, counts: &[u64]) -> Result<i128, Error> {
        counts
            .iter()
            .zip(self.items)
            .try_fold(0i128, |sum, (&k, it)| {
                add(sum, mul(i128::from(k), it.cost)?)
            })
    }

    /// The exact dynamic programme over totals `0 .. t + u_max` (module docs).
    fn small(&self, t: u64) -> Result<Covering, Error> {
        // An item of `t` units or more covers alone, for no more than any
        // plan holding it: the cheapest such item (then the smallest) is
        // the only one worth trying, and the table need not reach past the
        // largest item below `t`. So its size depends on the forecast, not
        // on how large the packages are.
        let single = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.units >= t)
            .min_by_key(|(_, it)| (it.cost, it.units));
        let u_max = self
            .items
            .iter()
            .map(|i| i.units)
            .filter(|&u| u < t)
            .max()
            .unwrap_or(0);
        let len = t
            .checked_add(u_max)
            .filter(|&l| l <= TABLE_LIMIT)
            .ok_or_else(|| too_large("totals", t.saturating_add(u_max)))?;
        within_work_limit(len, self.items.len())?;
        let len = len as usize;
        // (cost, items) to reach each total exactly.
        let mut cost: Vec<Option<(i128, u64)>> = vec![None; len];
        let mut via = vec![NONE; len];
        cost[0] = Some((0, 0));
        for total in 1..len {
            for (i, it) in self.items.iter().enumerate() {
                let Ok(u) = usize::try_from(it.units) else {
                    continue;
                };
                if u > total || it.units >= t {
                    continue;
                }
                if let Some((c, n)) = cost[total - u] {
                    let candidate = (add(c, it.cost)?, n.saturating_add(1));
                    if cost[total].is_none_or(|best| candidate < best) {
                        cost[total] = Some(candidate);
                        via[total] = i as u32;
                    }
                }
            }
        }
        // The least cost, then the least total, then the fewest packages.
        let mut best: Option<((i128, u64), usize)> = None;
        for (total, c) in cost.iter().enumerate().skip(t as usize) {
            if let Some(c) = *c
                && best.is_none_or(|(bc, _)| c.0 < bc.0)
            {
                best = Some((c, total));
            }
        }
        let mut counts = vec![0u64; self.items.len()];
        if let Some((i, it)) = single
            && best.is_none_or(|((cost, _), total)| (it.cost, it.units) < (cost, total as u64))
        {
            counts[i] = 1;
            return Ok(Covering {
                counts,
                cost: it.cost,
            });
        }
        let ((best_cost, _), mut total) =
            best.ok_or_else(|| ArithmeticError::overflow("cover a forecast"))?;
        while total > 0 {
            let i = via[total];
            let Some(it) = self.items.get(i as usize) else {
                break;
            };
            counts[i as usize] += 1;
            total -= it.units as usize;
        }
        Ok(Covering {
            counts,
            cost: best_cost,
        })
    }
}

/// Reduced cost, size in units, and number of items of a path.
type Label = (i128, u64, u64);

/// `a` beats `b`: reachable, and less reduced cost, then less size, then
/// fewer items.
fn better(a: Option<Label>, b: Option<Label>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a < b,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn mul(a: i128, b: i128) -> Result<i128, Error> {
    a.checked_mul(b)
        .ok_or_else(|| ArithmeticError::overflow("compare package prices").into())
}

fn add(a: i128, b: i128) -> Result<i128, Error> {
    a.checked_add(b)
        .ok_or_else(|| ArithmeticError::overflow("compare package prices").into())
}

fn sub(a: i128, b: i128) -> Result<i128, Error> {
    a.checked_sub(b)
        .ok_or_else(|| ArithmeticError::overflow("compare package prices").into())
}

/// Refuses a table of `entries` relaxed once per item when that is more
/// than [`WORK_LIMIT`] steps (R-USE-08).
fn within_work_limit(entries: u64, items: usize) -> Result<(), Error> {
    let items = u64::try_from(items).unwrap_or(u64::MAX);
    let steps = entries.saturating_mul(items);
    if steps <= WORK_LIMIT {
        return Ok(());
    }
    Err(Reason::new(
        RuleId::Use08,
        format!(
            "planning exactly would take {steps} steps ({entries} table entries x {items} \
             package sizes), above the limit of {WORK_LIMIT}; list fewer package sizes that \
             last the horizon, or sizes with a larger common divisor"
        ),
    )
    .with(Figure::count("steps", steps))
    .with(Figure::count("work_limit", WORK_LIMIT))
    .with(Figure::count("package_sizes", items))
    .into())
}

fn too_large(what: &str, size: u64) -> Error {
    Reason::new(
        RuleId::Use08,
        format!(
            "planning exactly would need a table of {size} {what}, above the limit of \
             {TABLE_LIMIT}; use package sizes with a larger common divisor, or a smaller forecast"
        ),
    )
    .with(Figure::count("table_size", size))
    .with(Figure::count("table_limit", TABLE_LIMIT))
    .into()
}
