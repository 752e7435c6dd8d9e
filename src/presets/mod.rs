//! The published figures of the five platforms, as ready-built policies.
//!
//! Every figure of the catalogue ([`RuleId`](crate::RuleId)) is a policy field; this module is the
//! one place that holds the published values. Build your own policy from a
//! spec when your platform differs.
//!
//! Two kinds of function, with one signature each:
//!
//! - `*_spec()` returns the preset as a spec, infallibly: start from it and
//!   change a field (`SeatPolicySpec { max_seats: Some(100), ..app_store_seat_pricing_spec() }`).
//! - The built preset (`app_store_seat_pricing()`, `chat_service_subscription()`,
//!   `cloud_payment()`, ...) returns `Result<Policy, PolicyError>`:
//!   it is `Policy::try_from(*_spec())`, the same validation as any spec, so
//!   no preset skips a check. None fails; the tests build every one.
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::money::Currency;
//! use billing_rules::time::Days;
//!
//! assert_eq!(presets::locale().currency, Currency::CNY);
//! assert_eq!(presets::locale().time_zone.to_string(), "+08:00");
//!
//! // One published figure from each family.
//! assert_eq!(presets::app_store_seat_pricing()?.discount_floor().to_string(), "0.70"); // R-SEAT-04
//! assert_eq!(presets::chat_service_subscription()?.grace().num_hours(), 24); // R-LIFE-06
//! assert_eq!(presets::verification_usage()?.trial_quota(), 1000); // R-USE-02
//! assert_eq!(presets::live_plugin_licence()?.price().to_string(), "CNY 30000.00"); // R-LIC-01
//! assert_eq!(presets::cloud_payment()?.switch_limit(), 4); // R-PAY-03
//! assert_eq!(presets::app_store_refunds()?.window().days(), Days(10)); // R-REF-01
//! # Ok::<(), billing_rules::PolicyError>(())
//! ```

use crate::policy::Locale;

mod lifecycle;
mod payment;
mod refund;
mod seat;
mod usage;

pub use lifecycle::{
    app_store_subscription, app_store_subscription_spec, chat_service_subscription,
    chat_service_subscription_spec, cloud_environment_postpaid, cloud_environment_postpaid_spec,
    cloud_environment_subscription, cloud_environment_subscription_spec, live_plugin_licence,
    live_plugin_licence_spec, live_plugin_postpaid, live_plugin_postpaid_spec,
};
pub use payment::{cloud_payment, cloud_payment_spec};
pub use refund::{
    app_store_refunds, app_store_refunds_spec, live_plugin_licence_refunds,
    live_plugin_licence_refunds_spec,
};
pub use seat::{app_store_seat_pricing, app_store_seat_pricing_spec};
pub use usage::{
    live_add_ons, live_add_ons_spec, live_traffic, live_traffic_spec, verification_usage,
    verification_usage_spec,
};

/// Yuan, days in UTC+08:00, half-up rounding to the fen: the locale of every
/// published policy.
pub fn locale() -> Locale {
    Locale::default()
}
