//! Per-use charges, resource packages, the package wallet and planner,
//! traffic and add-ons (R-USE-01..10).
//!
//! - [`calls`]: per-call prices by component (R-USE-01), the trial quota
//!   (R-USE-02), exemptions (R-USE-03) and the feature switch (R-USE-04).
//! - [`catalogue`]: packages with a size, price, list price and validity
//!   (R-USE-05).
//! - [`policy`]: [`UsagePolicy`](policy::UsagePolicy), the validated policy of
//!   a metered feature, holding all of the above, the billing start
//!   (R-USE-06) and what an uncovered call does (R-USE-07).
//! - [`wallet`]: the [`PackageWallet`](wallet::PackageWallet) decider: buy,
//!   consume in the R-USE-07 order, expire (R-USE-06, R-USE-07).
//! - [`planner`]: the exact cheapest mix of packages and per-call overage
//!   for a forecast (R-USE-08).
//! - [`traffic`]: daily settlement of live traffic or peak bandwidth at
//!   graduated regional tiers, and the switch between the two (R-USE-09).
//! - [`addons`]: metered add-ons with their own units (R-USE-10).
//!
//! ```
//! use billing_rules::usage::planner::{plan, Forecast};
//! use billing_rules::usage::calls::Component;
//! use billing_rules::time::Days;
//!
//! let policy = billing_rules::presets::usage::verification()?;
//! // 1.2 million quick verifications over a year: one 1,000,000-call package
//! // and 200,000 calls at 0.03 beat 36,000 paid per call by 2,000.
//! let best = plan(&policy, &Forecast::new(Component::QuickVerification, 1_200_000, Days(365)))?;
//! assert_eq!(best.total.to_string(), "CNY 34000.00");
//! assert_eq!(best.saving.to_string(), "CNY 2000.00");
//! # Ok::<(), billing_rules::Error>(())
//! ```

pub mod addons;
pub mod calls;
pub mod catalogue;
mod display;
pub mod planner;
mod planner_residue;
mod planner_search;
pub mod policy;
pub mod traffic;
pub mod wallet;
mod wallet_state;
