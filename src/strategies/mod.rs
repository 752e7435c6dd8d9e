//! Property-test a service's integration against these rules (feature
//! `strategies`): the crate's own [proptest] strategies for valid
//! policies, orders and command sequences at increasing instants, and the
//! rules' invariants as checks that return an [`InvariantViolation`]
//! naming the invariant, its rule and the figures.
//!
//! The crate's property tests draw from these same strategies and call
//! these same checks, so a service tests its code against the inputs and
//! the promises the crate is tested with.
//!
//! - **Values and policies**: [`amount`], [`instant`], [`seat_policy_spec`]
//!   / [`seat_policy`], [`seat_order`], [`seat_tiers`],
//!   [`current_purchase`], [`usage_policy_spec`] / [`usage_policy`],
//!   [`package_order`].
//! - **Command sequences** ([`Timed`] commands, never going back in time):
//!   [`seat_account_commands`], [`wallet_commands`], [`ledger_commands`],
//!   [`subscription_commands`], [`postpaid_commands`],
//!   [`payment_commands`], [`billing_method_commands`],
//!   [`licence_commands`], [`bundle_claim_commands`].
//! - **Invariants**: [`check_quote_invariants`] (total = the chain of the
//!   steps, discount within its floor, bonus and cap, seat limits),
//!   [`check_credit_invariants`] (0 <= credit <= paid and the new price),
//!   [`check_upgrade_invariants`], [`check_outcomes`] (versions
//!   contiguous, no command decided before its predecessor) and
//!   [`check_replay`] (a state is the replay of its events).
//!
//! The strategies are built with the `proptest` this crate depends on,
//! re-exported as [`strategies::proptest`](proptest) so that a test uses
//! the same version.
//!
//! ```
//! use billing_rules::engine::{Engine, MemoryStore, AggregateId, Version};
//! use billing_rules::pricing::{SeatOrder, SeatPolicy, Quote};
//! use billing_rules::strategies::{self, proptest};
//! use billing_rules::time::FixedClock;
//! use billing_rules::usage::PackageWallet;
//! use billing_rules::{Decider, Error, presets};
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestRunner};
//!
//! /// The service's checkout: the crate's quote, which the service then
//! /// shows and charges. Whatever it adds, the rules' promises must hold.
//! fn checkout(policy: &SeatPolicy, order: &SeatOrder) -> Result<Quote, Error> {
//!     policy.quote(order)
//! }
//!
//! let mut runner = TestRunner::new(Config::with_cases(32));
//! runner
//!     .run(&(strategies::seat_policy(), strategies::seat_order()), |(policy, order)| {
//!         if let Ok(quote) = checkout(&policy, &order) {
//!             strategies::check_quote_invariants(&policy, &order, &quote)
//!                 .map_err(|broken| TestCaseError::fail(broken.to_string()))?;
//!         }
//!         Ok(())
//!     })
//!     .map_err(|e| e.to_string())?;
//!
//! // The service's wallet behind the engine: every accepted command
//! // appends at the next versions, never earlier than the last, and the
//! // stored state is the replay of the events.
//! let usage = presets::verification_usage().map_err(|e| e.to_string())?;
//! runner
//!     .run(&strategies::wallet_commands(1..=20), |commands| {
//!         let engine = Engine::new(FixedClock::new(commands[0].at), MemoryStore::new());
//!         let wallet = AggregateId::from("app-1");
//!         let mut accepted = Vec::new();
//!         for step in &commands {
//!             engine.clock().set(step.at);
//!             if let Ok(outcome) = engine.execute::<PackageWallet>(&wallet, &step.command, &usage, None) {
//!                 accepted.push(outcome);
//!             }
//!         }
//!         let fail = |broken: strategies::InvariantViolation| TestCaseError::fail(broken.to_string());
//!         strategies::check_outcomes(Version::INITIAL, &accepted).map_err(fail)?;
//!         let state = engine.state::<PackageWallet>(&wallet).map_err(|e| TestCaseError::fail(e.to_string()))?;
//!         let events = engine.store().events::<PackageWallet>(&wallet);
//!         strategies::check_replay::<PackageWallet>(&state, &events).map_err(fail)?;
//!         Ok(())
//!     })
//!     .map_err(|e| e.to_string())?;
//! # Ok::<(), String>(())
//! ```

mod commands;
mod invariants;
mod values;

pub use commands::{
    Timed, billing_method_commands, bundle_claim_commands, ledger_commands, licence_commands,
    payment_commands, postpaid_commands, seat_account_commands, subscription_commands,
    wallet_commands,
};
pub use invariants::{
    InvariantViolation, check_credit_invariants, check_outcomes, check_quote_invariants,
    check_replay, check_upgrade_invariants,
};
/// The `proptest` the strategies are built with.
pub use proptest;
pub use values::{
    amount, current_purchase, instant, package_order, rounding_mode, seat_order, seat_policy,
    seat_policy_spec, seat_tiers, tier_mode, usage_policy, usage_policy_spec,
};
