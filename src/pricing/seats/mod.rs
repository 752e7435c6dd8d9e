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
pub use quote::{PriceBasis, Quote, SeatOrder, Step, StepDetail, Validity, quote};
pub use upgrade::{
    Credit, CreditCap, CreditGranularity, CreditRule, CurrentPurchase, Upgrade, credit, upgrade,
};
