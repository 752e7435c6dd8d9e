//! Payment methods, switching and invoice routing (R-PAY-01..09).
//!
//! - [`PaymentMethod`]: the three methods and the default (R-PAY-01).
//! - [`EnvironmentPayment`]: the environment's payment method as a decider:
//!   the first purchase chooses it (R-PAY-02), and a switch is refused by
//!   every rule of R-PAY-03..08 that applies, listed in a documented order.
//! - [`InvoiceRouting`]: where invoices come from, by method (R-PAY-09).
//! - [`PaymentPolicy`]: the switch limit, default method and invoice
//!   routing, and the method and invoice source of a state
//!   ([`PaymentPolicy::method_in_use`], [`PaymentPolicy::invoice_source`]);
//!   the published figures are its constants
//!   ([`PaymentPolicy::SWITCH_LIMIT`], ...), composed in
//!   [`presets::cloud_payment`](crate::presets::cloud_payment).
//!
//! ```
//! use billing_rules::Decider;
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
//! assert_eq!(policy.method_in_use(&state), PaymentMethod::PrepaidPersonalWallet); // R-PAY-01
//!
//! // The first prepaid order chooses the method (R-PAY-02).
//! let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidPersonalWallet };
//! state = EnvironmentPayment::run(&state, &buy, now, &policy)?.0;
//! assert_eq!(policy.invoice_source(&state), InvoiceSource::EnvironmentConsole); // R-PAY-09
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
//!
//! # Refusals of a switch
//!
//! A refused switch lists **every** rule that refuses it, each with its
//! figures, always in this order (catalogue order, then the order below
//! within one rule):
//!
//! 1. R-PAY-03: the switch limit is used up ("4 of 4 switches used").
//! 2. R-PAY-04: the environment pays as you go, which is final.
//! 3. R-PAY-05: the environment never bought prepaid quota.
//! 4. R-PAY-06: an amount given is negative (one entry per amount), then:
//!    the amount open for invoicing is below the unused prepaid amount the
//!    switch would refund ("open for invoicing CNY 100.00 < refund
//!    CNY 150.00").
//! 5. R-PAY-07: the switch names the current method (a no-op switch), then:
//!    the caller's payment context does not support the switch.
//! 6. R-PAY-08: the environment is in isolation (R-LIFE-10).
//!
//! **Decision:** a switch to the method already in use is refused under
//! R-PAY-07: no payment context supports a switch that changes nothing,
//! and accepting it would spend one of the limited switches (R-PAY-03) for
//! nothing.
//!
//! A second first purchase is refused under R-PAY-02: the method chosen
//! then applies from then on and changes only by a switch.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::money::Money;
//! use billing_rules::payment::{EnvironmentPayment, PaymentCommand, PaymentMethod, SwitchFacts};
//! use billing_rules::{presets, RuleId};
//! use chrono::{TimeZone, Utc};
//! use rust_decimal::Decimal;
//!
//! let policy = presets::cloud_payment()?;
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidPersonalWallet };
//! let (state, _) = EnvironmentPayment::run(&EnvironmentPayment::initial(), &buy, now, &policy)?;
//!
//! // R-PAY-06: the switch refunds 150.00 unused, but only 100.00 is open for invoicing.
//! let cny = |n: i64| Money::cny(Decimal::from(n));
//! let short = SwitchFacts::default().with_refund(cny(150), cny(100));
//! let to_cloud = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, short);
//! let err = EnvironmentPayment::run(&state, &to_cloud, now, &policy).unwrap_err();
//! let refusal = err.refusal().unwrap();
//! assert_eq!(refusal.rule(), RuleId::Pay06);
//! assert_eq!(refusal.figure("open_for_invoicing").unwrap().to_string(), "CNY 100.00");
//!
//! // Once 150.00 is open, the same switch goes through: switch 1 of 4.
//! let enough = SwitchFacts::default().with_refund(cny(150), cny(150));
//! let to_cloud = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, enough);
//! let (state, _) = EnvironmentPayment::run(&state, &to_cloud, now, &policy)?;
//! assert_eq!(state.switches_used(), 1);
//!
//! // A switch to the method in use would spend a switch for nothing (R-PAY-07).
//! let same = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
//! let err = EnvironmentPayment::run(&state, &same, now, &policy).unwrap_err();
//! assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Pay07));
//! # Ok::<(), billing_rules::Error>(())
//! ```

mod display;
mod invoicing;
mod method;
mod policy;
mod switching;

pub use invoicing::{InvoiceRouting, InvoiceSource};
pub use method::{PaymentMethod, PrepaidSource, UnknownPaymentMethod};
pub use policy::{PaymentPolicy, PaymentPolicySpec};
pub use switching::{
    EnvironmentPayment, InvoiceBalance, PaymentCommand, PaymentEvent, PaymentState, SwitchFacts,
};
