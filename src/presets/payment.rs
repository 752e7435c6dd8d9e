//! The cloud environment's published payment-method figures (R-PAY-01,
//! R-PAY-03, R-PAY-09), composed from [`PaymentPolicy`]'s constants.

use crate::error::PolicyError;
use crate::payment::{PaymentPolicy, PaymentPolicySpec};

/// The cloud environment's payment-method policy as a spec: the personal
/// wallet is the default (R-PAY-01), at most 4 switches (R-PAY-03), wallet
/// orders invoiced in the environment's console and cloud-account orders
/// in the cloud account's billing centre (R-PAY-09).
///
/// ```
/// use billing_rules::payment::{PaymentPolicy, PaymentPolicySpec};
/// use billing_rules::presets;
///
/// let spec = PaymentPolicySpec { switch_limit: 2, ..presets::cloud_payment_spec() };
/// assert_eq!(PaymentPolicy::try_from(spec)?.switch_limit(), 2);
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
pub fn cloud_payment_spec() -> PaymentPolicySpec {
    PaymentPolicySpec {
        switch_limit: PaymentPolicy::SWITCH_LIMIT,
        default_method: PaymentPolicy::DEFAULT_METHOD,
        invoice_routing: PaymentPolicy::INVOICE_ROUTING,
        locale: super::locale(),
    }
}

/// The cloud environment's payment-method policy (R-PAY-01, R-PAY-03,
/// R-PAY-09): [`cloud_payment_spec`], validated.
///
/// ```
/// use billing_rules::payment::PaymentMethod;
/// use billing_rules::presets;
///
/// let payment = presets::cloud_payment()?;
/// assert_eq!(payment.switch_limit(), 4);
/// assert_eq!(payment.default_method(), PaymentMethod::PrepaidPersonalWallet);
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
pub fn cloud_payment() -> Result<PaymentPolicy, PolicyError> {
    PaymentPolicy::try_from(cloud_payment_spec())
}
