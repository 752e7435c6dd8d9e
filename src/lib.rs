//! # billing-rules
//!
//! Exact, explainable, side-effect-free billing rules for backend services:
//! what an order costs and why, how much credit an upgrade earns, whether a
//! payment-method switch or a refund is allowed, when a reminder is due, when
//! an expired account is intercepted or suspended.
//!
//! Every rule of the catalogue (documented on [`RuleId`]) has an id;
//! every refusal names the rules that refused and the figures that decided
//! it; every amount is an exact [`Decimal`] and every rounding is explicit.
//! The crate does no I/O: callers pass the instant, or inject a
//! [`Clock`](time::Clock) and a store into the engine.
//!
//! ## Layers
//!
//! 1. **Values**: [`money`], [`exact`], [`quantity`], [`time`],
//!    [`decimal_serde`]; the rule ids ([`RuleId`], [`RuleFamily`]) and the
//!    errors ([`Error`] and its kinds) at the crate root.
//! 2. **Policies**: [`policy`] (the spec / `TryFrom` pattern) and
//!    [`presets`] (the published figures composed into specs).
//! 3. **Calculators**: [`pricing`] (seat plans, tiers, the pricing models,
//!    and the seat account that charges them), [`usage`] (per-use charges,
//!    packages, traffic), [`preview`] (a price shown, charged exactly),
//!    [`statement`] (recorded charges itemized, the lines adding up).
//! 4. **State machines**: the [`Decider`] and [`TimeDriven`] traits at the
//!    crate root, [`lifecycle`], [`payment`], [`refund`].
//! 5. **Engine**: [`engine`], which returns its own
//!    [`EngineError`](engine::EngineError) (a crate [`Error`] or its store's
//!    error).
//! 6. **What-ifs**: [`replay`], a recorded history decided again under
//!    another policy, command by command (pure, like the deciders it runs).
//!
//! Every public item has one path: an area's items sit flat in the area
//! (`billing_rules::pricing::SeatPolicy`), and the errors, rule ids and
//! decider traits at the root (`billing_rules::{Error, RuleId, Decider}`).
//! The [`prelude`] gathers what the common jobs need in one
//! `use billing_rules::prelude::*;`, as the tour below does.
//!
//! ## Dependencies you do not need to add
//!
//! The types of `rust_decimal` and `chrono` that appear in the API are
//! re-exported at the crate root: [`Decimal`], [`DateTime`], [`Utc`],
//! [`NaiveDate`], [`NaiveTime`], [`TimeDelta`] (chrono's `Duration`) and
//! [`FixedOffset`]. You do not need `rust_decimal` or `chrono` in your
//! `Cargo.toml` to call the API; [`Zone::at`](time::Zone::at) builds an
//! instant from a local date and time, and a [`Money`](money::Money)
//! compares with a [`Decimal`] amount. Add the crates yourself for the
//! rest of their API (chrono's `TimeZone` trait, `rust_decimal`'s macros);
//! the versions must then match this crate's.
//!
//! ## A tour
//!
//! One pass through the layers: values, a calculator with its steps, a
//! refusal with its rule and figures, a decider, and the engine.
//!
//! ```
//! use billing_rules::prelude::*;
//!
//! // 1. Values. Exact money, explicit rounding (R-SEAT-08's published example).
//! let paid = Money::cny(Decimal::from(1000));
//! let exact = paid.checked_mul(Decimal::from(100))?.checked_div(Decimal::from(365))?;
//! assert_eq!(exact.round_to_minor(RoundingMode::TowardZero).to_string(), "CNY 273.97");
//! // Units convert exactly in base 1000 (R-USE-09); days are counted in the policy's zone.
//! let traffic = Quantity::new(Decimal::from(20), Unit::Gigabyte).convert_to(Unit::Terabyte)?;
//! assert_eq!(traffic.value(), Decimal::new(2, 2));
//! let paid_at = Zone::BEIJING.at(2025, 7, 1, 0, 0, 0)?; // 2025-06-30 16:00 UTC
//! assert_eq!(Zone::BEIJING.local_date(paid_at).to_string(), "2025-07-01");
//! let end = Zone::BEIJING.plus_days(paid_at, Period::Year.length())?;
//! assert_eq!(end, Zone::UTC.at(2026, 6, 30, 16, 0, 0)?);
//!
//! // 2-3. A policy from the presets, and a seat quote with the steps that made it:
//! // 120 seats in the 51-200 tier at 80.00, x 2 years, x 0.85 for 2 years.
//! let seat_plan = presets::app_store_seat_pricing()?;
//! let q = seat_plan.quote(&SeatOrder::new(120, 2))?;
//! assert_eq!(q.total.to_string(), "CNY 16320.00");
//! let rules: Vec<RuleId> = q.steps().iter().map(|s| s.rule).collect();
//! assert_eq!(rules, [RuleId::Seat01, RuleId::Seat03, RuleId::Seat04, RuleId::Seat03]);
//!
//! // 4. A decider: the first purchase chooses the payment method (R-PAY-02).
//! let policy = presets::cloud_payment()?;
//! let now = Zone::UTC.at(2025, 6, 1, 0, 0, 0)?;
//! let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidCloudAccount };
//! let (state, events) = EnvironmentPayment::run(&EnvironmentPayment::initial(), &buy, now, &policy)?;
//! assert_eq!((policy.method_in_use(&state), events.len()), (PaymentMethod::PrepaidCloudAccount, 1));
//!
//! // 5. The engine runs the same commands against a clock and a store.
//! let engine = Engine::new(FixedClock::new(now), MemoryStore::new());
//! let env = AggregateId::from("env-1");
//! engine.execute::<EnvironmentPayment>(&env, &buy, &policy, Some(&IdempotencyKey::from("order-1")))?;
//! let to_payg = PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default());
//! engine.execute::<EnvironmentPayment>(&env, &to_payg, &policy, None)?;
//! // A refusal names its rule and the figures that decided it; nothing is written.
//! let back = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
//! let err = engine.execute::<EnvironmentPayment>(&env, &back, &policy, None).unwrap_err();
//! let refusal = err.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Pay04); // pay-as-you-go is final
//! assert_eq!(refusal.figure("current_method").unwrap().to_string(), "pay_as_you_go");
//! assert_eq!(engine.state::<EnvironmentPayment>(&env)?.switches_used(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Preview = charge
//!
//! A price shown before a purchase can be charged exactly: the
//! [`preview`] module's [`Preview`](preview::Preview) binds it by a
//! [`Fingerprint`] to the policy, the order, the state and the instant it
//! prorated at, and [`SeatAccount`](pricing::SeatAccount) (seat purchases,
//! upgrades, extensions) and [`PackageWallet`](usage::PackageWallet)
//! (package purchases) charge a command carrying it to the digit, or
//! refuse naming what changed. The module docs show an upgrade previewed
//! at 23:50 and charged at 00:05 with the preview's credit;
//! [`PackageWallet::preview`](usage::PackageWallet::preview) a package
//! preview charged once.
//!
//! ## JSON
//!
//! Every public data type (de)serializes with serde. Policies and their
//! specs, the calculators' results, and the deciders' commands, events and
//! states document their shape, most in a `# JSON` section, e.g.
//! [`SeatPolicy`](pricing::SeatPolicy#json) or
//! [`Refusal`](Refusal#json); reading a policy validates it.
//!
//! ## Feature flags
//!
//! None. The crate depends on `rust_decimal`, `chrono`, `serde` and
//! `thiserror` only.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Checks that `$ty::ALL` holds every variant of `$ty` once, in
/// declaration order: list the variants in declaration order.
///
/// The `match` is exhaustive, so a new variant stops it compiling until it
/// is listed here; the arrays then differ in length, which stops the
/// comparison compiling until `ALL` lists it too.
#[cfg(test)]
macro_rules! assert_all_variants {
    ($ty:ident: $($variant:ident),+ $(,)?) => {{
        let exhaustive = |v: $ty| match v {
            $($ty::$variant)|+ => v,
        };
        assert_eq!($ty::ALL.map(exhaustive), [$($ty::$variant),+]);
        for (i, v) in $ty::ALL.into_iter().enumerate() {
            assert_eq!(v as usize, i, "{v:?} is out of declaration order");
        }
    }};
}

mod decider;
pub mod decimal_serde;
mod display;
pub mod engine;
mod error;
pub mod exact;
mod fingerprint;
pub mod lifecycle;
pub mod money;
pub mod payment;
pub mod policy;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod prelude;
pub mod presets;
pub mod preview;
pub mod pricing;
pub mod quantity;
pub mod refund;
pub mod replay;
mod rule;
pub mod statement;
#[cfg(feature = "strategies")]
pub mod strategies;
pub mod time;
pub mod usage;

pub use decider::{Access, Decider, TimeDriven};
pub use error::{
    ArithmeticError, DataError, Error, Figure, FigureValue, InRule, PolicyError, Reason, Refusal,
};
pub use fingerprint::{Fingerprint, FingerprintError, ParseFingerprintError};
pub use rule::{RuleFamily, RuleId, UnknownRuleId};

// The foreign types of the public API, so that callers need neither crate in
// their own Cargo.toml (see "Dependencies you do not need to add" above).
pub use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
pub use chrono_tz::Tz;
pub use rust_decimal::Decimal;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
