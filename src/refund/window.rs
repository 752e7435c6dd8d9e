//! "Within N days" refund windows (R-REF-01, R-REF-03).
//!
//! ```
//! use billing_rules::presets::{app_store_refunds, live_plugin_licence_refunds};
//! use billing_rules::time::Zone;
//! use chrono::{Duration, TimeZone, Utc};
//!
//! let paid = Utc.with_ymd_and_hms(2025, 6, 1, 9, 30, 0).unwrap();
//! let zone = Zone::BEIJING;
//! let app = app_store_refunds()?.window(); // R-REF-01: 10 days
//! assert_eq!(app.closes_at(paid, zone), Some(Utc.with_ymd_and_hms(2025, 6, 11, 9, 30, 0).unwrap()));
//! assert!(app.contains(paid, paid + Duration::days(10), zone));
//! assert!(!app.contains(paid, paid + Duration::days(10) + Duration::seconds(1), zone));
//! // R-REF-03: 14 days from the account's first licence purchase.
//! assert!(live_plugin_licence_refunds()?.window().contains(paid, paid + Duration::days(14), zone));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::time::{Days, Zone};

/// A window of N days that opens at an instant and is closed at its end:
/// eligible while `now` is at most the same local time N calendar days
/// after the start, in the policy's zone (R-REF-01's decision, which
/// R-REF-03 follows; see [`Zone::plus_days`]).
///
/// So exactly N days after the start is still inside; one second later is
/// not. An instant before the start is inside too: the rule only bounds the
/// end. In a fixed-offset zone the end is `start + N x 24 h`; across a
/// daylight-saving change it is an hour more or less, at the same local
/// time.
///
/// Serialized as the number of days.
///
/// ```
/// use billing_rules::refund::RefundWindow;
/// use billing_rules::time::{Days, Zone};
/// use chrono::{Duration, TimeZone, Utc};
///
/// let window = RefundWindow::new(Days(10));
/// let paid = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let zone = Zone::BEIJING;
/// assert!(window.contains(paid, paid + Duration::days(10), zone));
/// assert!(!window.contains(paid, paid + Duration::days(10) + Duration::seconds(1), zone));
/// assert_eq!(window.closes_at(paid, zone), Some(Utc.with_ymd_and_hms(2025, 6, 11, 0, 0, 0).unwrap()));
///
/// // Paid in Berlin before the spring-forward night: 10 local days are
/// // 239 hours, ending at the same local time.
/// let berlin: Zone = "Europe/Berlin".parse()?;
/// let paid = berlin.at(2025, 3, 25, 9, 30, 0)?;
/// assert_eq!(window.closes_at(paid, berlin), Some(berlin.at(2025, 4, 4, 9, 30, 0)?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RefundWindow {
    days: Days,
}

impl RefundWindow {
    /// A window of `days` days.
    pub const fn new(days: Days) -> RefundWindow {
        RefundWindow { days }
    }

    /// The window's length.
    pub const fn days(&self) -> Days {
        self.days
    }

    /// True while `now` is not past [`RefundWindow::closes_at`] in `zone`.
    pub fn contains(&self, start: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> bool {
        // An end beyond chrono's range never comes: the window stays open.
        self.closes_at(start, zone).is_none_or(|end| now <= end)
    }

    /// The last instant inside the window: the same local time N calendar
    /// days after `start` in `zone`; `None` when it lies beyond chrono's
    /// range (the window then never closes).
    pub fn closes_at(&self, start: DateTime<Utc>, zone: Zone) -> Option<DateTime<Utc>> {
        zone.plus_days(start, self.days).ok()
    }
}
