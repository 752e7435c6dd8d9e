//! The per-use policy of a metered feature: per-call prices, trial quota,
//! exemptions, package catalogue, billing start and what happens when no
//! package is left (R-USE-01..08), with the published figures that are not
//! a part's. See [per-call charges](super#per-call-charges).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, PolicyError};
use crate::fingerprint::Fingerprint;
use crate::money::Money;
use crate::policy::Locale;
use crate::preview::DEFAULT_WINDOW_MINUTES;
use crate::preview::MAX_WINDOW_MINUTES;
use crate::preview::check_window_minutes;
use crate::preview::window_of;
use crate::rule::RuleId;

use super::calls::{
    Component, ComponentPriceSpec, Exemptions, ExemptionsSpec, PriceList, StandalonePriceListSpec,
};
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
/// `locale` is required; `exemptions` may be left out (nobody
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
    pub locale: Locale,
    /// When billing starts (R-USE-06); published:
    /// [`UsagePolicy::BILLING_START`], 2023-08-26 00:00 +08:00.
    /// Packages bought earlier take effect then; calls made earlier are free.
    pub billing_start: DateTime<Utc>,
    /// The price of a successful call, per component (R-USE-01).
    pub prices: Vec<ComponentPriceSpec>,
    /// Free calls per app account, used before anything is billed
    /// (R-USE-02); published: [`UsagePolicy::TRIAL_QUOTA`], 1000.
    pub trial_quota: u64,
    /// Who pays nothing (R-USE-03).
    #[serde(default)]
    pub exemptions: ExemptionsSpec,
    /// The packages on sale (R-USE-05).
    pub catalogue: CatalogueSpec,
    /// What an uncovered call does (R-USE-07).
    pub when_exhausted: WhenExhausted,
    /// How long a preview of a package purchase may be charged as it was
    /// shown, in minutes (preset [`UsagePolicy::QUOTE_WINDOW_MINUTES`], 30;
    /// 1 to [`UsagePolicy::MAX_QUOTE_WINDOW_MINUTES`]).
    #[serde(default = "default_quote_window_minutes")]
    pub quote_window_minutes: u32,
}

fn default_quote_window_minutes() -> u32 {
    UsagePolicy::QUOTE_WINDOW_MINUTES
}

/// A validated per-use policy (R-USE-01 to R-USE-07). Built from a
/// [`UsagePolicySpec`] with `TryFrom`, which refuses a negative or doubled
/// per-call price (R-USE-01), exemptions that list an organisation twice or
/// give it no category (R-USE-03) and a package catalogue that breaks
/// R-USE-05 (see [`Catalogue`]); (de)serializes through it.
///
/// # JSON
///
/// A small policy, as written and as serialized (defaults filled in):
///
/// ```
/// use billing_rules::usage::UsagePolicy;
/// use serde_json::json;
///
/// let policy: UsagePolicy = serde_json::from_value(json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
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
///     "when_exhausted": "per_call",
///     "quote_window_minutes": 30
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
    quote_window_minutes: u32,
    // The spec's fingerprint, computed once when the policy is built: a
    // quoted package purchase compares it on every charge.
    fingerprint: Fingerprint,
}

impl TryFrom<UsagePolicySpec> for UsagePolicy {
    type Error = PolicyError;

    fn try_from(spec: UsagePolicySpec) -> Result<Self, PolicyError> {
        let currency = spec.locale.currency;
        check_window_minutes(spec.quote_window_minutes).map_err(|e| e.with_rule(RuleId::Use05))?;
        let mut policy = UsagePolicy {
            locale: spec.locale,
            billing_start: spec.billing_start,
            prices: PriceList::try_from(StandalonePriceListSpec {
                currency,
                prices: spec.prices,
            })?,
            trial_quota: spec.trial_quota,
            exemptions: Exemptions::try_from(spec.exemptions)?,
            catalogue: Catalogue::try_from(spec.catalogue.in_currency(currency))?,
            when_exhausted: spec.when_exhausted,
            quote_window_minutes: spec.quote_window_minutes,
            fingerprint: Fingerprint::ZERO,
        };
        // Of the normalized spec, so a policy and the policy read back from
        // its JSON have the same fingerprint.
        policy.fingerprint = Fingerprint::of(&policy.to_spec()).map_err(|e| {
            PolicyError::new("spec", e.to_string(), "a spec whose JSON can be written")
        })?;
        Ok(policy)
    }
}

spec_from!(UsagePolicy => UsagePolicySpec);

impl UsagePolicy {
    /// R-USE-02: the published trial quota, 1000 free calls per app
    /// account.
    pub const TRIAL_QUOTA: u64 = 1000;

    /// R-USE-06: the published billing start, 2023-08-26 00:00 +08:00,
    /// which is 2023-08-25 16:00 UTC.
    ///
    /// ```
    /// use billing_rules::usage::UsagePolicy;
    ///
    /// assert_eq!(UsagePolicy::BILLING_START.to_rfc3339(), "2023-08-25T16:00:00+00:00");
    /// ```
    // Built at compile time: the date is valid, so the fallback arm (the
    // earliest instant, which would bill every call) is never taken; the
    // example above pins the value.
    pub const BILLING_START: DateTime<Utc> = match NaiveDate::from_ymd_opt(2023, 8, 25) {
        Some(day) => match day.and_hms_opt(16, 0, 0) {
            Some(instant) => instant.and_utc(),
            None => DateTime::<Utc>::MIN_UTC,
        },
        None => DateTime::<Utc>::MIN_UTC,
    };

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
        UsagePolicySpec {
            locale: self.locale,
            billing_start: self.billing_start,
            prices: self.prices.to_spec().prices,
            trial_quota: self.trial_quota,
            exemptions: self.exemptions.to_spec(),
            catalogue: self.catalogue.to_spec().into(),
            when_exhausted: self.when_exhausted,
            quote_window_minutes: self.quote_window_minutes,
        }
    }

    /// The preset window of a package preview, 30 minutes (as a seat
    /// preview's).
    pub const QUOTE_WINDOW_MINUTES: u32 = DEFAULT_WINDOW_MINUTES;

    /// The longest window a policy may give a preview: 30 days.
    pub const MAX_QUOTE_WINDOW_MINUTES: u32 = MAX_WINDOW_MINUTES;

    /// How long a package preview may be charged as shown (the spec's
    /// `quote_window_minutes`).
    pub fn quote_window(&self) -> TimeDelta {
        window_of(self.quote_window_minutes)
    }

    /// The [`Fingerprint`] of this policy's spec: what a
    /// [`PackagePreview`](super::PackagePreview) records as `policy`.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// `calls` successful calls to `component` billed per call, exactly
    /// (R-USE-01). Not rounded: a price with more digits than the
    /// currency's minor unit gives a charge the bill rounds once.
    ///
    /// ```
    /// use billing_rules::usage::Component;
    ///
    /// let policy = billing_rules::presets::verification_usage()?;
    /// let charge = policy.per_call_charge(Component::RealTimeVerification, 1_000)?;
    /// assert_eq!(charge.to_string(), "CNY 40.00");
    /// # Ok::<(), billing_rules::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A refusal naming R-USE-01 when the policy does not price
    /// `component`; an arithmetic error naming R-USE-01 on overflow.
    pub fn per_call_charge(&self, component: Component, calls: u64) -> Result<Money, Error> {
        self.prices
            .require(component)?
            .checked_mul(Decimal::from(calls))
            .map_err(|e| Error::from(e).in_rule(RuleId::Use01))
    }
}
