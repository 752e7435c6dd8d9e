//! Seat plans (R-SEAT-01 to R-SEAT-10), described in
//! [seat plans](crate::pricing#seat-plans).
//!
//! Types flow down: `policy.rs` holds the policy and the types it is made
//! of (`channels.rs`, `duration.rs`); `steps.rs` the explanation of a
//! quote; `quote.rs` quotes an order with them; `quote_json.rs` writes and
//! re-checks a quote; `upgrade.rs` and `extension.rs` price on top of a
//! quote; `account.rs` charges them as a decider. No file imports one above it.

mod account;
mod channels;
mod duration;
mod extension;
mod policy;
mod quote;
mod quote_json;
mod steps;
mod upgrade;

pub use account::{
    Charge, SeatAccount, SeatAccountCommand, SeatAccountEvent, SeatAccountState, SeatHolding,
    SeatPreview, SeatRequest,
};
pub use channels::{ChannelSpec, PaymentChannel, Platform};
pub use duration::{BonusAmount, BonusSpec, DiscountSpec};
pub use extension::ExtensionOrder;
pub use policy::{
    CreditGranularity, CreditRule, PricingRule, PricingSpec, SeatPolicy, SeatPolicySpec,
};
pub use quote::{Quote, SeatOrder, Validity};
pub use steps::{PriceBasis, Step, StepDetail, Steps};
pub use upgrade::{Credit, CreditCap, CurrentPurchase, Upgrade};
