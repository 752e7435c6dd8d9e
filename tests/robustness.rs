//! Hardening (issue 8): any input, no panic, nothing lost.
//!
//! One test binary, so the deep run is one command:
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test --release --test robustness
//! ```
//!
//! CI runs it with proptest's default case count. The modules:
//!
//! - `json`: every deserializable policy, spec, value, command, event and
//!   state of the landed areas (seat plans, lifecycle, payment, refunds and
//!   the foundation values) is fed arbitrary JSON (random trees, wrong
//!   types, huge and negative numbers, 28-digit decimals, empty tiers) and
//!   near-valid mutations of the presets: the answer is `Ok` or `Err`, and
//!   what deserializes is usable (pricing or deciding with it answers too).
//! - `deciders`: every decider is fed arbitrary command sequences at
//!   arbitrary instants (years 1970 to 9999, and chrono's extremes): every
//!   answer is `Ok` or `Err`, a refused command leaves the state exactly as
//!   it was, replaying the accepted events gives the same state, nothing
//!   recorded is lost, and the time-driven functions answer at any instant.
//! - `extremes`: amounts near `Decimal::MAX`, 10^9 seats, periods of 10^6
//!   days, 10^6 tiers and chrono's first and last instants give error
//!   values or exact answers, never a wrap or a panic.
//! - `round_trips`: value -> JSON -> value gives the value back, for every
//!   public data type of those areas.
//! - `regressions`: one test per bug this pass found, named after its rule.
//!
//! The `usage` and `engine` areas are not covered yet.

mod common;

#[path = "robustness/strategies.rs"]
mod strategies;

#[path = "robustness/samples.rs"]
mod samples;

#[path = "robustness/json.rs"]
mod json;

#[path = "robustness/deciders.rs"]
mod deciders;

#[path = "robustness/extremes.rs"]
mod extremes;

#[path = "robustness/round_trips.rs"]
mod round_trips;

#[path = "robustness/regressions.rs"]
mod regressions;

#[path = "robustness/strict_decimals.rs"]
mod strict_decimals;
