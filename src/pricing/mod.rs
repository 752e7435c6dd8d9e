//! Calculators: pure functions from a policy and an order to a priced answer
//! with the steps that produced it.
//!
//! - [`tiers`]: volume and graduated tier tables (R-SEAT-03, R-USE-09).
//! - [`seats`]: seat plans: quotes, upgrade credit, extension, payment
//!   channels (R-SEAT-01 to R-SEAT-10).

pub mod seats;
pub mod tiers;
