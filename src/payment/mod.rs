//! Payment methods, switching and invoice routing (R-PAY-01..09).
//!
//! - [`method`]: the three methods and the default (R-PAY-01).
//! - [`switching`]: the environment's payment method as a decider
//!   ([`EnvironmentPayment`]): the first purchase chooses it (R-PAY-02), and
//!   a switch is refused by every rule of R-PAY-03..08 that applies, listed
//!   in a documented order.
//! - [`invoicing`]: where invoices come from, by method (R-PAY-09).
//! - [`policy`]: the switch limit, default method and invoice routing
//!   ([`PaymentPolicy`]); the published figures are its constants
//!   ([`PaymentPolicy::SWITCH_LIMIT`], ...), composed in
//!   [`presets::cloud_payment`](crate::presets::cloud_payment).
//!
//! ```
//! use billing_rules::decider::Decider;
//! use billing_rules::money::Money;
//! use billing_rules::payment::{
//!     EnvironmentPayment, InvoiceSource, PaymentCommand, PaymentMethod, SwitchFacts,
//! };
//! use billing_rules::{presets, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::cloud_payment()?;
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let mut state = EnvironmentPayment::initial();
//! assert_eq!(state.method(&policy), PaymentMethod::PrepaidPersonalWallet); // R-PAY-01
//!
//! // The first prepaid order chooses the method (R-PAY-02).
//! let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidPersonalWallet };
//! state = EnvironmentPayment::run(&state, &buy, now, &policy)?.0;
//! assert_eq!(state.invoice_source(&policy), InvoiceSource::EnvironmentConsole); // R-PAY-09
//!
//! // Four switches are allowed (R-PAY-03)...
//! for to in [PaymentMethod::PrepaidCloudAccount, PaymentMethod::PrepaidPersonalWallet,
//!            PaymentMethod::PrepaidCloudAccount, PaymentMethod::PrepaidPersonalWallet] {
//!     state = EnvironmentPayment::run(&state, &PaymentCommand::switch(to, SwitchFacts::default()), now, &policy)?.0;
//! }
//! // ...the fifth is refused, and every other rule that refuses it is listed too.
//! let cny = |n: i64| Money::cny(Decimal::from(n));
//! let facts = SwitchFacts::default().with_refund(cny(150), cny(100));
//! let fifth = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, facts);
//! let err = EnvironmentPayment::run(&state, &fifth, now, &policy).unwrap_err();
//! let refusal = err.refusal().unwrap();
//! assert_eq!(refusal.rules().collect::<Vec<_>>(), [RuleId::Pay03, RuleId::Pay06]);
//! assert_eq!(refusal.reasons()[0].message, "4 of 4 switches used; no further switch is allowed");
//! assert!(refusal.reasons()[1].message.starts_with("open for invoicing CNY 100.00 < refund CNY 150.00"));
//! # Ok::<(), billing_rules::Error>(())
//! ```

mod display;
pub mod invoicing;
pub mod method;
pub mod policy;
pub mod switching;

pub use invoicing::{InvoiceRouting, InvoiceSource};
pub use method::{PaymentMethod, PrepaidSource, UnknownPaymentMethod};
pub use policy::{PaymentPolicy, PaymentPolicySpec};
pub use switching::{
    EnvironmentPayment, InvoiceBalance, PaymentCommand, PaymentEvent, PaymentState, SwitchFacts,
};
