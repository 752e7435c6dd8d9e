//! Where the invoices of an order come from (R-PAY-09).
//!
//! The source follows the method in use when the order is paid: an
//! environment that moves to the cloud account gets its later invoices from
//! the cloud account's billing centre.
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::payment::{EnvironmentPayment, InvoiceSource, PaymentCommand, PaymentMethod, SwitchFacts};
//! use chrono::{TimeZone, Utc};
//!
//! let policy = billing_rules::presets::cloud_payment()?;
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
//! let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidPersonalWallet };
//! let (state, _) = EnvironmentPayment::run(&EnvironmentPayment::initial(), &buy, now, &policy)?;
//! assert_eq!(policy.invoice_source(&state), InvoiceSource::EnvironmentConsole);
//!
//! let to_cloud = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default());
//! let (state, _) = EnvironmentPayment::run(&state, &to_cloud, now, &policy)?;
//! assert_eq!(policy.invoice_source(&state).to_string(), "cloud_account_billing_centre");
//! # Ok::<(), billing_rules::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::payment::method::PaymentMethod;

/// Where a customer asks for the invoice of an order (R-PAY-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSource {
    /// The cloud environment's own console.
    EnvironmentConsole,
    /// The cloud account's billing centre.
    CloudAccountBillingCentre,
}

impl InvoiceSource {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::EnvironmentConsole, Self::CloudAccountBillingCentre];

    /// The name used in JSON and displays.
    pub const fn as_str(self) -> &'static str {
        match self {
            InvoiceSource::EnvironmentConsole => "environment_console",
            InvoiceSource::CloudAccountBillingCentre => "cloud_account_billing_centre",
        }
    }
}

impl fmt::Display for InvoiceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which [`InvoiceSource`] invoices the orders of each payment method
/// (R-PAY-09).
///
/// The published routing ([`PaymentPolicy::INVOICE_ROUTING`](crate::payment::PaymentPolicy::INVOICE_ROUTING)):
/// orders paid from the personal wallet are invoiced in the environment's
/// console; orders paid from the cloud account, prepaid or pay-as-you-go, in
/// the cloud account's billing centre. Every mapping is valid, so this is
/// plain data with no spec.
///
/// Serialized as `{"prepaid_personal_wallet": "environment_console", ...}`.
///
/// ```
/// use billing_rules::payment::{InvoiceSource, PaymentMethod, PaymentPolicy};
///
/// let routing = PaymentPolicy::INVOICE_ROUTING;
/// assert_eq!(routing.invoice_source(PaymentMethod::PrepaidPersonalWallet), InvoiceSource::EnvironmentConsole);
/// assert_eq!(routing.invoice_source(PaymentMethod::PayAsYouGo), InvoiceSource::CloudAccountBillingCentre);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceRouting {
    /// Invoices of orders prepaid from the personal wallet.
    pub prepaid_personal_wallet: InvoiceSource,
    /// Invoices of orders prepaid from the cloud account.
    pub prepaid_cloud_account: InvoiceSource,
    /// Invoices of pay-as-you-go bills.
    pub pay_as_you_go: InvoiceSource,
}

impl InvoiceRouting {
    /// Where the invoices of an order paid with `method` come from (R-PAY-09).
    pub const fn invoice_source(&self, method: PaymentMethod) -> InvoiceSource {
        match method {
            PaymentMethod::PrepaidPersonalWallet => self.prepaid_personal_wallet,
            PaymentMethod::PrepaidCloudAccount => self.prepaid_cloud_account,
            PaymentMethod::PayAsYouGo => self.pay_as_you_go,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InvoiceSource;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(InvoiceSource: EnvironmentConsole, CloudAccountBillingCentre);
    }
}
