//! The licence's policy: price, term and the bundled free term (R-LIC-01,
//! R-LIC-06), with the published figures as its constants.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::money::Money;
use crate::policy::{Locale, check};
use crate::quantity::{Dimension, Quantity, Unit};
use crate::rule::RuleId;
use crate::time::{Days, Period};

/// The spec of a [`LicencePolicy`].
///
/// `locale` may be left out (the preset locale); the full shape is in
/// [`LicencePolicy`]'s JSON section.
///
/// # JSON
///
/// The live plugin's preset:
///
/// ```json
/// {"price_per_term": "30000", "term": "year", "bundled_min_traffic": {"value": "200", "unit": "TB"}, "bundled_terms": 1}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicencePolicySpec {
    /// Currency, time zone and rounding.
    pub locale: Locale,
    /// R-LIC-01: the price of one licence term, in the locale's currency
    /// (published: 30,000). Zero or more.
    #[serde(with = "crate::decimal_serde::strict")]
    pub price_per_term: Decimal,
    /// R-LIC-01: how long one licence is valid (published: a year, 365
    /// days).
    pub term: Period,
    /// R-LIC-06: the smallest traffic package that earns a free licence
    /// (published: 200 TB). A data quantity above zero.
    pub bundled_min_traffic: Quantity,
    /// R-LIC-06: how many free terms such a package earns (published: 1).
    /// 1 to 10.
    pub bundled_terms: u32,
}

/// A validated licence policy (R-LIC-01, R-LIC-06); (de)serializes as its
/// [`LicencePolicySpec`].
///
/// Built with `TryFrom`, which refuses a negative price (R-LIC-01), a
/// bundle threshold that is not a data quantity above zero, and a number of
/// free terms outside 1 to 10 (R-LIC-06).
///
/// # JSON
///
/// The live plugin's preset, every field written out:
///
/// ```
/// use billing_rules::lifecycle::LicencePolicy;
/// use serde_json::json;
///
/// let policy = billing_rules::presets::live_plugin_licence()?;
/// let shape = json!({
///     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"},
///     "price_per_term": "30000",
///     "term": "year",
///     "bundled_min_traffic": {"value": "200", "unit": "TB"},
///     "bundled_terms": 1
/// });
/// assert_eq!(serde_json::to_value(&policy)?, shape);
/// assert_eq!(serde_json::from_value::<LicencePolicy>(shape)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LicencePolicySpec", into = "LicencePolicySpec")]
pub struct LicencePolicy {
    spec: LicencePolicySpec,
}

impl LicencePolicy {
    /// R-LIC-01's published price: 30,000 a term (in the locale's
    /// currency).
    // 30000 at scale 0, written `30000`.
    pub const PRICE_PER_TERM: Decimal = Decimal::from_parts(30_000, 0, 0, false, 0);

    /// R-LIC-01's published term: a year (365 days) from purchase.
    pub const TERM: Period = Period::Year;

    /// R-LIC-06's published threshold: a traffic package of 200 TB or more
    /// earns a free term.
    pub const BUNDLED_MIN_TRAFFIC: Quantity =
        Quantity::new(Decimal::from_parts(200, 0, 0, false, 0), Unit::Terabyte);

    /// R-LIC-06's published free terms per qualifying package: one.
    pub const BUNDLED_TERMS: u32 = 1;

    /// The most free terms a policy may grant per package. Not a rule
    /// figure: a sanity bound on `bundled_terms`.
    pub const MAX_BUNDLED_TERMS: u32 = 10;

    /// Currency, time zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }

    /// R-LIC-01: the price of one term.
    pub fn price(&self) -> Money {
        Money::new(self.spec.price_per_term, self.spec.locale.currency)
    }

    /// R-LIC-01: one term's length (for a calendar term, the fewest days
    /// it holds; [`LicencePolicy::term_period`] counts from a start).
    pub fn term(&self) -> Days {
        self.spec.term.length()
    }

    /// R-LIC-01: one term as a period, which [`Period::end_after`] counts
    /// from a start in the policy's zone.
    pub fn term_period(&self) -> Period {
        self.spec.term
    }

    /// R-LIC-06: the smallest qualifying traffic package.
    pub fn bundled_min_traffic(&self) -> Quantity {
        self.spec.bundled_min_traffic
    }

    /// R-LIC-06: free terms per qualifying package.
    pub fn bundled_terms(&self) -> u32 {
        self.spec.bundled_terms
    }
}

crate::lifecycle::spec_policy!(LicencePolicy, LicencePolicySpec, validate);

fn validate(spec: &LicencePolicySpec) -> Result<(), PolicyError> {
    check::amount("price_per_term", spec.price_per_term, spec.locale.currency)
        .map_err(|e| e.with_rule(RuleId::Lic01))?;
    let traffic = spec.bundled_min_traffic;
    if traffic.unit().dimension() != Dimension::Data {
        return Err(PolicyError::new(
            "bundled_min_traffic",
            format!("{traffic} is not an amount of data"),
            "a data quantity such as 200 TB",
        )
        .with_rule(RuleId::Lic06));
    }
    check::positive("bundled_min_traffic", traffic.value())
        .map_err(|e| e.with_rule(RuleId::Lic06))?;
    check::in_range(
        "bundled_terms",
        spec.bundled_terms,
        1,
        LicencePolicy::MAX_BUNDLED_TERMS,
        Some(RuleId::Lic06),
    )?;
    Ok(())
}
