//! Hardening (issue 8): any input, no panic, nothing lost.
//!
//! `regressions`: one test per bug the hardening pass found, named after
//! its rule.

#[path = "robustness/regressions.rs"]
mod regressions;
