//! The payment-method policy: switch limit, default method, invoice routing.
//!
//! ```
//! use billing_rules::payment::{PaymentMethod, PaymentPolicy};
//!
//! let published = billing_rules::presets::cloud_payment()?;
//! assert_eq!(published.switch_limit(), 4); // R-PAY-03
//!
//! // A platform that allows 2 switches and starts on the cloud account; the
//! // fields left out keep their published values. The locale is required.
//! let json = r#"{"switch_limit": 2, "default_method": "prepaid_cloud_account",
//!     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#;
//! let policy: PaymentPolicy = serde_json::from_str(json)?;
//! assert_eq!(policy.switch_limit(), 2);
//! assert_eq!(policy.default_method(), PaymentMethod::PrepaidCloudAccount);
//! assert_eq!(policy.invoice_routing(), published.invoice_routing());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::payment::invoicing::{InvoiceRouting, InvoiceSource};
use crate::payment::method::PaymentMethod;
use crate::policy::Locale;

/// A payment-method policy as written in a configuration file.
///
/// Every field may be left out and takes its published value: a switch
/// limit of 4 ([`PaymentPolicy::SWITCH_LIMIT`]), the personal wallet as the
/// default method ([`PaymentPolicy::DEFAULT_METHOD`]), and the published
/// invoice routing ([`PaymentPolicy::INVOICE_ROUTING`]).
///
/// ```
/// use billing_rules::payment::{PaymentPolicy, PaymentPolicySpec};
///
/// let spec: PaymentPolicySpec = serde_json::from_str(r#"{"switch_limit": 2, "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#)?;
/// let missing = serde_json::from_str::<PaymentPolicySpec>(r#"{"switch_limit": 2}"#);
/// assert!(missing.unwrap_err().to_string().contains("missing field `locale`"));
/// let policy = PaymentPolicy::try_from(spec)?;
/// assert_eq!(policy.switch_limit(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # JSON
///
/// The full shape is in [`PaymentPolicy`]'s JSON section; the smallest
/// spec is the locale alone (with the published figures).
///
/// ```json
/// {"switch_limit": 2, "default_method": "prepaid_cloud_account"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentPolicySpec {
    /// How many switches an account may make in all (R-PAY-03); the next
    /// one is refused. Zero disables switching.
    #[serde(default = "PaymentPolicySpec::switch_limit")]
    pub switch_limit: u32,
    /// The method that applies before the first purchase chooses one
    /// (R-PAY-01).
    #[serde(default = "PaymentPolicySpec::default_method")]
    pub default_method: PaymentMethod,
    /// Where invoices come from, by method (R-PAY-09).
    #[serde(default = "PaymentPolicySpec::invoice_routing")]
    pub invoice_routing: InvoiceRouting,
    /// Currency, zone and rounding; amounts in switch facts must be in this
    /// currency. Required in JSON: a policy never guesses its currency.
    pub locale: Locale,
}

// Serde's defaults field by field: the locale has none.
impl PaymentPolicySpec {
    fn switch_limit() -> u32 {
        PaymentPolicy::SWITCH_LIMIT
    }
    fn default_method() -> PaymentMethod {
        PaymentPolicy::DEFAULT_METHOD
    }
    fn invoice_routing() -> InvoiceRouting {
        PaymentPolicy::INVOICE_ROUTING
    }
}

impl Default for PaymentPolicySpec {
    /// The published figures: [`PaymentPolicy::SWITCH_LIMIT`],
    /// [`PaymentPolicy::DEFAULT_METHOD`], [`PaymentPolicy::INVOICE_ROUTING`]
    /// and the default [`Locale`].
    fn default() -> Self {
        PaymentPolicySpec {
            switch_limit: PaymentPolicy::SWITCH_LIMIT,
            default_method: PaymentPolicy::DEFAULT_METHOD,
            invoice_routing: PaymentPolicy::INVOICE_ROUTING,
            locale: Locale::default(),
        }
    }
}

/// A validated payment-method policy (R-PAY-01, R-PAY-03, R-PAY-09).
///
/// Build it from a [`PaymentPolicySpec`] with `try_from`, or take the
/// published one from [`presets::cloud_payment`](crate::presets::cloud_payment).
/// Deserializing validates; serializing gives back the spec.
///
/// # JSON
///
/// The published policy, every field written out:
///
/// ```
/// use billing_rules::payment::PaymentPolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::cloud_payment()?;
/// let shape = json!({
///     "switch_limit": 4,
///     "default_method": "prepaid_personal_wallet",
///     "invoice_routing": {
///         "prepaid_personal_wallet": "environment_console",
///         "prepaid_cloud_account": "cloud_account_billing_centre",
///         "pay_as_you_go": "cloud_account_billing_centre"
///     },
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}
/// });
/// assert_eq!(serde_json::to_value(&policy)?, shape);
/// assert_eq!(serde_json::from_value::<PaymentPolicy>(shape)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPolicy {
    // The spec it was built from: `to_spec` and serialization give it back
    // unchanged.
    spec: PaymentPolicySpec,
}

impl PaymentPolicy {
    /// R-PAY-03's published switch limit: 4 switches in all.
    pub const SWITCH_LIMIT: u32 = 4;

    /// R-PAY-01's published default: the personal wallet.
    pub const DEFAULT_METHOD: PaymentMethod = PaymentMethod::PrepaidPersonalWallet;

    /// R-PAY-09's published routing: orders paid from the personal wallet
    /// are invoiced in the environment's console; orders paid from the
    /// cloud account, prepaid or pay-as-you-go, in the cloud account's
    /// billing centre.
    pub const INVOICE_ROUTING: InvoiceRouting = InvoiceRouting {
        prepaid_personal_wallet: InvoiceSource::EnvironmentConsole,
        prepaid_cloud_account: InvoiceSource::CloudAccountBillingCentre,
        pay_as_you_go: InvoiceSource::CloudAccountBillingCentre,
    };

    /// How many switches an account may make in all (R-PAY-03).
    pub fn switch_limit(&self) -> u32 {
        self.spec.switch_limit
    }

    /// The method before the first purchase (R-PAY-01).
    pub fn default_method(&self) -> PaymentMethod {
        self.spec.default_method
    }

    /// Where invoices come from, by method (R-PAY-09).
    pub fn invoice_routing(&self) -> &InvoiceRouting {
        &self.spec.invoice_routing
    }

    /// Currency, zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }
}

crate::policy::policy_spec!(PaymentPolicy => PaymentPolicySpec, kept in spec);

impl TryFrom<PaymentPolicySpec> for PaymentPolicy {
    type Error = PolicyError;

    /// Every spec this crate can hold is a valid policy today (any switch
    /// limit, any default, any routing); `TryFrom` stays the entry point so
    /// a future check cannot silently be skipped.
    fn try_from(spec: PaymentPolicySpec) -> Result<Self, PolicyError> {
        Ok(PaymentPolicy { spec })
    }
}
