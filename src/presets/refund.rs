//! The published refund figures (R-REF-01..04), composed from the refund
//! policies' constants: app orders refundable for 10 days after payment
//! (R-REF-01); plugin licences for 14 days after the account's first
//! licence purchase with at most 20 GB of playback traffic (R-REF-03);
//! refunds flagged abnormal refused (R-REF-04 says they "may" be).

use crate::error::PolicyError;
use crate::refund::{
    AppRefundPolicy, AppRefundPolicySpec, LicenceRefundPolicy, LicenceRefundPolicySpec,
};

/// The app store's order refund policy as a spec: 10 days after payment
/// (R-REF-01), abnormal refunds refused (R-REF-04).
pub fn app_store_refunds_spec() -> AppRefundPolicySpec {
    AppRefundPolicySpec {
        window_days: AppRefundPolicy::WINDOW_DAYS,
        refuse_abnormal: AppRefundPolicy::REFUSE_ABNORMAL,
        locale: super::locale(),
    }
}

/// The app store's order refund policy (R-REF-01, R-REF-02, R-REF-04):
/// [`app_store_refunds_spec`], validated.
///
/// ```
/// use billing_rules::presets;
/// use billing_rules::time::Days;
///
/// assert_eq!(presets::app_store_refunds()?.window().days(), Days(10));
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
pub fn app_store_refunds() -> Result<AppRefundPolicy, PolicyError> {
    AppRefundPolicy::try_from(app_store_refunds_spec())
}

/// The live plugin's licence refund policy as a spec: 14 days and at most
/// 20 GB of playback traffic from the account's first licence purchase
/// (R-REF-03), abnormal refunds refused (R-REF-04).
pub fn live_plugin_licence_refunds_spec() -> LicenceRefundPolicySpec {
    LicenceRefundPolicySpec {
        window_days: LicenceRefundPolicy::WINDOW_DAYS,
        traffic_limit: LicenceRefundPolicy::TRAFFIC_LIMIT,
        refuse_abnormal: LicenceRefundPolicy::REFUSE_ABNORMAL,
        locale: super::locale(),
    }
}

/// The live plugin's licence refund policy (R-REF-03, R-REF-04):
/// [`live_plugin_licence_refunds_spec`], validated.
///
/// ```
/// use billing_rules::presets;
/// use billing_rules::time::Days;
///
/// let licence = presets::live_plugin_licence_refunds()?;
/// assert_eq!(licence.window().days(), Days(14));
/// assert_eq!(licence.traffic_limit().to_string(), "20 GB");
/// # Ok::<(), billing_rules::PolicyError>(())
/// ```
pub fn live_plugin_licence_refunds() -> Result<LicenceRefundPolicy, PolicyError> {
    LicenceRefundPolicy::try_from(live_plugin_licence_refunds_spec())
}
