//! Statements whose lines add up: an account's recorded events over a
//! billing period `[from, to)`, itemized.
//!
//! [`Statement::build`] is a pure function from [`StatementEvent`]s (built
//! from the crate's own recorded events: seat charges, package purchases
//! and consumption, per-call overage, settled traffic days, add-ons,
//! refunds) to a [`Statement`]: lines naming their rule, quantity, unit
//! price, exact figure and amount, and the events they came from, in a
//! deterministic order, with a total in one currency.
//!
//! What it guarantees, by construction:
//!
//! - **The lines add up to the total, to the digit.** Every line is
//!   rounded once, to the minor unit, and the total is the exact sum of
//!   the lines as shown, never a rounding of its own (Lago #4313 printed
//!   lines adding up to 241.66 under a total of 241.67). Where one amount
//!   is spread over several lines (a refund over the items it pays back),
//!   it is split with [`Money::allocate`](crate::money::Money::allocate)
//!   (largest remainder), so the shares add up to it exactly.
//!   [`Statement::check`] verifies the sum.
//! - **Rounded once.** A figure a rule already rounded (a seat charge,
//!   a traffic day's settlement, an add-on) is never rounded again; the
//!   exact per-call charges are summed and rounded once (Kill Bill #1124
//!   rounded a prorated amount twice).
//! - **Periods add up.** The statements of `[a, b)` and `[b, c)` add up to
//!   the statement of `[a, c)`, for any `b`.
//! - **Order does not matter.** The same events in any order give the same
//!   statement.
//!
//! Money is written as strings at the minor unit (`"241.67"`), with the
//! currency once on the statement.
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::policy::Locale;
//! use billing_rules::statement::{LineKind, SourceRef, Statement, StatementEvent};
//! use billing_rules::time::Zone;
//! use billing_rules::usage::Component;
//! use billing_rules::{Decimal, RuleId};
//!
//! let day = |d| Zone::UTC.at(2025, 7, d, 12, 0, 0);
//! let cny = |cents| Money::cny(Decimal::new(cents, 2));
//! let events = vec![
//!     // Three add-ons of 100.00 each, then a refund of 241.67 over all three.
//!     StatementEvent::AddOn { at: day(1)?, source: SourceRef::new("acct", 1),
//!         quantity: Decimal::ONE, unit_price: None, amount: cny(10000) },
//!     StatementEvent::AddOn { at: day(2)?, source: SourceRef::new("acct", 2),
//!         quantity: Decimal::ONE, unit_price: None, amount: cny(10000) },
//!     StatementEvent::AddOn { at: day(3)?, source: SourceRef::new("acct", 3),
//!         quantity: Decimal::ONE, unit_price: None, amount: cny(10000) },
//!     StatementEvent::Refund { at: day(4)?, source: SourceRef::new("acct", 4),
//!         items: (1..=3).map(|v| SourceRef::new("acct", v)).collect(), amount: cny(24167) },
//!     // 7 calls billed at 0.0125 each: exact 0.0875, rounded once half-up to 0.09.
//!     StatementEvent::Calls { at: day(5)?, source: SourceRef::new("wallet", 1),
//!         component: Component::QuickVerification, drawn: 0, overage: 7,
//!         unit_price: Money::cny(Decimal::new(125, 4)), charge: Money::cny(Decimal::new(875, 4)) },
//! ];
//! let statement = Statement::build(&events, day(1)?, day(31)?, &Locale::default())?;
//! let refunds: Vec<String> = statement.lines.iter()
//!     .filter(|l| l.kind == LineKind::Refund)
//!     .map(|l| l.amount.to_string())
//!     .collect();
//! // 241.67 over three equal items: 80.56 + 80.56 + 80.55, to the digit.
//! assert_eq!(refunds, ["-80.56", "-80.56", "-80.55"]);
//! let calls = statement.lines.last().unwrap();
//! assert_eq!((calls.rule, calls.amount.to_string()), (RuleId::Use01, "0.09".to_owned()));
//! // 300.00 - 241.67 + 0.09, and the lines add up to it.
//! assert_eq!(statement.total_money().to_string(), "CNY 58.42");
//! statement.check()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod event;
mod line;

pub use event::{SourceRef, StatementEvent};
pub use line::{LineKind, Statement, StatementLine};
