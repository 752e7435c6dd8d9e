//! Refund policies: app orders (R-REF-01, R-REF-02, R-REF-04) and licences
//! (R-REF-03, R-REF-04).
//!
//! ```
//! use billing_rules::refund::AppRefundPolicy;
//! use billing_rules::time::Days;
//!
//! let published = billing_rules::presets::live_plugin_licence_refunds()?;
//! assert_eq!(published.window().days(), Days(14)); // R-REF-03
//! assert_eq!(published.traffic_limit().to_string(), "20 GB");
//!
//! // A platform with a 7-day window that does not refuse abnormal refunds.
//! let app: AppRefundPolicy = serde_json::from_str(r#"{"window_days": 7, "refuse_abnormal": false,
//!     "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#)?;
//! assert_eq!(app.window().days(), Days(7));
//! assert!(!app.refuse_abnormal());
//!
//! // Reading a policy validates it: a window of 0 days is refused (R-REF-01).
//! let err = serde_json::from_str::<AppRefundPolicy>(r#"{"window_days": 0, "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#).unwrap_err();
//! assert!(err.to_string().contains("`window_days`: a window of 0 days refunds nothing"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::policy::Locale;
use crate::quantity::{Dimension, Quantity, Unit};
use crate::refund::window::RefundWindow;
use crate::rule::RuleId;
use crate::time::Days;

/// An app-order refund policy as written in a configuration file.
///
/// Every field may be left out and takes its published value: a 10-day
/// window ([`AppRefundPolicy::WINDOW_DAYS`]), abnormal refunds refused
/// ([`AppRefundPolicy::REFUSE_ABNORMAL`]).
///
/// ```
/// use billing_rules::refund::{AppRefundPolicy, AppRefundPolicySpec};
/// use billing_rules::time::Days;
///
/// let spec: AppRefundPolicySpec = serde_json::from_str(r#"{"window_days": 7, "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#)?;
/// assert_eq!(AppRefundPolicy::try_from(spec)?.window().days(), Days(7));
///
/// let err = AppRefundPolicy::try_from(AppRefundPolicySpec { window_days: 0, ..Default::default() });
/// assert_eq!(err.unwrap_err().field, "window_days");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # JSON
///
/// The full shape is in [`AppRefundPolicy`]'s JSON section.
///
/// ```json
/// {"window_days": 7, "refuse_abnormal": false}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppRefundPolicySpec {
    /// Days after payment an app order stays refundable (R-REF-01); at
    /// least 1.
    #[serde(default = "AppRefundPolicySpec::window_days")]
    pub window_days: u32,
    /// Refuse a refund the caller flags as abnormal (R-REF-04 says it "may"
    /// be refused; the preset refuses).
    #[serde(default = "AppRefundPolicySpec::refuse_abnormal")]
    pub refuse_abnormal: bool,
    /// Currency, zone and rounding; every order of a ledger is in this
    /// currency. Required in JSON: a policy never guesses its currency.
    pub locale: Locale,
}

// Serde's defaults field by field: the locale has none.
impl AppRefundPolicySpec {
    fn window_days() -> u32 {
        AppRefundPolicy::WINDOW_DAYS
    }
    fn refuse_abnormal() -> bool {
        AppRefundPolicy::REFUSE_ABNORMAL
    }
}

impl Default for AppRefundPolicySpec {
    /// The published figures: [`AppRefundPolicy::WINDOW_DAYS`],
    /// [`AppRefundPolicy::REFUSE_ABNORMAL`] and the default [`Locale`].
    fn default() -> Self {
        AppRefundPolicySpec {
            window_days: AppRefundPolicy::WINDOW_DAYS,
            refuse_abnormal: AppRefundPolicy::REFUSE_ABNORMAL,
            locale: Locale::default(),
        }
    }
}

