//! What the package planner's two solvers solve (R-USE-08): the candidate
//! packages as exact integers, and the answer they give. Both solvers
//! ([`super::planner_search`], [`super::planner_residue`]) and the planner
//! that calls them ([`super::planner`]) use these types, so they live below
//! all three.

use rust_decimal::Decimal;

use crate::error::{ArithmeticError, Error};
use crate::money::Money;
use crate::time::Days;

/// A package the plan may buy.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// Its size.
    pub(super) calls: u64,
    /// Its price.
    pub(super) price: Money,
    /// Its validity.
    pub(super) validity: Days,
}

/// What the solver returns: how many of each candidate, and linear calls.
pub(super) struct Solution {
    /// Per candidate, in the order given.
    pub(super) package_counts: Vec<u64>,
    /// Calls paid per call (overage or one custom package).
    pub(super) linear_calls: u64,
}

/// The candidates' sizes and prices, and the linear price per call, as
/// integers: every price scaled to the largest number of decimal places
/// among them, so prices compare and add exactly.
#[derive(Debug, Clone)]
pub(super) struct Priced {
    /// Candidate sizes, in calls.
    pub(super) sizes: Vec<u64>,
    /// Candidate prices, scaled.
    pub(super) costs: Vec<i128>,
    /// The linear price per call, scaled, when there is one.
    pub(super) linear: Option<i128>,
}

impl Priced {
    /// `candidates` and the linear price as integers at one scale.
    pub(super) fn new(candidates: &[Candidate], linear: Option<Money>) -> Result<Priced, Error> {
        let scale = candidates
            .iter()
            .map(|c| c.price.amount().scale())
            .chain(linear.map(|l| l.amount().scale()))
            .max()
            .unwrap_or(0);
        let costs = candidates
            .iter()
            .map(|c| scaled(c.price.amount(), scale))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Priced {
            sizes: candidates.iter().map(|c| c.calls).collect(),
            costs,
            linear: linear.map(|l| scaled(l.amount(), scale)).transpose()?,
        })
    }
}

/// `value x 10^scale` as an integer; `value` has at most `scale` places.
fn scaled(value: Decimal, scale: u32) -> Result<i128, Error> {
    let shift = scale.saturating_sub(value.scale());
    let overflow = || Error::from(ArithmeticError::overflow("compare package prices"));
    let factor = 10i128.checked_pow(shift).ok_or_else(overflow)?;
    value.mantissa().checked_mul(factor).ok_or_else(overflow)
}
