//! The published payment-method and refund figures (R-PAY-01..09,
//! R-REF-01..04).
//!
//! - The cloud environment's payment methods: the personal wallet is the
//!   default (R-PAY-01), at most 4 switches (R-PAY-03), wallet orders
//!   invoiced in the environment's console and cloud-account orders in the
//!   cloud account's billing centre (R-PAY-09).
//! - App orders: refundable for 10 days after payment (R-REF-01).
//! - Plugin licences: refundable for 14 days after the account's first
//!   licence purchase with at most 20 GB of playback traffic (R-REF-03).
//! - Refunds flagged abnormal are refused (R-REF-04 says they "may" be).
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::payment::PaymentMethod;
//! use billing_rules::time::Days;
//!
//! let payment = presets::payment::payment_policy()?;
//! assert_eq!(payment.switch_limit(), 4);
//! assert_eq!(payment.default_method(), PaymentMethod::PrepaidPersonalWallet);
//! assert_eq!(presets::payment::app_refund_policy()?.window().days(), Days(10));
//! let licence = presets::payment::licence_refund_policy()?;
//! assert_eq!(licence.window().days(), Days(14));
//! assert_eq!(licence.traffic_limit().to_string(), "20 GB");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;

use crate::error::PolicyError;
use crate::payment::{
    InvoiceRouting, InvoiceSource, PaymentMethod, PaymentPolicy, PaymentPolicySpec,
};
use crate::quantity::{Quantity, Unit};
use crate::refund::{
    AppRefundPolicy, AppRefundPolicySpec, LicenceRefundPolicy, LicenceRefundPolicySpec,
};

/// Switches an account may make in all (R-PAY-03).
const SWITCH_LIMIT: u32 = 4;
/// Days an app order stays refundable (R-REF-01).
const APP_REFUND_DAYS: u32 = 10;
/// Days a licence stays refundable after the first licence purchase
/// (R-REF-03).
const LICENCE_REFUND_DAYS: u32 = 14;
/// Playback traffic, in GB, that still qualifies for a licence refund
/// (R-REF-03).
const LICENCE_TRAFFIC_LIMIT_GB: i64 = 20;
/// Whether abnormal refunds are refused (R-REF-04).
const REFUSE_ABNORMAL: bool = true;

/// Where invoices come from (R-PAY-09): wallet orders in the environment's
/// console, cloud-account orders (prepaid or pay-as-you-go) in the cloud
/// account's billing centre.
pub fn invoice_routing() -> InvoiceRouting {
    InvoiceRouting {
        prepaid_personal_wallet: InvoiceSource::EnvironmentConsole,
        prepaid_cloud_account: InvoiceSource::CloudAccountBillingCentre,
        pay_as_you_go: InvoiceSource::CloudAccountBillingCentre,
    }
}

/// The cloud environment's payment-method policy as a spec.
pub fn payment_policy_spec() -> PaymentPolicySpec {
    PaymentPolicySpec {
        switch_limit: SWITCH_LIMIT,
        default_method: PaymentMethod::PrepaidPersonalWallet,
        invoice_routing: invoice_routing(),
        locale: super::locale(),
    }
}

/// The cloud environment's payment-method policy (R-PAY-01, R-PAY-03,
/// R-PAY-09).
pub fn payment_policy() -> Result<PaymentPolicy, PolicyError> {
    PaymentPolicy::try_from(payment_policy_spec())
}

/// The app-order refund policy as a spec.
pub fn app_refund_policy_spec() -> AppRefundPolicySpec {
    AppRefundPolicySpec {
        window_days: APP_REFUND_DAYS,
        refuse_abnormal: REFUSE_ABNORMAL,
        locale: super::locale(),
    }
}

/// The app-order refund policy (R-REF-01, R-REF-02, R-REF-04).
pub fn app_refund_policy() -> Result<AppRefundPolicy, PolicyError> {
    AppRefundPolicy::try_from(app_refund_policy_spec())
}

/// The licence refund traffic limit: 20 GB (R-REF-03).
pub fn licence_traffic_limit() -> Quantity {
    Quantity::new(Decimal::from(LICENCE_TRAFFIC_LIMIT_GB), Unit::Gigabyte)
}

/// The licence refund policy as a spec.
pub fn licence_refund_policy_spec() -> LicenceRefundPolicySpec {
    LicenceRefundPolicySpec {
        window_days: LICENCE_REFUND_DAYS,
        traffic_limit: licence_traffic_limit(),
        refuse_abnormal: REFUSE_ABNORMAL,
        locale: super::locale(),
    }
}

/// The licence refund policy (R-REF-03, R-REF-04).
pub fn licence_refund_policy() -> Result<LicenceRefundPolicy, PolicyError> {
    LicenceRefundPolicy::try_from(licence_refund_policy_spec())
}
