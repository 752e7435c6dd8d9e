//! # billing-rules
//!
//! Exact, explainable, side-effect-free billing rules for backend services:
//! what an order costs and why, how much credit an upgrade earns, whether a
//! payment-method switch or a refund is allowed, when a reminder is due, when
//! an expired account is intercepted or suspended.
//!
//! Every rule of the catalogue (`shared/RULES.md`) has an id ([`RuleId`]);
//! every refusal names the rules that refused and the figures that decided
//! it; every amount is an exact [`Decimal`](rust_decimal::Decimal) and every
//! rounding is explicit. The crate does no I/O: callers pass the instant, or
//! inject a [`Clock`](time::Clock) and a store into the engine.
//!
//! ## Layers
//!
//! 1. **Values**: [`money`], [`exact`], [`quantity`], [`time`], [`rule`],
//!    [`error`].
//! 2. **Policies**: [`policy`] (the spec / `TryFrom` pattern) and
//!    [`presets`] (the published figures).
//! 3. **Calculators**: [`pricing`] (seat plans, tiers), [`usage`] (per-use
//!    charges, packages, traffic).
//! 4. **State machines**: [`decider`] (the pattern), [`lifecycle`],
//!    [`payment`], [`refund`].
//! 5. **Engine**: [`engine`].
//!
//! ## A tour
//!
//! ```
//! use billing_rules::money::{Money, Rounding, RoundingMode};
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::time::{Days, Period, Zone};
//! use billing_rules::{Figure, Reason, Refusal, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! // Exact money, explicit rounding (R-SEAT-08's published example).
//! let paid = Money::cny(Decimal::from(1000));
//! let exact = paid.checked_mul(Decimal::from(100))?.checked_div(Decimal::from(365))?;
//! assert_eq!(exact.round_to_minor(RoundingMode::TowardZero).to_string(), "CNY 273.97");
//!
//! // Units convert exactly in base 1000 (R-USE-09).
//! let traffic = Quantity::new(Decimal::from(20), Unit::Gigabyte).convert_to(Unit::Terabyte)?;
//! assert_eq!(traffic.value(), Decimal::new(2, 2));
//!
//! // Days are counted in the policy's zone (UTC+08:00).
//! let paid_at = Utc.with_ymd_and_hms(2025, 6, 30, 16, 0, 0).unwrap();
//! assert_eq!(Zone::BEIJING.local_date(paid_at).to_string(), "2025-07-01");
//! let end = Zone::BEIJING.plus_days(paid_at, Period::Year.length())?;
//! assert_eq!(end, Utc.with_ymd_and_hms(2026, 6, 30, 16, 0, 0).unwrap());
//!
//! // A refusal names its rule and its figures.
//! let no = Refusal::new(Reason::new(RuleId::Pay03, "4 of 4 switches used")
//!     .with(Figure::count("switches_used", 4)));
//! assert_eq!(no.rule().to_string(), "R-PAY-03");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! ## Feature flags
//!
//! None. The crate depends on `rust_decimal`, `chrono`, `serde` and
//! `thiserror` only.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod decider;
pub mod engine;
pub mod error;
pub mod exact;
pub mod lifecycle;
pub mod money;
pub mod payment;
pub mod policy;
pub mod presets;
pub mod pricing;
pub mod quantity;
pub mod refund;
pub mod rule;
pub mod time;
pub mod usage;

pub use error::{ArithmeticError, Error, Figure, FigureValue, PolicyError, Reason, Refusal};
pub use rule::{RuleFamily, RuleId};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
