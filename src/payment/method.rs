//! The three payment methods of a cloud environment (R-PAY-01).
//!
//! Two are prepaid (from the personal wallet or from the cloud account) and
//! one is pay-as-you-go; a prepaid state holds a [`PrepaidSource`], so it
//! cannot name pay-as-you-go by mistake.
//!
//! ```
//! use billing_rules::payment::{PaymentMethod, PrepaidSource};
//!
//! let policy = billing_rules::presets::cloud_payment()?;
//! assert_eq!(policy.default_method(), PaymentMethod::PrepaidPersonalWallet); // R-PAY-01
//! assert_eq!(PaymentMethod::ALL.iter().filter(|m| m.is_prepaid()).count(), 2);
//! assert_eq!(PaymentMethod::PrepaidCloudAccount.prepaid_source(), Some(PrepaidSource::CloudAccount));
//! assert_eq!(PaymentMethod::PayAsYouGo.prepaid_source(), None);
//! assert_eq!("cloud".parse::<PaymentMethod>()?, PaymentMethod::PrepaidCloudAccount);
//! assert!("card".parse::<PaymentMethod>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a cloud environment pays for what it uses (R-PAY-01).
///
/// The catalogue's default is [`PaymentMethod::PrepaidPersonalWallet`], which
/// is also this type's [`Default`]; a policy may name another default
/// ([`PaymentPolicy::default_method`](crate::payment::PaymentPolicy::default_method)).
///
/// Serialized in snake_case (`"prepaid_personal_wallet"`). [`FromStr`] also
/// accepts the short names `wallet`, `cloud` and `payg`.
///
/// ```
/// use billing_rules::payment::PaymentMethod;
///
/// assert_eq!(PaymentMethod::default(), PaymentMethod::PrepaidPersonalWallet);
/// assert_eq!("payg".parse::<PaymentMethod>()?, PaymentMethod::PayAsYouGo);
/// assert!(PaymentMethod::PrepaidCloudAccount.is_prepaid());
/// assert_eq!(PaymentMethod::PayAsYouGo.to_string(), "pay_as_you_go");
/// # Ok::<(), billing_rules::payment::UnknownPaymentMethod>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Prepaid from the personal wallet: the catalogue's default.
    #[default]
    PrepaidPersonalWallet,
    /// Prepaid from the cloud account.
    PrepaidCloudAccount,
    /// Pay-as-you-go from the cloud account; final once chosen (R-PAY-04).
    PayAsYouGo,
}

impl PaymentMethod {
    /// Every method, in catalogue order.
    pub const ALL: [PaymentMethod; 3] = [
        PaymentMethod::PrepaidPersonalWallet,
        PaymentMethod::PrepaidCloudAccount,
        PaymentMethod::PayAsYouGo,
    ];

    /// The name used in JSON, displays and refusal figures.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::PrepaidPersonalWallet => "prepaid_personal_wallet",
            PaymentMethod::PrepaidCloudAccount => "prepaid_cloud_account",
            PaymentMethod::PayAsYouGo => "pay_as_you_go",
        }
    }

    /// True for the two prepaid methods.
    pub const fn is_prepaid(self) -> bool {
        self.prepaid_source().is_some()
    }

    /// Where a prepaid method draws from; `None` for pay-as-you-go.
    pub const fn prepaid_source(self) -> Option<PrepaidSource> {
        match self {
            PaymentMethod::PrepaidPersonalWallet => Some(PrepaidSource::PersonalWallet),
            PaymentMethod::PrepaidCloudAccount => Some(PrepaidSource::CloudAccount),
            PaymentMethod::PayAsYouGo => None,
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a payment method. Serialized as the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error(
    "`{0}` is not a payment method; use prepaid_personal_wallet (wallet), \
     prepaid_cloud_account (cloud) or pay_as_you_go (payg)"
)]
pub struct UnknownPaymentMethod(pub String);

impl FromStr for PaymentMethod {
    type Err = UnknownPaymentMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "prepaid_personal_wallet" | "wallet" => Ok(PaymentMethod::PrepaidPersonalWallet),
            "prepaid_cloud_account" | "cloud" => Ok(PaymentMethod::PrepaidCloudAccount),
            "pay_as_you_go" | "payg" => Ok(PaymentMethod::PayAsYouGo),
            other => Err(UnknownPaymentMethod(other.to_owned())),
        }
    }
}

/// Where prepaid quota is paid from: the two prepaid methods of R-PAY-01.
///
/// A prepaid state holds this type rather than a [`PaymentMethod`], so a
/// "prepaid pay-as-you-go" state cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrepaidSource {
    /// The personal wallet.
    PersonalWallet,
    /// The cloud account.
    CloudAccount,
}

impl PrepaidSource {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::PersonalWallet, Self::CloudAccount];

    /// The payment method that prepays from this source.
    pub const fn method(self) -> PaymentMethod {
        match self {
            PrepaidSource::PersonalWallet => PaymentMethod::PrepaidPersonalWallet,
            PrepaidSource::CloudAccount => PaymentMethod::PrepaidCloudAccount,
        }
    }
}

impl From<PrepaidSource> for PaymentMethod {
    fn from(source: PrepaidSource) -> PaymentMethod {
        source.method()
    }
}

#[cfg(test)]
mod tests {
    use super::{PaymentMethod, PrepaidSource};

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(PrepaidSource: PersonalWallet, CloudAccount);
        assert_all_variants!(PaymentMethod: PrepaidPersonalWallet, PrepaidCloudAccount, PayAsYouGo);
    }
}
