//! The published figures of the five platforms, as ready-built policies.
//!
//! Every figure in `shared/RULES.md` is a policy field; this module is the
//! one place that holds the published values. Build your own policy from a
//! spec when your platform differs.
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::money::Currency;
//!
//! assert_eq!(presets::locale().currency, Currency::CNY);
//! assert_eq!(presets::locale().time_zone.to_string(), "+08:00");
//! ```

use crate::policy::Locale;

pub mod lifecycle;
pub mod payment;
pub mod seat;
pub mod usage;

/// Yuan, days in UTC+08:00, half-up rounding to the fen: the locale of every
/// published policy.
pub fn locale() -> Locale {
    Locale::default()
}
