//! Refund eligibility (R-REF-01..04).
//!
//! - [`OrderLedger`]: the orders of one app as a decider: orders are
//!   recorded, invoiced and refunded, latest first.
//! - [`AppRefundPolicy::eligibility`] and [`AppRefundPolicy::next_refund`]:
//!   whether an app order may be refunded now, with every reason when it may
//!   not (R-REF-01, R-REF-02, R-REF-04).
//! - [`LicenceRefundPolicy::eligibility`]: licence refunds counted from the
//!   account's first licence purchase (R-REF-03, R-REF-04).
//! - [`RefundWindow`]: "within N days" windows, closed at their end:
//!   eligible while `now <= start + N x 24 h`.
//! - [`AppRefundPolicy`] and [`LicenceRefundPolicy`]: the windows, the
//!   traffic limit and the abnormal-refund switch; the published figures are
//!   the policies' constants ([`AppRefundPolicy::WINDOW_DAYS`], ...),
//!   composed in [`presets::app_store_refunds`](crate::presets::app_store_refunds)
//!   and [`presets::live_plugin_licence_refunds`](crate::presets::live_plugin_licence_refunds).
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
//! let answer = policy.next_refund(&ledger, RefundFlags::default(), at_end);
//! assert_eq!(answer, Eligibility::Eligible { order: "o2".into(), amount: Money::cny(Decimal::from(500)) });
//!
//! // One second later: refused, with the figures.
//! let answer = policy.next_refund(&ledger, RefundFlags::default(), at_end + Duration::seconds(1));
//! let refusal = answer.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Ref01);
//! assert_eq!(refusal.figure("window_days").unwrap().to_string(), "10");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # The order ledger
//!
//! Refunds go from the latest order backwards (R-REF-02). The latest order
//! is the one paid last; **Decision:** of orders paid at the same instant,
//! the one recorded later is the later one. So the order of the ledger is
//! total and never depends on how ids compare.
//!
//! Recording an order is refused (R-REF-01) when its id is already in the
//! ledger, its amount is below zero, or it is paid after the instant it is
//! recorded at; every such reason is listed, in that order. Marking an order
//! invoiced is refused (R-REF-01) when it is unknown, already invoiced, or
//! refunded. A refund is refused with every reason of
//! [`AppRefundPolicy::eligibility`].
//!
//! # Refusals of an app-order refund
//!
//! A refused refund lists every reason, in this order:
//!
//! 1. R-REF-01: the order is not in the ledger (then nothing else is
//!    checked); the order's refund window has closed; the order has been
//!    invoiced.
//! 2. R-REF-02: the order was already refunded; the order is not the latest
//!    unrefunded order (refunds go latest first).
//! 3. R-REF-04: the account is banned for content; the refund is flagged
//!    abnormal (when the policy refuses those).
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::refund::{LedgerState, Order, RefundFlags};
//! use billing_rules::{presets, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let june = |d| Utc.with_ymd_and_hms(2025, 6, d, 0, 0, 0).unwrap();
//! let ledger = LedgerState::from_orders(vec![
//!     Order::new("o1", june(1), Money::cny(Decimal::from(300))),
//!     Order::new("o2", june(5), Money::cny(Decimal::from(500))),
//! ])?;
//! let policy = presets::app_store_refunds()?;
//!
//! // On June 20, o1 of a banned account: three rules refuse, in order.
//! let answer = policy.eligibility(&ledger, &"o1".into(), RefundFlags::default().banned(), june(20));
//! let refusal = answer.refusal().unwrap();
//! assert_eq!(refusal.rules().collect::<Vec<_>>(), [RuleId::Ref01, RuleId::Ref02, RuleId::Ref04]);
//! assert_eq!(refusal.figure("window_days").unwrap().to_string(), "10");
//! assert_eq!(refusal.figure("latest_unrefunded").unwrap().to_string(), "o2");
//! # Ok::<(), billing_rules::Error>(())
//! ```
//!
//! # Licence refunds
//!
//! A plugin licence can be refunded without a reason within 14 days of the
//! account's **first** licence purchase, when the playback traffic over
//! those days is at most 20 GB (20 GB exactly still qualifies). With several
//! licences, both are still counted from the first purchase. Traffic fees
//! are never refunded.
//!
//! The account's first licence purchase and its traffic are facts the
//! caller passes ([`LicenceRefundRequest`]): this module does not read the
//! licence state machine.
//!
//! ## Refusals of a licence refund
//!
//! A refused request lists every reason, in this order:
//!
//! 1. R-REF-03 (licence charges only): the amount is below zero; the
//!    traffic is below zero; the window from the first licence purchase has
//!    closed; the traffic is above the limit.
//! 2. R-REF-04: the charge is a traffic fee; the account is banned for
//!    content; the refund is flagged abnormal (when the policy refuses
//!    those).
//!
//! ```
//! use billing_rules::money::Money;
//! use billing_rules::quantity::{Quantity, Unit};
//! use billing_rules::refund::{LicenceCharge, LicenceRefundRequest};
//! use billing_rules::{presets, RuleId};
//! use chrono::{Duration, TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::live_plugin_licence_refunds()?;
//! let first = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let price = Money::cny(Decimal::from(30_000));
//! let traffic = Quantity::new(Decimal::from(5), Unit::Gigabyte);
//!
//! // A second licence bought on day 10 counts from the first purchase:
//! // on day 15 its window has closed (R-REF-03).
//! let second = LicenceRefundRequest::licence("lic-2", price, first, traffic);
//! let answer = policy.eligibility(&second, first + Duration::days(15))?;
//! assert_eq!(answer.refusal().map(|r| r.rule()), Some(RuleId::Ref03));
//!
//! // A traffic fee is never refunded, even on day 1 (R-REF-04).
//! let fee = LicenceRefundRequest { charge: LicenceCharge::TrafficFee, ..second };
//! let answer = policy.eligibility(&fee, first)?;
//! assert_eq!(answer.refusal().map(|r| r.rule()), Some(RuleId::Ref04));
//! # Ok::<(), billing_rules::Error>(())
//! ```

mod display;
mod eligibility;
mod ledger;
mod licence_refund;
mod orders;
mod policy;
mod window;

pub use eligibility::{Eligibility, RefundFlags};
pub use ledger::{LedgerCommand, LedgerEvent, OrderLedger};
pub use licence_refund::{LicenceCharge, LicenceRefundRequest};
pub use orders::{LedgerState, Order, OrderId, OrderStatus};
pub use policy::{
    AppRefundPolicy, AppRefundPolicySpec, LicenceRefundPolicy, LicenceRefundPolicySpec,
};
pub use window::RefundWindow;
