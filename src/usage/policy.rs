//! The per-use policy of a metered feature: per-call prices, trial quota,
//! exemptions, package catalogue, billing start and what happens when no
//! package is left (R-USE-01..08).
//!
//! ```
//! use billing_rules::usage::calls::Component;
//! use billing_rules::usage::policy::{UsagePolicy, WhenExhausted};
//!
//! let policy = billing_rules::presets::usage::verification()?;
//! assert_eq!(policy.trial_quota(), 1000);
//! assert_eq!(policy.when_exhausted(), WhenExhausted::PerCall);
//! assert_eq!(
//!     policy.prices().price(Component::RealTimeVerification).map(|p| p.to_string()).as_deref(),
//!     Some("CNY 0.04")
//! );
//!
//! // A policy round-trips through its spec, and deserializing validates it.
//! let json = serde_json::to_string(&policy).unwrap();
//! let back: UsagePolicy = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, policy);
//! # Ok::<(), billing_rules::Error>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::policy::Locale;

use super::calls::{ComponentPriceSpec, Exemptions, ExemptionsSpec, PriceList};
use super::catalogue::{Catalogue, CatalogueSpec};

/// What a billed call does when neither the trial quota nor a valid package
/// covers it (R-USE-07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenExhausted {
    /// It is billed at the component's per-call price (R-USE-01). The preset.
    PerCall,
    /// It is refused: the call must not be made.
    Refuse,
}

/// A per-use policy as written in a configuration.
///
/// `locale` and `exemptions` may be left out (preset locale, nobody
/// exempt); the full shape is in [`UsagePolicy`]'s JSON section.
///
/// # JSON
///
/// ```json
/// {"billing_start": "2023-08-25T16:00:00Z", "prices": [{"component": "quick_verification", "price": "0.03"}], "trial_quota": 1000, "catalogue": {"validities": [365], "packages": [{"calls": 1000, "price": "30", "validity_days": 365}]}, "when_exhausted": "per_call"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsagePolicySpec {
    /// Currency, time zone and final rounding.
    #[serde(default)]
    pub locale: Locale,
    /// When billing starts (R-USE-06); published: 2023-08-26 00:00 +08:00.
    /// Packages bought earlier take effect then; calls made earlier are free.
    pub billing_start: DateTime<Utc>,
    /// The price of a successful call, per component (R-USE-01).
    pub prices: Vec<ComponentPriceSpec>,
    /// Free calls per app account, used before anything is billed
    /// (R-USE-02); published: 1000.
    pub trial_quota: u64,
    /// Who pays nothing (R-USE-03).
    #[serde(default)]
    pub exemptions: ExemptionsSpec,
    /// The packages on sale (R-USE-05).
    pub catalogue: CatalogueSpec,
    /// What an uncovered call does (R-USE-07).
    pub when_exhausted: WhenExhausted,
}

/// A validated per-use policy (R-USE-01 to R-USE-07). Built from a
/// [`UsagePolicySpec`] with `TryFrom`, which refuses a negative or doubled
/// per-call price (R-USE-01), exemptions that list an organisation twice or
/// give it no category (R-USE-03) and a package catalogue that breaks
/// R-USE-05 (see [`Catalogue::build`]); (de)serializes through it.
///
/// # JSON
///
/// A small policy, as written and as serialized (defaults filled in):
///
/// ```
/// use billing_rules::usage::policy::UsagePolicy;
/// use serde_json::json;
///
/// let policy: UsagePolicy = serde_json::from_value(json!({
///     "billing_start": "2023-08-25T16:00:00Z",
///     "prices": [{"component": "quick_verification", "price": "0.03"}],
///     "trial_quota": 1000,
///     "catalogue": {"validities": [365], "packages": [{"calls": 1000, "price": "30", "validity_days": 365}]},
///     "when_exhausted": "per_call"
/// }))?;
/// assert_eq!(serde_json::to_value(&policy)?, json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "billing_start": "2023-08-25T16:00:00Z",
///     "prices": [{"component": "quick_verification", "price": "0.03"}],
///     "trial_quota": 1000,
///     "exemptions": {"organisations": [], "by_category": []},
///     "catalogue": {
///         "validities": [365],
///         "packages": [{"calls": 1000, "price": "30", "list_price": null, "validity_days": 365}],
///         "custom": null
///     },
///     "when_exhausted": "per_call"
/// }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UsagePolicySpec", into = "UsagePolicySpec")]
pub struct UsagePolicy {
    locale: Locale,
    billing_start: DateTime<Utc>,
    prices: PriceList,
    trial_quota: u64,
    exemptions: Exemptions,
    catalogue: Catalogue,
    when_exhausted: WhenExhausted,
}

impl TryFrom<UsagePolicySpec> for UsagePolicy {
    type Error = PolicyError;

    fn try_from(spec: UsagePolicySpec) -> Result<Self, PolicyError> {
        let currency = spec.locale.currency;
        Ok(UsagePolicy {
            locale: spec.locale,
            billing_start: spec.billing_start,
            prices: PriceList::build(&spec.prices, currency)?,
            trial_quota: spec.trial_quota,
            exemptions: Exemptions::build(&spec.exemptions)?,
            catalogue: Catalogue::build(&spec.catalogue, currency)?,
            when_exhausted: spec.when_exhausted,
        })
    }
}

impl From<UsagePolicy> for UsagePolicySpec {
    fn from(policy: UsagePolicy) -> Self {
        UsagePolicySpec {
            locale: policy.locale,
            billing_start: policy.billing_start,
            prices: policy.prices.to_specs(),
            trial_quota: policy.trial_quota,
            exemptions: policy.exemptions.to_spec(),
            catalogue: policy.catalogue.to_spec(),
            when_exhausted: policy.when_exhausted,
        }
    }
}

impl UsagePolicy {
    /// Currency, time zone and final rounding.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// When billing starts (R-USE-06).
    pub fn billing_start(&self) -> DateTime<Utc> {
        self.billing_start
    }

    /// The per-call prices (R-USE-01).
    pub fn prices(&self) -> &PriceList {
        &self.prices
    }

    /// Free calls per app account (R-USE-02).
    pub fn trial_quota(&self) -> u64 {
        self.trial_quota
    }

    /// Who pays nothing (R-USE-03).
    pub fn exemptions(&self) -> &Exemptions {
        &self.exemptions
    }

    /// The packages on sale (R-USE-05).
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// What an uncovered call does (R-USE-07).
    pub fn when_exhausted(&self) -> WhenExhausted {
        self.when_exhausted
    }

    /// The spec of this policy.
    pub fn to_spec(&self) -> UsagePolicySpec {
        self.clone().into()
    }
}
