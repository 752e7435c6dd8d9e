//! Seat plans: an app sold per seat by subscription (R-SEAT-01 to
//! R-SEAT-10).
//!
//! - [`SeatPolicy`] (built from a [`SeatPolicySpec`]): the period, the
//!   pricing rule (unit price or tiers), duration discounts or bonus days,
//!   seat limits, a cap, the upgrade credit rule and the payment channels.
//! - [`quote`]: the price and validity of a [`SeatOrder`], with the steps
//!   that produced them ([`Quote`]).
//! - [`upgrade`] and [`credit`]: the credit a current purchase earns
//!   against a new order, and what is due (R-SEAT-08).
//! - [`extend`]: more periods for the current seat count, starting at the
//!   current end (R-SEAT-09).
//! - [`SeatPolicy::channels`]: the payment channels of a platform
//!   (R-SEAT-10).
//!
//! The app store's plan is [`crate::presets::seat::app_store_seat_plan`].
//!
//! ```
//! use billing_rules::pricing::seats::{quote, SeatOrder};
//! use billing_rules::RuleId;
//!
//! let policy = billing_rules::presets::seat::app_store_seat_plan()?;
//! let q = quote(&policy, &SeatOrder::new(51, 1))?;
//! assert_eq!(q.total.to_string(), "CNY 4080.00"); // 51 x 80.00: cheaper than 50 x 100.00
//!
//! let refused = quote(&policy, &SeatOrder::new(0, 1)).unwrap_err();
//! assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Seat07));
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Order of operations
//!
//! [`quote`] (and [`upgrade`] and [`extend`], which quote the new order)
//! applies the rules in a fixed order and records every step in the
//! [`Quote`]:
//!
//! 1. R-SEAT-07: the seat count is checked against the limits (zero seats is
//!    always refused); R-SEAT-01: the periods against zero.
//! 2. R-SEAT-01: validity = periods x period days.
//! 3. R-SEAT-02 / R-SEAT-03: the price of one period for the seat count
//!    (unit price, or the tier table in its mode), times the periods.
//! 4. R-SEAT-04: the duration's discount factor, when it has one.
//! 5. R-SEAT-05: the duration's bonus days, when it has them.
//! 6. R-SEAT-06: the cap, compared with the discounted price: the customer
//!    pays the smaller. The cap bounds the whole order's total, not each
//!    period.
//! 7. The total is rounded once, to the currency's minor unit, with the
//!    policy's `locale.rounding` (preset half-up). Every amount before this
//!    step is exact; a cap is always in whole minor units, so the rounded
//!    total never exceeds it.
//!
//! # Duration offers
//!
//! A price discount (R-SEAT-04, [`DiscountSpec`]) or bonus days (R-SEAT-05,
//! [`BonusSpec`]) keyed by the number of periods bought.
//!
//! An offer is keyed by an exact duration: a discount for 2 years applies to
//! an order of exactly 2 years, not to 3. A duration that is not listed gets
//! neither.
//!
//! **Decision:** the catalogue ([`RuleId::Seat05`](crate::RuleId::Seat05)) calls bonus days "the alternative" to a discount.
//! We read that per duration: one duration may carry a discount or bonus
//! days, never both (a policy listing both for the same duration is refused
//! when it is built), while different durations of one plan may use
//! different offers (1 year with 30 bonus days, 2 years at 85%).
//!
//! # Upgrade credit
//!
//! R-SEAT-08: the unused value of the current purchase, credited against
//! a new order ([`credit`], [`upgrade`], [`CreditRule::credit`]).
//!
//! `credit = paid x remaining / total`, where `total` is the current
//! purchase's whole validity, bonus days included, and `remaining` the part
//! not yet used at the upgrade instant, both counted in the policy's
//! [`CreditGranularity`]:
//!
//! - **Days** (the preset). The validity's days are the local calendar days
//!   (in the policy's zone) that begin inside `[start, end)`; a day counts
//!   as used once its first instant (local midnight) has passed. So
//!   `total` = local midnights in `[start, end)` and `remaining` = local
//!   midnights in `[max(now, start), end)`. For a validity of N x 24 h this
//!   gives `total = N` whatever the time of day of `start`; a purchase that
//!   starts at 10:00 gets its first afternoon free and uses its last
//!   morning as a whole day.
//! - **Seconds**: `total` = whole seconds from `start` to `end`,
//!   `remaining` = whole seconds from `max(now, start)` to `end` (a second
//!   that has started counts as used).
//!
//! Before `start` nothing is used: the credit is the whole price paid.
//! From `end` on nothing remains: the credit is 0.
//!
//! The exact pro-rata value is rounded to the minor unit with the policy's
//! credit rounding (preset: down, so the credit never exceeds the exact
//! value), then capped by what was paid and by the new order's price, so
//! the amount due is never negative.
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::pricing::seats::{CreditRule, CurrentPurchase};
//! use billing_rules::time::{Days, Zone};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! // The published example: 1000 paid for 365 days, 100 days left.
//! let zone = Zone::BEIJING;
//! let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap(); // 2025-01-01 00:00 +08:00
//! let end = zone.plus_days(start, Days(365))?;
//! let now = zone.minus_days(end, Days(100))?;
//! let current = CurrentPurchase { paid: Money::cny(Decimal::from(1000)), start, end };
//! let credit = CreditRule::default().credit(zone, &current, Money::cny(Decimal::from(5000)), now)?;
//! assert_eq!((credit.remaining, credit.total), (100, 365));
//! assert_eq!(credit.amount.to_string(), "CNY 273.97");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Extension
//!
//! R-SEAT-09, [`extend`]: more time for the current seat count.
//!
//! An extension is priced like a new purchase of its duration for the
//! current seat count (so its discount, bonus days and cap are those of
//! that duration), and its validity starts where the current term ends.
//!
//! **Decision:** a term that has already ended at the extension instant is
//! extended from that instant instead: the customer never pays for days
//! that are already gone.
//!
//! # Payment channels
//!
//! R-SEAT-10, [`SeatPolicy::channels`] and [`SeatPolicy::check_channel`].
//!
//! Which channels a buyer may pay a seat order with depends on where the
//! order is placed. The app store offers only the wallet (WeChat Pay) on
//! mobile, and the wallet or a corporate bank transfer on desktop
//! ([`crate::presets::seat::payment_channels`]). The lists are policy data,
//! so a platform that differs changes its policy, not this code.

mod channels;
mod duration;
mod extension;
mod policy;
mod quote;
mod upgrade;

pub use channels::{ChannelSpec, PaymentChannel, Platform};
pub use duration::{BonusAmount, BonusSpec, DiscountSpec};
pub use extension::{ExtensionOrder, extend};
pub use policy::{PricingRule, PricingSpec, SeatPolicy, SeatPolicySpec};
pub use quote::{PriceBasis, Quote, SeatOrder, Step, StepDetail, Steps, Validity, quote};
pub use upgrade::{
    Credit, CreditCap, CreditGranularity, CreditRule, CurrentPurchase, Upgrade, credit, upgrade,
};
