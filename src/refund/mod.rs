//! Refund eligibility (R-REF-01..04).
//!
//! - [`ledger`]: the orders of one app as a decider ([`OrderLedger`]):
//!   orders are recorded, invoiced and refunded, latest first.
//! - [`eligibility`]: whether an app order may be refunded now
//!   ([`LedgerState::eligibility`], [`LedgerState::next_refund`]), with
//!   every reason when it may not (R-REF-01, R-REF-02, R-REF-04).
//! - [`licence`]: licence refunds counted from the account's first licence
//!   purchase (R-REF-03, R-REF-04).
//! - [`window`]: "within N days" windows, closed at their end: eligible
//!   while `now <= start + N x 24 h`.
//! - [`policy`]: the windows, the traffic limit and the abnormal-refund
//!   switch; the published figures are the policies' constants
//!   ([`AppRefundPolicy::WINDOW_DAYS`], ...), composed in
//!   [`presets::app_store_refunds`](crate::presets::app_store_refunds) and
//!   [`presets::live_plugin_licence_refunds`](crate::presets::live_plugin_licence_refunds).
//!
//! A refund pays back an order's whole amount; nothing is prorated, so no
//! rounding happens here.
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::refund::{Eligibility, LedgerState, Order, RefundFlags};
//! use billing_rules::{presets, RuleId};
//! use chrono::{Duration, TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::app_store_refunds()?; // 10 days (R-REF-01)
//! let paid = Utc.with_ymd_and_hms(2025, 6, 5, 0, 0, 0).unwrap();
//! let ledger = LedgerState::from_orders(vec![
//!     Order::new("o1", paid - Duration::days(4), Money::cny(Decimal::from(300))),
//!     Order::new("o2", paid, Money::cny(Decimal::from(500))),
//! ])?;
//!
//! // Exactly 10 days after payment: still eligible, latest first (R-REF-02).
//! let at_end = paid + Duration::days(10);
//! let answer = ledger.next_refund(RefundFlags::default(), at_end, &policy);
//! assert_eq!(answer, Eligibility::Eligible { order: "o2".into(), amount: Money::cny(Decimal::from(500)) });
//!
//! // One second later: refused, with the figures.
//! let answer = ledger.next_refund(RefundFlags::default(), at_end + Duration::seconds(1), &policy);
//! let refusal = answer.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Ref01);
//! assert_eq!(refusal.figure("window_days").unwrap().to_string(), "10");
//! # Ok::<(), billing_rules::Error>(())
//! ```

mod display;
pub mod eligibility;
pub mod ledger;
pub mod licence;
pub mod policy;
pub mod window;

pub use eligibility::{Eligibility, RefundFlags};
pub use ledger::{
    LedgerCommand, LedgerEvent, LedgerState, Order, OrderId, OrderLedger, OrderStatus,
};
pub use licence::{LicenceCharge, LicenceRefundRequest, licence_refund_eligibility};
pub use policy::{
    AppRefundPolicy, AppRefundPolicySpec, LicenceRefundPolicy, LicenceRefundPolicySpec,
};
pub use window::RefundWindow;