/// A validated app-order refund policy (R-REF-01, R-REF-02, R-REF-04): the
/// policy of the [`OrderLedger`](crate::refund::OrderLedger) decider; it
/// answers whether an order may be refunded
/// ([`AppRefundPolicy::eligibility`], [`AppRefundPolicy::next_refund`]).
///
/// # JSON
///
/// The published policy:
///
/// ```
/// use billing_rules::refund::AppRefundPolicy;
///
/// let policy = billing_rules::presets::app_store_refunds()?;
/// let json = r#"{"window_days":10,"refuse_abnormal":true,"locale":{"currency":"CNY","time_zone":"+08:00","rounding":"half_up"}}"#;
/// assert_eq!(serde_json::to_string(&policy)?, json);
/// assert_eq!(serde_json::from_str::<AppRefundPolicy>(json)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRefundPolicy {
    // The checked spec it was built from: `to_spec` and serialization give
    // it back unchanged.
    spec: AppRefundPolicySpec,
}

impl AppRefundPolicy {
    /// R-REF-01's published window: an app order stays refundable for 10
    /// days after its payment.
    pub const WINDOW_DAYS: u32 = 10;

    /// R-REF-04 says an abnormal refund "may" be refused; the published
    /// policy refuses it.
    pub const REFUSE_ABNORMAL: bool = true;

    /// The refund window counted from each order's payment (R-REF-01).
    pub fn window(&self) -> RefundWindow {
        RefundWindow::new(Days(self.spec.window_days))
    }

    /// Whether a refund flagged as abnormal is refused (R-REF-04).
    pub fn refuse_abnormal(&self) -> bool {
        self.spec.refuse_abnormal
    }

    /// Currency, zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }
}

impl TryFrom<AppRefundPolicySpec> for AppRefundPolicy {
    type Error = PolicyError;

    fn try_from(spec: AppRefundPolicySpec) -> Result<Self, PolicyError> {
        check_window("window_days", spec.window_days, RuleId::Ref01)?;
        Ok(AppRefundPolicy { spec })
    }
}

crate::policy::policy_spec!(AppRefundPolicy => AppRefundPolicySpec, kept in spec);

/// A licence refund policy as written in a configuration file.
///
/// Every field may be left out and takes its published value: a 14-day
/// window ([`LicenceRefundPolicy::WINDOW_DAYS`]) and at most 20 GB of
/// playback traffic ([`LicenceRefundPolicy::TRAFFIC_LIMIT`]), both counted
/// from the account's first licence purchase, and abnormal refunds refused
/// ([`LicenceRefundPolicy::REFUSE_ABNORMAL`]).
///
/// ```
/// use billing_rules::refund::{LicenceRefundPolicy, LicenceRefundPolicySpec};
///
/// let spec: LicenceRefundPolicySpec =
///     serde_json::from_str(r#"{"traffic_limit": {"value": "0.05", "unit": "TB"}, "locale": {"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}}"#)?;
/// let policy = LicenceRefundPolicy::try_from(spec)?;
/// assert_eq!(policy.traffic_limit().to_string(), "0.05 TB");
///
/// let calls = r#"{"traffic_limit": {"value": "20", "unit": "calls"}}"#;
/// assert!(serde_json::from_str::<LicenceRefundPolicy>(calls).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # JSON
///
/// The full shape is in [`LicenceRefundPolicy`]'s JSON section.
///
/// ```json
/// {"window_days": 14, "traffic_limit": {"value": "0.05", "unit": "TB"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceRefundPolicySpec {
    /// Days after the account's first licence purchase a licence stays
    /// refundable (R-REF-03); at least 1.
    #[serde(default = "LicenceRefundPolicySpec::window_days")]
    pub window_days: u32,
    /// The most playback traffic over the window that still qualifies
    /// (R-REF-03; the limit itself qualifies). A data quantity, zero or
    /// more.
    #[serde(default = "LicenceRefundPolicySpec::traffic_limit")]
    pub traffic_limit: Quantity,
    /// Refuse a refund the caller flags as abnormal (R-REF-04).
    #[serde(default = "LicenceRefundPolicySpec::refuse_abnormal")]
    pub refuse_abnormal: bool,
    /// Currency, zone and rounding. Required in JSON.
    pub locale: Locale,
}

// Serde's defaults field by field: the locale has none.
impl LicenceRefundPolicySpec {
    fn window_days() -> u32 {
        LicenceRefundPolicy::WINDOW_DAYS
    }
    fn traffic_limit() -> Quantity {
        LicenceRefundPolicy::TRAFFIC_LIMIT
    }
    fn refuse_abnormal() -> bool {
        LicenceRefundPolicy::REFUSE_ABNORMAL
    }
}

