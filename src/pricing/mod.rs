//! Calculators: pure functions from a policy and an order to a priced answer
//! with the steps that produced it.
//!
//! - [`tiers`]: volume and graduated tier tables (R-SEAT-03, R-USE-09).

pub mod tiers;