impl Default for LicenceRefundPolicySpec {
    /// The published figures: [`LicenceRefundPolicy::WINDOW_DAYS`],
    /// [`LicenceRefundPolicy::TRAFFIC_LIMIT`],
    /// [`LicenceRefundPolicy::REFUSE_ABNORMAL`] and the default [`Locale`].
    fn default() -> Self {
        LicenceRefundPolicySpec {
            window_days: LicenceRefundPolicy::WINDOW_DAYS,
            traffic_limit: LicenceRefundPolicy::TRAFFIC_LIMIT,
            refuse_abnormal: LicenceRefundPolicy::REFUSE_ABNORMAL,
            locale: Locale::default(),
        }
    }
}

/// A validated licence refund policy (R-REF-03, R-REF-04); it answers
/// whether a licence may be refunded ([`LicenceRefundPolicy::eligibility`]).
///
/// # JSON
///
/// The published policy:
///
/// ```
/// use billing_rules::refund::LicenceRefundPolicy;
///
/// let policy = billing_rules::presets::live_plugin_licence_refunds()?;
/// let json = r#"{"window_days":14,"traffic_limit":{"value":"20","unit":"GB"},"refuse_abnormal":true,"locale":{"currency":"CNY","time_zone":"+08:00","rounding":"half_up"}}"#;
/// assert_eq!(serde_json::to_string(&policy)?, json);
/// assert_eq!(serde_json::from_str::<LicenceRefundPolicy>(json)?, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceRefundPolicy {
    // The checked spec it was built from: `to_spec` and serialization give
    // it back unchanged.
    spec: LicenceRefundPolicySpec,
}

impl LicenceRefundPolicy {
    /// R-REF-03's published window: a licence stays refundable for 14 days
    /// after the account's first licence purchase.
    pub const WINDOW_DAYS: u32 = 14;

    /// R-REF-03's published traffic limit: at most 20 GB of playback
    /// traffic over the window (20 GB exactly still qualifies).
    pub const TRAFFIC_LIMIT: Quantity =
        Quantity::new(Decimal::from_parts(20, 0, 0, false, 0), Unit::Gigabyte);

    /// R-REF-04 says an abnormal refund "may" be refused; the published
    /// policy refuses it.
    pub const REFUSE_ABNORMAL: bool = true;

    /// The refund window counted from the account's first licence purchase
    /// (R-REF-03).
    pub fn window(&self) -> RefundWindow {
        RefundWindow::new(Days(self.spec.window_days))
    }

    /// The most traffic that still qualifies (R-REF-03).
    pub fn traffic_limit(&self) -> Quantity {
        self.spec.traffic_limit
    }

    /// Whether a refund flagged as abnormal is refused (R-REF-04).
    pub fn refuse_abnormal(&self) -> bool {
        self.spec.refuse_abnormal
    }

    /// Currency, zone and rounding.
    pub fn locale(&self) -> Locale {
        self.spec.locale
    }
}

impl TryFrom<LicenceRefundPolicySpec> for LicenceRefundPolicy {
    type Error = PolicyError;

    fn try_from(spec: LicenceRefundPolicySpec) -> Result<Self, PolicyError> {
        check_window("window_days", spec.window_days, RuleId::Ref03)?;
        let limit = spec.traffic_limit;
        if limit.unit().dimension() != Dimension::Data {
            return Err(PolicyError::new(
                "traffic_limit",
                format!("{limit} is not an amount of data"),
                "a data quantity in B, KB, MB, GB or TB",
            )
            .with_rule(RuleId::Ref03));
        }
        if limit.value() < Decimal::ZERO {
            return Err(PolicyError::new(
                "traffic_limit",
                format!("{limit} is negative"),
                "zero or more",
            )
            .with_rule(RuleId::Ref03));
        }
        Ok(LicenceRefundPolicy { spec })
    }
}

crate::policy::policy_spec!(LicenceRefundPolicy => LicenceRefundPolicySpec, kept in spec);

/// Both refund windows (R-REF-01, R-REF-03) are at least a day.
fn check_window(field: &str, days: u32, rule: RuleId) -> Result<(), PolicyError> {
    if days == 0 {
        return Err(
            PolicyError::new(field, "a window of 0 days refunds nothing", "1 day or more")
                .with_rule(rule),
        );
    }
    Ok(())
}
